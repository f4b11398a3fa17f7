import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import { HttpRequest } from "@smithy/protocol-http";
import { Hash } from "@smithy/hash-node";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { runCli, startChildServer, type ChildServer } from "../support/server.ts";

async function signedFetch(url: string, service: string, method: string, path: string, body = "", headers: Record<string, string> = {}) {
  const u = new URL(url);
  const req = new HttpRequest({ method, protocol: "http:", hostname: u.hostname, port: Number(u.port), path, headers: { host: u.host, ...headers }, body });
  const signer = new SignatureV4({ credentials: { accessKeyId: "test", secretAccessKey: "test" }, region: "us-east-1", service, sha256: Hash.bind(null, "sha256"), uriEscapePath: true });
  const s = (await signer.sign(req)) as HttpRequest;
  return fetch(url + path, { method, headers: s.headers, body: method === "GET" ? undefined : body });
}

describe("the server started by the CLI, driven by real clients", () => {
  let server: ChildServer;
  before(async () => {
    server = await startChildServer();
  });
  after(() => server.stop());

  it("/usr/bin/aws sts get-caller-identity prints the root of account 000000000000", { skip: !hasAwsCli() && "needs Debian's awscli at /usr/bin/aws" }, async () => {
    const r = await aws(server.url, ["sts", "get-caller-identity"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json, { UserId: "000000000000", Account: "000000000000", Arn: "arn:aws:iam::000000000000:root" });
  });

  it("/usr/bin/aws shows AWS's error line for a wrong secret", { skip: !hasAwsCli() && "needs /usr/bin/aws" }, async () => {
    const r = await aws(server.url, ["sts", "get-caller-identity"], { accessKeyId: "test", secretAccessKey: "wrong" });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /An error occurred \(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation/);
  });

  it("@aws-sdk/client-sts GetCallerIdentity", async () => {
    const sts = new STSClient({ endpoint: server.url, region: "eu-west-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
    const out = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(out.Account, "000000000000");
    assert.equal(out.Arn, "arn:aws:iam::000000000000:root");
    assert.equal(out.UserId, "000000000000");
    assert.match(out.$metadata.requestId ?? "", /^[0-9a-f-]{36}$/);
    sts.destroy();
  });

  it("sends x-amzn-RequestId on every response, errors included", async () => {
    for (const r of [await fetch(server.url + "/_hyperlocal/health"), await fetch(server.url + "/"), await signedFetch(server.url, "sts", "POST", "/", "Action=Nope&Version=2011-06-15", { "content-type": "application/x-www-form-urlencoded" })]) {
      assert.match(r.headers.get("x-amzn-requestid") ?? "", /^[0-9a-f-]{36}$/);
    }
  });

  it("accepts Lambda paths with and without the trailing slash", async () => {
    for (const p of ["/2015-03-31/functions", "/2015-03-31/functions/"]) {
      const r = await signedFetch(server.url, "lambda", "GET", p);
      assert.equal(r.status, 200, p);
      assert.ok(Array.isArray(((await r.json()) as { Functions: unknown[] }).Functions));
    }
  });

  it("answers an unknown service with a clear AWS-style error", async () => {
    const r = await signedFetch(server.url, "sqs", "POST", "/", "Action=ListQueues", { "content-type": "application/x-www-form-urlencoded" });
    assert.equal(r.status, 501);
    assert.equal(r.headers.get("x-amzn-errortype"), "NotImplemented");
    assert.match(((await r.json()) as { message: string }).message, /does not implement the service 'sqs'/);
  });

  it("answers an unknown Lambda path in Lambda's shape", async () => {
    const r = await signedFetch(server.url, "lambda", "GET", "/2015-03-31/nothing-here");
    assert.equal(r.status, 404);
    assert.equal(r.headers.get("x-amzn-errortype"), "UnknownOperationException");
    const body = (await r.json()) as Record<string, unknown>;
    assert.equal(body.Type, "User");
    assert.equal("code" in body, false);
  });

  it("answers an unknown Action with InvalidAction in the query shape", async () => {
    const r = await signedFetch(server.url, "sts", "POST", "/", "Action=FlyToTheMoon&Version=2011-06-15", { "content-type": "application/x-www-form-urlencoded" });
    assert.equal(r.status, 400);
    const text = await r.text();
    assert.match(text, /<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>Could not find operation FlyToTheMoon for version 2011-06-15<\/Message>/);
  });

  it("answers an unsigned request in the intended service's shape", async () => {
    const ec2 = await fetch(server.url + "/", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=DescribeVpcs&Version=2016-11-15" });
    assert.equal(ec2.status, 401);
    assert.match(await ec2.text(), /<Response><Errors><Error><Code>MissingAuthenticationToken<\/Code>/);
    const lambda = await fetch(server.url + "/2015-03-31/functions");
    assert.equal(lambda.status, 403);
    assert.equal(lambda.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException");
  });

  it("limits request bodies with the service's own too-large error", async () => {
    const big = "Action=GetCallerIdentity&Version=2011-06-15&Pad=" + "x".repeat(1024 * 1024 + 10);
    const r = await signedFetch(server.url, "sts", "POST", "/", big, { "content-type": "application/x-www-form-urlencoded" });
    assert.equal(r.status, 413);
    assert.match(await r.text(), /<Code>RequestEntityTooLarge<\/Code>/);
    // Still serving afterwards.
    assert.equal((await fetch(server.url + "/_hyperlocal/health")).status, 200);
  });

  it("serves health at /_hyperlocal/health and /_localstack/health", async () => {
    for (const p of ["/_hyperlocal/health", "/_localstack/health"]) {
      const h = (await (await fetch(server.url + p)).json()) as { version: string; services: Record<string, string>; uptimeSeconds: number };
      assert.equal(h.version, "0.1.0");
      assert.deepEqual(Object.keys(h.services).sort(), ["cloudformation", "ec2", "iam", "lambda", "s3", "sts"]);
      assert.equal(typeof h.uptimeSeconds, "number");
    }
  });

  it("shows and advances the simulated clock", async () => {
    const before = (await (await fetch(server.url + "/_hyperlocal/clock")).json()) as { now: string; offsetMs: number };
    const adv = async (body: unknown) => (await (await fetch(server.url + "/_hyperlocal/clock/advance", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json()) as { now: string; offsetMs: number };
    const a = await adv({ days: 30 });
    assert.equal(a.offsetMs - before.offsetMs, 30 * 86_400_000);
    assert.ok(Date.parse(a.now) - Date.parse(before.now) >= 30 * 86_400_000);
    const b = await adv({ ms: 1500 });
    assert.equal(b.offsetMs - a.offsetMs, 1500);
    const bad = await fetch(server.url + "/_hyperlocal/clock/advance", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ days: -1 }) });
    assert.equal(bad.status, 400);
    const none = await fetch(server.url + "/_hyperlocal/clock/advance", { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    assert.equal(none.status, 400);
  });

  it("resets all state", async () => {
    const r = await fetch(server.url + "/_hyperlocal/reset", { method: "POST" });
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { reset: true });
    assert.equal((await fetch(server.url + "/_hyperlocal/nothing")).status, 404);
    assert.equal((await fetch(server.url + "/_hyperlocal/reset")).status, 405);
  });
});

describe("the CLI", () => {
  it("prints --help with every option and its variable", async () => {
    const r = await runCli(["--help"]);
    assert.equal(r.code, 0);
    for (const s of ["hyperlocal start", "--port", "--host", "--region", "--account", "--state-dir", "--log-level", "HYPERLOCAL_PORT"]) assert.ok(r.stdout.includes(s), s);
  });

  it("refuses a bad option with a message and exit code 2", async () => {
    const r = await runCli(["start", "--port", "nope"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--port: expected a whole number/);
  });

  it("honours the environment variables", async () => {
    const s = await startChildServer([], { HYPERLOCAL_ACCOUNT: "123456789012" });
    try {
      const r = await (await signedFetch(s.url, "sts", "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15", { "content-type": "application/x-www-form-urlencoded" })).text();
      assert.match(r, /<Arn>arn:aws:iam::123456789012:root<\/Arn>/);
    } finally {
      await s.stop();
    }
  });
});
