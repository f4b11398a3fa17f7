// For unit tests that call an operation directly: the context of an account's root, made by
// operationContext() as the gateway makes one, with every decision allowed (allowAllAuthorizer).
import { allowAllAuthorizer } from "./authorization.ts";
import { AwsError } from "./aws-error.ts";
import type { Clock } from "./clock.ts";
import { operationContext, type OperationContext } from "./operation-context.ts";
import { rootPrincipal } from "./principal.ts";

export function rootTestContext(accountId: string, region: string, clock: Clock, requestId = "req-1"): OperationContext {
  return operationContext({
    requestId,
    region,
    principal: rootPrincipal(accountId, "AKIATEST"),
    sourceIp: "127.0.0.1",
    clock,
    authorizer: () => allowAllAuthorizer,
    service: { accessDenied: (arn, action) => new AwsError("AccessDenied", 403, `${arn} may not ${action}`) }, // never reached: all is allowed
    secureTransport: false,
  });
}
