// Durable state (--state-dir) against memory only: latency of CreateNetworkInterface and
// CreateFunction one at a time, with an empty state and with 10,000 functions and 10,000
// interfaces stored (target: durable at most 2× memory only, and not growing with the size); the
// time to start with that state; and the time to fill it (32 requests in flight).
// Run: npm run bench -- store     (BENCH_STORE_N=2000 for a quicker run)
import * as E from "@aws-sdk/client-ec2";
import * as I from "@aws-sdk/client-iam";
import * as L from "@aws-sdk/client-lambda";
import { clients } from "../test/support/clients.ts";
import { startTestServer, tempDir, TEST_QUOTAS } from "../test/support/server.ts";
import { LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../test/support/zip-functions.ts";
import { percentile } from "./_support.ts";
import type { App } from "../src/app.ts";

// 10,000 interfaces in one region: past AWS's default network interface quota (5,000).
const QUOTAS = { ...TEST_QUOTAS, "ec2.network-interfaces": 1_000_000 };

const STORED = Number(process.env.BENCH_STORE_N ?? 10_000);
const SAMPLES = 300;
const CONCURRENCY = 32;
const zip = nodeZip(NODE_ECHO);

interface Setup {
  subnet: string;
  sg: string;
  role: string;
}

async function setup(app: App): Promise<Setup> {
  const { ec2, iam } = clients(app.url);
  const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.0.0/16" }))).Subnet!.SubnetId!;
  const sg = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "bench", Description: "bench" }))).GroupId!;
  const role = (await iam.send(new I.CreateRoleCommand({ RoleName: "bench", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
  return { subnet, sg, role };
}

let names = 0;
function createEni(app: App, s: Setup) {
  const { ec2 } = clients(app.url);
  return () => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: s.subnet, Groups: [s.sg], Description: "bench" }));
}
function createFunction(app: App, s: Setup) {
  const { lambda } = clients(app.url);
  return () => lambda.send(new L.CreateFunctionCommand({ FunctionName: `f-${++names}`, Runtime: "nodejs20.x", Handler: "index.handler", Role: s.role, Code: { ZipFile: zip } }));
}

/** Sequential calls: p50 and p99 in ms. */
async function latency(call: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 20; i++) await call();
  const t: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await call();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { p50: percentile(t, 50), p99: percentile(t, 99) };
}

async function fill(app: App, s: Setup, n: number): Promise<number> {
  const { ec2, lambda } = clients(app.url);
  const t0 = performance.now();
  let left = n;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left > 0) {
        left--;
        await ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: s.subnet, Groups: [s.sg] }));
        await lambda.send(new L.CreateFunctionCommand({ FunctionName: `fill-${++names}`, Runtime: "nodejs20.x", Handler: "index.handler", Role: s.role, Code: { ZipFile: zip } }));
      }
    }),
  );
  return (performance.now() - t0) / 1000;
}

const rows = { push: (line: string) => console.log(line) };
const results: Record<string, { p50: number; p99: number }> = {};
for (const durable of [false, true]) {
  const mode = durable ? "--state-dir" : "memory only";
  names = 0; // each server starts empty: f-1 is the first function created there
  const dir = durable ? tempDir("hyperlocal-bench-store-") : undefined;
  const t0 = performance.now();
  let app = await startTestServer({ noDefaultVpc: true, logLevel: "error", quotas: QUOTAS, ...(dir ? { stateDir: dir } : {}) });
  const firstStart = performance.now() - t0;
  const s = await setup(app);
  for (const size of ["empty", "large"] as const) {
    if (size === "large") {
      const secs = await fill(app, s, STORED);
      rows.push(`${mode.padEnd(12)} filled ${STORED.toLocaleString("en-US")} interfaces + ${STORED.toLocaleString("en-US")} functions in ${secs.toFixed(1)} s (${Math.round((2 * STORED) / secs)} creates/s, ${CONCURRENCY} in flight)`);
    }
    const { ec2, lambda } = clients(app.url);
    for (const [op, call] of [
      ["CreateNetworkInterface", createEni(app, s)],
      ["CreateFunction", createFunction(app, s)],
      // Reads are served from memory either way (through the write-tracking proxies with --state-dir).
      ["DescribeNetworkInterfaces", () => ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "private-ip-address", Values: ["10.0.0.99"] }] }))],
      ["GetFunction", () => lambda.send(new L.GetFunctionConfigurationCommand({ FunctionName: "f-1" }))],
    ] as const) {
      const r = await latency(call);
      results[`${mode} ${size} ${op}`] = r;
      rows.push(`${mode.padEnd(12)} ${size.padEnd(6)} ${op.padEnd(25)} p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99.toFixed(2).padStart(6)} ms`);
    }
  }
  if (dir) {
    await app.close();
    const t1 = performance.now();
    app = await startTestServer({ noDefaultVpc: true, logLevel: "error", quotas: QUOTAS, stateDir: dir });
    const restart = performance.now() - t1;
    const count = (await clients(app.url).ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: [s.subnet] }))).Subnets![0].AvailableIpAddressCount;
    rows.push(`${mode.padEnd(12)} first start (new database) ${(firstStart / 1000).toFixed(2)} s; start with the large state ${(restart / 1000).toFixed(2)} s (subnet has ${count} free addresses)`);
  }
  await app.close();
}
for (const size of ["empty", "large"]) {
  for (const op of ["CreateNetworkInterface", "CreateFunction", "DescribeNetworkInterfaces", "GetFunction"]) {
    const m = results[`memory only ${size} ${op}`];
    const d = results[`--state-dir ${size} ${op}`];
    console.log(`durable / memory  ${size.padEnd(6)} ${op.padEnd(25)} p50 ×${(d.p50 / m.p50).toFixed(2)}   p99 ×${(d.p99 / m.p99).toFixed(2)}`);
  }
}
