// VPC peering between two accounts through EC2's API (SDK v3, each account with its own root
// credentials): the request shows in both accounts, only the accepter's account accepts or rejects
// it, each owner sets its own side's options, a rule may name the peer account's group (GroupId +
// UserId) once the peering is active, and a peer VPC that does not exist fails the request; hostile
// ids change nothing, and a user of the accepter's account needs ec2:AcceptVpcPeeringConnection.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import * as I from "@aws-sdk/client-iam";
import { clients, rejects } from "../support/clients.ts";
import { ACCOUNT_B, B_CREDS } from "../support/peering-world.ts";
import { startNetworkTestServer, type NetworkTestServer } from "../../src/network/server/test-support.ts";

let srv: NetworkTestServer;
let a: E.EC2Client;
let b: E.EC2Client;
const ids: Record<string, string> = {};

const client = (creds: { accessKeyId: string; secretAccessKey: string }) => new E.EC2Client({ endpoint: srv.url, region: srv.config.region, credentials: creds, maxAttempts: 1 });
const describe = async (ec2: E.EC2Client, id: string) => (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [id] }))).VpcPeeringConnections![0];

before(async () => {
  srv = await startNetworkTestServer();
  a = client({ accessKeyId: "test", secretAccessKey: "test" });
  b = client(B_CREDS);
  ids.aVpc = (await a.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  ids.aSg = (await a.send(new E.CreateSecurityGroupCommand({ VpcId: ids.aVpc, GroupName: "app", Description: "app" }))).GroupId!;
  ids.bVpc = (await b.send(new E.CreateVpcCommand({ CidrBlock: "10.2.0.0/16" }))).Vpc!.VpcId!;
  ids.bSg = (await b.send(new E.CreateSecurityGroupCommand({ VpcId: ids.bVpc, GroupName: "db", Description: "db" }))).GroupId!;
});
after(async () => {
  a?.destroy();
  b?.destroy();
  await srv?.close();
});

test("a request to another account's VPC is pending in both accounts; the requester cannot accept it (recorded AWS text)", async () => {
  const p = (await a.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: ids.aVpc, PeerVpcId: ids.bVpc, PeerOwnerId: ACCOUNT_B }))).VpcPeeringConnection!;
  ids.pcx = p.VpcPeeringConnectionId!;
  assert.equal(p.AccepterVpcInfo!.OwnerId, ACCOUNT_B);
  for (const ec2 of [a, b]) assert.equal((await describe(ec2, ids.pcx)).Status!.Code, "pending-acceptance");
  const e = await rejects(a.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: ids.pcx })));
  assert.equal(e.name, "OperationNotPermitted");
  assert.equal(e.message, `User ${srv.config.account} cannot accept peering ${ids.pcx}`);
  const r = await rejects(a.send(new E.RejectVpcPeeringConnectionCommand({ VpcPeeringConnectionId: ids.pcx })));
  assert.equal(r.name, "OperationNotPermitted");
});

test("before the peering is active, account B's rule cannot name account A's group; after B accepts, it can", async () => {
  const perm = { IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ UserId: srv.config.account, GroupId: ids.aSg }] };
  const early = await rejects(b.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: ids.bSg, IpPermissions: [perm] })));
  assert.equal(early.name, "InvalidGroup.NotFound");
  assert.equal(early.message, "You have specified two resources that belong to different networks.");
  await b.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: ids.pcx }));
  for (const ec2 of [a, b]) assert.equal((await describe(ec2, ids.pcx)).Status!.Code, "active");
  await b.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: ids.bSg, IpPermissions: [perm] }));
  const g = (await b.send(new E.DescribeSecurityGroupsCommand({ GroupIds: [ids.bSg] }))).SecurityGroups![0];
  const pair = g.IpPermissions!.find((x) => x.FromPort === 5432)!.UserIdGroupPairs![0];
  assert.deepEqual([pair.UserId, pair.GroupId, pair.VpcId], [srv.config.account, ids.aSg, ids.aVpc]);
  // A group id the other account does not have: not found.
  const missing = await rejects(b.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: ids.bSg, IpPermissions: [{ ...perm, UserIdGroupPairs: [{ UserId: srv.config.account, GroupId: "sg-0123456789abcdef0" }] }] })));
  assert.equal(missing.name, "InvalidGroup.NotFound");
});

