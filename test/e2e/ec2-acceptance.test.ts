// The acceptance scenario of the EC2 issue: a dual-stack VPC with public and private subnets in two
// zones, gateways, route tables, a database security group, a network ACL with ephemeral-port
// return rules and a peered dedicated VPC, built through the SDK and checked with the SDK and
// Debian's AWS CLI; then the state survives a restart from --state-dir.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import type { NatGateway, RouteTable, SecurityGroup, Subnet, Vpc } from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { sixtyFour, startEc2Server } from "../support/ec2-helpers.ts";
import { tempDir } from "../support/server.ts";

let app: App;
let ec2: E.EC2Client;
const stateDir = tempDir("hyperlocal-ec2-");

before(async () => {
  ({ app, ec2 } = await startEc2Server({ stateDir }));
});
after(async () => {
  await app?.close();
});

const tag = (type: E.ResourceType, tags: Record<string, string>): E.TagSpecification[] => [{ ResourceType: type, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }];

interface Built {
  vpc: Vpc;
  peer: Vpc;
  publics: Subnet[];
  privates: Subnet[];
  igw: string;
  nat: NatGateway;
  eigw: string;
  publicRt: string;
  privateRt: string;
  app: SecurityGroup;
  db: SecurityGroup;
  acl: string;
  pcx: string;
}

let built: Built;

test("build the network through the SDK", async () => {
  const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16", AmazonProvidedIpv6CidrBlock: true, TagSpecifications: tag("vpc", { Name: "main" }) }))).Vpc!;
  const subnet = async (cidr: string, i: number, az: string, tier: string) =>
    (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: cidr, Ipv6CidrBlock: sixtyFour(vpc, i), AvailabilityZone: az, TagSpecifications: tag("subnet", { tier }) }))).Subnet!;
  const publics = [await subnet("10.0.0.0/24", 0, "us-east-1a", "public"), await subnet("10.0.1.0/24", 1, "us-east-1b", "public")];
  const privates = [await subnet("10.0.10.0/24", 10, "us-east-1a", "private"), await subnet("10.0.11.0/24", 11, "us-east-1b", "private")];
  for (const s of publics) await ec2.send(new E.ModifySubnetAttributeCommand({ SubnetId: s.SubnetId, MapPublicIpOnLaunch: { Value: true } }));

  const igw = (await ec2.send(new E.CreateInternetGatewayCommand({ TagSpecifications: tag("internet-gateway", { Name: "igw" }) }))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc.VpcId }));
  const eip = await ec2.send(new E.AllocateAddressCommand({ Domain: "vpc" }));
  const nat = (await ec2.send(new E.CreateNatGatewayCommand({ SubnetId: publics[0].SubnetId, AllocationId: eip.AllocationId, TagSpecifications: tag("natgateway", { Name: "nat" }) }))).NatGateway!;
  const eigw = (await ec2.send(new E.CreateEgressOnlyInternetGatewayCommand({ VpcId: vpc.VpcId }))).EgressOnlyInternetGateway!.EgressOnlyInternetGatewayId!;

  const publicRt = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpc.VpcId, TagSpecifications: tag("route-table", { Name: "public" }) }))).RouteTable!.RouteTableId!;
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: publicRt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: publicRt, DestinationIpv6CidrBlock: "::/0", GatewayId: igw }));
  const privateRt = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpc.VpcId, TagSpecifications: tag("route-table", { Name: "private" }) }))).RouteTable!.RouteTableId!;
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: privateRt, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat.NatGatewayId }));
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: privateRt, DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: eigw }));
  for (const s of publics) await ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: publicRt, SubnetId: s.SubnetId }));
  for (const s of privates) await ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: privateRt, SubnetId: s.SubnetId }));

  const appSg = await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc.VpcId, GroupName: "app", Description: "application tier" }));
  const dbSg = await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc.VpcId, GroupName: "db", Description: "database tier" }));
  await ec2.send(
    new E.AuthorizeSecurityGroupIngressCommand({
      GroupId: dbSg.GroupId,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: appSg.GroupId, Description: "PostgreSQL from app" }] }],
    }),
  );

  // The private subnets' ACL: PostgreSQL in from the VPC, HTTPS out, and the ephemeral ports
  // for return traffic both ways (ACLs are stateless).
  const acl = (await ec2.send(new E.CreateNetworkAclCommand({ VpcId: vpc.VpcId, TagSpecifications: tag("network-acl", { Name: "private" }) }))).NetworkAcl!.NetworkAclId!;
  const entry = (RuleNumber: number, Egress: boolean, CidrBlock: string, From: number, To: number) =>
    ec2.send(new E.CreateNetworkAclEntryCommand({ NetworkAclId: acl, RuleNumber, Egress, Protocol: "6", RuleAction: "allow", CidrBlock, PortRange: { From, To } }));
  await entry(100, false, "10.0.0.0/16", 5432, 5432);
  await entry(110, false, "0.0.0.0/0", 1024, 65535);
  await entry(100, true, "10.0.0.0/16", 1024, 65535);
  await entry(110, true, "0.0.0.0/0", 443, 443);
  const def = (await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }, { Name: "default", Values: ["true"] }] }))).NetworkAcls![0];
  for (const s of privates) {
    const assoc = def.Associations!.find((a) => a.SubnetId === s.SubnetId)!;
    await ec2.send(new E.ReplaceNetworkAclAssociationCommand({ AssociationId: assoc.NetworkAclAssociationId, NetworkAclId: acl }));
  }

  const peer = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.1.0.0/16", InstanceTenancy: "dedicated", TagSpecifications: tag("vpc", { Name: "dedicated" }) }))).Vpc!;
  const pcx = (await ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: vpc.VpcId, PeerVpcId: peer.VpcId }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
  await ec2.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: privateRt, DestinationCidrBlock: "10.1.0.0/16", VpcPeeringConnectionId: pcx }));
  const peerMain = (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [peer.VpcId!] }] }))).RouteTables![0].RouteTableId!;
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: peerMain, DestinationCidrBlock: "10.0.10.0/23", VpcPeeringConnectionId: pcx }));

  const sg = async (id: string) => (await ec2.send(new E.DescribeSecurityGroupsCommand({ GroupIds: [id] }))).SecurityGroups![0];
  built = { vpc, peer, publics, privates, igw, nat, eigw, publicRt, privateRt, app: await sg(appSg.GroupId!), db: await sg(dbSg.GroupId!), acl, pcx };
  assert.equal(built.nat.State, "pending");
});

