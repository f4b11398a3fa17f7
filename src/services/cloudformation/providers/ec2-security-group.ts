import type { QueryParams } from "../caller.ts";
import type { Json, JsonObject } from "../template/parse.ts";
import { list, pick, retagEc2, s, tagSpec } from "./common.ts";
import type { ProviderContext, ResourceProvider } from "./types.ts";
import { specSchema } from "../spec/resource-spec.ts";

/** One rule of the template as IpPermissions.N.* parameters. */
function permission(rule: JsonObject, n: number, peerKey: "SourceSecurityGroupId" | "DestinationSecurityGroupId"): QueryParams {
  const p: QueryParams = { [`IpPermissions.${n}.IpProtocol`]: s(rule.IpProtocol), [`IpPermissions.${n}.FromPort`]: s(rule.FromPort), [`IpPermissions.${n}.ToPort`]: s(rule.ToPort) };
  if (rule.CidrIp !== undefined) Object.assign(p, { [`IpPermissions.${n}.IpRanges.1.CidrIp`]: s(rule.CidrIp), [`IpPermissions.${n}.IpRanges.1.Description`]: s(rule.Description) });
  if (rule.CidrIpv6 !== undefined) Object.assign(p, { [`IpPermissions.${n}.Ipv6Ranges.1.CidrIpv6`]: s(rule.CidrIpv6), [`IpPermissions.${n}.Ipv6Ranges.1.Description`]: s(rule.Description) });
  if (rule[peerKey] !== undefined) Object.assign(p, { [`IpPermissions.${n}.Groups.1.GroupId`]: s(rule[peerKey]), [`IpPermissions.${n}.Groups.1.Description`]: s(rule.Description) });
  if (rule.DestinationPrefixListId !== undefined || rule.SourcePrefixListId !== undefined) {
    p[`IpPermissions.${n}.PrefixListIds.1.PrefixListId`] = s(rule.DestinationPrefixListId ?? rule.SourcePrefixListId);
  }
  return p;
}

function rules(v: Json | undefined): JsonObject[] {
  return list(v).filter((r): r is JsonObject => typeof r === "object" && r !== null && !Array.isArray(r));
}

async function apply(ctx: ProviderContext, groupId: string, action: string, rs: JsonObject[], peerKey: "SourceSecurityGroupId" | "DestinationSecurityGroupId") {
  if (rs.length === 0) return;
  const p: QueryParams = { GroupId: groupId };
  rs.forEach((r, i) => Object.assign(p, permission(r, i + 1, peerKey)));
  await ctx.call.ec2(action, p);
}

const ALLOW_ALL_EGRESS: JsonObject = { IpProtocol: "-1", CidrIp: "0.0.0.0/0" };

export const securityGroupProvider: ResourceProvider = {
  type: "AWS::EC2::SecurityGroup",
  schema: specSchema("AWS::EC2::SecurityGroup"),
  async create(ctx, props) {
    const name = s(props.GroupName) ?? ctx.physicalName(255);
    const r = await ctx.call.ec2("CreateSecurityGroup", { GroupName: name, GroupDescription: s(props.GroupDescription), VpcId: s(props.VpcId), ...tagSpec(ctx, props, "security-group") });
    const id = String(pick(r, "groupId"));
    try {
      await apply(ctx, id, "AuthorizeSecurityGroupIngress", rules(props.SecurityGroupIngress), "SourceSecurityGroupId");
      // Egress rules in the template replace the default allow-all rule, as CloudFormation does.
      if (props.SecurityGroupEgress !== undefined) {
        await apply(ctx, id, "RevokeSecurityGroupEgress", [ALLOW_ALL_EGRESS], "DestinationSecurityGroupId");
        await apply(ctx, id, "AuthorizeSecurityGroupEgress", rules(props.SecurityGroupEgress), "DestinationSecurityGroupId");
      }
    } catch (e) {
      await ctx.call.ec2("DeleteSecurityGroup", { GroupId: id }).catch(() => {});
      throw e;
    }
    const vpcId = pick(await ctx.call.ec2("DescribeSecurityGroups", { "GroupId.1": id }), "securityGroupInfo.0.vpcId");
    return { physicalId: id, attributes: { GroupId: id, VpcId: vpcId } };
  },
  async update(ctx, id, props, old, attrs) {
    const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (!same(props.SecurityGroupIngress, old.SecurityGroupIngress)) {
      await apply(ctx, id, "RevokeSecurityGroupIngress", rules(old.SecurityGroupIngress), "SourceSecurityGroupId");
      await apply(ctx, id, "AuthorizeSecurityGroupIngress", rules(props.SecurityGroupIngress), "SourceSecurityGroupId");
    }
    if (!same(props.SecurityGroupEgress, old.SecurityGroupEgress)) {
      await apply(ctx, id, "RevokeSecurityGroupEgress", old.SecurityGroupEgress === undefined ? [ALLOW_ALL_EGRESS] : rules(old.SecurityGroupEgress), "DestinationSecurityGroupId");
      await apply(ctx, id, "AuthorizeSecurityGroupEgress", props.SecurityGroupEgress === undefined ? [ALLOW_ALL_EGRESS] : rules(props.SecurityGroupEgress), "DestinationSecurityGroupId");
    }
    await retagEc2(ctx, id, props, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id) {
    await ctx.call.ec2("DeleteSecurityGroup", { GroupId: id });
  },
};

function ruleProvider(type: string, direction: "Ingress" | "Egress"): ResourceProvider {
  const peerKey = direction === "Ingress" ? "SourceSecurityGroupId" : "DestinationSecurityGroupId";
  return {
    type,
    schema: specSchema(type, direction === "Ingress" ? { unimplemented: ["GroupName", "SourceSecurityGroupName", "SourceSecurityGroupOwnerId"] } : {}),
    async create(ctx, props) {
      const r = await ctx.call.ec2(`AuthorizeSecurityGroup${direction}`, { GroupId: s(props.GroupId), ...permission(props, 1, peerKey) });
      const id = String(pick(r, "securityGroupRuleSet.0.securityGroupRuleId"));
      return { physicalId: id, attributes: { Id: id } };
    },
    async delete(ctx, id, props) {
      await ctx.call.ec2(`RevokeSecurityGroup${direction}`, { GroupId: s(props.GroupId), "SecurityGroupRuleId.1": id });
    },
  };
}

export const securityGroupIngressProvider = ruleProvider("AWS::EC2::SecurityGroupIngress", "Ingress");
export const securityGroupEgressProvider = ruleProvider("AWS::EC2::SecurityGroupEgress", "Egress");
