// The network admin API: endpoints placed inside a VPC and the local "internet", their validation
// (targets on loopback only: the network-safety rule), interfaces tagged hyperlocal:endpoint, and
// persistence across a restart with --state-dir. Only JSON is exchanged with the in-process server.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { tempDir } from "../support/server.ts";
import { adminCall, buildScenario, startNetworkTestServer, type NetworkTestServer, type Scenario } from "../../src/network/server/test-support.ts";

let srv: NetworkTestServer;
let sc: Scenario;
const stateDir = tempDir("hyperlocal-network-");

before(async () => {
  srv = await startNetworkTestServer({ stateDir });
  sc = await buildScenario(srv);
});
after(async () => {
  await srv?.close();
});

const NOT_LOOPBACK = ["10.0.0.5:5432", "192.168.1.10:80", "203.0.113.5:443", "0.0.0.0:80", "localhost:80", "example.com:443", "[2001:db8::1]:443", "[::ffff:127.0.0.1]:80", "[::]:80"];

test("endpoints refuse every target that is not loopback HOST:PORT, and keep nothing", async () => {
  for (const target of [...NOT_LOOPBACK, "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", 5432]) {
    const r = await adminCall(srv, "POST", "endpoints", { ip: "10.0.1.25", port: 5432, target });
    assert.equal(r.status, 400, `${target}: ${JSON.stringify(r.body)}`);
    assert.equal(typeof r.body.error, "string");
  }
  for (const target of NOT_LOOPBACK) {
    const r = await adminCall(srv, "POST", "internet", { name: "api.example.com", port: 443, target });
    assert.equal(r.status, 400, `${target}: ${JSON.stringify(r.body)}`);
  }
  assert.match((await adminCall(srv, "POST", "endpoints", { ip: "10.0.1.25", port: 5432, target: "10.0.0.5:5432" })).body.error, /not on loopback/);
  assert.deepEqual((await adminCall(srv, "GET", "endpoints")).body.endpoints, []);
  assert.deepEqual((await adminCall(srv, "GET", "internet")).body.mappings, []);
});

test("endpoints: other bad requests", async () => {
  const cases: [unknown, number, RegExp][] = [
    [{ port: 5432, target: "127.0.0.1:1" }, 400, /give "ip"/],
    [{ ip: "10.0.1.25", target: "127.0.0.1:1" }, 400, /port/],
    [{ ip: "10.0.1.300", port: 1, target: "127.0.0.1:1" }, 400, /not an IPv4 or IPv6/],
    [{ ip: "127.0.0.1", port: 1, target: "127.0.0.1:1" }, 400, /loopback address/],
    [{ networkInterfaceId: "eni-0123456789abcdef0", port: 1, target: "127.0.0.1:1" }, 400, /does not exist/],
    [{ networkInterfaceId: sc.dbEni, ip: "10.0.1.26", port: 1, target: "127.0.0.1:1" }, 400, /is not an address of/],
    [{ ip: "10.0.1.25", port: 1, target: "127.0.0.1:1", protocol: "sctp" }, 400, /protocol/],
    [{ ip: "10.0.1.25", port: 1, target: "127.0.0.1:1", account: "me" }, 400, /12-digit/],
    [{ ip: "10.0.1.25", port: 1, target: "127.0.0.1:1", name: "bad..name" }, 400, /not a valid DNS name/],
    [[1, 2], 400, /JSON object/],
  ];
  for (const [body, status, error] of cases) {
    const r = await adminCall(srv, "POST", "endpoints", body);
    assert.equal(r.status, status, JSON.stringify(body));
    assert.match(r.body.error, error, JSON.stringify(body));
  }
  assert.equal((await adminCall(srv, "DELETE", "endpoints/ep-0123456789abcdef0")).status, 404);
});

