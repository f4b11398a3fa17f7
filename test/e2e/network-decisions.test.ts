// The decision API the function-side shim asks (POST /_hyperlocal/network/{connect,close,lookup})
// for a VPC function (a Lambda Hyperplane ENI in a private subnet) and a function outside any VPC:
// mapped connections, drops with their AWS reason, unreachable, refused when nothing listens,
// unknown tokens refused, lookups, connection accounting, and rules changed while the function is
// warm applying to its next connection. Connections go only to a local server on 127.0.0.1.
import assert from "node:assert/strict";
import { createServer, connect as netConnect, type Server } from "node:net";
import { after, before, test } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import { clients } from "../support/clients.ts";
import { adminCall, buildScenario, startNetworkTestServer, type NetworkTestServer, type Scenario } from "../../src/network/server/test-support.ts";

let srv: NetworkTestServer;
let sc: Scenario;
let ec2: E.EC2Client;
let local: Server;
let localPort = 0;
let apiAddress = "";

const VPC_TOKEN = "env-vpc-1";
const PUBLIC_TOKEN = "env-public-1";

before(async () => {
  srv = await startNetworkTestServer();
  sc = await buildScenario(srv);
  ec2 = clients(srv.url, undefined, srv.config.region).ec2;
  // A real local server standing in for the database (loopback only).
  local = createServer((s) => s.end("hello from the database stand-in\n"));
  await new Promise<void>((r) => local.listen(0, "127.0.0.1", r));
  localPort = (local.address() as { port: number }).port;
  assert.equal((await adminCall(srv, "POST", "endpoints", { ip: "10.0.1.25", port: 5432, target: `127.0.0.1:${localPort}`, name: "db.internal" })).status, 201);
  const api = await adminCall(srv, "POST", "internet", { name: "api.example.com", port: 443, target: "127.0.0.1:8443" });
  apiAddress = api.body.address;
  const account = srv.config.account;
  const region = srv.config.region;
  srv.network.environments.register(VPC_TOKEN, { account, region, functionName: "fn-vpc", vpc: { networkInterfaceId: sc.lambdaEni, comboKey: sc.comboKey, ipv6Allowed: false } });
  srv.network.environments.register(PUBLIC_TOKEN, { account, region, functionName: "fn-public" });
});
after(async () => {
  ec2?.destroy();
  await new Promise((r) => local?.close(r));
  await srv?.close();
});

const ask = async (token: string | undefined, op: string, body: unknown) => {
  const r = await adminCall(srv, "POST", `network/${op}`, body, token === undefined ? {} : { "x-hyperlocal-net-token": token });
  return r;
};
const connect = async (token: string | undefined, host: string, port: number, protocol = "tcp") => {
  const r = await ask(token, "connect", { host, port, protocol });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};

test("VPC function: an allowed, mapped connection goes to the local endpoint and is counted on the Hyperplane ENI", async () => {
  const before = srv.accounting.length;
  const d = await connect(VPC_TOKEN, "10.0.1.25", 5432);
  assert.equal(d.action, "connect");
  assert.equal(d.host, "127.0.0.1");
  assert.equal(d.port, localPort);
  assert.match(d.connectionId, /^c-/);
  assert.deepEqual(srv.accounting.slice(before), [`acquire ${sc.comboKey}`]);
  assert.equal(srv.network.environments.openConnections(VPC_TOKEN), 1);

  // What the shim then does: connect to the local server, on loopback.
  const text = await new Promise<string>((resolve, reject) => {
    const s = netConnect({ host: d.host, port: d.port });
    let got = "";
    s.on("data", (c) => (got += c));
    s.on("end", () => resolve(got));
    s.on("error", reject);
  });
  assert.equal(text, "hello from the database stand-in\n");

  // Only the environment that holds a connection may close it.
  assert.deepEqual((await ask(undefined, "close", { connectionId: d.connectionId })).body, { closed: false });
  assert.equal(srv.network.environments.openConnections(VPC_TOKEN), 1);
  const closed = await ask(VPC_TOKEN, "close", { connectionId: d.connectionId });
  assert.deepEqual(closed.body, { closed: true });
  assert.deepEqual(srv.accounting.slice(before), [`acquire ${sc.comboKey}`, `release ${sc.comboKey} eni-counted-1`]);
  assert.equal(srv.network.environments.openConnections(VPC_TOKEN), 0);
  assert.deepEqual((await ask(VPC_TOKEN, "close", { connectionId: d.connectionId })).body, { closed: false });
});

