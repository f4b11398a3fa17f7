// What a browser could forge, from node with exact headers (docs/security.md, "Web pages and DNS
// rebinding"): a Host that is not this server (DNS rebinding), an Origin of another page, and body
// types the protocol does not use are refused with 403 in the addressed service's own shape; an
// origin in --cors-origins gets CORS answers; the SDK and the CLI keep working.
// Network safety: every request goes to 127.0.0.1; the attacker's name is only a Host header, never resolved.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { Hash } from "@smithy/hash-node";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { GetRoleCommand } from "@aws-sdk/client-iam";
import type { App } from "../../src/app.ts";
import { clients } from "../support/clients.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { startTestServer } from "../support/server.ts";
import { LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, method: string, path: string, headers: Record<string, string>, body = ""): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, setHost: !("host" in headers) }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Headers of a request signed (Authorization header) with the public test/test key, for this Host. */
async function signed(service: string, method: string, host: string, path: string, headers: Record<string, string>, body: string): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: { accessKeyId: "test", secretAccessKey: "test" }, region: "us-east-1", service, sha256: Hash.bind(null, "sha256"), uriEscapePath: true });
  const [p, q] = path.split("?");
  const query = Object.fromEntries(new URLSearchParams(q ?? ""));
  const r = (await signer.sign(new HttpRequest({ method, protocol: "http:", hostname: host.split(":")[0], path: p, query, headers: { host, ...headers }, body }))) as HttpRequest;
  return r.headers;
}

const IAM_REFUSAL = /^<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>AccessDenied<\/Code><Message>[^<]+<\/Message>/;

describe("requests a web page could forge", () => {
  let app: App;
  before(async () => {
    app = await startTestServer();
  });
  after(() => app.close());

  it("DNS rebinding: a Host naming another site gets 403 in each service's shape, even signed, and changes nothing", async () => {
    const evil = `attacker.example:${app.port}`;
    const form = new URLSearchParams({ Action: "CreateRole", Version: "2010-05-08", RoleName: "rebound", AssumeRolePolicyDocument: LAMBDA_TRUST }).toString();
    const iam = await send(app.port, "POST", "/", await signed("iam", "POST", evil, "/", { "content-type": "application/x-www-form-urlencoded" }, form), form);
    assert.equal(iam.status, 403);
    assert.match(iam.body, IAM_REFUSAL);
    assert.match(iam.body, /Host header &apos;attacker\.example:\d+&apos; does not name this server/);
    const err = await clients(app.url).iam.send(new GetRoleCommand({ RoleName: "rebound" })).catch((e: Error) => e);
    assert.equal((err as Error).name, "NoSuchEntityException");

    const lambda = await send(app.port, "GET", "/2015-03-31/functions/", await signed("lambda", "GET", evil, "/2015-03-31/functions/", {}, ""));
    assert.equal(lambda.status, 403);
    assert.equal(lambda.headers["x-amzn-errortype"], "AccessDeniedException");
    assert.match(JSON.parse(lambda.body).message, /DNS rebinding/);

    const ec2 = await send(app.port, "GET", "/?Action=DescribeVpcs&Version=2016-11-15", { host: evil });
    assert.equal(ec2.status, 403);
    assert.match(ec2.body, /<Response><Errors><Error><Code>UnauthorizedOperation<\/Code>/);

    const sts = await send(app.port, "GET", "/?Action=GetCallerIdentity&Version=2011-06-15", { host: evil });
    assert.match(sts.body, /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">.*<Code>AccessDenied<\/Code>/);

    const reset = await send(app.port, "POST", "/_hyperlocal/reset", { host: evil });
    assert.equal(reset.status, 403);
    assert.match(JSON.parse(reset.body).error, /Host header/);
    const health = await send(app.port, "GET", "/_hyperlocal/health", { host: evil });
    assert.equal(health.status, 403);
    for (const host of [`localhost:${app.port}`, `127.0.0.1:${app.port}`, "localhost"]) {
      assert.equal((await send(app.port, "GET", "/_hyperlocal/health", { host })).status, 200, host);
    }
  });

  it("a body type the protocol does not use gets 403 before it is parsed, signed or not", async () => {
    const host = `127.0.0.1:${app.port}`;
    const fn = JSON.stringify({ FunctionName: "typed", Runtime: "nodejs20.x", Role: "arn:aws:iam::000000000000:role/x", Handler: "index.handler", Code: { ZipFile: Buffer.from(nodeZip(NODE_ECHO)).toString("base64") } });
    for (const type of ["text/plain", "text/plain;charset=UTF-8", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"]) {
      const a = await send(app.port, "POST", "/2015-03-31/functions", await signed("lambda", "POST", host, "/2015-03-31/functions", { "content-type": type }, fn), fn);
      assert.equal(a.status, 403, type);
      assert.equal(a.headers["x-amzn-errortype"], "AccessDeniedException");
      assert.match(JSON.parse(a.body).message, /is not accepted here: send application\/json/);
    }
    const list = await clients(app.url).lambda.send(new ListFunctionsCommand({}));
    assert.deepEqual(list.Functions, []);

    const form = "Action=ListRoles&Version=2010-05-08";
    for (const type of ["text/plain", "multipart/form-data; boundary=x", "application/json"]) {
      const a = await send(app.port, "POST", "/", await signed("iam", "POST", host, "/", { "content-type": type }, form), form);
      assert.equal(a.status, 403, type);
      assert.match(a.body, IAM_REFUSAL);
    }
    const ec2 = await send(app.port, "POST", "/", await signed("ec2", "POST", host, "/", { "content-type": "text/plain" }, "Action=DescribeVpcs&Version=2016-11-15"), "Action=DescribeVpcs&Version=2016-11-15");
    assert.equal(ec2.status, 403);
    assert.match(ec2.body, /<Code>UnauthorizedOperation<\/Code>/);
  });

  it("a page of another origin gets 403 (Origin, Origin: null, or a cross-site request without one); its preflight gets no grant", async () => {
    const host = `127.0.0.1:${app.port}`;
    const form = "Action=GetCallerIdentity&Version=2011-06-15";
    const base = await signed("sts", "POST", host, "/", { "content-type": "application/x-www-form-urlencoded" }, form);
    const extras: Record<string, string>[] = [{ origin: "http://evil.example" }, { origin: "null" }, { origin: "http://127.0.0.1:1" }, { "sec-fetch-site": "cross-site" }];
    for (const extra of extras) {
      const a = await send(app.port, "POST", "/", { ...base, ...extra }, form);
      assert.equal(a.status, 403, JSON.stringify(extra));
      assert.match(a.body, /<Code>AccessDenied<\/Code>/);
      assert.equal(a.headers["access-control-allow-origin"], undefined);
    }
    // Its own origin (a page hyperlocal serves itself) is fine.
    assert.equal((await send(app.port, "POST", "/", { ...base, origin: `http://${host}` }, form)).status, 200);
    const pre = await send(app.port, "OPTIONS", "/", { origin: "http://evil.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization" });
    assert.equal(pre.status, 403);
    assert.equal(pre.headers["access-control-allow-origin"], undefined);
  });

  it("the AWS CLI still works: IAM, STS, EC2 and Lambda with a zip", { skip: !hasAwsCli() && "no /usr/bin/aws" }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "hyperlocal-cli-"));
    writeFileSync(join(dir, "f.zip"), nodeZip(NODE_ECHO));
    const role = await aws(app.url, ["iam", "create-role", "--role-name", "cli-role", "--assume-role-policy-document", LAMBDA_TRUST]);
    assert.equal(role.code, 0, role.stderr);
    assert.equal((await aws(app.url, ["sts", "get-caller-identity"])).json.Account, "000000000000");
    assert.equal((await aws(app.url, ["ec2", "describe-vpcs"])).code, 0);
    const created = await aws(app.url, ["lambda", "create-function", "--function-name", "cli-fn", "--runtime", "nodejs20.x", "--role", role.json.Role.Arn, "--handler", "index.handler", "--zip-file", `fileb://${join(dir, "f.zip")}`]);
    assert.equal(created.code, 0, created.stderr);
    const updated = await aws(app.url, ["lambda", "update-function-code", "--function-name", "cli-fn", "--zip-file", `fileb://${join(dir, "f.zip")}`]);
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal((await aws(app.url, ["lambda", "tag-resource", "--resource", created.json.FunctionArn, "--tags", "a=b"])).code, 0);
    assert.equal((await aws(app.url, ["lambda", "untag-resource", "--resource", created.json.FunctionArn, "--tag-keys", "a"])).code, 0);
    assert.equal((await aws(app.url, ["lambda", "delete-function", "--function-name", "cli-fn"])).code, 0);
  });
});

