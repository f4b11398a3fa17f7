// IAM users: create, get (the caller when no name is given), list, update, delete, tags and the
// permissions boundary.
import { dict } from "../../core/dict.ts";
import { iamUniqueId } from "../../core/ids.ts";
import { isRoot } from "../../core/principal.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import { resolveManaged, type IamEnv } from "./env.ts";
import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchUser, notAttachable, validationError } from "./errors.ts";
import { ARN, PATH, PATH_PREFIX, reqString, optString, stringList, tagList, TAG_KEY, USER_NAME, NAME } from "./input.ts";
import { authorizeIam, resourceTagContext, tagContext, type Ops } from "./operation.ts";
import { paginate } from "./pagination.ts";
import { userShape } from "./render.ts";
import { isoDate, key, userArn, type IamState, type Tag, type UserRec } from "./state.ts";

export function findUser(state: IamState, name: string): UserRec {
  const u = state.users[key(name)];
  if (!u) throw noSuchUser(name);
  return u;
}

/** The ARN a user operation is authorized against: the user's own, or the name under "/" when it does not exist. */
export function userResource(ctx: OperationContext, state: IamState, name: string): string {
  return state.users[key(name)]?.arn ?? userArn(ctx.accountId, "/", name);
}

/** For operations whose UserName defaults to the caller (GetUser, CreateAccessKey, ...). */
export function callerUserName(ctx: OperationContext, given: string | undefined): string | undefined {
  if (given !== undefined) return given;
  if (ctx.principal.type === "User" && ctx.principal.username !== undefined) return ctx.principal.username;
  if (isRoot(ctx.principal)) return undefined;
  throw validationError("Must specify userName when calling with non-User credentials");
}

export function mergeTags(existing: Tag[], added: readonly Tag[], quota: string): Tag[] {
  const out = existing.map((t) => ({ ...t }));
  for (const t of added) {
    const i = out.findIndex((x) => x.Key === t.Key);
    if (i >= 0) out[i] = { ...t };
    else out.push({ ...t });
  }
  if (out.length > 50) throw limitExceeded(`Cannot exceed quota for ${quota}: 50`); // unverified wording
  return out;
}

export function boundaryArn(env: IamEnv, account: string, arn: string): string {
  if (!resolveManaged(env, account, arn)) throw notAttachable(arn);
  return arn;
}

