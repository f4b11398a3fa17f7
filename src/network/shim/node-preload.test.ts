// The Node preload (shim mode): function code run with NODE_OPTIONS=--require=<preload> against a
// fake decision service and local servers. Every test that runs function code needs the
// loopback-only network namespace (HYPERLOCAL_TEST_NETNS=1): there, anything that slipped past the
// shim would get the kernel's ENETUNREACH instead of leaving the machine.
import { test } from "node:test";
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import dgram from "node:dgram";
import {
  HANG,
  NODE_PRELOAD,
  checkFailsClosed,
  checkNoRealDns,
  functionTest,
  functionTestInVpc,
  line,
  makeCert,
  needsCert,
  runBareAndShimmed,
  runNode,
  shimEnv,
  startDecisionServer,
  startEcho,
  startHttps,
  tableHandler,
  withUdpVpc,
} from "./test-support.ts";
import type { ShimRuntime, Vpc } from "./test-support.ts";

/** Node for the shared scenarios: the probes below report errors as { code, message }. */
const NODE: ShimRuntime = { run: runNode, withoutShim: { NODE_OPTIONS: undefined }, refused: { field: "code", value: "ECONNREFUSED" }, errorText: "message" };

function fnTest(name: string, fn: (t: TestContext) => Promise<void>): void {
  functionTest(name, [], fn);
}

/** How long the VPC's dropped 10.0.1.25:22 waits before the connection times out. */
const DROP_AFTER_MS = 50;

/**
 * A test in the usual VPC (startVpc), with more names for /lookup if given. Node asks /connect
 * about a name as the code gave it (Python resolves it through /lookup first), so Node's VPC also
 * answers api.example.com:8080 and nope.example.com:80 by name.
 */
function vpcTest(name: string, fn: (v: Vpc, t: TestContext) => Promise<void>, names: Record<string, { address: string; family: number }[]> = {}): void {
  const connect = ({ http }: { http: { port: number } }) => ({
    "api.example.com:8080": { action: "connect", host: "127.0.0.1", port: http.port, address: "203.0.113.10" },
    "nope.example.com:80": { action: "notfound", reason: "no such name in this VPC" },
  });
  functionTestInVpc(name, [], { dropAfterMs: DROP_AFTER_MS, connect, names }, fn);
}

/** A name with an IPv4 and an IPv6 address. */
const DUAL_STACK = { "dual.example.com": [{ address: "203.0.113.11", family: 4 }, { address: "2001:db8::1", family: 6 }] };

