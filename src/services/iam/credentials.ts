// Access keys the gateway can verify: IAM users' (and the root's) long-term AKIA keys and STS
// sessions' ASIA keys with their session token and expiry. Lookups are cached per key until IAM
// changes; the index from key to account is rebuilt by scanning accounts only on a miss.
import { randomBytes } from "node:crypto";
import { accessKeyId, secretAccessKey } from "../../core/ids.ts";
import { hasKey, own } from "../../core/dict.ts";
import { rootPrincipal, type CredentialLookup, type Principal } from "../../core/principal.ts";
import type { IamEnv } from "./env.ts";
import { key, retireKey, tagMap, type IamState, type RoleRec, type SessionRec, type UserRec } from "./state.ts";

/** Sessions stay known this long after expiry, so their use is answered ExpiredToken rather than InvalidClientTokenId. */
const EXPIRED_RETENTION_MS = 7 * 24 * 3600 * 1000;

export function userPrincipal(account: string, user: UserRec, accessKey: string): Principal {
  return {
    arn: user.arn,
    accountId: account,
    type: "User",
    userId: user.id,
    username: user.name,
    accessKeyId: accessKey,
    ...(user.tags.length ? { tags: tagMap(user.tags) } : {}),
  };
}

export function sessionArn(account: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
}

export function rolePrincipal(account: string, role: RoleRec, sessionName: string, accessKey: string, extra: { sessionPolicies?: string[]; sourceFunctionArn?: string } = {}): Principal {
  return {
    arn: sessionArn(account, role.name, sessionName),
    accountId: account,
    type: "AssumedRole",
    userId: `${role.id}:${sessionName}`,
    roleArn: role.arn,
    roleName: role.name,
    sessionName,
    accessKeyId: accessKey,
    ...(role.tags.length ? { tags: tagMap(role.tags) } : {}),
    ...(extra.sessionPolicies && extra.sessionPolicies.length ? { sessionPolicies: extra.sessionPolicies } : {}),
    ...(extra.sourceFunctionArn !== undefined ? { sourceFunctionArn: extra.sourceFunctionArn } : {}),
  };
}

/** Session tokens look like AWS's: long, opaque, base64. */
function sessionToken(): string {
  return `IQoJb3JpZ2luX2VjE${randomBytes(192).toString("base64")}`;
}

export class CredentialStore {
  private readonly cache = new Map<string, { gen: number; cred: CredentialLookup }>();
  private readonly accountOf = new Map<string, string>();

  constructor(private readonly env: IamEnv) {}

  clear(): void {
    this.cache.clear();
    this.accountOf.clear();
  }

  /** The gateway's CredentialResolver. */
  resolve = (akid: string): CredentialLookup => {
    const hit = this.cache.get(akid);
    if (hit && hit.gen === this.env.generation) return hit.cred;
    const cred = this.lookup(akid);
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(akid, { gen: this.env.generation, cred });
    return cred;
  };

  /** Known and usable, "refused" (inactive, deleted, its user gone), or undefined: never issued here. */
  private lookup(akid: string): CredentialLookup {
    const issuedIn = (s: IamState) => hasKey(s.accessKeys, akid) || hasKey(s.sessions, akid) || (s.retiredKeys !== undefined && hasKey(s.retiredKeys, akid));
    let account = this.accountOf.get(akid);
    let state = account !== undefined ? this.env.state(account) : undefined;
    if (!state || !issuedIn(state)) {
      account = undefined;
      state = undefined;
      for (const { account: a, state: s } of this.env.store.all<IamState>("iam")) {
        if (issuedIn(s)) {
          account = a;
          state = s;
          this.accountOf.set(akid, a);
          break;
        }
      }
    }
    if (!state || account === undefined) return undefined;
    const k = own(state.accessKeys, akid);
    if (k) {
      // An inactive key is refused as AWS refuses it (InvalidClientTokenId), never treated as unknown.
      if (k.status !== "Active") return "refused";
      if (k.userName === undefined) return { secretAccessKey: k.secret, principal: rootPrincipal(account, akid) };
      const user = own(state.users, key(k.userName));
      if (!user) return "refused";
      return { secretAccessKey: k.secret, principal: userPrincipal(account, user, akid) };
    }
    const s = own(state.sessions, akid);
    if (s) return { secretAccessKey: s.secret, sessionToken: s.token, expiresAt: s.expiresAt, principal: this.sessionPrincipal(account, state, s) };
    return "refused"; // a deleted key or a session forgotten after its expiry
  }

  private sessionPrincipal(account: string, state: IamState, s: SessionRec): Principal {
    if (s.kind === "root") return rootPrincipal(account, s.id);
    if (s.kind === "user") {
      const user = s.userName !== undefined ? own(state.users, key(s.userName)) : undefined;
      if (user && user.id === s.userId) return userPrincipal(account, user, s.id);
      // The user is gone: the session still authenticates but no policy applies to it any more.
      return { arn: `arn:aws:iam::${account}:user/${s.userName}`, accountId: account, type: "User", userId: s.userId ?? "", accessKeyId: s.id };
    }
    const role = s.roleName !== undefined ? own(state.roles, key(s.roleName)) : undefined;
    if (role && role.id === s.roleId) {
      return rolePrincipal(account, role, s.sessionName ?? "", s.id, { sessionPolicies: s.policies, ...(s.sourceFunctionArn !== undefined ? { sourceFunctionArn: s.sourceFunctionArn } : {}) });
    }
    // The role was deleted (or deleted and created again): the session keeps its identity but loses every permission.
    return {
      arn: sessionArn(account, s.roleName ?? "", s.sessionName ?? ""),
      accountId: account,
      type: "AssumedRole",
      userId: `${s.roleId}:${s.sessionName}`,
      sessionName: s.sessionName,
      accessKeyId: s.id,
    };
  }

  /** Stores a new session in the account that owns the role or user. */
  issue(account: string, fields: Omit<SessionRec, "id" | "secret" | "token" | "issuedAt" | "expiresAt">, durationSec: number): SessionRec {
    const state = this.env.state(account);
    const now = this.env.now();
    this.prune(state, now);
    const s: SessionRec = {
      ...fields,
      id: accessKeyId("ASIA"),
      secret: secretAccessKey(),
      token: sessionToken(),
      issuedAt: now,
      expiresAt: now + durationSec * 1000,
    };
    state.sessions[s.id] = s;
    this.accountOf.set(s.id, account);
    this.cache.delete(s.id);
    return s;
  }

  private prune(state: IamState, now: number): void {
    for (const [id, s] of Object.entries(state.sessions)) {
      if (s.expiresAt + EXPIRED_RETENTION_MS < now) {
        delete state.sessions[id];
        retireKey(state, id, now);
        this.cache.delete(id);
        this.accountOf.delete(id);
      }
    }
  }
}
