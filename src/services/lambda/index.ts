// Placeholder until the Lambda service lands: routes nothing, answers in Lambda's rest-json shape.
import { AwsError } from "../../core/aws-error.ts";
import { denialMessage } from "../../core/authorization.ts";
import type { ServiceDefinition } from "../../gateway/service-definition.ts";
import { jsonResponse, renderRestJsonError } from "../../protocol/rest-json/codec.ts";
import type { ServiceDeps } from "../service-deps.ts";

/** Lambda accepts zipped code up to 50 MB, which is about 70 MB once base64-encoded in JSON. */
export const LAMBDA_MAX_BODY = 69_905_067;

export function createLambdaService(_deps: ServiceDeps): { service: ServiceDefinition } {
  return {
    service: {
      signingName: "lambda",
      protocol: "rest-json",
      maxBodyBytes: LAMBDA_MAX_BODY,
      handle: (req, ctx) => {
        const path = req.rawPath.replace(/\/+$/, "");
        if (req.method === "GET" && path === "/2015-03-31/functions") {
          ctx.operation = "ListFunctions";
          ctx.authorize("lambda:ListFunctions", "*");
          return jsonResponse(200, { Functions: [] });
        }
        throw new AwsError("UnknownOperationException", 404, `Unknown operation ${req.method} ${req.rawPath}`);
      },
      renderError: (err) => renderRestJsonError(err),
      accessDenied: (p, a, r, d) => new AwsError("AccessDeniedException", 403, denialMessage(p, a, r, d)),
    },
  };
}
