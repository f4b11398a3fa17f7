// Issue 7's scenario table, end to end: Lambda functions attached to a VPC whose own code (Node.js
// and Python, in the shim's userspace mode) meets the VPC's network rules, each row checked two
// ways that must agree: the model (GET /_hyperlocal/reachability, and EC2 Reachability Analyzer
// through /usr/bin/aws) and real function code (connected and data exchanged / ETIMEDOUT /
// ENETUNREACH). One topology is built in `before` and the rows run in order on it: 10 and 8 come
// before 4, whose NAT route would otherwise decide their "no route" cases. The probes print each
// model verdict and code outcome as test diagnostics. Network safety: every server here listens
// on 127.0.0.1 or [::1]; VPC and "internet" addresses exist only in the model and are mapped to
// those servers by hyperlocal.
import assert from "node:assert/strict";
import type { Server as HttpServer } from "node:http";
import type { Server } from "node:net";
import { networkInterfaces } from "node:os";
import { after, before, beforeEach, describe, it, type TestContext } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer } from "../support/server.ts";
import { prepareScenario, scenarioCalls, V6_INTERNET, type FunctionOutcome, type ModelAnswer } from "../support/network-scenario.ts";
import { advanceClock, functionLogs } from "../support/zip-functions.ts";

const DROP_MS = 300;

/**
 * One probe for every row: {host, port, message?} opens TCP (family from the address), sends the
 * message and reads until the server closes; {url} fetches over HTTP. Answers {ok, data} or
 * {ok:false, error: <code>, message}; `env` names the execution environment (warm reuse).
 */
const NODE_PROBE = `
const net = require("node:net");
const ENV = Math.random().toString(36).slice(2);
exports.handler = async (ev) => {
  const t0 = Date.now();
  const done = (r) => ({ ...r, env: ENV, ms: Date.now() - t0 });
  try {
    if (ev.url) {
      const res = await fetch(ev.url, { signal: AbortSignal.timeout(5000) });
      return done({ ok: true, status: res.status, data: await res.text() });
    }
    const data = await new Promise((resolve, reject) => {
      const s = net.connect({ host: ev.host, port: ev.port });
      let got = "";
      s.setTimeout(5000, () => s.destroy(Object.assign(new Error("no answer within 5 s"), { code: "HANDLER_TIMEOUT" })));
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
import errno, random, socket, time, urllib.request

ENV = "%012x" % random.getrandbits(48)
GAI = {getattr(socket, n): n for n in ("EAI_NONAME", "EAI_AGAIN", "EAI_FAIL") if hasattr(socket, n)}


def run_connect_to_server(server_address, server_port, message):
    # The IPv6 example from the Lambda guide ("IPv6 support").
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, 0)
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


def run_ipv4(host, port, message):
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(message.encode())
        data = b''
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return data
            data += chunk


def code_of(e):
    if isinstance(e, socket.gaierror):
        return GAI.get(e.errno, "gaierror")
    if isinstance(e, OSError) and e.errno:
        return errno.errorcode.get(e.errno, str(e.errno))
    return type(e).__name__


def handler(event, context):
    t0 = time.monotonic()
    out = probe(event)
    out["env"] = ENV
    out["ms"] = round((time.monotonic() - t0) * 1000)
    return out


def probe(event):
    try:
        if event.get("url"):
            try:
                with urllib.request.urlopen(event["url"], timeout=5) as r:
                    return {"ok": True, "status": r.status, "data": r.read().decode()}
            except urllib.error.URLError as e:
                raise e.reason if isinstance(e.reason, BaseException) else e
        message = event.get("message", "ping")
        if ":" in event["host"]:
            data = run_connect_to_server(event["host"], event["port"], message)
        else:
            data = run_ipv4(event["host"], event["port"], message)
        return {"ok": True, "data": data.decode()}
    except Exception as e:
        return {"ok": False, "error": code_of(e), "message": str(e)}
`;

/** What function code must see for each answer of the model. */
const CODE_FOR: Record<ModelAnswer["action"], string[]> = {
  connect: [],
  drop: ["ETIMEDOUT"],
  unreachable: ["ENETUNREACH"],
  refuse: ["ECONNREFUSED"],
  notfound: ["ENOTFOUND", "EAI_NONAME"],
};

