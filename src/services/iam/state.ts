// IAM's per-account state: plain JSON (it is snapshotted to disk). Compiled policies and other
// derived data live in caches outside the store (see policy-cache.ts, principal-policies.ts).
import { dict, type Dict } from "../../core/dict.ts";
import { GLOBAL_REGION, type Store } from "../../store/store.ts";

export interface Tag {
  Key: string;
  Value: string;
}

/** Inline policies by name, in the order they were put (ListUserPolicies returns them sorted anyway). */
export type InlinePolicies = Dict<string>;

export interface UserRec {
  name: string;
  id: string;
  path: string;
  arn: string;
  created: number;
  tags: Tag[];
  inline: InlinePolicies;
  /** Managed policy ARNs. */
  attached: string[];
  boundary?: string;
  /** Group names, as created. */
  groups: string[];
}

export interface GroupRec {
  name: string;
  id: string;
  path: string;
  arn: string;
  created: number;
  inline: InlinePolicies;
  attached: string[];
}

export interface RoleRec {
  name: string;
  id: string;
  path: string;
  arn: string;
  created: number;
  trust: string;
  description?: string;
  maxSessionDuration: number;
  tags: Tag[];
  inline: InlinePolicies;
  attached: string[];
  boundary?: string;
  lastUsed?: { at: number; region: string };
}

export interface InstanceProfileRec {
  name: string;
  id: string;
  path: string;
  arn: string;
  created: number;
  /** Role names (at most one, AWS's InstanceSessionsPerInstanceProfile quota). */
  roles: string[];
  tags: Tag[];
}

export interface PolicyVersionRec {
  id: string;
  document: string;
  created: number;
}

export interface PolicyRec {
  name: string;
  id: string;
  path: string;
  arn: string;
  description?: string;
  created: number;
  updated: number;
  defaultVersion: string;
  versions: PolicyVersionRec[];
  /** The next version number: AWS never reuses a version id. */
  nextVersion: number;
  tags: Tag[];
}

export interface AccessKeyRec {
  id: string;
  secret: string;
  /** Absent for the account root's own keys. */
  userName?: string;
  status: "Active" | "Inactive";
  created: number;
  lastUsed?: { at: number; service: string; region: string };
}

/** Temporary credentials from AssumeRole, GetSessionToken or Lambda. */
export interface SessionRec {
  id: string;
  secret: string;
  token: string;
  expiresAt: number;
  issuedAt: number;
  kind: "role" | "user" | "root";
  /** kind role: the role's name and id at issue time (a role recreated under the same name does not revive it). */
  roleName?: string;
  roleId?: string;
  sessionName?: string;
  /** kind user. */
  userName?: string;
  userId?: string;
  /** Session policy documents (Policy and the documents of PolicyArns, resolved at issue). */
  policies: string[];
  sourceFunctionArn?: string;
}

export interface IamState {
  /** Keyed by lowercased name: IAM names are unique case-insensitively. */
  users: Dict<UserRec>;
  groups: Dict<GroupRec>;
  roles: Dict<RoleRec>;
  /** Customer managed policies, keyed by lowercased name (unique per account whatever the path). */
  policies: Dict<PolicyRec>;
  accessKeys: Dict<AccessKeyRec>;
  sessions: Dict<SessionRec>;
  /**
   * Ids of deleted access keys and forgotten sessions, with when: they are refused even with
   * --accept-any-credentials, where a key nobody issued acts as the root. Absent in older snapshots.
   */
  retiredKeys?: Dict<number>;
  /** Keyed by lowercased name. Absent in older snapshots. */
  instanceProfiles?: Dict<InstanceProfileRec>;
}

export function newIamState(): IamState {
  return { users: dict(), groups: dict(), roles: dict(), policies: dict(), accessKeys: dict(), sessions: dict(), retiredKeys: dict() };
}

/** Remember that a key id was issued here and is gone (see IamState.retiredKeys). */
export function retireKey(state: IamState, id: string, at: number): void {
  (state.retiredKeys ??= dict())[id] = at;
}

export function iamState(store: Store, account: string): IamState {
  return store.state<IamState>("iam", account, GLOBAL_REGION, newIamState);
}

export function key(name: string): string {
  return name.toLowerCase();
}

export function userArn(account: string, path: string, name: string): string {
  return `arn:aws:iam::${account}:user${path}${name}`;
}
export function groupArn(account: string, path: string, name: string): string {
  return `arn:aws:iam::${account}:group${path}${name}`;
}
export function instanceProfileArn(account: string, path: string, name: string): string {
  return `arn:aws:iam::${account}:instance-profile${path}${name}`;
}
export function roleArn(account: string, path: string, name: string): string {
  return `arn:aws:iam::${account}:role${path}${name}`;
}
export function policyArn(account: string, path: string, name: string): string {
  return `arn:aws:iam::${account}:policy${path}${name}`;
}

/** ISO 8601 without milliseconds, as IAM and STS print dates: 2024-01-01T00:00:00Z. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Tag list → aws:PrincipalTag-style map. */
export function tagMap(tags: readonly Tag[]): Dict<string> {
  const out = dict<string>();
  for (const t of tags) out[t.Key] = t.Value;
  return out;
}
