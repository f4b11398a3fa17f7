// --network kernel end to end: execution environments start inside their Hyperplane ENI's network
// namespace (VPC functions) or the public client namespace (others), and the kernel (routes,
// nftables) decides their connections; there is no shim in the process. Skips unless run inside
// the loopback-only test namespace with kernel support (unshare, nsenter, ip, nft).
// Network safety: every server listens on 127.0.0.1; VPC and "internet" addresses exist only in
// namespaces that hyperlocal creates inside the test's own loopback-only namespace.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readlinkSync } from "node:fs";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import type { Server } from "node:net";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import { AttachRolePolicyCommand, CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, GetFunctionConfigurationCommand, type CreateFunctionCommandInput } from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { kernelSupport } from "../../src/network/kernel/index.ts";
import { clients } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startChildServer, startTestServer, type ChildServer } from "../support/server.ts";
import { listen, pongServer, scenarioCalls, type FunctionOutcome } from "../support/network-scenario.ts";
import { advanceClock, LAMBDA_TRUST, nodeZip, pythonZip } from "../support/zip-functions.ts";

const VPC_ACCESS = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";
const support = kernelSupport();
const SKIP = !IN_LOOPBACK_NETNS ? NETNS_SKIP_REASON : !support.ok ? `no kernel network support: ${support.reason}` : false;

const NODE_PROBE = `
const net = require("node:net");
exports.handler = async (ev) => {
  const t0 = Date.now();
  const done = (r) => ({ ...r, ms: Date.now() - t0, preload: process.env.NODE_OPTIONS ?? "", netns: require("node:fs").readlinkSync("/proc/self/ns/net") });
  try {
    if (ev.udp) {
      // One datagram out, one back (or nothing within timeoutMs).
      const s = require("node:dgram").createSocket("udp4");
      return await new Promise((resolve) => {
        const end = (r) => { clearTimeout(timer); s.close(); resolve(done(r)); };
        const timer = setTimeout(() => end({ ok: false, error: "NO_REPLY" }), ev.timeoutMs ?? 1000);
        s.on("message", (m) => end({ ok: true, data: String(m) }));
        s.on("error", (e) => end({ ok: false, error: e.code }));
        s.send(ev.message ?? "ping", ev.port, ev.host);
      });
    }
    if (ev.endpoint) {
      // A VPC function has no AWS_ENDPOINT_URL (its SDK goes by the services' names): the test names the listener.
      const res = await fetch(ev.endpoint, { signal: AbortSignal.timeout(3000) });
      return done({ ok: true, status: res.status, base: process.env.AWS_ENDPOINT_URL ?? null });
    }
    const data = await new Promise((resolve, reject) => {
      const s = net.connect({ host: ev.host, port: ev.port });
      let got = "";
      s.setTimeout(ev.timeoutMs ?? 3000, () => s.destroy(Object.assign(new Error("no answer"), { code: "HANDLER_TIMEOUT" })));
      s.on("connect", () => s.write(ev.message ?? "ping"));
      s.on("data", (d) => (got += d));
      s.on("end", () => resolve(got));
      s.on("error", reject);
    });
    return done({ ok: true, data });
  } catch (e) {
    const c = e.cause ?? e;
    return done({ ok: false, error: c.code ?? c.name, message: String(c.message) });
  }
};
`;

const PY_PROBE = `
import errno, socket

def handler(event, context):
    try:
        with socket.create_connection((event["host"], event["port"]), timeout=3) as s:
            s.sendall(event.get("message", "ping").encode())
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        return {"ok": True, "data": data.decode()}
    except OSError as e:
        return {"ok": False, "error": errno.errorcode.get(e.errno, type(e).__name__) if e.errno else type(e).__name__}
`;

/** UDP servers the scenarios started (closed at exit). */
const udpServers: UdpSocket[] = [];
after(() => {
  for (const s of udpServers.splice(0)) s.close();
});