export function userOperations(env: IamEnv): Ops {
  return {
    CreateUser: (params, ctx) => {
      const name = reqString(params, "UserName", USER_NAME);
      const path = optString(params, "Path", PATH) ?? "/";
      const boundary = optString(params, "PermissionsBoundary", ARN);
      const tags = tagList(params);
      const arn = userArn(ctx.accountId, path, name);
      authorizeIam(ctx, "CreateUser", arn, tagContext(tags, boundary ? { "iam:PermissionsBoundary": boundary } : {}));
      const state = env.state(ctx.accountId);
      if (state.users[key(name)]) throw entityAlreadyExists(`User with name ${name} already exists.`);
      const user: UserRec = {
        name,
        id: iamUniqueId("AIDA"),
        path,
        arn,
        created: env.now(),
        tags,
        inline: dict(),
        attached: [],
        groups: [],
        ...(boundary ? { boundary: boundaryArn(env, ctx.accountId, boundary) } : {}),
      };
      state.users[key(name)] = user;
      return { User: userShape(user, true) };
    },

    GetUser: (params, ctx) => {
      const given = optString(params, "UserName", NAME);
      const name = callerUserName(ctx, given);
      if (name === undefined) {
        // The root user: AWS answers with the account's id and root ARN, and no name or path.
        authorizeIam(ctx, "GetUser", ctx.principal.arn);
        // The account's creation date is not modelled: the epoch stands in for it. // unverified value
        return { User: { UserId: ctx.accountId, Arn: ctx.principal.arn, CreateDate: isoDate(0) } };
      }
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "GetUser", userResource(ctx, state, name));
      return { User: userShape(findUser(state, name), true) };
    },

    ListUsers: (params, ctx) => {
      const prefix = optString(params, "PathPrefix", PATH_PREFIX) ?? "/";
      authorizeIam(ctx, "ListUsers", `arn:aws:iam::${ctx.accountId}:user${prefix}`);
      const state = env.state(ctx.accountId);
      const users = Object.values(state.users).filter((u) => u.path.startsWith(prefix));
      const page = paginate(users, (u) => key(u.name), params);
      return { Users: page.items.map((u) => userShape(u, false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    UpdateUser: (params, ctx) => {
      const name = reqString(params, "UserName", NAME);
      const newName = optString(params, "NewUserName", USER_NAME);
      const newPath = optString(params, "NewPath", PATH);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "UpdateUser", userResource(ctx, state, name));
      const user = findUser(state, name);
      if (newName !== undefined && key(newName) !== key(user.name) && state.users[key(newName)]) {
        throw entityAlreadyExists(`User with name ${newName} already exists.`);
      }
      const oldName = user.name;
      delete state.users[key(oldName)];
      if (newName !== undefined) user.name = newName;
      if (newPath !== undefined) user.path = newPath;
      user.arn = userArn(ctx.accountId, user.path, user.name);
      state.users[key(user.name)] = user;
      for (const k of Object.values(state.accessKeys)) if (k.userName === oldName) k.userName = user.name;
      for (const s of Object.values(state.sessions)) if (s.kind === "user" && s.userName === oldName) s.userName = user.name;
      return undefined;
    },

    DeleteUser: (params, ctx) => {
      const name = reqString(params, "UserName", NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "DeleteUser", userResource(ctx, state, name));
      const user = findUser(state, name);
      if (Object.values(state.accessKeys).some((k) => k.userName === user.name)) throw deleteConflict("Cannot delete entity, must delete access keys first.");
      if (Object.keys(user.inline).length > 0) throw deleteConflict("Cannot delete entity, must delete policies first.");
      if (user.attached.length > 0) throw deleteConflict("Cannot delete entity, must detach all policies first.");
      if (user.groups.length > 0) throw deleteConflict("Cannot delete entity, must remove user from all groups first."); // unverified wording
      delete state.users[key(user.name)];
      for (const [id, s] of Object.entries(state.sessions)) if (s.kind === "user" && s.userName === user.name) delete state.sessions[id];
      return undefined;
    },

    TagUser: (params, ctx) => {
      const name = reqString(params, "UserName", NAME);
      const tags = tagList(params);
      const state = env.state(ctx.accountId);
      const existing = state.users[key(name)];
      authorizeIam(ctx, "TagUser", userResource(ctx, state, name), tagContext(tags, resourceTagContext(existing?.tags ?? [])));
      const user = findUser(state, name);
      user.tags = mergeTags(user.tags, tags, "TagsPerUser");
      return undefined;
    },

    UntagUser: (params, ctx) => {
      const name = reqString(params, "UserName", NAME);
      const keys = stringList(params, "TagKeys", TAG_KEY);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "UntagUser", userResource(ctx, state, name), keys.length ? { "aws:TagKeys": keys } : undefined);
      const user = findUser(state, name);
      user.tags = user.tags.filter((t) => !keys.includes(t.Key));
      return undefined;
    },

    ListUserTags: (params, ctx) => {
      const name = reqString(params, "UserName", NAME);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "ListUserTags", userResource(ctx, state, name));
      const user = findUser(state, name);
      const page = paginate(user.tags, (t) => t.Key, params);
      return { Tags: page.items.map((t) => ({ Key: t.Key, Value: t.Value })), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    PutUserPermissionsBoundary: (params, ctx) => {
      const name = reqString(params, "UserName", USER_NAME);
      const arn = reqString(params, "PermissionsBoundary", ARN);
      const state = env.state(ctx.accountId);
      authorizeIam(ctx, "PutUserPermissionsBoundary", userResource(ctx, state, name), { "iam:PermissionsBoundary": arn });
      const user = findUser(state, name);
      user.boundary = boundaryArn(env, ctx.accountId, arn);
      return undefined;
    },

    DeleteUserPermissionsBoundary: (params, ctx) => {
      const name = reqString(params, "UserName", USER_NAME);
      const state = env.state(ctx.accountId);
      const existing = state.users[key(name)];
      authorizeIam(ctx, "DeleteUserPermissionsBoundary", userResource(ctx, state, name), existing?.boundary ? { "iam:PermissionsBoundary": existing.boundary } : undefined);
      const user = findUser(state, name);
      delete user.boundary;
      return undefined;
    },
  };
}
