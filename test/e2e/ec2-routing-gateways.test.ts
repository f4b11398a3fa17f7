// EC2 route tables, internet/egress-only/NAT gateways, Elastic IPs and VPC peering, through the SDK.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import type { RouteTable, Vpc } from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { createSubnet, createVpc, fails, freeAddresses, startEc2Server, stateGuard } from "../support/ec2-helpers.ts";

let app: App;
let ec2: E.EC2Client;
let vpc: Vpc;
let publicSubnet: string;
let privateSubnet: string;
let igwId: string;

before(async () => {
  ({ app, ec2 } = await startEc2Server());
  vpc = await createVpc(ec2, { CidrBlock: "10.0.0.0/16", AmazonProvidedIpv6CidrBlock: true });
  publicSubnet = (await createSubnet(ec2, { VpcId: vpc.VpcId, CidrBlock: "10.0.0.0/24" })).SubnetId!;
  privateSubnet = (await createSubnet(ec2, { VpcId: vpc.VpcId, CidrBlock: "10.0.10.0/27" })).SubnetId!;
  igwId = (await ec2.send(new E.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpc.VpcId }));
});
after(async () => {
  await app?.close();
});

const { unchanged } = stateGuard(() => ec2, ["routeTables", "internetGateways", "egressOnlyInternetGateways", "natGateways", "addresses", "vpcPeeringConnections", "networkInterfaces", "subnets"]);

