// The admin API and exposure (docs/security.md, "The admin API and exposure"): a server listening
// beyond loopback warns and needs the admin token on admin calls (the shim's decision API and
// presigned code URLs keep their own credentials); admin inputs are validated and a bad value is
// never saved; a bad clock offset left in a snapshot by an earlier version does not break a restart.
// Network safety: servers bind 0.0.0.0 at most; every request goes to 127.0.0.1.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateFunctionCommand, GetFunctionCommand } from "@aws-sdk/client-lambda";
import { CreateRoleCommand, GetRoleCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { App } from "../../src/app.ts";
import { startApp } from "../../src/app.ts";
import { defaultConfig } from "../../src/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { clients } from "../support/clients.ts";
import { startChildServer, startTestServer, tempDir } from "../support/server.ts";
import { LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";

async function call(url: string, method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${url}/_hyperlocal/${path}`, { method, headers: init.headers ?? {}, ...(init.body !== undefined ? { body: init.body } : {}) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}

const JSON_TYPE = { "content-type": "application/json" };

describe("a server listening beyond loopback", () => {
  let app: App;
  let url: string;
  before(async () => {
    app = await startTestServer({ host: "0.0.0.0" });
    url = `http://127.0.0.1:${app.port}`;
  });
  after(() => app.close());

  it("needs the admin token on every admin call, in either header, compared exactly", async () => {
    assert.equal(app.exposed, true);
    assert.equal(app.admin.generated, true);
    const token = app.admin.token!;
    assert.ok(token.length >= 40);
    const role = await clients(url).iam.send(new CreateRoleCommand({ RoleName: "kept", AssumeRolePolicyDocument: LAMBDA_TRUST }));
    assert.ok(role.Role);

    for (const [method, path, body] of [["GET", "health"], ["GET", "clock"], ["POST", "reset"], ["POST", "clock/advance", '{"days":1}'], ["GET", "iam/decisions"], ["GET", "logs/f"], ["GET", "endpoints"], ["GET", "nothing-here"]] as const) {
      const none = await call(url, method, path, { headers: JSON_TYPE, ...(body ? { body } : {}) });
      assert.equal(none.status, 401, `${method} ${path}`);
      assert.match(none.body.error, /needs the admin token.*x-hyperlocal-admin-token/);
      assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
      for (const wrong of [token.slice(0, -1), `${token}x`, "", token.toUpperCase()]) {
        assert.equal((await call(url, method, path, { headers: { ...JSON_TYPE, "x-hyperlocal-admin-token": wrong } })).status, 401);
      }
    }
    assert.equal((await clients(url).iam.send(new GetRoleCommand({ RoleName: "kept" }))).Role?.RoleName, "kept", "reset without the token dropped nothing");
    assert.equal((await call(url, "GET", "clock", { headers: { "x-hyperlocal-admin-token": token } })).body.offsetMs, 0);

    assert.equal((await call(url, "GET", "health", { headers: { "x-hyperlocal-admin-token": token } })).status, 200);
    assert.equal((await call(url, "GET", "iam/decisions", { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const adv = await call(url, "POST", "clock/advance", { body: '{"seconds":5}', headers: { ...JSON_TYPE, authorization: `Bearer ${token}` } });
    assert.equal(adv.status, 200);
    assert.equal(adv.body.offsetMs, 5000);
  });

  it("keeps the routes with their own credentials: the shim's decision API and presigned code URLs", async () => {
    const decision = await call(url, "POST", "network/connect", { body: '{"host":"10.0.1.25","port":5432}', headers: { ...JSON_TYPE, "x-hyperlocal-net-token": "hlnet-unknown" } });
    assert.equal(decision.status, 200);
    assert.equal(decision.body.action, "refuse", "an unknown network token is refused by the decision API itself");

    const c = clients(url);
    const role = (await c.iam.send(new CreateRoleCommand({ RoleName: "code-role", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    await c.lambda.send(new CreateFunctionCommand({ FunctionName: "coded", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_ECHO) } }));
    const location = new URL((await c.lambda.send(new GetFunctionCommand({ FunctionName: "coded" }))).Code!.Location!);
    const zip = await fetch(`${url}${location.pathname}${location.search}`);
    assert.equal(zip.status, 200);
    assert.equal(zip.headers.get("content-type"), "application/zip");
    // Flip the signature's first hex digit (always a different value).
    const tampered = await fetch(`${url}${location.pathname}${location.search.replace(/X-Amz-Signature=([0-9a-f])/, (_m, d: string) => `X-Amz-Signature=${(parseInt(d, 16) ^ 1).toString(16)}`)}`);
    assert.equal(tampered.status, 403);
  });
});

describe("hyperlocal start --host", () => {
  it("beyond loopback: warns, prints a generated token once, and takes it", async () => {
    const srv = await startChildServer(["--host", "0.0.0.0"]);
    try {
      const out = srv.output();
      assert.match(out, /WARNING: listening on 0\.0\.0\.0, so other machines can reach this server/);
      const m = /admin token \(generated[^)]*\): (\S+)/.exec(out);
      assert.ok(m, out);
      assert.equal(out.split(m[1]).length, 2, "the token is printed exactly once");
      const url = srv.url.replace("0.0.0.0", "127.0.0.1");
      assert.equal((await call(url, "GET", "clock")).status, 401);
      assert.equal((await call(url, "GET", "clock", { headers: { "x-hyperlocal-admin-token": m[1] } })).status, 200);
    } finally {
      await srv.stop();
    }
  });

  it("with --admin-token: that token, even on loopback; without any: no warning and no token", async () => {
    const token = "a-token-of-my-choosing-123";
    const srv = await startChildServer(["--admin-token", token]);
    try {
      assert.doesNotMatch(srv.output(), /WARNING|admin token/);
      assert.equal((await call(srv.url, "GET", "clock")).status, 401);
      assert.equal((await call(srv.url, "GET", "clock", { headers: { authorization: `Bearer ${token}` } })).status, 200);
    } finally {
      await srv.stop();
    }
  });
});

describe("admin inputs", () => {
  let app: App;
  before(async () => {
    app = await startTestServer();
  });
  after(() => app.close());

  it("clock/advance: a finite, non-negative amount, at most 100 years in all; anything else is 400 and the clock stays", async () => {
    for (const body of ['{"ms":1e308}', '{"days":1e306}', '{"days":-1}', '{"ms":-0.5}', '{"ms":"5"}', '{"ms":null}', '{"days":36501}', '{"ms":1,"days":1}', '{"foo":1}', '{"__proto__":1}', "[]", '"x"', "{}", "null", "{"]) {
      const r = await call(app.url, "POST", "clock/advance", { body, headers: JSON_TYPE });
      assert.equal(r.status, 400, body);
      assert.equal(typeof r.body.error, "string", body);
    }
    assert.match((await call(app.url, "POST", "clock/advance", { body: '{"days":-1}', headers: JSON_TYPE })).body.error, /never goes back/);
    assert.equal((await call(app.url, "GET", "clock")).body.offsetMs, 0);
    assert.equal((await call(app.url, "POST", "clock/advance", { body: '{"days":36000}', headers: JSON_TYPE })).status, 200);
    const over = await call(app.url, "POST", "clock/advance", { body: '{"days":600}', headers: JSON_TYPE });
    assert.equal(over.status, 400);
    assert.match(over.body.error, /at most 100 years/);
    assert.equal((await call(app.url, "GET", "clock")).body.offsetMs, 36000 * 86_400_000);
    // IAM and STS still answer with dates a century ahead.
    const c = clients(app.url);
    assert.equal((await c.sts.send(new GetCallerIdentityCommand({}))).Account, "000000000000");
    const role = await c.iam.send(new CreateRoleCommand({ RoleName: "future", AssumeRolePolicyDocument: LAMBDA_TRUST }));
    assert.ok(role.Role!.CreateDate!.getUTCFullYear() >= 2120);
  });

  it("admin calls with a body take application/json only: no form, no text/plain (what a page can send)", async () => {
    const c = clients(app.url);
    await c.iam.send(new CreateRoleCommand({ RoleName: "stays", AssumeRolePolicyDocument: LAMBDA_TRUST }));
    const before = (await call(app.url, "GET", "clock")).body.offsetMs;
    const text = await call(app.url, "POST", "clock/advance", { body: '{"days":1}', headers: { "content-type": "text/plain;charset=UTF-8" } });
    assert.equal(text.status, 415);
    assert.match(text.body.error, /application\/json/);
    assert.equal((await call(app.url, "POST", "clock/advance", { body: '{"days":1}' })).status, 415, "fetch's default text/plain");
    assert.equal((await call(app.url, "POST", "reset", { body: "", headers: { "content-type": "application/x-www-form-urlencoded" } })).status, 415);
    assert.equal((await call(app.url, "POST", "reset", { body: "a=b", headers: { "content-type": "multipart/form-data; boundary=x" } })).status, 415);
    assert.equal((await call(app.url, "GET", "clock")).body.offsetMs, before);
    assert.ok((await c.iam.send(new GetRoleCommand({ RoleName: "stays" }))).Role);
    assert.equal((await call(app.url, "POST", "reset")).status, 200, "no body, no type: fine");
    assert.deepEqual((await c.iam.send(new ListRolesCommand({}))).Roles, []);
  });

  it("query parameters and ids are checked: no state is made under a bad account or region name", async () => {
    for (const path of [
      "logs/f?account=__proto__",
      "logs/f?account=constructor",
      "logs/f?region=__proto__",
      "logs/f?since=-1",
      "logs/f?limit=0",
      "logs/f?limit=abc",
      "iam/decisions?limit=-5",
      "endpoints?account=toString",
      "endpoints?region=hasOwnProperty",
      "reachability?function=f&to=10.0.0.1:0",
      "reachability?function=f&to=10.0.0.1:70000",
      "reachability?function=f&to=10.0.0.1:80&account=valueOf",
    ]) {
      const r = await call(app.url, "GET", path);
      assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.body)}`);
    }
    for (const path of ["endpoints/constructor", "endpoints/__proto__", "internet/toString", "endpoints/%ZZ"]) {
      assert.equal((await call(app.url, "DELETE", path)).status, 404, path);
    }
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      assert.equal((await call(app.url, "GET", `logs/${name}`)).status, 404, `logs/${name}`);
      assert.equal((await call(app.url, "GET", `reachability?function=${name}&to=10.0.0.1:80`)).status, 404, `reachability of ${name}`);
    }
    for (const body of [{ ip: "10.0.1.25", port: 5432, target: "127.0.0.1:1", region: "__proto__" }, { ip: "10.0.1.25", port: 0, target: "127.0.0.1:1" }, { ip: "10.0.1.25", port: 5432, target: "10.0.0.5:1" }]) {
      assert.equal((await call(app.url, "POST", "endpoints", { body: JSON.stringify(body), headers: JSON_TYPE })).status, 400, JSON.stringify(body));
    }
    const state = app.store.all<unknown>("ec2").map((s) => `${s.account}/${s.region}`);
    assert.ok(state.every((s) => /^\d{12}\/[a-z0-9-]+$/.test(s)), state.join(", "));
  });
});

describe("a bad clock offset in a saved snapshot", () => {
  it("is put back in range with a warning, and IAM and STS answer after the restart", async () => {
    for (const [bad, expected] of [[1e308, 100 * 365 * 86_400_000], ["soon", 0], [-5, 0]] as const) {
      const dir = tempDir();
      writeFileSync(join(dir, "state.json"), JSON.stringify({ format: 1, savedAt: new Date().toISOString(), data: { clock: { global: { global: { offsetMs: bad } } } } }));
      const lines: string[] = [];
      const app = await startApp(defaultConfig({ port: 0, host: "127.0.0.1", stateDir: dir }), { logger: createLogger("warn", (l) => lines.push(l)) });
      try {
        const c = clients(app.url);
        assert.equal((await c.sts.send(new GetCallerIdentityCommand({}))).Account, "000000000000");
        assert.ok((await c.iam.send(new CreateRoleCommand({ RoleName: "after-restart", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role);
        assert.equal((await call(app.url, "GET", "clock")).body.offsetMs, expected);
        assert.ok(lines.some((l) => /saved simulated clock offset .* is out of range/.test(l)), lines.join("\n"));
      } finally {
        await app.close();
      }
      // The snapshot was migrated into the database: the repaired value is what was saved there.
      const again: string[] = [];
      const second = await startApp(defaultConfig({ port: 0, host: "127.0.0.1", stateDir: dir }), { logger: createLogger("warn", (l) => again.push(l)) });
      try {
        assert.equal((await call(second.url, "GET", "clock")).body.offsetMs, expected, "the repaired value is saved");
        assert.ok(!again.some((l) => /out of range/.test(l)), again.join("\n"));
      } finally {
        await second.close();
      }
    }
  });
});
