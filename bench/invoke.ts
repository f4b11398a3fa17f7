// Lambda Invoke end to end through the AWS SDK (SigV4 signed, verified by the server, keep-alive),
// against a server in its own process: warm p50/p99 for a trivial Node.js and a trivial Python
// handler, cold start (first invoke after the environments were reclaimed), and throughput with 1
// and 8 concurrent clients; the memory of an idle warm environment, and what each of N idle warm
// environments of one runtime costs beside N bare interpreters (`--memory-only`: just the memory).
// Runs function code: run it inside `unshare -rn` (see DESIGN.md).
import { Agent } from "node:http";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { startChildServer } from "../test/support/server.ts";
import { advanceClock, LAMBDA_TRUST, nodeZip, pythonZip } from "../test/support/zip-functions.ts";
import { load, percentile, row } from "./_support.ts";
import { bareIdle, bareIdleRss, environmentsOf, sumMemory } from "./_proc-tree.ts";
import type { EnvironmentMemory } from "./_proc-tree.ts";
import { resolvePython } from "../src/runtime/python-executable.ts";

if (process.env.HYPERLOCAL_TEST_NETNS !== "1" && !process.argv.includes("--outside-netns")) {
  console.error("bench/invoke runs function code: run it inside a loopback-only network namespace, e.g.\n" +
    "  unshare -rn sh -c 'ip link set lo up && HYPERLOCAL_TEST_NETNS=1 npm run bench -- invoke'");
  process.exit(2);
}

const server = await startChildServer(["--log-level", "warn"]);
const creds = { accessKeyId: "test", secretAccessKey: "test" };
const make = () =>
  new LambdaClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: creds,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 16 }) }),
  });

try {
  const iam = new IAMClient({ endpoint: server.url, region: "us-east-1", credentials: creds, maxAttempts: 1 });
  const role = (await iam.send(new CreateRoleCommand({ RoleName: "bench", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
  const lambda = make();
  await lambda.send(new CreateFunctionCommand({ FunctionName: "node", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip("exports.handler = async (e) => e;") } }));
  await lambda.send(new CreateFunctionCommand({ FunctionName: "python", Runtime: "python3.12", Role: role, Handler: "app.handler", Code: { ZipFile: pythonZip("def handler(event, context):\n    return event\n") } }));
  await advanceClock(server.url, 1);

  const payload = Buffer.from('{"ping":1}');
  const invoke = (client: LambdaClient, name: string) => async () => {
    const r = await client.send(new InvokeCommand({ FunctionName: name, Payload: payload }));
    if (r.FunctionError || r.StatusCode !== 200) throw new Error(`${name}: ${r.FunctionError} ${Buffer.from(r.Payload ?? []).toString()}`);
  };

  console.log("bench/invoke: Lambda Invoke through the AWS SDK, SigV4 verified on every request, keep-alive, server in its own process");
  // Idle warm environment, after the same work in every run: one invocation (a function tried once
  // or twice, the usual case locally), then 1,000 (the JIT has compiled the hot paths). One
  // environment per function, waiting on its next /next.
  for (const [label, count] of [["after 1 invocation", 1], ["after 1,000 invocations", 999]] as const) {
    for (const name of ["node", "python"]) await load(invoke(lambda, name), 1, 600_000, count);
    await new Promise((r) => setTimeout(r, 300));
    for (const name of ["node", "python"]) printIdleMemory(`${name} ${label}`, environmentsOf(server.proc.pid!, name));
  }
  // Beside them, the floor: the same interpreters started bare, idle.
  const python = await resolvePython();
  const bare: [string, string[]][] = [["node", [process.execPath, "-e", "console.log('ready'); setInterval(() => {}, 60000)"]]];
  if (python) bare.push(["python", [python, "-c", "import time; print('ready', flush=True); time.sleep(60)"]]);
  for (const [name, argv] of bare) console.log(`${`bare idle ${name} process RSS (the floor)`.padEnd(44)} ${((await bareIdleRss(argv)) / 1024).toFixed(1).padStart(8)} MB`);
  await manyEnvironments(role, bare);
  if (!process.argv.includes("--memory-only")) await timings(lambda, invoke, payload);
  lambda.destroy();
  iam.destroy();
} finally {
  await server.stop();
}

async function timings(lambda: LambdaClient, invoke: (c: LambdaClient, name: string) => () => Promise<void>, payload: Buffer): Promise<void> {
  // Warm: both environments started and JIT-compiled above.
  for (const name of ["node", "python"]) {
    console.log(row(`warm ${name}, 1 client`, await load(invoke(lambda, name), 1, 4000)));
  }

  // Cold start: the idle environments are reclaimed after 5 minutes on the clock; the next invoke starts one.
  for (const name of ["node", "python"]) {
    const e2e: number[] = [];
    const init: number[] = [];
    for (let i = 0; i < 15; i++) {
      await advanceClock(server.url, 301);
      await new Promise((r) => setTimeout(r, 150)); // let the stopped processes exit and spares refill
      const t0 = process.hrtime.bigint();
      const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload, LogType: "Tail" }));
      e2e.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const m = /Init Duration: ([\d.]+) ms/.exec(Buffer.from(r.LogResult ?? "", "base64").toString());
      if (!m) throw new Error(`${name}: the invoke after reclaiming was not a cold start`);
      init.push(Number(m[1]));
    }
    e2e.sort((a, b) => a - b);
    init.sort((a, b) => a - b);
    console.log(`${`cold start ${name} (15 runs)`.padEnd(44)} end to end p50 ${percentile(e2e, 50).toFixed(1)} ms   max ${e2e[e2e.length - 1].toFixed(1)} ms   Init Duration p50 ${percentile(init, 50).toFixed(1)} ms`);
  }

  await load(invoke(lambda, "node"), 1, 1000);
  console.log(row("throughput node, 1 client", await load(invoke(lambda, "node"), 1, 4000)));
  const eight = Array.from({ length: 8 }, make);
  let i = 0;
  await load(() => invoke(eight[i++ % 8], "node")(), 8, 1500); // eight environments start
  console.log(row("throughput node, 8 concurrent clients", await load(() => invoke(eight[i++ % 8], "node")(), 8, 4000)));
  await load(() => invoke(eight[i++ % 8], "python")(), 8, 1500);
  console.log(row("throughput python, 8 concurrent clients", await load(() => invoke(eight[i++ % 8], "python")(), 8, 4000)));
  for (const c of eight) c.destroy();
}

