// Helpers for the shim's tests and benchmark: a fake decision service (the server side hyperlocal
// runs), local stand-ins for VPC resources and the internet, and runners for function code (node
// with the preload, python with sitecustomize). Function code only runs inside a loopback-only
// network namespace (DESIGN.md, network safety). Last, the scaffolding the two shim test files
// share: the skip guard, the usual VPC, and the scenarios both runtimes must pass.
import { test } from "node:test";
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createNetServer } from "node:net";
import type { AddressInfo, Server as NetServer, Socket } from "node:net";
import { createServer as createHttpsServer } from "node:https";
import { createSocket } from "node:dgram";
import type { Socket as UdpSocket } from "node:dgram";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EventEmitter, once } from "node:events";

const here = dirname(fileURLToPath(import.meta.url));
export const NODE_PRELOAD = join(here, "node-preload.child.cjs");
export const PYTHON_SHIM_DIR = here; // sitecustomize.py lives here; PYTHONPATH=<this dir>

export const CAN_RUN_FUNCTIONS = process.env.HYPERLOCAL_TEST_NETNS === "1";
export const SKIP_REASON = "runs function code: needs HYPERLOCAL_TEST_NETNS=1 inside a loopback-only network namespace (npm test does this)";

// ---------- the fake decision service ----------

export interface DecisionRequest {
  path: string; // "/connect", "/close", "/lookup"
  body: any;
  token: string | undefined;
  socket: number; // which TCP connection carried it (keep-alive checks)
}

/** What a handler may answer: a JSON value, or raw text/status, or HANG (never answer). */
export const HANG = Symbol("hang");
export type Answer = unknown | { raw: string; status?: number; chunked?: boolean } | typeof HANG;
export type Handler = (path: string, body: any) => Answer;

export interface DecisionServer {
  url: string;
  port: number;
  requests: DecisionRequest[];
  connects(): any[];
  closes(): string[];
  lookups(): any[];
  /** Resolves once pred() holds, re-checked on every request (fails after timeoutMs). */
  waitFor(pred: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
  server: Server;
}

export async function startDecisionServer(handler: Handler, opts: { keepAliveTimeoutMs?: number } = {}): Promise<DecisionServer> {
  const requests: DecisionRequest[] = [];
  const events = new EventEmitter();
  let sockets = 0;
  const socketIds = new WeakMap<object, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      const base = "/_hyperlocal/network";
      const path = req.url?.startsWith(base) ? req.url.slice(base.length) : req.url ?? "";
      const token = req.headers["x-hyperlocal-net-token"] as string | undefined;
      requests.push({ path, body, token, socket: socketIds.get(req.socket) ?? -1 });
      events.emit("request");
      const answer = handler(path, body);
      if (answer === HANG) return;
      if (answer && typeof answer === "object" && "raw" in (answer as any)) {
        const a = answer as { raw: string; status?: number; chunked?: boolean };
        res.statusCode = a.status ?? 200;
        if (a.chunked) {
          res.write(a.raw.slice(0, 3));
          res.end(a.raw.slice(3));
        } else {
          res.end(a.raw);
        }
        return;
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(answer ?? {}));
    });
  });
  server.on("connection", (s: Socket) => socketIds.set(s, ++sockets));
  if (opts.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = opts.keepAliveTimeoutMs;
  await listen(server);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/_hyperlocal/network`,
    port,
    requests,
    server,
    connects: () => requests.filter((r) => r.path === "/connect").map((r) => r.body),
    closes: () => requests.filter((r) => r.path === "/close").map((r) => r.body.connectionId),
    lookups: () => requests.filter((r) => r.path === "/lookup").map((r) => r.body),
    waitFor(pred, timeoutMs = 5000) {
      if (pred()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          events.off("request", check);
          reject(new Error(`condition not met within ${timeoutMs} ms; requests: ${JSON.stringify(requests.map((r) => [r.path, r.body]))}`));
        }, timeoutMs);
        function check(): void {
          if (!pred()) return;
          clearTimeout(timer);
          events.off("request", check);
          resolve();
        }
        events.on("request", check);
      });
    },
    close: () => closeServer(server),
  };
}

// ---------- local stand-ins for VPC resources and the internet ----------

export interface Local<T = NetServer> {
  port: number;
  server: T;
  close(): Promise<void>;
}

/** A TCP echo server on 127.0.0.1 (the "database"). */
export async function startEcho(): Promise<Local> {
  const server = createNetServer((s) => {
    s.on("error", () => {});
    s.pipe(s);
  });
  await listen(server);
  return { port: (server.address() as AddressInfo).port, server, close: () => closeServer(server) };
}

export interface SeenRequest {
  host: string | undefined;
  url: string | undefined;
  servername?: string | false;
}

/** An HTTP server on 127.0.0.1 answering with what it saw (the Host header in particular). */
export async function startHttp(): Promise<Local<Server> & { seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const s = { host: req.headers.host, url: req.url };
    seen.push(s);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(s));
  });
  await listen(server);
  return { port: (server.address() as AddressInfo).port, server, seen, close: () => closeServer(server) };
}

/** An HTTPS server on 127.0.0.1 with the given certificate; reports Host and SNI. */
export async function startHttps(cert: TestCert): Promise<Local<Server> & { seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  const server = createHttpsServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    const s = { host: req.headers.host, url: req.url, servername: (req.socket as any).servername };
    seen.push(s);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(s));
  });
  await listen(server);
  return { port: (server.address() as AddressInfo).port, server: server as unknown as Server, seen, close: () => closeServer(server as unknown as Server) };
}

/** A UDP server on 127.0.0.1 recording every datagram. */
export async function startUdp(): Promise<{ port: number; messages: string[]; server: UdpSocket; received(n: number): Promise<void>; close(): Promise<void> }> {
  const messages: string[] = [];
  const server = createSocket("udp4");
  const ev = new EventEmitter();
  server.on("message", (m) => {
    messages.push(m.toString());
    ev.emit("m", m.toString());
  });
  server.bind(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: server.address().port,
    messages,
    server,
    /** Resolves once n datagrams have arrived (fails after 5 s). */
    received: (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${messages.length} of ${n} datagrams arrived: ${messages.join()}`)), 5000);
        const check = (): void => {
          if (messages.length < n) return;
          clearTimeout(timer);
          ev.off("m", check);
          resolve();
        };
        ev.on("m", check);
        check();
      }),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export interface TestCert {
  key: string;
  cert: string;
  certPath: string;
  dir: string;
}

