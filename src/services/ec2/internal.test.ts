// The internal API other services use (Hyperplane ENIs, the network model) and the IAM questions
// each operation asks, tested on the service itself without HTTP.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";
import { defaultConfig } from "../../config.ts";
import { AwsError } from "../../core/aws-error.ts";
import { conditionKeys, type AuthDecision } from "../../core/authorization.ts";
import { SimulatedClock } from "../../core/clock.ts";
import { createLogger } from "../../core/logger.ts";
import { rootPrincipal } from "../../core/principal.ts";
import type { AuthorizeExtra, OperationContext } from "../../core/operation-context.ts";
import { Store } from "../../store/store.ts";
import { toTree } from "../../core/input-tree.ts";
import { createEc2Service } from "./index.ts";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";

interface Asked {
  action: string;
  resource: string;
  context: Record<string, unknown>;
}

function setup() {
  const clock = new SimulatedClock();
  const deps = { store: new Store(), clock, config: defaultConfig({ logLevel: "silent" }), logger: createLogger("silent") };
  const { model, operations, internal } = createEc2Service(deps);
  const asked: Asked[] = [];
  let deny: ((a: Asked) => boolean) | undefined;

  async function call(action: string, params: Record<string, string> = {}): Promise<{ status: number; body: string; code?: string }> {
    const ctx: OperationContext = {
      requestId: "req-1",
      region: REGION,
      accountId: ACCOUNT,
      principal: rootPrincipal(ACCOUNT, "AKIATEST"),
      sourceIp: "127.0.0.1",
      clock,
      operation: "-",
      decide: () => ({ allowed: true, result: "Allowed" }),
      authorize(a: string, resource: string, extra?: AuthorizeExtra) {
        const q = { action: a, resource, context: { ...(conditionKeys(extra?.context) ?? {}) } };
        asked.push(q);
        if (deny?.(q)) {
          const d: AuthDecision = { allowed: false, result: "ImplicitDeny" };
          throw model.accessDenied(ctx.principal.arn, a, resource, d);
        }
      },
    };
    // The operation's output tree as JSON: the wire's XML is the codec's business (protocol/query).
    const answer = async (action: string, body: string) => {
      ctx.operation = action;
      return { status: 200, body: JSON.stringify((await operations[action](toTree(new URLSearchParams(body)), ctx)) ?? {}) };
    };
    const body = new URLSearchParams({ Action: action, Version: "2016-11-15", ...params }).toString();
    try {
      return await answer(action, body);
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      return { status: e.status, body: e.message, code: e.code };
    }
  }
  const pick = (json: string, member: string) => {
    const m = new RegExp(`"${member}":(?:"([^"]*)"|([^,}\\]]+))`).exec(json);
    return m?.[1] ?? m?.[2] ?? "";
  };
  return {
    internal,
    call,
    pick,
    asked,
    setDeny: (f: typeof deny) => {
      deny = f;
    },
    clock,
  };
}

let h: ReturnType<typeof setup>;
beforeEach(() => {
  h = setup();
});