vpcTest("net.connect to a mapped VPC address talks to the local endpoint; /connect carries the token; /close follows", async (v) => {
  const r = await runNode(
    `const net = require('net');
     const s = net.connect(5432, '10.0.1.25', () => {
       out({ t: 'connected', remoteAddress: s.remoteAddress, remotePort: s.remotePort, family: s.remoteFamily });
       s.write('ping');
     });
     s.on('data', (d) => { out({ t: 'echo', data: String(d) }); s.end(); });
     s.on('error', (e) => out({ t: 'error', code: e.code, message: e.message }));`,
    { env: v.env },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(line(r, "connected"), { t: "connected", remoteAddress: "10.0.1.25", remotePort: 5432, family: "IPv4" });
  assert.equal(line(r, "echo").data, "ping");
  assert.deepEqual(v.decision.connects(), [{ host: "10.0.1.25", port: 5432, protocol: "tcp" }]);
  assert.equal(v.decision.requests[0].token, "tok-test");
  await v.decision.waitFor(() => v.decision.closes().length === 1);
  assert.deepEqual(v.decision.closes(), ["c-1"]);
});

vpcTest("every connect call shape is decided: (port, host, cb), options, createConnection, normalized array, Socket#connect", async (v) => {
  const r = await runNode(
    `const net = require('net');
     const shapes = {
       portHost: (cb) => net.connect(5432, '10.0.1.25', cb),
       options: (cb) => net.connect({ port: 5432, host: '10.0.1.25' }, cb),
       createConnection: (cb) => net.createConnection({ port: '5432', host: '10.0.1.25' }, cb),
       normalizedArray: (cb) => { const s = new net.Socket(); return s.connect([{ port: 5432, host: '10.0.1.25' }, cb]); },
       socketConnect: (cb) => new net.Socket().connect(5432, '10.0.1.25', cb),
       socketOptions: (cb) => new net.Socket().connect({ port: 5432, host: '10.0.1.25' }, cb),
       name: (cb) => net.connect(5432, 'db.internal', cb),
     };
     let left = Object.keys(shapes).length;
     for (const [name, make] of Object.entries(shapes)) {
       const s = make(() => { s.write(name); });
       s.on('data', (d) => { out({ t: name, echo: String(d), remote: s.remoteAddress }); s.destroy(); });
       s.on('error', (e) => out({ t: name, error: e.code }));
     }`,
    { env: v.env },
  );
  assert.equal(r.code, 0, r.stderr);
  for (const name of ["portHost", "options", "createConnection", "normalizedArray", "socketConnect", "socketOptions", "name"]) {
    assert.deepEqual(line(r, name), { t: name, echo: name, remote: "10.0.1.25" }, name);
  }
  assert.equal(v.decision.connects().length, 7);
  assert.deepEqual(v.decision.connects().find((c) => c.host === "db.internal"), { host: "db.internal", port: 5432, protocol: "tcp" });
});

vpcTest("loopback, localhost and unix sockets are allowed without asking", async (v) => {
  const dir = mkdtempSync(join(tmpdir(), "hyperlocal-shim-"));
  const sockPath = join(dir, "s.sock");
  const unix = net.createServer((s) => s.end("unix"));
  await new Promise<void>((r) => unix.listen(sockPath, r));
  try {
    const r = await runNode(
      `const net = require('net');
       const read = (t, s) => { let b = ''; s.on('data', (d) => { b += d; if (t !== 'unix') s.end(); }); s.on('end', () => out({ t, b })); s.on('error', (e) => out({ t, error: e.code })); };
       const a = net.connect(${v.echo.port}, '127.0.0.1', () => a.write('v4')); read('v4', a);
       const b = net.connect(${v.echo.port}, 'localhost', () => b.write('localhost')); read('localhost', b);
       const c = net.connect({ port: ${v.echo.port} }, () => c.write('default')); read('default', c);
       read('unix', net.connect(${JSON.stringify(sockPath)}));`,
      { env: v.env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(line(r, "v4").b, "v4");
    assert.equal(line(r, "localhost").b, "localhost");
    assert.equal(line(r, "default").b, "default");
    assert.equal(line(r, "unix").b, "unix");
    assert.equal(v.decision.requests.length, 0);
  } finally {
    unix.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

vpcTest("drop: ETIMEDOUT after afterMs, with the reason; unreachable, refuse and notfound fail at once", async (v) => {
  const r = await runNode(
    `const net = require('net');
     const t0 = performance.now();
     const probe = (t, port, host) => {
       const s = net.connect(port, host);
       s.on('connect', () => out({ t, connected: true }));
       s.on('error', (e) => out({ t, code: e.code, errno: e.errno, syscall: e.syscall, address: e.address, port: e.port, message: e.message, ms: performance.now() - t0 }));
     };
     probe('drop', 22, '10.0.1.25');
     probe('unreachable', 443, '10.0.9.9');
     probe('refuse', 5432, '10.0.1.26');
     probe('notfound', 80, 'nope.example.com');`,
    { env: v.env },
  );
  assert.equal(r.code, 0, r.stderr);
  const drop = line(r, "drop");
  assert.equal(drop.code, "ETIMEDOUT");
  assert.equal(drop.errno, -110);
  assert.equal(drop.syscall, "connect");
  assert.equal(drop.address, "10.0.1.25");
  assert.equal(drop.port, 22);
  assert.equal(drop.message, "connect ETIMEDOUT 10.0.1.25:22 (hyperlocal: security group sg-0123 has no egress rule for tcp/22)");
  assert.ok(drop.ms >= DROP_AFTER_MS, `dropped after ${drop.ms} ms`);
  const unreachable = line(r, "unreachable");
  assert.equal(unreachable.code, "ENETUNREACH");
  assert.match(unreachable.message, /^connect ENETUNREACH 10\.0\.9\.9:443 \(hyperlocal: no route/);
  assert.ok(unreachable.ms < drop.ms);
  assert.equal(line(r, "refuse").code, "ECONNREFUSED");
  assert.match(line(r, "refuse").message, /network ACL acl-1 denies tcp\/5432/);
  assert.equal(line(r, "notfound").code, "ENOTFOUND");
  assert.match(line(r, "notfound").message, /^getaddrinfo ENOTFOUND nope\.example\.com/);
});

vpcTest("http.get and fetch to a mapped name reach the local server with the original Host header", async (v) => {
  const r = await runNode(
    `const http = require('http');
     http.get('http://api.example.com:8080/via-http', (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => out({ t: 'http', status: res.statusCode, body: JSON.parse(b) })); })
       .on('error', (e) => out({ t: 'http', error: e.message }));
     fetch('http://api.example.com:8080/via-fetch').then((res) => res.json()).then((body) => out({ t: 'fetch', body }), (e) => out({ t: 'fetch', error: String(e.cause || e) }));
     fetch('http://203.0.113.10:8080/by-ip').then((res) => res.json()).then((body) => out({ t: 'fetch-ip', body }), (e) => out({ t: 'fetch-ip', error: String(e.cause || e) }));
     http.get('http://10.0.1.25:22/', () => {}).on('error', (e) => out({ t: 'http-drop', code: e.code }));`,
    { env: v.env },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(line(r, "http").body, { host: "api.example.com:8080", url: "/via-http" });
  assert.deepEqual(line(r, "fetch").body, { host: "api.example.com:8080", url: "/via-fetch" });
  assert.deepEqual(line(r, "fetch-ip").body, { host: "203.0.113.10:8080", url: "/by-ip" });
  assert.equal(line(r, "http-drop").code, "ETIMEDOUT");
});

const cert = makeCert();
functionTest("TLS to a mapped name keeps SNI and the certificate check on the original name", [needsCert(cert)], async () => {
  const https = await startHttps(cert!);
  const decision = await startDecisionServer(tableHandler({ connect: { "api.example.com:443": { action: "connect", host: "127.0.0.1", port: https.port } } }));
  try {
    const r = await runNode(
      `const https = require('https'); const tls = require('tls'); const fs = require('fs');
       const ca = fs.readFileSync(${JSON.stringify(cert!.certPath)});
       https.get('https://api.example.com/secure', { ca }, (res) => { const authorized = res.socket.authorized; let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => out({ t: 'https', body: JSON.parse(b), authorized })); })
         .on('error', (e) => out({ t: 'https', error: e.message }));
       const s = tls.connect({ host: 'api.example.com', port: 443, ca }, () => { out({ t: 'tls', authorized: s.authorized, cn: s.getPeerCertificate().subject.CN }); s.end(); });
       s.on('error', (e) => out({ t: 'tls', error: e.message }));
       const bad = tls.connect({ host: 'api.example.com', port: 443, ca, servername: 'other.example.com' }, () => out({ t: 'tls-wrong-name', connected: true }));
       bad.on('error', (e) => out({ t: 'tls-wrong-name', code: e.code }));
       fetch('https://api.example.com/fetch').then((res) => out({ t: 'fetch-untrusted', status: res.status }), (e) => out({ t: 'fetch-untrusted', code: (e.cause && e.cause.code) || String(e) }));`,
      { env: shimEnv(decision) },
    );
    assert.equal(r.code, 0, r.stderr);
    const h = line(r, "https");
    assert.equal(h.authorized, true, JSON.stringify(h));
    assert.deepEqual(h.body, { host: "api.example.com", url: "/secure", servername: "api.example.com" });
    assert.deepEqual(line(r, "tls"), { t: "tls", authorized: true, cn: "api.example.com" });
    assert.equal(line(r, "tls-wrong-name").code, "ERR_TLS_CERT_ALTNAME_INVALID");
    // fetch without the CA: the self-signed certificate is rejected, as it would be on the real name
    assert.equal(line(r, "fetch-untrusted").code, "DEPTH_ZERO_SELF_SIGNED_CERT");
  } finally {
    await Promise.all([https.close(), decision.close()]);
  }
});

vpcTest("worker_threads are filtered, including workers with execArgv: [] and env: {}", async (v) => {
  const r = await runNode(
    `const { Worker } = require('worker_threads');
     const code = "const net = require('net'); const { parentPort, workerData } = require('worker_threads');" +
       "const s = net.connect(workerData.port, '10.0.1.25', () => s.write('w')); s.on('data', (d) => { parentPort.postMessage({ ok: String(d), remote: s.remoteAddress }); s.destroy(); });" +
       "s.on('error', (e) => parentPort.postMessage({ code: e.code }));";
     const run = (t, opts, port) => new Worker(code, { eval: true, workerData: { port }, ...opts }).on('message', (m) => out({ t, ...m })).on('error', (e) => out({ t, werr: e.message }));
     run('default', {}, 5432);
     run('emptyExecArgv', { execArgv: [] }, 5432);
     run('emptyEnv', { env: {} }, 5432);
     run('drop', {}, 22);`,
    { env: v.env },
  );
  assert.equal(r.code, 0, r.stderr);
  for (const t of ["default", "emptyExecArgv", "emptyEnv"]) assert.deepEqual(line(r, t), { t, ok: "w", remote: "10.0.1.25" }, t);
  assert.equal(line(r, "drop").code, "ETIMEDOUT");
});

vpcTest("a shim required late (a prewarmed spare) still reaches workers, even with V8 flags in execArgv", async (v) => {
  const r = await runNode(
    `require(${JSON.stringify(NODE_PRELOAD)});
     const { Worker } = require('worker_threads');
     const code = "const net = require('net'); const { parentPort } = require('worker_threads');" +
       "const s = net.connect(5432, '10.0.1.25', () => s.write('w')); s.on('data', (d) => { parentPort.postMessage({ ok: String(d) }); s.destroy(); });" +
       "s.on('error', (e) => parentPort.postMessage({ code: e.code, message: e.message }));";
     new Worker(code, { eval: true }).on('message', (m) => out({ t: 'late', ...m })).on('error', (e) => out({ t: 'late', werr: e.message }));
     new Worker(code, { eval: true, execArgv: [] }).on('message', (m) => out({ t: 'late-empty', ...m })).on('error', (e) => out({ t: 'late-empty', werr: e.message }));`,
    { env: { ...v.env, NODE_OPTIONS: undefined }, args: ["--max-old-space-size=128", "--stack-size=900"] },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(line(r, "late"), { t: "late", ok: "w" });
  assert.deepEqual(line(r, "late-empty"), { t: "late-empty", ok: "w" });
});

vpcTest("child node processes are filtered: inherited NODE_OPTIONS, and an env without it (spawn, fork, execFileSync, spawnSync)", async (v) => {
  const dir = mkdtempSync(join(tmpdir(), "hyperlocal-shim-"));
  const childJs = join(dir, "child.js");
  writeFileSync(
    childJs,
    `const net = require('net');
     const s = net.connect(5432, '10.0.1.25', () => s.write('c'));
     s.on('data', (d) => { console.log(JSON.stringify({ ok: String(d), remote: s.remoteAddress, opts: process.env.NODE_OPTIONS || '' })); s.destroy(); });
     s.on('error', (e) => console.log(JSON.stringify({ code: e.code })));
     const d = net.connect(22, '10.0.1.25'); d.on('error', (e) => console.log(JSON.stringify({ drop: e.code })));`,
  );
  try {
    const r = await runNode(
      `const cp = require('child_process');
       const file = ${JSON.stringify(childJs)};
       const bare = { PATH: process.env.PATH };
       const parse = (s) => String(s).trim().split('\\n').map((l) => JSON.parse(l));
       cp.execFile(process.execPath, [file], (e, so) => out({ t: 'inherited', lines: parse(so) }));
       cp.execFile(process.execPath, [file], { env: bare }, (e, so) => out({ t: 'bareEnv', lines: parse(so) }));
       const f = cp.fork(file, [], { env: bare, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] }); let fo = ''; f.stdout.on('data', (c) => (fo += c)); f.on('exit', () => out({ t: 'fork', lines: parse(fo) }));
       out({ t: 'execFileSync', lines: parse(cp.execFileSync(process.execPath, [file], { env: bare })) });
       out({ t: 'spawnSync', lines: parse(cp.spawnSync(process.execPath, [file], { env: { ...bare, NODE_OPTIONS: '--no-warnings' } }).stdout) });
       out({ t: 'execSync', lines: parse(cp.execSync(JSON.stringify(process.execPath) + ' ' + JSON.stringify(file), { env: bare })) });`,
      { env: v.env },
    );
    assert.equal(r.code, 0, r.stderr);
    for (const t of ["inherited", "bareEnv", "fork", "execFileSync", "spawnSync", "execSync"]) {
      const lines = line(r, t).lines;
      const ok = lines.find((l: any) => l.ok);
      assert.ok(ok, `${t}: ${JSON.stringify(lines)}`);
      assert.equal(ok.ok, "c");
      assert.equal(ok.remote, "10.0.1.25");
      assert.ok(ok.opts.includes(NODE_PRELOAD), ok.opts);
      assert.deepEqual(lines.find((l: any) => l.drop), { drop: "ETIMEDOUT" }, t);
    }
    assert.ok(line(r, "spawnSync").lines.find((l: any) => l.ok).opts.startsWith("--no-warnings "), "the child's own NODE_OPTIONS are kept");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

vpcTest("dns.lookup, dns.promises.lookup, promisify and ESM imports resolve through /lookup; unknown names are ENOTFOUND", async (v) => {
  const r = await runNode(
    `const dns = require('dns'); const util = require('util');
     dns.lookup('api.example.com', (e, a, f) => out({ t: 'cb', e: e && e.code, a, f }));
     dns.lookup('dual.example.com', { all: true }, (e, a) => out({ t: 'all', a }));
     dns.lookup('dual.example.com', 6, (e, a, f) => out({ t: 'v6', a, f }));
     dns.lookup('nope.example.com', (e) => out({ t: 'missing', code: e.code, syscall: e.syscall, hostname: e.hostname, message: e.message }));
     dns.lookup('localhost', (e, a) => out({ t: 'localhost', a }));
     dns.lookup('10.0.1.25', (e, a, f) => out({ t: 'literal', a, f }));
     dns.promises.lookup('api.example.com').then((r) => out({ t: 'promises', r }));
     require('dns/promises').lookup('dual.example.com', { all: true, family: 4 }).then((r) => out({ t: 'dns/promises', r }));
     util.promisify(dns.lookup)('api.example.com').then((r) => out({ t: 'promisify', r }));
     import('node:dns').then((m) => m.lookup('api.example.com', (e, a) => out({ t: 'esm', a })));`,
    { env: v.env },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(line(r, "cb"), { t: "cb", e: null, a: "203.0.113.10", f: 4 });
  assert.deepEqual(line(r, "all").a, [{ address: "203.0.113.11", family: 4 }, { address: "2001:db8::1", family: 6 }]);
  assert.deepEqual(line(r, "v6"), { t: "v6", a: "2001:db8::1", f: 6 });
  assert.deepEqual(line(r, "missing"), { t: "missing", code: "ENOTFOUND", syscall: "getaddrinfo", hostname: "nope.example.com", message: "getaddrinfo ENOTFOUND nope.example.com" });
  assert.equal(line(r, "localhost").a, "127.0.0.1");
  assert.deepEqual(line(r, "literal"), { t: "literal", a: "10.0.1.25", f: 4 });
  assert.deepEqual(line(r, "promises").r, { address: "203.0.113.10", family: 4 });
  assert.deepEqual(line(r, "dns/promises").r, [{ address: "203.0.113.11", family: 4 }]);
  assert.deepEqual(line(r, "promisify").r, { address: "203.0.113.10", family: 4 });
  assert.equal(line(r, "esm").a, "203.0.113.10");
  const asked = v.decision.lookups().map((l) => `${l.name}/${l.family}`).sort();
  assert.ok(!asked.some((a) => a.startsWith("localhost") || a.startsWith("10.0.1.25")), asked.join());
  assert.ok(asked.includes("dual.example.com/6") && asked.includes("nope.example.com/0"), asked.join());
}, DUAL_STACK);

vpcTest("c-ares resolvers: resolve4/resolve6/Resolver/promises answered from /lookup; other records refused, reverse not found", async (v) => {
  const r = await runNode(
    `const dns = require('dns');
     const cb = (t) => (e, v) => out({ t, code: e && e.code, message: e && e.message, v });
     dns.resolve4('dual.example.com', cb('resolve4'));
     dns.resolve4('dual.example.com', { ttl: true }, cb('resolve4ttl'));
     dns.resolve6('dual.example.com', cb('resolve6'));
     dns.resolve('dual.example.com', 'AAAA', cb('resolveAAAA'));
     dns.resolveMx('example.com', cb('mx'));
     dns.resolve4('nope.example.com', cb('missing'));
     dns.reverse('10.0.1.25', cb('reverse'));
     const r = new dns.Resolver(); r.setServers(['127.0.0.1']); r.resolve4('api.example.com', cb('resolver'));
     dns.promises.resolve4('api.example.com').then((v) => out({ t: 'presolve', v }));
     new dns.promises.Resolver().resolveTxt('example.com').catch((e) => out({ t: 'ptxt', code: e.code }));
     dns.lookupService('10.0.1.25', 22, cb('lookupService'));`,
    { env: v.env },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(line(r, "resolve4").v, ["203.0.113.11"]);
  assert.deepEqual(line(r, "resolve4ttl").v, [{ address: "203.0.113.11", ttl: 60 }]);
  assert.deepEqual(line(r, "resolve6").v, ["2001:db8::1"]);
  assert.deepEqual(line(r, "resolveAAAA").v, ["2001:db8::1"]);
  assert.equal(line(r, "mx").code, "EREFUSED");
  assert.match(line(r, "mx").message, /^queryMx EREFUSED example\.com/);
  assert.equal(line(r, "missing").code, "ENOTFOUND");
  assert.match(line(r, "missing").message, /^queryA ENOTFOUND nope\.example\.com/);
  assert.equal(line(r, "reverse").code, "ENOTFOUND");
  assert.deepEqual(line(r, "resolver").v, ["203.0.113.10"]);
  assert.deepEqual(line(r, "presolve").v, ["203.0.113.10"]);
  assert.equal(line(r, "ptxt").code, "EREFUSED");
  assert.equal(line(r, "lookupService").code, "ENOTFOUND");
}, DUAL_STACK);

vpcTest("no real DNS: names never reach the machine's resolver (a fake DNS server on :53 sees nothing)", (v, t) =>
  checkNoRealDns(t, NODE, {
    env: v.env,
    script: `const dns = require('dns'); const net = require('net');
      let n = 0; const done = () => { if (++n === 6) out({ t: 'done' }); };
      dns.lookup('api.example.com', done);
      dns.lookup('unmapped.example.org', done);
      dns.resolve4('unmapped.example.org', done);
      new dns.Resolver().resolveMx('unmapped.example.org', done);
      net.connect(80, 'unmapped-connect.example.org').on('error', done);
      fetch('http://unmapped-fetch.example.org/').catch(done);`,
    controlTimeoutMs: 30_000,
    checkControl: (bare) => assert.equal(bare.code, 0, bare.stderr),
    checkShimmed(shimmed) {
      assert.equal(shimmed.code, 0, shimmed.stderr);
      line(shimmed, "done");
    },
  }),
);

fnTest("fail closed: decision service down, garbage, HTTP errors, non-loopback targets, silence, no URL", () =>
  checkFailsClosed(NODE, {
    badAnswers: {
      "10.0.2.1": { raw: "this is not json" },
      "10.0.2.2": { action: "teleport" },
      "10.0.2.3": { action: "connect", host: "10.0.1.25", port: 5432, connectionId: "c-bad" },
      "10.0.2.4": { raw: '{"action":"connect"}', status: 500 },
      "10.0.2.5": HANG,
      "10.0.2.6": { action: "connect", host: "api.example.com", port: 80 },
      "10.0.2.7": { action: "drop" },
      "10.0.2.8": [1, 2],
    },
    lookupAnswer: { addresses: "nope" },
    probe: (hosts) => `const net = require('net');
      for (const host of ${JSON.stringify(hosts)}) {
        const s = net.connect(5432, host, () => { out({ t: host, connected: true }); s.destroy(); });
        s.on('error', (e) => out({ t: host, code: e.code, message: e.message }));
      }
      require('dns').lookup('api.example.com', (e) => out({ t: 'lookup', code: e && e.code, message: e && e.message }));`,
    async check(r, decision) {
      assert.match(line(r, "10.0.2.5").message, /no answer within 300 ms/);
      assert.match(line(r, "10.0.2.3").message, /not a loopback address/);
      assert.equal(line(r, "lookup").code, "EAI_AGAIN");
      await decision.waitFor(() => decision.closes().includes("c-bad")); // a refused mapping still releases its id
    },
    downText: /network decision unavailable \(connect ECONNREFUSED 127\.0\.0\.1:\d+\); refused \(fail closed\)/,
    badUrls: [undefined, "http://10.0.0.1:4566/_hyperlocal/network", "not a url"],
  }),
);

fnTest("fail-closed proof: in the namespace a VPC address is unreachable by the kernel, and the shim refuses before trying", async () => {
  const { bare, shimmed } = await runBareAndShimmed(
    NODE,
    `const net = require('net');
     const s = net.connect(5432, '10.0.1.25'); s.on('connect', () => out({ t: 'r', connected: true })); s.on('error', (e) => out({ t: 'r', code: e.code, message: e.message }));`,
  );
  assert.equal(line(bare, "r").code, "ENETUNREACH", "without the shim the kernel of this namespace has no route anywhere");
  assert.doesNotMatch(line(bare, "r").message, /hyperlocal/);
  assert.deepEqual(line(shimmed, "r"), { t: "r", code: "ECONNREFUSED", message: "connect ECONNREFUSED 10.0.1.25:5432 (hyperlocal: not in this VPC)" });
});

fnTest("the last line of defence: direct process.binding use cannot reach a VPC address", async () => {
  const decision = await startDecisionServer(() => ({ action: "refuse" }));
  try {
    const r = await runNode(
      `const { TCP, TCPConnectWrap, constants } = process.binding('tcp_wrap');
       const h = new TCP(constants.SOCKET); const req = new TCPConnectWrap();
       req.oncomplete = (status) => out({ t: 'tcp', status });
       out({ t: 'tcp-sync', rc: h.connect(req, '10.0.1.25', 5432) });
       const { UDP, SendWrap } = process.binding('udp_wrap');
       const u = new UDP(); u.bind('0.0.0.0', 0, 0);
       out({ t: 'udp-connect', rc: u.connect('10.0.1.25', 53) });
       const cares = process.binding('cares_wrap');
       out({ t: 'gai', rc: cares.getaddrinfo(new cares.GetAddrInfoReqWrap(), 'api.example.com', 0, 0, 0) });
       setTimeout(() => process.exit(0), 100);`,
      { env: shimEnv(decision) },
    );
    assert.equal(line(r, "tcp-sync").rc, -111);
    assert.equal(line(r, "udp-connect").rc, -111);
    assert.equal(line(r, "gai").rc, -3008);
    assert.match(r.stderr, /hyperlocal: refused a TCP connection to 10\.0\.1\.25:5432, which bypassed the network shim/);
  } finally {
    await decision.close();
  }
});

fnTest("UDP: dgram send is decided per destination (mapped, dropped, unreachable); connect + send too", () =>
  withUdpVpc(async ({ udp, decision, env }) => {
    const r = await runNode(
      `const dgram = require('dgram');
       const s = dgram.createSocket('udp4');
       s.send('mapped-1', 53, '10.0.1.2', (e, n) => out({ t: 'mapped', e: e && e.code, n }));
       s.send(Buffer.from('xxdropped'), 2, 7, 53, '10.0.1.3', (e, n) => out({ t: 'dropped', e: e && e.code, n }));
       s.send('unreach', 53, '10.0.1.4', (e) => out({ t: 'unreachable', e: e && e.code, message: e && e.message }));
       s.send('mapped-2', 53, '10.0.1.2', (e) => { out({ t: 'mapped2', e: e && e.code }); s.close(); });
       const c = dgram.createSocket('udp6');
       c.connect(53, '10.0.1.2', (e) => { out({ t: 'connected', e: e ? e.code : null }); c.send('via-connect', (e2) => { out({ t: 'sent', e: e2 ? e2.code : null }); c.close(); }); });
       c.send('queued-before-connect');
       const d = dgram.createSocket('udp4');
       d.connect(53, '10.0.1.3', (e) => { out({ t: 'connect-drop', e: e ? e.code : null }); d.send('lost', (e2, n) => { out({ t: 'sent-drop', e: e2 ? e2.code : null, n }); d.close(); }); });`,
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(line(r, "mapped"), { t: "mapped", e: null, n: 8 });
    assert.deepEqual(line(r, "dropped"), { t: "dropped", e: null, n: 7 });
    assert.equal(line(r, "unreachable").e, "ENETUNREACH");
    assert.match(line(r, "unreachable").message, /^send ENETUNREACH 10\.0\.1\.4:53 \(hyperlocal: no route\)/);
    assert.equal(line(r, "connected").e, null);
    assert.equal(line(r, "sent").e, null);
    assert.equal(line(r, "connect-drop").e, null);
    assert.equal(line(r, "sent-drop").e, null);
    await udp.received(4);
    assert.deepEqual(udp.messages.sort(), ["mapped-1", "mapped-2", "queued-before-connect", "via-connect"]);
    const asked = decision.connects();
    assert.ok(asked.every((c) => c.protocol === "udp"));
    assert.equal(asked.length, 6);
  }),
);

fnTest("HYPERLOCAL_NET_NOTICE is printed once, not again by child processes or workers", async () => {
  const decision = await startDecisionServer(() => ({ action: "refuse" }));
  const notice = "hyperlocal: network rules apply to connections made through Node's net/tls/http/fetch/dns; native drivers are not filtered";
  try {
    const r = await runNode(
      `const cp = require('child_process'); const { Worker } = require('worker_threads');
       out({ t: 'env', notice: process.env.HYPERLOCAL_NET_NOTICE ?? null });
       cp.execFileSync(process.execPath, ['-e', '0'], { stdio: 'inherit' });
       new Worker('0', { eval: true }).on('exit', () => out({ t: 'worker' }));`,
      { env: shimEnv(decision, { HYPERLOCAL_NET_NOTICE: notice }) },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.split(notice).length - 1, 1, r.stderr);
    assert.deepEqual(line(r, "env"), { t: "env", notice: null });
  } finally {
    await decision.close();
  }
});

fnTest("the decision client keeps its connection alive and survives the service closing idle sockets", async () => {
  const echo = await startEcho();
  const decision = await startDecisionServer(() => ({ action: "connect", host: "127.0.0.1", port: echo.port }), { keepAliveTimeoutMs: 100 });
  try {
    const r = await runNode(
      `const net = require('net');
       const once = () => new Promise((res, rej) => { const s = net.connect(5432, '10.0.1.25', () => { s.destroy(); res(); }); s.on('error', rej); });
       (async () => {
         for (let i = 0; i < 20; i++) await once();
         await new Promise((r) => setTimeout(r, 250)); // the service drops the idle connection
         for (let i = 0; i < 5; i++) await once();
         out({ t: 'ok' });
       })().catch((e) => out({ t: 'ok', error: e.message }));`,
      { env: shimEnv(decision) },
    );
    assert.deepEqual(line(r, "ok"), { t: "ok" });
    const connectSockets = new Set(decision.requests.filter((q) => q.path === "/connect").map((q) => q.socket));
    assert.ok(connectSockets.size <= 3, `decision requests used ${connectSockets.size} connections`);
  } finally {
    await Promise.all([echo.close(), decision.close()]);
  }
});

fnTest("chunked answers from the decision service are understood", async () => {
  const echo = await startEcho();
  const decision = await startDecisionServer((path) => (path === "/connect" ? { raw: JSON.stringify({ action: "connect", host: "127.0.0.1", port: echo.port }), chunked: true } : {}));
  try {
    const r = await runNode(
      `const s = require('net').connect(5432, '10.0.1.25', () => { out({ t: 'c', ok: true }); s.destroy(); }); s.on('error', (e) => out({ t: 'c', error: e.message }));`,
      { env: shimEnv(decision) },
    );
    assert.deepEqual(line(r, "c"), { t: "c", ok: true });
  } finally {
    await Promise.all([echo.close(), decision.close()]);
  }
});

// Internals the preload depends on, pinned for this Node major: a change here must fail loudly.
test(`node ${process.versions.node.split(".")[0]} internals the preload relies on are still there`, async () => {
  assert.equal(typeof (net as any)._normalizeArgs, "function");
  const normalized = (net as any)._normalizeArgs([5432, "10.0.1.25", () => {}]);
  assert.ok(Array.isArray(normalized));
  assert.equal(normalized[0].port, 5432);
  assert.equal(normalized[0].host, "10.0.1.25");
  assert.equal(typeof normalized[1], "function");
  const src = net.Socket.prototype.connect.toString();
  assert.match(src, /ArrayIsArray\(args\[0\]\)/, "Socket#connect still accepts a pre-normalized array");
  // net.connect hands a pre-normalized array to Socket#connect
  const seen: unknown[][] = [];
  const orig = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    seen.push(args);
    return this;
  } as any;
  try {
    net.connect(1, "127.0.0.1");
  } finally {
    net.Socket.prototype.connect = orig;
  }
  assert.ok(Array.isArray(seen[0][0]), "net.connect passes [options, cb]");
  assert.match(dgram.Socket.prototype.send.toString(), /function\(buffer,\s*offset,\s*length,\s*port,\s*address,\s*callback\)/);
  const tcp = (process as any).binding("tcp_wrap");
  assert.equal(typeof tcp.TCP.prototype.connect, "function");
  assert.equal(typeof tcp.TCP.prototype.connect6, "function");
  const udp = (process as any).binding("udp_wrap");
  for (const m of ["connect", "connect6", "send", "send6"]) assert.equal(typeof udp.UDP.prototype[m], "function", m);
  assert.equal(typeof (process as any).binding("cares_wrap").getaddrinfo, "function");
});
