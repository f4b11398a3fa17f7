// Issue 7's scenario table in --network kernel: the same topology as network-scenarios.test.ts, but
// the function code (Node.js and Python) runs inside its Hyperplane ENI's network namespace (or the
// public client namespace) and the kernel (routes, nftables) decides its connections; no shim is
// loaded. Each row is seen three ways that must agree: the model (GET /_hyperlocal/reachability),
// the shim table (network-scenarios.test.ts) and here real code under the kernel: allow = data
// exchanged, drop = no answer (a handler-side socket timeout, 1 s), unreachable = ENETUNREACH or
// EHOSTUNREACH. Names resolve through the namespace's own resolver (169.254.169.253, named by the
// function's /etc/resolv.conf), so rows 4 to 6 use api.example.com as the shim table does. Every
// change applies before the next invocation: each probe is one invocation, never retried.
// Connections the kernel sees count on the Hyperplane ENI (conntrack), driving its scale-out.
// Network safety: every server listens on 127.0.0.1 or [::1]; VPC and "internet" addresses exist
// only in namespaces that hyperlocal creates inside the test's own loopback-only namespace.
import assert from "node:assert/strict";
import { readFileSync, readlinkSync } from "node:fs";
import type { Server as HttpServer } from "node:http";
import { createServer as createNetServer, type Server } from "node:net";
import { after, before, beforeEach, describe, it, type TestContext } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { kernelSupport } from "../../src/network/kernel/index.ts";
import { clients } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer } from "../support/server.ts";
import { listen, prepareScenario, scenarioCalls, V6_INTERNET, type FunctionOutcome, type ModelAnswer } from "../support/network-scenario.ts";
import { advanceClock } from "../support/zip-functions.ts";

/** The handlers' socket timeout: a dropped packet shows as no answer within this. */
const SOCKET_TIMEOUT_MS = 1000;
const support = kernelSupport();
const SKIP = !IN_LOOPBACK_NETNS ? NETNS_SKIP_REASON : !support.ok ? `no kernel network support: ${support.reason}` : false;
const TEST_NETNS = readlinkSync("/proc/self/ns/net");

const NODE_PROBE = `
const net = require("node:net");
const ENV = Math.random().toString(36).slice(2);
exports.handler = async (ev) => {
  const t0 = Date.now();
  const tmo = ev.timeoutMs ?? 1000;
  const done = (r) => ({ ...r, env: ENV, ms: Date.now() - t0, preload: process.env.NODE_OPTIONS ?? "", netns: require("node:fs").readlinkSync("/proc/self/ns/net") });
  try {
    if (ev.hold !== undefined) {
      // Open ev.hold connections and keep them (a later invocation with release closes them).
      globalThis.held ??= [];
      for (let i = 0; i < ev.hold; i++) {
        globalThis.held.push(await new Promise((resolve, reject) => {
          const s = net.connect({ host: ev.host, port: ev.port }, () => resolve(s));
          s.setTimeout(tmo, () => s.destroy(Object.assign(new Error("no answer"), { code: "HANDLER_TIMEOUT" })));
          s.on("error", reject);
        }));
      }
      return done({ ok: true, data: String(globalThis.held.length) });
    }
    if (ev.release) {
      const n = (globalThis.held ?? []).length;
      for (const s of globalThis.held ?? []) s.end();
      globalThis.held = [];
      return done({ ok: true, data: String(n) });
    }
    if (ev.waitForSignal) {
      // Tell the test this invocation is running, then wait for its signal, through a signal server
      // the test placed in the VPC (function code cannot reach hyperlocal's admin API).
      // One connection: "ready" out, then "go" back once the test's API call has returned.
      const got = await new Promise((resolve) => {
        const s = net.connect(ev.waitForSignal, () => s.write("ready"));
        let text = "";
        s.on("data", (d) => (text += d));
        s.on("end", () => resolve(text));
        s.on("error", (e) => resolve(String(e.code)));
      });
      if (got !== "go") return done({ ok: false, error: "NO_SIGNAL", data: got });
    }
    if (ev.lookup) {
      const fs = require("node:fs");
      const all = await require("node:dns").promises.lookup(ev.lookup, { all: true });
      return done({ ok: true, data: all.map((a) => a.address).join(","), resolv: fs.readFileSync("/etc/resolv.conf", "utf8") });
    }
    if (ev.url) {
      const res = await fetch(ev.url, { signal: AbortSignal.timeout(tmo) });
      return done({ ok: true, status: res.status, data: await res.text() });
    }
    const data = await new Promise((resolve, reject) => {
      const s = net.connect({ host: ev.host, port: ev.port });
      let got = "";
      s.setTimeout(tmo, () => s.destroy(Object.assign(new Error("no answer"), { code: "HANDLER_TIMEOUT" })));
      s.on("connect", () => s.write(ev.message ?? "ping"));
      s.on("data", (d) => (got += d));
      s.on("end", () => resolve(got));
      s.on("error", reject);
    });
    return done({ ok: true, data });
  } catch (e) {
    const c = e.cause ?? e;
    return done({ ok: false, error: typeof c.code === "string" ? c.code : c.name, message: String(c.message) });
  }
};
`;

