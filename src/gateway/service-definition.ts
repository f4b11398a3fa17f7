import type { AwsError } from "../core/aws-error.ts";
import type { AuthDecision, Authorizer, ContextValue, RequestNetwork } from "../core/authorization.ts";
import type { Clock } from "../core/clock.ts";
import type { Principal } from "../core/principal.ts";
import type { ServiceRequest, ServiceResponse } from "../protocol/http-types.ts";

export type Protocol = "rest-json" | "ec2-query" | "query" | "rest-xml";

export interface AuthorizeExtra {
  context?: Record<string, ContextValue>;
  resourcePolicy?: string;
  resourceAccount?: string;
  /** Only a VPC endpoint policy may deny (AuthRequest.endpointPolicyOnly). */
  endpointPolicyOnly?: boolean;
}

/** Everything an operation knows about its request besides the request itself. */
export interface OperationContext {
  requestId: string;
  /** Region of the credential scope (IAM accepts any). */
  region: string;
  /** The caller's account: every resource the call touches lives there. */
  accountId: string;
  principal: Principal;
  sourceIp: string;
  clock: Clock;
  /** Set by the service, for the request log line. */
  operation: string;
  /** Authorize through IAM; throws the service's own access-denied error. */
  authorize(action: string, resource: string, extra?: AuthorizeExtra): void;
  /** Ask without throwing. */
  decide(action: string, resource: string, extra?: AuthorizeExtra): AuthDecision;
}

export interface ServiceDefinition {
  /** The SigV4 signing name that routes to this service: lambda, ec2, iam, sts. */
  signingName: string;
  protocol: Protocol;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /**
   * Whether x-amz-content-sha256 may be UNSIGNED-PAYLOAD or a streaming payload hash: on AWS only S3
   * takes them. Unset: every body is hashed and must match the signature.
   */
  unsignedPayload?: boolean;
  /**
   * S3's signing rules: the canonical path is the path encoded once (not twice as elsewhere), and an
   * aws-chunked body is decoded, every chunk signature verified, before the service sees it.
   */
  s3Signing?: boolean;
  handle(req: ServiceRequest, ctx: OperationContext): Promise<ServiceResponse> | ServiceResponse;
  /** Render an error in this service's wire shape. */
  renderError(err: AwsError, requestId: string): ServiceResponse;
  /** The error a denied caller gets (AccessDeniedException, UnauthorizedOperation, AccessDenied). */
  accessDenied(principalArn: string, action: string, resource: string, decision: AuthDecision): AwsError;
  /** Dropped state must also drop what the service keeps outside the store (timers, processes). */
  onReset?(): void | Promise<void>;
  onShutdown?(): void | Promise<void>;
}

/** What an operation context is built from: the gateway's request, or a call CloudFormation makes for a stack. */
export interface OperationContextInput {
  requestId: string;
  region: string;
  principal: Principal;
  sourceIp: string;
  clock: Clock;
  authorizer: () => Authorizer;
  /** The service whose access-denied error a refusal throws. */
  service: Pick<ServiceDefinition, "accessDenied">;
  secureTransport: boolean;
  /** Condition keys every decision of this context carries (e.g. aws:CalledVia). */
  addedContext?: Record<string, ContextValue>;
  /** The VPC path the request came along (function code through an endpoint). */
  network?: RequestNetwork;
}

/** The one way an OperationContext is made: decisions through the authorizer, denials in the service's shape. */
export function operationContext(i: OperationContextInput): OperationContext {
  const { principal, region, sourceIp, addedContext } = i;
  const ctx: OperationContext = {
    requestId: i.requestId,
    region,
    accountId: principal.accountId,
    principal,
    sourceIp,
    clock: i.clock,
    operation: "-",
    decide: (action, resource, extra) =>
      i.authorizer().authorize({
        principal,
        action,
        resource,
        context: addedContext ? { ...extra?.context, ...addedContext } : extra?.context,
        resourcePolicy: extra?.resourcePolicy,
        resourceAccount: extra?.resourceAccount,
        ...(extra?.endpointPolicyOnly ? { endpointPolicyOnly: true } : {}),
        sourceIp,
        ...(i.network ? { network: i.network } : {}),
        secureTransport: i.secureTransport,
        region,
      }),
    authorize: (action, resource, extra) => {
      const d = ctx.decide(action, resource, extra);
      if (!d.allowed) throw i.service.accessDenied(principal.arn, action, resource, d);
    },
  };
  return ctx;
}
