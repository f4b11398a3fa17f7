// Kernel mode against the reachability model: each row builds a snapshot, applies it to real
// namespaces + nftables, runs a Node client inside the function's ENI namespace, and checks that the
// kernel and the model agree (allow = connected and answered through the relay, drop = timeout,
// unreachable = ENETUNREACH). Runs only inside a loopback-only namespace (HYPERLOCAL_TEST_NETNS=1,
// e.g. under `unshare -rnm`), so nothing here can reach a real network.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import type { Server } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { compileSnapshot, evaluate } from "../model/index.ts";
import type { Flow, NetSnapshot, VerdictKind } from "../model/index.ts";
import { dropRoute, group, nacl, rtb, scenario, setRoute, sg } from "../model/test-support.ts";
import { awsServiceAddress } from "../../core/aws-service-addresses.ts";
import { KernelNetwork, kernelSupport } from "./index.ts";
import type { KernelEndpoint, KernelInternet } from "./index.ts";

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL("./probe.child.cjs", import.meta.url));
const support = kernelSupport();
const skip =
  process.env.HYPERLOCAL_TEST_NETNS !== "1"
    ? "kernel mode tests run only inside a loopback-only namespace: unshare -rnm sh -c 'ip link set lo up && HYPERLOCAL_TEST_NETNS=1 node --import tsx --test src/network/kernel/*.test.ts'"
    : !support.ok
      ? `kernel mode unavailable: ${support.reason}`
      : false;
if (skip) console.log(`# skipping kernel network tests: ${skip}`);

interface Outcome {
  ok: boolean;
  reply?: string;
  code?: string;
  ms: number;
}

const DB = "10.0.1.25";
const NET4 = "203.0.113.10";
const NET6 = "2001:db8:ffff::10";
const TIMEOUT_MS = 700;

