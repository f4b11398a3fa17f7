// Placeholder until the IAM service lands: it answers every action with InvalidAction.
import { AwsError } from "../../core/aws-error.ts";
import { allowAllAuthorizer, denialMessage, type Authorizer } from "../../core/authorization.ts";
import type { CredentialResolver } from "../../core/principal.ts";
import type { ServiceDefinition } from "../../gateway/service-definition.ts";
import { renderQueryError } from "../../protocol/query/codec.ts";
import { queryDispatcher, type QueryOperation } from "../../protocol/query/dispatch.ts";
import type { OperationContext } from "../../gateway/service-definition.ts";
import type { ServiceDeps } from "../service-deps.ts";
import type { AdminRouter } from "../../gateway/admin-router.ts";

export const IAM_XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/";

export interface IamModule {
  service: ServiceDefinition;
  /** The authorizer every service's requests go through. */
  authorizer: Authorizer;
  /** Access keys of IAM users and STS sessions, for the gateway. */
  credentialResolver: CredentialResolver;
  /** STS operations that need IAM's roles and keys (AssumeRole, GetSessionToken). */
  stsOperations: Record<string, QueryOperation<OperationContext>>;
  /** hyperlocal's own admin routes for IAM, e.g. GET /_hyperlocal/iam/decisions. */
  registerAdminRoutes(admin: AdminRouter): void;
}

export function createIamService(_deps: ServiceDeps): IamModule {
  const dispatch = queryDispatcher({ protocol: "query", version: "2010-05-08", xmlns: IAM_XMLNS, operations: {} });
  return {
    service: {
      signingName: "iam",
      protocol: "query",
      maxBodyBytes: 1024 * 1024,
      handle: dispatch,
      renderError: (e, id) => renderQueryError(e, IAM_XMLNS, id),
      accessDenied: (p, a, r, d) => new AwsError("AccessDenied", 403, denialMessage(p, a, r, d)),
    },
    authorizer: allowAllAuthorizer,
    credentialResolver: () => undefined,
    stsOperations: {},
    registerAdminRoutes: () => {},
  };
}
