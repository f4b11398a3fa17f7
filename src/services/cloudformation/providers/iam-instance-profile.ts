import { specSchema } from "../spec/resource-spec.ts";
import { ignoreNotFound, list, pick, s } from "./common.ts";
import type { ProviderContext, ResourceProvider } from "./types.ts";

async function setRoles(ctx: ProviderContext, name: string, now: string[], before: string[]): Promise<void> {
  for (const r of before) if (!now.includes(r)) await ignoreNotFound(ctx.call.iam("RemoveRoleFromInstanceProfile", { InstanceProfileName: name, RoleName: r }));
  for (const r of now) if (!before.includes(r)) await ctx.call.iam("AddRoleToInstanceProfile", { InstanceProfileName: name, RoleName: r });
}

/** AWS::IAM::InstanceProfile: Ref is the profile's name, GetAtt Arn its ARN. */
export const instanceProfileProvider: ResourceProvider = {
  type: "AWS::IAM::InstanceProfile",
  iam: { nameProperty: "InstanceProfileName" },
  schema: specSchema("AWS::IAM::InstanceProfile"),
  async create(ctx, props) {
    const name = s(props.InstanceProfileName) ?? ctx.physicalName(128);
    const r = await ctx.call.iam("CreateInstanceProfile", { InstanceProfileName: name, Path: s(props.Path) });
    try {
      await setRoles(ctx, name, list(props.Roles).map(String), []);
    } catch (e) {
      await ctx.call.iam("DeleteInstanceProfile", { InstanceProfileName: name }).catch(() => {});
      throw e;
    }
    return { physicalId: name, attributes: { Arn: pick(r, "InstanceProfile.Arn") } };
  },
  async update(ctx, name, props, old, attrs) {
    await setRoles(ctx, name, list(props.Roles).map(String), list(old.Roles).map(String));
    return { physicalId: name, attributes: attrs };
  },
  async delete(ctx, name, props) {
    await setRoles(ctx, name, [], list(props.Roles).map(String));
    await ignoreNotFound(ctx.call.iam("DeleteInstanceProfile", { InstanceProfileName: name }));
  },
};