/** A self-signed certificate for api.example.com, made with the openssl CLI (undefined without it). */
export function makeCert(): TestCert | undefined {
  const dir = mkdtempSync(join(tmpdir(), "hyperlocal-shim-cert-"));
  const r = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "2", "-subj", "/CN=api.example.com", "-addext", "subjectAltName=DNS:api.example.com"],
    { encoding: "utf8" },
  );
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8"), certPath: join(dir, "cert.pem"), dir };
}

// ---------- running function code ----------

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Each stdout line that is JSON, parsed. */
  out: any[];
  ms: number;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Extra arguments before -e/-c (e.g. "-X", "importtime"). */
  args?: string[];
  timeoutMs?: number;
  /** Wrap the command (e.g. ["unshare", "-m", "sh", "-c", "...", "sh"]). */
  wrap?: string[];
}

export function shimEnv(decision: { url: string } | undefined, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    HYPERLOCAL_NET_URL: decision?.url,
    HYPERLOCAL_NET_TOKEN: "tok-test",
    ...extra,
  };
}

/** Node function code with the preload in NODE_OPTIONS, as the runtime starts it. `out(x)` prints a JSON line. */
export function runNode(script: string, opts: RunOptions = {}): Promise<RunResult> {
  const env = { NODE_OPTIONS: `--require=${NODE_PRELOAD}`, ...opts.env };
  const prelude = "const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');\n";
  return run(process.execPath, [...(opts.args ?? []), "-e", prelude + script], env, opts);
}

let pythonPath: string | undefined | null = null;
/** The real python3 binary (not a pyenv shim), or undefined. */
export function python(): string | undefined {
  if (pythonPath === null) {
    const r = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
    pythonPath = r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
  }
  return pythonPath;
}

/** Python function code with sitecustomize on PYTHONPATH. `out(x)` prints a JSON line. */
export function runPython(script: string, opts: RunOptions = {}): Promise<RunResult> {
  const env = { PYTHONPATH: PYTHON_SHIM_DIR, PYTHONDONTWRITEBYTECODE: "1", ...opts.env };
  const prelude = "import json as _json, sys as _sys\ndef out(o):\n    _sys.stdout.write(_json.dumps(o) + '\\n'); _sys.stdout.flush()\n";
  return run(python() ?? "python3", [...(opts.args ?? []), "-c", prelude + script], env, opts);
}