describe("an origin in --cors-origins", () => {
  const origin = "http://localhost:5173";
  let app: App;
  before(async () => {
    app = await startTestServer({ corsOrigins: [origin] });
  });
  after(() => app.close());

  it("gets a preflight grant with the SDK's headers, and CORS headers on answers and errors", async () => {
    const pre = await send(app.port, "OPTIONS", "/2015-03-31/functions/f/invocations", {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-date,x-amz-user-agent,x-amz-invocation-type,x-amz-log-type",
    });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers["access-control-allow-origin"], origin);
    assert.match(String(pre.headers["access-control-allow-methods"]), /POST/);
    for (const h of ["authorization", "x-amz-date", "x-amz-security-token", "amz-sdk-invocation-id", "x-amz-invocation-type", "x-amz-client-context"]) {
      assert.ok(String(pre.headers["access-control-allow-headers"]).split(", ").includes(h), h);
    }
    assert.match(String(pre.headers["access-control-expose-headers"]), /x-amzn-RequestId.*x-amzn-ErrorType.*x-amz-function-error.*x-amz-log-result.*x-amz-executed-version/);
    assert.ok(Number(pre.headers["access-control-max-age"]) > 0);

    // The SDK with that Origin on every request, as a browser adds it.
    const withOrigin = { endpoint: app.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 };
    const sts = new STSClient(withOrigin);
    const lambda = new LambdaClient(withOrigin);
    let seen: Record<string, string> | undefined;
    type Next = (args: { request: unknown }) => Promise<{ response: unknown }>;
    for (const c of [sts, lambda]) {
      (c.middlewareStack as unknown as { add(mw: (next: Next) => Next, opts: object): void }).add(
        (next) => async (args) => {
          (args.request as HttpRequest).headers.origin = origin;
          (args.request as HttpRequest).headers["sec-fetch-site"] = "same-site";
          const out = await next(args);
          seen = (out.response as { headers: Record<string, string> }).headers;
          return out;
        },
        { step: "finalizeRequest", name: "addOrigin" },
      );
    }
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, "000000000000");
    assert.equal(seen?.["access-control-allow-origin"], origin);
    assert.deepEqual((await lambda.send(new ListFunctionsCommand({}))).Functions, []);
    assert.equal(seen?.["access-control-allow-origin"], origin);
    assert.match(String(seen?.["access-control-expose-headers"]), /x-amzn-ErrorType/);
    // Another origin still gets nothing.
    const other = await send(app.port, "OPTIONS", "/", { origin: "http://localhost:5174", "access-control-request-method": "POST" });
    assert.equal(other.headers["access-control-allow-origin"], undefined);
  });
});
