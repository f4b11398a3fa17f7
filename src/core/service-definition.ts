// What a service gives the gateway: its signing name, protocol, limits, handler and error shapes.
import type { AwsError } from "./aws-error.ts";
import type { AuthDecision } from "./authorization.ts";
import type { ServiceRequest, ServiceResponse } from "./http-types.ts";
import type { OperationContext } from "./operation-context.ts";

export type Protocol = "rest-json" | "ec2-query" | "query" | "rest-xml";

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