/**
 * The VPC, the database at 10.0.1.25 (5432 and 22 placed on a local pong server), api.example.com
 * on "the internet", and three functions (Node.js and Python in the VPC, Node.js outside).
 */
async function buildKernelScenario(url: string, servers: Server[], dbSeen: string[]): Promise<{ c: ReturnType<typeof clients>; apiAddress: string }> {
  const c = clients(url);
  const { admin } = scenarioCalls(() => url, () => c.lambda);
  const db = pongServer("pong", dbSeen);
  const api = pongServer("api", []);
  servers.push(db, api);
  const dbPort = await listen(db);
  const apiPort = await listen(api);

  const vpc = (await c.ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnet = async (cidr: string) => (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr }))).Subnet!.SubnetId!;
  const group = async (name: string) => (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: name, Description: name }))).GroupId!;
  const dbSubnet = await subnet("10.0.1.0/24");
  const privateSubnet = await subnet("10.0.3.0/24");
  const fnSg = await group("fn");
  const dbSg = await group("db");
  await c.ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: dbSg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: fnSg }] }] }));
  const dbEni = (await c.ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: dbSubnet, PrivateIpAddress: "10.0.1.25", Groups: [dbSg] }))).NetworkInterface!.NetworkInterfaceId!;
  for (const port of [5432, 22]) {
    const r = await admin("POST", "endpoints", { networkInterfaceId: dbEni, port, target: `127.0.0.1:${dbPort}` });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const m = await admin("POST", "internet", { name: "api.example.com", port: 80, target: `127.0.0.1:${apiPort}` });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  // UDP: an echo server placed at 10.0.1.25 (5353 allowed by the database's group, 5354 not) and on the internet.
  const echo = createSocket("udp4");
  echo.on("message", (msg, from) => echo.send(`echo:${msg}`, from.port, from.address));
  await new Promise<void>((resolve) => echo.bind(0, "127.0.0.1", () => resolve()));
  udpServers.push(echo);
  const echoTarget = `127.0.0.1:${echo.address().port}`;
  await c.ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: dbSg, IpPermissions: [{ IpProtocol: "udp", FromPort: 5353, ToPort: 5353, UserIdGroupPairs: [{ GroupId: fnSg }] }] }));
  for (const port of [5353, 5354]) {
    const r = await admin("POST", "endpoints", { networkInterfaceId: dbEni, port, protocol: "udp", target: echoTarget });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const t = await admin("POST", "internet", { name: "time.example.com", port: 123, protocol: "udp", target: echoTarget });
  assert.equal(t.status, 201, JSON.stringify(t.body));

  const role = (await c.iam.send(new CreateRoleCommand({ RoleName: "kernel-exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
  await c.iam.send(new AttachRolePolicyCommand({ RoleName: "kernel-exec", PolicyArn: VPC_ACCESS }));
  const vpcCfg = { VpcConfig: { SubnetIds: [privateSubnet], SecurityGroupIds: [fnSg] } };
  const fns: Record<string, Partial<CreateFunctionCommandInput>> = {
    "node-vpc": { Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_PROBE) }, ...vpcCfg },
    "py-vpc": { Runtime: "python3.12", Handler: "app.handler", Code: { ZipFile: pythonZip(PY_PROBE) }, ...vpcCfg },
    "node-novpc": { Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_PROBE) } },
  };
  await Promise.all(Object.entries(fns).map(([name, cfg]) => c.lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: role, Timeout: 15, ...cfg } as CreateFunctionCommandInput))));
  await advanceClock(url, 3);
  for (const name of Object.keys(fns)) assert.equal((await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).State, "Active", name);
  return { c, apiAddress: m.body.address };
}

