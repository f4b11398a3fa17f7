// Function code never reaches the admin API: it gets its own listener (AWS_ENDPOINT_URL outside a VPC;
// a VPC function has none) that serves the AWS APIs and the shim's decision API but no admin route, and the server's main port is out of
// its reach (the shim refuses it; kernel mode relays only the function listener into namespaces).
// Real Node.js and Python functions try reset, clock/advance and iam/decisions on both ports; the
// server's state and clock are unchanged afterwards, and AWS SDK calls from the function still work.
// Runs function code, so only inside the loopback-only network namespace.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import { AttachRolePolicyCommand, CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, InvokeCommand, ListFunctionsCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import type { Config } from "../../src/config.ts";
import { kernelSupport } from "../../src/network/kernel/index.ts";
import { clients } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer } from "../support/server.ts";
import { advanceClock, bootstrapZip, LAMBDA_TRUST, nodeZip, pythonZip } from "../support/zip-functions.ts";
import { confinement } from "../../src/runtime/confinement.ts";
import { resolvePython } from "../../src/runtime/python-executable.ts";

const NODE_MODULES = join(import.meta.dirname, "..", "..", "node_modules");

const NODE_PROBE = `
const http = require("node:http");
function call(url, method, body) {
  return new Promise((resolve) => {
    const req = http.request(url, { method, headers: { "content-type": "application/json" }, timeout: 3000 }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode, text: text.slice(0, 200) }));
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (e) => resolve({ error: e.code ?? e.message }));
    req.end(body ?? "");
  });
}
exports.handler = async (ev) => {
  const out = {};
  // A VPC function has no AWS_ENDPOINT_URL (its SDK goes by the services' names): the test names the listener.
  const own = ev.ownUrl ?? process.env.AWS_ENDPOINT_URL;
  for (const [name, path, method, body] of [
    ["reset", "/_hyperlocal/reset", "POST", ""],
    ["advance", "/_hyperlocal/clock/advance", "POST", '{"days":400}'],
    ["decisions", "/_hyperlocal/iam/decisions", "GET"],
  ]) {
    out["main_" + name] = await call(ev.mainUrl + path, method, body);
    out["localhost_" + name] = await call(ev.mainUrl.replace("127.0.0.1", "localhost") + path, method, body);
    out["own_" + name] = await call(own + path, method, body);
  }
  const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
  const sts = new STSClient({ region: process.env.AWS_REGION, endpoint: own, maxAttempts: 1 });
  out.identity = (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  out.endpoint = process.env.AWS_ENDPOINT_URL ?? null;
  return out;
};
`;

const PY_PROBE = `
import datetime, hashlib, hmac, json, os, urllib.error, urllib.request

def call(url, method, body=None):
    req = urllib.request.Request(url, data=(body or "").encode() if method == "POST" else None, method=method, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=3) as r:
            return {"status": r.status, "text": r.read(200).decode()}
    except urllib.error.HTTPError as e:
        return {"status": e.code, "text": e.read(200).decode()}
    except urllib.error.URLError as e:
        r = e.reason
        return {"error": getattr(r, "errno", None) and __import__("errno").errorcode.get(r.errno) or str(r)}
    except OSError as e:
        return {"error": __import__("errno").errorcode.get(e.errno, str(e))}

def sts_identity(own):
    body = "Action=GetCallerIdentity&Version=2011-06-15"
    now = datetime.datetime.now(datetime.timezone.utc)
    amz, date = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    region = os.environ["AWS_REGION"]
    host = own.split("//", 1)[1]
    headers = {"content-type": "application/x-www-form-urlencoded; charset=utf-8", "host": host, "x-amz-date": amz, "x-amz-security-token": os.environ["AWS_SESSION_TOKEN"]}
    names = sorted(headers)
    canonical = "\\n".join(["POST", "/", ""] + [n + ":" + headers[n] for n in names] + ["", ";".join(names), hashlib.sha256(body.encode()).hexdigest()])
    scope = "/".join([date, region, "sts", "aws4_request"])
    to_sign = "\\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + os.environ["AWS_SECRET_ACCESS_KEY"]).encode()
    for part in [date, region, "sts", "aws4_request"]:
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (os.environ["AWS_ACCESS_KEY_ID"], scope, ";".join(names), sig)
    del headers["host"]
    req = urllib.request.Request(own + "/", data=body.encode(), method="POST", headers=headers)
    with urllib.request.urlopen(req, timeout=3) as r:
        text = r.read().decode()
    return text[text.index("<Arn>") + 5:text.index("</Arn>")]

def handler(event, context):
    own = os.environ["AWS_ENDPOINT_URL"]
    out = {}
    for name, path, method, body in [("reset", "/_hyperlocal/reset", "POST", ""), ("advance", "/_hyperlocal/clock/advance", "POST", '{"days":400}'), ("decisions", "/_hyperlocal/iam/decisions", "GET", None)]:
        out["main_" + name] = call(event["mainUrl"] + path, method, body)
        out["localhost_" + name] = call(event["mainUrl"].replace("127.0.0.1", "localhost") + path, method, body)
        out["own_" + name] = call(own + path, method, body)
    out["identity"] = sts_identity(own)
    out["endpoint"] = own
    return out
`;

