// Functions that run: Node.js, Python and custom runtimes built from zips here, invoked through the
// SDK and the AWS CLI, sync, async and by version and alias; errors, timeouts, crashes, init errors
// and memory limits in AWS's shapes; Tail logs; throttling; function code calling STS and EC2 with
// its execution role. These run function code, so only inside a loopback-only network namespace.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateRoleCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  InvokeCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type CreateFunctionCommandInput,
  type InvokeCommandOutput,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients, rejects } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { runCli, startTestServer, tempDir } from "../support/server.ts";
import {
  advanceClock,
  bootstrapZip,
  eventually,
  functionLogs,
  LAMBDA_TRUST,
  NODE_AWS_CALLER,
  NODE_BOOTSTRAP,
  NODE_CRASH,
  NODE_ECHO,
  NODE_FAIL,
  NODE_HOG,
  NODE_INIT_ERROR,
  NODE_SLEEP,
  nodeZip,
  PY_ECHO,
  PY_FAIL,
  pythonZip,
  SHELL_BOOTSTRAP,
} from "../support/zip-functions.ts";

const ACCOUNT = "000000000000";
const arnOf = (name: string, q?: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}${q ? `:${q}` : ""}`;

let app: App;
let lambda: LambdaClient;
let role: string;

async function fn(name: string, over: Partial<CreateFunctionCommandInput>): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_ECHO) }, ...over }),
  );
}

const text = (r: InvokeCommandOutput) => Buffer.from(r.Payload ?? new Uint8Array()).toString("utf8");
const json = (r: InvokeCommandOutput) => JSON.parse(text(r));
const logOf = (r: InvokeCommandOutput) => Buffer.from(r.LogResult ?? "", "base64").toString("utf8");
const call = (name: string, payload: unknown = {}, extra: Partial<ConstructorParameters<typeof InvokeCommand>[0]> = {}) =>
  lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), ...extra }));

describe("invoking functions", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, () => {
  before(async () => {
    // AWS's own durations (an update InProgress about 1 s, a version Pending about 1.5 s): what is
    // checked meanwhile then holds on a loaded machine too (100 ms of real time did not).
    app = await startTestServer({ iam: "enforce", realisticTiming: true });
    const c = clients(app.url);
    lambda = c.lambda;
    role = (await c.iam.send(new CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    await fn("echo", {});
    await fn("fail", { Code: { ZipFile: nodeZip(NODE_FAIL) } });
    await fn("slow", { Code: { ZipFile: nodeZip(NODE_SLEEP) }, Timeout: 1 });
    await fn("crash", { Code: { ZipFile: nodeZip(NODE_CRASH) } });
    await fn("init-error", { Code: { ZipFile: nodeZip(NODE_INIT_ERROR) } });
    await fn("hog", { Code: { ZipFile: nodeZip(NODE_HOG) } });
    await fn("py", { Runtime: "python3.12", Handler: "app.handler", Code: { ZipFile: pythonZip(PY_ECHO) } });
    await fn("py-fail", { Runtime: "python3.11", Handler: "app.handler", Code: { ZipFile: pythonZip(PY_FAIL) } });
    await fn("shell", { Runtime: "provided.al2023", Handler: "unused", Code: { ZipFile: bootstrapZip(SHELL_BOOTSTRAP) } });
    await fn("node-bootstrap", { Runtime: "provided.al2023", Code: { ZipFile: bootstrapZip(NODE_BOOTSTRAP) } });
    await fn("caller", { Code: { ZipFile: nodeZip(NODE_AWS_CALLER) }, Timeout: 10 });
    await advanceClock(app.url, 2);
  });

  after(async () => {
    await app?.close();
  });

  it("runs a Node.js function: 200, the executed version, Tail logs with START, END and REPORT", async () => {
    const r = await call("echo", { hello: "world" }, { LogType: "Tail" });
    assert.equal(r.StatusCode, 200);
    assert.equal(r.ExecutedVersion, "$LATEST");
    assert.equal(r.FunctionError, undefined);
    assert.deepEqual(json(r), { echo: { hello: "world" }, version: "$LATEST", arn: arnOf("echo"), fn: "echo", vv: null });
    const log = logOf(r);
    assert.match(log, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/m);
    assert.match(log, /^END RequestId: [0-9a-f-]{36}$/m);
    assert.match(log, /^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t$/m);
    assert.match(log, /INFO\tevent \{"hello":"world"\}/);
    const warm = await call("echo", { n: 2 }, { LogType: "Tail" });
    assert.doesNotMatch(logOf(warm), /Init Duration/);
    const logs = await functionLogs(app.url, "echo");
    assert.equal(logs.events.filter((e) => e.message.startsWith("REPORT")).length, 2);
  });

  it("runs Python functions, and shows a Python exception as AWS does", async () => {
    const r = await call("py", { a: [1, 2] });
    assert.deepEqual(json(r), { echo: { a: [1, 2] }, fn: "py", version: "$LATEST", runtime: "AWS_Lambda_python3.12" });
    const e = await call("py-fail", {});
    assert.equal(e.StatusCode, 200);
    assert.equal(e.FunctionError, "Unhandled");
    const body = json(e);
    assert.equal(body.errorType, "ValueError");
    assert.equal(body.errorMessage, "bad value");
    assert.ok(Array.isArray(body.stackTrace));
  });

  it("shows an unhandled Node.js error, a timeout, a crash, an init error and the memory limit in AWS's shapes", async () => {
    const err = await call("fail", { x: 1 });
    assert.equal(err.FunctionError, "Unhandled");
    const eb = json(err);
    assert.equal(eb.errorType, "CustomError");
    assert.equal(eb.errorMessage, "it went wrong");
    assert.ok(Array.isArray(eb.trace));

    const t = await call("slow", { ms: 5000 }, { LogType: "Tail" });
    assert.equal(t.FunctionError, "Unhandled");
    const tb = json(t);
    assert.equal(tb.errorType, "Sandbox.Timedout");
    assert.match(tb.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
    assert.match(logOf(t), /Task timed out after 1\.00 seconds/);
    assert.match(logOf(t), /Status: timeout/);
    // The timed-out environment was replaced: the next invocation starts cold.
    const again = await call("slow", { ms: 1 }, { LogType: "Tail" });
    assert.deepEqual(json(again), { slept: 1 });
    assert.match(logOf(again), /Init Duration/);

    const crash = await call("crash", {});
    assert.equal(crash.FunctionError, "Unhandled");
    assert.deepEqual(Object.keys(json(crash)).sort(), ["errorMessage", "errorType"]);
    assert.equal(json(crash).errorType, "Runtime.ExitError");
    assert.match(json(crash).errorMessage, /Runtime exited with error: exit status 3/);

    const init = await call("init-error", {}, { LogType: "Tail" });
    assert.equal(init.FunctionError, "Unhandled");
    assert.equal(json(init).errorMessage, "cannot start");
    assert.match(logOf(init), /INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error/);

    const hog = await call("hog", {});
    assert.equal(hog.FunctionError, "Unhandled");
    assert.equal(json(hog).errorType, "Runtime.OutOfMemory");
  });

  it("runs provided.al2023 bootstraps written in shell and in Node.js", async () => {
    const sh = await call("shell", { k: "v" }, { LogType: "Tail" });
    assert.deepEqual(json(sh), { shell: true, event: { k: "v" } });
    assert.match(logOf(sh), /shell bootstrap handling [0-9a-f-]{36}/);
    const node = await call("node-bootstrap", { k: 1 });
    assert.deepEqual(json(node), { custom: "node", event: { k: 1 } });
  });

  it("invokes by version and by alias, with routing weights", async () => {
    await fn("multi", {});
    await advanceClock(app.url, 2);
    await lambda.send(new PublishVersionCommand({ FunctionName: "multi" }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "multi", Environment: { Variables: { VV: "two" } } }));
    // During the update the previous configuration keeps serving $LATEST.
    assert.equal(json(await call("multi")).vv, null);
    await advanceClock(app.url, 2);
    assert.equal(json(await call("multi")).vv, "two");
    const v2pending = await lambda.send(new PublishVersionCommand({ FunctionName: "multi" }));
    assert.equal(v2pending.State, "Pending"); // a new version is Pending until it is ready
    assert.equal((await rejects(call("multi:2"))).name, "ResourceConflictException");
    await advanceClock(app.url, 2);

    const v1 = await call("multi", {}, { Qualifier: "1" });
    assert.equal(v1.ExecutedVersion, "1");
    assert.equal(json(v1).arn, arnOf("multi", "1"));
    assert.equal(json(v1).vv, null);
    const v2 = await call("multi:2");
    assert.equal(v2.ExecutedVersion, "2");
    assert.equal(json(v2).vv, "two");

    await lambda.send(new CreateAliasCommand({ FunctionName: "multi", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } } }));
    const seen = new Set<string>();
    for (let i = 0; i < 24; i++) {
      const r = await call("multi", {}, { Qualifier: "live" });
      seen.add(r.ExecutedVersion!);
      assert.equal(json(r).arn, arnOf("multi", "live"));
    }
    assert.deepEqual([...seen].sort(), ["1", "2"]);
    const missing = await rejects(call("multi", {}, { Qualifier: "7" }));
    assert.equal(missing.name, "ResourceNotFoundException");
    assert.equal(missing.message, `Function not found: ${arnOf("multi", "7")}`);
  });

  it("queues Event invocations (202) and retries failures after 1 and then 2 minutes on the clock", async () => {
    const ok = await call("echo", { async: true }, { InvocationType: "Event" });
    assert.equal(ok.StatusCode, 202);
    assert.equal(text(ok), "");
    await eventually(() => functionLogs(app.url, "echo"), (l) => l.events.some((e) => e.message.includes('{"async":true}')));

    const attempts = async () => (await functionLogs(app.url, "fail")).events.filter((e) => e.message.includes('failing for {"n":"retry"}')).length;
    const accepted = await call("fail", { n: "retry" }, { InvocationType: "Event" });
    assert.equal(accepted.StatusCode, 202);
    await eventually(attempts, (n) => n === 1);
    await advanceClock(app.url, 59);
    assert.equal(await attempts(), 1);
    await advanceClock(app.url, 2);
    await eventually(attempts, (n) => n === 2);
    await advanceClock(app.url, 119);
    assert.equal(await attempts(), 2);
    await advanceClock(app.url, 2);
    await eventually(attempts, (n) => n === 3);
    await advanceClock(app.url, 600);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await attempts(), 3);
  });

  it("throttles past reserved concurrency with TooManyRequestsException and its Reason", async () => {
    await fn("narrow", { Code: { ZipFile: nodeZip(NODE_SLEEP) }, Timeout: 5 });
    await advanceClock(app.url, 2);
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "narrow", ReservedConcurrentExecutions: 1 }));
    const results = await Promise.allSettled([call("narrow", { ms: 700 }), call("narrow", { ms: 700 })]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason);
    assert.equal(ok.length, 1);
    assert.equal(failed.length, 1);
    assert.equal(failed[0].name, "TooManyRequestsException");
    assert.equal(failed[0].$metadata.httpStatusCode, 429);
    assert.equal(failed[0].message, "Rate Exceeded.");
    assert.equal(failed[0].Reason, "ReservedFunctionConcurrentInvocationLimitExceeded");
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "narrow", ReservedConcurrentExecutions: 0 }));
    const zero = await rejects(call("narrow", { ms: 1 }));
    assert.equal(zero.name, "TooManyRequestsException");
  });

  it("gives function code its execution role's credentials: STS sees the assumed role, EC2 follows the role's policies", async () => {
    const denied = json(await call("caller"));
    assert.equal(denied.identity.status, 200, denied.identity.text);
    assert.match(denied.identity.text, new RegExp(`<Arn>arn:aws:sts::${ACCOUNT}:assumed-role/exec/caller</Arn>`));
    assert.equal(denied.vpcs.status, 403);
    assert.match(denied.vpcs.text, /<Code>UnauthorizedOperation<\/Code>/);

    const c = clients(app.url);
    await c.iam.send(new PutRolePolicyCommand({ RoleName: "exec", PolicyName: "describe", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:DescribeVpcs", Resource: "*" }] }) }));
    const allowed = json(await call("caller"));
    assert.equal(allowed.vpcs.status, 200, allowed.vpcs.text);
    assert.match(allowed.vpcs.text, /<DescribeVpcsResponse/);

    // Calls from inside the function carry lambda:SourceFunctionArn: the documented Deny blocks them.
    await c.iam.send(
      new PutRolePolicyCommand({
        RoleName: "exec",
        PolicyName: "deny-from-lambda",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Deny", Action: "ec2:DescribeVpcs", Resource: "*", Condition: { ArnEquals: { "lambda:SourceFunctionArn": arnOf("caller") } } }],
        }),
      }),
    );
    const blocked = json(await call("caller"));
    assert.equal(blocked.vpcs.status, 403);
  });

  it("throttles at the account concurrency limit", async () => {
    const small = await startTestServer({ iam: "off", concurrencyLimit: 1 });
    try {
      const c = clients(small.url);
      const r = (await c.iam.send(new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
      await c.lambda.send(new CreateFunctionCommand({ FunctionName: "s", Runtime: "nodejs20.x", Role: r, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_SLEEP) } }));
      await advanceClock(small.url, 1);
      const p = Buffer.from(JSON.stringify({ ms: 500 }));
      const results = await Promise.allSettled([c.lambda.send(new InvokeCommand({ FunctionName: "s", Payload: p })), c.lambda.send(new InvokeCommand({ FunctionName: "s", Payload: p }))]);
      const failed = results.filter((x) => x.status === "rejected").map((x) => (x as PromiseRejectedResult).reason);
      assert.equal(failed.length, 1);
      assert.equal(failed[0].name, "TooManyRequestsException");
      assert.equal(failed[0].Reason, "ConcurrentInvocationLimitExceeded");
    } finally {
      await small.close();
    }
  });

  it("works through the AWS CLI and `hyperlocal logs`", { skip: !hasAwsCli() && "no /usr/bin/aws" }, async () => {
    const dir = tempDir();
    const out = join(dir, "out.json");
    const r = await aws(app.url, ["lambda", "invoke", "--function-name", "echo", "--cli-binary-format", "raw-in-base64-out", "--payload", '{"cli":1}', "--log-type", "Tail", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.StatusCode, 200);
    assert.equal(r.json.ExecutedVersion, "$LATEST");
    assert.match(Buffer.from(r.json.LogResult, "base64").toString(), /REPORT RequestId/);
    assert.equal(JSON.parse(readFileSync(out, "utf8")).echo.cli, 1);
    const f = await aws(app.url, ["lambda", "invoke", "--function-name", "fail", out]);
    assert.equal(f.code, 0);
    assert.equal(f.json.FunctionError, "Unhandled");
    const async = await aws(app.url, ["lambda", "invoke", "--function-name", "echo", "--invocation-type", "Event", out]);
    assert.equal(async.json.StatusCode, 202);
    const dry = await aws(app.url, ["lambda", "invoke", "--function-name", "multi", "--qualifier", "live", "--invocation-type", "DryRun", out]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.json.StatusCode, 204);

    const cli = await runCli(["logs", "echo", "--endpoint-url", app.url]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /^START RequestId: /m);
    assert.match(cli.stdout, /^REPORT RequestId: .*Duration: /m);
    const none = await runCli(["logs", "no-such-function", "--endpoint-url", app.url]);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /Function not found/);
  });
});

describe("UpdateFunctionCode", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, () => {
  it("runs the new code once the update is Successful", async () => {
    const s = await startTestServer({ iam: "off" });
    try {
      const c = clients(s.url);
      const r = (await c.iam.send(new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
      await c.lambda.send(new CreateFunctionCommand({ FunctionName: "u", Runtime: "nodejs22.x", Role: r, Handler: "index.handler", Code: { ZipFile: nodeZip('exports.handler = async () => "one";') } }));
      await advanceClock(s.url, 1);
      const inv = async () => Buffer.from((await c.lambda.send(new InvokeCommand({ FunctionName: "u" }))).Payload!).toString();
      assert.equal(await inv(), '"one"');
      await c.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "u", ZipFile: nodeZip('exports.handler = async () => "two";') }));
      assert.equal(await inv(), '"one"');
      await advanceClock(s.url, 1);
      assert.equal(await inv(), '"two"');
    } finally {
      await s.close();
    }
  });
});
