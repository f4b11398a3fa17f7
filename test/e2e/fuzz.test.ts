import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { randomBytes } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { HttpRequest } from "@smithy/protocol-http";
import { Hash } from "@smithy/hash-node";
import * as Iam from "@aws-sdk/client-iam";
import * as Lambda from "@aws-sdk/client-lambda";
import * as Ec2 from "@aws-sdk/client-ec2";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import type { App } from "../../src/app.ts";
import { clients, rejects } from "../support/clients.ts";
import { startChildServer, startTestServer, tempDir } from "../support/server.ts";
import { advanceClock, LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";

/**
 * Thousands of random and malformed requests to every protocol: garbage bodies, broken XML/JSON and
 * form encodings, broken signatures, huge headers, truncated uploads, wrong methods. Every answer
 * must be a 4xx in the shape of the protocol addressed (or a 2xx for a request that happened to be
 * valid), never a 5xx, and the server must keep serving.
 */
const PER_PROTOCOL = 5000; // per protocol family: rest-json, EC2 query, IAM/STS query
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

let state = SEED;
function rand(n: number): number {
  // xorshift: reproducible with FUZZ_SEED
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return Math.abs(state) % n;
}
function pick<T>(xs: T[]): T {
  return xs[rand(xs.length)];
}
function junk(max: number): string {
  const alphabets = ["abcXYZ019", "<>&\"'=;%{}[]", "\u00e9\u4e2d\ud83d\ude00", "\u0000\u0001\u007f", ".-_~/+? "];
  let s = "";
  const n = rand(max);
  for (let i = 0; i < n; i++) s += pick(alphabets)[rand(8)] ?? "x";
  return s;
}

/** junk() may cut a surrogate pair in half, which encodeURIComponent refuses. */
function enc(s: string): string {
  return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, "?"));
}

const signers = new Map<string, SignatureV4>();
function signer(service: string) {
  let s = signers.get(service);
  if (!s) {
    s = new SignatureV4({ credentials: { accessKeyId: "test", secretAccessKey: "test" }, region: "us-east-1", service, sha256: Hash.bind(null, "sha256"), uriEscapePath: true });
    signers.set(service, s);
  }
  return s;
}

interface Fuzzed {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  family: "rest-json" | "ec2" | "query";
  mayBeValid: boolean;
}

async function sign(f: Fuzzed, service: string, port: number): Promise<Fuzzed> {
  const q = f.path.indexOf("?");
  const query: Record<string, string> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(f.path.slice(q + 1))) query[k] = v;
  const req = new HttpRequest({ method: f.method, protocol: "http:", hostname: "127.0.0.1", port, path: q >= 0 ? f.path.slice(0, q) : f.path, query, headers: { host: `127.0.0.1:${port}`, ...f.headers }, body: f.body });
  try {
    const s = (await signer(service).sign(req)) as HttpRequest;
    return { ...f, headers: s.headers };
  } catch {
    return f; // a path the signer cannot handle goes unsigned
  }
}

const QUERY_SERVICES: Record<"ec2" | "query", { services: string[]; versions: string[] }> = {
  ec2: { services: ["ec2"], versions: ["2016-11-15"] },
  query: { services: ["iam", "sts"], versions: ["2010-05-08", "2011-06-15"] },
};

