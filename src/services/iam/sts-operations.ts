// STS operations that need IAM's roles and keys: AssumeRole and GetSessionToken. The trust policy
// is evaluated by the same engine as every request, as the role's resource policy, together with
// the caller's own policies (IAM UG "Cross-account policy evaluation logic").
import { AwsError } from "../../core/aws-error.ts";
import { isRoot, type Principal } from "../../core/principal.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import { evaluate, type CompiledPolicy, type EvaluationResult } from "../../iam-policy/index.ts";
import { str, sub } from "../../core/input-tree.ts";
import { ROOT_IDENTITY, type IamAuthorizer } from "./authorizer.ts";
import type { CredentialStore } from "./credentials.ts";
import { sessionArn } from "./credentials.ts";
import { resolveManaged, type IamEnv } from "./env.ts";
import { asMalformed, constraintError, validationError } from "./errors.ts";
import { ARN, checkString, optInt, optString, reqString, structList, type StringShape } from "./input.ts";
import type { Ops } from "./operation.ts";
import type { PrincipalPolicies } from "./principal-policies.ts";
import { policySize } from "./policy-cache.ts";
import { requestContext, type Context } from "./request-context.ts";
import { trustId } from "./roles.ts";
import { isoDate, key, type RoleRec, type SessionRec } from "./state.ts";

