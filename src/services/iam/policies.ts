// Managed policies: customer managed CRUD, AWS managed lookups, attaching to users, groups and
// roles, and who attaches what (ListAttached*Policies, ListEntitiesForPolicy).
import { AwsError } from "../../core/aws-error.ts";
import { iamUniqueId } from "../../core/ids.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import type { InputTree } from "../../core/input-tree.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { parsePolicyArn, resolveManaged, type IamEnv, type ManagedRef } from "./env.ts";
import { deleteConflict, entityAlreadyExists, invalidInput, limitExceeded, noSuchPolicy, notAttachable } from "./errors.ts";
import { groupResource, findGroup } from "./groups.ts";
import { ARN, DESCRIPTION, NAME, PATH, POLICY_DOCUMENT, POLICY_PATH, ROLE_NAME, USER_NAME, optBool, optEnum, optString, reqString, tagList } from "./input.ts";
import { AWS_MANAGED_POLICIES, awsManagedPolicy } from "./managed-policies.ts";
import { authorizeIam, tagContext, type Ops } from "./operation.ts";
import { paginate } from "./pagination.ts";
import { checkManagedSize } from "./policy-cache.ts";
import { awsPolicyShape, countAttachments, localPolicyShape } from "./render.ts";
import { findRole, roleResource } from "./roles.ts";
import { key, policyArn, type IamState, type PolicyRec } from "./state.ts";
import { findUser, userResource } from "./users.ts";

const MANAGED_PER_ENTITY = 10;

/** A PolicyArn parameter: the model's length limits, then "ARN ... is not valid." for anything that is not a policy ARN. */
export function policyArnParam(params: InputTree, name = "PolicyArn"): string {
  const arn = reqString(params, name, ARN);
  if (!parsePolicyArn(arn)) throw invalidInput(`ARN ${arn} is not valid.`);
  return arn;
}

/** The account's own customer managed policy with that ARN, or NoSuchEntity. AWS managed ones are refused with `aws`. */
export function findLocalPolicy(env: IamEnv, account: string, arn: string, aws: () => AwsError = () => noSuchPolicy(arn)): PolicyRec {
  const p = parsePolicyArn(arn);
  if (p?.account === "aws" && awsManagedPolicy(arn)) throw aws();
  const rec = p && p.account === account ? env.state(account).policies[key(p.name)] : undefined;
  if (!rec || rec.arn !== arn) throw noSuchPolicy(arn);
  return rec;
}

function attachable(env: IamEnv, account: string, arn: string): ManagedRef {
  const m = resolveManaged(env, account, arn);
  if (!m) throw notAttachable(arn);
  return m;
}

type EntityKind = "User" | "Group" | "Role";

/** The user, group or role a policy attaches to: its ARN for authorization, and the record (NoSuchEntity when missing). */
function entity(env: IamEnv, ctx: OperationContext, kind: EntityKind, name: string): { resource: string; record: () => { attached: string[] } } {
  const state = env.state(ctx.accountId);
  if (kind === "User") return { resource: userResource(ctx, state, name), record: () => findUser(state, name) };
  if (kind === "Group") return { resource: groupResource(ctx, state, name), record: () => findGroup(state, name) };
  return { resource: roleResource(ctx, state, name), record: () => findRole(state, name) };
}

const NAME_SHAPE = { User: USER_NAME, Group: NAME, Role: ROLE_NAME } as const;

