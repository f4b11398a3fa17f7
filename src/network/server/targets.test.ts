import assert from "node:assert/strict";
import { test } from "node:test";
import { parseEndpointTag } from "./listeners.ts";
import { canonicalName, validHostname } from "./resolver.ts";
import { isLoopbackIp, parseLoopbackTarget, splitHostPort } from "./targets.ts";

test("targets: only loopback HOST:PORT is accepted", () => {
  const ok = [
    ["127.0.0.1:54321", "127.0.0.1", 54321],
    ["127.1.2.3:1", "127.1.2.3", 1],
    ["[::1]:8443", "::1", 8443],
    ["[0:0:0:0:0:0:0:1]:80", "0:0:0:0:0:0:0:1", 80],
  ] as const;
  for (const [text, host, port] of ok) assert.deepEqual(parseLoopbackTarget(text), { ok: true, value: { host, port } }, text);
  const refused = [
    "10.0.0.5:5432",
    "192.168.1.10:80",
    "8.8.8.8:53",
    "203.0.113.10:443",
    "0.0.0.0:80",
    "localhost:80",
    "example.com:443",
    "[::ffff:127.0.0.1]:80",
    "[2001:db8::1]:443",
    "[::]:80",
    "127.0.0.1",
    "127.0.0.1:0",
    "127.0.0.1:65536",
    "127.0.0.1:-1",
    "::1:80",
    "",
    42,
    null,
  ];
  for (const text of refused) assert.equal(parseLoopbackTarget(text).ok, false, String(text));
  assert.match((parseLoopbackTarget("10.0.0.5:5432") as { error: string }).error, /not on loopback/);
});

test("loopback addresses and host:port splitting", () => {
  assert.equal(isLoopbackIp("127.255.255.254"), true);
  assert.equal(isLoopbackIp("128.0.0.1"), false);
  assert.equal(isLoopbackIp("::1"), true);
  assert.equal(isLoopbackIp("::2"), false);
  assert.deepEqual(splitHostPort("[2600::1]:443"), { host: "2600::1", port: 443 });
  assert.deepEqual(splitHostPort("db.internal:5432"), { host: "db.internal", port: 5432 });
  assert.equal(splitHostPort("2600::1:443"), undefined);
  assert.equal(splitHostPort("db.internal"), undefined);
});

test("the hyperlocal:endpoint tag: HOST:PORT, VPCPORT=HOST:PORT, several entries, refusals kept with a reason", () => {
  assert.deepEqual(parseEndpointTag("127.0.0.1:5432"), [{ port: 5432, target: { host: "127.0.0.1", port: 5432 }, text: "127.0.0.1:5432" }]);
  const many = parseEndpointTag("5432=127.0.0.1:54321, 6379=[::1]:6380 80=10.0.0.1:80 x=127.0.0.1:1");
  assert.deepEqual(
    many.map((e) => [e.port, e.target?.port, e.error === undefined]),
    [
      [5432, 54321, true],
      [6379, 6380, true],
      [0, undefined, false],
      [0, undefined, false],
    ],
  );
  assert.match(many[2].error!, /not on loopback/);
});

test("names", () => {
  assert.equal(canonicalName("API.Example.com."), "api.example.com");
  assert.equal(validHostname("db.internal"), true);
  assert.equal(validHostname("-bad.example"), false);
  assert.equal(validHostname("a..b"), false);
});
