// Replay mode of bench/gateway: the same pre-signed requests sent, in one run, to hyperlocal and to a
// bare node:http server (answering 200 with a small body, in its own process), over 8 keep-alive
// connections. The ratio hyperlocal / bare is the figure to watch: both sides pay the same client and
// HTTP costs on the same cores, so what is left is what hyperlocal does per request (signature check,
// IAM, the operation, rendering). Runs function code (warm Invoke), so it enters a loopback-only
// network namespace first (unshare -rn), as the tests do.
// Options: `--only=<text>` replays only the operations whose label contains it; `--seconds=N` (3);
// `--connections=N` (8; 1 shows one request's cost with nothing to overlap it). The two servers take
// turns in short slices and the ratio is the median of the slices' ratios (see compare()).
// `--cpu-prof` runs the server under node --cpu-prof and prints where its time went (bench/_profile.ts).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request, type OutgoingHttpHeaders } from "node:http";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { startChildServer, type ChildServer } from "../test/support/server.ts";
import { advanceClock, LAMBDA_TRUST, nodeZip, pythonZip } from "../test/support/zip-functions.ts";
import { summarizeProfile } from "./_profile.ts";
import { load, percentile, row, type LoadResult } from "./_support.ts";
import { descendants } from "./_proc-tree.ts";

const CONNECTIONS = Number(process.argv.find((a) => a.startsWith("--connections="))?.slice("--connections=".length) ?? 8);
const SECONDS = Number(process.argv.find((a) => a.startsWith("--seconds="))?.slice("--seconds=".length) ?? 3);

export async function replayBench(): Promise<void> {
  if (process.env.HYPERLOCAL_TEST_NETNS !== "1") {
    const script = `ip link set lo up && exec "$0" "$@"`;
    const r = spawnSync("unshare", ["-rn", "sh", "-c", script, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: "inherit",
      env: { ...process.env, HYPERLOCAL_TEST_NETNS: "1" },
    });
    if (r.error || r.status === null) throw new Error("cannot enter a loopback-only network namespace (unshare -rn); not running function code");
    if (r.status !== 0) process.exit(r.status);
    return;
  }
  // CreateNetworkInterface is replayed thousands of times: past the default quota of 5,000.
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  const profileDir = process.argv.includes("--cpu-prof") ? mkdtempSync(join(tmpdir(), "hyperlocal-prof-")) : undefined;
  const nodeArgs = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];
  const server = await startChildServer(["--log-level", "warn", "--quota", "ec2.network-interfaces=1000000"], {}, [], nodeArgs);
  const bare = await startBare();
  try {
    const target = new URL(server.url);
    const sign = signer(target);
    const setup = await prepare(server, sign);
    const cases: { label: string; req: Signed; expect: number }[] = [
      { label: "STS GetCallerIdentity", req: await sign.query("sts", "Action=GetCallerIdentity&Version=2011-06-15"), expect: 200 },
      { label: "EC2 DescribeVpcs", req: await sign.query("ec2", "Action=DescribeVpcs&Version=2016-11-15"), expect: 200 },
      { label: "Lambda GetFunction", req: await sign.rest("lambda", "GET", "/2015-03-31/functions/node"), expect: 200 },
      { label: "Lambda Invoke, warm Node.js", req: await sign.rest("lambda", "POST", "/2015-03-31/functions/node/invocations", '{"ping":1}'), expect: 200 },
      { label: "Lambda Invoke, warm Python", req: await sign.rest("lambda", "POST", "/2015-03-31/functions/python/invocations", '{"ping":1}'), expect: 200 },
      // Last: the one case that grows the state (an interface per request, 20,000 or more in all), which
      // the cases after it would otherwise be measured on.
      { label: "EC2 CreateNetworkInterface", req: await sign.query("ec2", `Action=CreateNetworkInterface&Version=2016-11-15&SubnetId=${setup.subnetId}`), expect: 200 },
    ];
    console.log(`bench/gateway replay: one pre-signed request per operation, ${CONNECTIONS} keep-alive connections, ${SECONDS} s each side in alternating ${ROUND_MS} ms slices,`);
    console.log("against hyperlocal (signature verified on every request) and a bare node:http server answering 200, same run");
    for (const c of cases) {
      if (only && !c.label.includes(only)) continue;
      const { h, b, ratios } = await compare(c.req, c.expect, { port: target.port, pid: server.proc.pid! }, { port: String(bare.port), pid: bare.pid });
      console.log(row(`${c.label}: hyperlocal`, h));
      console.log(row(`${c.label}: bare node:http`, b));
      console.log(
        `${c.label}: ratio ${median(ratios).toFixed(2)} (median of ${ratios.length} rounds, ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` +
          `   server CPU per request: hyperlocal ${h.cpuUs.toFixed(0)} µs (${(100 * h.systemShare).toFixed(0)}% in the kernel), bare ${b.cpuUs.toFixed(0)} µs (ratio ${(b.cpuUs / h.cpuUs).toFixed(2)})` +
          (h.childCpuUs >= 1 ? `; execution environments ${h.childCpuUs.toFixed(0)} µs` : ""),
      );
    }
  } finally {
    bare.stop();
    await server.stop();
  }
  if (profileDir) {
    const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error(`no profile written in ${profileDir}`);
    console.log(`server profile: ${join(profileDir, file)}`);
    console.log(summarizeProfile(join(profileDir, file)));
  }
}

