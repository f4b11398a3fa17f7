import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BrowserGuard, parseOrigin } from "./browser-guard.ts";

describe("BrowserGuard: Host (DNS rebinding)", () => {
  const guard = new BrowserGuard({ listenHost: "127.0.0.1", allowedHosts: ["hyperlocal"] });

  it("answers loopback names, IP literals and the allowed names, with or without a port", () => {
    for (const h of ["localhost", "localhost:4566", "LOCALHOST:4566", "127.0.0.1", "127.0.0.1:4566", "127.1.2.3:80", "[::1]:4566", "[::1]", "api.localhost:4566", "hyperlocal:4566", "192.168.1.5:4566", "localhost.:4566", undefined]) {
      assert.equal(guard.hostAllowed(h), true, String(h));
    }
  });

  it("refuses any other name, and malformed Host headers", () => {
    for (const h of ["evil.example.com:4566", "attacker.example", "localhost.evil.example:4566", "127.0.0.1.nip.io:4566", "hyperlocal.evil:4566", "", "[::1", "[::1]x", "localhost:45a6", "localhost:123456", "[evil.example]:1", "::1"]) {
      assert.equal(guard.hostAllowed(h), false, h);
      assert.equal(guard.hostAllowed(h), false, `${h} (cached)`);
    }
  });

  it("answers the configured --host name", () => {
    const named = new BrowserGuard({ listenHost: "devbox.internal" });
    assert.equal(named.hostAllowed("devbox.internal:4566"), true);
    assert.equal(named.hostAllowed("other.internal:4566"), false);
  });
});

describe("BrowserGuard: Origin and Sec-Fetch-Site", () => {
  const guard = new BrowserGuard({ listenHost: "127.0.0.1", corsOrigins: ["http://localhost:5173"] });

  it("lets non-browser clients and same-origin pages through without a CORS grant", () => {
    assert.deepEqual(guard.checkOrigin({ host: "127.0.0.1:4566" }), { ok: true });
    assert.deepEqual(guard.checkOrigin({ host: "127.0.0.1:4566", origin: "http://127.0.0.1:4566" }), { ok: true });
    assert.deepEqual(guard.checkOrigin({ host: "localhost:4566", "sec-fetch-site": "same-origin" }), { ok: true });
    assert.deepEqual(guard.checkOrigin({ host: "localhost:4566", "sec-fetch-site": "none" }), { ok: true });
  });

  it("grants an allowed origin", () => {
    assert.deepEqual(guard.checkOrigin({ host: "127.0.0.1:4566", origin: "http://localhost:5173", "sec-fetch-site": "same-site" }), { ok: true, cors: "http://localhost:5173" });
  });

  it("refuses other origins, Origin: null, another port of the same host, and cross-site requests without an Origin", () => {
    for (const headers of [
      { host: "127.0.0.1:4566", origin: "http://evil.example" },
      { host: "127.0.0.1:4566", origin: "null" },
      { host: "127.0.0.1:4566", origin: "http://127.0.0.1:8080" },
      { host: "127.0.0.1:4566", origin: "https://127.0.0.1:4566" },
      { host: "127.0.0.1:4566", origin: "http://localhost:5174" },
      { origin: "http://127.0.0.1:4566" },
      { host: "127.0.0.1:4566", "sec-fetch-site": "cross-site" },
      { host: "127.0.0.1:4566", "sec-fetch-site": "same-site" },
    ]) {
      const v = guard.checkOrigin(headers);
      assert.equal(v.ok, false, JSON.stringify(headers));
    }
  });

  it("answers preflights of allowed origins only, granting the SDK's headers", () => {
    assert.equal(guard.isPreflight("OPTIONS", { origin: "http://localhost:5173", "access-control-request-method": "POST" }), true);
    assert.equal(guard.isPreflight("OPTIONS", { origin: "http://localhost:5173" }), false);
    assert.equal(guard.isPreflight("POST", { origin: "http://localhost:5173", "access-control-request-method": "POST" }), false);
    const grant = guard.preflight({ origin: "http://localhost:5173", "access-control-request-method": "POST", "access-control-request-headers": "authorization,x-amz-date,amz-sdk-request,x-amz-new-thing,bad header" })!;
    assert.equal(grant["access-control-allow-origin"], "http://localhost:5173");
    assert.match(grant["access-control-allow-methods"], /POST/);
    for (const h of ["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "x-amz-user-agent", "amz-sdk-invocation-id", "amz-sdk-request", "content-type", "x-amz-invocation-type", "x-amz-log-type", "x-amz-client-context", "x-amz-new-thing"]) {
      assert.ok(grant["access-control-allow-headers"].split(", ").includes(h), h);
    }
    assert.doesNotMatch(grant["access-control-allow-headers"], /bad header/);
    for (const h of ["x-amzn-RequestId", "x-amzn-ErrorType", "x-amz-function-error", "x-amz-log-result", "x-amz-executed-version", "ETag"]) {
      assert.ok(grant["access-control-expose-headers"].split(", ").includes(h), h);
    }
    assert.equal(grant["access-control-max-age"], "7200");
    assert.equal(grant["access-control-allow-private-network"], undefined);
    const pna = guard.preflight({ origin: "http://localhost:5173", "access-control-request-method": "GET", "access-control-request-private-network": "true" })!;
    assert.equal(pna["access-control-allow-private-network"], "true");
    assert.equal(guard.preflight({ origin: "http://evil.example", "access-control-request-method": "POST", "access-control-request-private-network": "true" }), undefined);
    assert.equal(guard.preflight({ origin: "http://evil.example", "access-control-request-method": "POST" }), undefined);
    assert.equal(guard.preflight({ origin: "null", "access-control-request-method": "POST" }), undefined);
  });
});

describe("parseOrigin", () => {
  it("takes scheme://host[:port] only", () => {
    assert.equal(parseOrigin("http://localhost:5173"), "http://localhost:5173");
    assert.equal(parseOrigin("https://app.example.com/"), "https://app.example.com");
    for (const bad of ["*", "null", "localhost:5173", "http://localhost:5173/path", "ftp://x", "http://u:p@x", "http://x?q", ""]) assert.equal(parseOrigin(bad), undefined, bad);
  });
});
