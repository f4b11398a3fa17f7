// GET /_hyperlocal/reachability?function=NAME&to=HOST:PORT: the verdict, its reasons, the path and a
// plain-language answer, for a VPC function and a function outside any VPC. The function lookup is
// injected (the test server's `functions` map stands in for Lambda and Hyperplane).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { adminCall, buildScenario, startNetworkTestServer, type NetworkTestServer, type Scenario } from "../../src/network/server/test-support.ts";

let srv: NetworkTestServer;
let sc: Scenario;

before(async () => {
  srv = await startNetworkTestServer();
  sc = await buildScenario(srv);
  const { account, region } = srv.config;
  srv.functions.set("orders", { account, region, functionName: "orders", vpc: { networkInterfaceId: sc.lambdaEni, comboKey: sc.comboKey, ipv6Allowed: false } });
  srv.functions.set("public", { account, region, functionName: "public" });
  await adminCall(srv, "POST", "endpoints", { ip: "10.0.1.25", port: 5432, target: "127.0.0.1:54321", name: "db.internal" });
  await adminCall(srv, "POST", "internet", { name: "api.example.com", port: 443, target: "127.0.0.1:8443" });
});
after(async () => {
  await srv?.close();
});

const reach = (query: string) => adminCall(srv, "GET", `reachability?${query}`);

test("allowed and mapped: verdict allow, the path hop by hop, and an answer that says where the connection goes", async () => {
  const r = await reach("function=orders&to=10.0.1.25:5432");
  assert.equal(r.status, 200);
  const b = r.body;
  assert.equal(b.verdict, "allow");
  assert.deepEqual(b.reasons, []);
  assert.equal(b.action, "connect");
  assert.equal(b.connectTo, "127.0.0.1:54321");
  assert.deepEqual(
    b.path.map((h: { kind: string }) => h.kind),
    ["network-interface", "subnet", "route-table", "security-group", "network-acl", "network-acl", "subnet", "security-group", "network-interface"],
  );
  assert.equal(b.path[0].id, sc.lambdaEni);
  assert.equal(b.path.at(-1).id, sc.dbEni);
  assert.equal(b.path[7].detail, `ingress tcp port 5432 from ${sc.fnSg}`);
  assert.match(b.answer, /^Yes\. Function orders \(network interface eni-\S+ in subnet-\S+, vpc-\S+\) can open tcp 10\.0\.1\.25:5432\. hyperlocal hands the connection to the local server 127\.0\.0\.1:54321/);
  assert.deepEqual(b.source, { kind: "vpc", networkInterfaceId: sc.lambdaEni, ipv6Allowed: false });
});

test("blocked: verdict drop with the AWS explanation code and the component that stopped it", async () => {
  const b = (await reach("function=orders&to=10.0.1.25:22")).body;
  assert.equal(b.verdict, "drop");
  assert.equal(b.reasons[0].code, "ENI_SG_RULES_MISMATCH");
  assert.deepEqual(b.reasons[0].component, { kind: "security-group", id: sc.dbSg });
  assert.match(b.answer, /^No\. .*cannot reach tcp 10\.0\.1\.25:22: the packets are dropped, so the connection times out \(ETIMEDOUT\)/);
  assert.match(b.answer, /ENI_SG_RULES_MISMATCH/);
});

test("the internet without a NAT gateway: unreachable; by name the resolved address is shown", async () => {
  const b = (await reach("function=orders&to=api.example.com:443")).body;
  assert.equal(b.verdict, "unreachable");
  assert.equal(b.reasons[0].code, "NO_ROUTE_TO_DESTINATION");
  assert.match(b.to.ip, /^203\.0\.113\./);
  assert.match(b.answer, /ENETUNREACH/);
  const pub = (await reach("function=public&to=api.example.com:443")).body;
  assert.equal(pub.verdict, "allow");
  assert.equal(pub.action, "connect");
  assert.deepEqual(pub.source, { kind: "internet" });
  assert.match(pub.answer, /^Yes\. Function public \(not attached to a VPC\)/);
  const priv = (await reach("function=public&to=10.0.1.25:5432")).body;
  assert.equal(priv.verdict, "unreachable");
});

test("allowed by the network, but nothing listens: refused, and the answer says how to place a server", async () => {
  await adminCall(srv, "POST", "endpoints", { ip: "10.0.1.99", port: 80, target: "127.0.0.1:8080" });
  const b = (await reach("function=orders&to=10.0.1.99:81")).body;
  assert.equal(b.verdict, "allow");
  assert.equal(b.action, "refuse");
  assert.match(b.answer, /connection is refused \(ECONNREFUSED\).*POST \/_hyperlocal\/endpoints/);
  const synthetic = (await reach("function=orders&to=10.0.1.99:80")).body;
  assert.equal(synthetic.action, "connect");
  assert.equal(synthetic.endpoint.synthetic, true);
});

test("any network interface as the source (?eni=): the database's interface reaches out as its groups allow", async () => {
  const b = (await reach(`eni=${sc.dbEni}&to=api.example.com:443`)).body;
  assert.equal(b.networkInterfaceId, sc.dbEni);
  assert.equal(b.function, undefined);
  assert.equal(b.path[0].id, sc.dbEni);
  assert.match(b.answer, new RegExp(`^(Yes|No)\\. Network interface ${sc.dbEni} \\(in subnet-\\S+, vpc-\\S+\\)`));
  const missing = await reach("eni=eni-0000000000000000f&to=10.0.1.25:5432");
  assert.equal(missing.status, 404);
  assert.match(missing.body.error, /network interface eni-0000000000000000f not found/);
  assert.equal((await reach(`eni=${sc.dbEni}&function=orders&to=10.0.1.25:5432`)).status, 400);
});

test("names that do not resolve, unknown functions and bad queries", async () => {
  const nf = (await reach("function=orders&to=nowhere.example:443")).body;
  assert.equal(nf.action, "notfound");
  assert.equal(nf.verdict, "unreachable");
  assert.match(nf.answer, /ENOTFOUND/);
  const missing = await reach("function=nope&to=10.0.1.25:5432");
  assert.equal(missing.status, 404);
  assert.match(missing.body.error, /function nope not found/);
  assert.equal((await reach("function=orders")).status, 400);
  assert.equal((await reach("to=10.0.1.25:5432")).status, 400);
  assert.equal((await reach("function=orders&to=10.0.1.25")).status, 400);
  assert.equal((await reach("function=orders&to=10.0.1.25:5432&protocol=icmp")).status, 400);
  assert.equal((await reach("function=orders&to=10.0.1.25:5432&region=eu-west-1")).status, 404);
});

test("a VPC function whose ENIs are not ready: 409 here, refused connections", async () => {
  const { account, region } = srv.config;
  const source = { account, region, functionName: "pending", unavailable: "The function is being created (State Pending): its network interfaces are not ready" };
  srv.functions.set("pending", source);
  const r = await reach("function=pending&to=10.0.1.25:5432");
  assert.equal(r.status, 409);
  assert.match(r.body.error, /State Pending/);
  srv.network.environments.register("env-pending", source);
  const d = (await srv.network.decide("env-pending", "connect", { host: "10.0.1.25", port: 5432 })).body as { action: string; reason: string };
  assert.deepEqual([d.action, d.reason], ["refuse", source.unavailable]);
});