async function makeRequest(family: Fuzzed["family"], port: number): Promise<Fuzzed> {
  const kind = rand(10);
  if (family === "rest-json") {
    const fn = pick(["f", enc(junk(30)) || "x", "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af", "%ZZ", "a".repeat(300)]);
    const path = pick([
      `/2015-03-31/functions/${fn}`,
      `/2015-03-31/functions/${fn}/invocations`,
      `/2015-03-31/functions/${fn}/configuration`,
      `/2015-03-31/functions/${fn}/${enc(junk(10))}`,
      `/2015-03-31/functions?MaxItems=${junk(5)}&Marker=${enc(junk(10))}`,
      `/2015-03-31/${enc(junk(20))}`,
      `/2017-10-31/functions/${fn}/concurrency`,
    ]);
    const body = kind < 3 ? randomBytes(rand(2000)) : Buffer.from(pick(["{", '{"FunctionName":', "[]", "null", '{"a":' + "[".repeat(200), junk(500), '{"Code":{"ZipFile":"' + junk(50) + '"}}']));
    const f: Fuzzed = { method: pick(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]), path, headers: { "content-type": pick(["application/json", "application/octet-stream", "text/plain", junk(20)]) }, body, family, mayBeValid: true };
    return kind < 8 ? sign(f, "lambda", port) : breakAuth(f);
  }
  const spec = QUERY_SERVICES[family];
  const service = pick(spec.services);
  const params = new URLSearchParams();
  params.set("Action", pick([junk(20) || "Nope", "Describe" + junk(8), "Create" + junk(6)]));
  if (rand(3) > 0) params.set("Version", pick([...spec.versions, junk(10)]));
  for (let i = rand(8); i > 0; i--) params.append(pick(["Filter.1.Name", "Filter.x.Value.1", "VpcId.1", "a..b", ".", "UserName", junk(15)]), junk(40));
  let body: Buffer;
  if (kind < 3) body = randomBytes(rand(3000));
  else if (kind < 5) body = Buffer.from(pick(["<xml><unclosed>", '{"json":true}', "%%%%", "Action", "=&=&=", junk(800)]));
  else body = Buffer.from(params.toString());
  const f: Fuzzed = {
    method: pick(["POST", "POST", "POST", "GET", "PUT", "DELETE"]),
    path: rand(4) === 0 ? `/?${params.toString()}` : "/",
    headers: { "content-type": pick(["application/x-www-form-urlencoded; charset=utf-8", "application/x-www-form-urlencoded", "application/json", junk(15)]) },
    body,
    family,
    mayBeValid: false,
  };
  return kind < 8 ? sign(f, service, port) : breakAuth(f);
}

function breakAuth(f: Fuzzed): Fuzzed {
  const headers = { ...f.headers };
  const variant = rand(4);
  if (variant === 0) headers.authorization = junk(200);
  else if (variant === 1) headers.authorization = `AWS4-HMAC-SHA256 Credential=test/20200101/us-east-1/${pick(["lambda", "ec2", "iam", "sts"])}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;
  else if (variant === 2) headers["x-amz-date"] = junk(16);
  return { ...f, headers };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, agent: Agent, f: Fuzzed): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(f.headers)) if (!/[\r\n\u0000-\u001f\u007f-\uffff]/.test(v) && k.toLowerCase() !== "host") headers[k] = v;
    const withBody = f.method !== "GET" && f.method !== "HEAD";
    headers["content-length"] = String(withBody ? f.body.length : 0);
    const req = request({ host: "127.0.0.1", port, method: f.method, path: f.path.replace(/[^\x21-\x7e]/g, "_"), headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer within 10 s to ${f.method} ${f.path.slice(0, 80)}`)));
    req.on("error", reject);
    req.end(withBody ? f.body : undefined);
  });
}

function assertShape(f: Fuzzed, a: Answer, what: string): void {
  assert.ok(a.status < 500, `${what}: server error ${a.status} ${a.body.slice(0, 300)}`);
  if (a.status < 300) {
    assert.ok(f.mayBeValid || a.status < 300, what);
    return;
  }
  assert.ok(a.status >= 400, `${what}: status ${a.status}`);
  assert.match(String(a.headers["x-amzn-requestid"] ?? ""), /^[0-9a-f-]{36}$/, `${what}: request id`);
  if (a.headers["x-amzn-errortype"] !== undefined || f.family === "rest-json") {
    assert.ok(a.headers["x-amzn-errortype"], `${what}: rest-json error without X-Amzn-ErrorType: ${a.body.slice(0, 200)}`);
    if (f.method === "HEAD") return;
    const body = JSON.parse(a.body);
    assert.equal(typeof (body.message ?? body.Message), "string", `${what}: ${a.body}`);
    assert.equal("code" in body, false);
    return;
  }
  if (f.family === "ec2") assert.match(a.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>[^<]+<\/Code><Message>[^]*<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/, `${what}: ${a.body.slice(0, 300)}`);
  else assert.match(a.body, /^<ErrorResponse xmlns="https:\/\/(iam|sts)\.amazonaws\.com\/doc\/\d{4}-\d\d-\d\d\/"><Error><Type>(Sender|Receiver)<\/Type><Code>[^<]+<\/Code><Message>[^]*<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/, `${what}: ${a.body.slice(0, 300)}`);
}

