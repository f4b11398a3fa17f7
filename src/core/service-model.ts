// A service as it describes itself, before a codec binds it to the wire: its operations take the
// input the codec decoded and return the members of the AWS SDK's output shape; the codec
// (protocol/query/bind.ts) parses requests, dispatches by Action and renders results and errors.
import type { AwsError } from "./aws-error.ts";
import type { AuthDecision } from "./authorization.ts";
import type { OperationContext } from "./operation-context.ts";
import type { InputTree } from "./input-tree.ts";

/** An operation's input as its codec decoded it: members by name; a query list is numbered children ("1", "2", ...). */
export type { InputTree } from "./input-tree.ts";

/** The members of the operation's AWS SDK output shape (without $metadata), or nothing. */
export type OperationOutput = object | undefined;

export type Operation<C = OperationContext> = (input: InputTree, ctx: C) => OperationOutput | Promise<OperationOutput>;

/** A service of the query protocols (STS, IAM, CloudFormation: "query"; EC2: "ec2-query"). */
export interface QueryServiceModel {
  signingName: string;
  protocol: "query" | "ec2-query";
  /** The API version (Version=...), and the namespace its answers carry. */
  version: string;
  xmlns: string;
  maxBodyBytes: number;
  operations: Record<string, Operation>;
  /** The error a denied caller gets (AccessDenied, UnauthorizedOperation). */
  accessDenied(principalArn: string, action: string, resource: string, decision: AuthDecision): AwsError;
  /** Dropped state must also drop what the service keeps outside the store (caches). */
  onReset?(): void | Promise<void>;
  onShutdown?(): void | Promise<void>;
}