/** The simulated clock moves through the admin API, as scripts and other tests move it. */
async function advance(seconds: number): Promise<void> {
  const r = await fetch(`${app.url}/_hyperlocal/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds }) });
  assert.equal(r.status, 200);
}

async function table(id: string): Promise<RouteTable> {
  return (await ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [id] }))).RouteTables![0];
}

describe("internet gateways", () => {
  test("create, attach, detach, delete, describe; AWS's errors", async () => {
    const g = (await ec2.send(new E.CreateInternetGatewayCommand({ TagSpecifications: [{ ResourceType: "internet-gateway", Tags: [{ Key: "Name", Value: "spare" }] }] }))).InternetGateway!;
    assert.match(g.InternetGatewayId!, /^igw-[0-9a-f]{17}$/);
    assert.deepEqual(g.Attachments, []);
    assert.deepEqual(g.Tags, [{ Key: "Name", Value: "spare" }]);
    await unchanged(
      () => ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: g.InternetGatewayId, VpcId: vpc.VpcId })),
      "Resource.AlreadyAssociated",
      /already has an internet gateway attached/,
    );
    await unchanged(
      () => ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpc.VpcId })),
      "Resource.AlreadyAssociated",
      `resource ${igwId} is already attached to network ${vpc.VpcId}`,
    );
    await unchanged(() => ec2.send(new E.DetachInternetGatewayCommand({ InternetGatewayId: g.InternetGatewayId, VpcId: vpc.VpcId })), "Gateway.NotAttached", `resource ${g.InternetGatewayId} is not attached to network ${vpc.VpcId}`);
    await unchanged(() => ec2.send(new E.DeleteInternetGatewayCommand({ InternetGatewayId: igwId })), "DependencyViolation", `The internetGateway '${igwId}' has dependencies and cannot be deleted.`);
    await unchanged(() => ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: "igw-0123456789abcdef0", VpcId: vpc.VpcId })), "InvalidInternetGatewayID.NotFound", "The internetGateway ID 'igw-0123456789abcdef0' does not exist");
    const attached = (await ec2.send(new E.DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [vpc.VpcId!] }] }))).InternetGateways!;
    assert.deepEqual(
      attached.map((x) => [x.InternetGatewayId, x.Attachments]),
      [[igwId, [{ State: "available", VpcId: vpc.VpcId }]]],
    );
    const byTag = (await ec2.send(new E.DescribeInternetGatewaysCommand({ Filters: [{ Name: "tag:Name", Values: ["spa*"] }] }))).InternetGateways!;
    assert.deepEqual(
      byTag.map((x) => x.InternetGatewayId),
      [g.InternetGatewayId],
    );
    await ec2.send(new E.DeleteInternetGatewayCommand({ InternetGatewayId: g.InternetGatewayId }));
    await fails(ec2.send(new E.DescribeInternetGatewaysCommand({ InternetGatewayIds: [g.InternetGatewayId!] })), "InvalidInternetGatewayID.NotFound");
  });
});

describe("route tables", () => {
  test("routes to each target type, each checked; states follow their targets", async () => {
    const rt = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpc.VpcId, TagSpecifications: [{ ResourceType: "route-table", Tags: [{ Key: "Name", Value: "public" }] }] }))).RouteTable!;
    assert.match(rt.RouteTableId!, /^rtb-[0-9a-f]{17}$/);
    const v6 = vpc.Ipv6CidrBlockAssociationSet![0].Ipv6CidrBlock!;
    assert.deepEqual(
      rt.Routes!.map((r) => [r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock, r.GatewayId, r.Origin, r.State]),
      [
        ["10.0.0.0/16", "local", "CreateRouteTable", "active"],
        [v6, "local", "CreateRouteTable", "active"],
      ],
    );
    const id = rt.RouteTableId!;
    const r1 = await ec2.send(new E.CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igwId }));
    assert.equal(r1.Return, true);
    await ec2.send(new E.CreateRouteCommand({ RouteTableId: id, DestinationIpv6CidrBlock: "::/0", GatewayId: igwId }));
    const eni = (await ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: publicSubnet, Description: "appliance" }))).NetworkInterface!;
    await ec2.send(new E.CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: "192.168.0.0/16", NetworkInterfaceId: eni.NetworkInterfaceId }));
    const after = await table(id);
    assert.deepEqual(
      after.Routes!.slice(2).map((r) => [r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock, r.GatewayId ?? r.NetworkInterfaceId, r.Origin, r.State]),
      [
        ["0.0.0.0/0", igwId, "CreateRoute", "active"],
        ["::/0", igwId, "CreateRoute", "active"],
        ["192.168.0.0/16", eni.NetworkInterfaceId, "CreateRoute", "active"],
      ],
    );

    // Bad routes: missing or foreign targets, duplicates, the wrong family, local routes.
    const other = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.5.0.0/16" }))).Vpc!;
    const otherIgw = (await ec2.send(new E.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: otherIgw, VpcId: other.VpcId }));
    await unchanged(() => ec2.send(new E.CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igwId })), "RouteAlreadyExists", "The route identified by 0.0.0.0/0 already exists.");
    await unchanged(() => ec2.send(new E.CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: "10.0.0.0/16", GatewayId: igwId })), "RouteAlreadyExists", "The route identified by 10.0.0.0/16 already exists.");
    await unchanged(
      () => ec2.send(new E.CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: "8.8.8.0/24", GatewayId: otherIgw })),
      "InvalidParameterValue",
      `route table ${id} and network gateway ${otherIgw} belong to different networks`,
    );
    await unchanged(() => ec2.send(new E.CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: "8.8.8.0/24", GatewayId: "igw-0123456789abcdef0" })), "InvalidGatewayID.NotFound", "The gateway ID 'igw-0123456789abcdef0' does not exist");
    await unchanged(() => ec2.send(new E.CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: "8.8.8.0/24", NatGatewayId: "nat-0123456789abcdef0" })), "NatGatewayNotFound");
    await unchanged(() => ec2.send(new E.CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: "8.8.8.0/24", VpcPeeringConnectionId: "pcx-0123456789abcdef0" })), "InvalidVpcPeeringConnectionID.NotFound");
    await unchanged(() => ec2.send(new E.CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: "8.8.8.0/24", NetworkInterfaceId: "eni-0123456789abcdef0" })), "InvalidNetworkInterfaceID.NotFound");
    await unchanged(() => ec2.send(new E.CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: "8.8.8.0/24" })), "MissingParameter");
    await unchanged(() => ec2.send(new E.CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: "8.8.8.0/24", GatewayId: igwId, NatGatewayId: "nat-0123456789abcdef0" })), "InvalidParameterCombination");
    await unchanged(
      () => ec2.send(new E.CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: "::/0", GatewayId: igwId })),
      "InvalidParameterValue",
      "Value (::/0) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.",
    );
    await unchanged(
      () => ec2.send(new E.CreateRouteCommand({ RouteTableId: id, DestinationIpv6CidrBlock: "0.0.0.0/0", GatewayId: igwId })),
      "InvalidParameterValue",
      "Value (0.0.0.0/0) for parameter destinationIpv6CidrBlock is invalid. This is not a valid CIDR block.",
    );
    await unchanged(() => ec2.send(new E.CreateRouteCommand({ RouteTableId: "rtb-0123456789abcdef0", DestinationCidrBlock: "8.8.8.0/24", GatewayId: igwId })), "InvalidRouteTableID.NotFound", "The routeTable ID 'rtb-0123456789abcdef0' does not exist");
    await unchanged(() => ec2.send(new E.DeleteRouteCommand({ RouteTableId: id, DestinationCidrBlock: "10.0.0.0/16" })), "InvalidParameterValue", `cannot remove local route 10.0.0.0/16 in route table ${id}`);
    await unchanged(() => ec2.send(new E.DeleteRouteCommand({ RouteTableId: id, DestinationCidrBlock: "1.2.3.0/24" })), "InvalidRoute.NotFound", `no route with destination-cidr-block 1.2.3.0/24 in route table ${id}`);
    await unchanged(
      () => ec2.send(new E.ReplaceRouteCommand({ RouteTableId: id, DestinationCidrBlock: "1.2.3.0/24", GatewayId: igwId })),
      "InvalidParameterValue",
      "There is no route defined for '1.2.3.0/24' in the route table. Use CreateRoute instead.",
    );

    // ReplaceRoute and DeleteRoute.
    await ec2.send(new E.ReplaceRouteCommand({ RouteTableId: id, DestinationCidrBlock: "192.168.0.0/16", GatewayId: igwId }));
    assert.equal((await table(id)).Routes!.find((r) => r.DestinationCidrBlock === "192.168.0.0/16")!.GatewayId, igwId);
    await ec2.send(new E.DeleteRouteCommand({ RouteTableId: id, DestinationCidrBlock: "192.168.0.0/16" }));
    assert.equal((await table(id)).Routes!.length, 4);

    // A route to a detached gateway is a blackhole.
    const spare = (await ec2.send(new E.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    const v2 = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.6.0.0/16" }))).Vpc!;
    await ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: spare, VpcId: v2.VpcId }));
    const rt2 = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: v2.VpcId }))).RouteTable!.RouteTableId!;
    await ec2.send(new E.CreateRouteCommand({ RouteTableId: rt2, DestinationCidrBlock: "0.0.0.0/0", GatewayId: spare }));
    await ec2.send(new E.DetachInternetGatewayCommand({ InternetGatewayId: spare, VpcId: v2.VpcId }));
    assert.equal((await table(rt2)).Routes!.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")!.State, "blackhole");
    const blackholes = (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "route.state", Values: ["blackhole"] }] }))).RouteTables!;
    assert.deepEqual(
      blackholes.map((t) => t.RouteTableId),
      [rt2],
    );
  });

  test("associations: subnet, conflicts, replace, disassociate, the main table; DeleteRouteTable", async () => {
    const a = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpc.VpcId }))).RouteTable!.RouteTableId!;
    const b = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpc.VpcId }))).RouteTable!.RouteTableId!;
    const s = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.0.20.0/24" }))).Subnet!.SubnetId!;
    const assoc = await ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: a, SubnetId: s }));
    assert.match(assoc.AssociationId!, /^rtbassoc-[0-9a-f]{17}$/);
    assert.equal(assoc.AssociationState!.State, "associated");
    await unchanged(
      () => ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: b, SubnetId: s })),
      "Resource.AlreadyAssociated",
      `the specified association for route table ${b} conflicts with an existing association`,
    );
    const foreignSubnet = (await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }))).Subnets![0].SubnetId!;
    await unchanged(() => ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: b, SubnetId: foreignSubnet })), "InvalidParameterValue", /belong to different networks/);
    const bySubnet = (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "association.subnet-id", Values: [s] }] }))).RouteTables!;
    assert.deepEqual(
      bySubnet.map((t) => t.RouteTableId),
      [a],
    );
    const moved = await ec2.send(new E.ReplaceRouteTableAssociationCommand({ AssociationId: assoc.AssociationId, RouteTableId: b }));
    assert.match(moved.NewAssociationId!, /^rtbassoc-/);
    assert.deepEqual(
      (await table(b)).Associations!.map((x) => [x.SubnetId, x.Main, x.RouteTableAssociationId]),
      [[s, false, moved.NewAssociationId]],
    );
    await unchanged(() => ec2.send(new E.DeleteRouteTableCommand({ RouteTableId: b })), "DependencyViolation", `The routeTable '${b}' has dependencies and cannot be deleted.`);
    await ec2.send(new E.DisassociateRouteTableCommand({ AssociationId: moved.NewAssociationId }));
    await fails(ec2.send(new E.DisassociateRouteTableCommand({ AssociationId: moved.NewAssociationId })), "InvalidAssociationID.NotFound", `The association ID '${moved.NewAssociationId}' does not exist`);

    // The main association can move to another table but not be removed.
    const main = (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }, { Name: "association.main", Values: ["true"] }] }))).RouteTables![0];
    const mainAssoc = main.Associations!.find((x) => x.Main)!.RouteTableAssociationId!;
    await unchanged(() => ec2.send(new E.DisassociateRouteTableCommand({ AssociationId: mainAssoc })), "InvalidParameterValue");
    await unchanged(() => ec2.send(new E.DeleteRouteTableCommand({ RouteTableId: main.RouteTableId })), "DependencyViolation");
    const newMain = await ec2.send(new E.ReplaceRouteTableAssociationCommand({ AssociationId: mainAssoc, RouteTableId: a }));
    const mains = (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }, { Name: "association.main", Values: ["true"] }] }))).RouteTables!;
    assert.deepEqual(
      mains.map((t) => t.RouteTableId),
      [a],
    );
    await ec2.send(new E.ReplaceRouteTableAssociationCommand({ AssociationId: newMain.NewAssociationId, RouteTableId: main.RouteTableId }));
    await ec2.send(new E.DeleteRouteTableCommand({ RouteTableId: a }));
    await ec2.send(new E.DeleteRouteTableCommand({ RouteTableId: b }));
    await fails(ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [a] })), "InvalidRouteTableID.NotFound");
    await fails(ec2.send(new E.DescribeRouteTablesCommand({ MaxResults: 101 })), "InvalidParameterValue", /maxResults/);
    const paged: string[] = [];
    for await (const page of E.paginateDescribeRouteTables({ client: ec2, pageSize: 5 }, {})) paged.push(...page.RouteTables!.map((t) => t.RouteTableId!));
    assert.deepEqual(paged, (await ec2.send(new E.DescribeRouteTablesCommand({}))).RouteTables!.map((t) => t.RouteTableId));
  });
});

describe("Elastic IPs and NAT gateways", () => {
  test("AllocateAddress, DescribeAddresses, ReleaseAddress", async () => {
    const a = await ec2.send(new E.AllocateAddressCommand({ Domain: "vpc", TagSpecifications: [{ ResourceType: "elastic-ip", Tags: [{ Key: "Name", Value: "eip1" }] }] }));
    assert.match(a.AllocationId!, /^eipalloc-[0-9a-f]{17}$/);
    assert.match(a.PublicIp!, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(a.Domain, "vpc");
    const b = await ec2.send(new E.AllocateAddressCommand({}));
    assert.notEqual(a.PublicIp, b.PublicIp);
    const byIp = (await ec2.send(new E.DescribeAddressesCommand({ PublicIps: [a.PublicIp!] }))).Addresses!;
    assert.deepEqual(
      byIp.map((x) => [x.AllocationId, x.Domain, x.Tags]),
      [[a.AllocationId, "vpc", [{ Key: "Name", Value: "eip1" }]]],
    );
    const byFilter = (await ec2.send(new E.DescribeAddressesCommand({ Filters: [{ Name: "allocation-id", Values: [b.AllocationId!] }] }))).Addresses!;
    assert.equal(byFilter[0].PublicIp, b.PublicIp);
    await ec2.send(new E.ReleaseAddressCommand({ AllocationId: b.AllocationId }));
    await unchanged(() => ec2.send(new E.ReleaseAddressCommand({ AllocationId: b.AllocationId })), "InvalidAllocationID.NotFound", `The allocation ID '${b.AllocationId}' does not exist`);
    await fails(ec2.send(new E.DescribeAddressesCommand({ PublicIps: [b.PublicIp!] })), "InvalidAddress.NotFound", `Address '${b.PublicIp}' not found.`);
  });

  test("a public NAT gateway: pending then available on the clock, an address and an interface in its subnet, deleting then deleted", async () => {
    const eip = await ec2.send(new E.AllocateAddressCommand({}));
    const freeBefore = await freeAddresses(ec2, publicSubnet);
    const created = await ec2.send(
      new E.CreateNatGatewayCommand({ SubnetId: publicSubnet, AllocationId: eip.AllocationId, ClientToken: "nat-1", TagSpecifications: [{ ResourceType: "natgateway", Tags: [{ Key: "Name", Value: "nat-a" }] }] }),
    );
    const nat = created.NatGateway!;
    assert.match(nat.NatGatewayId!, /^nat-[0-9a-f]{17}$/);
    assert.equal(nat.State, "pending");
    assert.equal(nat.ConnectivityType, "public");
    assert.equal(nat.VpcId, vpc.VpcId);
    assert.equal(created.ClientToken, "nat-1");
    // While pending AWS shows only the allocation (AWS CLI create-nat-gateway output recorded in public READMEs, 2026).
    assert.deepEqual(nat.NatGatewayAddresses, [{ AllocationId: eip.AllocationId, IsPrimary: true, Status: "associating" }]);
    assert.equal(await freeAddresses(ec2, publicSubnet), freeBefore - 1, "the gateway's interface holds one subnet address");

    const retry = await ec2.send(
      new E.CreateNatGatewayCommand({ SubnetId: publicSubnet, AllocationId: eip.AllocationId, ClientToken: "nat-1", TagSpecifications: [{ ResourceType: "natgateway", Tags: [{ Key: "Name", Value: "nat-a" }] }] }),
    );
    assert.equal(retry.NatGateway!.NatGatewayId, nat.NatGatewayId, "a ClientToken retry answers with the same gateway");
    await fails(ec2.send(new E.CreateNatGatewayCommand({ SubnetId: privateSubnet, AllocationId: eip.AllocationId, ClientToken: "nat-1" })), "IdempotentParameterMismatch");

    const eni = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["nat_gateway"] }, { Name: "subnet-id", Values: [publicSubnet] }] }))).NetworkInterfaces![0];
    assert.equal(eni.InterfaceType, "nat_gateway");
    assert.equal(eni.RequesterManaged, true);
    assert.equal(eni.Status, "in-use");
    assert.equal(eni.Description, `Interface for NAT Gateway ${nat.NatGatewayId}`);
    assert.equal(eni.Association!.PublicIp, eip.PublicIp);
    const address = (await ec2.send(new E.DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] }))).Addresses![0];
    assert.equal(address.NetworkInterfaceId, eni.NetworkInterfaceId);
    assert.equal(address.PrivateIpAddress, eni.PrivateIpAddress);

    await unchanged(() => ec2.send(new E.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterfaceId })), "InvalidParameterValue", `Network interface '${eni.NetworkInterfaceId}' is currently in use.`);
    await unchanged(() => ec2.send(new E.DeleteSubnetCommand({ SubnetId: publicSubnet })), "DependencyViolation");
    await unchanged(() => ec2.send(new E.ReleaseAddressCommand({ AllocationId: eip.AllocationId })), "InvalidIPAddress.InUse");
    await unchanged(() => ec2.send(new E.CreateNatGatewayCommand({ SubnetId: publicSubnet, AllocationId: eip.AllocationId })), "Resource.AlreadyAssociated");
    await unchanged(() => ec2.send(new E.DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpc.VpcId })), "DependencyViolation", /mapped public address/);

    const rt = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpc.VpcId }))).RouteTable!.RouteTableId!;
    await ec2.send(new E.CreateRouteCommand({ RouteTableId: rt, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat.NatGatewayId }));

    await advance(10);
    const available = (await ec2.send(new E.DescribeNatGatewaysCommand({ NatGatewayIds: [nat.NatGatewayId!] }))).NatGateways![0];
    assert.equal(available.State, "available");
    assert.equal(available.NatGatewayAddresses![0].Status, "succeeded");
    const addr: E.NatGatewayAddress = available.NatGatewayAddresses![0];
    assert.equal(addr.AllocationId, eip.AllocationId);
    assert.equal(addr.PublicIp, eip.PublicIp);
    assert.equal(addr.NetworkInterfaceId, eni.NetworkInterfaceId);
    assert.match(addr.PrivateIp!, /^10\.0\.0\.\d+$/);
    assert.deepEqual(available.Tags, [{ Key: "Name", Value: "nat-a" }]);
    const byState = (await ec2.send(new E.DescribeNatGatewaysCommand({ Filter: [{ Name: "state", Values: ["available"] }, { Name: "subnet-id", Values: [publicSubnet] }] }))).NatGateways!;
    assert.deepEqual(
      byState.map((n) => n.NatGatewayId),
      [nat.NatGatewayId],
    );
    assert.equal((await table(rt)).Routes!.find((r) => r.NatGatewayId)!.State, "active");

    const del = await ec2.send(new E.DeleteNatGatewayCommand({ NatGatewayId: nat.NatGatewayId }));
    assert.equal(del.NatGatewayId, nat.NatGatewayId);
    assert.equal((await ec2.send(new E.DescribeNatGatewaysCommand({ NatGatewayIds: [nat.NatGatewayId!] }))).NatGateways![0].State, "deleting");
    await advance(10);
    const deleted = (await ec2.send(new E.DescribeNatGatewaysCommand({ NatGatewayIds: [nat.NatGatewayId!] }))).NatGateways![0];
    assert.equal(deleted.State, "deleted", "a deleted gateway is still listed for a while");
    assert.ok(deleted.DeleteTime instanceof Date);
    assert.equal(await freeAddresses(ec2, publicSubnet), freeBefore, "its address went back to the subnet");
    await fails(ec2.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni.NetworkInterfaceId!] })), "InvalidNetworkInterfaceID.NotFound");
    assert.equal((await ec2.send(new E.DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] }))).Addresses![0].AssociationId, undefined);
    assert.equal((await table(rt)).Routes!.find((r) => r.NatGatewayId)!.State, "blackhole");
    await fails(ec2.send(new E.DeleteNatGatewayCommand({ NatGatewayId: nat.NatGatewayId })), "NatGatewayNotFound");
    await fails(ec2.send(new E.DescribeNatGatewaysCommand({ NatGatewayIds: ["nat-0123456789abcdef0"] })), "NatGatewayNotFound");
    await advance(3700);
    assert.deepEqual((await ec2.send(new E.DescribeNatGatewaysCommand({ Filter: [{ Name: "nat-gateway-id", Values: [nat.NatGatewayId!] }] }))).NatGateways, [], "and then it is gone");
    await ec2.send(new E.ReleaseAddressCommand({ AllocationId: eip.AllocationId }));
  });

  test("a private NAT gateway needs no address; a public one fails without an internet gateway", async () => {
    const priv = (await ec2.send(new E.CreateNatGatewayCommand({ SubnetId: privateSubnet, ConnectivityType: "private" }))).NatGateway!;
    assert.equal(priv.ConnectivityType, "private");
    assert.equal(priv.NatGatewayAddresses![0].PublicIp, undefined);
    assert.match(priv.NatGatewayAddresses![0].PrivateIp!, /^10\.0\.10\.\d+$/);
    const eip = await ec2.send(new E.AllocateAddressCommand({}));
    await unchanged(() => ec2.send(new E.CreateNatGatewayCommand({ SubnetId: privateSubnet, ConnectivityType: "private", AllocationId: eip.AllocationId })), "InvalidParameterCombination");
    await unchanged(() => ec2.send(new E.CreateNatGatewayCommand({ SubnetId: privateSubnet })), "MissingParameter");
    await unchanged(() => ec2.send(new E.CreateNatGatewayCommand({ SubnetId: "subnet-0123456789abcdef0", AllocationId: eip.AllocationId })), "InvalidSubnetID.NotFound");

    const lonely = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.7.0.0/16" }))).Vpc!;
    const ls = (await ec2.send(new E.CreateSubnetCommand({ VpcId: lonely.VpcId, CidrBlock: "10.7.0.0/24" }))).Subnet!.SubnetId!;
    const doomed = (await ec2.send(new E.CreateNatGatewayCommand({ SubnetId: ls, AllocationId: eip.AllocationId }))).NatGateway!;
    assert.equal(doomed.State, "pending");
    await advance(10);
    const failed = (await ec2.send(new E.DescribeNatGatewaysCommand({ NatGatewayIds: [doomed.NatGatewayId!] }))).NatGateways![0];
    assert.equal(failed.State, "failed");
    assert.equal(failed.FailureCode, "Gateway.NotAttached");
    assert.equal(failed.FailureMessage, `Network ${lonely.VpcId} has no Internet gateway attached`);
    await ec2.send(new E.ReleaseAddressCommand({ AllocationId: eip.AllocationId }));
    await ec2.send(new E.DeleteNatGatewayCommand({ NatGatewayId: priv.NatGatewayId }));
  });
});

describe("egress-only internet gateways", () => {
  test("create, route IPv6 through it, describe, delete", async () => {
    const r = await ec2.send(
      new E.CreateEgressOnlyInternetGatewayCommand({ VpcId: vpc.VpcId, ClientToken: "eigw-1", TagSpecifications: [{ ResourceType: "egress-only-internet-gateway", Tags: [{ Key: "k", Value: "v" }] }] }),
    );
    const g = r.EgressOnlyInternetGateway!;
    assert.match(g.EgressOnlyInternetGatewayId!, /^eigw-[0-9a-f]{17}$/);
    assert.deepEqual(g.Attachments, [{ State: "attached", VpcId: vpc.VpcId }]);
    const again = await ec2.send(
      new E.CreateEgressOnlyInternetGatewayCommand({ VpcId: vpc.VpcId, ClientToken: "eigw-1", TagSpecifications: [{ ResourceType: "egress-only-internet-gateway", Tags: [{ Key: "k", Value: "v" }] }] }),
    );
    assert.equal(again.EgressOnlyInternetGateway!.EgressOnlyInternetGatewayId, g.EgressOnlyInternetGatewayId);
    const rt = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpc.VpcId }))).RouteTable!.RouteTableId!;
    await ec2.send(new E.CreateRouteCommand({ RouteTableId: rt, DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: g.EgressOnlyInternetGatewayId }));
    await unchanged(() => ec2.send(new E.CreateRouteCommand({ RouteTableId: rt, DestinationCidrBlock: "0.0.0.0/0", EgressOnlyInternetGatewayId: g.EgressOnlyInternetGatewayId })), "InvalidParameterValue");
    const byTag = (await ec2.send(new E.DescribeEgressOnlyInternetGatewaysCommand({ Filters: [{ Name: "tag:k", Values: ["v"] }] }))).EgressOnlyInternetGateways!;
    assert.deepEqual(
      byTag.map((x) => x.EgressOnlyInternetGatewayId),
      [g.EgressOnlyInternetGatewayId],
    );
    await fails(ec2.send(new E.DescribeEgressOnlyInternetGatewaysCommand({ MaxResults: 256 })), "InvalidParameterValue", /maxResults/);
    const del = await ec2.send(new E.DeleteEgressOnlyInternetGatewayCommand({ EgressOnlyInternetGatewayId: g.EgressOnlyInternetGatewayId }));
    assert.equal(del.ReturnCode, true);
    assert.equal((await table(rt)).Routes!.find((r) => r.EgressOnlyInternetGatewayId)!.State, "blackhole");
    await fails(ec2.send(new E.DeleteEgressOnlyInternetGatewayCommand({ EgressOnlyInternetGatewayId: g.EgressOnlyInternetGatewayId })), "InvalidGatewayID.NotFound");
  });
});

describe("VPC peering", () => {
  test("request, accept, route through pcx-, reject, delete, and the errors", async () => {
    const dedicated = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.1.0.0/16", InstanceTenancy: "dedicated" }))).Vpc!;
    const created = (await ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: vpc.VpcId, PeerVpcId: dedicated.VpcId }))).VpcPeeringConnection!;
    assert.match(created.VpcPeeringConnectionId!, /^pcx-[0-9a-f]{17}$/);
    assert.equal(created.Status!.Code, "initiating-request");
    assert.equal(created.RequesterVpcInfo!.CidrBlock, "10.0.0.0/16");
    assert.equal(created.AccepterVpcInfo!.VpcId, dedicated.VpcId);
    const pcx = created.VpcPeeringConnectionId!;
    const pending = (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [pcx] }))).VpcPeeringConnections![0];
    assert.equal(pending.Status!.Code, "pending-acceptance");
    assert.equal(pending.Status!.Message, "Pending Acceptance by 000000000000");
    assert.ok(pending.ExpirationTime instanceof Date);
    await unchanged(() => ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: vpc.VpcId, PeerVpcId: dedicated.VpcId })), "VpcPeeringConnectionAlreadyExists");
    await unchanged(() => ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: vpc.VpcId, PeerVpcId: "vpc-0123456789abcdef0" })), "InvalidVpcID.NotFound");

    const accepted = (await ec2.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }))).VpcPeeringConnection!;
    assert.equal(accepted.Status!.Code, "provisioning");
    const active = (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ Filters: [{ Name: "status-code", Values: ["active"] }, { Name: "accepter-vpc-info.vpc-id", Values: [dedicated.VpcId!] }] })))
      .VpcPeeringConnections!;
    assert.deepEqual(
      active.map((p) => [p.VpcPeeringConnectionId, p.AccepterVpcInfo!.CidrBlock, p.RequesterVpcInfo!.CidrBlock]),
      [[pcx, "10.1.0.0/16", "10.0.0.0/16"]],
    );
    await unchanged(() => ec2.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx })), "InvalidStateTransition");

    const rt = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpc.VpcId }))).RouteTable!.RouteTableId!;
    await ec2.send(new E.CreateRouteCommand({ RouteTableId: rt, DestinationCidrBlock: "10.1.0.0/16", VpcPeeringConnectionId: pcx }));
    const peerRt = (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [dedicated.VpcId!] }] }))).RouteTables![0].RouteTableId!;
    await ec2.send(new E.CreateRouteCommand({ RouteTableId: peerRt, DestinationCidrBlock: "10.0.0.0/16", VpcPeeringConnectionId: pcx }));
    const viaPcx = (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "route.vpc-peering-connection-id", Values: [pcx] }] }))).RouteTables!;
    assert.deepEqual(new Set(viaPcx.map((t) => t.RouteTableId)), new Set([rt, peerRt]));
    assert.equal((await table(rt)).Routes!.find((r) => r.VpcPeeringConnectionId)!.State, "active");
    // A peering connection that does not involve the table's VPC cannot be a target.
    const third = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.2.0.0/16" }))).Vpc!;
    const thirdRt = (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [third.VpcId!] }] }))).RouteTables![0].RouteTableId!;
    await unchanged(() => ec2.send(new E.CreateRouteCommand({ RouteTableId: thirdRt, DestinationCidrBlock: "10.1.0.0/16", VpcPeeringConnectionId: pcx })), "InvalidParameterValue", /belong to different networks/);

    // Reject a second request, refuse an overlapping one.
    const second = (await ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: third.VpcId, PeerVpcId: dedicated.VpcId }))).VpcPeeringConnection!;
    await ec2.send(new E.RejectVpcPeeringConnectionCommand({ VpcPeeringConnectionId: second.VpcPeeringConnectionId }));
    const rejected = (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [second.VpcPeeringConnectionId!] }))).VpcPeeringConnections![0];
    assert.equal(rejected.Status!.Code, "rejected");
    await unchanged(() => ec2.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: second.VpcPeeringConnectionId })), "InvalidStateTransition");
    const overlapping = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/20" }))).Vpc!;
    const bad = (await ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: vpc.VpcId, PeerVpcId: overlapping.VpcId }))).VpcPeeringConnection!;
    const badNow = (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [bad.VpcPeeringConnectionId!] }))).VpcPeeringConnections![0];
    assert.equal(badNow.Status!.Code, "failed");
    assert.equal(badNow.Status!.Message, "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range");

    const del = await ec2.send(new E.DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    assert.equal(del.Return, true);
    const deleted = (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [pcx] }))).VpcPeeringConnections![0];
    assert.equal(deleted.Status!.Code, "deleted");
    assert.equal((await table(rt)).Routes!.find((r) => r.VpcPeeringConnectionId)!.State, "blackhole");
    await fails(ec2.send(new E.DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx })), "InvalidStateTransition");
    await fails(ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: ["pcx-0123456789abcdef0"] })), "InvalidVpcPeeringConnectionID.NotFound", "The vpcPeeringConnection ID 'pcx-0123456789abcdef0' does not exist");
  });

  test("an unanswered request expires after 7 days", async () => {
    const a = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.30.0.0/16" }))).Vpc!;
    const b = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.31.0.0/16" }))).Vpc!;
    const p = (await ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: a.VpcId, PeerVpcId: b.VpcId }))).VpcPeeringConnection!;
    await advance(7 * 24 * 3600 + 1);
    const now = (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [p.VpcPeeringConnectionId!] }))).VpcPeeringConnections![0];
    assert.equal(now.Status!.Code, "expired");
  });
});