const PY_PROBE = `
import errno, os, random, socket, time, urllib.error, urllib.request

ENV = "%012x" % random.getrandbits(48)


def run_connect_to_server(server_address, server_port, message, timeout):
    # The IPv6 example from the Lambda guide ("IPv6 support"), with a socket timeout added.
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, 0)
    sock.settimeout(timeout)
    try:
        sock.connect((server_address, int(server_port), 0, 0))
        sock.sendall(message.encode())
        BUFF_SIZE = 4096
        data = b''
        while True:
            segment = sock.recv(BUFF_SIZE)
            data += segment
            # Either 0 or end of data
            if len(segment) < BUFF_SIZE:
                break
        return data
    finally:
        sock.close()


def run_ipv4(host, port, message, timeout):
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(message.encode())
        data = b''
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return data
            data += chunk


def code_of(e):
    if isinstance(e, socket.timeout):
        return "TimeoutError"
    if isinstance(e, socket.gaierror):
        return "EAI_NONAME" if e.errno == socket.EAI_NONAME else "EAI_AGAIN"
    if isinstance(e, OSError) and e.errno:
        return errno.errorcode.get(e.errno, str(e.errno))
    return type(e).__name__


def handler(event, context):
    t0 = time.monotonic()
    out = probe(event)
    out["env"] = ENV
    out["ms"] = round((time.monotonic() - t0) * 1000)
    out["netns"] = os.readlink("/proc/self/ns/net")
    with open("/etc/resolv.conf") as f:
        out["resolv"] = f.read()
    return out


def probe(event):
    timeout = event.get("timeoutMs", 1000) / 1000
    try:
        if event.get("lookup"):
            infos = socket.getaddrinfo(event["lookup"], 80, proto=socket.IPPROTO_TCP)
            return {"ok": True, "data": ",".join(sorted({i[4][0] for i in infos}))}
        if event.get("url"):
            try:
                with urllib.request.urlopen(event["url"], timeout=timeout) as r:
                    return {"ok": True, "status": r.status, "data": r.read().decode()}
            except urllib.error.URLError as e:
                raise e.reason if isinstance(e.reason, BaseException) else e
        message = event.get("message", "ping")
        if ":" in event["host"]:
            data = run_connect_to_server(event["host"], event["port"], message, timeout)
        else:
            data = run_ipv4(event["host"], event["port"], message, timeout)
        return {"ok": True, "data": data.decode()}
    except Exception as e:
        return {"ok": False, "error": code_of(e), "message": str(e)}
`;

