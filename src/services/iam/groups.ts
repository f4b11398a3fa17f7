// IAM groups and their membership. A user's groups are kept on the user (its policies are what
// every request reads); a group's members are found by scanning users (rare, admin-side reads).
import { dict } from "../../core/dict.ts";
import { iamUniqueId } from "../../core/ids.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import type { IamEnv } from "./env.ts";
import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchGroup } from "./errors.ts";
import { NAME, PATH, PATH_PREFIX, optString, reqString } from "./input.ts";
import { authorizeIam, type Ops } from "./operation.ts";
import { paginate } from "./pagination.ts";
import { groupShape, userShape } from "./render.ts";
import { groupArn, key, type GroupRec, type IamState, type UserRec } from "./state.ts";
import { findUser, userResource } from "./users.ts";

const GROUPS_PER_USER = 10;

export function findGroup(state: IamState, name: string): GroupRec {
  const g = state.groups[key(name)];
  if (!g) throw noSuchGroup(name);
  return g;
}

export function groupResource(ctx: OperationContext, state: IamState, name: string): string {
  return state.groups[key(name)]?.arn ?? groupArn(ctx.accountId, "/", name);
}

export function groupMembers(state: IamState, group: GroupRec): UserRec[] {
  const k = key(group.name);
  return Object.values(state.users).filter((u) => u.groups.some((g) => key(g) === k));
}

export function groupOperations(env: IamEnv): Ops {
  return {
    CreateGroup: (params, ctx) => {
      const name = reqString(params, "GroupName", NAME);
      const path = optString(params, "Path", PATH) ?? "/";
      const arn = groupArn(ctx.accountId, path, name);
      authorizeIam(ctx, "CreateGroup", arn);
      const state = env.state(ctx.accountId);
      if (state.groups[key(name)]) throw entityAlreadyExists(`Group with name ${name} already exists.`);
      const group: GroupRec = { name, id: iamUniqueId("AGPA"), path, arn, created: env.now(), inline: dict(), attached: [] };
      state.groups[key(name)] = group;
      return { Group: groupShape(group) };
    },

    GetGroup: (params, ctx) => {
      const name = reqString(params, "GroupName", NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "GetGroup", groupResource(ctx, state, name));
      const group = findGroup(state, name);
      const page = paginate(groupMembers(state, group), (u) => key(u.name), params);
      return { Group: groupShape(group), Users: page.items.map((u) => userShape(u, false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    ListGroups: (params, ctx) => {
      const prefix = optString(params, "PathPrefix", PATH_PREFIX) ?? "/";
      authorizeIam(ctx, "ListGroups", `arn:aws:iam::${ctx.accountId}:group${prefix}`);
      const state = env.state(ctx.accountId);
      const page = paginate(Object.values(state.groups).filter((g) => g.path.startsWith(prefix)), (g) => key(g.name), params);
      return { Groups: page.items.map(groupShape), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    UpdateGroup: (params, ctx) => {
      const name = reqString(params, "GroupName", NAME);
      const newName = optString(params, "NewGroupName", NAME);
      const newPath = optString(params, "NewPath", PATH);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "UpdateGroup", groupResource(ctx, state, name));
      const group = findGroup(state, name);
      if (newName !== undefined && key(newName) !== key(group.name) && state.groups[key(newName)]) {
        throw entityAlreadyExists(`Group with name ${newName} already exists.`);
      }
      const members = groupMembers(state, group);
      delete state.groups[key(group.name)];
      if (newName !== undefined) group.name = newName;
      if (newPath !== undefined) group.path = newPath;
      group.arn = groupArn(ctx.accountId, group.path, group.name);
      state.groups[key(group.name)] = group;
      for (const u of members) u.groups = u.groups.map((g) => (key(g) === key(name) ? group.name : g));
      return undefined;
    },

    DeleteGroup: (params, ctx) => {
      const name = reqString(params, "GroupName", NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "DeleteGroup", groupResource(ctx, state, name));
      const group = findGroup(state, name);
      if (groupMembers(state, group).length > 0) throw deleteConflict("Cannot delete entity, must remove users from group first.");
      if (Object.keys(group.inline).length > 0) throw deleteConflict("Cannot delete entity, must delete policies first.");
      if (group.attached.length > 0) throw deleteConflict("Cannot delete entity, must detach all policies first.");
      delete state.groups[key(group.name)];
      return undefined;
    },

    AddUserToGroup: (params, ctx) => {
      const groupName = reqString(params, "GroupName", NAME);
      const userName = reqString(params, "UserName", NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "AddUserToGroup", groupResource(ctx, state, groupName));
      const group = findGroup(state, groupName);
      const user = findUser(state, userName);
      if (user.groups.some((g) => key(g) === key(group.name))) return undefined;
      if (user.groups.length >= GROUPS_PER_USER) throw limitExceeded(`Cannot exceed quota for GroupsPerUser: ${GROUPS_PER_USER}`);
      user.groups.push(group.name);
      return undefined;
    },

    RemoveUserFromGroup: (params, ctx) => {
      const groupName = reqString(params, "GroupName", NAME);
      const userName = reqString(params, "UserName", NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "RemoveUserFromGroup", groupResource(ctx, state, groupName));
      const group = findGroup(state, groupName);
      const user = findUser(state, userName);
      const before = user.groups.length;
      user.groups = user.groups.filter((g) => key(g) !== key(group.name));
      if (user.groups.length === before) throw noSuchGroup(groupName); // unverified wording: the user is not a member
      return undefined;
    },

    ListGroupsForUser: (params, ctx) => {
      const userName = reqString(params, "UserName", NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "ListGroupsForUser", userResource(ctx, state, userName));
      const user = findUser(state, userName);
      const groups = user.groups.map((g) => state.groups[key(g)]).filter((g): g is GroupRec => g !== undefined);
      const page = paginate(groups, (g) => key(g.name), params);
      return { Groups: page.items.map(groupShape), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  };
}
