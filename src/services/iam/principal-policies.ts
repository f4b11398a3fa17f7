// Gathers the compiled policies that apply to a principal (IAM UG "policy evaluation logic"):
// a user's inline + attached + its groups' inline + attached, and its boundary; a role session's
// role inline + attached, the role's boundary and the session policies. Cached per principal and
// rebuilt when the IAM generation moves on.
import { dict } from "../../core/dict.ts";
import type { CompiledPolicy } from "../../iam-policy/index.ts";
import type { Principal } from "../../core/principal.ts";
import { resolveManaged, type IamEnv } from "./env.ts";
import { principalContext, type Context } from "./request-context.ts";
import { key, type GroupRec, type IamState, type RoleRec, type UserRec } from "./state.ts";

export interface PolicyBundle {
  gen: number;
  identity: CompiledPolicy[];
  boundary: CompiledPolicy[];
  session: CompiledPolicy[];
  /** The principal's part of the request context. */
  base: Context;
}

export interface IdentityPolicies {
  identity: CompiledPolicy[];
  boundary: CompiledPolicy[];
}

/**
 * Policy ids say where a statement came from, for the decision log and the simulator's
 * MatchedStatements: "user/NAME/POLICY" (inline), a managed policy's ARN, "session/N", or the
 * simulator's own "PolicyInputList.N". Names never contain "/", so the parts split safely.
 */
export function inlineId(kind: "user" | "group" | "role", owner: string, policy: string): string {
  return `${kind}/${owner}/${policy}`;
}

/** SourcePolicyId and SourcePolicyType of the simulator (PolicySourceType in the model). */
export function policySource(id: string): { id: string; type?: string } {
  if (id.startsWith("arn:")) {
    const name = id.slice(id.lastIndexOf("/") + 1);
    return { id: name, type: id.startsWith("arn:aws:iam::aws:") ? "aws-managed" : "user-managed" };
  }
  const slash = id.indexOf("/");
  const kind = slash > 0 ? id.slice(0, slash) : "";
  if (kind === "user" || kind === "group" || kind === "role") return { id: id.slice(id.lastIndexOf("/") + 1), type: kind };
  if (id === "ResourcePolicy") return { id, type: "resource" };
  return { id };
}

export class PrincipalPolicies {
  private readonly bundles = new Map<string, PolicyBundle>();

  constructor(private readonly env: IamEnv) {}

  clear(): void {
    this.bundles.clear();
  }

  /** The policies and context of a caller; undefined when its user or role no longer exists. */
  forPrincipal(p: Principal): PolicyBundle | undefined {
    // Sessions differ by their session policies and source function: one bundle per access key.
    const cacheKey = p.type === "AssumedRole" || p.sourceFunctionArn !== undefined ? p.accessKeyId : p.arn;
    const cached = this.bundles.get(cacheKey);
    if (cached && cached.gen === this.env.generation) return cached;
    const built = this.build(p);
    if (!built) {
      this.bundles.delete(cacheKey);
      return undefined;
    }
    if (this.bundles.size > 10_000) this.bundles.clear();
    this.bundles.set(cacheKey, built);
    return built;
  }

  private build(p: Principal): PolicyBundle | undefined {
    const state = this.env.state(p.accountId);
    const gen = this.env.generation;
    if (p.type === "User" && p.username !== undefined) {
      const user = state.users[key(p.username)];
      if (!user || user.arn !== p.arn) return undefined;
      const { identity, boundary } = this.userPolicies(p.accountId, state, user);
      return { gen, identity, boundary, session: [], base: principalContext({ ...p, tags: tagsOf(user.tags) }) };
    }
    if (p.type === "AssumedRole" && p.roleName !== undefined) {
      const role = state.roles[key(p.roleName)];
      if (!role || role.arn !== p.roleArn) return undefined;
      const { identity, boundary } = this.rolePolicies(p.accountId, role);
      const session = (p.sessionPolicies ?? []).map((doc, i) => this.env.policies.get(doc, "session", `session/${i + 1}`));
      return { gen, identity, boundary, session, base: principalContext({ ...p, tags: tagsOf(role.tags) }) };
    }
    return undefined;
  }

  userPolicies(account: string, state: IamState, user: UserRec): IdentityPolicies {
    const identity: CompiledPolicy[] = [];
    this.inline(identity, "user", user.name, user.inline);
    this.managed(identity, account, user.attached);
    for (const g of user.groups) {
      const group = state.groups[key(g)];
      if (!group) continue;
      this.inline(identity, "group", group.name, group.inline);
      this.managed(identity, account, group.attached);
    }
    return { identity, boundary: this.boundary(account, user.boundary) };
  }

  groupPolicies(account: string, group: GroupRec): IdentityPolicies {
    const identity: CompiledPolicy[] = [];
    this.inline(identity, "group", group.name, group.inline);
    this.managed(identity, account, group.attached);
    return { identity, boundary: [] };
  }

  rolePolicies(account: string, role: RoleRec): IdentityPolicies {
    const identity: CompiledPolicy[] = [];
    this.inline(identity, "role", role.name, role.inline);
    this.managed(identity, account, role.attached);
    return { identity, boundary: this.boundary(account, role.boundary) };
  }

  private inline(out: CompiledPolicy[], kind: "user" | "group" | "role", owner: string, inline: Record<string, string>): void {
    for (const [name, doc] of Object.entries(inline)) out.push(this.env.policies.get(doc, "identity", inlineId(kind, owner, name)));
  }

  private managed(out: CompiledPolicy[], account: string, arns: readonly string[]): void {
    for (const arn of arns) {
      const m = resolveManaged(this.env, account, arn);
      if (m) out.push(this.env.policies.get(m.document, "identity", arn));
    }
  }

  private boundary(account: string, arn: string | undefined): CompiledPolicy[] {
    if (arn === undefined) return [];
    const m = resolveManaged(this.env, account, arn);
    // A boundary whose policy vanished allows nothing (AWS refuses to delete a policy in use as a boundary).
    return [this.env.policies.get(m ? m.document : EMPTY_POLICY, "boundary", arn)];
  }
}

const EMPTY_POLICY = '{"Version":"2012-10-17","Statement":[]}';

function tagsOf(tags: readonly { Key: string; Value: string }[]): Record<string, string> | undefined {
  if (tags.length === 0) return undefined;
  const out = dict<string>();
  for (const t of tags) out[t.Key] = t.Value;
  return out;
}