function run(command: string, args: string[], env: Record<string, string | undefined>, opts: RunOptions): Promise<RunResult> {
  // Network safety: function code here dials VPC addresses such as 10.0.1.25 (through the shim,
  // and without it in the fail-closed proofs). It only ever runs inside the loopback-only namespace.
  if (!CAN_RUN_FUNCTIONS) return Promise.reject(new Error(`refusing to run function code: ${SKIP_REASON}`));
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) clean[k] = v;
  const argv = opts.wrap ? [...opts.wrap, command, ...args] : [command, ...args];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env: clean, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const out: any[] = [];
      for (const line of stdout.split("\n")) {
        if (!line.trim()) continue;
        try {
          out.push(JSON.parse(line));
        } catch {}
      }
      resolve({ code, stdout, stderr, out, ms: performance.now() - t0 });
    });
  });
}

/** The output line whose `t` field is `tag`. */
export function line(r: RunResult, tag: string): any {
  const found = r.out.find((o) => o && o.t === tag);
  if (!found) throw new Error(`no output "${tag}"; stdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return found;
}

function listen(server: { listen(port: number, host: string, cb: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
}

function closeServer(server: Server | NetServer): Promise<void> {
  return new Promise((resolve) => {
    (server as Server).closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** A table-driven handler: VPC map for /connect, names for /lookup, everything else unreachable. */
export function tableHandler(table: {
  connect?: Record<string, unknown>; // "host:port/proto" or "host:port" → decision
  names?: Record<string, { address: string; family: number }[]>;
  otherwise?: unknown;
}): Handler {
  let n = 0;
  return (path, body) => {
    if (path === "/connect") {
      const key1 = `${body.host}:${body.port}/${body.protocol}`;
      const key2 = `${body.host}:${body.port}`;
      const d = table.connect?.[key1] ?? table.connect?.[key2];
      if (d && typeof d === "object" && (d as any).action === "connect") return { connectionId: `c-${++n}`, ...(d as object) };
      return d ?? table.otherwise ?? { action: "unreachable", reason: "no route to the destination in this VPC" };
    }
    if (path === "/lookup") {
      const a = table.names?.[String(body.name).toLowerCase()];
      return a ? { addresses: a } : { error: "ENOTFOUND" };
    }
    return {};
  };
}

/**
 * Runs fn with a command prefix that starts a process in a private mount namespace whose
 * /etc/resolv.conf names a fake DNS server on 127.53.x.y:53 (inside the test's network namespace,
 * where the user-namespace root may bind port 53). The server answers NXDOMAIN and records every
 * name it is asked, so a test can prove that no name reached the machine's resolver. Returns false
 * (fn not called) where no private mount namespace can be made.
 */
export async function withFakeResolver(fn: (wrap: string[], queries: string[]) => Promise<void>): Promise<boolean> {
  // a loopback address of its own, so that test files running side by side do not collide on :53
  const address = `127.53.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const dir = mkdtempSync(join(tmpdir(), "hyperlocal-shim-dns-"));
  const server = createSocket("udp4");
  const queries: string[] = [];
  server.on("message", (m, rinfo) => {
    const labels: string[] = [];
    let i = 12; // the question's name: length-prefixed labels after the 12-byte header
    for (; i < m.length && m[i] !== 0; i += m[i] + 1) labels.push(m.subarray(i + 1, i + 1 + m[i]).toString());
    queries.push(labels.join("."));
    if (i + 5 > m.length) return;
    const reply = Buffer.from(m.subarray(0, i + 5)); // header + question
    reply.writeUInt16BE(0x8183, 2); // a response, NXDOMAIN
    reply.writeUInt16BE(0, 6);
    reply.writeUInt16BE(0, 8);
    reply.writeUInt16BE(0, 10);
    server.send(reply, rinfo.port, rinfo.address);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.bind(53, address, () => resolve());
    });
    writeFileSync(join(dir, "resolv.conf"), `nameserver ${address}\noptions timeout:1 attempts:1\n`);
    const wrap = ["unshare", "-m", "sh", "-c", `mount --bind ${join(dir, "resolv.conf")} /etc/resolv.conf && exec "$@"`, "sh"];
    const probe = spawnSync(wrap[0], [...wrap.slice(1), "cat", "/etc/resolv.conf"], { encoding: "utf8" });
    if (probe.status !== 0 || !probe.stdout.includes(address)) return false; // no private mount namespace here
    await fn(wrap, queries);
    return true;
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------- scaffolding shared by node-preload.test.ts and python-sitecustomize.test.ts ----------

/** A test's requirement: whether it is met, and the skip reason when it is not. */
export type Requirement = readonly [met: unknown, unmet: string];

/** Function code may run: we are inside the loopback-only network namespace. */
export const IN_NAMESPACE: Requirement = [CAN_RUN_FUNCTIONS, SKIP_REASON];

/** A test certificate could be made (makeCert). */
export function needsCert(cert: TestCert | undefined): Requirement {
  return [cert, "the openssl CLI is not available to make a test certificate"];
}

/** node:test's `skip` option: the reason of the first requirement not met, or false. */
export function skipUnless(...requirements: Requirement[]): string | false {
  for (const [met, unmet] of requirements) if (!met) return unmet;
  return false;
}

/**
 * A test that runs function code: always skipped outside the loopback-only network namespace
 * (IN_NAMESPACE comes first, whatever else is required), then unless every requirement is met.
 */
export function functionTest(name: string, requirements: readonly Requirement[], fn: (t: TestContext) => Promise<void>): void {
  test(name, { skip: skipUnless(IN_NAMESPACE, ...requirements), timeout: 60_000 }, fn);
}

/** Throws unless in the loopback-only namespace: for helpers that run function code without the shim. */
function assertInNamespace(): void {
  if (!CAN_RUN_FUNCTIONS) throw new Error(`refusing to run function code without the shim: ${SKIP_REASON}`);
}

/** The usual VPC, served by local stand-ins; see startVpc. */
export interface Vpc {
  /** The "database": 10.0.1.25:5432 (and db.internal:5432) lead here. */
  echo: Local;
  /** The web server: 203.0.113.10:8080 (api.example.com) leads here. */
  http: Local<Server> & { seen: SeenRequest[] };
  decision: DecisionServer;
  /** The environment for function code: the shim, pointed at this VPC's decision service. */
  env: Record<string, string | undefined>;
  close(): Promise<void>;
}

export interface VpcOptions {
  /** How long a connection to the dropped 10.0.1.25:22 waits before it times out. */
  dropAfterMs: number;
  /** More /connect answers (keys as tableHandler takes them), possibly leading to the VPC's servers. */
  connect?: Record<string, unknown> | ((servers: { echo: Local; http: Local<Server> }) => Record<string, unknown>);
  /** More names for /lookup. */
  names?: Record<string, { address: string; family: number }[]>;
}

/**
 * The usual VPC: 10.0.1.25:5432/tcp and db.internal:5432/tcp map to a local echo server,
 * 203.0.113.10:8080 to a local HTTP server, 10.0.1.25:22 is dropped, 10.0.1.26:5432 refused by a
 * network ACL, everything else is unreachable; /lookup knows api.example.com and db.internal.
 */
export async function startVpc(opts: VpcOptions): Promise<Vpc> {
  const echo = await startEcho();
  const http = await startHttp();
  const extra = typeof opts.connect === "function" ? opts.connect({ echo, http }) : opts.connect;
  const decision = await startDecisionServer(
    tableHandler({
      connect: {
        "10.0.1.25:5432/tcp": { action: "connect", host: "127.0.0.1", port: echo.port },
        "db.internal:5432/tcp": { action: "connect", host: "127.0.0.1", port: echo.port, address: "10.0.1.25" },
        "10.0.1.25:22": { action: "drop", afterMs: opts.dropAfterMs, reason: "security group sg-0123 has no egress rule for tcp/22" },
        "203.0.113.10:8080": { action: "connect", host: "127.0.0.1", port: http.port },
        "10.0.1.26:5432": { action: "refuse", reason: "network ACL acl-1 denies tcp/5432" },
        ...extra,
      },
      names: { "api.example.com": [{ address: "203.0.113.10", family: 4 }], "db.internal": [{ address: "10.0.1.25", family: 4 }], ...opts.names },
    }),
  );
  return {
    echo,
    http,
    decision,
    env: shimEnv(decision),
    async close() {
      await Promise.all([echo.close(), http.close(), decision.close()]);
    },
  };
}

/** A functionTest given a fresh VPC (startVpc(vpc)), closed when the test ends however it ends. */
export function functionTestInVpc(name: string, requirements: readonly Requirement[], vpc: VpcOptions, fn: (v: Vpc, t: TestContext) => Promise<void>): void {
  functionTest(name, requirements, async (t) => {
    const v = await startVpc(vpc);
    try {
      await fn(v, t);
    } finally {
      await v.close();
    }
  });
}

/** A VPC for datagrams, served by a local UDP server; see withUdpVpc. */
export interface UdpVpc {
  /** Where datagrams to 10.0.1.2:53 arrive. */
  udp: Awaited<ReturnType<typeof startUdp>>;
  decision: DecisionServer;
  /** The environment for function code: the shim, pointed at this VPC's decision service. */
  env: Record<string, string | undefined>;
}

/**
 * Runs fn with a VPC for UDP: 10.0.1.2:53/udp maps to a local UDP server, 10.0.1.3:53/udp is
 * dropped (after 3 s), 10.0.1.4:53/udp unreachable ("no route"). Closed afterwards.
 */
export async function withUdpVpc(fn: (u: UdpVpc) => Promise<void>): Promise<void> {
  const udp = await startUdp();
  const decision = await startDecisionServer(
    tableHandler({
      connect: {
        "10.0.1.2:53/udp": { action: "connect", host: "127.0.0.1", port: udp.port },
        "10.0.1.3:53/udp": { action: "drop", afterMs: 3000, reason: "sg-1 has no egress rule for udp/53" },
        "10.0.1.4:53/udp": { action: "unreachable", reason: "no route" },
      },
    }),
  );
  try {
    await fn({ udp, decision, env: shimEnv(decision) });
  } finally {
    await Promise.all([udp.close(), decision.close()]);
  }
}

/**
 * What the shared scenarios below need to know of a runtime. Each test file describes its own:
 * how function code runs, how it runs without the shim, and how its probes (the child code the
 * file writes) report a failed connection on their output line.
 */
export interface ShimRuntime {
  /** Runs function code with the shim, as the runtime starts it (runNode, runPython). */
  run(script: string, opts?: RunOptions): Promise<RunResult>;
  /** Environment entries that start the runtime without its shim. */
  withoutShim: Record<string, undefined>;
  /** The output field naming the error, and its value for a refused connection. */
  refused: { field: string; value: string };
  /** The output field carrying the error's text. */
  errorText: string;
}

/**
 * Runs `script` (function code connecting to a VPC address) twice: without the shim, where the
 * kernel of the loopback-only namespace answers, and with it, against a decision service that
 * refuses everything with the reason "not in this VPC".
 */
export async function runBareAndShimmed(runtime: ShimRuntime, script: string): Promise<{ bare: RunResult; shimmed: RunResult }> {
  assertInNamespace();
  const decision = await startDecisionServer(() => ({ action: "refuse", reason: "not in this VPC" }));
  try {
    const bare = await runtime.run(script, { env: { PATH: process.env.PATH, ...runtime.withoutShim } });
    const shimmed = await runtime.run(script, { env: shimEnv(decision) });
    return { bare, shimmed };
  } finally {
    await decision.close();
  }
}

/** The host that fail-closed probes reach: the one good answer among the bad ones. */
export const FAIL_CLOSED_CONTROL = "10.0.2.9";

export interface FailClosedCase {
  /** /connect answers, by host, that the shim must refuse to act on (HANG: no answer at all). */
  badAnswers: Record<string, unknown>;
  /** The answer to every /lookup (a bad one). */
  lookupAnswer: unknown;
  /**
   * Function code that tries each of `hosts` on port 5432, printing one line tagged by the host
   * ({ connected: true } or its error), then looks a name up, printing a line tagged "lookup".
   */
  probe(hosts: string[]): string;
  /** The runtime's own checks of the run against the bad answers (the service still up). */
  check(r: RunResult, decision: DecisionServer): void | Promise<void>;
  /** The error text for a connection attempted while the decision service is down. */
  downText: RegExp;
  /** HYPERLOCAL_NET_URL values the shim must not use (undefined: unset). */
  badUrls: (string | undefined)[];
}

/**
 * The fail-closed scenario both shims pass. The probe runs
 * 1. with a 300 ms decision timeout against a service answering each host with its bad answer,
 *    plus FAIL_CLOSED_CONTROL mapped to a live echo server: the control connects, every other
 *    host is refused "(fail closed)";
 * 2. once that service is down: the first host is refused, with c.downText;
 * 3. with each of c.badUrls: even the control is refused, naming HYPERLOCAL_NET_URL.
 */
export async function checkFailsClosed(runtime: ShimRuntime, c: FailClosedCase): Promise<void> {
  const { refused, errorText } = runtime;
  const echo = await startEcho();
  const answers: Record<string, unknown> = { ...c.badAnswers, [FAIL_CLOSED_CONTROL]: { action: "connect", host: "127.0.0.1", port: echo.port } };
  const hosts = Object.keys(answers);
  const decision = await startDecisionServer((path, body) => (path === "/connect" ? answers[body.host] : path === "/lookup" ? c.lookupAnswer : {}));
  const probe = c.probe(hosts);
  try {
    const r = await runtime.run(probe, { env: shimEnv(decision, { HYPERLOCAL_NET_TIMEOUT_MS: "300" }) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(line(r, FAIL_CLOSED_CONTROL).connected, true);
    for (const host of hosts.filter((h) => h !== FAIL_CLOSED_CONTROL)) {
      const l = line(r, host);
      assert.equal(l[refused.field], refused.value, `${host}: ${JSON.stringify(l)}`);
      assert.match(l[errorText], /refused \(fail closed\)/, host);
    }
    await c.check(r, decision);

    // the decision service is down
    const port = decision.port;
    await decision.close();
    const down = await runtime.run(probe, { env: shimEnv({ url: `http://127.0.0.1:${port}/_hyperlocal/network` }) });
    assert.equal(down.code, 0, down.stderr);
    assert.equal(line(down, hosts[0])[refused.field], refused.value);
    assert.match(line(down, hosts[0])[errorText], c.downText);
    // no URL, or one the shim must not use
    for (const url of c.badUrls) {
      const r2 = await runtime.run(probe, { env: shimEnv(url ? { url } : undefined) });
      assert.equal(line(r2, FAIL_CLOSED_CONTROL)[refused.field], refused.value, String(url));
      assert.match(line(r2, FAIL_CLOSED_CONTROL)[errorText], /HYPERLOCAL_NET_URL/);
    }
  } finally {
    await Promise.all([echo.close(), decision.close()]);
  }
}

export interface NoRealDnsCase {
  /** The shimmed environment (a VPC's env). */
  env: Record<string, string | undefined>;
  /** Function code that resolves (or connects to) unmapped.example.org in several ways. */
  script: string;
  /** The control run's time limit (RunOptions.timeoutMs). */
  controlTimeoutMs?: number;
  /** The runtime's checks of the control run (no shim) and of the shimmed run. */
  checkControl(bare: RunResult): void;
  checkShimmed(shimmed: RunResult): void;
}

/**
 * Proves that no name reaches the machine's resolver (withFakeResolver). Control: without the shim
 * the script does ask the fake resolver for unmapped.example.org. Then with the shim the resolver
 * hears nothing. Skips t where no private mount namespace can be made.
 */
export async function checkNoRealDns(t: TestContext, runtime: ShimRuntime, c: NoRealDnsCase): Promise<void> {
  assertInNamespace();
  const ran = await withFakeResolver(async (wrap, queries) => {
    const bare = await runtime.run(c.script, { env: { ...c.env, ...runtime.withoutShim }, wrap, timeoutMs: c.controlTimeoutMs });
    c.checkControl(bare);
    assert.ok(queries.includes("unmapped.example.org"), `control run made no DNS query: ${queries.join()}`);
    const before = queries.length;
    const shimmed = await runtime.run(c.script, { env: c.env, wrap });
    c.checkShimmed(shimmed);
    assert.deepEqual(queries.slice(before), [], "queries that reached the machine's resolver");
  });
  if (!ran) t.skip("cannot make a private mount namespace here to point /etc/resolv.conf at a fake DNS server");
}