/**
 * What one more environment costs: N environments of one runtime idle and warm at once (N
 * concurrent invocations of a handler that waits, so each gets its own), each one's process tree
 * measured; beside them N bare interpreters idle at once. RSS counts the interpreter's file pages
 * that every process shares; PSS splits them between the N; anonymous and private dirty memory is
 * what no other process can share.
 */
async function manyEnvironments(role: string, bare: [string, string[]][]): Promise<void> {
  const n = 10;
  const lambda = make();
  const functions: [string, "nodejs20.x" | "python3.12", string, Uint8Array][] = [
    ["node-idle", "nodejs20.x", "index.handler", nodeZip("exports.handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms)); return e; };")],
    ["python-idle", "python3.12", "app.handler", pythonZip("import time\ndef handler(event, context):\n    time.sleep(event['ms'] / 1000)\n    return event\n")],
  ];
  for (const [name, runtime, handler, zip] of functions) {
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: runtime, Role: role, Handler: handler, Code: { ZipFile: zip } }));
  }
  await advanceClock(server.url, 1);
  console.log(`${n} idle warm environments of one runtime at once (each one's whole process tree), beside ${n} bare interpreters idle at once; per environment or process, in MB:`);
  console.log(`${"".padEnd(44)} ${"RSS".padStart(8)} ${"PSS".padStart(8)} ${"anon".padStart(8)} ${"priv.dirty".padStart(10)}`);
  for (const [name] of functions) {
    const ms = Buffer.from(JSON.stringify({ ms: 1500 }));
    await Promise.all(Array.from({ length: n }, () => lambda.send(new InvokeCommand({ FunctionName: name, Payload: ms }))));
    await new Promise((r) => setTimeout(r, 300));
    const envs = environmentsOf(server.proc.pid!, name);
    if (envs.length !== n) throw new Error(`${name}: ${envs.length} environments, expected ${n}`);
    printPerUnit(`${n} idle ${name.replace("-idle", "")} environments`, envs);
  }
  for (const [name, argv] of bare) {
    const procs = await bareIdle(argv, n);
    printPerUnit(`${n} bare idle ${name} processes`, procs.map((p) => ({ pgid: p.pid, processes: [p], ...sumMemory([p]) })));
  }
  lambda.destroy();
}

function printPerUnit(label: string, units: EnvironmentMemory[]): void {
  const avg = (f: (e: EnvironmentMemory) => number | undefined) => {
    const v = units.map(f);
    return v.every((x) => x !== undefined) ? (v.reduce((s, x) => s + x!, 0) / units.length / 1024).toFixed(1) : "?";
  };
  console.log(`${label.padEnd(44)} ${avg((e) => e.rssKb).padStart(8)} ${avg((e) => e.pssKb).padStart(8)} ${avg((e) => e.anonKb).padStart(8)} ${avg((e) => e.privateDirtyKb).padStart(10)}`);
}

/**
 * RSS of an environment's whole process tree (wrappers, runtime, leftovers). Beside it PSS and
 * private memory (USS): RSS counts the interpreter's read-only pages (most of node's ~35 MB floor)
 * that every environment shares, so USS is what one more environment costs.
 */
function printIdleMemory(name: string, envs: ReturnType<typeof environmentsOf>): void {
  if (envs.length === 0) throw new Error(`${name}: no environment found below the server`);
  for (const e of envs) {
    const mb = (kb: number) => (kb / 1024).toFixed(1);
    const pss =
      (e.pssKb !== undefined ? `   PSS ${mb(e.pssKb)} MB` : "") +
      (e.privateKb !== undefined ? `   private ${mb(e.privateKb)} MB` : "") +
      (e.anonKb !== undefined ? `   anon ${mb(e.anonKb)} MB` : "");
    console.log(`${`idle ${name}: RSS`.padEnd(44)} ${mb(e.rssKb).padStart(8)} MB${pss}   (${e.processes.length} processes)`);
    for (const p of e.processes) console.log(`    ${mb(p.rssKb).padStart(6)} MB  (private ${p.privateKb !== undefined ? mb(p.privateKb) : "?"} MB)  ${p.cmdline.slice(0, 100)}`);
  }
}
