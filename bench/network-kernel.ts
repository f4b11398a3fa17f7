// Kernel mode's cost: `npm run bench -- network-kernel`.
// Prints the time to create the base namespaces, to build the whole issue topology (router, ENIs,
// NAT gateway, edge, internet, relays), to add one ENI namespace to a built topology (incremental
// apply), and the TCP connect latency from a function's ENI namespace through the VPC router
// (NACL + SG + conntrack) against a direct loopback connect, and a name lookup through the
// namespace's resolver; then the same rootless (as uid 1000 in a user namespace of its own).
// Everything runs inside a loopback-only namespace (it re-executes itself under `unshare -rnm`
// when needed).
import { spawnSync, execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { percentile } from "./_support.ts";
import { KernelNetwork, kernelSupport } from "../src/network/kernel/index.ts";
import { scenario } from "../src/network/model/test-support.ts";

const CONNECTS = 500;
const EXTRA_ENIS = 10;

if (process.env.HYPERLOCAL_TEST_NETNS !== "1") {
  const here = dirname(fileURLToPath(import.meta.url));
  const r = spawnSync("unshare", ["-rnm", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", process.execPath, "--import", "tsx", join(here, "run.ts"), "network-kernel"], {
    stdio: "inherit",
    env: { ...process.env, HYPERLOCAL_TEST_NETNS: "1" },
  });
  if (r.error || r.status === null) {
    console.error("network-kernel: cannot enter a loopback-only namespace (unshare -rnm); this benchmark needs one");
    process.exit(1);
  }
  process.exit(r.status);
}
const support = kernelSupport();
if (!support.ok) {
  console.error(`network-kernel: ${support.reason}`);
  process.exit(1);
}

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL("../src/network/kernel/probe.child.cjs", import.meta.url));
const server = createServer((s) => s.on("data", (d) => s.end(d))).listen(0, "127.0.0.1");
await new Promise((r) => server.once("listening", r));
const port = (server.address() as { port: number }).port;
const target = `127.0.0.1:${port}`;
const root = mkdtempSync(join(tmpdir(), "hl-kernel-bench-"));
const ms = (t0: number): number => performance.now() - t0;

let t0 = performance.now();
const net = await KernelNetwork.create({ root });
const createMs = ms(t0);

const snap = scenario();
const endpoints = [{ ip: "10.0.1.25", port: 5432, target }];
const internet = [{ ip: "203.0.113.10", port: 80, target }];
const lambdaEnis = [{ networkInterfaceId: "eni-fn", ipv6Allowed: true }];
t0 = performance.now();
await net.apply(snap, endpoints, internet, lambdaEnis);
const buildMs = ms(t0);
await net.apply(snap, endpoints, internet, lambdaEnis); // the first re-apply flushes the tables the build created
t0 = performance.now();
await net.apply(snap, endpoints, internet, lambdaEnis);
const reapplyMs = ms(t0);

// One more Hyperplane ENI per apply, in the private subnet.
const perEni: number[] = [];
for (let i = 0; i < EXTRA_ENIS; i++) {
  const id = `eni-extra-${i}`;
  snap.networkInterfaces.push({ networkInterfaceId: id, subnetId: "subnet-private", vpcId: "vpc-main", groupIds: ["sg-fn"], privateIps: [`10.0.3.${100 + i}`], ipv6Addresses: [], interfaceType: "lambda" });
  lambdaEnis.push({ networkInterfaceId: id, ipv6Allowed: false });
  t0 = performance.now();
  await net.apply(snap, endpoints, internet, lambdaEnis);
  perEni.push(ms(t0));
}

async function latencies(prefix: string[], host: string, p: number): Promise<number[]> {
  const { stdout } = await run(prefix[0] ?? process.execPath, [...prefix.slice(1), ...(prefix.length ? [process.execPath] : []), PROBE, JSON.stringify([{ host, port: p }]), String(CONNECTS)]);
  return (JSON.parse(stdout) as number[]).slice(50).sort((a, b) => a - b);
}
const viaRouter = await latencies(net.commandPrefix("eni-fn"), "10.0.1.25", 5432);
const viaNat = await latencies(net.commandPrefix("eni-fn"), "203.0.113.10", 80);
const direct = await latencies([], "127.0.0.1", port);

