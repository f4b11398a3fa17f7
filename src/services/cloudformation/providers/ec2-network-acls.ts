import { pick, retagEc2, s, tagSpec } from "./common.ts";
import type { QueryParams } from "../caller.ts";
import { isObject, type JsonObject } from "../template/parse.ts";
import type { ResourceProvider } from "./types.ts";
import { specSchema } from "../spec/resource-spec.ts";

export const networkAclProvider: ResourceProvider = {
  type: "AWS::EC2::NetworkAcl",
  schema: specSchema("AWS::EC2::NetworkAcl"),
  async create(ctx, props) {
    const id = pick(await ctx.call.ec2("CreateNetworkAcl", { VpcId: s(props.VpcId), ...tagSpec(ctx, props, "network-acl") }), "networkAcl.networkAclId");
    return { physicalId: id, attributes: { Id: id } };
  },
  async update(ctx, id, props, old, attrs) {
    await retagEc2(ctx, id, props, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id) {
    await ctx.call.ec2("DeleteNetworkAcl", { NetworkAclId: id });
  },
};

function entryParams(props: JsonObject): QueryParams {
  const icmp = isObject(props.Icmp) ? props.Icmp : undefined;
  const ports = isObject(props.PortRange) ? props.PortRange : undefined;
  return {
    NetworkAclId: s(props.NetworkAclId),
    RuleNumber: s(props.RuleNumber),
    Protocol: s(props.Protocol),
    RuleAction: s(props.RuleAction),
    Egress: s(props.Egress) ?? "false",
    CidrBlock: s(props.CidrBlock),
    Ipv6CidrBlock: s(props.Ipv6CidrBlock),
    "PortRange.From": s(ports?.From),
    "PortRange.To": s(ports?.To),
    "Icmp.Code": s(icmp?.Code),
    "Icmp.Type": s(icmp?.Type),
  };
}

export const networkAclEntryProvider: ResourceProvider = {
  type: "AWS::EC2::NetworkAclEntry",
  schema: specSchema("AWS::EC2::NetworkAclEntry"),
  async create(ctx, props) {
    await ctx.call.ec2("CreateNetworkAclEntry", entryParams(props));
    const id = `${s(props.NetworkAclId)}|${s(props.Egress) === "true" ? "egress" : "ingress"}|${s(props.RuleNumber)}`;
    return { physicalId: id, attributes: { Id: id } };
  },
  async update(ctx, id, props, _old, attrs) {
    await ctx.call.ec2("ReplaceNetworkAclEntry", entryParams(props));
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, _id, props) {
    await ctx.call.ec2("DeleteNetworkAclEntry", { NetworkAclId: s(props.NetworkAclId), RuleNumber: s(props.RuleNumber), Egress: s(props.Egress) ?? "false" });
  },
};

/** Moves a subnet to the ACL; on delete, back to its VPC's default ACL. */
export const subnetNetworkAclAssociationProvider: ResourceProvider = {
  type: "AWS::EC2::SubnetNetworkAclAssociation",
  schema: specSchema("AWS::EC2::SubnetNetworkAclAssociation"),
  async create(ctx, props) {
    const acls = await ctx.call.ec2("DescribeNetworkAcls", { "Filter.1.Name": "association.subnet-id", "Filter.1.Value.1": s(props.SubnetId) });
    const current = (pick(acls, "networkAclSet.0.associationSet") ?? []).find((a: any) => a.subnetId === s(props.SubnetId));
    const id = String(pick(await ctx.call.ec2("ReplaceNetworkAclAssociation", { AssociationId: current?.networkAclAssociationId, NetworkAclId: s(props.NetworkAclId) }), "newAssociationId"));
    return { physicalId: id, attributes: { AssociationId: id } };
  },
  async delete(ctx, id, props) {
    const sn = pick(await ctx.call.ec2("DescribeSubnets", { "SubnetId.1": s(props.SubnetId) }), "subnetSet.0");
    if (!sn) return;
    const def = pick(await ctx.call.ec2("DescribeNetworkAcls", { "Filter.1.Name": "vpc-id", "Filter.1.Value.1": sn.vpcId, "Filter.2.Name": "default", "Filter.2.Value.1": "true" }), "networkAclSet.0.networkAclId");
    await ctx.call.ec2("ReplaceNetworkAclAssociation", { AssociationId: id, NetworkAclId: def });
  },
};