test("each owner sets only its own side's options (recorded AWS text)", async () => {
  const e = await rejects(a.send(new E.ModifyVpcPeeringConnectionOptionsCommand({ VpcPeeringConnectionId: ids.pcx, AccepterPeeringConnectionOptions: { AllowDnsResolutionFromRemoteVpc: true } })));
  assert.equal(e.name, "OperationNotPermitted");
  assert.equal(e.message, `User ${srv.config.account} does not have permission to modify the accepter side peering options`);
  const ok = await b.send(new E.ModifyVpcPeeringConnectionOptionsCommand({ VpcPeeringConnectionId: ids.pcx, AccepterPeeringConnectionOptions: { AllowDnsResolutionFromRemoteVpc: true } }));
  assert.equal(ok.AccepterPeeringConnectionOptions!.AllowDnsResolutionFromRemoteVpc, true);
  assert.equal((await describe(a, ids.pcx)).AccepterVpcInfo!.PeeringOptions!.AllowDnsResolutionFromRemoteVpc, true);
});

test("deleted by the requester: deleted in both accounts", async () => {
  await a.send(new E.DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: ids.pcx }));
  for (const ec2 of [a, b]) assert.equal((await describe(ec2, ids.pcx)).Status!.Code, "deleted");
});

test("a peer VPC the other account does not have: the request fails (AWS's status message)", async () => {
  const p = (await a.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: ids.aVpc, PeerVpcId: "vpc-0123456789abcdef0", PeerOwnerId: ACCOUNT_B }))).VpcPeeringConnection!;
  const seen = await describe(a, p.VpcPeeringConnectionId!);
  assert.equal(seen.Status!.Code, "failed");
  assert.equal(seen.Status!.Message, "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range");
  const inB = (await b.send(new E.DescribeVpcPeeringConnectionsCommand({ Filters: [{ Name: "vpc-peering-connection-id", Values: [p.VpcPeeringConnectionId!] }] }))).VpcPeeringConnections!;
  assert.deepEqual(inB, []);
});

test("hostile and malformed ids across accounts: the request fails or is refused, and nothing stored changes", async () => {
  // A peer VPC or owner that names nothing (prototype names included) fails the request, as a missing VPC does.
  for (const [PeerVpcId, PeerOwnerId] of [["__proto__", ACCOUNT_B], ["constructor", ACCOUNT_B], [ids.bVpc, "constructor"], [ids.bVpc, "__proto__"]]) {
    const p = (await a.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: ids.aVpc, PeerVpcId, PeerOwnerId }))).VpcPeeringConnection!;
    const seen = await describe(a, p.VpcPeeringConnectionId!);
    assert.equal(seen.Status!.Code, "failed", `${PeerVpcId} / ${PeerOwnerId}`);
    assert.equal(seen.Status!.Message, "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range");
  }
  const before = (await b.send(new E.DescribeSecurityGroupsCommand({ GroupIds: [ids.bSg] }))).SecurityGroups![0].IpPermissions;
  const rule = (UserId: string, GroupId: string) => b.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: ids.bSg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 6000, ToPort: 6000, UserIdGroupPairs: [{ UserId, GroupId }] }] }));
  const malformed = await rejects(rule(srv.config.account, "__proto__"));
  assert.equal(malformed.name, "InvalidGroupId.Malformed");
  assert.equal(malformed.$metadata.httpStatusCode, 400);
  for (const userId of ["__proto__", "constructor"]) assert.equal((await rejects(rule(userId, ids.aSg))).name, "InvalidGroup.NotFound");
  assert.deepEqual((await b.send(new E.DescribeSecurityGroupsCommand({ GroupIds: [ids.bSg] }))).SecurityGroups![0].IpPermissions, before);
});

test("an IAM user of the accepter's account without ec2:AcceptVpcPeeringConnection is denied; the request stays pending", async () => {
  const p = (await a.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: ids.aVpc, PeerVpcId: ids.bVpc, PeerOwnerId: ACCOUNT_B }))).VpcPeeringConnection!;
  const iamB = clients(srv.url, B_CREDS).iam;
  await iamB.send(new I.CreateUserCommand({ UserName: "viewer" }));
  await iamB.send(new I.PutUserPolicyCommand({ UserName: "viewer", PolicyName: "read", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:Describe*", Resource: "*" }] }) }));
  const key = (await iamB.send(new I.CreateAccessKeyCommand({ UserName: "viewer" }))).AccessKey!;
  const viewer = client({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
  try {
    const denied = await rejects(viewer.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: p.VpcPeeringConnectionId! })));
    assert.equal(denied.name, "UnauthorizedOperation");
    assert.equal(denied.$metadata.httpStatusCode, 403);
    assert.match(denied.message, /not authorized to perform: ec2:AcceptVpcPeeringConnection/);
    for (const ec2 of [a, b, viewer]) assert.equal((await describe(ec2, p.VpcPeeringConnectionId!)).Status!.Code, "pending-acceptance");
  } finally {
    viewer.destroy();
  }
});
