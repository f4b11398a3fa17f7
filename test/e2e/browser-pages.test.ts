// Web pages in a real Chromium against hyperlocal (docs/security.md, "Web pages and DNS rebinding").
// A page of another origin tries what issue 10 reproduced: an HTML form POST of IAM CreateRole and
// a no-cors fetch of Lambda CreateFunction and Invoke, each signed with the public test/test key in
// the query string, and form POSTs to the admin API (reset, and a JSON body smuggled through a
// text/plain form for clock/advance). Nothing may change. Then, with the page's origin in
// --cors-origins, the AWS SDK bundled into the page works, preflights included.
// Network safety: every server listens on 127.0.0.1; Chromium only loads pages from them.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { Hash } from "@smithy/hash-node";
import { CreateFunctionCommand, GetFunctionCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { CreateRoleCommand, GetRoleCommand } from "@aws-sdk/client-iam";
import type { App } from "../../src/app.ts";
import { startApp } from "../../src/app.ts";
import { defaultConfig } from "../../src/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { clients } from "../support/clients.ts";
import { HAS_CHROMIUM, launchChromium, servePages, type PageServer } from "../support/browser.ts";
import { startTestServer } from "../support/server.ts";
import { functionLogs, LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/** A URL signed in its query string (SigV4 presigned) for this method, path and body: what a page can embed. */
async function presigned(base: string, service: string, method: string, path: string, body: string): Promise<string> {
  const u = new URL(base);
  const signer = new SignatureV4({ credentials: { accessKeyId: "test", secretAccessKey: "test" }, region: "us-east-1", service, sha256: Hash.bind(null, "sha256"), uriEscapePath: true });
  const req = new HttpRequest({ method, protocol: "http:", hostname: u.hostname, port: Number(u.port), path, headers: { host: u.host }, body });
  const signed = await signer.presign(req, { expiresIn: 900 });
  const q = Object.entries(signed.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return `${base}${path}?${q.join("&")}`;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

describe("web pages of another origin", { skip: !HAS_CHROMIUM && "no /usr/bin/chromium" }, () => {
  let app: App;
  let pages: PageServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let roleArn: string;

  before(async () => {
    app = await startTestServer();
    pages = await servePages();
    browser = await launchChromium();
    const c = clients(app.url);
    roleArn = (await c.iam.send(new CreateRoleCommand({ RoleName: "keeper", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    await c.lambda.send(new CreateFunctionCommand({ FunctionName: "victim", Runtime: "nodejs20.x", Role: roleArn, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_ECHO) } }));
  });
  after(async () => {
    await browser?.close();
    await pages?.close();
    await app?.close();
  });

  it("cannot create a role, create or invoke a function, reset the state or move the clock", async () => {
    const c = clients(app.url);
    const clockBefore = (await (await fetch(`${app.url}/_hyperlocal/clock`)).json()) as { offsetMs: number };

    // (a) IAM CreateRole as an HTML form, the signature in the action URL and the body hashed in it.
    const roleForm = new URLSearchParams({ Action: "CreateRole", Version: "2010-05-08", RoleName: "pwned-form", AssumeRolePolicyDocument: LAMBDA_TRUST });
    const roleUrl = await presigned(app.url, "iam", "POST", "/", roleForm.toString());
    // (b) Lambda CreateFunction and Invoke as no-cors fetches: text/plain, and no Content-Type at all.
    const fnBody = JSON.stringify({ FunctionName: "pwned-fetch", Runtime: "nodejs20.x", Role: roleArn, Handler: "index.handler", Code: { ZipFile: Buffer.from(nodeZip(NODE_ECHO)).toString("base64") } });
    const createUrl = await presigned(app.url, "lambda", "POST", "/2015-03-31/functions", fnBody);
    const invokeBody = JSON.stringify({ marker: "from-the-page" });
    const invokeUrl = await presigned(app.url, "lambda", "POST", "/2015-03-31/functions/victim/invocations", invokeBody);

    const inputs = [...roleForm].map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join("");
    pages.put(
      "/attack.html",
      `<!doctype html><html><body>
<iframe name="a"></iframe><iframe name="b"></iframe><iframe name="c"></iframe>
<form id="role" method="POST" action="${esc(roleUrl)}" target="a">${inputs}</form>
<form id="reset" method="POST" action="${app.url}/_hyperlocal/reset" target="b"></form>
<form id="clock" method="POST" action="${app.url}/_hyperlocal/clock/advance" enctype="text/plain" target="c"><input type="hidden" name='{"days":3650,"x":"' value='"}'></form>
<script>
const loaded = (name) => new Promise((r) => document.querySelector('iframe[name="' + name + '"]').addEventListener("load", r, { once: true }));
const send = async (results, what, url, init) => {
  try { await fetch(url, { mode: "no-cors", method: "POST", ...init }); results.push(what + ": sent"); } catch (e) { results.push(what + ": " + e); }
};
const submit = async (results, form, frame) => {
  const done = loaded(frame);
  document.getElementById(form).submit();
  await done;
  results.push(form + " form: submitted");
};
window.attackApis = async () => {
  const results = [];
  await send(results, "create text/plain", ${JSON.stringify(createUrl)}, { headers: { "content-type": "text/plain" }, body: ${JSON.stringify(fnBody)} });
  await send(results, "invoke text/plain", ${JSON.stringify(invokeUrl)}, { headers: { "content-type": "text/plain" }, body: ${JSON.stringify(invokeBody)} });
  await send(results, "invoke no type", ${JSON.stringify(invokeUrl)}, { body: new Blob([${JSON.stringify(invokeBody)}]) });
  await submit(results, "role", "a");
  return results;
};
window.attackAdmin = async () => {
  const results = [];
  await send(results, "clock text/plain", ${JSON.stringify(`${app.url}/_hyperlocal/clock/advance`)}, { headers: { "content-type": "text/plain" }, body: '{"days":7300}' });
  await submit(results, "clock", "c");
  await submit(results, "reset", "b");
  return results;
};
</script></body></html>`,
    );
    // localhost:<port> → 127.0.0.1:<port> is cross-site for Chromium, as any web page would be.
    const page = await browser.context.newPage();
    await page.goto(`http://localhost:${pages.port}/attack.html`);
    const apis = (await page.evaluate("window.attackApis()")) as string[];
    assert.equal(apis.length, 4, apis.join("\n"));
    // Every effect checked, so that a failure names each attack that got through.
    const role = await c.iam.send(new GetRoleCommand({ RoleName: "pwned-form" })).then(() => "created", (e: Error) => e.name);
    const fn = await c.lambda.send(new GetFunctionCommand({ FunctionName: "pwned-fetch" })).then(() => "created", (e: Error) => e.name);
    const logs = await functionLogs(app.url, "victim");
    const invokedByPage = logs.events.filter((e) => e.message.includes("from-the-page")).length;
    assert.deepEqual({ role, fn, invokedByPage }, { role: "NoSuchEntityException", fn: "ResourceNotFoundException", invokedByPage: 0 });

    const admin = (await page.evaluate("window.attackAdmin()")) as string[];
    assert.equal(admin.length, 3, admin.join("\n"));
    await page.close();
    const keeper = await c.iam.send(new GetRoleCommand({ RoleName: "keeper" })).then(() => "kept", (e: Error) => e.name);
    const functions = (await c.lambda.send(new ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName);
    const clockAfter = (await (await fetch(`${app.url}/_hyperlocal/clock`)).json()) as { offsetMs: number };
    assert.deepEqual({ keeper, functions, clockMovedMs: clockAfter.offsetMs - clockBefore.offsetMs }, { keeper: "kept", functions: ["victim"], clockMovedMs: 0 });
  });

  it("gets no CORS grant: the SDK in the page cannot read an answer", async () => {
    pages.put("/sdk.html", `<!doctype html><script src="/sdk.js"></script>`);
    pages.put("/sdk.js", await sdkBundle());
    const page = await browser.context.newPage();
    await page.goto(`http://localhost:${pages.port}/sdk.html`);
    const out = (await page.evaluate(`window.trySdk(${JSON.stringify(app.url)})`)) as { ok: boolean; error?: string };
    await page.close();
    assert.equal(out.ok, false);
    assert.match(out.error ?? "", /fetch|network/i);
  });
});

describe("a web page of an origin in --cors-origins", { skip: !HAS_CHROMIUM && "no /usr/bin/chromium" }, () => {
  let app: App;
  let pages: PageServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const lines: string[] = [];

  before(async () => {
    pages = await servePages();
    const origin = `http://localhost:${pages.port}`;
    const config = defaultConfig({ port: 0, host: "127.0.0.1", logLevel: "info", corsOrigins: [origin] });
    app = await startApp(config, { logger: createLogger("info", (l) => lines.push(l)) });
    browser = await launchChromium();
    pages.put("/sdk.html", `<!doctype html><script src="/sdk.js"></script>`);
    pages.put("/sdk.js", await sdkBundle());
  });
  after(async () => {
    await browser?.close();
    await pages?.close();
    await app?.close();
  });

  it("uses the AWS SDK v3 from the page: STS, IAM (read and write) and Lambda, after preflights", async () => {
    const page = await browser.context.newPage();
    await page.goto(`http://localhost:${pages.port}/sdk.html`);
    const out = (await page.evaluate(`window.trySdk(${JSON.stringify(app.url)})`)) as { ok: boolean; error?: string; arn?: string; roles?: string[]; functions?: number; requestId?: string; denied?: string };
    await page.close();
    assert.equal(out.ok, true, out.error);
    assert.equal(out.arn, "arn:aws:iam::000000000000:root");
    assert.deepEqual(out.roles, ["from-the-page"]);
    assert.equal(out.functions, 0);
    assert.match(out.requestId ?? "", /^[0-9a-f-]{36}$/, "x-amzn-RequestId is exposed to the page");
    assert.equal(out.denied, "ResourceNotFoundException", "a Lambda error reaches the page with its type (x-amzn-ErrorType exposed)");
    // The role the page created is really there, seen through the SDK in node.
    assert.ok((await clients(app.url).iam.send(new GetRoleCommand({ RoleName: "from-the-page" }))).Role);
    assert.ok(lines.some((l) => / preflight - 200 /.test(l)), "the browser sent a preflight and got the grant");
  });
});

/** The AWS SDK v3 clients (STS, IAM, Lambda) bundled for the browser, exposing window.trySdk(endpoint). */
let bundle: string | undefined;
async function sdkBundle(): Promise<string> {
  if (bundle) return bundle;
  const entry = `
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { IAMClient, CreateRoleCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { LambdaClient, ListFunctionsCommand, GetFunctionCommand } from "@aws-sdk/client-lambda";
window.trySdk = async (endpoint) => {
  const cfg = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 };
  try {
    const id = await new STSClient(cfg).send(new GetCallerIdentityCommand({}));
    const iam = new IAMClient(cfg);
    await iam.send(new CreateRoleCommand({ RoleName: "from-the-page", AssumeRolePolicyDocument: ${JSON.stringify(LAMBDA_TRUST)} }));
    const roles = (await iam.send(new ListRolesCommand({}))).Roles.map((r) => r.RoleName);
    const lambda = new LambdaClient(cfg);
    const fns = await lambda.send(new ListFunctionsCommand({}));
    let denied;
    try { await lambda.send(new GetFunctionCommand({ FunctionName: "nothing-here" })); } catch (e) { denied = e.name; }
    return { ok: true, arn: id.Arn, roles, functions: fns.Functions.length, requestId: fns.$metadata.requestId, denied };
  } catch (e) {
    return { ok: false, error: String(e && e.message || e) };
  }
};
`;
  const r = await build({ stdin: { contents: entry, resolveDir: ROOT, loader: "js" }, bundle: true, platform: "browser", format: "iife", write: false, logLevel: "silent", target: "chrome120" });
  bundle = r.outputFiles[0].text;
  return bundle;
}