describe(`fuzzing every protocol (seed ${SEED})`, () => {
  let app: App;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  before(async () => {
    app = await startTestServer();
    port = app.port;
  });
  after(async () => {
    agent.destroy();
    await app.close();
  });

  for (const family of ["rest-json", "ec2", "query"] as const) {
    it(`${PER_PROTOCOL} malformed ${family} requests each get a 4xx in the right shape`, async () => {
      let sent = 0;
      const worker = async () => {
        while (sent < PER_PROTOCOL) {
          const n = sent++;
          const f = await makeRequest(family, port);
          const a = await send(port, agent, f);
          assertShape(f, a, `#${n} ${f.method} ${f.path.slice(0, 80)}`);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      assert.ok(sent >= PER_PROTOCOL);
    });
  }

  it("huge headers get a 431 answer, and the server keeps serving", async () => {
    const raw = await new Promise<string>((resolve) => {
      const s = connect(port, "127.0.0.1", () => {
        s.write(`GET /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(70 * 1024)}\r\n\r\n`);
      });
      let data = "";
      s.on("data", (d) => (data += d));
      s.on("close", () => resolve(data));
      s.on("error", () => resolve(data));
    });
    assert.match(raw, /^HTTP\/1.1 431 /);
    assert.match(raw, /x-amzn-ErrorType: RequestHeaderFieldsTooLarge/);
  });

  it("truncated uploads and garbage bytes on the socket do not hurt the server", async () => {
    for (let i = 0; i < 50; i++) {
      await new Promise<void>((resolve) => {
        const s = connect(port, "127.0.0.1", () => {
          if (i % 2 === 0) s.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nAction=Get`);
          else s.write(randomBytes(200));
          setTimeout(() => s.destroy(), 5);
        });
        s.on("close", () => resolve());
        s.on("error", () => resolve());
      });
    }
    const health = await fetch(`http://127.0.0.1:${port}/_hyperlocal/health`);
    assert.equal(health.status, 200);
  });

  it("still answers real clients correctly afterwards", async () => {
    const f = await sign({ method: "POST", path: "/", headers: { "content-type": "application/x-www-form-urlencoded" }, body: Buffer.from("Action=GetCallerIdentity&Version=2011-06-15"), family: "query", mayBeValid: true }, "sts", port);
    const a = await send(port, agent, f);
    assert.equal(a.status, 200);
    assert.match(a.body, /<Arn>arn:aws:iam::000000000000:root<\/Arn>/);
  });
});

/**
 * Names that are members of Object.prototype, in every position where a user gives a name, an id or
 * a region: state kept in plain objects answers them from the prototype (a false "already exists",
 * a 500, a lost tag). Each must be a name like any other: created, found, listed, refused twice.
 */
const PROTO_NAMES = ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "prototype", "__defineGetter__", "isPrototypeOf"];

describe("names that are JavaScript object properties, in every name, id and region position", () => {
  let app: App;
  let c: ReturnType<typeof clients>;
  let role: string;
  before(async () => {
    app = await startTestServer();
    c = clients(app.url);
    role = (await c.iam.send(new Iam.CreateRoleCommand({ RoleName: "fuzz-exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
  });
  after(async () => {
    for (const x of Object.values(c)) x.destroy();
    await app.close();
  });

  const noServerError = (e: { $metadata: { httpStatusCode?: number } }, what: string) => assert.ok((e.$metadata.httpStatusCode ?? 0) < 500, `${what}: ${e.$metadata.httpStatusCode} ${(e as unknown as Error).message}`);

  it("Lambda function names: absent before, created, found, listed, a second create conflicts, deleted", async () => {
    for (const name of PROTO_NAMES) {
      const missing = await rejects(c.lambda.send(new Lambda.GetFunctionCommand({ FunctionName: name })));
      assert.equal(missing.name, "ResourceNotFoundException", `${name} before create: ${missing.message}`);
      const made = await c.lambda.send(new Lambda.CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_ECHO) } }));
      assert.equal(made.FunctionName, name);
      const again = await rejects(c.lambda.send(new Lambda.CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_ECHO) } })));
      assert.equal(again.name, "ResourceConflictException", name);
      assert.equal((await c.lambda.send(new Lambda.GetFunctionCommand({ FunctionName: name }))).Configuration!.FunctionName, name);
      const byArn = await c.lambda.send(new Lambda.GetFunctionConfigurationCommand({ FunctionName: `arn:aws:lambda:us-east-1:000000000000:function:${name}` }));
      assert.equal(byArn.FunctionName, name);
    }
    for (const name of PROTO_NAMES) {
      const e = await rejects(c.lambda.send(new Lambda.CreateFunctionCommand({ FunctionName: `rt-${name}`, Runtime: name as Lambda.Runtime, Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_ECHO) } })));
      assert.ok(["InvalidParameterValueException", "ValidationException"].includes(e.name), `runtime ${name}: ${e.name} ${e.message}`);
    }
    const listed = (await c.lambda.send(new Lambda.ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName);
    for (const name of PROTO_NAMES) assert.ok(listed.includes(name), `${name} listed`);
    await advanceClock(app.url, 10);
  });

  it("qualifiers, aliases, permissions and versions named like them", async () => {
    const fn = PROTO_NAMES[0];
    for (const name of PROTO_NAMES) {
      const q = await rejects(c.lambda.send(new Lambda.GetFunctionCommand({ FunctionName: fn, Qualifier: name })));
      assert.equal(q.name, "ResourceNotFoundException", `qualifier ${name}: ${q.message}`);
      const a0 = await rejects(c.lambda.send(new Lambda.GetAliasCommand({ FunctionName: fn, Name: name })));
      assert.equal(a0.name, "ResourceNotFoundException", `alias ${name} before create`);
      const a = await c.lambda.send(new Lambda.CreateAliasCommand({ FunctionName: fn, Name: name, FunctionVersion: "$LATEST" }));
      assert.equal(a.Name, name);
      const a2 = await rejects(c.lambda.send(new Lambda.CreateAliasCommand({ FunctionName: fn, Name: name, FunctionVersion: "$LATEST" })));
      assert.equal(a2.name, "ResourceConflictException", `alias ${name} twice`);
      assert.equal((await c.lambda.send(new Lambda.GetAliasCommand({ FunctionName: fn, Name: name }))).Name, name);
      const p0 = await rejects(c.lambda.send(new Lambda.GetPolicyCommand({ FunctionName: fn, Qualifier: name })));
      assert.equal(p0.name, "ResourceNotFoundException", `policy of alias ${name} before any`);
      await c.lambda.send(new Lambda.AddPermissionCommand({ FunctionName: fn, StatementId: name, Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com" }));
      const dup = await rejects(c.lambda.send(new Lambda.AddPermissionCommand({ FunctionName: fn, StatementId: name, Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com" })));
      assert.equal(dup.name, "ResourceConflictException", `statement ${name} twice`);
    }
    const aliases = (await c.lambda.send(new Lambda.ListAliasesCommand({ FunctionName: fn }))).Aliases!.map((x) => x.Name);
    assert.deepEqual([...aliases].sort(), [...PROTO_NAMES].sort());
    const policy = JSON.parse((await c.lambda.send(new Lambda.GetPolicyCommand({ FunctionName: fn }))).Policy!);
    assert.deepEqual(policy.Statement.map((x: { Sid: string }) => x.Sid).sort(), [...PROTO_NAMES].sort());
    for (const name of PROTO_NAMES) await c.lambda.send(new Lambda.DeleteAliasCommand({ FunctionName: fn, Name: name }));
    assert.deepEqual((await c.lambda.send(new Lambda.ListAliasesCommand({ FunctionName: fn }))).Aliases, []);
  });

  it("Lambda tag keys and values, and environment variable keys", async () => {
    const fn = PROTO_NAMES[1];
    const arn = `arn:aws:lambda:us-east-1:000000000000:function:${fn}`;
    const tags = Object.fromEntries(PROTO_NAMES.map((n) => [n, n]));
    await c.lambda.send(new Lambda.TagResourceCommand({ Resource: arn, Tags: tags }));
    assert.deepEqual((await c.lambda.send(new Lambda.ListTagsCommand({ Resource: arn }))).Tags, tags);
    await c.lambda.send(new Lambda.UntagResourceCommand({ Resource: arn, TagKeys: ["__proto__", "constructor"] }));
    const left = (await c.lambda.send(new Lambda.ListTagsCommand({ Resource: arn }))).Tags!;
    assert.deepEqual(Object.keys(left).sort(), PROTO_NAMES.filter((n) => n !== "__proto__" && n !== "constructor").sort());
    // Keys Lambda's pattern allows ([a-zA-Z]([a-zA-Z0-9_])+) round-trip; the others are refused as AWS refuses them.
    const allowed = PROTO_NAMES.filter((n) => /^[a-zA-Z][a-zA-Z0-9_]+$/.test(n));
    const vars = Object.fromEntries(allowed.map((n) => [n, `v-${n}`]));
    const cfg = await c.lambda.send(new Lambda.UpdateFunctionConfigurationCommand({ FunctionName: fn, Environment: { Variables: vars } }));
    assert.deepEqual(cfg.Environment?.Variables, vars);
    await advanceClock(app.url, 10);
    assert.deepEqual((await c.lambda.send(new Lambda.GetFunctionConfigurationCommand({ FunctionName: fn }))).Environment?.Variables, vars);
    for (const n of PROTO_NAMES.filter((x) => !allowed.includes(x))) {
      const e = await rejects(c.lambda.send(new Lambda.UpdateFunctionConfigurationCommand({ FunctionName: fn, Environment: { Variables: { [n]: "x" } } })));
      assert.equal(e.name, "ValidationException", `environment key ${n}: ${e.message}`);
    }
  });

  it("IAM users, groups, roles, managed and inline policies, tags", async () => {
    const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
    for (const name of PROTO_NAMES) {
      const before = await rejects(c.iam.send(new Iam.GetUserCommand({ UserName: name })));
      assert.equal(before.name, "NoSuchEntityException", `user ${name} before create`);
      await c.iam.send(new Iam.CreateUserCommand({ UserName: name, Tags: [{ Key: name, Value: name }] }));
      assert.equal((await rejects(c.iam.send(new Iam.CreateUserCommand({ UserName: name })))).name, "EntityAlreadyExistsException", `user ${name} twice`);
      const u = (await c.iam.send(new Iam.GetUserCommand({ UserName: name }))).User!;
      assert.equal(u.UserName, name);
      assert.deepEqual(u.Tags, [{ Key: name, Value: name }]);

      assert.equal((await rejects(c.iam.send(new Iam.GetGroupCommand({ GroupName: name })))).name, "NoSuchEntityException", `group ${name}`);
      await c.iam.send(new Iam.CreateGroupCommand({ GroupName: name }));
      assert.equal((await rejects(c.iam.send(new Iam.CreateGroupCommand({ GroupName: name })))).name, "EntityAlreadyExistsException");
      await c.iam.send(new Iam.AddUserToGroupCommand({ GroupName: name, UserName: name }));

      assert.equal((await rejects(c.iam.send(new Iam.GetRoleCommand({ RoleName: name })))).name, "NoSuchEntityException", `role ${name}`);
      await c.iam.send(new Iam.CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: LAMBDA_TRUST }));
      assert.equal((await rejects(c.iam.send(new Iam.CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: LAMBDA_TRUST })))).name, "EntityAlreadyExistsException");
      await c.iam.send(new Iam.TagRoleCommand({ RoleName: name, Tags: [{ Key: name, Value: name }] }));

      const missingInline = await rejects(c.iam.send(new Iam.GetUserPolicyCommand({ UserName: name, PolicyName: name })));
      assert.equal(missingInline.name, "NoSuchEntityException", `inline ${name} before put`);
      await c.iam.send(new Iam.PutUserPolicyCommand({ UserName: name, PolicyName: name, PolicyDocument: doc }));
      await c.iam.send(new Iam.PutRolePolicyCommand({ RoleName: name, PolicyName: name, PolicyDocument: doc }));
      await c.iam.send(new Iam.PutGroupPolicyCommand({ GroupName: name, PolicyName: name, PolicyDocument: doc }));
      assert.equal((await c.iam.send(new Iam.GetRolePolicyCommand({ RoleName: name, PolicyName: name }))).PolicyName, name);

      const policy = (await c.iam.send(new Iam.CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc }))).Policy!;
      assert.equal((await rejects(c.iam.send(new Iam.CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc })))).name, "EntityAlreadyExistsException");
      await c.iam.send(new Iam.AttachUserPolicyCommand({ UserName: name, PolicyArn: policy.Arn }));

      const key = await rejects(c.iam.send(new Iam.UpdateAccessKeyCommand({ AccessKeyId: name, Status: "Inactive" })));
      noServerError(key, `access key id ${name}`);
      assert.ok(["NoSuchEntityException", "ValidationError"].includes(key.name), `access key id ${name}: ${key.name}`);
    }
    const users = (await c.iam.send(new Iam.ListUsersCommand({}))).Users!.map((u) => u.UserName);
    for (const name of PROTO_NAMES) assert.ok(users.includes(name), `user ${name} listed`);
    const inline = (await c.iam.send(new Iam.ListUserPoliciesCommand({ UserName: "constructor" }))).PolicyNames;
    assert.deepEqual(inline, ["constructor"]);
    // A user whose name and tag are prototype names has working credentials and policies.
    const k = (await c.iam.send(new Iam.CreateAccessKeyCommand({ UserName: "__proto__" }))).AccessKey!;
    const as = clients(app.url, { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! });
    const who = await as.sts.send(new (await import("@aws-sdk/client-sts")).GetCallerIdentityCommand({}));
    assert.equal(who.Arn, "arn:aws:iam::000000000000:user/__proto__");
    const denied = await rejects(as.iam.send(new Iam.ListUsersCommand({})));
    assert.equal(denied.name, "AccessDenied");
    // Role sessions named like them.
    await c.iam.send(new Iam.UpdateAssumeRolePolicyCommand({ RoleName: "toString", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] }) }));
    for (const name of PROTO_NAMES) {
      const s = await c.sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/toString", RoleSessionName: name }));
      assert.equal(s.AssumedRoleUser!.Arn, `arn:aws:sts::000000000000:assumed-role/toString/${name}`);
    }
    for (const x of Object.values(as)) x.destroy();
  });

  it("EC2 tag keys and values, filter names, tag filters and resource ids", async () => {
    const vpc = (await c.ec2.send(new Ec2.CreateVpcCommand({ CidrBlock: "10.9.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: PROTO_NAMES.map((n) => ({ Key: n, Value: n })) }] }))).Vpc!;
    assert.deepEqual(Object.fromEntries(vpc.Tags!.map((t) => [t.Key, t.Value])), Object.fromEntries(PROTO_NAMES.map((n) => [n, n])));
    const sg = await c.ec2.send(new Ec2.CreateSecurityGroupCommand({ GroupName: "g", Description: "d", VpcId: vpc.VpcId }));
    await c.ec2.send(new Ec2.CreateTagsCommand({ Resources: [sg.GroupId!], Tags: PROTO_NAMES.map((n) => ({ Key: n, Value: `v-${n}` })) }));
    const acl = (await c.ec2.send(new Ec2.CreateNetworkAclCommand({ VpcId: vpc.VpcId }))).NetworkAcl!.NetworkAclId!;
    for (const name of PROTO_NAMES) {
      const byTag = await c.ec2.send(new Ec2.DescribeVpcsCommand({ Filters: [{ Name: `tag:${name}`, Values: [name] }] }));
      assert.deepEqual(byTag.Vpcs!.map((v) => v.VpcId), [vpc.VpcId], `tag:${name}`);
      const byKey = await c.ec2.send(new Ec2.DescribeSecurityGroupsCommand({ Filters: [{ Name: "tag-key", Values: [name] }] }));
      assert.deepEqual(byKey.SecurityGroups!.map((g) => g.GroupId), [sg.GroupId], `tag-key ${name}`);
      const badFilter = await rejects(c.ec2.send(new Ec2.DescribeVpcsCommand({ Filters: [{ Name: name, Values: ["x"] }] })));
      assert.equal(badFilter.name, "InvalidParameterValue", `filter name ${name}: ${badFilter.message}`);
      const badId = await rejects(c.ec2.send(new Ec2.DescribeVpcsCommand({ VpcIds: [name] })));
      noServerError(badId, `vpc id ${name}`);
      assert.match(badId.name, /^InvalidVpcID\.(Malformed|NotFound)$/, `vpc id ${name}`);
      const badTagTarget = await rejects(c.ec2.send(new Ec2.CreateTagsCommand({ Resources: [name], Tags: [{ Key: "k", Value: "v" }] })));
      noServerError(badTagTarget, `tag target ${name}`);
      const proto = await rejects(c.ec2.send(new Ec2.AuthorizeSecurityGroupIngressCommand({ GroupId: sg.GroupId, IpPermissions: [{ IpProtocol: name, FromPort: 1, ToPort: 2, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }] })));
      noServerError(proto, `IpProtocol ${name}`);
      const aclProto = await rejects(c.ec2.send(new Ec2.CreateNetworkAclEntryCommand({ NetworkAclId: acl, RuleNumber: 10, Protocol: name, RuleAction: "allow", Egress: false, CidrBlock: "10.0.0.0/8", PortRange: { From: 1, To: 2 } })));
      noServerError(aclProto, `ACL protocol ${name}`);
      const groupName = await c.ec2.send(new Ec2.CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpc.VpcId }));
      const dup = await rejects(c.ec2.send(new Ec2.CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpc.VpcId })));
      assert.equal(dup.name, "InvalidGroup.Duplicate", `group name ${name}`);
      const found = await c.ec2.send(new Ec2.DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: [name] }, { Name: "vpc-id", Values: [vpc.VpcId!] }] }));
      assert.deepEqual(found.SecurityGroups!.map((g) => g.GroupId), [groupName.GroupId]);
    }
    await c.ec2.send(new Ec2.DeleteTagsCommand({ Resources: [vpc.VpcId!], Tags: [{ Key: "__proto__" }, { Key: "constructor" }] }));
    const after = (await c.ec2.send(new Ec2.DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: [vpc.VpcId!] }] }))).Tags!.map((t) => t.Key).sort();
    assert.deepEqual(after, PROTO_NAMES.filter((n) => n !== "__proto__" && n !== "constructor").sort());
  });

  /** A request signed for a region named by the caller (the SDKs refuse such regions client-side). */
  async function inRegion(region: string, service: string, f: { method: string; path: string; body?: string; headers?: Record<string, string> }): Promise<Answer> {
    const signer = new SignatureV4({ credentials: { accessKeyId: "test", secretAccessKey: "test" }, region, service, sha256: Hash.bind(null, "sha256"), uriEscapePath: true });
    const req = new HttpRequest({ method: f.method, protocol: "http:", hostname: "127.0.0.1", port: app.port, path: f.path, headers: { host: `127.0.0.1:${app.port}`, ...(f.headers ?? {}) }, body: f.body });
    const signed = (await signer.sign(req)) as HttpRequest;
    const r = await fetch(`${app.url}${f.path}`, { method: f.method, headers: Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== "host")), body: f.body });
    return { status: r.status, headers: Object.fromEntries(r.headers), body: await r.text() };
  }

  it("regions named like them in the credential scope: each is a region of its own", async () => {
    const zip = Buffer.from(nodeZip(NODE_ECHO)).toString("base64");
    const create = (name: string) =>
      JSON.stringify({ FunctionName: name, Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip } });
    for (const region of PROTO_NAMES) {
      const list = await inRegion(region, "lambda", { method: "GET", path: "/2015-03-31/functions" });
      assert.equal(list.status, 200, `${region}: ${list.body}`);
      assert.deepEqual(JSON.parse(list.body).Functions, [], `${region} starts empty`);
      const made = await inRegion(region, "lambda", { method: "POST", path: "/2015-03-31/functions", body: create(`in-${region}`), headers: { "content-type": "application/json" } });
      assert.equal(made.status, 201, `${region}: ${made.body}`);
      assert.equal(JSON.parse(made.body).FunctionArn, `arn:aws:lambda:${region}:000000000000:function:in-${region}`);
      const got = await inRegion(region, "lambda", { method: "GET", path: `/2015-03-31/functions/in-${region}` });
      assert.equal(got.status, 200, `${region}: ${got.body}`);
      const again = await inRegion(region, "lambda", { method: "POST", path: "/2015-03-31/functions", body: create(`in-${region}`), headers: { "content-type": "application/json" } });
      assert.equal(again.status, 409, `${region}: ${again.body}`);
      const vpcs = await inRegion(region, "ec2", { method: "POST", path: "/", body: "Action=DescribeVpcs&Version=2016-11-15", headers: { "content-type": "application/x-www-form-urlencoded" } });
      assert.ok(vpcs.status < 500, `${region} ec2: ${vpcs.status} ${vpcs.body}`);
      const iam = await inRegion(region, "iam", { method: "POST", path: "/", body: "Action=GetUser&UserName=constructor&Version=2010-05-08", headers: { "content-type": "application/x-www-form-urlencoded" } });
      assert.equal(iam.status, 200, `${region} iam (global): ${iam.body}`);
    }
    // us-east-1 does not see them.
    const home = (await c.lambda.send(new Lambda.ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName);
    assert.equal(home.some((n) => n!.startsWith("in-")), false);
  });

  it("a 12-digit account key is an account of its own; account positions in ARNs are validated", async () => {
    const other = clients(app.url, { accessKeyId: "123456789012", secretAccessKey: "test" });
    assert.deepEqual((await other.lambda.send(new Lambda.ListFunctionsCommand({}))).Functions, []);
    const missing = await rejects(other.lambda.send(new Lambda.GetFunctionCommand({ FunctionName: "constructor" })));
    assert.equal(missing.name, "ResourceNotFoundException");
    for (const name of PROTO_NAMES) {
      const e = await rejects(c.lambda.send(new Lambda.GetFunctionCommand({ FunctionName: `arn:aws:lambda:us-east-1:${name}:function:constructor` })));
      noServerError(e, `account ${name} in an ARN`);
    }
    for (const x of Object.values(other)) x.destroy();
  });

  it("admin routes with such names answer 404, never a false hit", async () => {
    for (const name of PROTO_NAMES) {
      const del = await fetch(`${app.url}/_hyperlocal/endpoints/${encodeURIComponent(name)}`, { method: "DELETE" });
      assert.equal(del.status, 404, `endpoint ${name}`);
      const del2 = await fetch(`${app.url}/_hyperlocal/internet/${encodeURIComponent(name)}`, { method: "DELETE" });
      assert.ok(del2.status === 404 || del2.status === 405, `internet ${name}: ${del2.status}`);
      const logs = await fetch(`${app.url}/_hyperlocal/logs/${encodeURIComponent(`no-such-${name}`)}`);
      assert.ok(logs.status < 500, `logs ${name}: ${logs.status}`);
      const reach = await fetch(`${app.url}/_hyperlocal/reachability?function=${encodeURIComponent(`no-such-${name}`)}&to=10.0.0.1:80`);
      assert.ok(reach.status >= 400 && reach.status < 500, `reachability ${name}: ${reach.status}`);
    }
  });
});