async function network() {
  const vpc = h.pick((await h.call("CreateVpc", { CidrBlock: "10.0.0.0/16", AmazonProvidedIpv6CidrBlock: "true" })).body, "vpcId");
  const v6 = h.pick((await h.call("DescribeVpcs", { "VpcId.1": vpc })).body, "ipv6CidrBlock");
  const block = v6.replace("::/56", "::/64");
  const subnet = h.pick((await h.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.0.1.0/28", Ipv6CidrBlock: block })).body, "subnetId");
  const sg = h.pick((await h.call("CreateSecurityGroup", { VpcId: vpc, GroupName: "fn", GroupDescription: "fn" })).body, "groupId");
  return { vpc, subnet, sg };
}

describe("internal API", () => {
  test("describe subnets, groups and VPCs in the caller's account and region", async () => {
    const { vpc, subnet, sg } = await network();
    const s = h.internal.describeSubnet(ACCOUNT, REGION, subnet)!;
    assert.equal(s.vpcId, vpc);
    assert.equal(s.cidrBlock, "10.0.1.0/28");
    assert.equal(s.ipv6CidrBlocks.length, 1);
    assert.equal(s.ipv6Native, false);
    assert.equal(s.availabilityZone, "eu-west-1a");
    assert.equal(s.availabilityZoneId, "euw1-az3");
    assert.equal(s.availableIpAddressCount, 11);
    assert.deepEqual(h.internal.describeSecurityGroup(ACCOUNT, REGION, sg), { groupId: sg, groupName: "fn", vpcId: vpc });
    const v = h.internal.describeVpc(ACCOUNT, REGION, vpc)!;
    assert.deepEqual(v.cidrBlocks, ["10.0.0.0/16"]);
    assert.equal(v.instanceTenancy, "default");
    assert.equal(v.ipv6CidrBlocks.length, 1);
    assert.equal(h.internal.describeSubnet(ACCOUNT, "us-east-1", subnet), undefined, "another region is another state");
    assert.equal(h.internal.describeVpc("999988887777", REGION, vpc), undefined, "another account is another state");
  });

  test("a Hyperplane ENI: requester-managed, type lambda, attached to amazon-aws, in-use, and shown so by EC2", async () => {
    const { vpc, subnet, sg } = await network();
    const eni = h.internal.createServiceManagedInterface(ACCOUNT, REGION, {
      subnetId: subnet,
      groupIds: [sg],
      description: "AWS Lambda VPC ENI-my-fn",
      interfaceType: "lambda",
      requesterId: "AROAEXAMPLE:awslambda_123",
      instanceOwnerId: "amazon-aws",
      ipv6: true,
    });
    assert.match(eni.networkInterfaceId, /^eni-[0-9a-f]{17}$/);
    assert.equal(eni.privateIpAddress, "10.0.1.4");
    assert.equal(eni.ipv6Addresses.length, 1);
    assert.equal(eni.status, "in-use");
    assert.equal(eni.requesterManaged, true);
    assert.equal(eni.instanceOwnerId, "amazon-aws");
    assert.match(eni.attachmentId!, /^ela-attach-[0-9a-f]{17}$/);
    assert.deepEqual(h.internal.getNetworkInterface(ACCOUNT, REGION, eni.networkInterfaceId), eni);
    assert.equal(h.internal.countInterfacesInVpc(ACCOUNT, REGION, vpc), 1);
    assert.equal(h.internal.describeSubnet(ACCOUNT, REGION, subnet)!.availableIpAddressCount, 10);

    const xml = (await h.call("DescribeNetworkInterfaces", { "Filter.1.Name": "description", "Filter.1.Value.1": "AWS Lambda VPC ENI-*" })).body;
    assert.equal(h.pick(xml, "networkInterfaceId"), eni.networkInterfaceId);
    assert.equal(h.pick(xml, "interfaceType"), "lambda");
    assert.equal(h.pick(xml, "requesterManaged"), "true");
    assert.equal(h.pick(xml, "requesterId"), "AROAEXAMPLE:awslambda_123");
    assert.equal(h.pick(xml, "instanceOwnerId"), "amazon-aws");
    assert.match(xml, /"status":"in-use"/);
    assert.match(xml, /"attachment":\{[^}]*"status":"attached"/);
    const byOwner = (await h.call("DescribeNetworkInterfaces", { "Filter.1.Name": "attachment.instance-owner-id", "Filter.1.Value.1": "amazon-aws", "Filter.2.Name": "interface-type", "Filter.2.Value.1": "lambda" })).body;
    assert.equal(h.pick(byOwner, "networkInterfaceId"), eni.networkInterfaceId);

    // Users cannot delete it, nor the subnet or group it is in.
    const del = await h.call("DeleteNetworkInterface", { NetworkInterfaceId: eni.networkInterfaceId });
    assert.deepEqual([del.code, del.body], ["InvalidParameterValue", `Network interface '${eni.networkInterfaceId}' is currently in use.`]);
    const mod = await h.call("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: eni.networkInterfaceId, "Description.Value": "mine" });
    assert.equal(mod.code, "OperationNotPermitted");
    assert.equal((await h.call("DeleteSubnet", { SubnetId: subnet })).code, "DependencyViolation");
    const sgDel = await h.call("DeleteSecurityGroup", { GroupId: sg });
    assert.deepEqual([sgDel.code, sgDel.body], ["DependencyViolation", `resource ${sg} has a dependent object`]);

    // Detached (available), its owner may delete it, as on AWS.
    h.internal.setServiceManagedInterfaceStatus(ACCOUNT, REGION, eni.networkInterfaceId, "available");
    assert.equal(h.internal.getNetworkInterface(ACCOUNT, REGION, eni.networkInterfaceId)!.attachmentId, undefined);
    assert.equal((await h.call("DeleteNetworkInterface", { NetworkInterfaceId: eni.networkInterfaceId })).status, 200);
    assert.equal(h.internal.getNetworkInterface(ACCOUNT, REGION, eni.networkInterfaceId), undefined);
    assert.equal(h.internal.describeSubnet(ACCOUNT, REGION, subnet)!.availableIpAddressCount, 11);
  });

  test("service-managed creation checks like the API: missing subnet or group, full subnet; delete frees", async () => {
    const { subnet, sg } = await network();
    const base = { subnetId: subnet, groupIds: [sg], description: "AWS Lambda VPC ENI-x", interfaceType: "lambda" as const, requesterId: "r", instanceOwnerId: "amazon-aws" as const };
    assert.throws(
      () => h.internal.createServiceManagedInterface(ACCOUNT, REGION, { ...base, subnetId: "subnet-0123456789abcdef0" }),
      (e: AwsError) => e.code === "InvalidSubnetID.NotFound",
    );
    assert.throws(
      () => h.internal.createServiceManagedInterface(ACCOUNT, REGION, { ...base, groupIds: ["sg-0123456789abcdef0"] }),
      (e: AwsError) => e.code === "InvalidGroup.NotFound",
    );
    const made = Array.from({ length: 11 }, () => h.internal.createServiceManagedInterface(ACCOUNT, REGION, base));
    assert.equal(new Set(made.map((m) => m.privateIpAddress)).size, 11);
    assert.throws(
      () => h.internal.createServiceManagedInterface(ACCOUNT, REGION, base),
      (e: AwsError) => e.code === "InsufficientFreeAddressesInSubnet" && e.status === 400,
    );
    h.internal.deleteServiceManagedInterface(ACCOUNT, REGION, made[3].networkInterfaceId);
    assert.equal(h.internal.createServiceManagedInterface(ACCOUNT, REGION, base).privateIpAddress, made[3].privateIpAddress);
    assert.throws(
      () => h.internal.deleteServiceManagedInterface(ACCOUNT, REGION, made[3].networkInterfaceId),
      (e: AwsError) => e.code === "InvalidNetworkInterfaceID.NotFound",
    );
  });

  test("routeFor: longest prefix, NAT and IGW targets, no transitive peering", async () => {
    const a = h.pick((await h.call("CreateVpc", { CidrBlock: "10.0.0.0/16" })).body, "vpcId");
    const b = h.pick((await h.call("CreateVpc", { CidrBlock: "10.1.0.0/16" })).body, "vpcId");
    const c = h.pick((await h.call("CreateVpc", { CidrBlock: "10.2.0.0/16" })).body, "vpcId");
    const subnet = h.pick((await h.call("CreateSubnet", { VpcId: a, CidrBlock: "10.0.1.0/24" })).body, "subnetId");
    const ab = h.pick((await h.call("CreateVpcPeeringConnection", { VpcId: a, PeerVpcId: b })).body, "vpcPeeringConnectionId");
    const bc = h.pick((await h.call("CreateVpcPeeringConnection", { VpcId: b, PeerVpcId: c })).body, "vpcPeeringConnectionId");
    await h.call("AcceptVpcPeeringConnection", { VpcPeeringConnectionId: ab });
    await h.call("AcceptVpcPeeringConnection", { VpcPeeringConnectionId: bc });
    const rtb = h.pick((await h.call("DescribeRouteTables", { "Filter.1.Name": "vpc-id", "Filter.1.Value.1": a })).body, "routeTableId");
    // Send all of 10.0.0.0/8 into the A-B peering: only B's own block is reachable through it.
    assert.equal((await h.call("CreateRoute", { RouteTableId: rtb, DestinationCidrBlock: "10.0.0.0/8", VpcPeeringConnectionId: ab })).status, 200);
    const toB = h.internal.routeFor(ACCOUNT, REGION, subnet, "10.1.2.3")!;
    assert.deepEqual([toB.state, toB.target?.kind, toB.target?.id, toB.peerVpcId, toB.destination], ["active", "vpc-peering-connection", ab, b, "10.0.0.0/8"]);
    const toC = h.internal.routeFor(ACCOUNT, REGION, subnet, "10.2.0.5")!;
    assert.deepEqual([toC.state, toC.target?.id, toC.peerVpcId], ["blackhole", ab, undefined], "no transitive routing through B to C");
    const local = h.internal.routeFor(ACCOUNT, REGION, subnet, "10.0.9.9")!;
    assert.deepEqual([local.state, local.target?.kind, local.destination], ["active", "local", "10.0.0.0/16"], "the local route is the longest prefix");
    const none = h.internal.routeFor(ACCOUNT, REGION, subnet, "8.8.8.8")!;
    assert.equal(none.state, "no-route");

    const igw = h.pick((await h.call("CreateInternetGateway")).body, "internetGatewayId");
    await h.call("AttachInternetGateway", { InternetGatewayId: igw, VpcId: a });
    const eip = h.pick((await h.call("AllocateAddress")).body, "allocationId");
    const nat = h.pick((await h.call("CreateNatGateway", { SubnetId: subnet, AllocationId: eip })).body, "natGatewayId");
    await h.call("CreateRoute", { RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat });
    assert.deepEqual(h.internal.routeFor(ACCOUNT, REGION, subnet, "8.8.8.8")!.target, { kind: "nat-gateway", id: nat });
    h.clock.advance(10_000);
    const state = h.internal.vpcState(ACCOUNT, REGION);
    assert.equal(state.natGateways[nat].state, "available", "the state snapshot is settled on the clock");
  });
});

describe("IAM questions", () => {
  test("CreateNetworkInterface asks for the interface, the subnet and each group, with ec2:Vpc and ec2:Subnet", async () => {
    const { vpc, subnet, sg } = await network();
    await h.call("CreateTags", { "ResourceId.1": subnet, "Tag.1.Key": "team", "Tag.1.Value": "blue" });
    h.asked.length = 0;
    await h.call("CreateNetworkInterface", { SubnetId: subnet, "SecurityGroupId.1": sg, "TagSpecification.1.ResourceType": "network-interface", "TagSpecification.1.Tag.1.Key": "app", "TagSpecification.1.Tag.1.Value": "x" });
    const arn = (t: string, id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${t}/${id}`;
    assert.deepEqual(
      h.asked.map((a) => [a.action, a.resource]),
      [
        ["ec2:CreateNetworkInterface", arn("network-interface", "*")],
        ["ec2:CreateNetworkInterface", arn("subnet", subnet)],
        ["ec2:CreateNetworkInterface", arn("security-group", sg)],
      ],
    );
    const eniAsk = h.asked[0].context;
    assert.equal(eniAsk["ec2:Vpc"], arn("vpc", vpc));
    assert.equal(eniAsk["ec2:Subnet"], arn("subnet", subnet));
    assert.equal(eniAsk["ec2:Region"], REGION);
    assert.equal(eniAsk["aws:RequestTag/app"], "x");
    assert.deepEqual(eniAsk["aws:TagKeys"], ["app"]);
    assert.equal(h.asked[1].context["ec2:ResourceTag/team"], "blue");
  });

  test("Describe* asks on resource *; a denied caller gets UnauthorizedOperation and nothing changes, even with DryRun", async () => {
    h.asked.length = 0;
    await h.call("DescribeVpcs");
    assert.deepEqual(h.asked.map((a) => [a.action, a.resource]), [["ec2:DescribeVpcs", "*"]]);
    h.setDeny((a) => a.action === "ec2:CreateVpc");
    const before = (await h.call("DescribeVpcs")).body;
    const denied = await h.call("CreateVpc", { CidrBlock: "10.0.0.0/16" });
    assert.equal(denied.code, "UnauthorizedOperation");
    assert.equal(denied.status, 403);
    assert.match(denied.body, /^You are not authorized to perform this operation\. User: arn:aws:iam::111122223333:root is not authorized to perform: ec2:CreateVpc/);
    const dry = await h.call("CreateVpc", { CidrBlock: "10.0.0.0/16", DryRun: "true" });
    assert.equal(dry.code, "UnauthorizedOperation", "a denied dry run is UnauthorizedOperation, not DryRunOperation");
    assert.equal((await h.call("DescribeVpcs")).body, before);
    h.setDeny(undefined);
    const allowedDry = await h.call("CreateVpc", { CidrBlock: "10.0.0.0/16", DryRun: "true" });
    assert.deepEqual([allowedDry.code, allowedDry.status], ["DryRunOperation", 412]);
  });

  test("operations on existing resources carry ec2:ResourceTag/* and the resource's ARN", async () => {
    const { vpc, sg } = await network();
    await h.call("CreateTags", { "ResourceId.1": sg, "Tag.1.Key": "env", "Tag.1.Value": "prod" });
    h.asked.length = 0;
    await h.call("AuthorizeSecurityGroupIngress", { GroupId: sg, IpProtocol: "tcp", FromPort: "443", ToPort: "443", CidrIp: "0.0.0.0/0" });
    assert.equal(h.asked[0].action, "ec2:AuthorizeSecurityGroupIngress");
    assert.equal(h.asked[0].resource, `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${sg}`);
    assert.equal(h.asked[0].context["ec2:ResourceTag/env"], "prod");
    assert.equal(h.asked[0].context["ec2:Vpc"], `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/${vpc}`);
  });
});

describe("VPC endpoints", () => {
  test("CreateVpcEndpoint asks for the endpoint, the VPC, each subnet and group, with ec2:VpceServiceName; the internal view gives the policy and settles on the clock", async () => {
    const { vpc, subnet, sg } = await network();
    await h.call("ModifyVpcAttribute", { VpcId: vpc, "EnableDnsHostnames.Value": "true" });
    h.asked.length = 0;
    const policy = JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "sts:GetCallerIdentity", Resource: "*" }] });
    const r = await h.call("CreateVpcEndpoint", { VpcEndpointType: "Interface", VpcId: vpc, ServiceName: "com.amazonaws.eu-west-1.sts", "SubnetId.1": subnet, "SecurityGroupId.1": sg, PolicyDocument: policy });
    assert.equal(r.status, 200, r.body);
    const id = h.pick(r.body, "vpcEndpointId");
    const arn = (t: string, x: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${t}/${x}`;
    assert.deepEqual(
      h.asked.map((a) => [a.action, a.resource]),
      [
        ["ec2:CreateVpcEndpoint", arn("vpc-endpoint", "*")],
        ["ec2:CreateVpcEndpoint", arn("vpc", vpc)],
        ["ec2:CreateVpcEndpoint", arn("subnet", subnet)],
        ["ec2:CreateVpcEndpoint", arn("security-group", sg)],
      ],
    );
    for (const a of h.asked) assert.equal(a.context["ec2:VpceServiceName"], "com.amazonaws.eu-west-1.sts");
    const v = h.internal.describeVpcEndpoint(ACCOUNT, REGION, id)!;
    assert.deepEqual([v.type, v.service, v.state, v.policyDocument, v.privateDnsEnabled, v.networkInterfaceIds.length], ["Interface", "sts", "pending", policy, true, 1]);
    assert.equal(h.internal.getNetworkInterface(ACCOUNT, REGION, v.networkInterfaceIds[0])!.interfaceType, "vpc_endpoint");
    h.clock.advance(10_000);
    assert.equal(h.internal.describeVpcEndpoint(ACCOUNT, REGION, id)!.state, "available");
    h.setDeny((a) => a.action === "ec2:DeleteVpcEndpoints");
    assert.equal((await h.call("DeleteVpcEndpoints", { "VpcEndpointId.1": id })).code, "UnauthorizedOperation");
    h.setDeny(undefined);
    await h.call("DeleteVpcEndpoints", { "VpcEndpointId.1": id });
    h.clock.advance(10_000);
    assert.equal(h.internal.describeVpcEndpoint(ACCOUNT, REGION, id), undefined);
    assert.equal(h.internal.getNetworkInterface(ACCOUNT, REGION, v.networkInterfaceIds[0]), undefined, "its interface is released");
  });
});
