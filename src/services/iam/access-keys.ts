// Access keys of users (and of the account root): the secret is shown once, by CreateAccessKey.
import { accessKeyId, secretAccessKey } from "../../core/ids.ts";
import type { IamEnv } from "./env.ts";
import { limitExceeded, noSuchEntity } from "./errors.ts";
import { ACCESS_KEY_ID, NAME, optEnum, optString, reqString } from "./input.ts";
import { authorizeIam, type Ops } from "./operation.ts";
import { paginate } from "./pagination.ts";
import { own } from "../../core/dict.ts";
import { isoDate, retireKey, type AccessKeyRec, type IamState } from "./state.ts";
import { callerUserName, findUser, userResource } from "./users.ts";

const KEYS_PER_USER = 2;

const noSuchKey = (id: string) => noSuchEntity(`The Access Key with id ${id} cannot be found.`);

function keysOf(state: IamState, userName: string | undefined): AccessKeyRec[] {
  return Object.values(state.accessKeys).filter((k) => k.userName === userName);
}

export function accessKeyOperations(env: IamEnv): Ops {
  /** The user a key operation is about (the caller by default), its canonical name and the ARN to authorize. */
  const target = (params: Parameters<Ops[string]>[0], ctx: Parameters<Ops[string]>[1]) => {
    const name = callerUserName(ctx, optString(params, "UserName", NAME));
    const state = env.state(ctx.accountId);
    if (name === undefined) return { state, userName: undefined, resource: ctx.principal.arn, check: () => undefined };
    return { state, userName: name, resource: userResource(ctx, state, name), check: () => findUser(state, name).name };
  };

  return {
    CreateAccessKey: (params, ctx) => {
      const t = target(params, ctx);
      authorizeIam(ctx, "CreateAccessKey", t.resource);
      const userName = t.check();
      if (keysOf(t.state, userName).length >= KEYS_PER_USER) throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${KEYS_PER_USER}`);
      const rec: AccessKeyRec = { id: accessKeyId("AKIA"), secret: secretAccessKey(), status: "Active", created: env.now(), ...(userName !== undefined ? { userName } : {}) };
      t.state.accessKeys[rec.id] = rec;
      return { AccessKey: { UserName: userName, AccessKeyId: rec.id, Status: rec.status, SecretAccessKey: rec.secret, CreateDate: isoDate(rec.created) } };
    },

    ListAccessKeys: (params, ctx) => {
      const t = target(params, ctx);
      authorizeIam(ctx, "ListAccessKeys", t.resource);
      const userName = t.check();
      const page = paginate(keysOf(t.state, userName), (k) => k.id, params);
      return {
        AccessKeyMetadata: page.items.map((k) => ({ UserName: k.userName, AccessKeyId: k.id, Status: k.status, CreateDate: isoDate(k.created) })),
        IsTruncated: page.IsTruncated,
        Marker: page.Marker,
      };
    },

    UpdateAccessKey: (params, ctx) => {
      const id = reqString(params, "AccessKeyId", ACCESS_KEY_ID);
      reqString(params, "Status", {}); // "must not be null" when absent
      const status = optEnum(params, "Status", ["Active", "Inactive"] as const)!;
      const t = target(params, ctx);
      authorizeIam(ctx, "UpdateAccessKey", t.resource);
      const userName = t.check();
      const k = own(t.state.accessKeys, id);
      if (!k || k.userName !== userName) throw noSuchKey(id);
      k.status = status;
      return undefined;
    },

    DeleteAccessKey: (params, ctx) => {
      const id = reqString(params, "AccessKeyId", ACCESS_KEY_ID);
      const t = target(params, ctx);
      authorizeIam(ctx, "DeleteAccessKey", t.resource);
      const userName = t.check();
      const k = own(t.state.accessKeys, id);
      if (!k || k.userName !== userName) throw noSuchKey(id);
      delete t.state.accessKeys[id];
      retireKey(t.state, id, env.now());
      return undefined;
    },

    GetAccessKeyLastUsed: (params, ctx) => {
      const id = reqString(params, "AccessKeyId", ACCESS_KEY_ID);
      const state = env.state(ctx.accountId);
      const k = own(state.accessKeys, id);
      authorizeIam(ctx, "GetAccessKeyLastUsed", k?.userName ? userResource(ctx, state, k.userName) : ctx.principal.arn);
      if (!k) throw noSuchKey(id); // unverified: AWS answers AccessDenied for keys of other accounts
      return {
        UserName: k.userName,
        AccessKeyLastUsed: k.lastUsed
          ? { LastUsedDate: isoDate(k.lastUsed.at), ServiceName: k.lastUsed.service, Region: k.lastUsed.region }
          : { ServiceName: "N/A", Region: "N/A" },
      };
    },
  };
}