interface Signed {
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body: string;
}

/**
 * CPU time (user + system) a process has used, in µs, from /proc/<pid>/stat. Throughput on a shared
 * machine swings with the load of others; the CPU a server spends per request hardly does.
 */
function cpuUs(pid: number, only?: "system"): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime, stime in clock ticks (USER_HZ = 100)
  return ((only === "system" ? Number(f[12]) : Number(f[11]) + Number(f[12])) * 1e6) / 100;
}

/**
 * CPU time of every live process below pid, by pid. An Invoke's runtime process works on the same
 * cores as the server, so its share is part of what an invocation costs.
 */
function childCpu(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of descendants(pid)) {
    try {
      out.set(p.pid, cpuUs(p.pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU the processes alive at both readings used between them (ones started or ended between are left out). */
function childCpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, us] of after) if (before.has(pid)) sum += us - before.get(pid)!;
  return sum;
}

interface Side {
  port: string;
  pid: number;
}

type Measured = LoadResult & { cpuUs: number; systemShare: number; childCpuUs: number };

/**
 * hyperlocal and the bare server in alternating slices of ROUND_MS (ABBA order), after a warm-up of
 * both: this machine's speed drifts by a factor of two over seconds (other tenants), so each round's
 * ratio compares two rates measured moments apart. The ratio printed is the median of the rounds'.
 */
async function compare(req: Signed, expect: number, hyperlocal: Side, bare: Side): Promise<{ h: Measured; b: Measured; ratios: number[] }> {
  const sides = [hyperlocal, bare].map((side) => ({ side, agent: new Agent({ keepAlive: true, maxSockets: CONNECTIONS }), slices: [] as Slice[] }));
  try {
    // Warm-up: JIT on both sides, until V8 has optimised the request's path: at least 1.5 s and
    // WARM_UP_REQUESTS requests (a slow operation such as Invoke otherwise still has its path's
    // functions reaching TurboFan, one by one, in the measured slices), at most 10 s.
    const warm = sender(sides[0].side.port, req, expect, sides[0].agent);
    const warmed = await load(warm, CONNECTIONS, 1500);
    if (warmed.requests < WARM_UP_REQUESTS) await load(warm, CONNECTIONS, 8500, WARM_UP_REQUESTS - warmed.requests);
    await load(sender(sides[1].side.port, req, expect, sides[1].agent), CONNECTIONS, 500);
    const rounds = Math.max(2, Math.round((SECONDS * 1000) / ROUND_MS));
    const ratios: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? sides : [sides[1], sides[0]];
      for (const s of order) s.slices.push(await slice(s.side, sender(s.side.port, req, expect, s.agent)));
      ratios.push(sides[0].slices[i].perSecond / sides[1].slices[i].perSecond);
    }
    return { h: total(sides[0].slices), b: total(sides[1].slices), ratios };
  } finally {
    for (const s of sides) s.agent.destroy();
  }
}

const ROUND_MS = 250;
const WARM_UP_REQUESTS = 8000;

type Slice = LoadResult & { latencies: number[]; cpu: number; system: number; childCpu: number };

function sender(port: string, req: Signed, expect: number, agent: Agent): () => Promise<void> {
  return () =>
    new Promise<void>((resolve, reject) => {
      const r = request({ host: "127.0.0.1", port, method: req.method, path: req.path, headers: req.headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => (res.statusCode === expect ? resolve() : reject(new Error(`status ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`))));
      });
      r.on("error", reject);
      r.end(req.body);
    });
}

async function slice(side: Side, once: () => Promise<void>): Promise<Slice> {
  const cpu0 = cpuUs(side.pid);
  const system0 = cpuUs(side.pid, "system");
  const children0 = childCpu(side.pid);
  const latencies: number[] = [];
  const r = await load(once, CONNECTIONS, ROUND_MS, undefined, latencies);
  return { ...r, latencies, cpu: cpuUs(side.pid) - cpu0, system: cpuUs(side.pid, "system") - system0, childCpu: childCpuDelta(children0, childCpu(side.pid)) };
}

