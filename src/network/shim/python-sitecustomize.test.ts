// The Python shim (sitecustomize.py on PYTHONPATH): function code run against a fake decision
// service and local servers, inside the loopback-only network namespace (HYPERLOCAL_TEST_NETNS=1).
import { test } from "node:test";
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  HANG,
  PYTHON_SHIM_DIR,
  checkFailsClosed,
  checkNoRealDns,
  functionTest,
  functionTestInVpc,
  line,
  makeCert,
  needsCert,
  python,
  runBareAndShimmed,
  runPython,
  shimEnv,
  skipUnless,
  startDecisionServer,
  startHttps,
  tableHandler,
  withUdpVpc,
} from "./test-support.ts";
import type { Requirement, ShimRuntime, Vpc } from "./test-support.ts";

const PY = python();
const HAS_PYTHON: Requirement = [PY, "python3 is not installed"];

/** Python for the shared scenarios: the probes below report errors as { type, str }. */
const PYTHON: ShimRuntime = { run: runPython, withoutShim: { PYTHONPATH: undefined }, refused: { field: "type", value: "ConnectionRefusedError" }, errorText: "str" };

function pyTest(name: string, fn: (t: TestContext) => Promise<void>): void {
  functionTest(name, [HAS_PYTHON], fn);
}

/**
 * How long the VPC's dropped 10.0.1.25:22 waits before the connection times out: long enough for
 * the asyncio test to see its event loop tick meanwhile.
 */
const DROP_AFTER_MS = 150;

/** A test in the usual VPC (startVpc), with more /connect answers if given. */
function vpcTest(name: string, fn: (v: Vpc, t: TestContext) => Promise<void>, connect: Record<string, unknown> = {}): void {
  functionTestInVpc(name, [HAS_PYTHON], { dropAfterMs: DROP_AFTER_MS, connect }, fn);
}