test("describe it with filters and pagination and see AWS's shapes", async () => {
  const { vpc, privates, publics, nat, igw, eigw, privateRt, publicRt, acl, pcx, peer } = built;
  await fetch(`${app.url}/_hyperlocal/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds: 30 }) });

  const subnets: Subnet[] = [];
  for await (const page of E.paginateDescribeSubnets({ client: ec2, pageSize: 5 }, { Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }] })) subnets.push(...page.Subnets!);
  assert.deepEqual(
    subnets.map((s) => [s.CidrBlock, s.AvailabilityZone, s.Ipv6CidrBlockAssociationSet![0].Ipv6CidrBlock, s.Tags![0].Value]),
    [
      ["10.0.0.0/24", "us-east-1a", sixtyFour(vpc, 0), "public"],
      ["10.0.1.0/24", "us-east-1b", sixtyFour(vpc, 1), "public"],
      ["10.0.10.0/24", "us-east-1a", sixtyFour(vpc, 10), "private"],
      ["10.0.11.0/24", "us-east-1b", sixtyFour(vpc, 11), "private"],
    ],
  );
  assert.equal(subnets[0].AvailableIpAddressCount, 250, "the NAT gateway's interface holds one address of the public subnet");
  assert.equal(subnets[2].AvailableIpAddressCount, 251);

  const natNow = (await ec2.send(new E.DescribeNatGatewaysCommand({ Filter: [{ Name: "vpc-id", Values: [vpc.VpcId!] }, { Name: "state", Values: ["available"] }] }))).NatGateways!;
  assert.deepEqual(
    natNow.map((n) => [n.NatGatewayId, n.SubnetId, n.ConnectivityType]),
    [[nat.NatGatewayId, publics[0].SubnetId, "public"]],
  );

  const rts = (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }, { Name: "association.subnet-id", Values: privates.map((s) => s.SubnetId!) }] }))).RouteTables!;
  assert.equal(rts.length, 1);
  const priv: RouteTable = rts[0];
  assert.equal(priv.RouteTableId, privateRt);
  const routes = priv.Routes!.map((r) => [r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock, r.GatewayId ?? r.NatGatewayId ?? r.EgressOnlyInternetGatewayId ?? r.VpcPeeringConnectionId, r.State]);
  assert.deepEqual(routes.slice(2), [
    ["0.0.0.0/0", nat.NatGatewayId, "active"],
    ["::/0", eigw, "active"],
    ["10.1.0.0/16", pcx, "active"],
  ]);
  const pub = (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "route.gateway-id", Values: [igw] }, { Name: "vpc-id", Values: [vpc.VpcId!] }] }))).RouteTables!;
  assert.deepEqual(
    pub.map((t) => [t.RouteTableId, t.Associations!.length]),
    [[publicRt, 2]],
  );

  const dbRules = (await ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: "ip-permission.group-id", Values: [built.app.GroupId!] }, { Name: "ip-permission.to-port", Values: ["5432"] }] })))
    .SecurityGroups!;
  assert.deepEqual(
    dbRules.map((g) => g.GroupName),
    ["db"],
  );
  assert.deepEqual(dbRules[0].IpPermissions, [
    {
      IpProtocol: "tcp",
      FromPort: 5432,
      ToPort: 5432,
      UserIdGroupPairs: [{ Description: "PostgreSQL from app", UserId: "000000000000", GroupId: built.app.GroupId }],
      IpRanges: [],
      Ipv6Ranges: [],
      PrefixListIds: [],
    },
  ]);

  const acls = (await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: "association.subnet-id", Values: [privates[0].SubnetId!] }] }))).NetworkAcls!;
  assert.equal(acls[0].NetworkAclId, acl);
  assert.deepEqual(
    acls[0].Associations!.map((a) => a.SubnetId).sort(),
    privates.map((s) => s.SubnetId).sort(),
  );
  const ephemeral = acls[0].Entries!.filter((e) => e.PortRange?.From === 1024).map((e) => [e.Egress, e.RuleNumber, e.PortRange!.To]);
  assert.deepEqual(ephemeral, [
    [true, 100, 65535],
    [false, 110, 65535],
  ]);

  const peering = (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ Filters: [{ Name: "requester-vpc-info.vpc-id", Values: [vpc.VpcId!] }, { Name: "status-code", Values: ["active"] }] })))
    .VpcPeeringConnections!;
  assert.deepEqual(
    peering.map((p) => [p.VpcPeeringConnectionId, p.AccepterVpcInfo!.VpcId, p.AccepterVpcInfo!.CidrBlock]),
    [[pcx, peer.VpcId, "10.1.0.0/16"]],
  );
  const dedicated = (await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: "tag:Name", Values: ["dedicated"] }] }))).Vpcs!;
  assert.equal(dedicated[0].InstanceTenancy, "dedicated");

  const enis = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }] }))).NetworkInterfaces!;
  assert.deepEqual(
    enis.map((e) => [e.InterfaceType, e.SubnetId]),
    [["nat_gateway", publics[0].SubnetId]],
  );
});

test("the AWS CLI sees the same network and gets AWS's errors", { skip: !hasAwsCli() && "no /usr/bin/aws" }, async () => {
  const { vpc, privates } = built;
  const [subnets, sgs, conflict, created] = await Promise.all([
    aws(app.url, ["ec2", "describe-subnets", "--filters", `Name=vpc-id,Values=${vpc.VpcId}`, "Name=tag:tier,Values=private"]),
    aws(app.url, ["ec2", "describe-security-groups", "--group-ids", built.db.GroupId!]),
    aws(app.url, ["ec2", "create-subnet", "--vpc-id", vpc.VpcId!, "--cidr-block", "10.0.10.0/24"]),
    aws(app.url, ["ec2", "create-vpc", "--cidr-block", "10.20.0.0/16", "--instance-tenancy", "dedicated"]),
  ]);
  assert.equal(subnets.code, 0, subnets.stderr);
  assert.deepEqual(
    subnets.json.Subnets.map((s: Subnet) => s.SubnetId),
    privates.map((s) => s.SubnetId),
  );
  assert.equal(subnets.json.Subnets[0].Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlockState.State, "associated");
  assert.equal(sgs.code, 0, sgs.stderr);
  assert.equal(sgs.json.SecurityGroups[0].IpPermissions[0].UserIdGroupPairs[0].GroupId, built.app.GroupId);
  assert.equal(sgs.json.SecurityGroups[0].IpPermissions[0].FromPort, 5432);
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.stderr, /An error occurred \(InvalidSubnet\.Conflict\) when calling the CreateSubnet operation.*: The CIDR '10\.0\.10\.0\/24' conflicts with another subnet/);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.json.Vpc.VpcId, /^vpc-[0-9a-f]{17}$/);
  assert.equal(created.json.Vpc.InstanceTenancy, "dedicated");
  assert.equal(created.json.Vpc.CidrBlock, "10.20.0.0/16");
  // What the CLI created, the SDK sees.
  const again = (await ec2.send(new E.DescribeVpcsCommand({ VpcIds: [created.json.Vpc.VpcId] }))).Vpcs!;
  assert.equal(again[0].InstanceTenancy, "dedicated");
});

test("the whole network survives a restart from --state-dir", async () => {
  const before = await Promise.all([
    ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [built.vpc.VpcId!] }] })),
    ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [built.privateRt] })),
    ec2.send(new E.DescribeNatGatewaysCommand({ NatGatewayIds: [built.nat.NatGatewayId!] })),
  ]);
  await app.close();
  ({ app, ec2 } = await startEc2Server({ stateDir }));
  const after = await Promise.all([
    ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [built.vpc.VpcId!] }] })),
    ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [built.privateRt] })),
    ec2.send(new E.DescribeNatGatewaysCommand({ NatGatewayIds: [built.nat.NatGatewayId!] })),
  ]);
  assert.deepEqual(after[0].Subnets, before[0].Subnets);
  assert.deepEqual(after[1].RouteTables, before[1].RouteTables);
  assert.deepEqual(after[2].NatGateways, before[2].NatGateways);
  // Allocation continues where it stopped: the next address in the public subnet is .5.
  const eni = (await ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: built.publics[0].SubnetId }))).NetworkInterface!;
  assert.equal(eni.PrivateIpAddress, "10.0.0.5");
});