test("endpoints: by address on a real interface, by address alone (synthetic host), by interface; listed and deleted", async () => {
  const onEni = await adminCall(srv, "POST", "endpoints", { ip: "10.0.1.25", port: 5432, target: "127.0.0.1:54321", name: "DB.internal" });
  assert.equal(onEni.status, 201);
  assert.match(onEni.body.id, /^ep-[0-9a-f]{17}$/);
  assert.equal(onEni.body.name, "db.internal");
  assert.deepEqual(onEni.body.placement, { networkInterfaceId: sc.dbEni, ip: "10.0.1.25", subnetId: sc.dbSubnet, vpcId: sc.vpcId, synthetic: false });

  const alone = await adminCall(srv, "POST", "endpoints", { ip: "10.0.1.99", port: 80, target: "[::1]:8080" });
  assert.equal(alone.status, 201);
  assert.equal(alone.body.target, "[::1]:8080");
  assert.deepEqual(alone.body.placement, { networkInterfaceId: "eni-hyperlocal-10-0-1-99", ip: "10.0.1.99", subnetId: sc.dbSubnet, vpcId: sc.vpcId, synthetic: true });

  const byEni = await adminCall(srv, "POST", "endpoints", { networkInterfaceId: sc.dbEni, port: 6379, target: "127.0.0.1:6380" });
  assert.equal(byEni.status, 201);
  assert.equal(byEni.body.placement.networkInterfaceId, sc.dbEni);

  const nowhere = await adminCall(srv, "POST", "endpoints", { ip: "10.99.0.9", port: 80, target: "127.0.0.1:8080" });
  assert.equal(nowhere.status, 201);
  assert.match(nowhere.body.placement.error, /no subnet contains 10.99.0.9/);

  const dup = await adminCall(srv, "POST", "endpoints", { ip: "10.0.1.25", port: 5432, target: "127.0.0.1:1" });
  assert.equal(dup.status, 409);

  const list = await adminCall(srv, "GET", "endpoints");
  assert.deepEqual(
    list.body.endpoints.map((e: { id: string }) => e.id),
    [onEni.body.id, alone.body.id, byEni.body.id, nowhere.body.id],
  );
  for (const id of [alone.body.id, byEni.body.id, nowhere.body.id]) assert.deepEqual((await adminCall(srv, "DELETE", `endpoints/${id}`)).body, { deleted: id });
  assert.equal((await adminCall(srv, "GET", "endpoints")).body.endpoints.length, 1);
});

test("internet: a name gets a stable address in 203.0.113.0/24, an address is kept; private addresses are refused", async () => {
  const api = await adminCall(srv, "POST", "internet", { name: "API.example.com", port: 443, target: "127.0.0.1:8443" });
  assert.equal(api.status, 201);
  assert.match(api.body.id, /^inet-/);
  assert.equal(api.body.name, "api.example.com");
  assert.match(api.body.address, /^203\.0\.113\.\d+$/);
  const http = await adminCall(srv, "POST", "internet", { name: "api.example.com", port: 80, target: "127.0.0.1:8080" });
  assert.equal(http.body.address, api.body.address, "one name, one address");
  const other = await adminCall(srv, "POST", "internet", { name: "other.example.com", port: 443, target: "127.0.0.1:9443" });
  assert.notEqual(other.body.address, api.body.address);
  const byAddress = await adminCall(srv, "POST", "internet", { address: "198.51.100.77", port: 443, target: "127.0.0.1:9444" });
  assert.equal(byAddress.status, 201);
  assert.equal(byAddress.body.address, "198.51.100.77");

  assert.equal((await adminCall(srv, "POST", "internet", { name: "api.example.com", port: 443, target: "127.0.0.1:1" })).status, 409);
  assert.equal((await adminCall(srv, "POST", "internet", { name: "api.example.com", address: "198.51.100.1", port: 8443, target: "127.0.0.1:1" })).status, 409);
  for (const address of ["10.0.0.1", "172.16.0.1", "192.168.0.1", "100.64.0.1", "127.0.0.1", "169.254.169.254", "fd00::1"]) {
    const r = await adminCall(srv, "POST", "internet", { address, port: 443, target: "127.0.0.1:1" });
    assert.equal(r.status, 400, address);
    assert.match(r.body.error, /not a public address/);
  }
  assert.equal((await adminCall(srv, "POST", "internet", { port: 443, target: "127.0.0.1:1" })).status, 400);
  assert.equal((await adminCall(srv, "POST", "internet", { name: "localhost", port: 443, target: "127.0.0.1:1" })).status, 400);

  const list = await adminCall(srv, "GET", "internet");
  assert.equal(list.body.mappings.length, 4);
  assert.deepEqual((await adminCall(srv, "DELETE", `internet/${http.body.id}`)).body, { deleted: http.body.id });
  assert.equal((await adminCall(srv, "DELETE", `internet/${http.body.id}`)).status, 404);
});

