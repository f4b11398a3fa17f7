// IAM instance profiles: a container for one role (EC2 instances take roles through them;
// CloudFormation's AWS::IAM::InstanceProfile makes them). A role in a profile cannot be deleted.
import { dict, type Dict } from "../../core/dict.ts";
import { iamUniqueId } from "../../core/ids.ts";
import type { IamEnv } from "./env.ts";
import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchEntity } from "./errors.ts";
import { NAME, PATH, PATH_PREFIX, ROLE_NAME, optString, reqString, tagList } from "./input.ts";
import { authorizeIam, tagContext, type Ops } from "./operation.ts";
import { paginate } from "./pagination.ts";
import { instanceProfileShape } from "./render.ts";
import { instanceProfileArn, key, type IamState, type InstanceProfileRec, type RoleRec } from "./state.ts";
import { findRole, roleResource } from "./roles.ts";

/** AWS's quota InstanceSessionsPerInstanceProfile. */
const ROLES_PER_PROFILE = 1;

function profiles(state: IamState): Dict<InstanceProfileRec> {
  return (state.instanceProfiles ??= dict());
}

function findProfile(state: IamState, name: string): InstanceProfileRec {
  const p = profiles(state)[key(name)];
  if (!p) throw noSuchEntity(`Instance Profile ${name} cannot be found.`);
  return p;
}

function profileResource(accountId: string, state: IamState, name: string): string {
  return profiles(state)[key(name)]?.arn ?? instanceProfileArn(accountId, "/", name);
}

function rolesOf(state: IamState, p: InstanceProfileRec): RoleRec[] {
  return p.roles.map((n) => state.roles[key(n)]).filter((r): r is RoleRec => r !== undefined);
}

/** Whether a role is in any instance profile (DeleteRole refuses then). */
export function roleInInstanceProfile(state: IamState, roleName: string): boolean {
  return Object.values(profiles(state)).some((p) => p.roles.some((r) => key(r) === key(roleName)));
}

export function instanceProfileOperations(env: IamEnv): Ops {
  return {
    CreateInstanceProfile: (params, ctx) => {
      const name = reqString(params, "InstanceProfileName", NAME);
      const path = optString(params, "Path", PATH) ?? "/";
      const tags = tagList(params);
      const arn = instanceProfileArn(ctx.accountId, path, name);
      authorizeIam(ctx, "CreateInstanceProfile", arn, tagContext(tags, {}));
      const state = env.state(ctx.accountId);
      if (profiles(state)[key(name)]) throw entityAlreadyExists(`Instance Profile ${name} already exists.`);
      const p: InstanceProfileRec = { name, id: iamUniqueId("AIPA"), path, arn, created: env.now(), roles: [], tags };
      profiles(state)[key(name)] = p;
      return { InstanceProfile: instanceProfileShape(p, [], tags.length > 0) };
    },

    GetInstanceProfile: (params, ctx) => {
      const name = reqString(params, "InstanceProfileName", NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "GetInstanceProfile", profileResource(ctx.accountId, state, name));
      const p = findProfile(state, name);
      return { InstanceProfile: instanceProfileShape(p, rolesOf(state, p), true) };
    },

    ListInstanceProfiles: (params, ctx) => {
      const prefix = optString(params, "PathPrefix", PATH_PREFIX) ?? "/";
      authorizeIam(ctx, "ListInstanceProfiles", `arn:aws:iam::${ctx.accountId}:instance-profile${prefix}`);
      const state = env.state(ctx.accountId);
      const page = paginate(Object.values(profiles(state)).filter((p) => p.path.startsWith(prefix)), (p) => key(p.name), params);
      return { InstanceProfiles: page.items.map((p) => instanceProfileShape(p, rolesOf(state, p), false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    ListInstanceProfilesForRole: (params, ctx) => {
      const roleName = reqString(params, "RoleName", ROLE_NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "ListInstanceProfilesForRole", roleResource(ctx, state, roleName));
      findRole(state, roleName);
      const mine = Object.values(profiles(state)).filter((p) => p.roles.some((r) => key(r) === key(roleName)));
      const page = paginate(mine, (p) => key(p.name), params);
      return { InstanceProfiles: page.items.map((p) => instanceProfileShape(p, rolesOf(state, p), false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    DeleteInstanceProfile: (params, ctx) => {
      const name = reqString(params, "InstanceProfileName", NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "DeleteInstanceProfile", profileResource(ctx.accountId, state, name));
      const p = findProfile(state, name);
      if (p.roles.length > 0) throw deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
      delete profiles(state)[key(p.name)];
      return undefined;
    },

    AddRoleToInstanceProfile: (params, ctx) => {
      const name = reqString(params, "InstanceProfileName", NAME);
      const roleName = reqString(params, "RoleName", ROLE_NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "AddRoleToInstanceProfile", profileResource(ctx.accountId, state, name));
      const p = findProfile(state, name);
      const role = findRole(state, roleName);
      // The role already there counts as the one more it would be (AWS answers the quota for both).
      if (p.roles.length >= ROLES_PER_PROFILE || p.roles.some((r) => key(r) === key(role.name))) {
        throw limitExceeded(`Cannot exceed quota for InstanceSessionsPerInstanceProfile: ${ROLES_PER_PROFILE}`);
      }
      p.roles.push(role.name);
      return undefined;
    },

    RemoveRoleFromInstanceProfile: (params, ctx) => {
      const name = reqString(params, "InstanceProfileName", NAME);
      const roleName = reqString(params, "RoleName", ROLE_NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "RemoveRoleFromInstanceProfile", profileResource(ctx.accountId, state, name));
      const p = findProfile(state, name);
      if (!p.roles.some((r) => key(r) === key(roleName))) throw noSuchEntity(`The role with name ${roleName} cannot be found.`); // unverified wording
      p.roles = p.roles.filter((r) => key(r) !== key(roleName));
      return undefined;
    },
  };
}