function attachOps(env: IamEnv, kind: EntityKind): Ops {
  const nameParam = `${kind}Name`;
  return {
    [`Attach${kind}Policy`]: (params, ctx) => {
      const name = reqString(params, nameParam, NAME_SHAPE[kind]);
      const arn = policyArnParam(params);
      const e = entity(env, ctx, kind, name);
      authorizeIam(ctx, `Attach${kind}Policy`, e.resource, { "iam:PolicyARN": arn });
      const rec = e.record(); // NoSuchEntity for a missing user/group/role comes first
      attachable(env, ctx.accountId, arn);
      if (rec.attached.includes(arn)) return undefined;
      if (rec.attached.length >= MANAGED_PER_ENTITY) throw limitExceeded(`Cannot exceed quota for PoliciesPer${kind}: ${MANAGED_PER_ENTITY}`);
      rec.attached.push(arn);
      return undefined;
    },
    [`Detach${kind}Policy`]: (params, ctx) => {
      const name = reqString(params, nameParam, NAME_SHAPE[kind]);
      const arn = policyArnParam(params);
      const e = entity(env, ctx, kind, name);
      authorizeIam(ctx, `Detach${kind}Policy`, e.resource, { "iam:PolicyARN": arn });
      const rec = e.record();
      if (!rec.attached.includes(arn)) throw noSuchPolicy(arn);
      rec.attached = rec.attached.filter((a) => a !== arn);
      return undefined;
    },
    [`ListAttached${kind}Policies`]: (params, ctx) => {
      const name = reqString(params, nameParam, NAME_SHAPE[kind]);
      const prefix = optString(params, "PathPrefix", POLICY_PATH) ?? "/";
      const e = entity(env, ctx, kind, name);
      authorizeIam(ctx, `ListAttached${kind}Policies`, e.resource);
      const refs = e.record()
        .attached        .map((arn) => ({ arn, parsed: parsePolicyArn(arn) }))
        .filter((r) => r.parsed !== undefined && r.parsed.path.startsWith(prefix));
      const page = paginate(refs, (r) => r.arn, params);
      return {
        AttachedPolicies: page.items.map((r) => ({ PolicyName: r.parsed!.name, PolicyArn: r.arn })),
        IsTruncated: page.IsTruncated,
        Marker: page.Marker,
      };
    },
  };
}

