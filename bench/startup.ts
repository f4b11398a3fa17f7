// `npm run bench -- startup`: time from process start to the first answered request, for the built
// server (`node bin/hyperlocal.mjs start`, bundle up to date: what `npm start` runs), the sources run
// through tsx (how the server started before the build), and a bare node:http server, in one run.
// hyperlocal's first request is a signed STS GetCallerIdentity (signature check and IAM included);
// the bare server's a plain GET. Each is started ROUNDS times, interleaved; the median is printed.
import { spawn } from "node:child_process";
import { createServer, request } from "node:http";
import { join } from "node:path";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { build, ensureBuilt, ROOT } from "../scripts/build.mjs";
import { percentile } from "./_support.ts";

const ROUNDS = 7;

/** A port free right now, so a request can be signed for its host before the server starts. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Req {
  method: string;
  headers: Record<string, string>;
  body: string;
}

async function signedCallerIdentity(port: number): Promise<Req> {
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const headers = { host: `127.0.0.1:${port}`, "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
  const s = new SignatureV4({ credentials: { accessKeyId: "test", secretAccessKey: "test" }, region: "us-east-1", service: "sts", sha256: Hash.bind(null, "sha256"), uriEscapePath: true });
  const signed = await s.sign(new HttpRequest({ method: "POST", protocol: "http:", hostname: "127.0.0.1", port, path: "/", headers, body }));
  return { method: "POST", headers: { ...(signed.headers as Record<string, string>), "content-length": String(body.length) }, body };
}

function send(port: number, req: Req): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = request({ host: "127.0.0.1", port, method: req.method, path: "/", headers: req.headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    r.on("error", reject);
    r.end(req.body);
  });
}

/** Spawn argv, wait for `ready` on its stdout, send req: milliseconds from spawn to the answer. */
async function timeToFirstAnswer(argv: string[], env: NodeJS.ProcessEnv, port: number, ready: string, req: Req): Promise<number> {
  const t0 = process.hrtime.bigint();
  const proc = spawn(argv[0], argv.slice(1), { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stderr!.on("data", (d) => (out += d));
  try {
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.on("data", (d) => {
        out += d;
        if (out.includes(ready)) resolve();
      });
      proc.on("exit", (code) => reject(new Error(`${argv.join(" ")} exited with ${code}:\n${out}`)));
    });
    const status = await send(port, req);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (status !== 200) throw new Error(`${argv.join(" ")}: status ${status}`);
    return ms;
  } finally {
    proc.kill("SIGKILL");
  }
}

const BARE = `const s = require("node:http").createServer((req, res) => { req.resume(); req.on("end", () => res.end("ok")); });
s.listen(Number(process.argv[1]), "127.0.0.1", () => process.stdout.write("READY\\n"));`;

const cases = [
  { label: "bare node:http", argv: (port: number) => [process.execPath, "-e", BARE, String(port)], ready: "READY", signed: false },
  { label: "hyperlocal, built (bin/hyperlocal.mjs)", argv: (port: number) => [process.execPath, join(ROOT, "bin/hyperlocal.mjs"), "start", "--port", String(port)], ready: "HYPERLOCAL_READY", signed: true },
  { label: "hyperlocal, sources through tsx", argv: (port: number) => [process.execPath, "--import", "tsx", join(ROOT, "src/main.ts"), "start", "--port", String(port)], ready: "HYPERLOCAL_READY", signed: true },
];

const rebuilt = await build();
await ensureBuilt();
const env = { HYPERLOCAL_READY_LINE: "1", HYPERLOCAL_LOG_LEVEL: "warn" };
const times = new Map<string, number[]>(cases.map((c) => [c.label, []]));
// Round 0 warms the disk cache and is not counted.
for (let i = 0; i <= ROUNDS; i++) {
  for (const c of cases) {
    const port = await freePort();
    const req = c.signed ? await signedCallerIdentity(port) : { method: "GET", headers: {}, body: "" };
    const ms = await timeToFirstAnswer(c.argv(port), env, port, c.ready, req);
    if (i > 0) times.get(c.label)!.push(ms);
  }
}
console.log(`bench/startup: process start to first answered request, median of ${ROUNDS} (min - max)`);
const bare = percentile([...times.get("bare node:http")!].sort((a, b) => a - b), 50);
for (const c of cases) {
  const t = [...times.get(c.label)!].sort((a, b) => a - b);
  const p50 = percentile(t, 50);
  console.log(`${c.label.padEnd(42)} ${p50.toFixed(0).padStart(5)} ms  (${t[0].toFixed(0)} - ${t[t.length - 1].toFixed(0)})   ${(p50 / bare).toFixed(2)}x bare`);
}
console.log(`a rebuild (a source newer than dist/main.js): ${rebuilt.ms} ms, paid once by the next start`);
