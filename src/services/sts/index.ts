// STS as a service model: GetCallerIdentity here, AssumeRole and GetSessionToken from IAM (which
// owns roles and keys). The query codec binds it to the wire (bindQueryService, in app.ts).
import type { GetCallerIdentityCommandOutput } from "@aws-sdk/client-sts";
import { AwsError } from "../../core/aws-error.ts";
import { denialMessage } from "../../core/authorization.ts";
import type { Operation, QueryServiceModel } from "../../core/service-model.ts";

export const STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";

/** Operations other services add (AssumeRole, GetSessionToken live with IAM, which owns roles and keys). */
export type StsOperations = Record<string, Operation>;

const getCallerIdentity: Operation = (_input, ctx): Omit<GetCallerIdentityCommandOutput, "$metadata"> => {
  // No IAM permission is needed (STS API reference), but a VPC endpoint's policy can still refuse it.
  ctx.authorize("sts:GetCallerIdentity", "*", { endpointPolicyOnly: true });
  return { UserId: ctx.principal.userId, Account: ctx.principal.accountId, Arn: ctx.principal.arn };
};

export function createStsModel(extra: StsOperations = {}): QueryServiceModel {
  return {
    signingName: "sts",
    protocol: "query",
    version: "2011-06-15",
    xmlns: STS_XMLNS,
    maxBodyBytes: 1024 * 1024,
    operations: { GetCallerIdentity: getCallerIdentity, ...extra },
    accessDenied: (principalArn, action, resource, d) => new AwsError("AccessDenied", 403, denialMessage(principalArn, action, resource, d)),
  };
}
