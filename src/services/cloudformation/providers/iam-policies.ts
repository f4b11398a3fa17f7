import type { JsonObject } from "../template/parse.ts";
import { ignoreNotFound, list, pick, s } from "./common.ts";
import { doc } from "./iam-role.ts";
import type { ProviderContext, ResourceProvider } from "./types.ts";
import { specSchema } from "../spec/resource-spec.ts";

const KINDS = [
  ["Roles", "Role"],
  ["Users", "User"],
  ["Groups", "Group"],
] as const;

async function putAll(ctx: ProviderContext, props: JsonObject, only?: JsonObject) {
  for (const [prop, kind] of KINDS) {
    for (const n of list(props[prop]).map(String)) {
      if (only && list(only[prop]).map(String).includes(n) && doc(only.PolicyDocument) === doc(props.PolicyDocument)) continue;
      await ctx.call.iam(`Put${kind}Policy`, { [`${kind}Name`]: n, PolicyName: s(props.PolicyName), PolicyDocument: doc(props.PolicyDocument) });
    }
  }
}

async function removeAll(ctx: ProviderContext, props: JsonObject, keep?: JsonObject) {
  for (const [prop, kind] of KINDS) {
    for (const n of list(props[prop]).map(String)) {
      if (keep && list(keep[prop]).map(String).includes(n) && s(keep.PolicyName) === s(props.PolicyName)) continue;
      await ignoreNotFound(ctx.call.iam(`Delete${kind}Policy`, { [`${kind}Name`]: n, PolicyName: s(props.PolicyName) }));
    }
  }
}

/** An inline policy put on each role, user and group named; the physical id is a generated name. */
export const policyProvider: ResourceProvider = {
  type: "AWS::IAM::Policy",
  iam: {},
  schema: specSchema("AWS::IAM::Policy"),
  async create(ctx, props) {
    if (list(props.Roles).length + list(props.Users).length + list(props.Groups).length === 0) {
      throw new Error("At least one of [Groups,Roles,Users] must be non-empty."); // unverified wording
    }
    const id = ctx.physicalName(128);
    try {
      await putAll(ctx, props);
    } catch (e) {
      await removeAll(ctx, props).catch(() => {});
      throw e;
    }
    return { physicalId: id, attributes: { Id: id } };
  },
  async update(ctx, id, props, old, attrs) {
    await removeAll(ctx, old, props);
    await putAll(ctx, props, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, _id, props) {
    await removeAll(ctx, props);
  },
};

async function attach(ctx: ProviderContext, arn: string, props: JsonObject, verb: "Attach" | "Detach", except?: JsonObject) {
  for (const [prop, kind] of KINDS) {
    for (const n of list(props[prop]).map(String)) {
      if (except && list(except[prop]).map(String).includes(n)) continue;
      const call = ctx.call.iam(`${verb}${kind}Policy`, { [`${kind}Name`]: n, PolicyArn: arn });
      if (verb === "Detach") await ignoreNotFound(call);
      else await call;
    }
  }
}

/** Ref is the policy's ARN; a new document becomes a new default version. */
export const managedPolicyProvider: ResourceProvider = {
  type: "AWS::IAM::ManagedPolicy",
  iam: { nameProperty: "ManagedPolicyName" },
  schema: specSchema("AWS::IAM::ManagedPolicy"),
  async create(ctx, props) {
    const r = await ctx.call.iam("CreatePolicy", { PolicyName: s(props.ManagedPolicyName) ?? ctx.physicalName(128), PolicyDocument: doc(props.PolicyDocument), Description: s(props.Description), Path: s(props.Path) });
    const arn = String(pick(r, "Policy.Arn"));
    try {
      await attach(ctx, arn, props, "Attach");
    } catch (e) {
      await attach(ctx, arn, props, "Detach").catch(() => {});
      await ctx.call.iam("DeletePolicy", { PolicyArn: arn }).catch(() => {});
      throw e;
    }
    return { physicalId: arn, attributes: { PolicyArn: arn, PolicyId: pick(r, "Policy.PolicyId"), DefaultVersionId: "v1", IsAttachable: "true", CreateDate: pick(r, "Policy.CreateDate") } };
  },
  async update(ctx, arn, props, old, attrs) {
    let version = attrs.DefaultVersionId;
    if (doc(props.PolicyDocument) !== doc(old.PolicyDocument)) {
      const versions = (pick(await ctx.call.iam("ListPolicyVersions", { PolicyArn: arn }), "Versions") ?? []) as Array<{ VersionId: string; IsDefaultVersion: string | boolean }>;
      const stale = versions.filter((v) => String(v.IsDefaultVersion) !== "true");
      if (versions.length >= 5 && stale.length) await ctx.call.iam("DeletePolicyVersion", { PolicyArn: arn, VersionId: stale[stale.length - 1].VersionId });
      version = pick(await ctx.call.iam("CreatePolicyVersion", { PolicyArn: arn, PolicyDocument: doc(props.PolicyDocument), SetAsDefault: "true" }), "PolicyVersion.VersionId");
    }
    await attach(ctx, arn, old, "Detach", props);
    await attach(ctx, arn, props, "Attach", old);
    return { physicalId: arn, attributes: { ...attrs, DefaultVersionId: version ?? null } };
  },
  async delete(ctx, arn, props) {
    await attach(ctx, arn, props, "Detach");
    const versions = (pick(await ctx.call.iam("ListPolicyVersions", { PolicyArn: arn }).catch(() => undefined), "Versions") ?? []) as Array<{ VersionId: string; IsDefaultVersion: string | boolean }>;
    for (const v of versions) if (String(v.IsDefaultVersion) !== "true") await ignoreNotFound(ctx.call.iam("DeletePolicyVersion", { PolicyArn: arn, VersionId: v.VersionId }));
    await ignoreNotFound(ctx.call.iam("DeletePolicy", { PolicyArn: arn }));
  },
};