type Reply = { status?: number; text?: string; error?: string };

async function clockOffset(url: string): Promise<number> {
  return ((await (await fetch(`${url}/_hyperlocal/clock`)).json()) as { offsetMs: number }).offsetMs;
}

function suite(title: string, overrides: Partial<Config>, skip: string | false): void {
  describe(title, { skip }, () => {
    let app: App;
    let lambda: LambdaClient;

    before(async () => {
      app = await startTestServer(overrides);
      const c = clients(app.url);
      lambda = c.lambda;
      const role = (await c.iam.send(new CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: "node-probe",
          Runtime: "nodejs20.x",
          Role: role,
          Handler: "index.handler",
          Timeout: 30,
          Code: { ZipFile: nodeZip(NODE_PROBE) },
          Environment: { Variables: { NODE_PATH: NODE_MODULES } },
        }),
      );
      // The same probe in a VPC (local route only): it has no AWS_ENDPOINT_URL, and the function listener still has no admin route.
      await c.iam.send(new AttachRolePolicyCommand({ RoleName: "exec", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" }));
      const vpc = (await c.ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
      const subnet = (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.1.0/24" }))).Subnet!.SubnetId!;
      const sg = (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "fn", Description: "fn" }))).GroupId!;
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: "node-probe-vpc",
          Runtime: "nodejs20.x",
          Role: role,
          Handler: "index.handler",
          Timeout: 30,
          Code: { ZipFile: nodeZip(NODE_PROBE) },
          Environment: { Variables: { NODE_PATH: NODE_MODULES } },
          VpcConfig: { SubnetIds: [subnet], SecurityGroupIds: [sg] },
        }),
      );
      await lambda.send(
        new CreateFunctionCommand({ FunctionName: "py-probe", Runtime: "python3.12", Role: role, Handler: "app.handler", Timeout: 30, Code: { ZipFile: pythonZip(PY_PROBE) } }),
      );
      await advanceClock(app.url, 3);
    });

    after(async () => {
      await app?.close();
    });

    for (const name of ["node-probe", "py-probe", "node-probe-vpc"]) {
      it(`${name}: reset, clock/advance and iam/decisions fail on both ports and change nothing; AWS calls work`, async () => {
        const offset = await clockOffset(app.url);
        const inVpc = name.endsWith("-vpc");
        const event = inVpc ? { mainUrl: app.url, ownUrl: app.functionUrl } : { mainUrl: app.url };
        const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }));
        const out = JSON.parse(Buffer.from(r.Payload ?? []).toString()) as Record<string, Reply | string | null>;
        assert.equal(r.FunctionError, undefined, JSON.stringify(out));
        // The rule: outside any VPC, AWS_ENDPOINT_URL is the function listener; in a VPC there is none,
        // so an SDK client without its own AWS_ENDPOINT_URL_<SERVICE> cannot go around the VPC.
        if (inVpc) assert.equal(out.endpoint, null, "a VPC function has no AWS_ENDPOINT_URL");
        else assert.equal(out.endpoint, app.functionUrl, "AWS_ENDPOINT_URL is the function listener");
        assert.notEqual(app.functionUrl, app.url);
        for (const op of ["reset", "advance", "decisions"]) {
          for (const via of ["main", "localhost"]) {
            const reply = out[`${via}_${op}`] as Reply;
            assert.equal(reply.status, undefined, `${via} ${op} must not be answered: ${JSON.stringify(reply)}`);
            assert.equal(reply.error, "ECONNREFUSED", `${via} ${op}: ${JSON.stringify(reply)}`);
          }
          const own = out[`own_${op}`] as Reply;
          assert.equal(own.status, 404, `the function listener has no admin route ${op}: ${JSON.stringify(own)}`);
        }
        assert.match(String(out.identity), /^arn:aws:sts::000000000000:assumed-role\/exec\//);
        // Nothing changed: the clock did not move, the state was not reset.
        assert.equal(await clockOffset(app.url), offset);
        const names = (await lambda.send(new ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName).sort();
        assert.deepEqual(names, ["node-probe", "node-probe-vpc", "py-probe"]);
      });
    }
  });
}