describe("--network kernel: Lambda environments in their ENI's namespace", { skip: SKIP }, () => {
  let app: App;
  let invoke: (fn: string, event: unknown) => Promise<FunctionOutcome>;
  const servers: Server[] = [];
  const dbSeen: string[] = [];
  let apiAddress = "";

  before(async () => {
    app = await startTestServer({ network: "kernel" });
    const built = await buildKernelScenario(app.url, servers, dbSeen);
    invoke = scenarioCalls(() => app.url, () => built.c.lambda).invoke;
    apiAddress = built.apiAddress;
  });

  after(async () => {
    await app?.close();
    for (const s of servers) s.close();
  });

  it("a VPC function (Node.js) reaches the database at 10.0.1.25:5432 and exchanges data, with no shim loaded", async () => {
    const out = await invoke("node-vpc", { host: "10.0.1.25", port: 5432, message: "hello" });
    assert.deepEqual([out.ok, out.data], [true, "pong:hello"], JSON.stringify(out));
    assert.ok(!/preload/.test(out.preload ?? ""), `no shim preload expected: ${out.preload}`);
    assert.ok(dbSeen.includes("hello"));
    assert.notEqual(out.netns, readlinkSync("/proc/self/ns/net"), "the function runs in another network namespace");
  });

  it("a VPC function (Python) reaches the database too", async () => {
    const out = await invoke("py-vpc", { host: "10.0.1.25", port: 5432, message: "from python" });
    assert.deepEqual([out.ok, out.data], [true, "pong:from python"], JSON.stringify(out));
  });

  it("port 22 is not in the database's group: the packet is dropped and the handler times out", async () => {
    const out = await invoke("node-vpc", { host: "10.0.1.25", port: 22, timeoutMs: 1000 });
    assert.equal(out.ok, false, JSON.stringify(out));
    assert.ok(["HANDLER_TIMEOUT", "ETIMEDOUT"].includes(out.error!), JSON.stringify(out));
  });

  it("the function listener (hyperlocal's own port: ResponseURLs, AWS calls delivered by the model) answers from inside the namespace; a VPC function has no AWS_ENDPOINT_URL, one outside a VPC has the listener", async () => {
    const withBase = async (fn: string) => (await invoke(fn, { endpoint: app.functionUrl })) as FunctionOutcome & { base?: string | null };
    const out = await withBase("node-vpc");
    assert.equal(out.ok, true, JSON.stringify(out));
    assert.equal(out.base, null, JSON.stringify(out));
    const outside = await withBase("node-novpc");
    assert.equal(outside.ok, true, JSON.stringify(outside));
    assert.equal(outside.base, app.functionUrl, JSON.stringify(outside));
  });

  it("UDP: a datagram to 10.0.1.25:5353 is echoed (the group allows it), to 5354 it gets nothing; a function outside any VPC reaches time.example.com:123/udp", async () => {
    const allowed = await invoke("node-vpc", { udp: true, host: "10.0.1.25", port: 5353, message: "q1" });
    assert.deepEqual([allowed.ok, allowed.data], [true, "echo:q1"], JSON.stringify(allowed));
    const denied = await invoke("node-vpc", { udp: true, host: "10.0.1.25", port: 5354, message: "q2", timeoutMs: 700 });
    assert.deepEqual([denied.ok, denied.error], [false, "NO_REPLY"], JSON.stringify(denied));
    const internet = await invoke("node-novpc", { udp: true, host: "time.example.com", port: 123, message: "ntp?" });
    assert.deepEqual([internet.ok, internet.data], [true, "echo:ntp?"], JSON.stringify(internet));
  });

  it("a function outside any VPC reaches the mapped internet address but not 10.0.1.25", async () => {
    const out = await invoke("node-novpc", { host: apiAddress, port: 80, message: "GET" });
    assert.deepEqual([out.ok, out.data], [true, "api:GET"], JSON.stringify(out));
    const priv = await invoke("node-novpc", { host: "10.0.1.25", port: 5432, timeoutMs: 1000 });
    assert.equal(priv.ok, false, JSON.stringify(priv));
    assert.ok(["ENETUNREACH", "EHOSTUNREACH", "HANDLER_TIMEOUT"].includes(priv.error!), JSON.stringify(priv));
  });
});

