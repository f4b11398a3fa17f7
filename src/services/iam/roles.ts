// IAM roles: trust policy, maximum session duration, description, tags and permissions boundary.
import { dict } from "../../core/dict.ts";
import { iamUniqueId } from "../../core/ids.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import type { IamEnv } from "./env.ts";
import { deleteConflict, entityAlreadyExists, malformedPolicy, noSuchRole } from "./errors.ts";
import { ARN, DESCRIPTION, PATH, PATH_PREFIX, POLICY_DOCUMENT, ROLE_NAME, optInt, optString, reqString, stringList, tagList, TAG_KEY } from "./input.ts";
import { authorizeIam, resourceTagContext, tagContext, type Ops } from "./operation.ts";
import { paginate } from "./pagination.ts";
import { checkTrustSize } from "./policy-cache.ts";
import { roleShape } from "./render.ts";
import { key, roleArn, type IamState, type RoleRec } from "./state.ts";
import { boundaryArn, mergeTags } from "./users.ts";
import { roleInInstanceProfile } from "./instance-profiles.ts";

export const DEFAULT_MAX_SESSION = 3600;

export function findRole(state: IamState, name: string): RoleRec {
  const r = state.roles[key(name)];
  if (!r) throw noSuchRole(name);
  return r;
}

export function roleResource(ctx: OperationContext, state: IamState, name: string): string {
  return state.roles[key(name)]?.arn ?? roleArn(ctx.accountId, "/", name);
}

/** The id a trust policy is compiled under (it names the role in explain output and the decision log). */
export function trustId(role: { name: string }): string {
  return `role/${role.name}/trust`;
}

/** Size and grammar are checked after authorization, as AWS does (model constraints come first). */
function checkTrust(env: IamEnv, doc: string, roleName: string): string {
  checkTrustSize(doc);
  // Trust policies have their own texts (AWS-validated: LocalStack's test_update_assume_role_policy_errors).
  let parsed: unknown;
  try {
    parsed = JSON.parse(doc);
  } catch {
    throw malformedPolicy("This policy contains invalid Json");
  }
  env.policies.validate(doc, "trust", trustId({ name: roleName }));
  if (trustActions(parsed).some((a) => a !== "*" && !a.toLowerCase().startsWith("sts:"))) {
    throw malformedPolicy("AssumeRole policy may only specify STS AssumeRole actions.");
  }
  return doc;
}

/** Every Action (and NotAction) a validated trust policy names. */
function trustActions(doc: unknown): string[] {
  const st = (doc as { Statement?: unknown }).Statement;
  const statements = (Array.isArray(st) ? st : [st]) as Record<string, unknown>[];
  return statements.flatMap((s) => [s?.Action, s?.NotAction].flatMap((a) => (Array.isArray(a) ? a : a === undefined ? [] : [a]))).map(String);
}

