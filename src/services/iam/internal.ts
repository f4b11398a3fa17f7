// What other services (Lambda) may ask IAM directly, without a caller's request: the execution
// role, whether a service may assume it, sessions for function code, and checks of the role's own
// permissions the way Lambda itself uses the role (no session policies, no lambda:SourceFunctionArn).
import type { AuthDecision } from "../../core/authorization.ts";
import { evaluate } from "../../iam-policy/index.ts";
import type { IamAuthorizer } from "./authorizer.ts";
import { rolePrincipal } from "./credentials.ts";
import type { IamEnv } from "./env.ts";
import { noSuchEntity } from "./errors.ts";
import { checkString } from "./input.ts";
import type { PrincipalPolicies } from "./principal-policies.ts";
import { principalContext, requestContext } from "./request-context.ts";
import { trustId } from "./roles.ts";
import { findRoleByArn, issueRoleSession, type StsDeps } from "./sts-operations.ts";

export interface IamInternal {
  getRole(account: string, roleArn: string): { arn: string; roleName: string; roleId: string; trustPolicy: string; maxSessionDuration: number } | undefined;
  /** Does the role's trust policy let this service principal (e.g. "lambda.amazonaws.com") call sts:AssumeRole? */
  roleTrustsService(account: string, roleArn: string, service: string): boolean;
  /** Temporary credentials of a role session, as STS AssumeRole would give them; sourceFunctionArn is attached to the principal (lambda:SourceFunctionArn on every call made with these keys). */
  createRoleSession(
    account: string,
    roleArn: string,
    sessionName: string,
    opts: { durationSec?: number; sourceFunctionArn?: string },
  ): { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: number };
  /** Evaluate the role's own identity policies (and boundary) for an action, as a session of the role without session policies and without lambda:SourceFunctionArn — this is how Lambda itself checks and uses the execution role for ENIs. */
  simulateRole(account: string, roleArn: string, action: string, resource: string, context?: Record<string, string | string[]>): AuthDecision;
}

// Lambda names the session after the function, which may be a single character: only the pattern and length cap apply.
const SESSION_NAME = { min: 1, max: 64, pattern: /^[\w+=,.@-]*$/, patternText: "[\\w+=,.@-]*" };

export function createInternal(env: IamEnv, bundles: PrincipalPolicies, authorizer: IamAuthorizer, sts: StsDeps): IamInternal {
  const roleIn = (account: string, roleArn: string) => {
    const found = findRoleByArn(env, roleArn);
    return found && found.account === account ? found.role : undefined;
  };

  return {
    getRole(account, roleArn) {
      const role = roleIn(account, roleArn);
      return role ? { arn: role.arn, roleName: role.name, roleId: role.id, trustPolicy: role.trust, maxSessionDuration: role.maxSessionDuration } : undefined;
    },

    roleTrustsService(account, roleArn, service) {
      const role = roleIn(account, roleArn);
      if (!role) return false;
      const trust = env.policies.get(role.trust, "trust", trustId(role));
      const r = evaluate({
        request: { action: "sts:AssumeRole", resource: role.arn, principalArn: service, principalService: service, context: {} },
        identityPolicies: [],
        resourcePolicy: trust,
        sameAccount: true,
      });
      return r.decision === "Allowed" && r.matched.some((m) => m.policyType === "trust");
    },

    createRoleSession(account, roleArn, sessionName, opts) {
      const role = roleIn(account, roleArn);
      if (!role) throw noSuchEntity(`The role with name ${roleArn.slice(roleArn.lastIndexOf("/") + 1)} cannot be found.`);
      checkString(sessionName, SESSION_NAME, "roleSessionName");
      const s = issueRoleSession(sts, account, role, sessionName, opts.durationSec ?? 3600, [], opts.sourceFunctionArn);
      return { accessKeyId: s.id, secretAccessKey: s.secret, sessionToken: s.token, expiration: s.expiresAt };
    },

    simulateRole(account, roleArn, action, resource, context) {
      const role = roleIn(account, roleArn);
      const now = env.now();
      if (!role) {
        return authorizer.conclude(now, roleArn, action, resource, context, { decision: "ImplicitDeny", deniedBy: "identity-based policy", matched: [], missingContextKeys: [] });
      }
      const { identity, boundary } = bundles.rolePolicies(account, role);
      const principal = rolePrincipal(account, role, "hyperlocal-lambda", "INTERNAL");
      const ctx = requestContext(principalContext(principal), { region: env.config.region, secureTransport: true, now }, context);
      const r = evaluate({
        request: { action, resource, principalArn: principal.arn, principalAccount: account, context: ctx },
        identityPolicies: identity,
        boundaryPolicies: boundary,
      });
      return authorizer.conclude(now, role.arn, action, resource, ctx, r);
    },
  };
}
