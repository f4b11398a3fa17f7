// Cross-Region VPC peering in the network model: a VPC in the server's Region reaches an interface in
// a peered VPC of another Region when the peering is active and both sides route to it; without the
// peer's route back, or once the peering is deleted, it does not. Built with the SDK v3 in both
// Regions; the verdict comes from GET /_hyperlocal/reachability with the local interface as source.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import { adminCall, startNetworkTestServer, type NetworkTestServer } from "../../src/network/server/test-support.ts";

const PEER_REGION = "eu-west-1";
let srv: NetworkTestServer;
let here: E.EC2Client;
let there: E.EC2Client;

const client = (region: string) => new E.EC2Client({ endpoint: srv.url, region, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });

/** A VPC with one subnet, its own route table, a group and an interface at `ip`. */
async function side(ec2: E.EC2Client, cidr: string, subnetCidr: string, ip: string, ingressFrom?: string) {
  const vpcId = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
  const subnetId = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: subnetCidr }))).Subnet!.SubnetId!;
  const rtb = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  await ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: subnetId }));
  const sg = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "app", Description: "app" }))).GroupId!;
  if (ingressFrom) await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: ingressFrom }] }] }));
  const eni = (await ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: ip, Groups: [sg] }))).NetworkInterface!.NetworkInterfaceId!;
  return { vpcId, rtb, eni };
}

let a: Awaited<ReturnType<typeof side>>;
let b: Awaited<ReturnType<typeof side>>;
let pcx: string;

before(async () => {
  srv = await startNetworkTestServer();
  here = client(srv.config.region);
  there = client(PEER_REGION);
  a = await side(here, "10.0.0.0/16", "10.0.1.0/24", "10.0.1.10");
  b = await side(there, "10.1.0.0/16", "10.1.1.0/24", "10.1.1.20", "10.0.0.0/16");
  pcx = (await here.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: a.vpcId, PeerVpcId: b.vpcId, PeerRegion: PEER_REGION }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
  await there.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
  await here.send(new E.CreateRouteCommand({ RouteTableId: a.rtb, DestinationCidrBlock: "10.1.0.0/16", VpcPeeringConnectionId: pcx }));
});
after(async () => {
  here?.destroy();
  there?.destroy();
  await srv?.close();
});

const reach = async (port = 5432) => {
  const r = await adminCall(srv, "GET", `reachability?eni=${a.eni}&to=10.1.1.20:${port}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};

test("without the peer Region's route back: not allowed, the reply has no way home", async () => {
  const r = await reach();
  assert.notEqual(r.verdict, "allow");
  assert.equal(r.reasons[0].check, "return-route", JSON.stringify(r.reasons));
  assert.equal(r.reasons[0].code, "NO_ROUTE_TO_DESTINATION");
  assert.deepEqual(r.reasons[0].component, { kind: "route-table", id: b.rtb });
});

test("routes on both sides: allowed across Regions, through the peering and the peer side's ACL and group", async () => {
  await there.send(new E.CreateRouteCommand({ RouteTableId: b.rtb, DestinationCidrBlock: "10.0.0.0/16", VpcPeeringConnectionId: pcx }));
  const r = await reach();
  assert.equal(r.verdict, "allow", JSON.stringify(r.reasons));
  const ids = r.path.map((h: { id: string }) => h.id);
  assert.ok(ids.includes(pcx), ids.join(" "));
  assert.equal(ids.at(-1), b.eni);
  // The peer side's group admits only 5432.
  const ssh = await reach(22);
  assert.equal(ssh.verdict, "drop");
  assert.equal(ssh.reasons[0].code, "ENI_SG_RULES_MISMATCH");
});

test("a deleted peering: not allowed", async () => {
  await there.send(new E.DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
  const r = await reach();
  assert.notEqual(r.verdict, "allow");
  assert.equal(r.reasons[0].code, "BAD_STATE", JSON.stringify(r.reasons));
  assert.deepEqual(r.reasons[0].component, { kind: "vpc-peering-connection", id: pcx });
});
