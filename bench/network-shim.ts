// Shim mode's cost: `npm run bench -- network-shim`.
// Prints the connect latency through the Node preload to a mapped local endpoint (500 sequential
// connects, p50/p99) against a direct loopback connect, the same for Python's sitecustomize, and
// the start-time overhead of each. It runs function code, so it runs inside a loopback-only network
// namespace (it enters one itself with `unshare -rn` when it can).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { percentile } from "./_support.ts";
import { python, runNode, runPython, shimEnv, startDecisionServer, startEcho, tableHandler, NODE_PRELOAD, PYTHON_SHIM_DIR } from "../src/network/shim/test-support.ts";

const CONNECTS = 500;
const WARMUP = 50;
const STARTS = 20;

if (process.env.HYPERLOCAL_TEST_NETNS !== "1") {
  const here = dirname(fileURLToPath(import.meta.url));
  const r = spawnSync("unshare", ["-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", process.execPath, "--import", "tsx", join(here, "run.ts"), "network-shim"], {
    stdio: "inherit",
    env: { ...process.env, HYPERLOCAL_TEST_NETNS: "1" },
  });
  if (r.error || r.status === null) {
    console.error("network-shim: cannot enter a loopback-only network namespace (unshare -rn); this benchmark runs function code and needs one");
    process.exit(1);
  }
  process.exit(r.status);
}

const echo = await startEcho();
const decision = await startDecisionServer(
  tableHandler({
    connect: {
      "10.0.1.25:5432/tcp": { action: "connect", host: "127.0.0.1", port: echo.port },
      "db.internal:5432/tcp": { action: "connect", host: "127.0.0.1", port: echo.port, address: "10.0.1.25" },
    },
    names: { "db.internal": [{ address: "10.0.1.25", family: 4 }] },
  }),
);

interface Lat {
  p50: number;
  p99: number;
}

function summarize(samples: number[]): Lat {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99) };
}

/** Sequential connects from function code: each one waits for 'connect', then closes. */
async function nodeConnects(host: string, port: number, withShim: boolean): Promise<Lat> {
  const r = await runNode(
    `const net = require('net');
     const one = () => new Promise((res, rej) => { const t0 = process.hrtime.bigint(); const s = net.connect(${port}, ${JSON.stringify(host)}, () => { const dt = Number(process.hrtime.bigint() - t0) / 1e6; s.destroy(); res(dt); }); s.on('error', rej); });
     (async () => {
       for (let i = 0; i < ${WARMUP}; i++) await one();
       const lat = [];
       for (let i = 0; i < ${CONNECTS}; i++) lat.push(await one());
       out({ t: 'lat', lat });
     })().catch((e) => out({ t: 'lat', error: e.message }));`,
    { env: withShim ? shimEnv(decision) : { PATH: process.env.PATH, NODE_OPTIONS: undefined }, timeoutMs: 120_000 },
  );
  const l = r.out.find((o) => o.t === "lat");
  if (!l || l.error) throw new Error(`node connect run failed: ${l?.error ?? r.stderr}`);
  return summarize(l.lat);
}

async function pythonConnects(host: string, port: number, withShim: boolean): Promise<Lat> {
  const r = await runPython(
    `import socket, time
def one():
    t0 = time.perf_counter()
    s = socket.create_connection((${JSON.stringify(host)}, ${port}))
    dt = (time.perf_counter() - t0) * 1000
    s.close()
    return dt
for _ in range(${WARMUP}):
    one()
out({"t": "lat", "lat": [one() for _ in range(${CONNECTS})]})`,
    { env: withShim ? shimEnv(decision) : { PATH: process.env.PATH, PYTHONPATH: undefined }, timeoutMs: 120_000 },
  );
  const l = r.out.find((o) => o.t === "lat");
  if (!l) throw new Error(`python connect run failed: ${r.stderr}`);
  return summarize(l.lat);
}

