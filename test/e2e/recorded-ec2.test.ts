// EC2 facts recorded against real AWS, each case naming its recording: LocalStack's AWS-validated
// snapshots (localstack/localstack tests/aws/services/ec2/test_ec2.snapshot.json, marked in
// test_ec2.validation.json), EC2's own texts as Lambda relays them (tests/aws/services/lambda_/
// test_lambda_api.snapshot.json), and the EC2 API reference's examples. Our own tests, same facts.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { clients, rejects } from "../support/clients.ts";
import { LOCALSTACK, recordedError } from "../support/recorded.ts";
import { startTestServer } from "../support/server.ts";

const SNAP = `${LOCALSTACK} tests/aws/services/ec2/test_ec2.snapshot.json`;
const LAMBDA_SNAP = `${LOCALSTACK} tests/aws/services/lambda_/test_lambda_api.snapshot.json`;
const ACCOUNT = "000000000000";

describe("recorded EC2 answers", () => {
  let app: App;
  let ec2: E.EC2Client;
  let created: E.Vpc;
  before(async () => {
    app = await startTestServer();
    ec2 = clients(app.url).ec2;
    created = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "test-key", Value: "test-value" }] }] }))).Vpc!;
  });
  after(() => app?.close());

  describe(`${SNAP} TestEc2Integrations::test_get_security_groups_for_vpc`, () => {
    it("CreateVpc answers State pending, the CIDR association associated, IsDefault false, the tags", () => {
      assert.equal(created.State, "pending");
      assert.equal(created.CidrBlockAssociationSet![0].CidrBlock, "10.0.0.0/16");
      assert.equal(created.CidrBlockAssociationSet![0].CidrBlockState!.State, "associated");
      assert.equal(created.IsDefault, false);
      assert.equal(created.OwnerId, ACCOUNT);
      assert.match(created.DhcpOptionsId!, /^dopt-/);
      assert.deepEqual(created.Tags, [{ Key: "test-key", Value: "test-value" }]);
    });
    it("a new VPC has its security group 'default', described 'default VPC security group'", async () => {
      const groups = (await ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [created.VpcId!] }] }))).SecurityGroups!;
      assert.equal(groups.length, 1);
      assert.equal(groups[0].GroupName, "default");
      assert.equal(groups[0].Description, "default VPC security group");
    });
    it("CreateSecurityGroup answers GroupId and SecurityGroupArn", async () => {
      const g = await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: created.VpcId, GroupName: "rec", Description: "Description for rec" }));
      assert.match(g.GroupId!, /^sg-[0-9a-f]{17}$/);
      assert.equal(g.SecurityGroupArn, `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/${g.GroupId}`);
    });
  });

  describe(`${SNAP} TestEc2Integrations::test_create_route_table_association`, () => {
    let rt: E.RouteTable;
    before(async () => {
      const subnet = (await ec2.send(new E.CreateSubnetCommand({ VpcId: created.VpcId, CidrBlock: "10.0.1.0/24" }))).Subnet!.SubnetId!;
      const id = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: created.VpcId }))).RouteTable!.RouteTableId!;
      await ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: id, SubnetId: subnet }));
      rt = (await ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [id] }))).RouteTables![0];
    });
    it("a new route table has the local route: GatewayId local, Origin CreateRouteTable, State active", () => {
      assert.deepEqual(
        rt.Routes!.map((r) => ({ d: r.DestinationCidrBlock, g: r.GatewayId, o: r.Origin, s: r.State })),
        [{ d: "10.0.0.0/16", g: "local", o: "CreateRouteTable", s: "active" }],
      );
    });
    it("its subnet association: Main false, AssociationState associated; OwnerId the account", () => {
      assert.equal(rt.Associations!.length, 1);
      assert.equal(rt.Associations![0].Main, false);
      assert.equal(rt.Associations![0].AssociationState!.State, "associated");
      assert.equal(rt.OwnerId, ACCOUNT);
      assert.deepEqual(rt.PropagatingVgws, []);
    });
  });

  describe(`${SNAP} TestEc2Integrations::test_vcp_peering_difference_regions`, () => {
    let pcx: string;
    let peer: string;
    it("a new peering: pending-acceptance, 'Pending Acceptance by <account>', an ExpirationTime, the requester's options all false", async () => {
      peer = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "192.168.2.0/24" }))).Vpc!.VpcId!;
      pcx = (await ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: created.VpcId, PeerVpcId: peer }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
      const p = (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [pcx] }))).VpcPeeringConnections![0];
      assert.deepEqual(p.Status, { Code: "pending-acceptance", Message: `Pending Acceptance by ${ACCOUNT}` });
      assert.ok(p.ExpirationTime instanceof Date);
      assert.equal(p.RequesterVpcInfo!.CidrBlock, "10.0.0.0/16");
      assert.equal(p.RequesterVpcInfo!.Region, "us-east-1");
      assert.deepEqual(p.RequesterVpcInfo!.PeeringOptions, { AllowDnsResolutionFromRemoteVpc: false, AllowEgressFromLocalClassicLinkToRemoteVpc: false, AllowEgressFromLocalVpcToRemoteClassicLink: false });
    });
    it("accepted: Status active 'Active', and the accepter's CIDR shown", async () => {
      await ec2.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
      const p = (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [pcx] }))).VpcPeeringConnections![0];
      assert.deepEqual(p.Status, { Code: "active", Message: "Active" });
      assert.equal(p.AccepterVpcInfo!.CidrBlock, "192.168.2.0/24");
      assert.deepEqual(p.AccepterVpcInfo!.CidrBlockSet, [{ CidrBlock: "192.168.2.0/24" }]);
      assert.equal(p.AccepterVpcInfo!.OwnerId, ACCOUNT);
    });
    it("(not a recording: hyperlocal's own check) ModifyVpcPeeringConnectionOptions turns on DNS resolution for one side, and Describe shows it", async () => {
      const r = await ec2.send(new E.ModifyVpcPeeringConnectionOptionsCommand({ VpcPeeringConnectionId: pcx, AccepterPeeringConnectionOptions: { AllowDnsResolutionFromRemoteVpc: true } }));
      assert.equal(r.AccepterPeeringConnectionOptions!.AllowDnsResolutionFromRemoteVpc, true);
      assert.equal(r.RequesterPeeringConnectionOptions, undefined);
      const p = (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [pcx] }))).VpcPeeringConnections![0];
      assert.equal(p.AccepterVpcInfo!.PeeringOptions!.AllowDnsResolutionFromRemoteVpc, true);
      assert.equal(p.RequesterVpcInfo!.PeeringOptions!.AllowDnsResolutionFromRemoteVpc, false);
    });
    it("across Regions the accepter's Region is the peer's, and the connection shows there (EC2 API reference, CreateVpcPeeringConnection PeerRegion)", async () => {
      const west = clients(app.url, undefined, "us-west-2").ec2;
      const far = (await west.send(new E.CreateVpcCommand({ CidrBlock: "192.168.9.0/24" }))).Vpc!.VpcId!;
      const x = (await ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: created.VpcId, PeerVpcId: far, PeerRegion: "us-west-2" }))).VpcPeeringConnection!;
      assert.equal(x.AccepterVpcInfo!.Region, "us-west-2");
      assert.equal(x.RequesterVpcInfo!.Region, "us-east-1");
      const id = x.VpcPeeringConnectionId!;
      const describe = async (client: E.EC2Client) => (await client.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [id] }))).VpcPeeringConnections!;
      const there = await describe(west);
      assert.equal(there.length, 1);
      assert.equal(there[0].Status!.Code, "pending-acceptance");
      assert.equal(there[0].AccepterVpcInfo!.Region, "us-west-2");
      assert.equal((await describe(ec2))[0].Status!.Code, "pending-acceptance");
      // Accepted in the peer's Region, it is active on both sides.
      const wrongSide = await rejects(ec2.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id })));
      assert.equal(wrongSide.name, "OperationNotPermitted");
      await west.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }));
      assert.equal((await describe(ec2))[0].Status!.Code, "active");
      assert.equal((await describe(west))[0].Status!.Code, "active");
      assert.deepEqual((await describe(ec2))[0].AccepterVpcInfo!.CidrBlockSet, [{ CidrBlock: "192.168.9.0/24" }]);
      // A route in the requester's Region can use it; deleting from the requester's side deletes it in both.
      const rtb = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: created.VpcId }))).RouteTable!.RouteTableId!;
      await ec2.send(new E.CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "192.168.9.0/24", VpcPeeringConnectionId: id }));
      await ec2.send(new E.DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }));
      assert.equal((await describe(west))[0].Status!.Code, "deleted");
      assert.equal((await describe(ec2))[0].Status!.Code, "deleted");
    });
    it("across Regions a peer VPC that is not in the peer's Region: the request is made, then failed (EC2 API reference: VpcPeeringConnectionStateReason)", async () => {
      const west = clients(app.url, undefined, "us-west-2").ec2;
      const x = (await ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: created.VpcId, PeerVpcId: "vpc-0123456789abcdef0", PeerRegion: "us-west-2" }))).VpcPeeringConnection!;
      assert.equal(x.Status!.Code, "initiating-request");
      const p = (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [x.VpcPeeringConnectionId!] }))).VpcPeeringConnections![0];
      assert.equal(p.Status!.Code, "failed");
      assert.equal(p.Status!.Message, "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range");
      const none = await rejects(west.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [x.VpcPeeringConnectionId!] })));
      assert.equal(none.name, "InvalidVpcPeeringConnectionID.NotFound");
    });
  });

  describe(`${SNAP} test_describe_availability_zones_filter_with_zone_names`, () => {
    it("ZoneNames [us-east-1a] answers that zone only, with AWS's zone fields", async () => {
      const zones = (await ec2.send(new E.DescribeAvailabilityZonesCommand({ ZoneNames: ["us-east-1a"] }))).AvailabilityZones!;
      assert.equal(zones.length, 1);
      const z = zones[0];
      assert.equal(z.ZoneName, "us-east-1a");
      assert.equal(z.State, "available");
      assert.equal(z.ZoneType, "availability-zone");
      assert.equal(z.OptInStatus, "opt-in-not-required");
      assert.equal(z.RegionName, "us-east-1");
      assert.equal(z.NetworkBorderGroup, "us-east-1");
      assert.equal(z.GroupName, "us-east-1-zg-1");
      assert.equal(z.GroupLongName, "US East (N. Virginia) 1");
      assert.deepEqual(z.Messages, []);
    });
  });

  describe(`${LAMBDA_SNAP} TestLambdaFunction::test_invalid_vpc_config_subnet / _security_group (EC2's own words)`, () => {
    it("DescribeSubnets of a missing subnet: InvalidSubnetID.NotFound \"The subnet ID '...' does not exist\"", async () => {
      await recordedError(ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: ["subnet-0123456789abcdef0"] })), "InvalidSubnetID.NotFound", 400, "The subnet ID 'subnet-0123456789abcdef0' does not exist");
    });
    it("DescribeSecurityGroups of a missing group: InvalidGroup.NotFound \"The security group '...' does not exist\"", async () => {
      await recordedError(ec2.send(new E.DescribeSecurityGroupsCommand({ GroupIds: ["sg-0123456789abcdef0"] })), "InvalidGroup.NotFound", 400, "The security group 'sg-0123456789abcdef0' does not exist");
    });
  });

  describe("EC2 API reference, DescribeInternetGateways example", () => {
    it("an attached internet gateway's attachment State is 'available'", async () => {
      const igw = (await ec2.send(new E.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
      await ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: created.VpcId }));
      const g = (await ec2.send(new E.DescribeInternetGatewaysCommand({ InternetGatewayIds: [igw] }))).InternetGateways![0];
      assert.deepEqual(g.Attachments, [{ State: "available", VpcId: created.VpcId }]);
    });
  });
});