test("VPC function: a name of an endpoint resolves inside the VPC; the answer carries the address", async () => {
  const d = await connect(VPC_TOKEN, "db.internal", 5432);
  assert.equal(d.action, "connect");
  assert.equal(d.address, "10.0.1.25");
  await ask(VPC_TOKEN, "close", { connectionId: d.connectionId });
  const l = await ask(VPC_TOKEN, "lookup", { name: "DB.Internal", family: 0 });
  assert.deepEqual(l.body, { addresses: [{ address: "10.0.1.25", family: 4 }] });
  assert.deepEqual((await ask(VPC_TOKEN, "lookup", { name: "ip-10-0-1-25.ec2.internal", family: 4 })).body, { addresses: [{ address: "10.0.1.25", family: 4 }] });
  assert.deepEqual((await ask(VPC_TOKEN, "lookup", { name: "api.example.com", family: 4 })).body, { addresses: [{ address: apiAddress, family: 4 }] });
  assert.equal((await ask(VPC_TOKEN, "lookup", { name: "api.example.com", family: 6 })).body.error, "ENOTFOUND");
  const missing = await ask(VPC_TOKEN, "lookup", { name: "nowhere.example", family: 0 });
  assert.equal(missing.body.error, "ENOTFOUND");
  assert.match(missing.body.reason, /not mapped/);
  assert.equal((await connect(VPC_TOKEN, "nowhere.example", 443)).action, "notfound");
});

test("VPC function: a security group that says no is a drop (timeout) with the AWS reason", async () => {
  const d = await connect(VPC_TOKEN, "10.0.1.25", 22);
  assert.equal(d.action, "drop");
  assert.equal(d.afterMs, 3000);
  assert.match(d.reason, /ENI_SG_RULES_MISMATCH/);
  assert.match(d.reason, new RegExp(`No inbound rule of security group ${sc.dbSg}`));
  srv.network.settings.dropAfterMs = 250;
  assert.equal((await connect(VPC_TOKEN, "10.0.1.25", 22)).afterMs, 250);
  srv.network.settings.dropAfterMs = 3000;
  // An address nobody holds: AWS times out.
  const empty = await connect(VPC_TOKEN, "10.0.1.77", 5432);
  assert.equal(empty.action, "drop");
  assert.match(empty.reason, /Nothing has the address 10.0.1.77.*NO_POSSIBLE_DESTINATION/);
  assert.equal(srv.network.environments.openConnections(VPC_TOKEN), 0, "drops hold no connection");
});

test("VPC function: the network allows it but nothing listens on that port: refused", async () => {
  await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: sc.dbSg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 6000, ToPort: 6000, UserIdGroupPairs: [{ GroupId: sc.fnSg }] }] }));
  const d = await connect(VPC_TOKEN, "10.0.1.25", 6000);
  assert.equal(d.action, "refuse");
  assert.match(d.reason, /nothing is listening at 10.0.1.25:6000.*no endpoint is placed there \(endpoints there: tcp\/5432\)/);
});

test("VPC function without a NAT gateway: no route to the internet (unreachable); a route to the internet gateway alone does not help", async () => {
  const d = await connect(VPC_TOKEN, "api.example.com", 443);
  assert.equal(d.action, "unreachable");
  assert.match(d.reason, /NO_ROUTE_TO_DESTINATION/);
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: sc.privateRt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: sc.igw }));
  const viaIgw = await connect(VPC_TOKEN, "api.example.com", 443);
  assert.equal(viaIgw.action, "drop");
  assert.match(viaIgw.reason, /Lambda network interface .* has no public IP address.*IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS/);
});