export function roleOperations(env: IamEnv): Ops {
  return {
    CreateRole: (params, ctx) => {
      const name = reqString(params, "RoleName", ROLE_NAME);
      const path = optString(params, "Path", PATH) ?? "/";
      const description = optString(params, "Description", DESCRIPTION);
      const maxSession = optInt(params, "MaxSessionDuration", 3600, 43200) ?? DEFAULT_MAX_SESSION;
      const boundary = optString(params, "PermissionsBoundary", ARN);
      const tags = tagList(params);
      const trustText = reqString(params, "AssumeRolePolicyDocument", POLICY_DOCUMENT);
      const arn = roleArn(ctx.accountId, path, name);
      authorizeIam(ctx, "CreateRole", arn, tagContext(tags, boundary ? { "iam:PermissionsBoundary": boundary } : {}));
      const trust = checkTrust(env, trustText, name);
      const state = env.state(ctx.accountId);
      if (state.roles[key(name)]) throw entityAlreadyExists(`Role with name ${name} already exists.`);
      const role: RoleRec = {
        name,
        id: iamUniqueId("AROA"),
        path,
        arn,
        created: env.now(),
        trust,
        maxSessionDuration: maxSession,
        tags,
        inline: dict(),
        attached: [],
        ...(description !== undefined ? { description } : {}),
        ...(boundary ? { boundary: boundaryArn(env, ctx.accountId, boundary) } : {}),
      };
      state.roles[key(name)] = role;
      // AWS leaves MaxSessionDuration out of CreateRole's answer by default; one given is echoed (unverified: no recording has one)
      const shown = roleShape(role, true, true);
      return { Role: params.MaxSessionDuration !== undefined ? { ...shown, MaxSessionDuration: maxSession } : shown };
    },

    GetRole: (params, ctx) => {
      const name = reqString(params, "RoleName", ROLE_NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "GetRole", roleResource(ctx, state, name));
      return { Role: roleShape(findRole(state, name), true) };
    },

    ListRoles: (params, ctx) => {
      const prefix = optString(params, "PathPrefix", PATH_PREFIX) ?? "/";
      authorizeIam(ctx, "ListRoles", `arn:aws:iam::${ctx.accountId}:role${prefix}`);
      const state = env.state(ctx.accountId);
      const page = paginate(Object.values(state.roles).filter((r) => r.path.startsWith(prefix)), (r) => key(r.name), params);
      return { Roles: page.items.map((r) => roleShape(r, false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    UpdateRole: (params, ctx) => {
      const name = reqString(params, "RoleName", ROLE_NAME);
      const description = optString(params, "Description", DESCRIPTION);
      const maxSession = optInt(params, "MaxSessionDuration", 3600, 43200);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "UpdateRole", roleResource(ctx, state, name));
      const role = findRole(state, name);
      if (description !== undefined) role.description = description;
      if (maxSession !== undefined) role.maxSessionDuration = maxSession;
      return {};
    },

    UpdateRoleDescription: (params, ctx) => {
      const name = reqString(params, "RoleName", ROLE_NAME);
      const description = reqString(params, "Description", DESCRIPTION);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "UpdateRoleDescription", roleResource(ctx, state, name));
      const role = findRole(state, name);
      role.description = description;
      return { Role: roleShape(role, true, true) };
    },

    UpdateAssumeRolePolicy: (params, ctx) => {
      const name = reqString(params, "RoleName", ROLE_NAME);
      const trustText = reqString(params, "PolicyDocument", POLICY_DOCUMENT);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "UpdateAssumeRolePolicy", roleResource(ctx, state, name));
      const role = findRole(state, name);
      role.trust = checkTrust(env, trustText, role.name);
      return undefined;
    },

    DeleteRole: (params, ctx) => {
      const name = reqString(params, "RoleName", ROLE_NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "DeleteRole", roleResource(ctx, state, name));
      const role = findRole(state, name);
      if (role.attached.length > 0) throw deleteConflict("Cannot delete entity, must detach all policies first.");
      if (Object.keys(role.inline).length > 0) throw deleteConflict("Cannot delete entity, must delete policies first.");
      if (roleInInstanceProfile(state, role.name)) throw deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
      delete state.roles[key(role.name)];
      return undefined;
    },

    TagRole: (params, ctx) => {
      const name = reqString(params, "RoleName", ROLE_NAME);
      const tags = tagList(params);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "TagRole", roleResource(ctx, state, name), tagContext(tags, resourceTagContext(state.roles[key(name)]?.tags ?? [])));
      const role = findRole(state, name);
      role.tags = mergeTags(role.tags, tags, "TagsPerRole");
      return undefined;
    },

    UntagRole: (params, ctx) => {
      const name = reqString(params, "RoleName", ROLE_NAME);
      const keys = stringList(params, "TagKeys", TAG_KEY);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "UntagRole", roleResource(ctx, state, name), keys.length ? { "aws:TagKeys": keys } : undefined);
      const role = findRole(state, name);
      role.tags = role.tags.filter((t) => !keys.includes(t.Key));
      return undefined;
    },

    ListRoleTags: (params, ctx) => {
      const name = reqString(params, "RoleName", ROLE_NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "ListRoleTags", roleResource(ctx, state, name));
      const role = findRole(state, name);
      const page = paginate(role.tags, (t) => t.Key, params);
      return { Tags: page.items.map((t) => ({ Key: t.Key, Value: t.Value })), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    PutRolePermissionsBoundary: (params, ctx) => {
      const name = reqString(params, "RoleName", ROLE_NAME);
      const arn = reqString(params, "PermissionsBoundary", ARN);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "PutRolePermissionsBoundary", roleResource(ctx, state, name), { "iam:PermissionsBoundary": arn });
      const role = findRole(state, name);
      role.boundary = boundaryArn(env, ctx.accountId, arn);
      return undefined;
    },

    DeleteRolePermissionsBoundary: (params, ctx) => {
      const name = reqString(params, "RoleName", ROLE_NAME);
      const state = env.state(ctx.accountId);
      const existing = state.roles[key(name)];
      authorizeIam(ctx, "DeleteRolePermissionsBoundary", roleResource(ctx, state, name), existing?.boundary ? { "iam:PermissionsBoundary": existing.boundary } : undefined);
      delete findRole(state, name).boundary;
      return undefined;
    },
  };
}