/** Median wall time of starting the interpreter with this env, alternating runs to share noise. */
function startTimes(cmd: string, args: string[], envs: Record<string, Record<string, string | undefined>>): Record<string, number> {
  const times: Record<string, number[]> = {};
  for (const k of Object.keys(envs)) times[k] = [];
  for (let i = 0; i < STARTS + 2; i++) {
    for (const [k, extra] of Object.entries(envs)) {
      const env: Record<string, string> = {};
      for (const [n, v] of Object.entries({ PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: "1", ...extra })) if (v !== undefined) env[n] = v;
      const t0 = performance.now();
      const r = spawnSync(cmd, args, { env, stdio: "ignore" });
      const dt = performance.now() - t0;
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed to start`);
      if (i >= 2) times[k].push(dt); // the first two warm the page cache
    }
  }
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(times)) out[k] = percentile(v.sort((a, b) => a - b), 50);
  return out;
}

const fmt = (l: Lat): string => `p50 ${l.p50.toFixed(3)} ms   p99 ${l.p99.toFixed(3)} ms`;

try {
  console.log(`network-shim: ${CONNECTS} sequential connects after ${WARMUP} warm-up, inside a loopback-only namespace (node ${process.version})`);
  const direct = await nodeConnects("127.0.0.1", echo.port, false);
  const loopShim = await nodeConnects("127.0.0.1", echo.port, true);
  const mapped = await nodeConnects("10.0.1.25", 5432, true);
  const byName = await nodeConnects("db.internal", 5432, true);
  console.log(`node   direct loopback connect (no preload)          ${fmt(direct)}`);
  console.log(`node   loopback connect with the preload (no ask)    ${fmt(loopShim)}`);
  console.log(`node   10.0.1.25:5432 mapped through the preload     ${fmt(mapped)}   ratio p50 ${(mapped.p50 / direct.p50).toFixed(2)}x`);
  console.log(`node   db.internal:5432 mapped (name in /connect)    ${fmt(byName)}   ratio p50 ${(byName.p50 / direct.p50).toFixed(2)}x`);

  const py = python();
  if (py) {
    const pDirect = await pythonConnects("127.0.0.1", echo.port, false);
    const pMapped = await pythonConnects("10.0.1.25", 5432, true);
    const pName = await pythonConnects("db.internal", 5432, true);
    console.log(`python direct loopback create_connection             ${fmt(pDirect)}`);
    console.log(`python 10.0.1.25:5432 mapped through sitecustomize   ${fmt(pMapped)}   ratio p50 ${(pMapped.p50 / pDirect.p50).toFixed(2)}x`);
    console.log(`python db.internal:5432 (/lookup, then /connect)     ${fmt(pName)}   ratio p50 ${(pName.p50 / pDirect.p50).toFixed(2)}x`);
  }

  const url = decision.url;
  const nodeStart = startTimes(process.execPath, ["-e", "0"], {
    bare: {},
    shim: { NODE_OPTIONS: `--require=${NODE_PRELOAD}`, HYPERLOCAL_NET_URL: url },
  });
  console.log(`node   start (node -e 0), median of ${STARTS}:  ${nodeStart.bare.toFixed(1)} ms bare, ${nodeStart.shim.toFixed(1)} ms with the preload   (+${(nodeStart.shim - nodeStart.bare).toFixed(1)} ms)`);
  // The runtime's bootstrap and nearly every function load net and dns anyway.
  const nodeNet = startTimes(process.execPath, ["-e", "require('net'); require('dns')"], {
    bare: {},
    shim: { NODE_OPTIONS: `--require=${NODE_PRELOAD}`, HYPERLOCAL_NET_URL: url },
  });
  console.log(`node   start + require net, dns (the runtime loads them anyway):  ${nodeNet.bare.toFixed(1)} ms bare, ${nodeNet.shim.toFixed(1)} ms with the preload   (+${(nodeNet.shim - nodeNet.bare).toFixed(1)} ms)`);
  if (py) {
    // Compiling sitecustomize.py dominates when no bytecode cache may be written; with
    // PYTHONPYCACHEPREFIX (what the runtime should set) the cached .pyc loads in about a millisecond.
    const cache = mkdtempSync(join(tmpdir(), "hyperlocal-pyc-"));
    try {
      const shim = { PYTHONPATH: PYTHON_SHIM_DIR, HYPERLOCAL_NET_URL: url };
      const cached = { ...shim, PYTHONDONTWRITEBYTECODE: undefined, PYTHONPYCACHEPREFIX: cache };
      const pyStart = startTimes(py, ["-c", "pass"], { bare: {}, nocache: shim, cached });
      console.log(`python start (python -c pass), median of ${STARTS}:  ${pyStart.bare.toFixed(1)} ms bare, ${pyStart.cached.toFixed(1)} ms with sitecustomize (+${(pyStart.cached - pyStart.bare).toFixed(1)} ms), ${pyStart.nocache.toFixed(1)} ms when its bytecode cannot be cached (+${(pyStart.nocache - pyStart.bare).toFixed(1)} ms)`);
      const pySock = startTimes(py, ["-c", "import socket, asyncio"], { bare: {}, cached });
      console.log(`python start + import socket, asyncio:  ${pySock.bare.toFixed(1)} ms bare, ${pySock.cached.toFixed(1)} ms with sitecustomize   (+${(pySock.cached - pySock.bare).toFixed(1)} ms, the patches applied on import)`);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  } else {
    console.log("python: not installed, skipped");
  }
} finally {
  await Promise.all([echo.close(), decision.close()]);
}