function total(slices: Slice[]): Measured {
  const lat = slices.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const requests = slices.reduce((n, s) => n + s.requests, 0);
  const seconds = slices.reduce((n, s) => n + s.seconds, 0);
  const cpu = slices.reduce((n, s) => n + s.cpu, 0);
  return {
    requests,
    seconds,
    perSecond: requests / seconds,
    p50ms: percentile(lat, 50),
    p99ms: percentile(lat, 99),
    cpuUs: cpu / requests,
    systemShare: slices.reduce((n, s) => n + s.system, 0) / cpu,
    childCpuUs: slices.reduce((n, s) => n + s.childCpu, 0) / requests,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function signer(target: URL) {
  const host = target.host;
  const sign = async (service: string, method: string, path: string, body: string, contentType: string | undefined): Promise<Signed> => {
    const headers: Record<string, string> = { host };
    if (contentType) headers["content-type"] = contentType;
    const s = new SignatureV4({ credentials: { accessKeyId: "test", secretAccessKey: "test" }, region: "us-east-1", service, sha256: Hash.bind(null, "sha256"), uriEscapePath: true });
    const signed = (await s.sign(new HttpRequest({ method, protocol: "http:", hostname: target.hostname, port: Number(target.port), path, headers, body }))) as HttpRequest;
    return { method, path, headers: { ...signed.headers, "content-length": String(Buffer.byteLength(body)) }, body };
  };
  return {
    query: (service: string, body: string) => sign(service, "POST", "/", body, "application/x-www-form-urlencoded; charset=utf-8"),
    rest: (service: string, method: string, path: string, body = "") => sign(service, method, path, body, body ? "application/json" : undefined),
  };
}

/** A role, a /16 subnet for the ENIs, and warm Node.js and Python functions, through the public API. */
async function prepare(server: ChildServer, sign: ReturnType<typeof signer>): Promise<{ subnetId: string }> {
  const port = new URL(server.url).port;
  const call = async (req: Signed): Promise<string> => {
    const out = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const r = request({ host: "127.0.0.1", port, method: req.method, path: req.path, headers: req.headers }, (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      r.on("error", reject);
      r.end(req.body);
    });
    if (out.status >= 300) throw new Error(`set-up call ${req.method} ${req.path} failed: ${out.status} ${out.text.slice(0, 300)}`);
    return out.text;
  };
  const roleXml = await call(await sign.query("iam", `Action=CreateRole&Version=2010-05-08&RoleName=bench&AssumeRolePolicyDocument=${encodeURIComponent(LAMBDA_TRUST)}`));
  const roleArn = /<Arn>([^<]+)<\/Arn>/.exec(roleXml)![1];
  const vpcId = /<vpcId>([^<]+)<\/vpcId>/.exec(await call(await sign.query("ec2", "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.1.0.0%2F16")))![1];
  const subnetId = /<subnetId>([^<]+)<\/subnetId>/.exec(await call(await sign.query("ec2", `Action=CreateSubnet&Version=2016-11-15&VpcId=${vpcId}&CidrBlock=10.1.0.0%2F16`)))![1];
  const fn = (name: string, runtime: string, handler: string, zip: Uint8Array) =>
    sign.rest("lambda", "POST", "/2015-03-31/functions", JSON.stringify({ FunctionName: name, Runtime: runtime, Role: roleArn, Handler: handler, Code: { ZipFile: Buffer.from(zip).toString("base64") } }));
  await call(await fn("node", "nodejs20.x", "index.handler", nodeZip("exports.handler = async (e) => e;")));
  await call(await fn("python", "python3.12", "app.handler", pythonZip("def handler(event, context):\n    return event\n")));
  await advanceClock(server.url, 1);
  return { subnetId };
}

/** The limit: a bare node:http server in its own process answering 200 with a small body. */
async function startBare(): Promise<{ port: number; pid: number; stop: () => void }> {
  const source = `
    const body = '{"ok":true}';
    const s = require("node:http").createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }); res.end(body); }); });
    s.keepAliveTimeout = 65000;
    s.listen(0, "127.0.0.1", () => process.stdout.write(String(s.address().port) + "\\n"));`;
  const proc = spawn(process.execPath, ["-e", source], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) => proc.stdout!.once("data", (d: Buffer) => resolve(Number(String(d).trim()))));
  return { port, pid: proc.pid!, stop: () => proc.kill() };
}
