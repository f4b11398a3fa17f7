import { ignoreNotFound, list, numbered, pick, retagEc2, s, tagSpec } from "./common.ts";
import type { ResourceProvider } from "./types.ts";
import { specSchema } from "../spec/resource-spec.ts";

export const vpcPeeringConnectionProvider: ResourceProvider = {
  type: "AWS::EC2::VPCPeeringConnection",
  schema: specSchema("AWS::EC2::VPCPeeringConnection", { unimplemented: ["AssumeRoleRegion"] }),
  async create(ctx, props) {
    const r = await ctx.call.ec2("CreateVpcPeeringConnection", { VpcId: s(props.VpcId), PeerVpcId: s(props.PeerVpcId), PeerOwnerId: s(props.PeerOwnerId), PeerRegion: s(props.PeerRegion), ...tagSpec(ctx, props, "vpc-peering-connection") });
    const id = String(pick(r, "vpcPeeringConnection.vpcPeeringConnectionId"));
    // Same account and region: CloudFormation accepts the request it made. Across Regions it stays
    // pending-acceptance for the peer's Region to accept (unverified: whether AWS accepts it itself).
    const sameAccount = props.PeerOwnerId === undefined || s(props.PeerOwnerId) === ctx.account;
    const sameRegion = props.PeerRegion === undefined || s(props.PeerRegion) === ctx.region;
    if (sameAccount && sameRegion) await ctx.call.ec2("AcceptVpcPeeringConnection", { VpcPeeringConnectionId: id });
    return { physicalId: id, attributes: { Id: id } };
  },
  async update(ctx, id, props, old, attrs) {
    await retagEc2(ctx, id, props, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id) {
    await ignoreNotFound(ctx.call.ec2("DeleteVpcPeeringConnection", { VpcPeeringConnectionId: id }));
  },
};

export const networkInterfaceProvider: ResourceProvider = {
  type: "AWS::EC2::NetworkInterface",
  schema: specSchema("AWS::EC2::NetworkInterface", { unimplemented: ["ConnectionTrackingSpecification", "EnablePrimaryIpv6", "Ipv4PrefixCount", "Ipv4Prefixes", "Ipv6Addresses", "Ipv6PrefixCount", "Ipv6Prefixes", "PrivateIpAddresses", "PublicIpDnsHostnameTypeSpecification"] }),
  async create(ctx, props) {
    const r = await ctx.call.ec2("CreateNetworkInterface", {
      SubnetId: s(props.SubnetId),
      Description: s(props.Description),
      PrivateIpAddress: s(props.PrivateIpAddress),
      SecondaryPrivateIpAddressCount: s(props.SecondaryPrivateIpAddressCount),
      Ipv6AddressCount: s(props.Ipv6AddressCount),
      ...numbered("SecurityGroupId", list(props.GroupSet)),
      ...tagSpec(ctx, props, "network-interface"),
    });
    const eni = pick(r, "networkInterface");
    const id = String(eni.networkInterfaceId);
    const secondary = (eni.privateIpAddressesSet ?? []).filter((a: any) => String(a.primary) !== "true").map((a: any) => a.privateIpAddress);
    return { physicalId: id, attributes: { Id: id, PrimaryPrivateIpAddress: eni.privateIpAddress, SecondaryPrivateIpAddresses: secondary, PrimaryIpv6Address: pick(eni, "ipv6AddressesSet.0.ipv6Address") ?? null, VpcId: eni.vpcId } };
  },
  async update(ctx, id, props, old, attrs) {
    if (s(props.Description) !== s(old.Description)) await ctx.call.ec2("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: id, "Description.Value": s(props.Description) ?? "" });
    if (JSON.stringify(props.GroupSet ?? null) !== JSON.stringify(old.GroupSet ?? null)) await ctx.call.ec2("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: id, ...numbered("SecurityGroupId", list(props.GroupSet)) });
    if (props.SourceDestCheck !== undefined && s(props.SourceDestCheck) !== s(old.SourceDestCheck)) await ctx.call.ec2("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: id, "SourceDestCheck.Value": s(props.SourceDestCheck) });
    await retagEc2(ctx, id, props, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id) {
    await ctx.call.ec2("DeleteNetworkInterface", { NetworkInterfaceId: id });
  },
};
