import type { QueryParams } from "../caller.ts";
import { isObject, type Json, type JsonObject } from "../template/parse.ts";
import { ignoreNotFound, list, mergedTags, pick, s } from "./common.ts";
import type { ProviderContext, ResourceProvider } from "./types.ts";
import { specSchema } from "../spec/resource-spec.ts";

/** Policy documents may be given as objects (JSON or YAML) or as JSON text. */
export function doc(v: Json | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function iamTags(ctx: ProviderContext, props: JsonObject): QueryParams {
  const p: QueryParams = {};
  mergedTags(ctx, props).forEach((t, i) => {
    p[`Tags.member.${i + 1}.Key`] = t.Key;
    p[`Tags.member.${i + 1}.Value`] = t.Value;
  });
  return p;
}

function inline(v: Json | undefined): Array<{ name: string; doc: string }> {
  return list(v)
    .filter(isObject)
    .map((p) => ({ name: String(p.PolicyName), doc: doc(p.PolicyDocument) ?? "" }));
}

async function putInline(ctx: ProviderContext, kind: "Role" | "User", name: string, policies: Array<{ name: string; doc: string }>) {
  for (const p of policies) await ctx.call.iam(`Put${kind}Policy`, { [`${kind}Name`]: name, PolicyName: p.name, PolicyDocument: p.doc });
}

/** Inline and managed policies of a role or user, brought from `old` to `props`. */
export async function syncPolicies(ctx: ProviderContext, kind: "Role" | "User", name: string, props: JsonObject, old: JsonObject): Promise<void> {
  const before = inline(old.Policies);
  const now = inline(props.Policies);
  for (const p of before) if (!now.some((n) => n.name === p.name)) await ignoreNotFound(ctx.call.iam(`Delete${kind}Policy`, { [`${kind}Name`]: name, PolicyName: p.name }));
  await putInline(ctx, kind, name, now.filter((p) => !before.some((b) => b.name === p.name && b.doc === p.doc)));
  const arnsBefore = list(old.ManagedPolicyArns).map(String);
  const arnsNow = list(props.ManagedPolicyArns).map(String);
  for (const a of arnsBefore) if (!arnsNow.includes(a)) await ignoreNotFound(ctx.call.iam(`Detach${kind}Policy`, { [`${kind}Name`]: name, PolicyArn: a }));
  for (const a of arnsNow) if (!arnsBefore.includes(a)) await ctx.call.iam(`Attach${kind}Policy`, { [`${kind}Name`]: name, PolicyArn: a });
}

export const roleProvider: ResourceProvider = {
  type: "AWS::IAM::Role",
  iam: { nameProperty: "RoleName" },
  schema: specSchema("AWS::IAM::Role"),
  async create(ctx, props) {
    const name = s(props.RoleName) ?? ctx.physicalName(64);
    const r = await ctx.call.iam("CreateRole", {
      RoleName: name,
      AssumeRolePolicyDocument: doc(props.AssumeRolePolicyDocument),
      Path: s(props.Path),
      Description: s(props.Description),
      MaxSessionDuration: s(props.MaxSessionDuration),
      PermissionsBoundary: s(props.PermissionsBoundary),
      ...iamTags(ctx, props),
    });
    try {
      await syncPolicies(ctx, "Role", name, props, {});
    } catch (e) {
      await roleProvider.delete(ctx, name, props, {}).catch(() => {});
      throw e;
    }
    return { physicalId: name, attributes: { Arn: pick(r, "Role.Arn"), RoleId: pick(r, "Role.RoleId") } };
  },
  async update(ctx, name, props, old, attrs) {
    if (doc(props.AssumeRolePolicyDocument) !== doc(old.AssumeRolePolicyDocument)) await ctx.call.iam("UpdateAssumeRolePolicy", { RoleName: name, PolicyDocument: doc(props.AssumeRolePolicyDocument) });
    if (s(props.Description) !== s(old.Description) || s(props.MaxSessionDuration) !== s(old.MaxSessionDuration)) {
      await ctx.call.iam("UpdateRole", { RoleName: name, Description: s(props.Description) ?? "", MaxSessionDuration: s(props.MaxSessionDuration) });
    }
    if (s(props.PermissionsBoundary) !== s(old.PermissionsBoundary)) {
      if (props.PermissionsBoundary === undefined) await ctx.call.iam("DeleteRolePermissionsBoundary", { RoleName: name });
      else await ctx.call.iam("PutRolePermissionsBoundary", { RoleName: name, PermissionsBoundary: s(props.PermissionsBoundary) });
    }
    await syncPolicies(ctx, "Role", name, props, old);
    return { physicalId: name, attributes: attrs };
  },
  async delete(ctx, name, props) {
    const attached = await ctx.call.iam("ListAttachedRolePolicies", { RoleName: name }).catch((e) => {
      if ((e as { code?: string }).code === "NoSuchEntity") return undefined;
      throw e;
    });
    if (!attached) return;
    for (const p of (pick(attached, "AttachedPolicies") ?? []) as Array<{ PolicyArn: string }>) await ignoreNotFound(ctx.call.iam("DetachRolePolicy", { RoleName: name, PolicyArn: p.PolicyArn }));
    const names = (pick(await ctx.call.iam("ListRolePolicies", { RoleName: name }), "PolicyNames") ?? []) as string[];
    for (const n of names) await ignoreNotFound(ctx.call.iam("DeleteRolePolicy", { RoleName: name, PolicyName: n }));
    void props;
    await ignoreNotFound(ctx.call.iam("DeleteRole", { RoleName: name }));
  },
};
