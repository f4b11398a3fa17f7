import { AwsError } from "../../core/aws-error.ts";
import { denialMessage } from "../../core/authorization.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import type { ServiceDefinition } from "../../core/service-definition.ts";
import { queryDispatcher, type QueryOperation } from "../../protocol/query/dispatch.ts";
import { renderQueryError } from "../../protocol/query/codec.ts";

export const STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";

/** Operations other services add (AssumeRole, GetSessionToken live with IAM, which owns roles and keys). */
export type StsOperations = Record<string, QueryOperation<OperationContext>>;

const getCallerIdentity: QueryOperation<OperationContext> = (_params, ctx) => ({
  UserId: ctx.principal.userId,
  Account: ctx.principal.accountId,
  Arn: ctx.principal.arn,
});

export function createStsService(extra: StsOperations = {}): ServiceDefinition {
  const dispatch = queryDispatcher<OperationContext>({
    protocol: "query",
    version: "2011-06-15",
    xmlns: STS_XMLNS,
    operations: { GetCallerIdentity: getCallerIdentity, ...extra },
  });
  return {
    signingName: "sts",
    protocol: "query",
    maxBodyBytes: 1024 * 1024,
    handle: dispatch,
    renderError: (err, requestId) => renderQueryError(err, STS_XMLNS, requestId),
    accessDenied: (principalArn, action, resource, d) => new AwsError("AccessDenied", 403, denialMessage(principalArn, action, resource, d)),
  };
}