// A custom runtime in Node.js: no shim is loaded into it, so only the uid check at the main port
// (confinement "uid" mode: functions run as uid 65534) keeps it out.
const BYPASS_BOOTSTRAP = `#!/usr/bin/env node
const http = require("node:http");
const api = process.env.AWS_LAMBDA_RUNTIME_API;
function req(url, method, body) {
  return new Promise((resolve) => {
    const r = http.request(url, { method }, (res) => {
      let d = "";
      res.on("data", (c) => (d += c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: d }));
    });
    r.on("error", (e) => resolve({ error: e.code ?? e.message }));
    r.end(body);
  });
}
(async () => {
  for (;;) {
    const next = await req("http://" + api + "/2018-06-01/runtime/invocation/next", "GET");
    const id = next.headers["lambda-runtime-aws-request-id"];
    const ev = JSON.parse(next.body);
    const reset = await req(ev.mainUrl + "/_hyperlocal/reset", "POST", "");
    await req("http://" + api + "/2018-06-01/runtime/invocation/" + id + "/response", "POST", JSON.stringify({ reset }));
  }
})();
`;

describe("function code that bypasses the shim and the main port", () => {
  let app: App;
  let lambda: LambdaClient;
  let skip: string | false = !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON;
  before(async () => {
    if (skip) return;
    const c = await confinement(await resolvePython("python3"));
    if (c.mode !== "uid") {
      skip = `function code runs under its own uid only when the server is real root (confinement mode here: ${c.mode})`;
      return;
    }
    app = await startTestServer();
    const cl = clients(app.url);
    lambda = cl.lambda;
    const role = (await cl.iam.send(new CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    await lambda.send(new CreateFunctionCommand({ FunctionName: "bypass", Runtime: "provided.al2023", Handler: "x", Role: role, Code: { ZipFile: bootstrapZip(BYPASS_BOOTSTRAP) } }));
    await advanceClock(app.url, 1);
  });
  after(async () => {
    await app?.close();
  });

  it("a custom runtime's own HTTP client is refused at the main port (uid mode)", async (t) => {
    if (skip) return t.skip(skip);
    const offset = await clockOffset(app.url);
    const r = await lambda.send(new InvokeCommand({ FunctionName: "bypass", Payload: Buffer.from(JSON.stringify({ mainUrl: app.url })) }));
    const out = JSON.parse(Buffer.from(r.Payload ?? []).toString()) as { reset: Reply };
    assert.equal(out.reset.status, undefined, JSON.stringify(out));
    assert.ok(out.reset.error, JSON.stringify(out));
    assert.equal(await clockOffset(app.url), offset);
    assert.deepEqual((await lambda.send(new ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName), ["bypass"]);
  });
});

const support = kernelSupport();
suite("function code and the admin API (shim mode)", {}, !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON);
suite(
  "function code and the admin API (kernel mode)",
  { network: "kernel" },
  !IN_LOOPBACK_NETNS ? NETNS_SKIP_REASON : !support.ok ? `no kernel network support: ${support.reason}` : false,
);