test("VPC function with a NAT gateway: dropped while it is pending, connected once it is available (the clock moved, no request)", async () => {
  const eip = await ec2.send(new E.AllocateAddressCommand({ Domain: "vpc" }));
  const nat = (await ec2.send(new E.CreateNatGatewayCommand({ SubnetId: sc.publicSubnet, AllocationId: eip.AllocationId }))).NatGateway!;
  await ec2.send(new E.ReplaceRouteCommand({ RouteTableId: sc.privateRt, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat.NatGatewayId }));
  const pending = await connect(VPC_TOKEN, "api.example.com", 443);
  assert.equal(pending.action, "drop");
  assert.match(pending.reason, /is pending, not available.*BAD_STATE/);
  srv.clock.advance(10_000);
  const ok = await connect(VPC_TOKEN, "api.example.com", 443);
  assert.equal(ok.action, "connect", JSON.stringify(ok));
  assert.deepEqual([ok.host, ok.port, ok.address], ["127.0.0.1", 8443, apiAddress]);
  await ask(VPC_TOKEN, "close", { connectionId: ok.connectionId });
  // A public address nobody mapped: no host answers, a timeout.
  const unmapped = await connect(VPC_TOKEN, "198.51.100.200", 443);
  assert.equal(unmapped.action, "drop");
  assert.match(unmapped.reason, /nothing mapped at 198.51.100.200/);
  // The mapped host on another port: refused.
  assert.equal((await connect(VPC_TOKEN, apiAddress, 8443)).action, "refuse");
});

test("a rule changed while the function is warm applies to its next connection", async () => {
  assert.equal((await connect(VPC_TOKEN, "10.0.1.25", 5432)).action, "connect");
  await ec2.send(new E.RevokeSecurityGroupIngressCommand({ GroupId: sc.dbSg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: sc.fnSg }] }] }));
  const after = await connect(VPC_TOKEN, "10.0.1.25", 5432);
  assert.equal(after.action, "drop");
  assert.match(after.reason, /ENI_SG_RULES_MISMATCH/);
  // A network ACL entry replaced in place (same number of entries) applies too.
  await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: sc.dbSg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: sc.fnSg }] }] }));
  assert.equal((await connect(VPC_TOKEN, "10.0.1.25", 5432)).action, "connect");
  const acl = (await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: "association.subnet-id", Values: [sc.dbSubnet] }] }))).NetworkAcls![0];
  await ec2.send(new E.ReplaceNetworkAclEntryCommand({ NetworkAclId: acl.NetworkAclId, RuleNumber: 100, Egress: false, Protocol: "6", RuleAction: "deny", CidrBlock: "10.0.3.0/24", PortRange: { From: 5432, To: 5432 } }));
  const denied = await connect(VPC_TOKEN, "10.0.1.25", 5432);
  assert.equal(denied.action, "drop");
  assert.match(denied.reason, /rule 100 denies it.*SUBNET_ACL_RESTRICTION/);
  await ec2.send(new E.ReplaceNetworkAclEntryCommand({ NetworkAclId: acl.NetworkAclId, RuleNumber: 100, Egress: false, Protocol: "-1", RuleAction: "allow", CidrBlock: "0.0.0.0/0" }));
  assert.equal((await connect(VPC_TOKEN, "10.0.1.25", 5432)).action, "connect");
});

test("a function outside any VPC reaches the internet mappings and no private VPC address", async () => {
  const d = await connect(PUBLIC_TOKEN, "api.example.com", 443);
  assert.equal(d.action, "connect");
  assert.equal(d.port, 8443);
  assert.equal(d.address, apiAddress);
  const before = srv.accounting.length;
  await ask(PUBLIC_TOKEN, "close", { connectionId: d.connectionId });
  assert.equal(srv.accounting.length, before, "no Hyperplane accounting outside a VPC");
  const priv = await connect(PUBLIC_TOKEN, "10.0.1.25", 5432);
  assert.equal(priv.action, "unreachable");
  assert.match(priv.reason, /not a public address/);
  assert.deepEqual((await ask(PUBLIC_TOKEN, "lookup", { name: "api.example.com", family: 0 })).body, { addresses: [{ address: apiAddress, family: 4 }] });
  // Endpoint names are private to VPCs.
  assert.equal((await ask(PUBLIC_TOKEN, "lookup", { name: "db.internal", family: 0 })).body.error, "ENOTFOUND");
  assert.equal((await connect(PUBLIC_TOKEN, "203.0.113.250", 443)).action, "drop");
});