// Rootless: the server runs as an unprivileged user (uid 1000 in a user namespace nested in the
// test's, with no capabilities at all: it cannot create a network namespace itself), so kernel
// mode creates a user namespace of its own and builds everything inside it.
const UNPRIVILEGED = ["unshare", "--user", "--map-user=1000", "--map-group=1000", "--"];
function rootlessSkip(): string | false {
  if (SKIP) return SKIP;
  const id = spawnSync(UNPRIVILEGED[0], [...UNPRIVILEGED.slice(1), "id", "-u"], { encoding: "utf8" });
  if (id.status !== 0 || id.stdout.trim() !== "1000") return `cannot start an unprivileged process here: ${id.stderr.trim()}`;
  return false;
}

describe("--network kernel, rootless: an unprivileged server builds its namespaces inside a user namespace of its own", { skip: rootlessSkip() }, () => {
  let server: ChildServer;
  let invoke: (fn: string, event: unknown) => Promise<FunctionOutcome>;
  const servers: Server[] = [];
  const dbSeen: string[] = [];

  before(async () => {
    // The user the server runs as really is unprivileged: it cannot make a network namespace.
    const direct = spawnSync(UNPRIVILEGED[0], [...UNPRIVILEGED.slice(1), "unshare", "--net", "true"], { encoding: "utf8" });
    assert.notEqual(direct.status, 0, "an unprivileged user cannot create a network namespace directly");
    assert.match(direct.stderr, /Operation not permitted/);
    server = await startChildServer(["--network", "kernel"], { HYPERLOCAL_LOG_LEVEL: "info" }, UNPRIVILEGED);
    const built = await buildKernelScenario(server.url, servers, dbSeen);
    invoke = scenarioCalls(() => server.url, () => built.c.lambda).invoke;
  });

  after(async () => {
    await server?.stop();
    for (const s of servers) s.close();
  });

  it("says it runs rootless, and does not fall back to the shim", () => {
    assert.match(server.output(), /kernel mode, rootless \(inside a user namespace of its own\)/);
    assert.doesNotMatch(server.output(), /falling back to --network shim/);
  });

  it("a VPC function (Node.js and Python) reaches 10.0.1.25:5432 from its ENI's namespace; port 22 is dropped", async () => {
    const node = await invoke("node-vpc", { host: "10.0.1.25", port: 5432, message: "rootless" });
    assert.deepEqual([node.ok, node.data], [true, "pong:rootless"], JSON.stringify(node));
    assert.ok(!/preload/.test(node.preload ?? ""), `no shim preload expected: ${node.preload}`);
    assert.notEqual(node.netns, readlinkSync("/proc/self/ns/net"), "the function runs in another network namespace");
    const py = await invoke("py-vpc", { host: "10.0.1.25", port: 5432, message: "rootless python" });
    assert.deepEqual([py.ok, py.data], [true, "pong:rootless python"], JSON.stringify(py));
    const dropped = await invoke("node-vpc", { host: "10.0.1.25", port: 22, timeoutMs: 1000 });
    assert.equal(dropped.ok, false, JSON.stringify(dropped));
    assert.ok(["HANDLER_TIMEOUT", "ETIMEDOUT"].includes(dropped.error!), JSON.stringify(dropped));
  });

  it("a function outside any VPC reaches api.example.com by name, and not 10.0.1.25", async () => {
    const out = await invoke("node-novpc", { host: "api.example.com", port: 80, message: "GET" });
    assert.deepEqual([out.ok, out.data], [true, "api:GET"], JSON.stringify(out));
    const priv = await invoke("node-novpc", { host: "10.0.1.25", port: 5432, timeoutMs: 1000 });
    assert.equal(priv.ok, false, JSON.stringify(priv));
  });

  it("printed no kernel-mode warning (conntrack, relays, resolver and applies all work rootless)", () => {
    assert.doesNotMatch(server.output(), /kernel network:|WARN/i, server.output());
  });
});