test("an interface tagged hyperlocal:endpoint is an endpoint for its primary address", { skip: !hasAwsCli() && "no AWS CLI" }, async () => {
  const tagged = await aws(srv.url, ["ec2", "create-tags", "--resources", sc.dbEni, "--tags", "Key=hyperlocal:endpoint,Value=8080=127.0.0.1:18080 10.0.0.1:22"]);
  assert.equal(tagged.code, 0, tagged.stderr);
  const list = (await adminCall(srv, "GET", "endpoints")).body.taggedInterfaces;
  assert.equal(list.length, 2);
  assert.deepEqual(list[0], {
    id: `tag:${sc.dbEni}:8080`,
    account: srv.config.account,
    region: srv.config.region,
    networkInterfaceId: sc.dbEni,
    ip: "10.0.1.25",
    port: 8080,
    protocol: "tcp",
    target: "127.0.0.1:18080",
    tag: "hyperlocal:endpoint=8080=127.0.0.1:18080",
  });
  assert.match(list[1].error, /not on loopback/);

  // A function whose group may reach 8080 is handed to the tag's target.
  await aws(srv.url, ["ec2", "authorize-security-group-ingress", "--group-id", sc.dbSg, "--protocol", "tcp", "--port", "8080", "--source-group", sc.fnSg]);
  srv.network.environments.register("tok-tag", { account: srv.config.account, region: srv.config.region, functionName: "fn", vpc: { networkInterfaceId: sc.lambdaEni, comboKey: sc.comboKey, ipv6Allowed: false } });
  const d = await adminCall(srv, "POST", "network/connect", { host: "10.0.1.25", port: 8080, protocol: "tcp" }, { "x-hyperlocal-net-token": "tok-tag" });
  assert.equal(d.body.action, "connect");
  assert.equal(d.body.port, 18080);
  srv.network.environments.unregister("tok-tag");

  assert.equal((await adminCall(srv, "DELETE", `endpoints/tag:${sc.dbEni}:8080`)).status, 400);
  await aws(srv.url, ["ec2", "delete-tags", "--resources", sc.dbEni, "--tags", "Key=hyperlocal:endpoint"]);
  assert.deepEqual((await adminCall(srv, "GET", "endpoints")).body.taggedInterfaces, []);
});

test("endpoints and internet mappings survive a restart with --state-dir", async () => {
  const before = await adminCall(srv, "GET", "endpoints");
  const internet = await adminCall(srv, "GET", "internet");
  await srv.close();
  srv = await startNetworkTestServer({ stateDir });
  const again = await adminCall(srv, "GET", "endpoints");
  assert.deepEqual(again.body.endpoints, before.body.endpoints);
  assert.deepEqual((await adminCall(srv, "GET", "internet")).body, internet.body);
  // And a reset drops them.
  await adminCall(srv, "POST", "reset");
  assert.deepEqual((await adminCall(srv, "GET", "endpoints")).body.endpoints, []);
  assert.deepEqual((await adminCall(srv, "GET", "internet")).body.mappings, []);
});