describe("kernel network mode", { skip }, () => {
  let server: Server;
  let target = "";
  let root = "";
  let net: KernelNetwork;

  before(async () => {
    // The one real server: everything placed in the VPC or on the internet relays to it.
    server = createServer((s) => s.on("data", (d) => s.end(`pong ${d}`))).listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    target = `127.0.0.1:${(server.address() as { port: number }).port}`;
    root = mkdtempSync(join(tmpdir(), "hl-kernel-"));
    net = await KernelNetwork.create({ root });
  });
  after(async () => {
    await net?.close();
    server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const endpoints = (): KernelEndpoint[] => [
    { ip: DB, port: 5432, target },
    { ip: DB, port: 22, target },
    { ip: "10.1.1.50", port: 8080, target },
  ];
  const internet = (): KernelInternet[] => [
    { ip: NET4, port: 80, target },
    { ip: NET6, port: 80, target },
  ];

  async function probe(prefix: string[], targets: { host: string; port: number }[]): Promise<Outcome[]> {
    const { stdout } = await run(prefix[0], [...prefix.slice(1), process.execPath, PROBE, JSON.stringify(targets.map((t) => ({ ...t, timeoutMs: TIMEOUT_MS })))]);
    return JSON.parse(stdout) as Outcome[];
  }

  const kernelVerdict = (o: Outcome): VerdictKind | string =>
    o.ok ? "allow" : o.code === "ETIMEDOUT" ? "drop" : o.code === "ENETUNREACH" || o.code === "EHOSTUNREACH" ? "unreachable" : `error ${o.code}`;

  /** Apply, probe from the ENI, compare with the model, return the kernel's verdicts. */
  async function check(snap: NetSnapshot, flows: { ip: string; port: number }[], opts: { eni?: string; ipv6Allowed?: boolean; extra?: KernelEndpoint[] } = {}): Promise<VerdictKind[]> {
    const eni = opts.eni ?? "eni-fn";
    await net.apply(snap, [...endpoints(), ...(opts.extra ?? [])], internet(), [{ networkInterfaceId: eni, ipv6Allowed: opts.ipv6Allowed ?? false }]);
    const got = await probe(net.commandPrefix(eni), flows.map((f) => ({ host: f.ip, port: f.port })));
    const model = compileSnapshot(snap);
    return flows.map((f, i) => {
      const flow: Flow = { from: { kind: "eni", networkInterfaceId: eni, ipv6Allowed: opts.ipv6Allowed ?? false }, to: { ip: f.ip, port: f.port, protocol: "tcp" } };
      const v = evaluate(model, flow);
      const k = kernelVerdict(got[i]);
      assert.equal(k, v.verdict, `${eni} -> ${f.ip}:${f.port}: kernel ${JSON.stringify(got[i])}, model ${v.verdict} (${v.reasons[0]?.message ?? "allowed"})`);
      if (k === "allow") assert.equal(got[i].reply, "pong ping");
      return k as VerdictKind;
    });
  }

  test("1. fn -> 10.0.1.25:5432, allowed by the SG referencing the fn's group, talks to the local server", async () => {
    assert.deepEqual(await check(scenario(), [{ ip: DB, port: 5432 }]), ["allow"]);
  });

  test("2. port 22 has no SG rule: dropped (timeout)", async () => {
    assert.deepEqual(await check(scenario(), [{ ip: DB, port: 22 }]), ["drop"]);
  });

  test("3. the DB subnet's outbound ACL without the ephemeral return rule: the reply is dropped (stateless)", async () => {
    const s = scenario();
    nacl(s, "acl-db").entries = nacl(s, "acl-db").entries.filter((e) => !e.egress);
    assert.deepEqual(await check(s, [{ ip: DB, port: 5432 }]), ["drop"]);
    assert.deepEqual(await check(scenario(), [{ ip: DB, port: 5432 }]), ["allow"], "restored");
  });

  test("4. private subnet without a NAT route: the internet is unreachable; with the NAT route it works", async () => {
    const s = scenario();
    dropRoute(s, "rtb-private", "0.0.0.0/0");
    assert.deepEqual(await check(s, [{ ip: NET4, port: 80 }]), ["unreachable"]);
    assert.deepEqual(await check(scenario(), [{ ip: NET4, port: 80 }]), ["allow"]);
  });

  test("5. default route to the internet gateway and no NAT: no way out (Lambda ENIs have no public IP)", async () => {
    const s = scenario();
    setRoute(s, "rtb-private", "0.0.0.0/0", { kind: "igw", id: "igw-1" });
    assert.deepEqual(await check(s, [{ ip: NET4, port: 80 }]), ["drop"]);
  });

  test("6. a function outside any VPC reaches the internet mapping, not 10.0.1.25", async () => {
    const s = scenario();
    await net.apply(s, endpoints(), internet(), [{ networkInterfaceId: "eni-fn", ipv6Allowed: false }]);
    const got = await probe(net.internetCommandPrefix(), [
      { host: NET4, port: 80 },
      { host: NET6, port: 80 },
      { host: DB, port: 5432 },
    ]);
    const model = compileSnapshot(s);
    const expect = [NET4, NET6, DB].map((ip, i) => evaluate(model, { from: { kind: "internet" }, to: { ip, port: [80, 80, 5432][i], protocol: "tcp" } }).verdict);
    assert.deepEqual(got.map(kernelVerdict), expect);
    assert.deepEqual(expect, ["allow", "allow", "unreachable"]);
  });

  test("7. IPv6: Ipv6AllowedForDualStack off -> ENETUNREACH; on, ::/0 -> egress-only IGW reaches [2001:db8:ffff::10]:80", async () => {
    assert.deepEqual(await check(scenario(), [{ ip: NET6, port: 80 }], { ipv6Allowed: false }), ["unreachable"]);
    assert.deepEqual(await check(scenario(), [{ ip: NET6, port: 80 }], { ipv6Allowed: true }), ["allow"]);
  });

  test("8. peering works only with routes on both sides", async () => {
    const flow = [{ ip: "10.1.1.50", port: 8080 }];
    assert.deepEqual(await check(scenario(), flow), ["allow"]);
    const noReturn = scenario();
    dropRoute(noReturn, "rtb-ded", "10.0.0.0/16");
    assert.deepEqual(await check(noReturn, flow), ["drop"]);
    const noForward = scenario();
    dropRoute(noForward, "rtb-private", "10.1.0.0/16");
    assert.deepEqual(await check(noForward, flow), ["drop"]);
  });

  test("9. an SG rule added applies to the next connection after apply()", async () => {
    assert.deepEqual(await check(scenario(), [{ ip: DB, port: 22 }]), ["drop"]);
    const s = scenario();
    group(s, "sg-db").ingress.push(sg("tcp", [22, 22], { groupIds: ["sg-fn"] }));
    assert.deepEqual(await check(s, [{ ip: DB, port: 22 }]), ["allow"]);
  });

  test("10. a gateway endpoint's prefix-list route reaches its namespace; pending, or the route removed: as the model says", async () => {
    const S3 = awsServiceAddress("us-east-1", "s3")!;
    const gateway = (state: string, route: boolean, nat: boolean): NetSnapshot => {
      const s = scenario();
      s.prefixLists = [{ prefixListId: "pl-63a5400a", cidrs: [`${S3}/32`] }];
      s.vpcEndpoints = [{ id: "vpce-s3", vpcId: "vpc-main", type: "Gateway", serviceName: "com.amazonaws.us-east-1.s3", service: "s3", region: "us-east-1", state, networkInterfaceIds: [] }];
      if (route) rtb(s, "rtb-private").routes.push({ destination: "pl-63a5400a", target: { kind: "vpce", id: "vpce-s3" } });
      if (!nat) dropRoute(s, "rtb-private", "0.0.0.0/0");
      return s;
    };
    // The endpoint's listener relays to the local server here (hyperlocal's own delivery is the e2e test's).
    const extra: KernelEndpoint[] = [{ ip: S3, port: 443, target, gatewayEndpointId: "vpce-s3" }];
    const flow = [{ ip: S3, port: 443 }];
    assert.deepEqual(await check(gateway("available", true, false), flow, { extra }), ["allow"]);
    assert.equal(net.lastPlan?.gateways.length, 1);
    assert.deepEqual(await check(gateway("available", false, false), flow, { extra }), ["unreachable"]);
    assert.deepEqual(await check(gateway("pending", true, true), flow, { extra }), ["drop"]);
    assert.deepEqual(net.lastPlan?.gateways, []);
    assert.deepEqual(await check(gateway("available", true, true), flow, { extra }), ["allow"], "the prefix list's /32 wins over 0.0.0.0/0 (the NAT path: nothing is mapped at S3's address here)");
  });

  test("fail-closed: an unmapped private address gets an error and nothing leaves the loopback-only namespace", async () => {
    const s = scenario();
    dropRoute(s, "rtb-private", "0.0.0.0/0");
    assert.deepEqual(await check(s, [{ ip: "192.168.7.7", port: 80 }, { ip: "10.0.9.9", port: 80 }]), ["unreachable", "drop"]);
    // The test process's own namespace: loopback only, so no packet had a way off this machine.
    const { stdout } = await run("ip", ["-o", "link", "show"]);
    assert.deepEqual(stdout.trim().split("\n").map((l) => l.split(":")[1].trim()), ["lo"]);
  });

  test("the handler runs without capabilities: it cannot change its namespace's network", async () => {
    const prefix = net.commandPrefix("eni-fn");
    await assert.rejects(run(prefix[0], [...prefix.slice(1), "ip", "link", "add", "d0", "type", "dummy"]));
  });

  test("fast-fail option: denied: 'reject' refuses at once instead of a timeout", async () => {
    const root2 = mkdtempSync(join(tmpdir(), "hl-kernel-"));
    const fast = await KernelNetwork.create({ root: root2, denied: "reject" });
    try {
      await fast.apply(scenario(), endpoints(), internet(), [{ networkInterfaceId: "eni-fn", ipv6Allowed: false }]);
      const [ok, denied] = await probe(fast.commandPrefix("eni-fn"), [
        { host: DB, port: 5432 },
        { host: DB, port: 22 },
      ]);
      assert.equal(ok.ok, true);
      assert.equal(denied.code, "ECONNREFUSED");
      assert.ok(denied.ms < TIMEOUT_MS / 2, `refused after ${denied.ms} ms`);
    } finally {
      await fast.close();
      rmSync(root2, { recursive: true, force: true });
    }
  });

  test("a loopback relay (an environment's Runtime API port) serves inside the namespace until it is released", async () => {
    await net.apply(scenario(), endpoints(), internet(), [{ networkInterfaceId: "eni-fn", ipv6Allowed: false }]);
    const port = Number(target.split(":")[1]);
    await net.loopbackRelay("eni-fn", port);
    const [relayed] = await probe(net.commandPrefix("eni-fn"), [{ host: "127.0.0.1", port }]);
    assert.equal(relayed.reply, "pong ping", JSON.stringify(relayed));
    await net.releaseLoopbackRelay("eni-fn", port);
    const [gone] = await probe(net.commandPrefix("eni-fn"), [{ host: "127.0.0.1", port }]);
    assert.equal(gone.code, "ECONNREFUSED", JSON.stringify(gone));
  });

  test("the namespace's resolver answers as setResolver says; function code sees it in /etc/resolv.conf, the host's file is untouched", async () => {
    await net.apply(scenario(), endpoints(), internet(), [{ networkInterfaceId: "eni-fn", ipv6Allowed: false }]);
    const asked: string[] = [];
    net.setResolver((where, name) => {
      asked.push(`${where} ${name}`);
      return name === "db.internal" ? { addresses: [{ address: DB, family: 4 }] } : { nxdomain: true };
    });
    await net.loopbackRelay("eni-fn", Number(target.split(":")[1]));
    const script = `require("node:dns").promises.lookup(process.argv[1]).then((a) => console.log(a.address), (e) => console.log(e.code)).then(() => console.log(require("node:fs").readFileSync("/etc/resolv.conf", "utf8")))`;
    const prefix = net.commandPrefix("eni-fn");
    const host = (await run("cat", ["/etc/resolv.conf"])).stdout;
    const found = (await run(prefix[0], [...prefix.slice(1), process.execPath, "-e", script, "db.internal"])).stdout;
    const missing = (await run(prefix[0], [...prefix.slice(1), process.execPath, "-e", script, "nowhere.example"])).stdout;
    assert.equal(found.split("\n")[0], DB);
    assert.match(found, /^nameserver 169\.254\.169\.253$/m);
    assert.equal(missing.split("\n")[0], "ENOTFOUND");
    assert.ok(asked.includes("eni-fn db.internal") && asked.includes("eni-fn nowhere.example"), asked.join(", "));
    assert.equal((await run("cat", ["/etc/resolv.conf"])).stdout, host);
  });

  test("rtb edits survive re-apply: the route table and ip rules are rebuilt, not duplicated", async () => {
    void rtb;
    for (let i = 0; i < 2; i++) assert.deepEqual(await check(scenario(), [{ ip: DB, port: 5432 }, { ip: NET4, port: 80 }]), ["allow", "allow"]);
  });
});
