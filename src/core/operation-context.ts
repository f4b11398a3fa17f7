// What an operation knows about its request besides the request itself, and the one way such a
// context is made (the gateway for a request, CloudFormation for a call it makes for a stack).
// In core so services use it without importing the gateway.
import type { AwsError } from "./aws-error.ts";
import { conditionKeys, type AuthDecision, type Authorizer, type ConditionKeys, type ContextValue, type RequestNetwork } from "./authorization.ts";
import type { Clock } from "./clock.ts";
import type { Principal } from "./principal.ts";

export interface AuthorizeExtra {
  context?: ConditionKeys;
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

/** What an operation context is built from: the gateway's request, or a call CloudFormation makes for a stack. */
export interface OperationContextInput {
  requestId: string;
  region: string;
  principal: Principal;
  sourceIp: string;
  clock: Clock;
  authorizer: () => Authorizer;
  /** The service whose access-denied error a refusal throws (its ServiceDefinition). */
  service: { accessDenied(principalArn: string, action: string, resource: string, decision: AuthDecision): AwsError };
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
        context: addedContext ? { ...conditionKeys(extra?.context), ...addedContext } : extra?.context,
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
