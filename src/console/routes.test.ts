import assert from "node:assert/strict";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { AdminRouter } from "../gateway/admin-router.ts";
import { CONTENT_SECURITY_POLICY, registerConsoleRoutes } from "./routes.ts";

const router = new AdminRouter();
registerConsoleRoutes(router);

async function get(path: string, headers: Record<string, string> = {}) {
  const found = router.find("GET", path);
  assert.ok(found && found !== "method", `a route for ${path}`);
  return found.handler({ method: "GET", path, query: new URLSearchParams(), body: undefined, raw: { headers } as never }, found.params);
}

test("the page, its bundle and its styles, each with its type and a self-only CSP", async () => {
  const html = await get("console/");
  assert.equal(html.status, 200);
  assert.equal(html.headers?.["content-type"], "text/html; charset=utf-8");
  assert.equal(html.headers?.["content-security-policy"], CONTENT_SECURITY_POLICY);
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'self'/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe|https?:/);
  const js = /src="\/_hyperlocal\/console\/([^"]+\.js)"/.exec(String(html.body))![1];
  const css = /href="\/_hyperlocal\/console\/([^"]+\.css)"/.exec(String(html.body))![1];
  const jsRes = await get(`console/${js}`);
  assert.equal(jsRes.status, 200);
  assert.equal(jsRes.headers?.["content-type"], "text/javascript; charset=utf-8");
  assert.match(jsRes.headers?.["cache-control"] ?? "", /immutable/);
  assert.ok(String(jsRes.body).length > 10_000);
  const zipped = await get(`console/${js}`, { "accept-encoding": "gzip, deflate, br" });
  assert.equal(zipped.headers?.["content-encoding"], "gzip");
  assert.equal(gunzipSync(zipped.body as Buffer).toString("utf8"), jsRes.body);
  const cssRes = await get(`console/${css}`);
  assert.equal(cssRes.headers?.["content-type"], "text/css; charset=utf-8");
  assert.match(String(cssRes.body), /focus-visible/);
});

test("the console path without its slash redirects; unknown files and old bundles are 404", async () => {
  const r = await get("console");
  assert.equal(r.status, 302);
  assert.equal(r.headers?.location, "/_hyperlocal/console/");
  assert.equal((await get("console/app.0000000000000000.js")).status, 404);
  assert.equal((await get("console/../../etc/passwd")).status, 404);
});
