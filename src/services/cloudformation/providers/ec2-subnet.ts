import { pick, retagEc2, s, tagSpec } from "./common.ts";
import type { ProviderContext, ResourceProvider } from "./types.ts";
import { specSchema } from "../spec/resource-spec.ts";

async function subnetAttributes(ctx: ProviderContext, id: string) {
  const sn = pick(await ctx.call.ec2("DescribeSubnets", { "SubnetId.1": id }), "subnetSet.0");
  const acl = await ctx.call.ec2("DescribeNetworkAcls", { "Filter.1.Name": "association.subnet-id", "Filter.1.Value.1": id });
  const assoc = (pick(acl, "networkAclSet.0.associationSet") ?? []).find((a: any) => a.subnetId === id);
  return {
    SubnetId: id,
    VpcId: pick(sn, "vpcId"),
    AvailabilityZone: pick(sn, "availabilityZone"),
    AvailabilityZoneId: pick(sn, "availabilityZoneId"),
    CidrBlock: pick(sn, "cidrBlock"),
    Ipv6CidrBlocks: (pick(sn, "ipv6CidrBlockAssociationSet") ?? []).map((a: any) => a.ipv6CidrBlock),
    NetworkAclAssociationId: assoc?.networkAclAssociationId ?? null,
    OutpostArn: null,
  };
}

export const subnetProvider: ResourceProvider = {
  type: "AWS::EC2::Subnet",
  schema: specSchema("AWS::EC2::Subnet", { unimplemented: ["EnableLniAtDeviceIndex", "Ipv4IpamPoolId", "Ipv4NetmaskLength", "Ipv6IpamPoolId", "Ipv6NetmaskLength", "OutpostArn"] }),
  async create(ctx, props) {
    const r = await ctx.call.ec2("CreateSubnet", {
      VpcId: s(props.VpcId),
      CidrBlock: s(props.CidrBlock),
      AvailabilityZone: s(props.AvailabilityZone),
      AvailabilityZoneId: s(props.AvailabilityZoneId),
      Ipv6CidrBlock: s(props.Ipv6CidrBlock),
      Ipv6Native: s(props.Ipv6Native),
      ...tagSpec(ctx, props, "subnet"),
    });
    const id = pick(r, "subnet.subnetId");
    await modify(ctx, id, props, {});
    return { physicalId: id, attributes: await subnetAttributes(ctx, id) };
  },
  async update(ctx, id, props, old) {
    if (s(props.Ipv6CidrBlock) !== s(old.Ipv6CidrBlock)) {
      const cur = pick(await ctx.call.ec2("DescribeSubnets", { "SubnetId.1": id }), "subnetSet.0.ipv6CidrBlockAssociationSet.0.associationId");
      if (cur) await ctx.call.ec2("DisassociateSubnetCidrBlock", { AssociationId: cur });
      if (props.Ipv6CidrBlock !== undefined) await ctx.call.ec2("AssociateSubnetCidrBlock", { SubnetId: id, Ipv6CidrBlock: s(props.Ipv6CidrBlock) });
    }
    await modify(ctx, id, props, old);
    await retagEc2(ctx, id, props, old);
    return { physicalId: id, attributes: await subnetAttributes(ctx, id) };
  },
  async delete(ctx, id) {
    await ctx.call.ec2("DeleteSubnet", { SubnetId: id });
  },
};

async function modify(ctx: ProviderContext, id: string, props: Record<string, any>, old: Record<string, any>) {
  for (const a of ["MapPublicIpOnLaunch", "AssignIpv6AddressOnCreation", "EnableDns64"]) {
    if (props[a] !== undefined && s(props[a]) !== s(old[a])) await ctx.call.ec2("ModifySubnetAttribute", { SubnetId: id, [`${a}.Value`]: s(props[a]) });
  }
}
