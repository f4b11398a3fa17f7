import { ignoreNotFound, pick, retagEc2, s, tagSpec, waitUntil } from "./common.ts";
import type { ProviderContext, ResourceProvider } from "./types.ts";
import { specSchema } from "../spec/resource-spec.ts";

export const internetGatewayProvider: ResourceProvider = {
  type: "AWS::EC2::InternetGateway",
  schema: specSchema("AWS::EC2::InternetGateway"),
  async create(ctx, props) {
    const id = pick(await ctx.call.ec2("CreateInternetGateway", tagSpec(ctx, props, "internet-gateway")), "internetGateway.internetGatewayId");
    return { physicalId: id, attributes: { InternetGatewayId: id } };
  },
  async update(ctx, id, props, old, attrs) {
    await retagEc2(ctx, id, props, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id) {
    await ctx.call.ec2("DeleteInternetGateway", { InternetGatewayId: id });
  },
};

/** Physical id as AWS shows it: IGW|vpc-0123 (unverified: AWS uses this form for the attachment). */
export const vpcGatewayAttachmentProvider: ResourceProvider = {
  type: "AWS::EC2::VPCGatewayAttachment",
  schema: specSchema("AWS::EC2::VPCGatewayAttachment"),
  async create(ctx, props) {
    if (props.InternetGatewayId === undefined) throw new Error("Properties validation failed: InternetGatewayId is required (hyperlocal serves no VPN gateways)"); // unverified wording
    await ctx.call.ec2("AttachInternetGateway", { InternetGatewayId: s(props.InternetGatewayId), VpcId: s(props.VpcId) });
    return { physicalId: `IGW|${s(props.VpcId)}`, attributes: {} };
  },
  async delete(ctx, _id, props) {
    await ctx.call.ec2("DetachInternetGateway", { InternetGatewayId: s(props.InternetGatewayId), VpcId: s(props.VpcId) });
  },
};

export const egressOnlyInternetGatewayProvider: ResourceProvider = {
  type: "AWS::EC2::EgressOnlyInternetGateway",
  schema: specSchema("AWS::EC2::EgressOnlyInternetGateway"),
  async create(ctx, props) {
    const id = pick(await ctx.call.ec2("CreateEgressOnlyInternetGateway", { VpcId: s(props.VpcId), ...tagSpec(ctx, props, "egress-only-internet-gateway") }), "egressOnlyInternetGateway.egressOnlyInternetGatewayId");
    return { physicalId: id, attributes: { Id: id } };
  },
  async delete(ctx, id) {
    await ctx.call.ec2("DeleteEgressOnlyInternetGateway", { EgressOnlyInternetGatewayId: id });
  },
};

/** Ref of an EIP is its public address; AllocationId is an attribute. */
export const eipProvider: ResourceProvider = {
  type: "AWS::EC2::EIP",
  schema: specSchema("AWS::EC2::EIP", { unimplemented: ["Address", "IpamPoolId"] }),
  async create(ctx, props) {
    const r = await ctx.call.ec2("AllocateAddress", { Domain: s(props.Domain) ?? "vpc", NetworkBorderGroup: s(props.NetworkBorderGroup), ...tagSpec(ctx, props, "elastic-ip") });
    return { physicalId: String(pick(r, "publicIp")), attributes: { AllocationId: pick(r, "allocationId"), PublicIp: pick(r, "publicIp") } };
  },
  async update(ctx, id, props, old, attrs) {
    await retagEc2(ctx, String(attrs.AllocationId), props, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, _id, _props, attrs) {
    await ctx.call.ec2("ReleaseAddress", { AllocationId: s(attrs.AllocationId) });
  },
};

/** Stable when available (EC2 moves it on the clock); deleted once EC2 says deleted. */
export const natGatewayProvider: ResourceProvider = {
  type: "AWS::EC2::NatGateway",
  schema: specSchema("AWS::EC2::NatGateway", { unimplemented: ["AvailabilityMode", "AvailabilityZoneAddresses", "VpcId"] }),
  async create(ctx, props) {
    const r = await ctx.call.ec2("CreateNatGateway", {
      SubnetId: s(props.SubnetId),
      AllocationId: s(props.AllocationId),
      ConnectivityType: s(props.ConnectivityType),
      PrivateIpAddress: s(props.PrivateIpAddress),
      ...tagSpec(ctx, props, "natgateway"),
    });
    const id = String(pick(r, "natGateway.natGatewayId"));
    ctx.created(id, { NatGatewayId: id });
    await natAvailable(ctx, id);
    return { physicalId: id, attributes: { NatGatewayId: id } };
  },
  async resume(ctx, id) {
    await natAvailable(ctx, id);
    return { physicalId: id, attributes: { NatGatewayId: id } };
  },
  async update(ctx, id, props, old, attrs) {
    await retagEc2(ctx, id, props, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id) {
    await ignoreNotFound(ctx.call.ec2("DeleteNatGateway", { NatGatewayId: id }));
    await waitUntil(ctx, async () => {
      const nat = pick(await ctx.call.ec2("DescribeNatGateways", { "NatGatewayId.1": id }), "natGatewaySet.0");
      return !nat || nat.state === "deleted";
    });
  },
};

function natAvailable(ctx: ProviderContext, id: string): Promise<void> {
  return waitUntil(ctx, async () => {
    const nat = pick(await ctx.call.ec2("DescribeNatGateways", { "NatGatewayId.1": id }), "natGatewaySet.0");
    if (nat?.state === "failed") throw new Error(`NAT gateway ${id} failed: ${nat.failureMessage ?? "unknown reason"}`);
    return nat?.state === "available";
  });
}