const SESSION_NAME: StringShape = { min: 2, max: 64, pattern: /^[\w+=,.@-]*$/, patternText: "[\\w+=,.@-]*" };
const SESSION_POLICY: StringShape = { min: 1, max: 2048, pattern: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/, patternText: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" };
const EXTERNAL_ID: StringShape = { min: 2, max: 1224, pattern: /^[\w+=,.@:/-]*$/, patternText: "[\\w+=,.@:\\/-]*" };
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role(\/(?:[^/]+\/)*)([\w+=,.@-]+)$/;
const ROLE_CHAINING_MAX = 3600;

export function parseRoleArn(arn: string): { account: string; path: string; name: string } | undefined {
  const m = ROLE_ARN.exec(arn);
  return m ? { account: m[1], path: m[2], name: m[3] } : undefined;
}

/** The role an ARN names, if it exists with that path. */
export function findRoleByArn(env: IamEnv, arn: string): { account: string; role: RoleRec } | undefined {
  const p = parseRoleArn(arn);
  if (!p) return undefined;
  const role = env.state(p.account).roles[key(p.name)];
  return role && role.arn === arn ? { account: p.account, role } : undefined;
}

function credentialsShape(s: SessionRec) {
  return { AccessKeyId: s.id, SecretAccessKey: s.secret, SessionToken: s.token, Expiration: isoDate(s.expiresAt) };
}

export interface StsDeps {
  env: IamEnv;
  bundles: PrincipalPolicies;
  authorizer: IamAuthorizer;
  credentials: CredentialStore;
}

/**
 * Whether `caller` may assume the role: the trust policy must allow (a matching trust Allow is
 * required, whoever calls), and the caller's identity side must allow too unless the trust policy
 * names the caller itself in the same account. The account root's identity side allows everything.
 */
export function evaluateAssumeRole(d: StsDeps, caller: Principal, roleArnText: string, role: RoleRec | undefined, roleAccount: string | undefined, context: Context): EvaluationResult {
  const deny: EvaluationResult = { decision: "ImplicitDeny", deniedBy: "resource-based policy", matched: [], missingContextKeys: [] };
  if (!role || roleAccount === undefined) return deny;
  let identity: CompiledPolicy[];
  let boundary: CompiledPolicy[] | undefined;
  let session: CompiledPolicy[] | undefined;
  if (isRoot(caller)) identity = ROOT_IDENTITY(d.env);
  else {
    const b = d.bundles.forPrincipal(caller);
    if (!b) return { ...deny, deniedBy: "identity-based policy" };
    identity = b.identity;
    boundary = b.boundary;
    session = b.session;
  }
  const trust = d.env.policies.get(role.trust, "trust", trustId(role));
  const r = evaluate({
    request: { action: "sts:AssumeRole", resource: roleArnText, principalArn: caller.arn, principalAccount: caller.accountId, context },
    identityPolicies: identity,
    boundaryPolicies: boundary,
    sessionPolicies: session,
    resourcePolicy: trust,
    sameAccount: caller.accountId === roleAccount,
  });
  // A role can only be assumed by those its trust policy names; an identity Allow alone is not enough.
  if (r.decision === "Allowed" && !r.matched.some((m) => m.policyType === "trust")) return { ...deny, matched: r.matched, missingContextKeys: r.missingContextKeys };
  return r;
}

export function stsOperations(d: StsDeps): Ops {
  const { env, credentials } = d;

  const denied = (ctx: OperationContext, roleArnText: string) =>
    new AwsError("AccessDenied", 403, `User: ${ctx.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArnText}`);

  return {
    AssumeRole: (params, ctx) => {
      const roleArnText = reqString(params, "RoleArn", ARN);
      const sessionName = reqString(params, "RoleSessionName", SESSION_NAME);
      const duration = optInt(params, "DurationSeconds", 900, 43200);
      const externalId = optString(params, "ExternalId", EXTERNAL_ID);
      const policyText = optString(params, "Policy", SESSION_POLICY);
      const policyArns = structList(params, "PolicyArns").map((n, i) => {
        const a = str(sub(n, "arn"));
        if (a === undefined) throw constraintError(undefined, `policyArns.${i + 1}.member.arn`, "Member must not be null");
        return checkString(a, ARN, `policyArns.${i + 1}.member.arn`);
      });
      if (policyArns.length > 10) throw constraintError(undefined, "policyArns", "Member must have length less than or equal to 10");
      const parsed = parseRoleArn(roleArnText);
      if (!parsed) throw validationError(`${roleArnText} is invalid`); // unverified wording

      // Session policies are checked before the trust decision: a malformed one is the caller's error either way.
      const sessionPolicies: string[] = [];
      if (policyText !== undefined) {
        try {
          env.policies.get(policyText, "session", "session/1");
        } catch (e) {
          asMalformed(e);
        }
        sessionPolicies.push(policyText);
      }
      for (const arn of policyArns) {
        const m = resolveManaged(env, parsed.account, arn);
        if (!m) throw validationError(`Policy ${arn} does not exist or is not attachable.`); // unverified wording
        sessionPolicies.push(m.document);
      }

      const found = findRoleByArn(env, roleArnText);
      const caller = ctx.principal;
      const bundle = isRoot(caller) ? undefined : d.bundles.forPrincipal(caller);
      const extra: Context = { "sts:RoleSessionName": sessionName };
      if (externalId !== undefined) extra["sts:ExternalId"] = externalId;
      const base = bundle ? bundle.base : { "aws:PrincipalArn": caller.arn, "aws:PrincipalAccount": caller.accountId, "aws:PrincipalType": caller.type, "aws:userid": caller.userId };
      const context = requestContext(base, { sourceIp: ctx.sourceIp, region: ctx.region, secureTransport: false, now: env.now() }, extra);
      const result = evaluateAssumeRole(d, caller, roleArnText, found?.role, found?.account, context);
      const decision = d.authorizer.conclude(env.now(), caller.arn, "sts:AssumeRole", roleArnText, context, result);
      if (!decision.allowed || !found) throw denied(ctx, roleArnText);

      const role = found.role;
      let seconds = duration ?? 3600;
      if (caller.type === "AssumedRole" && seconds > ROLE_CHAINING_MAX) {
        throw validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
      }
      if (seconds > role.maxSessionDuration) throw validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
      const s = issueRoleSession(d, found.account, role, sessionName, seconds, sessionPolicies, undefined);
      role.lastUsed = { at: env.now(), region: ctx.region };
      const packed = sessionPolicies.length
        ? Math.max(1, Math.ceil((sessionPolicies.reduce((n, doc) => n + policySize(doc), 0) / 2048) * 100))
        : undefined;
      return {
        Credentials: credentialsShape(s),
        AssumedRoleUser: { AssumedRoleId: `${role.id}:${sessionName}`, Arn: sessionArn(found.account, role.name, sessionName) },
        PackedPolicySize: packed,
      };
    },

    GetSessionToken: (params, ctx) => {
      const caller = ctx.principal;
      const root = isRoot(caller);
      // Root sessions last at most an hour (IAM UG "Requesting temporary security credentials").
      const duration = optInt(params, "DurationSeconds", 900, 129600) ?? (root ? 3600 : 43200);
      if (caller.type !== "User" && !root) throw new AwsError("AccessDenied", 403, "Cannot call GetSessionToken with session credentials");
      if (caller.accessKeyId.startsWith("ASIA")) throw new AwsError("AccessDenied", 403, "Cannot call GetSessionToken with session credentials");
      const seconds = root ? Math.min(duration, 3600) : duration;
      let s: SessionRec;
      if (root) s = credentials.issue(caller.accountId, { kind: "root", policies: [] }, seconds);
      else {
        const user = env.state(caller.accountId).users[key(caller.username ?? "")];
        if (!user) throw new AwsError("AccessDenied", 403, `User: ${caller.arn} is not authorized to perform: sts:GetSessionToken`); // unverified wording
        s = credentials.issue(caller.accountId, { kind: "user", userName: user.name, userId: user.id, policies: [] }, seconds);
      }
      return { Credentials: credentialsShape(s) };
    },
  };
}

export function issueRoleSession(d: StsDeps, account: string, role: RoleRec, sessionName: string, seconds: number, policies: string[], sourceFunctionArn: string | undefined): SessionRec {
  return d.credentials.issue(
    account,
    {
      kind: "role",
      roleName: role.name,
      roleId: role.id,
      sessionName,
      policies,
      ...(sourceFunctionArn !== undefined ? { sourceFunctionArn } : {}),
    },
    seconds,
  );
}