vpcTest("socket.connect to a mapped VPC address talks to the local endpoint; /close follows close()", async (v) => {
  const r = await runPython(
    `import socket
s = socket.socket()
s.connect(("10.0.1.25", 5432))
s.sendall(b"ping")
out({"t": "echo", "data": s.recv(10).decode(), "peer": list(s.getpeername())})
s.close()
out({"t": "closed"})`,
    { env: v.env },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(line(r, "echo"), { t: "echo", data: "ping", peer: ["127.0.0.1", v.echo.port] });
  assert.deepEqual(v.decision.connects(), [{ host: "10.0.1.25", port: 5432, protocol: "tcp" }]);
  assert.equal(v.decision.requests[0].token, "tok-test");
  assert.deepEqual(v.decision.closes(), ["c-1"], "close() sends /close before returning");
});

vpcTest("create_connection by address and by VPC name; connections garbage-collected or open at exit are closed too", async (v) => {
  const r = await runPython(
    `import socket, gc
a = socket.create_connection(("10.0.1.25", 5432), timeout=5)
a.sendall(b"a"); out({"t": "ip", "data": a.recv(1).decode()})
b = socket.create_connection(("db.internal", 5432))
b.sendall(b"b"); out({"t": "name", "data": b.recv(1).decode()})
del a; gc.collect()
out({"t": "collected"})
# b is still open at exit`,
    { env: v.env },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(line(r, "ip").data, "a");
  assert.equal(line(r, "name").data, "b");
  assert.deepEqual(v.decision.lookups(), [{ name: "db.internal", family: 0 }]);
  assert.deepEqual(v.decision.connects().map((c) => c.host), ["10.0.1.25", "10.0.1.25"]);
  assert.deepEqual(v.decision.closes().sort(), ["c-1", "c-2"]);
});

vpcTest("drop: TimeoutError (ETIMEDOUT) after afterMs, or the socket's own shorter timeout; unreachable, refuse, connect_ex", async (v) => {
  const r = await runPython(
    `import socket, time, errno
def probe(t, addr, timeout=None):
    s = socket.socket(); s.settimeout(timeout)
    t0 = time.monotonic()
    try:
        s.connect(addr); out({"t": t, "connected": True})
    except OSError as e:
        out({"t": t, "type": type(e).__name__, "errno": e.errno, "str": str(e), "ms": (time.monotonic() - t0) * 1000})
probe("drop", ("10.0.1.25", 22))
probe("drop-timeout", ("10.0.1.25", 23), 0.05)
probe("unreachable", ("10.0.9.9", 443))
probe("refuse", ("10.0.1.26", 5432))
s = socket.socket()
out({"t": "connect_ex", "rc": s.connect_ex(("10.0.9.9", 443)), "ENETUNREACH": errno.ENETUNREACH})
s = socket.socket()
out({"t": "connect_ex_ok", "rc": s.connect_ex(("10.0.1.25", 5432))})`,
    { env: v.env },
  );
  assert.equal(r.code, 0, r.stderr);
  const drop = line(r, "drop");
  assert.equal(drop.type, "TimeoutError");
  assert.equal(drop.errno, 110);
  assert.equal(drop.str, "[Errno 110] Connection timed out (hyperlocal: security group sg-0123 has no egress rule for tcp/22)");
  assert.ok(drop.ms >= DROP_AFTER_MS, `dropped after ${drop.ms} ms`);
  const short = line(r, "drop-timeout");
  assert.equal(short.type, "TimeoutError");
  assert.equal(short.errno, null);
  assert.equal(short.str, "timed out (hyperlocal: sg-0123 has no egress rule for tcp/23)");
  assert.ok(short.ms >= 50 && short.ms < 2000, `${short.ms}`);
  assert.deepEqual([line(r, "unreachable").type, line(r, "unreachable").errno], ["OSError", 101]);
  assert.match(line(r, "unreachable").str, /Network is unreachable \(hyperlocal: no route/);
  assert.deepEqual([line(r, "refuse").type, line(r, "refuse").errno], ["ConnectionRefusedError", 111]);
  assert.equal(line(r, "connect_ex").rc, 101);
  assert.equal(line(r, "connect_ex_ok").rc, 0);
}, { "10.0.1.25:23": { action: "drop", afterMs: 3000, reason: "sg-0123 has no egress rule for tcp/23" } });

vpcTest("getaddrinfo, gethostbyname and friends answer from /lookup; unknown names are EAI_NONAME; literals and localhost ask nobody", async (v) => {
  const r = await runPython(
    `import socket
out({"t": "gai", "r": sorted({i[4][0] for i in socket.getaddrinfo("api.example.com", 443)})})
out({"t": "gai-stream", "r": [list(i[4]) for i in socket.getaddrinfo("api.example.com", "https", socket.AF_INET, socket.SOCK_STREAM)]})
out({"t": "canon", "r": socket.getaddrinfo("api.example.com", 80, 0, socket.SOCK_STREAM, 0, socket.AI_CANONNAME)[0][3]})
try:
    socket.getaddrinfo("nope.example.com", 80)
except socket.gaierror as e:
    out({"t": "missing", "errno": e.errno, "EAI_NONAME": socket.EAI_NONAME, "str": str(e)})
out({"t": "literal", "r": socket.getaddrinfo("10.0.1.25", 5432, socket.AF_INET, socket.SOCK_STREAM)[0][4]})
out({"t": "localhost", "r": sorted({i[4][0] for i in socket.getaddrinfo("localhost", 80)})})
out({"t": "ghbn", "r": socket.gethostbyname("api.example.com"), "ex": socket.gethostbyname_ex("db.internal")})
try:
    socket.gethostbyaddr("10.0.1.25")
except socket.herror as e:
    out({"t": "ghba", "errno": e.errno})
out({"t": "gni", "r": socket.getnameinfo(("10.0.1.25", 22), 0)})`,
    { env: v.env },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(line(r, "gai").r, ["203.0.113.10"]);
  assert.deepEqual(line(r, "gai-stream").r, [["203.0.113.10", 443]]);
  assert.equal(line(r, "canon").r, "api.example.com");
  const m = line(r, "missing");
  assert.equal(m.errno, m.EAI_NONAME);
  assert.equal(m.str, "[Errno -2] Name or service not known");
  assert.deepEqual(line(r, "literal").r, ["10.0.1.25", 5432]);
  assert.deepEqual(line(r, "localhost").r, ["127.0.0.1", "::1"]);
  assert.equal(line(r, "ghbn").r, "203.0.113.10");
  assert.deepEqual(line(r, "ghbn").ex, ["db.internal", [], ["10.0.1.25"]]);
  assert.equal(line(r, "ghba").errno, 1);
  assert.equal(line(r, "gni").r[0], "10.0.1.25"); // the service name comes from /etc/services
  const asked = v.decision.lookups().map((l) => l.name);
  assert.ok(!asked.includes("localhost") && !asked.includes("10.0.1.25"), asked.join());
});

vpcTest("urllib.request to a mapped name reaches the local server with the original Host header", async (v) => {
  const r = await runPython(
    `import urllib.request, json
with urllib.request.urlopen("http://api.example.com:8080/via-urllib", timeout=5) as res:
    out({"t": "urllib", "status": res.status, "body": json.loads(res.read())})
import http.client
c = http.client.HTTPConnection("api.example.com", 8080, timeout=5)
c.request("GET", "/via-http-client")
out({"t": "http.client", "body": json.loads(c.getresponse().read())})`,
    { env: v.env },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(line(r, "urllib"), { t: "urllib", status: 200, body: { host: "api.example.com:8080", url: "/via-urllib" } });
  assert.deepEqual(line(r, "http.client").body, { host: "api.example.com:8080", url: "/via-http-client" });
});

const cert = makeCert();
functionTest("ssl to a mapped name keeps SNI and the certificate check on the original name", [HAS_PYTHON, needsCert(cert)], async () => {
  const https = await startHttps(cert!);
  const decision = await startDecisionServer(
    tableHandler({ connect: { "203.0.113.10:443": { action: "connect", host: "127.0.0.1", port: https.port } }, names: { "api.example.com": [{ address: "203.0.113.10", family: 4 }] } }),
  );
  try {
    const r = await runPython(
      `import ssl, json, socket, urllib.request
ctx = ssl.create_default_context(cafile=${JSON.stringify(cert!.certPath)})
with urllib.request.urlopen("https://api.example.com/secure", context=ctx, timeout=5) as res:
    out({"t": "https", "body": json.loads(res.read())})
raw = socket.create_connection(("api.example.com", 443))
s = ctx.wrap_socket(raw, server_hostname="api.example.com")
out({"t": "ssl", "cn": dict(x[0] for x in s.getpeercert()["subject"])["commonName"]})
s.close()
try:
    ctx.wrap_socket(socket.create_connection(("api.example.com", 443)), server_hostname="other.example.com")
except ssl.SSLCertVerificationError as e:
    out({"t": "wrong-name", "reason": e.verify_message})`,
      { env: shimEnv(decision) },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(line(r, "https").body, { host: "api.example.com", url: "/secure", servername: "api.example.com" });
    assert.equal(line(r, "ssl").cn, "api.example.com");
    assert.match(line(r, "wrong-name").reason, /Hostname mismatch/);
    await decision.waitFor(() => decision.closes().length === 3);
  } finally {
    await Promise.all([https.close(), decision.close()]);
  }
});

vpcTest("asyncio: open_connection is mapped; a drop waits afterMs without blocking the event loop", async (v) => {
  const r = await runPython(
    `import asyncio, time
async def main():
    reader, writer = await asyncio.open_connection("10.0.1.25", 5432)
    writer.write(b"aio"); await writer.drain()
    out({"t": "ip", "data": (await reader.read(3)).decode()})
    writer.close(); await writer.wait_closed()
    reader, writer = await asyncio.open_connection("db.internal", 5432)
    writer.write(b"name"); await writer.drain()
    out({"t": "name", "data": (await reader.read(4)).decode()})
    writer.close(); await writer.wait_closed()
    ticks = 0
    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01); ticks += 1
    tk = asyncio.ensure_future(ticker())
    t0 = time.monotonic()
    try:
        await asyncio.open_connection("10.0.1.25", 22)
    except OSError as e:
        out({"t": "drop", "errno": e.errno, "type": type(e).__name__, "ms": (time.monotonic() - t0) * 1000, "ticks": ticks, "str": str(e)})
    tk.cancel()
    try:
        await asyncio.open_connection("10.0.9.9", 443)
    except OSError as e:
        out({"t": "unreachable", "errno": e.errno})
asyncio.run(main())`,
    { env: v.env },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(line(r, "ip").data, "aio");
  assert.equal(line(r, "name").data, "name");
  const drop = line(r, "drop");
  assert.equal(drop.type, "TimeoutError");
  assert.equal(drop.errno, 110);
  assert.ok(drop.ms >= DROP_AFTER_MS, `${drop.ms}`);
  assert.ok(drop.ticks >= 5, `the loop ticked ${drop.ticks} times during the drop`);
  assert.equal(line(r, "unreachable").errno, 101);
  await v.decision.waitFor(() => v.decision.closes().length === 2);
});

pyTest("fail closed: decision service down, garbage, non-loopback target, silence, no URL", () =>
  checkFailsClosed(PYTHON, {
    badAnswers: {
      "10.0.2.1": { raw: "this is not json" },
      "10.0.2.2": { action: "teleport" },
      "10.0.2.3": { action: "connect", host: "10.0.1.25", port: 5432 },
      "10.0.2.4": { raw: "{}", status: 500 },
      "10.0.2.5": HANG,
      "10.0.2.7": { action: "drop" },
    },
    lookupAnswer: { raw: "garbage" },
    probe: (hosts) => `import socket
for host in ${JSON.stringify(hosts)}:
    s = socket.socket()
    try:
        s.connect((host, 5432)); out({"t": host, "connected": True})
    except OSError as e:
        out({"t": host, "type": type(e).__name__, "str": str(e)})
    s.close()
try:
    socket.getaddrinfo("api.example.com", 80)
except socket.gaierror as e:
    out({"t": "lookup", "errno": e.errno, "EAI_AGAIN": socket.EAI_AGAIN, "str": str(e)})`,
    check(r) {
      assert.match(line(r, "10.0.2.5").str, /no answer within 300 ms/);
      assert.match(line(r, "10.0.2.3").str, /not a loopback address/);
      assert.equal(line(r, "lookup").errno, line(r, "lookup").EAI_AGAIN);
    },
    downText: /network decision unavailable \(\[Errno 111\] Connection refused\); refused \(fail closed\)/,
    badUrls: [undefined, "http://10.0.0.1:4566/_hyperlocal/network"],
  }),
);

pyTest("fail-closed proof: without the shim the kernel of the namespace answers ENETUNREACH; with it the decision's refusal comes first", async () => {
  const { bare, shimmed } = await runBareAndShimmed(
    PYTHON,
    `import socket
try:
    socket.create_connection(("10.0.1.25", 5432), timeout=2)
except OSError as e:
    out({"t": "r", "errno": e.errno, "str": str(e)})`,
  );
  assert.deepEqual(line(bare, "r"), { t: "r", errno: 101, str: "[Errno 101] Network is unreachable" });
  assert.deepEqual(line(shimmed, "r"), { t: "r", errno: 111, str: "[Errno 111] Connection refused (hyperlocal: not in this VPC)" });
});

pyTest("UDP: sendto is decided per destination; connect + send is mapped; a dropped datagram is silently lost", () =>
  withUdpVpc(async ({ udp, decision, env }) => {
    const r = await runPython(
      `import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
out({"t": "mapped", "n": s.sendto(b"mapped-1", ("10.0.1.2", 53))})
out({"t": "dropped", "n": s.sendto(b"dropped", 0, ("10.0.1.3", 53))})
try:
    s.sendto(b"x", ("10.0.1.4", 53))
except OSError as e:
    out({"t": "unreachable", "errno": e.errno})
c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
c.connect(("10.0.1.2", 53)); c.send(b"via-connect-v6")
d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
d.connect(("10.0.1.3", 53)); out({"t": "connect-drop", "n": d.send(b"lost")})
out({"t": "done"})`,
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(line(r, "mapped").n, 8);
    assert.equal(line(r, "dropped").n, 7);
    assert.equal(line(r, "unreachable").errno, 101);
    assert.equal(line(r, "connect-drop").n, 4);
    await udp.received(2);
    assert.deepEqual(udp.messages.sort(), ["mapped-1", "via-connect-v6"]);
    assert.ok(decision.connects().every((c) => c.protocol === "udp"));
  }),
);

vpcTest("child python processes inherit the shim; the notice is printed once", async (v) => {
  const notice = "hyperlocal: network rules apply to Python's socket module; C extensions are not filtered";
  const r = await runPython(
    `import subprocess, sys, os
out({"t": "env", "notice": os.environ.get("HYPERLOCAL_NET_NOTICE")})
child = "import socket\\ntry:\\n    socket.create_connection(('10.0.1.25', 22))\\nexcept OSError as e:\\n    print(e.errno)"
out({"t": "child", "r": subprocess.run([sys.executable, "-c", child], capture_output=True, text=True).stdout.strip()})`,
    { env: { ...v.env, HYPERLOCAL_NET_NOTICE: notice } },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(line(r, "env").notice, null);
  assert.equal(line(r, "child").r, "110");
  assert.equal(r.stderr.split(notice).length - 1, 1, r.stderr);
});

vpcTest("no real DNS: getaddrinfo, gethostbyname and create_connection never reach the machine's resolver", (v, t) =>
  checkNoRealDns(t, PYTHON, {
    env: v.env,
    script: `import socket
for f in (lambda: socket.getaddrinfo("unmapped.example.org", 80), lambda: socket.gethostbyname("unmapped.example.org"),
          lambda: socket.create_connection(("unmapped.example.org", 80), timeout=2), lambda: socket.getfqdn("10.0.1.25"),
          lambda: socket.gethostbyname_ex("unmapped.example.org")):
    try:
        f()
    except OSError:
        pass
out({"t": "done"})`,
    checkControl: (bare) => line(bare, "done"),
    checkShimmed: (shimmed) => line(shimmed, "done"),
  }),
);

test("start-up: the shim imports nothing beyond sitecustomize itself", { skip: skipUnless(HAS_PYTHON) }, () => {
  // No function code and no network here: only the list of modules loaded at start.
  const list = (env: Record<string, string>) =>
    new Set(
      spawnSync(PY!, ["-c", "import sys; print('\\n'.join(sorted(sys.modules)))"], { encoding: "utf8", env: { PATH: process.env.PATH!, PYTHONDONTWRITEBYTECODE: "1", ...env } }).stdout.trim().split("\n"),
    );
  const bare = list({});
  const shimmed = list({ PYTHONPATH: PYTHON_SHIM_DIR, HYPERLOCAL_NET_URL: "http://127.0.0.1:1/_hyperlocal/network" });
  const added = [...shimmed].filter((m) => !bare.has(m));
  assert.deepEqual(added, ["sitecustomize"]);
});
