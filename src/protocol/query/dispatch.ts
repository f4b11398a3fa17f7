import { AwsError } from "../../core/aws-error.ts";
import type { ServiceRequest, ServiceResponse } from "../http-types.ts";
import { toTree, type InputTree } from "../../core/input-tree.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { renderEc2Result } from "../ec2-query/codec.ts";
import { renderQueryResult } from "./codec.ts";

/** What a query-protocol operation returns: the result members, or nothing. */
export type QueryResult = OutputObject | undefined;
export type QueryOperation<C> = (params: InputTree, ctx: C) => QueryResult | Promise<QueryResult>;

export interface QueryDispatchOptions<C extends { operation: string; requestId: string }> {
  /** ec2-query: no Result wrapper and <item> lists; query: <OpResult> and <member> lists. */
  protocol: "ec2-query" | "query";
  version: string;
  xmlns: string;
  operations: Record<string, QueryOperation<C>>;
}

/**
 * Parameters come form-encoded in a POST body (or in the query string of a GET):
 *   Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1
 */
export function queryDispatcher<C extends { operation: string; requestId: string }>(opts: QueryDispatchOptions<C>) {
  return async (req: ServiceRequest, ctx: C): Promise<ServiceResponse> => {
    let params = req.query;
    if (req.method === "POST") {
      const ct = String(req.headers["content-type"] ?? "");
      if (req.body.length > 0 && !ct.startsWith("application/x-www-form-urlencoded")) {
        throw new AwsError("InvalidParameterValue", 400, `Unsupported content type: ${ct || "none"}; expected application/x-www-form-urlencoded`); // unverified wording
      }
      // The query string's parameters first, then the body's (most requests have only a body).
      const form = new URLSearchParams(req.body.toString("utf8"));
      if (req.query.size === 0) params = form;
      else {
        params = new URLSearchParams(req.query);
        for (const [k, v] of form) params.append(k, v);
      }
    } else if (req.method !== "GET") {
      throw new AwsError(opts.protocol === "ec2-query" ? "InvalidAction" : "InvalidAction", 400, `The HTTP method ${req.method} is not supported by this service.`); // unverified wording
    }
    const action = params.get("Action");
    if (!action) {
      throw opts.protocol === "ec2-query"
        ? new AwsError("MissingAction", 400, "The request must contain the parameter Action")
        : new AwsError("MissingAction", 400, "Missing Action");
    }
    ctx.operation = action;
    const op = Object.prototype.hasOwnProperty.call(opts.operations, action) ? opts.operations[action] : undefined;
    if (!op) {
      throw opts.protocol === "ec2-query"
        ? new AwsError("InvalidAction", 400, `The action ${action} is not valid for this web service.`)
        : new AwsError("InvalidAction", 400, `Could not find operation ${action} for version ${params.get("Version") ?? opts.version}`);
    }
    const result = await op(toTree(params), ctx);
    return opts.protocol === "ec2-query"
      ? renderEc2Result(action, ctx.requestId, result ?? {})
      : renderQueryResult(action, opts.xmlns, ctx.requestId, result);
  };
}

/** MissingParameter, as the query services word it. */
export function missingParameter(name: string): AwsError {
  return new AwsError("MissingParameter", 400, `The request must contain the parameter ${name}`);
}