describe("names that are JavaScript object properties survive a restart (--state-dir)", () => {
  it("a function named constructor with a tag __proto__, and a user named __proto__", async () => {
    const dir = tempDir();
    const first = await startChildServer(["--state-dir", dir]);
    const c1 = clients(first.url);
    const role = (await c1.iam.send(new Iam.CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    await c1.lambda.send(
      new Lambda.CreateFunctionCommand({ FunctionName: "constructor", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_ECHO) }, Tags: Object.fromEntries([["__proto__", "p"], ["toString", "t"]]), Environment: { Variables: { valueOf: "v" } } }),
    );
    await c1.iam.send(new Iam.CreateUserCommand({ UserName: "__proto__", Tags: [{ Key: "constructor", Value: "c" }] }));
    for (const x of Object.values(c1)) x.destroy();
    assert.equal(await first.stop("SIGTERM"), 0);

    const second = await startChildServer(["--state-dir", dir]);
    try {
      const c2 = clients(second.url);
      const fn = await c2.lambda.send(new Lambda.GetFunctionCommand({ FunctionName: "constructor" }));
      assert.equal(fn.Configuration!.FunctionName, "constructor");
      assert.deepEqual(fn.Tags, Object.fromEntries([["__proto__", "p"], ["toString", "t"]]));
      assert.deepEqual(fn.Configuration!.Environment?.Variables, { valueOf: "v" });
      const again = await rejects(c2.lambda.send(new Lambda.CreateFunctionCommand({ FunctionName: "constructor", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_ECHO) } })));
      assert.equal(again.name, "ResourceConflictException");
      const missing = await rejects(c2.lambda.send(new Lambda.GetFunctionCommand({ FunctionName: "toString" })));
      assert.equal(missing.name, "ResourceNotFoundException");
      await c2.lambda.send(new Lambda.CreateFunctionCommand({ FunctionName: "toString", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_ECHO) } }));
      const u = (await c2.iam.send(new Iam.GetUserCommand({ UserName: "__proto__" }))).User!;
      assert.deepEqual(u.Tags, [{ Key: "constructor", Value: "c" }]);
      const noUser = await rejects(c2.iam.send(new Iam.GetUserCommand({ UserName: "constructor" })));
      assert.equal(noUser.name, "NoSuchEntityException");
      for (const x of Object.values(c2)) x.destroy();
    } finally {
      await second.stop();
    }
  });
});
