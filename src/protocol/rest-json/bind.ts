// Binds a rest-json service model (Lambda) to the wire: routes matched by method and path, JSON
// bodies decoded when an operation reads them, outputs encoded as JSON, errors in the protocol's
// shape. The service never sees a codec.
import { AwsError } from "../../core/aws-error.ts";
import type { RestOutput, RestServiceModel } from "../../core/rest-model.ts";
import type { ServiceDefinition } from "../../core/service-definition.ts";
import type { ServiceResponse } from "../http-types.ts";
import { jsonResponse, parseJsonBody, renderRestJsonError, Router } from "./codec.ts";

export function bindRestJsonService<Op extends string>(model: RestServiceModel<Op>): ServiceDefinition {
  const router = new Router<Op>(model.routes);
  return {
    signingName: model.signingName,
    protocol: model.protocol,
    maxBodyBytes: model.maxBodyBytes,
    handle: (req, ctx) => {
      const m = router.match(req.method, req.rawPath);
      if (m === undefined || m === "method") {
        throw new AwsError("UnknownOperationException", 404, `Unknown operation ${req.method} ${req.rawPath}`);
      }
      const call = { labels: m.labels, query: req.query, headers: req.headers, body: req.body, req, input: () => parseJsonBody(req.body) };
      const r = model.operations[m.operation](call, ctx);
      return r instanceof Promise ? r.then(encode) : encode(r);
    },
    renderError: (err) => renderRestJsonError(err),
    accessDenied: model.accessDenied,
    onReset: model.onReset,
    onShutdown: model.onShutdown,
  };
}

/** An output becomes a JSON body (an absent one an empty body); a body given as it is passes through. */
function encode(r: RestOutput): ServiceResponse {
  if (!("output" in r)) return r;
  return jsonResponse(r.status, r.output, r.headers);
}
