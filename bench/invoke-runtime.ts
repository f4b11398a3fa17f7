// Execution environment figures through RuntimeManager.invoke: cold starts (from a prewarmed spare,
// from a fresh process, and confined as the server runs them: confinement.ts) and warm invokes, for trivial Node.js and Python handlers. It runs
// function code, so it runs itself inside a loopback-only network namespace (unshare -rn).
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { SimulatedClock } from "../src/core/clock.ts";
import { RuntimeManager } from "../src/runtime/index.ts";
import type { FunctionSpec } from "../src/runtime/index.ts";
import { CodeDirs, functionSpec } from "../src/runtime/test-support.ts";
import { confinement } from "../src/runtime/confinement.ts";

if (process.env.HYPERLOCAL_TEST_NETNS !== "1") {
  const script = `ip link set lo up && exec "$0" "$@"`;
  const r = spawnSync("unshare", ["-rn", "sh", "-c", script, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, HYPERLOCAL_TEST_NETNS: "1" },
  });
  if (r.error || r.status === null) {
    console.error("invoke-runtime: cannot enter a loopback-only network namespace (unshare -rn); not running function code");
    process.exit(1);
  }
  process.exit(r.status);
}

const COLD_RUNS = 15;
const WARM_RUNS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const code = new CodeDirs();
const node = code.make([{ name: "index.js", data: "exports.handler = async (event) => ({ ok: true, n: event.n });" }]);
const python = code.make([{ name: "app.py", data: "def handler(event, context):\n    return {'ok': True, 'n': event.get('n')}\n" }]);
const specs: [string, FunctionSpec][] = [
  ["node", functionSpec(node, { functionName: "bench-node", runtime: "nodejs20.x", handler: "index.handler" })],
  ["python", functionSpec(python, { functionName: "bench-python", runtime: "python3.12", handler: "app.handler" })],
];

async function coldStarts(prewarm: boolean, confine = false): Promise<Record<string, { total: number[]; init: number[] }>> {
  const clock = new SimulatedClock();
  const m = new RuntimeManager({ clock, prewarm, confine });
  const out: Record<string, { total: number[]; init: number[] }> = {};
  await sleep(600); // let the first spares start (python's interpreter is located first)
  for (const [name, base] of specs) {
    out[name] = { total: [], init: [] };
    for (let i = 0; i < COLD_RUNS; i++) {
      const spec = { ...base, revisionKey: `cold-${prewarm}-${confine}-${i}` }; // a new revision: never warm
      const t = performance.now();
      const r = await m.invoke(spec, Buffer.from(`{"n":${i}}`), { requestId: `cold-${name}-${i}` });
      out[name].total.push(performance.now() - t);
      out[name].init.push(r.initDurationMs ?? NaN);
      if (r.functionError) throw new Error(`${name} failed: ${r.payload}`);
      await m.stopFunction(spec.functionArn);
      await sleep(prewarm ? 250 : 20); // the spare is refilled after each cold start
    }
  }
  await m.shutdown();
  clock.close();
  return out;
}

async function warm(): Promise<Record<string, { lat: number[]; cpuUs: number }>> {
  const clock = new SimulatedClock();
  const m = new RuntimeManager({ clock });
  const out: Record<string, { lat: number[]; cpuUs: number }> = {};
  for (const [name, spec] of specs) {
    for (let i = 0; i < 1000; i++) await m.invoke(spec, Buffer.from(`{"n":${i}}`), { requestId: `w-${name}-${i}` }); // JIT warm-up
    const lat: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < WARM_RUNS; i++) {
      const t = performance.now();
      const r = await m.invoke(spec, Buffer.from(`{"n":${i}}`), { requestId: `warm-${name}-${i}` });
      lat.push(performance.now() - t);
      if (r.functionError) throw new Error(`${name} failed: ${r.payload}`);
    }
    const cpu = process.cpuUsage(cpu0);
    out[name] = { lat, cpuUs: (cpu.user + cpu.system) / WARM_RUNS };
  }
  await m.shutdown();
  clock.close();
  return out;
}

const prewarmed = await coldStarts(true);
const fresh = await coldStarts(false);
const confined = await coldStarts(false, true);
const mode = (await confinement()).mode;
const hot = await warm();
code.cleanup();

console.log(`invoke-runtime (${COLD_RUNS} cold starts, ${WARM_RUNS} warm invokes per runtime; node ${process.version})`);
for (const [name] of specs) {
  const p = prewarmed[name];
  const f = fresh[name];
  const w = hot[name];
  console.log(`${name.padEnd(7)} cold start p50 ${fmt(pct(p.total, 50))} (Init Duration p50 ${fmt(pct(p.init, 50))}) from a prewarmed spare`);
  console.log(`${name.padEnd(7)} cold start p50 ${fmt(pct(f.total, 50))} (Init Duration p50 ${fmt(pct(f.init, 50))}) spawning a fresh process (prewarm: false)`);
  const c = confined[name];
  console.log(`${name.padEnd(7)} cold start p50 ${fmt(pct(c.total, 50))} (Init Duration p50 ${fmt(pct(c.init, 50))}) confined (confine: true, mode ${mode}; never from a spare)`);
  console.log(`${name.padEnd(7)} warm invoke p50 ${fmt(pct(w.lat, 50))}  p99 ${fmt(pct(w.lat, 99))}  (manager process CPU ${w.cpuUs.toFixed(0)} µs per invoke)`);
}
