import { pick, retagEc2, s, tagSpec } from "./common.ts";
import type { QueryParams } from "../caller.ts";
import type { JsonObject } from "../template/parse.ts";
import type { ResourceProvider } from "./types.ts";
import { specSchema } from "../spec/resource-spec.ts";

export const routeTableProvider: ResourceProvider = {
  type: "AWS::EC2::RouteTable",
  schema: specSchema("AWS::EC2::RouteTable"),
  async create(ctx, props) {
    const id = pick(await ctx.call.ec2("CreateRouteTable", { VpcId: s(props.VpcId), ...tagSpec(ctx, props, "route-table") }), "routeTable.routeTableId");
    return { physicalId: id, attributes: { RouteTableId: id } };
  },
  async update(ctx, id, props, old, attrs) {
    await retagEc2(ctx, id, props, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id) {
    await ctx.call.ec2("DeleteRouteTable", { RouteTableId: id });
  },
};

const TARGETS = ["GatewayId", "NatGatewayId", "EgressOnlyInternetGatewayId", "NetworkInterfaceId", "VpcPeeringConnectionId", "InstanceId", "TransitGatewayId", "VpcEndpointId", "CarrierGatewayId", "LocalGatewayId", "CoreNetworkArn"];

function routeParams(props: JsonObject): QueryParams {
  const p: QueryParams = { RouteTableId: s(props.RouteTableId), DestinationCidrBlock: s(props.DestinationCidrBlock), DestinationIpv6CidrBlock: s(props.DestinationIpv6CidrBlock), DestinationPrefixListId: s(props.DestinationPrefixListId) };
  for (const t of TARGETS) p[t] = s(props[t]);
  return p;
}

/** Physical id rtb-0123|0.0.0.0/0, as AWS shows it. */
export const routeProvider: ResourceProvider = {
  type: "AWS::EC2::Route",
  schema: specSchema("AWS::EC2::Route", { unimplemented: ["OdbNetworkArn"] }),
  async create(ctx, props) {
    await ctx.call.ec2("CreateRoute", routeParams(props));
    const dest = s(props.DestinationCidrBlock) ?? s(props.DestinationIpv6CidrBlock) ?? s(props.DestinationPrefixListId);
    return { physicalId: `${s(props.RouteTableId)}|${dest}`, attributes: { CidrBlock: s(props.DestinationCidrBlock) ?? null } };
  },
  async update(ctx, id, props, _old, attrs) {
    await ctx.call.ec2("ReplaceRoute", routeParams(props));
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, _id, props) {
    await ctx.call.ec2("DeleteRoute", { RouteTableId: s(props.RouteTableId), DestinationCidrBlock: s(props.DestinationCidrBlock), DestinationIpv6CidrBlock: s(props.DestinationIpv6CidrBlock), DestinationPrefixListId: s(props.DestinationPrefixListId) });
  },
};

export const subnetRouteTableAssociationProvider: ResourceProvider = {
  type: "AWS::EC2::SubnetRouteTableAssociation",
  schema: specSchema("AWS::EC2::SubnetRouteTableAssociation"),
  async create(ctx, props) {
    const id = String(pick(await ctx.call.ec2("AssociateRouteTable", { RouteTableId: s(props.RouteTableId), SubnetId: s(props.SubnetId) }), "associationId"));
    return { physicalId: id, attributes: { Id: id } };
  },
  async delete(ctx, id) {
    await ctx.call.ec2("DisassociateRouteTable", { AssociationId: id });
  },
};
