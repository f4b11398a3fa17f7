// Durable state (--state-dir) against memory only: latency of CreateNetworkInterface and
// CreateFunction one at a time, with an empty state and with 10,000 functions and 10,000
// interfaces stored (target: durable at most 2× memory only, and not growing with the size); the
// time to start with that state; and the time to fill it (32 requests in flight).
// Both servers run side by side and are sampled in turn (memory, durable, durable, memory, ...),
// so the load of a shared machine weighs on both alike and the ratios stay meaningful.
// Run: npm run bench -- store     (BENCH_STORE_N=2000 for a quicker run)
import * as E from "@aws-sdk/client-ec2";
import * as I from "@aws-sdk/client-iam";
import * as L from "@aws-sdk/client-lambda";
import { loadavg } from "node:os";
import { clients } from "../test/support/clients.ts";
import { startTestServer, tempDir, TEST_QUOTAS } from "../test/support/server.ts";
import { LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../test/support/zip-functions.ts";
import { percentile } from "./_support.ts";
import type { App } from "../src/app.ts";

// 10,000 interfaces in one region: past AWS's default network interface quota (5,000).
const QUOTAS = { ...TEST_QUOTAS, "ec2.network-interfaces": 1_000_000 };

const STORED = Number(process.env.BENCH_STORE_N ?? 10_000);
const SAMPLES = Number(process.env.BENCH_STORE_SAMPLES ?? 300);
const CONCURRENCY = 32;
const zip = nodeZip(NODE_ECHO);

interface Server {
  mode: "memory only" | "--state-dir";
  app: App;
  subnet: string;
  sg: string;
  role: string;
  names: number;
}

async function setup(mode: Server["mode"], app: App): Promise<Server> {
  const { ec2, iam } = clients(app.url);
  const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.0.0/16" }))).Subnet!.SubnetId!;
  const sg = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "bench", Description: "bench" }))).GroupId!;
  const role = (await iam.send(new I.CreateRoleCommand({ RoleName: "bench", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
  return { mode, app, subnet, sg, role, names: 0 };
}

type Op = "CreateNetworkInterface" | "CreateFunction" | "DescribeNetworkInterfaces" | "GetFunction";
const OPS: Op[] = ["CreateNetworkInterface", "CreateFunction", "DescribeNetworkInterfaces", "GetFunction"];

function call(s: Server, op: Op): () => Promise<unknown> {
  const { ec2, lambda } = clients(s.app.url);
  switch (op) {
    case "CreateNetworkInterface":
      return () => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: s.subnet, Groups: [s.sg], Description: "bench" }));
    case "CreateFunction":
      return () => lambda.send(new L.CreateFunctionCommand({ FunctionName: `f-${++s.names}`, Runtime: "nodejs20.x", Handler: "index.handler", Role: s.role, Code: { ZipFile: zip } }));
    // Reads are served from memory either way.
    case "DescribeNetworkInterfaces":
      return () => ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "private-ip-address", Values: ["10.0.0.99"] }] }));
    case "GetFunction":
      return () => lambda.send(new L.GetFunctionConfigurationCommand({ FunctionName: "f-1" }));
  }
}

/** Sequential calls on both servers in turn: p50 and p99 in ms for each. */
async function latency(pair: Server[], op: Op): Promise<{ p50: number; p99: number }[]> {
  const calls = pair.map((s) => call(s, op));
  for (let i = 0; i < 20; i++) for (const c of calls) await c();
  const t: number[][] = pair.map(() => []);
  for (let i = 0; i < SAMPLES; i++) {
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const k of order) {
      const t0 = performance.now();
      await calls[k]();
      t[k].push(performance.now() - t0);
    }
  }
  return t.map((x) => {
    x.sort((a, b) => a - b);
    return { p50: percentile(x, 50), p99: percentile(x, 99) };
  });
}

/** n interfaces and n functions into each server, both at once. */
async function fill(pair: Server[], n: number): Promise<void> {
  const t0 = performance.now();
  await Promise.all(
    pair.map(async (s) => {
      const { ec2, lambda } = clients(s.app.url);
      let left = n;
      await Promise.all(
        Array.from({ length: CONCURRENCY / 2 }, async () => {
          while (left > 0) {
            left--;
            await ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: s.subnet, Groups: [s.sg] }));
            await lambda.send(new L.CreateFunctionCommand({ FunctionName: `fill-${++s.names}`, Runtime: "nodejs20.x", Handler: "index.handler", Role: s.role, Code: { ZipFile: zip } }));
          }
        }),
      );
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  console.log(`filled each server with ${n.toLocaleString("en-US")} interfaces + ${n.toLocaleString("en-US")} functions in ${secs.toFixed(1)} s (both at once, ${CONCURRENCY} in flight)`);
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`load average at start: ${load()} (${STORED.toLocaleString("en-US")} stored, ${SAMPLES} samples per operation)`);
const dir = tempDir("hyperlocal-bench-store-");
const start = async (stateDir?: string) => startTestServer({ noDefaultVpc: true, logLevel: "error", quotas: QUOTAS, ...(stateDir ? { stateDir } : {}) });
const t0 = performance.now();
const durableApp = await start(dir);
const firstStart = performance.now() - t0;
const pair = [await setup("memory only", await start()), await setup("--state-dir", durableApp)];
const results: Record<string, { p50: number; p99: number }> = {};
for (const size of ["empty", "large"] as const) {
  if (size === "large") await fill(pair, STORED);
  for (const op of OPS) {
    const r = await latency(pair, op);
    pair.forEach((s, k) => {
      results[`${s.mode} ${size} ${op}`] = r[k];
      console.log(`${s.mode.padEnd(12)} ${size.padEnd(6)} ${op.padEnd(25)} p50 ${r[k].p50.toFixed(2).padStart(6)} ms   p99 ${r[k].p99.toFixed(2).padStart(6)} ms`);
    });
  }
}
await pair[0].app.close();
await durableApp.close();
const t1 = performance.now();
const again = await start(dir);
const restart = performance.now() - t1;
const count = (await clients(again.url).ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: [pair[1].subnet] }))).Subnets![0].AvailableIpAddressCount;
console.log(`--state-dir  first start (new database) ${(firstStart / 1000).toFixed(2)} s; start with the large state ${(restart / 1000).toFixed(2)} s (subnet has ${count} free addresses)`);
await again.close();
for (const size of ["empty", "large"]) {
  for (const op of OPS) {
    const m = results[`memory only ${size} ${op}`];
    const d = results[`--state-dir ${size} ${op}`];
    console.log(`durable / memory  ${size.padEnd(6)} ${op.padEnd(25)} p50 ×${(d.p50 / m.p50).toFixed(2)}   p99 ×${(d.p99 / m.p99).toFixed(2)}   (durable − memory: p50 ${(d.p50 - m.p50).toFixed(2)} ms)`);
  }
}
console.log(`load average at end: ${load()}`);
