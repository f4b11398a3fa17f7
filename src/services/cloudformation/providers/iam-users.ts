import { ignoreNotFound, list, pick, s } from "./common.ts";
import { iamTags, syncPolicies } from "./iam-role.ts";
import type { ResourceProvider } from "./types.ts";
import { specSchema } from "../spec/resource-spec.ts";

export const userProvider: ResourceProvider = {
  type: "AWS::IAM::User",
  iam: { nameProperty: "UserName" },
  schema: specSchema("AWS::IAM::User", { unimplemented: ["LoginProfile"] }),
  async create(ctx, props) {
    const name = s(props.UserName) ?? ctx.physicalName(64);
    const r = await ctx.call.iam("CreateUser", { UserName: name, Path: s(props.Path), PermissionsBoundary: s(props.PermissionsBoundary), ...iamTags(ctx, props) });
    try {
      await syncPolicies(ctx, "User", name, props, {});
      for (const g of list(props.Groups).map(String)) await ctx.call.iam("AddUserToGroup", { UserName: name, GroupName: g });
    } catch (e) {
      await userProvider.delete(ctx, name, props, {}).catch(() => {});
      throw e;
    }
    return { physicalId: name, attributes: { Arn: pick(r, "User.Arn") } };
  },
  async update(ctx, name, props, old, attrs) {
    await syncPolicies(ctx, "User", name, props, old);
    const before = list(old.Groups).map(String);
    const now = list(props.Groups).map(String);
    for (const g of before) if (!now.includes(g)) await ignoreNotFound(ctx.call.iam("RemoveUserFromGroup", { UserName: name, GroupName: g }));
    for (const g of now) if (!before.includes(g)) await ctx.call.iam("AddUserToGroup", { UserName: name, GroupName: g });
    return { physicalId: name, attributes: attrs };
  },
  async delete(ctx, name, props) {
    await syncPolicies(ctx, "User", name, {}, props).catch(() => {});
    for (const g of list(props.Groups).map(String)) await ignoreNotFound(ctx.call.iam("RemoveUserFromGroup", { UserName: name, GroupName: g }));
    await ignoreNotFound(ctx.call.iam("DeleteUser", { UserName: name }));
  },
};

/** Ref is the access key id; SecretAccessKey is an attribute (AWS warns it shows in outputs). */
export const accessKeyProvider: ResourceProvider = {
  type: "AWS::IAM::AccessKey",
  iam: {},
  schema: specSchema("AWS::IAM::AccessKey"),
  async create(ctx, props) {
    const r = await ctx.call.iam("CreateAccessKey", { UserName: s(props.UserName) });
    const id = String(pick(r, "AccessKey.AccessKeyId"));
    if (s(props.Status) === "Inactive") await ctx.call.iam("UpdateAccessKey", { UserName: s(props.UserName), AccessKeyId: id, Status: "Inactive" });
    return { physicalId: id, attributes: { SecretAccessKey: pick(r, "AccessKey.SecretAccessKey") } };
  },
  async update(ctx, id, props, _old, attrs) {
    await ctx.call.iam("UpdateAccessKey", { UserName: s(props.UserName), AccessKeyId: id, Status: s(props.Status) ?? "Active" });
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id, props) {
    await ignoreNotFound(ctx.call.iam("DeleteAccessKey", { UserName: s(props.UserName), AccessKeyId: id }));
  },
};
