// The REST services as they describe themselves, before a codec binds them to the wire. Lambda
// (rest-json): a route table (method, path template, operation) and operations that read the
// decoded request and return their output members; protocol/rest-json/bind.ts matches routes,
// decodes bodies, encodes outputs and renders errors. S3 (rest-xml): one handler (S3's addressing
// and sub-resources pick the operation) reading request documents and returning output
// documents; protocol/rest-xml/bind.ts reads and writes the XML and renders errors.
import type { IncomingHttpHeaders } from "node:http";
import type { AwsError } from "./aws-error.ts";
import type { AuthDecision } from "./authorization.ts";
import type { ServiceRequest } from "./http-types.ts";
import type { OperationContext } from "./operation-context.ts";
import type { OutputDocument } from "./output-tree.ts";

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
export interface RestOutput<Output = unknown> {
  status: number;
  headers?: Record<string, string>;
  output?: Output;
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

/** A request document as its codec reads it (S3's XML bodies): elements are looked up by name, at any depth. */
export interface InputDocument {
  /** Nothing but white space. */
  readonly empty: boolean;
  /** Whether an element of this name (without a namespace prefix) is in it. */
  has(name: string): boolean;
  /** The text of the first element of this name, entities decoded. */
  text(name: string): string | undefined;
  /** Every element of this name, each as a document of its own. */
  all(name: string): InputDocument[];
}

/** One request as a REST-XML service sees it. */
export interface RestXmlCall {
  req: ServiceRequest;
  /** The body as a document, read when the operation asks. */
  document(): InputDocument;
}

export interface RestXmlServiceModel {
  signingName: string;
  protocol: "rest-xml";
  maxBodyBytes: number;
  /** See ServiceDefinition: S3 takes unsigned and streaming payloads, and signs paths encoded once. */
  unsignedPayload?: boolean;
  s3Signing?: boolean;
  /** Answers with an output document, or a body as it is (GetObject). */
  handle(call: RestXmlCall, ctx: OperationContext): RestOutput<OutputDocument> | Promise<RestOutput<OutputDocument>>;
  /** The service's own form of an error raised before it saw the request (the gateway's body limit). */
  translateError?(err: AwsError): AwsError;
  accessDenied(principalArn: string, action: string, resource: string, decision: AuthDecision): AwsError;
  onReset?(): void | Promise<void>;
  onShutdown?(): void | Promise<void>;
}