// Name lookups from the function's namespace: getaddrinfo → 169.254.169.253 → the relay → a unix
// socket → this process's answer (the resolver the function's /etc/resolv.conf names).
net.setResolver((_where, name) => (name === "api.example.com" ? { addresses: [{ address: "203.0.113.10", family: 4 }] } : { nxdomain: true }));
await net.loopbackRelay("eni-fn", port);
const LOOKUP_SCRIPT = `const dns = require("node:dns").promises; (async () => { const out = []; for (let i = 0; i < ${CONNECTS}; i++) { const t = process.hrtime.bigint(); await dns.lookup("api.example.com", { family: 4 }); out.push(Number(process.hrtime.bigint() - t) / 1e6); } console.log(JSON.stringify(out)); })();`;
const lookupPrefix = net.commandPrefix("eni-fn");
const lookups = (JSON.parse((await run(lookupPrefix[0], [...lookupPrefix.slice(1), process.execPath, "-e", LOOKUP_SCRIPT])).stdout) as number[]).slice(50).sort((a, b) => a - b);

t0 = performance.now();
await net.close();
const closeMs = ms(t0);
server.close();
rmSync(root, { recursive: true, force: true });

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sorted = [...perEni].sort((a, b) => a - b);
const f = (x: number): string => x.toFixed(3);
const mode = support.privilege === "userns" ? "rootless: an unprivileged user (uid 1000), inside a user namespace of its own" : "with the right to create namespaces";
console.log(`kernel network mode, ${mode} (${CONNECTS} sequential connects, first 50 dropped as warm-up)`);
console.log(`create (router, internet, public-client namespaces)   ${createMs.toFixed(1)} ms`);
console.log(`full topology build (issue scenario: router, 2 ENIs, NAT, edge, internet, 2 relays)   ${buildMs.toFixed(1)} ms`);
console.log(`re-apply, nothing changed (identical scripts skipped)   ${reapplyMs.toFixed(1)} ms`);
console.log(`+1 ENI namespace (incremental apply)   mean ${mean(perEni).toFixed(1)} ms, min ${sorted[0].toFixed(1)}, max ${sorted[sorted.length - 1].toFixed(1)} (${EXTRA_ENIS} ENIs)`);
console.log(`close (all namespaces and relays)   ${closeMs.toFixed(1)} ms`);
console.log(`connect fn -> 10.0.1.25:5432 through the router   p50 ${f(percentile(viaRouter, 50))} ms   p99 ${f(percentile(viaRouter, 99))} ms`);
console.log(`connect fn -> 203.0.113.10:80 via NAT GW + IGW     p50 ${f(percentile(viaNat, 50))} ms   p99 ${f(percentile(viaNat, 99))} ms`);
console.log(`connect direct loopback                           p50 ${f(percentile(direct, 50))} ms   p99 ${f(percentile(direct, 99))} ms`);
console.log(`ratio router / loopback (p50)   ${(percentile(viaRouter, 50) / percentile(direct, 50)).toFixed(2)}x`);
console.log(`name lookup in the namespace (dns.lookup via 169.254.169.253)   p50 ${f(percentile(lookups, 50))} ms   p99 ${f(percentile(lookups, 99))} ms`);

// The same figures rootless, once: re-run as uid 1000 in a nested user namespace, without capabilities.
if (support.privilege === "direct" && process.env.HYPERLOCAL_BENCH_ROOTLESS !== "1") {
  console.log("");
  const here = dirname(fileURLToPath(import.meta.url));
  const r = spawnSync("unshare", ["--user", "--map-user=1000", "--map-group=1000", "--", process.execPath, "--import", "tsx", join(here, "run.ts"), "network-kernel"], {
    stdio: "inherit",
    env: { ...process.env, HYPERLOCAL_BENCH_ROOTLESS: "1" },
  });
  if (r.status !== 0) console.log("(the rootless run could not start here: unprivileged user namespaces are not allowed)");
}