describe("network scenarios: VPC rules as function code sees them", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, () => {
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
  /** Ids of the topology built in `before`. */
  const net: Record<string, string> = {};
  let current: TestContext | undefined;
  beforeEach((ctx) => {
    current = "diagnostic" in ctx ? ctx : undefined;
  });

  const { admin, reach, invoke } = scenarioCalls(() => app.url, () => c.lambda);
  /** The model's answer and the function's outcome for one connection; asserts that they agree. */
  const probe = async (fn: string, to: string, event: Record<string, unknown> = {}): Promise<{ model: ModelAnswer; out: FunctionOutcome }> => {
    const m = /^\[?(.+?)\]?:(\d+)$/.exec(to)!;
    const [model, out] = await Promise.all([reach(fn, to), invoke(fn, event.url ? event : { host: m[1], port: Number(m[2]), ...event })]);
    const why = `${fn} → ${to}: model ${model.verdict}/${model.action}, function ${JSON.stringify(out)}`;
    const outcome = out.ok ? `connected, got ${JSON.stringify(out.data)}` : `${out.error} after ${out.ms} ms`;
    current?.diagnostic(`${fn} → ${event.url ?? to}: model ${model.verdict}${model.reasons[0] ? ` (${model.reasons[0].code})` : ""}, action ${model.action}; code: ${outcome}`);
    if (model.action === "connect") assert.equal(out.ok, true, why);
    else {
      assert.equal(out.ok, false, why);
      assert.ok(CODE_FOR[model.action].includes(out.error!), why);
    }
    return { model, out };
  };

  before(async () => {
    app = await startTestServer({ dropAfterMs: DROP_MS });
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
      const { model, out } = await probe(fn, "10.0.1.25:5432", { message: `ping` });
      assert.equal(model.verdict, "allow");
      assert.equal(model.connectTo, `127.0.0.1:${dbPort}`);
      assert.equal(model.path[0].id, net.lambdaEni);
      assert.equal(model.path.at(-1)!.id, net.dbEni);
      assert.equal(out.data, "pong:ping", fn);
    }
    assert.deepEqual(dbSeen.slice(-2), ["ping", "ping"]);
  });

  it("row 2: port 22 on the same address is dropped by the database's security group: ETIMEDOUT with the reason", async () => {
    for (const fn of ["node-private", "py-private"]) {
      const { model, out } = await probe(fn, "10.0.1.25:22");
      assert.equal(model.verdict, "drop");
      assert.equal(model.reasons[0].code, "ENI_SG_RULES_MISMATCH");
      assert.deepEqual(model.reasons[0].component, { kind: "security-group", id: net.dbSg });
      assert.equal(out.error, "ETIMEDOUT");
      assert.match(out.message!, /ENI_SG_RULES_MISMATCH/, fn);
      assert.match(out.message!, new RegExp(net.dbSg), fn);
      assert.ok(out.ms! >= DROP_MS - 20, `${fn} timed out after ${out.ms} ms`);
    }
  });

  it("row 10: aws ec2 network insights (Reachability Analyzer) on rows 1, 2 and 4 give the same verdicts and codes", { skip: !hasAwsCli() && "no /usr/bin/aws" }, async () => {
    const cli = async (args: string[]) => {
      const r = await aws(app.url, ["ec2", ...args]);
      assert.equal(r.code, 0, r.stderr);
      return r.json;
    };
    const rows = [
      { to: "10.0.1.25:5432", args: ["--destination", net.dbEni, "--destination-port", "5432"] },
      { to: "10.0.1.25:22", args: ["--destination", net.dbEni, "--destination-port", "22"] },
      { to: "api.example.com:80", args: ["--destination", net.igw, "--destination-ip", apiAddress, "--destination-port", "80"] },
    ];
    const paths = await Promise.all(rows.map((r) => cli(["create-network-insights-path", "--source", net.lambdaEni, "--protocol", "tcp", ...r.args])));
    net.internetPath = paths[2].NetworkInsightsPath.NetworkInsightsPathId;
    const started = await Promise.all(paths.map((p) => cli(["start-network-insights-analysis", "--network-insights-path-id", p.NetworkInsightsPath.NetworkInsightsPathId])));
    await advanceClock(app.url, 2);
    const ids = started.map((s) => s.NetworkInsightsAnalysis.NetworkInsightsAnalysisId as string);
    const described = (await cli(["describe-network-insights-analyses", "--network-insights-analysis-ids", ...ids])).NetworkInsightsAnalyses as E.NetworkInsightsAnalysis[];
    const found: boolean[] = [];
    for (const [i, row] of rows.entries()) {
      const a = described.find((x) => x.NetworkInsightsAnalysisId === ids[i])!;
      const model = await reach("node-private", row.to);
      assert.equal(a.Status, "succeeded");
      assert.equal(a.NetworkPathFound, model.verdict === "allow", `${row.to}: analyzer ${a.NetworkPathFound}, model ${model.verdict}`);
      if (model.verdict === "allow") assert.equal(a.Explanations, undefined);
      else assert.equal(a.Explanations![0].ExplanationCode, model.reasons[0].code, row.to);
      found.push(a.NetworkPathFound!);
      current?.diagnostic(`analyzer ${net.lambdaEni} → ${row.to}: NetworkPathFound ${a.NetworkPathFound}${a.Explanations ? ` (${a.Explanations[0].ExplanationCode})` : ""}; model ${model.verdict}`);
    }
    assert.deepEqual(found, [true, false, false]);
    const code = (i: number) => described.find((x) => x.NetworkInsightsAnalysisId === ids[i])!.Explanations![0].ExplanationCode;
    assert.deepEqual([code(1), code(2)], ["ENI_SG_RULES_MISMATCH", "NO_ROUTE_TO_DESTINATION"]);
  });

  it("row 3: a network ACL on the database subnet without the ephemeral-port return rule: the connection fails", async () => {
    const acl = (await c.ec2.send(new E.CreateNetworkAclCommand({ VpcId: net.vpc }))).NetworkAcl!.NetworkAclId!;
    await c.ec2.send(new E.CreateNetworkAclEntryCommand({ NetworkAclId: acl, RuleNumber: 100, Egress: false, Protocol: "6", RuleAction: "allow", CidrBlock: "10.0.3.0/24", PortRange: { From: 5432, To: 5432 } }));
    // Outbound only to 5432: the answers to the function's ephemeral port have no rule.
    await c.ec2.send(new E.CreateNetworkAclEntryCommand({ NetworkAclId: acl, RuleNumber: 100, Egress: true, Protocol: "6", RuleAction: "allow", CidrBlock: "10.0.3.0/24", PortRange: { From: 5432, To: 5432 } }));
    const current = (await c.ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: "association.subnet-id", Values: [net.db] }] }))).NetworkAcls![0];
    const assoc = current.Associations!.find((a) => a.SubnetId === net.db)!;
    const swapped = (await c.ec2.send(new E.ReplaceNetworkAclAssociationCommand({ AssociationId: assoc.NetworkAclAssociationId, NetworkAclId: acl }))).NewAssociationId!;
    try {
      for (const fn of ["node-private", "py-private"]) {
        const { model, out } = await probe(fn, "10.0.1.25:5432");
        assert.equal(model.verdict, "drop");
        assert.equal(model.reasons[0].code, "SUBNET_ACL_RESTRICTION");
        assert.deepEqual(model.reasons[0].component, { kind: "network-acl", id: acl });
        assert.equal(out.error, "ETIMEDOUT");
        assert.match(out.message!, /SUBNET_ACL_RESTRICTION/);
      }
      // The return rule for ephemeral ports: it works.
      await c.ec2.send(new E.CreateNetworkAclEntryCommand({ NetworkAclId: acl, RuleNumber: 110, Egress: true, Protocol: "6", RuleAction: "allow", CidrBlock: "10.0.3.0/24", PortRange: { From: 1024, To: 65535 } }));
      const { model, out } = await probe("node-private", "10.0.1.25:5432", { message: "after the return rule" });
      assert.equal(model.verdict, "allow");
      assert.equal(out.data, "pong:after the return rule");
    } finally {
      await c.ec2.send(new E.ReplaceNetworkAclAssociationCommand({ AssociationId: swapped, NetworkAclId: current.NetworkAclId }));
    }
  });

  it("row 8: a dedicated-tenancy VPC peered to the function's VPC is reachable only with the peering route on both sides", async () => {
    const to = "10.2.1.10:7000";
    const fails = async (why: string) => {
      const r = await probe("node-private", to);
      assert.notEqual(r.model.verdict, "allow", why);
      assert.equal(r.out.ok, false, why);
      return r;
    };
    const none = await fails("no peering route on either side");
    assert.equal(none.model.reasons[0].code, "NO_ROUTE_TO_DESTINATION");
    const back = { RouteTableId: net.dRt, DestinationCidrBlock: "10.0.3.0/24", VpcPeeringConnectionId: net.pcx };
    await c.ec2.send(new E.CreateRouteCommand(back));
    await fails("only the dedicated VPC routes back");
    await c.ec2.send(new E.DeleteRouteCommand({ RouteTableId: net.dRt, DestinationCidrBlock: "10.0.3.0/24" }));
    await c.ec2.send(new E.CreateRouteCommand({ RouteTableId: net.privateRt, DestinationCidrBlock: "10.2.0.0/16", VpcPeeringConnectionId: net.pcx }));
    const oneWay = await fails("only the function's subnet routes to the peering");
    assert.equal(oneWay.model.reasons[0].code, "NO_ROUTE_TO_DESTINATION", "the answers have no way back");
    await c.ec2.send(new E.CreateRouteCommand(back));
    const both = await probe("node-private", to, { message: "across the peering" });
    assert.equal(both.model.verdict, "allow");
    assert.ok(both.model.path.some((h) => h.id === net.pcx));
    assert.equal(both.out.data, "dedicated pong:across the peering");
    const py = await probe("py-private", to, { message: "python too" });
    assert.equal(py.out.data, "dedicated pong:python too");
    assert.deepEqual(dedicatedSeen, ["across the peering", "python too"]);
  });

  it("row 4: the private subnet without NAT cannot reach api.example.com; with a NAT gateway route it can", async () => {
    const url = "http://api.example.com/hello";
    for (const fn of ["node-private", "py-private"]) {
      const { model, out } = await probe(fn, "api.example.com:80", { url });
      assert.equal(model.verdict, "unreachable");
      assert.equal(model.reasons[0].code, "NO_ROUTE_TO_DESTINATION");
      assert.equal(out.error, "ENETUNREACH", `${fn}: ${JSON.stringify(out)}`);
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
      const { model, out } = await probe(fn, "api.example.com:80", { url });
      assert.equal(model.verdict, "allow");
      assert.equal(model.connectTo, `127.0.0.1:${httpPort}`);
      assert.ok(model.path.some((h) => h.id === net.nat));
      assert.equal(out.data, "hello from the api.example.com stand-in (GET /hello, Host api.example.com)", fn);
    }

    // Row 10 again: the Reachability Analyzer on the same path now finds it, through the NAT gateway.
    if (hasAwsCli() && net.internetPath) {
      const run = await aws(app.url, ["ec2", "start-network-insights-analysis", "--network-insights-path-id", net.internetPath]);
      assert.equal(run.code, 0, run.stderr);
      await advanceClock(app.url, 2);
      const a = (await aws(app.url, ["ec2", "describe-network-insights-analyses", "--network-insights-analysis-ids", run.json.NetworkInsightsAnalysis.NetworkInsightsAnalysisId])).json
        .NetworkInsightsAnalyses[0] as E.NetworkInsightsAnalysis;
      assert.equal(a.NetworkPathFound, true);
      assert.ok(a.ForwardPathComponents!.some((x) => x.Component?.Id === net.nat));
      current?.diagnostic(`analyzer ${net.lambdaEni} → api.example.com:80 with the NAT route: NetworkPathFound ${a.NetworkPathFound}`);
    }
  });

  it("row 5: a subnet routed to the internet gateway without NAT: no internet (Lambda ENIs have no public IP)", async () => {
    const { model, out } = await probe("node-igw", "api.example.com:80", { url: "http://api.example.com/" });
    assert.equal(model.verdict, "drop");
    assert.equal(model.reasons[0].code, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS");
    assert.equal(out.error, "ETIMEDOUT");
    assert.match(out.message!, /IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS/);
  });

  it("row 6: a function without VPC reaches the mapped internet name and not 10.0.1.25", async () => {
    const { model, out } = await probe("node-novpc", "api.example.com:80", { url: "http://api.example.com/" });
    assert.equal(model.verdict, "allow");
    assert.equal(out.data, "hello from the api.example.com stand-in (GET /, Host api.example.com)");
    const priv = await probe("node-novpc", "10.0.1.25:5432");
    assert.equal(priv.model.verdict, "unreachable");
    assert.equal(priv.out.error, "ENETUNREACH");
  });

  it("row 7: IPv6 is unreachable without Ipv6AllowedForDualStack; with it and an egress-only gateway route, the guide's Python socket example connects", async () => {
    const to = `[${V6_INTERNET}]:8000`;
    const off = await probe("py-v6-off", to, { message: "hello v6" });
    assert.equal(off.model.verdict, "unreachable");
    assert.equal(off.out.error, "ENETUNREACH");
    // Allowed, but no ::/0 route yet.
    const noRoute = await probe("py-v6-on", to, { message: "hello v6" });
    assert.equal(noRoute.model.verdict, "unreachable");
    assert.equal(noRoute.model.reasons[0].code, "NO_ROUTE_TO_DESTINATION");
    await c.ec2.send(new E.CreateRouteCommand({ RouteTableId: net.dualRt, DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: net.eigw }));
    // A group created by CreateSecurityGroup allows all IPv4 out, not IPv6 (here as in hyperlocal's
    // EC2): the route alone meets the group's egress rules.
    const noEgress = await probe("py-v6-on", to, { message: "hello v6" });
    assert.equal(noEgress.model.verdict, "drop");
    assert.equal(noEgress.model.reasons[0].code, "ENI_SG_RULES_MISMATCH");
    assert.equal(noEgress.out.error, "ETIMEDOUT");
    await c.ec2.send(new E.AuthorizeSecurityGroupEgressCommand({ GroupId: net.fnSg, IpPermissions: [{ IpProtocol: "-1", Ipv6Ranges: [{ CidrIpv6: "::/0" }] }] }));
    const on = await probe("py-v6-on", to, { message: "hello v6" });
    assert.equal(on.model.verdict, "allow", on.model.answer);
    assert.ok(on.model.path.some((h) => h.id === net.eigw));
    assert.equal(on.out.data, "pong6:hello v6");
    assert.equal(v6Seen.at(-1), "hello v6");
    current?.diagnostic(`the IPv6 internet host ${V6_INTERNET} is served by ${v6Target}`);
    // The same code still fails without the flag.
    assert.equal((await probe("py-v6-off", to)).out.error, "ENETUNREACH");
  });

  it("row 9: a security-group rule added while the function is warm applies to its next connection", async () => {
    const first = await probe("node-warm", "10.0.1.25:6543");
    assert.equal(first.model.verdict, "drop");
    assert.equal(first.out.error, "ETIMEDOUT");
    await c.ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: net.dbSg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 6543, ToPort: 6543, UserIdGroupPairs: [{ GroupId: net.fnSg }] }] }));
    const second = await probe("node-warm", "10.0.1.25:6543", { message: "warm" });
    assert.equal(second.model.verdict, "allow");
    assert.equal(second.out.data, "pong:warm");
    assert.equal(second.out.env, first.out.env, "the same warm execution environment");
  });

  it("the shim's blind spots are printed once per function, however many environments it runs in", async () => {
    // Three invocations at once, each held by a dropped connection: three environments.
    const outs = await Promise.all([1, 2, 3].map(() => invoke("node-warm", { host: "10.0.1.25", port: 22 })));
    assert.ok(new Set(outs.map((o) => o.env)).size >= 2, `several environments: ${outs.map((o) => o.env)}`);
    const logs = await functionLogs(app.url, "node-warm");
    const text = logs.events.map((e) => e.message).join("");
    assert.equal(text.split("VPC network rules are applied in this process").length - 1, 1, text);
    assert.match(text, /native-code sockets and child processes other than Node\.js and Python are not covered/);
  });

  it("fail closed: unmapped private addresses and unmapped public names get an error, never a connection", async () => {
    // And underneath the shim, this run's namespace has nothing but loopback.
    assert.deepEqual(Object.keys(networkInterfaces()), ["lo"]);
    for (const fn of ["node-private", "py-private", "node-novpc"]) {
      const priv = await probe(fn, "10.9.9.9:80");
      assert.notEqual(priv.model.action, "connect");
      assert.equal(priv.out.ok, false);
      const name = await probe(fn, "unmapped.example.net:443");
      assert.equal(name.model.action, "notfound");
      assert.ok(["ENOTFOUND", "EAI_NONAME"].includes(name.out.error!), JSON.stringify(name.out));
      const addr = await probe(fn, "198.51.100.7:443");
      assert.notEqual(addr.model.action, "connect");
    }
  });
});