export function policyOperations(env: IamEnv): Ops {
  return {
    CreatePolicy: (params, ctx) => {
      const name = reqString(params, "PolicyName", NAME);
      const path = optString(params, "Path", POLICY_PATH) ?? "/";
      const doc = reqString(params, "PolicyDocument", POLICY_DOCUMENT);
      const description = optString(params, "Description", DESCRIPTION);
      const tags = tagList(params);
      const arn = policyArn(ctx.accountId, path, name);
      authorizeIam(ctx, "CreatePolicy", arn, tagContext(tags));
      checkManagedSize(doc);
      env.policies.validate(doc, "identity", arn);
      const state = env.state(ctx.accountId);
      if (state.policies[key(name)]) throw entityAlreadyExists(`A policy called ${name} already exists. Duplicate names are not allowed.`);
      const now = env.now();
      const rec: PolicyRec = {
        name,
        id: iamUniqueId("ANPA"),
        path,
        arn,
        created: now,
        updated: now,
        defaultVersion: "v1",
        versions: [{ id: "v1", document: doc, created: now }],
        nextVersion: 2,
        tags,
        ...(description !== undefined ? { description } : {}),
      };
      state.policies[key(name)] = rec;
      return { Policy: localPolicyShape(rec, { attachments: 0, boundaries: 0 }, true) };
    },

    GetPolicy: (params, ctx) => {
      const arn = policyArnParam(params);
      authorizeIam(ctx, "GetPolicy", arn);
      const state = env.state(ctx.accountId);
      const aws = awsManagedPolicy(arn);
      if (aws) return { Policy: awsPolicyShape(aws, countAttachments(state, arn), true) };
      const rec = findLocalPolicy(env, ctx.accountId, arn);
      return { Policy: localPolicyShape(rec, countAttachments(state, arn), true) };
    },

    DeletePolicy: (params, ctx) => {
      const arn = policyArnParam(params);
      authorizeIam(ctx, "DeletePolicy", arn);
      const rec = findLocalPolicy(env, ctx.accountId, arn, () => invalidInput(`ARN ${arn} is not valid.`)); // unverified: AWS managed policies cannot be deleted
      const state = env.state(ctx.accountId);
      const counts = countAttachments(state, arn);
      if (counts.attachments > 0) throw deleteConflict("Cannot delete a policy attached to entities.");
      if (counts.boundaries > 0) throw deleteConflict("Cannot delete a policy used as a permissions boundary."); // unverified wording
      if (rec.versions.length > 1) {
        throw deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
      }
      delete state.policies[key(rec.name)];
      return undefined;
    },

    ListPolicies: (params, ctx) => {
      const scope = optEnum(params, "Scope", ["All", "AWS", "Local"] as const) ?? "All";
      const onlyAttached = optBool(params, "OnlyAttached") ?? false;
      const prefix = optString(params, "PathPrefix", POLICY_PATH) ?? "/";
      const usage = optEnum(params, "PolicyUsageFilter", ["PermissionsPolicy", "PermissionsBoundary"] as const);
      authorizeIam(ctx, "ListPolicies", `arn:aws:iam::${ctx.accountId}:policy${prefix}`);
      const state = env.state(ctx.accountId);
      const rows: { sortKey: string; shape: () => OutputObject }[] = [];
      const keep = (arn: string, path: string): ReturnType<typeof countAttachments> | undefined => {
        if (!path.startsWith(prefix)) return undefined;
        const c = countAttachments(state, arn);
        if (onlyAttached && c.attachments + c.boundaries === 0) return undefined;
        if (usage === "PermissionsPolicy" && c.attachments === 0) return undefined;
        if (usage === "PermissionsBoundary" && c.boundaries === 0) return undefined;
        return c;
      };
      if (scope !== "Local") {
        for (const p of AWS_MANAGED_POLICIES) {
          const c = keep(p.arn, p.path);
          if (c) rows.push({ sortKey: `${key(p.name)}\u0000${p.arn}`, shape: () => awsPolicyShape(p, c, false) });
        }
      }
      if (scope !== "AWS") {
        for (const p of Object.values(state.policies)) {
          const c = keep(p.arn, p.path);
          if (c) rows.push({ sortKey: `${key(p.name)}\u0000${p.arn}`, shape: () => localPolicyShape(p, c, false) });
        }
      }
      const page = paginate(rows, (r) => r.sortKey, params);
      return { Policies: page.items.map((r) => r.shape()), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    ListEntitiesForPolicy: (params, ctx) => {
      const arn = policyArnParam(params);
      const filter = optEnum(params, "EntityFilter", ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"] as const);
      const prefix = optString(params, "PathPrefix", PATH) ?? "/";
      const usage = optEnum(params, "PolicyUsageFilter", ["PermissionsPolicy", "PermissionsBoundary"] as const);
      authorizeIam(ctx, "ListEntitiesForPolicy", arn);
      if (!resolveManaged(env, ctx.accountId, arn)) throw noSuchPolicy(arn);
      const state = env.state(ctx.accountId);
      const uses = (attached: readonly string[], boundary: string | undefined) =>
        (usage !== "PermissionsBoundary" && attached.includes(arn)) || (usage !== "PermissionsPolicy" && boundary === arn);
      const rows: { sortKey: string; kind: "u" | "g" | "r"; name: string; id: string }[] = [];
      if (!filter || filter === "User") {
        for (const u of Object.values(state.users)) if (u.path.startsWith(prefix) && uses(u.attached, u.boundary)) rows.push({ sortKey: `u${key(u.name)}`, kind: "u", name: u.name, id: u.id });
      }
      if (!filter || filter === "Group") {
        for (const g of Object.values(state.groups)) if (g.path.startsWith(prefix) && uses(g.attached, undefined)) rows.push({ sortKey: `g${key(g.name)}`, kind: "g", name: g.name, id: g.id });
      }
      if (!filter || filter === "Role") {
        for (const r of Object.values(state.roles)) if (r.path.startsWith(prefix) && uses(r.attached, r.boundary)) rows.push({ sortKey: `r${key(r.name)}`, kind: "r", name: r.name, id: r.id });
      }
      const page = paginate(rows, (r) => r.sortKey, params);
      return {
        PolicyGroups: page.items.filter((r) => r.kind === "g").map((r) => ({ GroupName: r.name, GroupId: r.id })),
        PolicyUsers: page.items.filter((r) => r.kind === "u").map((r) => ({ UserName: r.name, UserId: r.id })),
        PolicyRoles: page.items.filter((r) => r.kind === "r").map((r) => ({ RoleName: r.name, RoleId: r.id })),
        IsTruncated: page.IsTruncated,
        Marker: page.Marker,
      };
    },

    ...attachOps(env, "User"),
    ...attachOps(env, "Group"),
    ...attachOps(env, "Role"),
  };
}

/** Every managed policy a state refers to exists (used by GetAccountAuthorizationDetails). */
export function attachedArns(state: IamState): Set<string> {
  const out = new Set<string>();
  for (const u of Object.values(state.users)) {
    u.attached.forEach((a) => out.add(a));
    if (u.boundary) out.add(u.boundary);
  }
  for (const g of Object.values(state.groups)) g.attached.forEach((a) => out.add(a));
  for (const r of Object.values(state.roles)) {
    r.attached.forEach((a) => out.add(a));
    if (r.boundary) out.add(r.boundary);
  }
  return out;
}
