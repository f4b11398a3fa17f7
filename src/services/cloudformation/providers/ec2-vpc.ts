import { pick, retagEc2, s, tagSpec } from "./common.ts";
import type { ResourceProvider } from "./types.ts";
import { specSchema } from "../spec/resource-spec.ts";

async function vpcAttributes(ctx: Parameters<ResourceProvider["create"]>[0], vpcId: string) {
  const vpc = pick(await ctx.call.ec2("DescribeVpcs", { "VpcId.1": vpcId }), "vpcSet.0");
  const sg = await ctx.call.ec2("DescribeSecurityGroups", { "Filter.1.Name": "vpc-id", "Filter.1.Value.1": vpcId, "Filter.2.Name": "group-name", "Filter.2.Value.1": "default" });
  const acl = await ctx.call.ec2("DescribeNetworkAcls", { "Filter.1.Name": "vpc-id", "Filter.1.Value.1": vpcId, "Filter.2.Name": "default", "Filter.2.Value.1": "true" });
  return {
    VpcId: vpcId,
    CidrBlock: pick(vpc, "cidrBlock"),
    CidrBlockAssociations: (pick(vpc, "cidrBlockAssociationSet") ?? []).map((a: any) => a.associationId),
    Ipv6CidrBlocks: (pick(vpc, "ipv6CidrBlockAssociationSet") ?? []).map((a: any) => a.ipv6CidrBlock),
    DefaultSecurityGroup: pick(sg, "securityGroupInfo.0.groupId"),
    DefaultNetworkAcl: pick(acl, "networkAclSet.0.networkAclId"),
  };
}

export const vpcProvider: ResourceProvider = {
  type: "AWS::EC2::VPC",
  schema: specSchema("AWS::EC2::VPC", { unimplemented: ["VpcEncryptionControl"] }),
  async create(ctx, props) {
    const r = await ctx.call.ec2("CreateVpc", { CidrBlock: s(props.CidrBlock), InstanceTenancy: s(props.InstanceTenancy), Ipv4NetmaskLength: s(props.Ipv4NetmaskLength), ...tagSpec(ctx, props, "vpc") });
    const id = pick(r, "vpc.vpcId");
    if (props.EnableDnsSupport !== undefined) await ctx.call.ec2("ModifyVpcAttribute", { VpcId: id, "EnableDnsSupport.Value": s(props.EnableDnsSupport) });
    if (props.EnableDnsHostnames !== undefined) await ctx.call.ec2("ModifyVpcAttribute", { VpcId: id, "EnableDnsHostnames.Value": s(props.EnableDnsHostnames) });
    return { physicalId: id, attributes: await vpcAttributes(ctx, id) };
  },
  async update(ctx, id, props, old) {
    for (const a of ["EnableDnsSupport", "EnableDnsHostnames"]) {
      if (s(props[a]) !== s(old[a])) await ctx.call.ec2("ModifyVpcAttribute", { VpcId: id, [`${a}.Value`]: s(props[a]) ?? (a === "EnableDnsSupport" ? "true" : "false") });
    }
    if (s(props.InstanceTenancy) !== s(old.InstanceTenancy)) await ctx.call.ec2("ModifyVpcTenancy", { VpcId: id, InstanceTenancy: s(props.InstanceTenancy) ?? "default" });
    await retagEc2(ctx, id, props, old);
    return { physicalId: id, attributes: await vpcAttributes(ctx, id) };
  },
  async delete(ctx, id) {
    await ctx.call.ec2("DeleteVpc", { VpcId: id });
  },
};

export const vpcCidrBlockProvider: ResourceProvider = {
  type: "AWS::EC2::VPCCidrBlock",
  schema: specSchema("AWS::EC2::VPCCidrBlock", { unimplemented: ["Ipv4IpamPoolId", "Ipv4NetmaskLength", "Ipv6CidrBlockNetworkBorderGroup", "Ipv6IpamPoolId", "Ipv6NetmaskLength"] }),
  async create(ctx, props) {
    const r = await ctx.call.ec2("AssociateVpcCidrBlock", {
      VpcId: s(props.VpcId),
      CidrBlock: s(props.CidrBlock),
      AmazonProvidedIpv6CidrBlock: s(props.AmazonProvidedIpv6CidrBlock),
      Ipv6CidrBlock: s(props.Ipv6CidrBlock),
    });
    const id = pick(r, "cidrBlockAssociation.associationId") ?? pick(r, "ipv6CidrBlockAssociation.associationId");
    return { physicalId: id, attributes: { Id: id, Ipv6CidrBlock: pick(r, "ipv6CidrBlockAssociation.ipv6CidrBlock") ?? null } };
  },
  async delete(ctx, id, props) {
    await ctx.call.ec2(props.CidrBlock !== undefined ? "DisassociateVpcCidrBlock" : "DisassociateVpcCidrBlock", { AssociationId: id });
  },
};