test("unknown or missing tokens are refused (fail closed); malformed requests get 400", async () => {
  const unknown = await connect("env-nobody", "api.example.com", 443);
  assert.equal(unknown.action, "refuse");
  assert.match(unknown.reason, /not registered/);
  const none = await connect(undefined, "10.0.1.25", 5432);
  assert.equal(none.action, "refuse");
  assert.match(none.reason, /x-hyperlocal-net-token/);
  assert.equal((await ask("env-nobody", "lookup", { name: "api.example.com", family: 0 })).body.error, "ENOTFOUND");
  for (const body of [{ host: "", port: 1 }, { host: "10.0.1.25", port: 70000 }, { host: "10.0.1.25", port: 1, protocol: "icmp" }, [1]]) {
    assert.equal((await ask(VPC_TOKEN, "connect", body)).status, 400, JSON.stringify(body));
  }
  assert.equal((await ask(VPC_TOKEN, "lookup", { name: "x", family: 5 })).status, 400);
  // In-process callers get the same answers.
  const inProcess = await srv.network.decide("env-nobody", "connect", { host: "10.0.1.25", port: 5432 });
  assert.equal(inProcess.status, 200);
  assert.equal((inProcess.body as { action: string }).action, "refuse");
});

test("unregistering an environment releases the connections it still held", async () => {
  const token = "env-vpc-2";
  srv.network.environments.register(token, { account: srv.config.account, region: srv.config.region, functionName: "fn-vpc", vpc: { networkInterfaceId: sc.lambdaEni, comboKey: sc.comboKey, ipv6Allowed: false } });
  const a = await connect(token, "10.0.1.25", 5432);
  const b = await connect(token, "10.0.1.25", 5432);
  assert.equal(a.action, "connect");
  assert.notEqual(a.connectionId, b.connectionId);
  assert.equal(srv.network.environments.openConnections(token), 2);
  const before = srv.accounting.length;
  srv.network.environments.unregister(token);
  assert.equal(srv.accounting.slice(before).filter((x) => x.startsWith("release")).length, 2);
  assert.equal(srv.network.environments.openConnections(token), 0);
  assert.equal((await connect(token, "10.0.1.25", 5432)).action, "refuse");
});

test("shimEnvironment: the preload, the variables and a registered token for a function's source", async () => {
  const source = { account: srv.config.account, region: srv.config.region, functionName: "fn-vpc", version: "3", vpc: { networkInterfaceId: sc.lambdaEni, comboKey: sc.comboKey, ipv6Allowed: false } };
  const env = srv.network.shimEnvironment(source, "http://0.0.0.0:4566");
  assert.equal(env.extraEnv.HYPERLOCAL_NET_URL, "http://127.0.0.1:4566/_hyperlocal/network");
  assert.equal(env.extraEnv.HYPERLOCAL_NET_TOKEN, env.token);
  assert.match(env.nodeOptions[0], /^--require=\/.*\/src\/network\/shim\/node-preload\.child\.cjs$/);
  assert.match(env.extraEnv.PYTHONPATH, /src\/network\/shim$/);
  assert.equal(srv.network.shimEnvironment(source, srv.url).token, env.token, "one token per function, version and source");
  assert.notEqual(srv.network.shimEnvironment({ ...source, version: "4" }, srv.url).token, env.token);
  const d = await connect(env.token, "10.0.1.25", 5432);
  assert.equal(d.action, "connect");
  await ask(env.token, "close", { connectionId: d.connectionId });
});
