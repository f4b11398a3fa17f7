// The IAM service: its query API, the authorizer every request goes through, the credentials the
// gateway verifies, STS's AssumeRole/GetSessionToken, and the internal API other services use.
import { AwsError } from "../../core/aws-error.ts";
import { denialMessage, type Authorizer } from "../../core/authorization.ts";
import type { CredentialResolver } from "../../core/principal.ts";
import { adminCount, isAdminResponse, type AdminRoutes } from "../../core/admin.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import type { Operation, QueryServiceModel } from "../../core/service-model.ts";
import type { ServiceDeps } from "../service-deps.ts";
import { accessKeyOperations } from "./access-keys.ts";
import { accountDetailsOperations } from "./account-details.ts";
import { IamAuthorizer } from "./authorizer.ts";
import { CredentialStore } from "./credentials.ts";
import { IamEnv } from "./env.ts";
import { groupOperations } from "./groups.ts";
import { inlinePolicyOperations } from "./inline-policies.ts";
import { instanceProfileOperations } from "./instance-profiles.ts";
import { createInternal, type IamInternal } from "./internal.ts";
import type { Ops } from "./operation.ts";
import { policyOperations } from "./policies.ts";
import { policyVersionOperations } from "./policy-versions.ts";
import { PrincipalPolicies } from "./principal-policies.ts";
import { roleOperations } from "./roles.ts";
import { simulateOperations } from "./simulate.ts";
import { stsOperations, type StsDeps } from "./sts-operations.ts";
import { userOperations } from "./users.ts";

export type { IamInternal } from "./internal.ts";

export const IAM_XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/";

export interface IamModule {
  /** The query API, which the codec binds to the wire (bindQueryService, in app.ts). */
  model: QueryServiceModel;
  /** The authorizer every service's requests go through. */
  authorizer: Authorizer;
  /** Access keys of IAM users and STS sessions, for the gateway. */
  credentialResolver: CredentialResolver;
  /** STS operations that need IAM's roles and keys (AssumeRole, GetSessionToken). */
  stsOperations: Record<string, Operation>;
  /** hyperlocal's own admin routes for IAM, e.g. GET /_hyperlocal/iam/decisions. */
  registerAdminRoutes(admin: AdminRoutes): void;
  /** Calls other services make without a caller (Lambda's execution role). */
  internal: IamInternal;
  /** The operation handlers, for CloudFormation's providers: same validation and IAM path as the public API. */
  operations: Record<string, Operation>;
}

const READ_ONLY = /^(Get|List|Simulate)/;

/** Anything that may change IAM state moves the generation on, so cached policies and keys are rebuilt. */
function bumping(env: IamEnv, ops: Ops): Ops {
  const out: Ops = {};
  for (const [name, op] of Object.entries(ops)) {
    out[name] = READ_ONLY.test(name)
      ? op
      : async (params, ctx) => {
          try {
            return await op(params, ctx);
          } finally {
            env.bump();
          }
        };
  }
  return out;
}

export function createIamService(deps: ServiceDeps): IamModule {
  const env = new IamEnv(deps);
  const bundles = new PrincipalPolicies(env);
  const authorizer = new IamAuthorizer(env, bundles);
  const credentials = new CredentialStore(env);
  const sts: StsDeps = { env, bundles, authorizer, credentials };

  const operations = bumping(env, {
    ...userOperations(env),
    ...groupOperations(env),
    ...roleOperations(env),
    ...instanceProfileOperations(env),
    ...policyOperations(env),
    ...policyVersionOperations(env),
    ...inlinePolicyOperations(env),
    ...accessKeyOperations(env),
    ...accountDetailsOperations(env),
    ...simulateOperations(env, bundles),
  });

  const reset = () => {
    env.bump();
    env.policies.clear();
    bundles.clear();
    credentials.clear();
    authorizer.log.clear();
  };

  return {
    model: {
      signingName: "iam",
      protocol: "query",
      version: "2010-05-08",
      xmlns: IAM_XMLNS,
      maxBodyBytes: 1024 * 1024,
      operations,
      accessDenied: (p, a, r, d) => new AwsError("AccessDenied", 403, denialMessage(p, a, r, d)),
      onReset: reset,
    },
    authorizer,
    credentialResolver: credentials.resolve,
    stsOperations: stsOperations(sts),
    registerAdminRoutes(admin: AdminRoutes) {
      admin.add("GET", "iam/decisions", (req) => {
        const limit = adminCount(req.query, "limit", 1000, 1, 100_000);
        if (isAdminResponse(limit)) return limit;
        return { status: 200, body: { decisions: authorizer.log.toJson(limit) } };
      });
    },
    internal: createInternal(env, bundles, authorizer, sts),
    operations,
  };
}
