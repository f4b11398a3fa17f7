// A REST service (Lambda's rest-json) as it describes itself, before a codec binds it to the wire:
// a route table (method, path template, operation) and operations that read the decoded request
// and return their output members; protocol/rest-json/bind.ts matches routes, decodes bodies,
// encodes outputs and renders errors.
import type { IncomingHttpHeaders } from "node:http";
import type { AwsError } from "./aws-error.ts";
import type { AuthDecision } from "./authorization.ts";
import type { ServiceRequest } from "./http-types.ts";
import type { OperationContext } from "./operation-context.ts";

export interface RestRoute<Op extends string = string> {
  method: string;
  /** e.g. /2015-03-31/functions/{FunctionName}/invocations; a trailing slash in the request is accepted. */
  pattern: string;
  operation: Op;
}

/** One request as a REST operation sees it. */
export interface RestCall {
  /** Path labels, percent-decoded: FunctionName, Name, StatementId, ARN. */
  labels: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  req: ServiceRequest;
  /**
   * The body as the codec decodes it (rest-json: a JSON object; an empty body is {}); a body it
   * cannot decode throws the protocol's error. Decoded when the operation asks, so the checks it
   * makes first keep their order.
   */
  input(): Record<string, unknown>;
}

/**
 * A REST operation's answer: the status, headers and either `output` (the members of the SDK's
 * output shape, which the codec encodes) or a `body` that goes on the wire as it is (Invoke's payload).
 */
export interface RestOutput {
  status: number;
  headers?: Record<string, string>;
  output?: unknown;
  body?: Buffer | string;
}

export function restOutput(status: number, output: unknown, headers: Record<string, string> = {}): RestOutput {
  return { status, headers, output };
}

export type RestOperation = (call: RestCall, ctx: OperationContext) => RestOutput | Promise<RestOutput>;

export interface RestServiceModel<Op extends string = string> {
  signingName: string;
  protocol: "rest-json";
  maxBodyBytes: number;
  routes: RestRoute<Op>[];
  operations: Record<Op, RestOperation>;
  /** The error a denied caller gets (AccessDeniedException). */
  accessDenied(principalArn: string, action: string, resource: string, decision: AuthDecision): AwsError;
  /** Dropped state must also drop what the service keeps outside the store (timers, processes). */
  onReset?(): void | Promise<void>;
  onShutdown?(): void | Promise<void>;
}
