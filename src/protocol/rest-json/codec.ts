import { AwsError } from "../../core/aws-error.ts";
import type { RestRoute } from "../../core/rest-model.ts";
import type { ServiceResponse } from "../http-types.ts";

/**
 * rest-json (Lambda): the error code travels in X-Amzn-ErrorType and the body carries Type and
 * message (or Message, per shape). Never a `code` key: older SDKs read it before the header.
 *   HTTP/1.1 404  X-Amzn-ErrorType: ResourceNotFoundException
 *   {"Type":"User","Message":"Function not found: arn:aws:lambda:..."}
 */
export function renderRestJsonError(err: AwsError): ServiceResponse {
  const body: Record<string, unknown> = { Type: err.isClientFault ? "User" : "Service" };
  if (!("Message" in err.fields) && !("message" in err.fields)) body.message = err.message;
  Object.assign(body, err.fields);
  return {
    status: err.status,
    headers: { "x-amzn-errortype": err.code, "content-type": "application/json", ...err.headers },
    body: JSON.stringify(body),
  };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): ServiceResponse {
  return { status, headers: { "content-type": "application/json", ...headers }, body: body === undefined ? "" : JSON.stringify(body) };
}

/** Parse a JSON request body; an unparsable one is a SerializationException as AWS's front end says. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(body.toString("utf8"));
  } catch {
    throw new AwsError("SerializationException", 400, "Could not parse request body into json: Unexpected character");
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new AwsError("SerializationException", 400, "Could not parse request body into json: Start of structure or map found where not expected.");
  }
  return v as Record<string, unknown>;
}

/** AWS's validation text: "1 validation error detected: Value 'x' at 'functionName' failed to satisfy constraint: ..." */
export function validationError(problems: { value: unknown; path: string; constraint: string }[]): AwsError {
  const parts = problems.map((p) => `Value ${formatValue(p.value)} at '${p.path}' failed to satisfy constraint: ${p.constraint}`);
  const n = problems.length;
  return new AwsError("ValidationException", 400, `${n} validation error${n === 1 ? "" : "s"} detected: ${parts.join("; ")}`);
}

function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return `'[${v.join(", ")}]'`;
  return `'${String(v)}'`;
}

/** A route of a service's table (core/rest-model.ts). */
export type Route<Op extends string = string> = RestRoute<Op>;

export interface RouteMatch<Op extends string = string> {
  operation: Op;
  /** Path labels, percent-decoded. */
  labels: Record<string, string>;
}

interface CompiledRoute<Op extends string> {
  method: string;
  segments: string[];
  operation: Op;
}

export class Router<Op extends string = string> {
  private readonly routes: CompiledRoute<Op>[];

  constructor(routes: Route<Op>[]) {
    this.routes = routes.map((r) => ({ method: r.method, segments: r.pattern.split("/").filter(Boolean), operation: r.operation }));
  }

  /** Returns the match, "method" when the path exists with another method, or undefined. */
  match(method: string, rawPath: string): RouteMatch<Op> | "method" | undefined {
    const segs = rawPath.split("/").filter(Boolean);
    let pathMatched = false;
    for (const r of this.routes) {
      if (r.segments.length !== segs.length) continue;
      const labels: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segs.length; i++) {
        const pat = r.segments[i];
        if (pat.startsWith("{")) {
          let v: string;
          try {
            v = decodeURIComponent(segs[i]);
          } catch {
            ok = false;
            break;
          }
          labels[pat.slice(1, -1)] = v;
        } else if (pat !== segs[i]) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      pathMatched = true;
      if (r.method === method) return { operation: r.operation, labels };
    }
    return pathMatched ? "method" : undefined;
  }
}