/** What function code under the kernel must see for each answer of the model. */
const CODE_FOR: Record<ModelAnswer["action"], string[]> = {
  connect: [],
  drop: ["HANDLER_TIMEOUT", "ETIMEDOUT", "TimeoutError", "TimeoutError"],
  unreachable: ["ENETUNREACH", "EHOSTUNREACH"],
  refuse: ["ECONNREFUSED"],
  notfound: ["ENOTFOUND", "EAI_NONAME", "EAI_AGAIN"],
};
const TIMEOUTS = CODE_FOR.drop;
const UNREACH = CODE_FOR.unreachable;

describe("network scenarios under --network kernel: VPC rules as function code in its namespace sees them", { skip: SKIP }, () => {
  let app: App;
  let c: ReturnType<typeof clients>;
  const servers: (Server | HttpServer)[] = [];
  let dbSeen: string[] = [];
  let v6Seen: string[] = [];
  let dedicatedSeen: string[] = [];
  let dbPort = 0;
  let httpPort = 0;
  let v6Target = "";
  let apiAddress = "";
  const net: Record<string, string> = {};
  let current: TestContext | undefined;
  beforeEach((ctx) => {
    current = "diagnostic" in ctx ? ctx : undefined;
  });

  const { admin, reach, invoke } = scenarioCalls(() => app.url, () => c.lambda);
  /**
   * The model's answer and the kernel-run function's outcome for one connection (one invocation,
   * right after whatever change came before); asserts that they agree and that the code ran in a
   * namespace other than the test's.
   */
  const probe = async (fn: string, to: string, event: Record<string, unknown> = {}): Promise<{ model: ModelAnswer; out: FunctionOutcome }> => {
    const m = /^\[?(.+?)\]?:(\d+)$/.exec(to)!;
    const model = await reach(fn, to);
    const ev = { timeoutMs: SOCKET_TIMEOUT_MS, ...(event.url ? event : { host: m[1], port: Number(m[2]), ...event }) };
    const out = await invoke(fn, ev);
    const why = `${fn} → ${to}: model ${model.verdict}/${model.action} (${model.reasons[0]?.code ?? ""}), function ${JSON.stringify(out)}`;
    const outcome = out.ok ? `connected, got ${JSON.stringify(out.data)}` : `${out.error} after ${out.ms} ms`;
    current?.diagnostic(`${fn} → ${event.url ?? to}: model ${model.verdict}${model.reasons[0] ? ` (${model.reasons[0].code})` : ""}, action ${model.action}; kernel code: ${outcome}`);
    assert.ok(out.netns && out.netns !== TEST_NETNS, `${fn} ran in another network namespace: ${out.netns}`);
    assert.ok(!/preload|shim/.test(out.preload ?? ""), `no shim preload expected: ${out.preload}`);
    if (model.action === "connect") assert.equal(out.ok, true, why);
    else {
      assert.equal(out.ok, false, why);
      assert.ok(CODE_FOR[model.action].includes(out.error!), why);
    }
    return { model, out };
  };

  before(async () => {
    app = await startTestServer({ network: "kernel", eniConnections: 2 });
    c = clients(app.url);
    // The servers, VPCs, endpoints, internet mappings and functions of the table (test/support/network-scenario.ts).
    const w = await prepareScenario(app.url, c, { node: NODE_PROBE, python: PY_PROBE });
    Object.assign(net, w.net);
    servers.push(...w.servers);
    dbSeen = w.dbSeen;
    v6Seen = w.v6Seen;
    dedicatedSeen = w.dedicatedSeen;
    ({ dbPort, httpPort, v6Target, apiAddress } = w);
  });

  after(async () => {
    await app?.close();
    for (const s of servers) s.close();
  });

  it("row 1: Node.js and Python in the private subnet reach 10.0.1.25:5432 and exchange data", async () => {
    for (const fn of ["node-private", "py-private"]) {
      const { model, out } = await probe(fn, "10.0.1.25:5432", { message: "ping" });
      assert.equal(model.verdict, "allow");
      assert.equal(out.data, "pong:ping", fn);
    }
    assert.deepEqual(dbSeen.slice(-2), ["ping", "ping"]);
  });

  it("row 2: port 22 on the same address is dropped by the database's security group: no answer", async () => {
    for (const fn of ["node-private", "py-private"]) {
      const { model, out } = await probe(fn, "10.0.1.25:22");
      assert.equal(model.verdict, "drop");
      assert.equal(model.reasons[0].code, "ENI_SG_RULES_MISMATCH");
      assert.ok(TIMEOUTS.includes(out.error!), JSON.stringify(out));
      assert.ok(out.ms! >= SOCKET_TIMEOUT_MS - 50, `${fn}: ${out.ms} ms`);
    }
  });

  it("row 3: a network ACL without the ephemeral-port return rule: no answer; with it, data", async () => {
    const acl = (await c.ec2.send(new E.CreateNetworkAclCommand({ VpcId: net.vpc }))).NetworkAcl!.NetworkAclId!;
    await c.ec2.send(new E.CreateNetworkAclEntryCommand({ NetworkAclId: acl, RuleNumber: 100, Egress: false, Protocol: "6", RuleAction: "allow", CidrBlock: "10.0.3.0/24", PortRange: { From: 5432, To: 5432 } }));
    await c.ec2.send(new E.CreateNetworkAclEntryCommand({ NetworkAclId: acl, RuleNumber: 100, Egress: true, Protocol: "6", RuleAction: "allow", CidrBlock: "10.0.3.0/24", PortRange: { From: 5432, To: 5432 } }));
    const cur = (await c.ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: "association.subnet-id", Values: [net.db] }] }))).NetworkAcls![0];
    const assoc = cur.Associations!.find((a) => a.SubnetId === net.db)!;
    const swapped = (await c.ec2.send(new E.ReplaceNetworkAclAssociationCommand({ AssociationId: assoc.NetworkAclAssociationId, NetworkAclId: acl }))).NewAssociationId!;
    try {
      for (const fn of ["node-private", "py-private"]) {
        const { model } = await probe(fn, "10.0.1.25:5432");
        assert.equal(model.verdict, "drop");
        assert.equal(model.reasons[0].code, "SUBNET_ACL_RESTRICTION");
      }
      await c.ec2.send(new E.CreateNetworkAclEntryCommand({ NetworkAclId: acl, RuleNumber: 110, Egress: true, Protocol: "6", RuleAction: "allow", CidrBlock: "10.0.3.0/24", PortRange: { From: 1024, To: 65535 } }));
      const { model, out } = await probe("node-private", "10.0.1.25:5432", { message: "after the return rule" });
      assert.equal(model.verdict, "allow");
      assert.equal(out.data, "pong:after the return rule");
    } finally {
      await c.ec2.send(new E.ReplaceNetworkAclAssociationCommand({ AssociationId: swapped, NetworkAclId: cur.NetworkAclId }));
    }
  });

  it("row 8: a dedicated-tenancy VPC peered to the function's VPC is reachable only with the peering route on both sides", async () => {
    const to = "10.2.1.10:7000";
    const fails = async (why: string) => {
      const r = await probe("node-private", to);
      assert.notEqual(r.model.verdict, "allow", why);
      return r;
    };
    const none = await fails("no peering route on either side");
    assert.equal(none.model.reasons[0].code, "NO_ROUTE_TO_DESTINATION");
    const back = { RouteTableId: net.dRt, DestinationCidrBlock: "10.0.3.0/24", VpcPeeringConnectionId: net.pcx };
    await c.ec2.send(new E.CreateRouteCommand(back));
    await fails("only the dedicated VPC routes back");
    await c.ec2.send(new E.DeleteRouteCommand({ RouteTableId: net.dRt, DestinationCidrBlock: "10.0.3.0/24" }));
    await c.ec2.send(new E.CreateRouteCommand({ RouteTableId: net.privateRt, DestinationCidrBlock: "10.2.0.0/16", VpcPeeringConnectionId: net.pcx }));
    await fails("only the function's subnet routes to the peering");
    await c.ec2.send(new E.CreateRouteCommand(back));
    const both = await probe("node-private", to, { message: "across the peering" });
    assert.equal(both.model.verdict, "allow");
    assert.equal(both.out.data, "dedicated pong:across the peering");
    const py = await probe("py-private", to, { message: "python too" });
    assert.equal(py.out.data, "dedicated pong:python too");
  });

  it("row 4: the private subnet without NAT cannot reach api.example.com; with a NAT gateway route it can", async () => {
    const to = "api.example.com:80";
    const url = "http://api.example.com/hello";
    for (const fn of ["node-private", "py-private"]) {
      const { model } = await probe(fn, to, { url });
      assert.equal(model.verdict, "unreachable");
      assert.equal(model.reasons[0].code, "NO_ROUTE_TO_DESTINATION");
    }
    const eip = (await c.ec2.send(new E.AllocateAddressCommand({ Domain: "vpc" }))).AllocationId!;
    net.nat = (await c.ec2.send(new E.CreateNatGatewayCommand({ SubnetId: net.public, AllocationId: eip }))).NatGateway!.NatGatewayId!;
    for (let i = 0; ; i++) {
      const state = (await c.ec2.send(new E.DescribeNatGatewaysCommand({ NatGatewayIds: [net.nat] }))).NatGateways![0].State;
      if (state === "available") break;
      assert.ok(i < 20, `NAT gateway still ${state}`);
      await advanceClock(app.url, 1);
    }
    await c.ec2.send(new E.CreateRouteCommand({ RouteTableId: net.privateRt, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: net.nat }));
    for (const fn of ["node-private", "py-private"]) {
      const { model, out } = await probe(fn, to, { url });
      assert.equal(model.verdict, "allow");
      assert.ok(model.path.some((h) => h.id === net.nat));
      assert.equal(out.data, "hello from the api.example.com stand-in (GET /hello, Host api.example.com)", fn);
    }
  });

  it("row 5: a subnet routed to the internet gateway without NAT: no internet (no public IP): no answer", async () => {
    const { model } = await probe("node-igw", "api.example.com:80", { url: "http://api.example.com/" });
    assert.equal(model.verdict, "drop");
    assert.equal(model.reasons[0].code, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS");
  });

  it("row 6: a function without VPC reaches the mapped internet name and not 10.0.1.25", async () => {
    const { model, out } = await probe("node-novpc", "api.example.com:80", { url: "http://api.example.com/" });
    assert.equal(model.verdict, "allow");
    assert.equal(out.data, "hello from the api.example.com stand-in (GET /, Host api.example.com)");
    const priv = await probe("node-novpc", "10.0.1.25:5432");
    assert.equal(priv.model.verdict, "unreachable");
  });

  it("row 7a: IPv6 without Ipv6AllowedForDualStack is unreachable (the namespace has no IPv6 route)", async () => {
    const off = await probe("py-v6-off", `[${V6_INTERNET}]:8000`, { message: "hello v6" });
    assert.equal(off.model.verdict, "unreachable");
  });

  // A destination the subnet's route table does not route fails inside the ENI's namespace itself:
  // an ICMP "no route" from the router can be lost while connect() holds the socket lock.
  it("row 7b: IPv6 allowed but no ::/0 route: unreachable", async () => {
    const noRoute = await probe("py-v6-on", `[${V6_INTERNET}]:8000`, { message: "hello v6" });
    assert.equal(noRoute.model.verdict, "unreachable");
    assert.equal(noRoute.model.reasons[0].code, "NO_ROUTE_TO_DESTINATION");
  });

  it("row 7c: with Ipv6AllowedForDualStack, an eigw ::/0 route and ::/0 egress, the guide's Python AF_INET6 example reads the reply", async () => {
    const to = `[${V6_INTERNET}]:8000`;
    await c.ec2.send(new E.CreateRouteCommand({ RouteTableId: net.dualRt, DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: net.eigw }));
    const noEgress = await probe("py-v6-on", to, { message: "hello v6" });
    assert.equal(noEgress.model.verdict, "drop");
    assert.equal(noEgress.model.reasons[0].code, "ENI_SG_RULES_MISMATCH");
    await c.ec2.send(new E.AuthorizeSecurityGroupEgressCommand({ GroupId: net.fnSg, IpPermissions: [{ IpProtocol: "-1", Ipv6Ranges: [{ CidrIpv6: "::/0" }] }] }));
    const on = await probe("py-v6-on", to, { message: "hello v6" });
    assert.equal(on.model.verdict, "allow", on.model.answer);
    assert.equal(on.out.data, "pong6:hello v6");
    assert.equal(v6Seen.at(-1), "hello v6");
    current?.diagnostic(`the IPv6 internet host ${V6_INTERNET} is served by ${v6Target}`);
    const offAgain = await probe("py-v6-off", to);
    assert.ok(UNREACH.includes(offAgain.out.error!));
  });

  it("row 9: a security-group rule added while the function is warm applies to its next connection", async () => {
    const first = await probe("node-warm", "10.0.1.25:6543");
    assert.equal(first.model.verdict, "drop");
    await c.ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: net.dbSg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 6543, ToPort: 6543, UserIdGroupPairs: [{ GroupId: net.fnSg }] }] }));
    const second = await probe("node-warm", "10.0.1.25:6543", { message: "warm" });
    assert.equal(second.model.verdict, "allow");
    assert.equal(second.out.data, "pong:warm");
    assert.equal(second.out.env, first.out.env, "the same warm execution environment");
  });

  it("row 9, within one invocation: a rule authorized while the handler runs applies to its next connection once the API call has returned", async () => {
    const signal: { waiting?: import("node:net").Socket } = {};
    const signalServer = createNetServer((s) => {
      s.on("error", () => {});
      s.once("data", () => (signal.waiting = s));
    });
    const signalPort = await listen(signalServer);
    try {
    assert.equal((await admin("POST", "endpoints", { ip: "10.0.1.25", port: 6599, target: `127.0.0.1:${signalPort}` })).status < 300, true);
    await c.ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: net.dbSg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 6599, ToPort: 6599, UserIdGroupPairs: [{ GroupId: net.fnSg }] }] }));
    const before = await probe("node-warm", "10.0.1.25:6544");
    assert.equal(before.model.verdict, "drop");
    const running = invoke("node-warm", { host: "10.0.1.25", port: 6544, message: "same invocation", timeoutMs: SOCKET_TIMEOUT_MS, waitForSignal: { host: "10.0.1.25", port: 6599 } });
    for (let i = 0; !signal.waiting; i++) {
      assert.ok(i < 500, "the handler did not start");
      await new Promise((r) => setTimeout(r, 5));
    }
    // The handler is running and waiting. Authorize; the moment the call returns, signal it to connect.
    await c.ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: net.dbSg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 6544, ToPort: 6544, UserIdGroupPairs: [{ GroupId: net.fnSg }] }] }));
    signal.waiting!.end("go");
    const out = await running;
    assert.deepEqual([out.ok, out.data], [true, "pong:same invocation"], JSON.stringify(out));
    assert.equal(out.env, before.out.env, "the same warm execution environment");
    current?.diagnostic(`node-warm → 10.0.1.25:6544 in the running invocation, right after the API call returned: connected, got ${JSON.stringify(out.data)}`);
    } finally {
      signalServer.close();
    }
  });

  it("fail closed: unmapped private and public addresses get an error, never a connection", async () => {
    for (const fn of ["node-private", "py-private", "node-novpc"]) {
      const priv = await probe(fn, "10.9.9.9:80");
      assert.notEqual(priv.model.action, "connect");
      assert.equal(priv.out.ok, false);
      const addr = await probe(fn, "198.51.100.7:443");
      assert.notEqual(addr.model.action, "connect");
      assert.equal(addr.out.ok, false);
      const name = await probe(fn, "unmapped.example.net:443", { url: "http://unmapped.example.net:443/" });
      assert.equal(name.model.action, "notfound");
    }
  });

  it("names resolve through the namespace's resolver: mapped names, EC2 private DNS names, nothing else; the host's resolv.conf is untouched", async () => {
    const hostResolv = readFileSync("/etc/resolv.conf", "utf8");
    for (const fn of ["node-private", "py-private", "node-novpc"]) {
      const api = await invoke(fn, { lookup: "API.example.com" });
      assert.equal(api.ok, true, JSON.stringify(api));
      assert.equal(api.data, apiAddress, fn);
      const missing = await invoke(fn, { lookup: "unmapped.example.net" });
      assert.equal(missing.ok, false);
      assert.ok(CODE_FOR.notfound.includes(missing.error!), JSON.stringify(missing));
      current?.diagnostic(`${fn}: api.example.com → ${api.data}; unmapped.example.net → ${missing.error}`);
    }
    const privateName = await invoke("node-private", { lookup: "ip-10-0-1-25.ec2.internal" });
    assert.equal(privateName.data, "10.0.1.25");
    const outside = await invoke("node-novpc", { lookup: "ip-10-0-1-25.ec2.internal" });
    assert.equal(outside.ok, false, "a function outside any VPC asks public DNS, which has no private names");
    const seen = await invoke("node-private", { lookup: "api.example.com" });
    assert.match(seen.resolv!, /^nameserver 169\.254\.169\.253$/m);
    assert.equal(readFileSync("/etc/resolv.conf", "utf8"), hostResolv);
  });

  it("connections count on the Hyperplane ENI while open: past the ENI's capacity Lambda adds one (DescribeNetworkInterfaces), which goes once they close", async () => {
    const lambdaEnis = async () =>
      (await c.ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["lambda"] }, { Name: "subnet-id", Values: [net.private] }] }))).NetworkInterfaces!.map((e) => e.NetworkInterfaceId!).sort();
    const counted = () => app.hyperplane.combos("000000000000", "us-east-1").filter((k) => k.subnetId === net.private).flatMap((k) => k.enis.map((e) => e.connections)).reduce((a, b) => a + b, 0);
    const until = async (what: string, ok: () => boolean | Promise<boolean>) => {
      // The kernel reports connections asynchronously (conntrack events): wait for them, bounded.
      for (let i = 0; !(await ok()); i++) {
        assert.ok(i < 100, what);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const before = await lambdaEnis();
    assert.equal(before.length, 1);
    const held = await invoke("node-private", { hold: 3, host: "10.0.1.25", port: 5432, timeoutMs: 3000 });
    assert.equal(held.data, "3", JSON.stringify(held));
    await until(`3 connections counted (now ${counted()})`, () => counted() === 3);
    const during = await lambdaEnis();
    assert.equal(during.length, 2, "a second ENI past --eni-connections 2");
    current?.diagnostic(`3 open connections counted on ${JSON.stringify(app.hyperplane.combos("000000000000", "us-east-1").filter((k) => k.subnetId === net.private).map((k) => k.enis.map((e) => [e.eniId, e.connections])))}`);
    const released = await invoke("node-private", { release: true });
    assert.equal(released.data, "3");
    await until(`connections released (now ${counted()})`, () => counted() === 0);
    await advanceClock(app.url, 5 * 60 + 1); // Hyperplane's scale-in delay
    assert.deepEqual(await lambdaEnis(), before, "the extra ENI is gone once idle");
  });
});
