// End-to-end tests of execution environments: real handlers in real child processes speaking the
// Runtime API. They run function code, so they skip unless inside a loopback-only network
// namespace (HYPERLOCAL_TEST_NETNS=1, which `npm test` sets up).
import { test, after } from "node:test";
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimulatedClock } from "../core/clock.ts";
import { RuntimeManager } from "./runtime-manager.ts";
import type { FunctionSpec, RuntimeManagerOptions } from "./types.ts";
import { CAN_RUN_FUNCTIONS, CodeDirs, SKIP_REASON, functionSpec } from "./test-support.ts";
import type { ZipInput } from "./zip.ts";

process.env.HYPERLOCAL_PARENT_SECRET = "must-not-leak";

const code = new CodeDirs();
const workRoot = mkdtempSync(join(tmpdir(), "hyperlocal-work-"));
const managers: { m: RuntimeManager; clock: SimulatedClock }[] = [];

after(async () => {
  for (const { m, clock } of managers) {
    await m.shutdown();
    clock.close();
  }
  code.cleanup();
  rmSync(workRoot, { recursive: true, force: true });
});

function manager(opts: Partial<RuntimeManagerOptions> = {}): { m: RuntimeManager; clock: SimulatedClock; logs: [string, string][] } {
  const clock = new SimulatedClock();
  const m = new RuntimeManager({ clock, workRoot, ...opts });
  const logs: [string, string][] = [];
  m.onLog = (name, text) => logs.push([name, text]);
  managers.push({ m, clock });
  return { m, clock, logs };
}

let shared: ReturnType<typeof manager> | undefined;
function sharedManager(): ReturnType<typeof manager> {
  return (shared ??= manager());
}

function fnTest(name: string, fn: (t: TestContext) => Promise<void>): void {
  test(name, async (t) => {
    if (!CAN_RUN_FUNCTIONS) return t.skip(SKIP_REASON);
    await fn(t);
  });
}

let reqN = 0;
function rid(): string {
  return `00000000-0000-4000-8000-${String(++reqN).padStart(12, "0")}`;
}

async function call(m: RuntimeManager, spec: FunctionSpec, event: unknown = {}, opts: { requestId?: string; clientContext?: string; traceId?: string } = {}) {
  const requestId = opts.requestId ?? rid();
  const r = await m.invoke(spec, Buffer.from(JSON.stringify(event)), { ...opts, requestId });
  let json: unknown;
  try {
    json = JSON.parse(r.payload.toString("utf8"));
  } catch {
    json = undefined;
  }
  return { ...r, json: json as any, requestId };
}

function nodeFn(files: ZipInput[], over: Partial<FunctionSpec> = {}): FunctionSpec {
  return functionSpec(code.make(files), over);
}

const REPORT_RE = /^REPORT RequestId: (\S+)\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: (\d+) MB\tMax Memory Used: \d+ MB\t(Init Duration: \d+\.\d\d ms\t)?(Status: \w+\t)?(Error Type: \S+\t)?$/m;

// ---------------------------------------------------------------------------------------------

fnTest("node CommonJS async handler: payload, warm reuse, Lambda's log format", async () => {
  const { m, logs } = sharedManager();
  const spec = nodeFn([
    {
      name: "index.js",
      data: `console.log("init line");
exports.handler = async (event, context) => {
  console.log("got", JSON.stringify(event));
  console.warn("careful");
  console.error("bad", { n: 1 });
  return { echo: event, pid: process.pid };
};`,
    },
  ]);
  const first = await call(m, spec, { a: 1 });
  assert.equal(first.functionError, undefined);
  assert.deepEqual(first.json.echo, { a: 1 });
  assert.ok(first.initDurationMs !== undefined && first.initDurationMs > 0);
  assert.ok(first.durationMs >= 0 && first.billedDurationMs >= Math.ceil(first.durationMs));
  assert.ok(first.maxMemoryUsedMb > 5 && first.maxMemoryUsedMb <= 128, `max memory ${first.maxMemoryUsedMb}`);

  const lines = first.logs.split("\n");
  assert.match(lines[0], /^INIT_START Runtime Version: nodejs:20\.v\d+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/);
  assert.match(first.logs, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tundefined\tINFO\tinit line$/m);
  assert.ok(first.logs.indexOf("init line") < first.logs.indexOf("START RequestId"), "init output comes before START");
  assert.match(first.logs, new RegExp(`^START RequestId: ${first.requestId} Version: \\$LATEST$`, "m"));
  assert.match(first.logs, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${first.requestId}\\tINFO\\tgot {"a":1}$`, "m"));
  assert.match(first.logs, new RegExp(`\\t${first.requestId}\\tWARN\\tcareful$`, "m"));
  assert.match(first.logs, new RegExp(`\\t${first.requestId}\\tERROR\\tbad { n: 1 }$`, "m"));
  assert.match(first.logs, new RegExp(`^END RequestId: ${first.requestId}$`, "m"));
  const rep = REPORT_RE.exec(first.logs)!;
  assert.ok(rep, first.logs);
  assert.equal(rep[1], first.requestId);
  assert.equal(rep[2], "128");
  assert.ok(rep[3], "a cold start reports Init Duration");
  assert.equal(rep[4], undefined, "no Status on success");
  assert.ok(first.logs.endsWith("\t\n"));

  const second = await call(m, spec, { a: 2 });
  assert.equal(second.json.pid, first.json.pid, "warm: the same process serves again");
  assert.equal(second.initDurationMs, undefined);
  assert.ok(!second.logs.includes("INIT_START"));
  assert.equal(REPORT_RE.exec(second.logs)![3], undefined, "no Init Duration when warm");
  assert.ok(logs.some(([name, text]) => name === spec.functionName && text === second.logs), "onLog receives the same text");
});

fnTest("ESM handlers: .mjs, and .js in a nested dir with type: module", async () => {
  const { m } = sharedManager();
  const mjs = nodeFn([{ name: "index.mjs", data: `export async function handler(e) { return { kind: "mjs", e }; }` }]);
  assert.deepEqual((await call(m, mjs, { x: 1 })).json, { kind: "mjs", e: { x: 1 } });

  const nested = nodeFn(
    [
      { name: "package.json", data: JSON.stringify({ type: "module" }) },
      { name: "src/lib.js", data: `export const word = "nested-esm";` },
      { name: "src/app.js", data: `import { word } from "./lib.js";\nexport const handler = async () => ({ word, esm: typeof require === "undefined" });` },
    ],
    { handler: "src/app.handler" },
  );
  assert.deepEqual((await call(m, nested)).json, { word: "nested-esm", esm: true });

  const cjs = nodeFn([{ name: "index.cjs", data: `module.exports.deep = { handler: async () => "cjs-nested-export" };` }], { handler: "index.deep.handler" });
  assert.equal((await call(m, cjs)).json, "cjs-nested-export");
});

fnTest("callback handlers, callbackWaitsForEmptyEventLoop, sync handlers", async () => {
  const { m } = sharedManager();
  const spec = nodeFn([
    {
      name: "index.js",
      data: `exports.handler = (event, context, callback) => {
  switch (event.mode) {
    case "wait": setTimeout(() => {}, 150); return callback(null, { mode: "wait" });
    case "nowait": context.callbackWaitsForEmptyEventLoop = false; setTimeout(() => {}, 150); return callback(null, { mode: "nowait" });
    case "error": return callback(new TypeError("cb failed"));
    case "succeed": return context.succeed("via succeed");
    case "later": return setTimeout(() => callback(null, "later"), 10);
  }
};`,
    },
  ]);
  const wait = await call(m, spec, { mode: "wait" });
  assert.deepEqual(wait.json, { mode: "wait" });
  assert.ok(wait.durationMs >= 140, `waited for the event loop to empty (${wait.durationMs} ms)`);
  const noWait = await call(m, spec, { mode: "nowait" });
  assert.deepEqual(noWait.json, { mode: "nowait" });
  assert.ok(noWait.durationMs < 140, `did not wait (${noWait.durationMs} ms)`);
  const err = await call(m, spec, { mode: "error" });
  assert.equal(err.functionError, "Unhandled");
  assert.equal(err.json.errorType, "TypeError");
  assert.equal(err.json.errorMessage, "cb failed");
  assert.equal((await call(m, spec, { mode: "succeed" })).json, "via succeed");
  assert.equal((await call(m, spec, { mode: "later" })).json, "later");

  // A non-async handler's return value is ignored: Lambda answers null once the event loop is empty.
  const sync = nodeFn([{ name: "index.js", data: `exports.handler = (event) => ({ ignored: true });` }]);
  const r = await call(m, sync);
  assert.equal(r.payload.toString(), "null");
});

fnTest("context object, environment variables, no leak of the parent's environment", async () => {
  const { m } = sharedManager();
  const spec = nodeFn(
    [
      {
        name: "index.js",
        data: `const os = require("os");
exports.handler = async (event, context) => ({
  functionName: context.functionName, functionVersion: context.functionVersion,
  invokedFunctionArn: context.invokedFunctionArn, memoryLimitInMB: context.memoryLimitInMB,
  awsRequestId: context.awsRequestId, logGroupName: context.logGroupName, logStreamName: context.logStreamName,
  remaining: context.getRemainingTimeInMillis(), clientContext: context.clientContext, identity: context.identity,
  wait: context.callbackWaitsForEmptyEventLoop, env: process.env, cwd: process.cwd(), tmp: os.tmpdir(), pid: process.pid,
});`,
      },
    ],
    {
      functionName: "ctx-fn",
      functionArn: "arn:aws:lambda:us-east-1:000000000000:function:ctx-fn",
      memorySizeMb: 256,
      timeoutSec: 10,
      environment: { MY_VAR: "mine", AWS_REGION: "eu-evil-1", AWS_LAMBDA_FUNCTION_NAME: "spoofed", LAMBDA_TASK_ROOT: "/nope" },
    },
  );
  const clientContext = Buffer.from(JSON.stringify({ custom: { k: "v" }, env: { locale: "en" } })).toString("base64");
  const traceId = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
  const r = await call(m, spec, {}, { clientContext, traceId });
  const v = r.json;
  assert.equal(v.functionName, "ctx-fn");
  assert.equal(v.functionVersion, "$LATEST");
  assert.equal(v.invokedFunctionArn, spec.functionArn);
  assert.equal(v.memoryLimitInMB, "256");
  assert.equal(v.awsRequestId, r.requestId);
  assert.equal(v.logGroupName, "/aws/lambda/ctx-fn");
  assert.match(v.logStreamName, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  assert.ok(v.remaining > 8000 && v.remaining <= 10000, `remaining ${v.remaining}`);
  assert.deepEqual(v.clientContext, { custom: { k: "v" }, env: { locale: "en" } });
  assert.equal(v.identity, undefined);
  assert.equal(v.wait, true);
  assert.equal(v.cwd, spec.codeDir);

  const env = v.env as Record<string, string>;
  assert.equal(env.HYPERLOCAL_PARENT_SECRET, undefined, "the parent's environment does not leak");
  assert.equal(env.MY_VAR, "mine");
  assert.equal(env.AWS_REGION, "us-east-1", "reserved names cannot be overridden");
  assert.equal(env.AWS_DEFAULT_REGION, "us-east-1");
  assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, "ctx-fn");
  assert.equal(env.LAMBDA_TASK_ROOT, spec.codeDir);
  assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, "$LATEST");
  assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, "256");
  assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, "/aws/lambda/ctx-fn");
  assert.equal(env.AWS_LAMBDA_LOG_STREAM_NAME, v.logStreamName);
  assert.equal(env.AWS_LAMBDA_INITIALIZATION_TYPE, "on-demand");
  assert.match(env.AWS_LAMBDA_RUNTIME_API, /^127\.0\.0\.1:\d+\/[0-9a-f]{32}$/, "host:port and the environment's secret prefix");
  assert.equal(env.AWS_EXECUTION_ENV, "AWS_Lambda_nodejs20.x");
  assert.ok(env.LAMBDA_RUNTIME_DIR && existsSync(env.LAMBDA_RUNTIME_DIR));
  assert.equal(env._HANDLER, "index.handler");
  assert.equal(env.TZ, ":UTC");
  assert.equal(env.LANG, "en_US.UTF-8");
  assert.ok(env.PATH.includes("/usr/bin"));
  assert.ok(env.LD_LIBRARY_PATH.includes(spec.codeDir));
  assert.equal(env.AWS_ACCESS_KEY_ID, spec.credentials.accessKeyId);
  assert.equal(env.AWS_SECRET_ACCESS_KEY, spec.credentials.secretAccessKey);
  assert.equal(env.AWS_SESSION_TOKEN, spec.credentials.sessionToken);
  assert.equal(env.AWS_ENDPOINT_URL, spec.endpointUrl);
  assert.equal(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, "true");
  assert.equal(env._X_AMZN_TRACE_ID, traceId);
  assert.ok(v.tmp.startsWith(workRoot), `private tmp ${v.tmp} under the work root`);
  assert.equal(env.TMPDIR, v.tmp);
  assert.equal(env.TMP, v.tmp);
  assert.equal(env.TEMP, v.tmp);

  // The same version invoked through an alias: same environment, the alias ARN in the context.
  const viaAlias = { ...spec, functionArn: `${spec.functionArn}:live` };
  const r2 = await call(m, viaAlias);
  assert.equal(r2.json.pid, v.pid);
  assert.equal(r2.json.invokedFunctionArn, viaAlias.functionArn);
  assert.match(r2.json.env._X_AMZN_TRACE_ID, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);

  // A new configuration revision gets a new environment; the old private tmp goes away with it.
  // The old one is superseded: it stops rather than idling until its keep-alive ends.
  const envsBefore = m.stats().environments;
  const r3 = await call(m, { ...spec, revisionKey: "r2" });
  assert.notEqual(r3.json.pid, v.pid);
  assert.equal(m.stats().environments, envsBefore, "the superseded environment is gone");
  await m.stopFunction(spec.functionArn);
  assert.equal(existsSync(v.tmp), false, "private tmp removed when the environment stops");
});

fnTest("handled errors come back as Lambda's Node.js error JSON", async () => {
  const { m } = sharedManager();
  const spec = nodeFn([
    {
      name: "index.js",
      data: `class DatabaseError extends Error { constructor(m) { super(m); this.name = "DatabaseError"; } }
exports.handler = async (event) => {
  if (event.kind === "custom") throw new DatabaseError("no rows");
  if (event.kind === "string") throw "plain string";
  if (event.kind === "ok") return process.pid;
  throw new Error("boom");
};`,
    },
  ]);
  const pid = (await call(m, spec, { kind: "ok" })).json;
  const r = await call(m, spec);
  assert.equal(r.functionError, "Unhandled");
  assert.deepEqual(Object.keys(r.json), ["errorType", "errorMessage", "trace"]);
  assert.equal(r.json.errorType, "Error");
  assert.equal(r.json.errorMessage, "boom");
  assert.equal(r.json.trace[0], "Error: boom");
  assert.match(r.json.trace[1], /^ {4}at .*index\.js:\d+:\d+\)?$/);
  assert.match(r.logs, new RegExp(`\\t${r.requestId}\\tERROR\\tInvoke Error \\t{"errorType":"Error","errorMessage":"boom","stack":\\["Error: boom",`));
  assert.equal(REPORT_RE.exec(r.logs)![4], undefined, "a handled error has no Status in REPORT");

  const custom = await call(m, spec, { kind: "custom" });
  assert.equal(custom.json.errorType, "DatabaseError");
  assert.equal(custom.json.errorMessage, "no rows");
  const str = await call(m, spec, { kind: "string" });
  assert.deepEqual(str.json, { errorType: "string", errorMessage: "plain string", trace: [] });
  assert.equal((await call(m, spec, { kind: "ok" })).json, pid, "a handled error keeps the environment");
});

fnTest("init errors: missing module, missing handler, throw at load; init is retried next time", async () => {
  const { m } = sharedManager();
  const missingModule = nodeFn([{ name: "index.js", data: "exports.handler = async () => 1;" }], { handler: "nope.handler" });
  const r = await call(m, missingModule);
  assert.equal(r.functionError, "Unhandled");
  assert.equal(r.json.errorType, "Runtime.ImportModuleError");
  assert.match(r.json.errorMessage, /^Error: Cannot find module 'nope'\nRequire stack:\n- .*node-runtime\.child\.cjs$/);
  assert.equal(r.json.trace[0], `Runtime.ImportModuleError: ${r.json.errorMessage.split("\n")[0]}`);
  assert.match(r.logs, /\tundefined\tERROR\tUncaught Exception \t{"errorType":"Runtime.ImportModuleError"/);
  assert.match(r.logs, /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError\t$/m);
  assert.match(REPORT_RE.exec(r.logs)![0], /Status: error\tError Type: Runtime.ImportModuleError\t$/);
  assert.ok(r.initDurationMs !== undefined);

  const again = await call(m, missingModule);
  assert.equal(again.json.errorType, "Runtime.ImportModuleError");
  assert.ok(again.initDurationMs !== undefined, "the next invoke runs the init again");

  const noHandler = nodeFn([{ name: "index.js", data: "exports.other = async () => 1;" }]);
  const h = await call(m, noHandler);
  assert.equal(h.json.errorType, "Runtime.HandlerNotFound");
  assert.equal(h.json.errorMessage, "index.handler is undefined or not exported");

  const notFn = nodeFn([{ name: "index.js", data: "exports.handler = 42;" }]);
  assert.equal((await call(m, notFn)).json.errorMessage, "index.handler is not a function");

  const throws = nodeFn([{ name: "index.js", data: "throw new RangeError('init boom');" }]);
  const t = await call(m, throws);
  assert.equal(t.json.errorType, "RangeError");
  assert.equal(t.json.errorMessage, "init boom");

  const syntax = nodeFn([{ name: "index.js", data: "exports.handler = async () => {{;" }]);
  assert.equal((await call(m, syntax)).json.errorType, "Runtime.UserCodeSyntaxError");

  const malformed = nodeFn([{ name: "index.js", data: "" }], { handler: "nodots" });
  assert.equal((await call(m, malformed)).json.errorType, "Runtime.MalformedHandlerName");
});

fnTest("timeout: advancing the clock ends the invocation and replaces the environment", async () => {
  const { m, clock } = manager();
  const spec = nodeFn([
    { name: "index.js", data: `exports.handler = async (e) => { if (e.hang) { console.log("hanging"); return new Promise(() => {}); } return process.pid; };` },
  ]);
  const pid = (await call(m, spec)).json;
  const pending = call(m, spec, { hang: true });
  clock.advance(2000); // (the simulated clock also runs with real time, so leave some slack)
  assert.equal(m.stats().busy, 1);
  clock.advance(1000);
  const r = await pending;
  assert.equal(r.functionError, "Unhandled");
  assert.deepEqual(r.json, { errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${r.requestId} Error: Task timed out after 3.00 seconds` });
  assert.match(r.logs, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ${r.requestId} Task timed out after 3.00 seconds$`, "m"));
  assert.match(REPORT_RE.exec(r.logs)![0], /Status: timeout\t$/);
  assert.ok(r.durationMs >= 3000, `duration ${r.durationMs}`);
  assert.equal(m.stats().environments, 0, "a timed-out environment is discarded");
  const next = await call(m, spec);
  assert.notEqual(next.json, pid);
  assert.ok(next.initDurationMs !== undefined);
});

fnTest("crash: process exit during an invocation is Runtime.ExitError; the environment is replaced", async () => {
  const { m } = sharedManager();
  const spec = nodeFn([
    {
      name: "index.js",
      data: `exports.handler = async (e) => {
  if (e.exit !== undefined) { console.log("bye"); process.exit(e.exit); }
  if (e.uncaught) { setTimeout(() => { throw new Error("from a timer"); }, 1); return new Promise(() => {}); }
  return process.pid;
};`,
    },
  ]);
  const pid = (await call(m, spec)).json;
  const r = await call(m, spec, { exit: 1 });
  assert.equal(r.functionError, "Unhandled");
  assert.deepEqual(r.json, { errorType: "Runtime.ExitError", errorMessage: `RequestId: ${r.requestId} Error: Runtime exited with error: exit status 1` });
  assert.match(r.logs, new RegExp(`\\tINFO\\tbye\\nRequestId: ${r.requestId} Error: Runtime exited with error: exit status 1\\nRuntime.ExitError\\nEND RequestId`));
  assert.match(REPORT_RE.exec(r.logs)![0], /Status: error\tError Type: Runtime.ExitError\t$/);
  const after = await call(m, spec);
  assert.notEqual(after.json, pid);

  const zero = await call(m, spec, { exit: 0 });
  assert.equal(zero.json.errorMessage, `RequestId: ${zero.requestId} Error: Runtime exited without providing a reason`);

  const uncaught = await call(m, spec, { uncaught: true });
  assert.equal(uncaught.json.errorType, "Error");
  assert.equal(uncaught.json.errorMessage, "from a timer");
  assert.match(uncaught.logs, /\tERROR\tUncaught Exception \t{"errorType":"Error","errorMessage":"from a timer"/);
  assert.equal(typeof (await call(m, spec)).json, "number");
});

fnTest("memory: Max Memory Used is reported and the limit is enforced", async () => {
  const { m } = sharedManager();
  const spec = nodeFn([
    {
      name: "index.js",
      data: `const keep = [];
exports.handler = async (e) => {
  for (let i = 0; i < e.mb / 8; i++) { keep.push(Buffer.alloc(8 * 1024 * 1024, 1)); await new Promise((r) => setTimeout(r, 2)); }
  return keep.length;
};`,
    },
  ]);
  const small = await call(m, spec, { mb: 24 });
  assert.equal(small.functionError, undefined);
  assert.ok(small.maxMemoryUsedMb >= 40, `max memory used ${small.maxMemoryUsedMb}`);
  const big = await call(m, spec, { mb: 400 });
  assert.equal(big.functionError, "Unhandled");
  assert.deepEqual(big.json, { errorType: "Runtime.OutOfMemory", errorMessage: `RequestId: ${big.requestId} Error: Runtime exited with error: signal: killed` });
  assert.match(REPORT_RE.exec(big.logs)![0], /Status: error\tError Type: Runtime.OutOfMemory\t$/);
  assert.equal(big.maxMemoryUsedMb, 128);
});

fnTest("confined (confine: true): the runtime is measured, not its wrapper; the limit holds; the code is read-only", async (t) => {
  const { m } = manager({ confine: true, prewarm: false });
  const spec = nodeFn([
    {
      name: "index.js",
      data: `const keep = [];
exports.handler = async (e) => {
  let wrote = "no";
  try { require("fs").writeFileSync(__filename, "changed"); wrote = "yes"; } catch (err) { wrote = err.code; }
  for (let i = 0; i < e.mb / 8; i++) { keep.push(Buffer.alloc(8 * 1024 * 1024, 1)); await new Promise((r) => setTimeout(r, 2)); }
  return { pid: process.pid, wrote };
};`,
    },
  ]);
  const small = await call(m, spec, { mb: 24 });
  if ((small.json as { wrote: string }).wrote === "yes") return t.skip("no confinement on this machine");
  assert.deepEqual(small.json, { pid: 1, wrote: "EROFS" }, "its own PID namespace; its code read-only");
  assert.ok(small.maxMemoryUsedMb >= 40, `max memory used ${small.maxMemoryUsedMb} (the wrapper is ~2 MB)`);
  const big = await call(m, { ...spec, revisionKey: "again" }, { mb: 400 });
  assert.equal(big.functionError, "Unhandled");
  assert.equal((big.json as { errorType: string }).errorType, "Runtime.OutOfMemory");
});

fnTest("keep-alive: an idle environment stops when the clock passes keepAliveMs", async () => {
  const { m, clock } = manager({ keepAliveMs: 60_000 });
  const spec = nodeFn([{ name: "index.js", data: "exports.handler = async () => process.pid;" }]);
  const pid = (await call(m, spec)).json;
  assert.deepEqual(m.stats(), { environments: 1, busy: 0 });
  clock.advance(59_000);
  assert.equal((await call(m, spec)).json, pid, "still warm, and the idle timer restarts");
  clock.advance(59_000);
  assert.equal(m.stats().environments, 1);
  clock.advance(1_001);
  assert.deepEqual(m.stats(), { environments: 0, busy: 0 });
  const cold = await call(m, spec);
  assert.notEqual(cold.json, pid);
  assert.ok(cold.initDurationMs !== undefined);
});

fnTest("concurrency: parallel invokes get their own environments, which are then reused", async () => {
  const { m } = manager();
  const spec = nodeFn([{ name: "index.js", data: "exports.handler = async () => { await new Promise((r) => setTimeout(r, 200)); return process.pid; };" }]);
  const both = Promise.all([call(m, spec), call(m, spec)]);
  const [a, b] = await both;
  assert.notEqual(a.json, b.json);
  assert.deepEqual(m.stats(), { environments: 2, busy: 0 });
  const c = await call(m, spec);
  assert.ok([a.json, b.json].includes(c.json));
  assert.equal(m.stats().environments, 2);
});

fnTest("stopFunction stops idle environments now and busy ones after their invocation", async () => {
  const { m } = manager();
  // The busy invocation holds until the test creates a file: no timing involved.
  const spec = nodeFn([
    {
      name: "index.js",
      data: `const fs = require("fs");
exports.handler = async (e) => {
  if (e.until) while (!fs.existsSync(e.until)) await new Promise((r) => setTimeout(r, 5));
  else await new Promise((r) => setTimeout(r, 50));
  return process.pid;
};`,
    },
  ]);
  const [a, b] = await Promise.all([call(m, spec), call(m, spec)]);
  assert.notEqual(a.json, b.json);
  assert.equal(m.stats().environments, 2);
  const signal = join(workRoot, `release-${process.pid}`);
  const busy = call(m, spec, { until: signal });
  await m.stopFunction(spec.functionArn.slice(0, -2)); // not a whole name: matches nothing
  assert.equal(m.stats().environments, 2);
  await m.stopFunction(spec.functionArn);
  assert.deepEqual(m.stats(), { environments: 1, busy: 1 });
  writeFileSync(signal, "");
  const r = await busy;
  assert.equal(r.functionError, undefined, "the busy invocation completes");
  assert.equal(m.stats().environments, 0, "and its environment is then discarded");
  const other = await call(m, { ...spec, functionArn: `${spec.functionArn}2` }); // a name that extends this one
  await call(m, { ...spec, version: "7", functionArn: `${spec.functionArn}:7` });
  assert.equal(m.stats().environments, 2);
  await m.stopFunction(`${spec.functionArn}:$LATEST`);
  assert.equal(m.stats().environments, 2, "only $LATEST of this function: none left");
  await m.stopFunction(spec.functionArn);
  assert.equal(m.stats().environments, 1, "other functions' environments stay");
  assert.equal(typeof other.json, "number");
  await m.stopFunction("");
  assert.equal(m.stats().environments, 0);
});

fnTest("logs: everything written before the response belongs to the invocation", async () => {
  const { m } = sharedManager();
  const spec = nodeFn([
    {
      name: "index.js",
      data: `exports.handler = async (e) => {
  for (let i = 0; i < 3000; i++) console.log("line " + i);
  process.stderr.write("raw stderr\\n");
  return "done";
};`,
    },
  ]);
  const r = await call(m, spec);
  assert.equal(r.json, "done");
  const count = r.logs.split("\n").filter((l) => /\tINFO\tline \d+$/.test(l)).length;
  assert.equal(count, 3000);
  assert.ok(r.logs.includes("raw stderr\n"));
  assert.ok(r.logs.indexOf("line 2999") < r.logs.indexOf("END RequestId"));
});

fnTest("python handler: result, context, logging, errors exactly as Lambda's Python runtime", async () => {
  const { m } = sharedManager();
  const codeDir = code.make([
    {
      name: "app.py",
      data: `import os, logging
print("loading")
logger = logging.getLogger()
def handler(event, context):
    print("event", event)
    logger.warning("careful %s", 1)
    if event.get("fail"):
        raise ValueError("bad value")
    if event.get("marshal"):
        return {1, 2}
    return {"echo": event, "pid": os.getpid(), "fn": context.function_name, "version": context.function_version,
            "arn": context.invoked_function_arn, "mem": context.memory_limit_in_mb, "id": context.aws_request_id,
            "group": context.log_group_name, "stream": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(), "cwd": os.getcwd(),
            "custom": context.client_context.custom if context.client_context else None,
            "region": os.environ["AWS_REGION"], "exec": os.environ["AWS_EXECUTION_ENV"], "tmp": os.environ["TMPDIR"],
            "leak": os.environ.get("HYPERLOCAL_PARENT_SECRET")}
`,
    },
    { name: "pkg/__init__.py", data: "" },
    { name: "pkg/mod.py", data: "def handler(event, context):\n    return 'dotted'\n" },
  ]);
  const spec = functionSpec(codeDir, { runtime: "python3.12", handler: "app.handler", timeoutSec: 5 });
  const clientContext = Buffer.from(JSON.stringify({ custom: { a: "b" } })).toString("base64");
  const r = await call(m, spec, { k: "v" }, { clientContext });
  assert.equal(r.functionError, undefined, r.payload.toString());
  const v = r.json;
  assert.deepEqual(v.echo, { k: "v" });
  assert.equal(v.fn, spec.functionName);
  assert.equal(v.version, "$LATEST");
  assert.equal(v.arn, spec.functionArn);
  assert.equal(v.mem, "128");
  assert.equal(v.id, r.requestId);
  assert.equal(v.group, spec.logGroupName);
  assert.match(v.stream, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  assert.ok(v.remaining > 3000 && v.remaining <= 5000);
  assert.equal(v.cwd, spec.codeDir);
  assert.deepEqual(v.custom, { a: "b" });
  assert.equal(v.region, "us-east-1");
  assert.equal(v.exec, "AWS_Lambda_python3.12");
  assert.ok(v.tmp.startsWith(workRoot));
  assert.equal(v.leak, null);
  assert.ok(r.payload.toString().startsWith('{"echo": {"k": "v"}, "pid": '), "python's json.dumps separators");
  assert.match(r.logs, /^INIT_START Runtime Version: python:3\.12\.v\d+\t/);
  assert.match(r.logs, /^loading\nSTART RequestId/m);
  assert.match(r.logs, /^event {'k': 'v'}$/m);
  assert.match(r.logs, new RegExp(`^\\[WARNING\\]\\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${r.requestId}\\tcareful 1$`, "m"));
  assert.ok(REPORT_RE.exec(r.logs)![3]);

  const err = await call(m, spec, { fail: true });
  assert.equal(err.functionError, "Unhandled");
  assert.ok(err.payload.toString().startsWith(`{"errorMessage": "bad value", "errorType": "ValueError", "requestId": "${err.requestId}", "stackTrace": [`));
  assert.equal(err.json.stackTrace.length, 1);
  assert.match(err.json.stackTrace[0], /^ {2}File ".*app\.py", line 8, in handler\n {4}raise ValueError\("bad value"\)\n$/);
  assert.match(err.logs, /^\[ERROR\] ValueError: bad value\nTraceback \(most recent call last\):\n {2}File /m);
  assert.equal((await call(m, spec)).json.pid, v.pid, "the environment survives a handled error");

  const marshal = await call(m, spec, { marshal: true });
  assert.equal(marshal.json.errorType, "Runtime.MarshalError");
  assert.equal(marshal.json.errorMessage, "Unable to marshal response: Object of type set is not JSON serializable");

  const dotted = await call(m, { ...spec, handler: "pkg.mod.handler", revisionKey: "dotted" });
  assert.equal(dotted.json, "dotted");

  const missing = await call(m, { ...spec, handler: "missing.handler", revisionKey: "missing" });
  assert.equal(missing.payload.toString(), `{"errorMessage": "Unable to import module 'missing': No module named 'missing'", "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}`);
  assert.match(missing.logs, /^\[ERROR\] Runtime.ImportModuleError: Unable to import module 'missing': No module named 'missing'\nTraceback \(most recent call last\):$/m);
  const noHandler = await call(m, { ...spec, handler: "app.nope", revisionKey: "nope" });
  assert.equal(noHandler.json.errorType, "Runtime.HandlerNotFound");
  assert.equal(noHandler.json.errorMessage, "Handler 'nope' missing on module 'app'");

  assert.equal(readdirSync(spec.codeDir).includes("__pycache__"), false, "nothing is written into the code directory");
});

fnTest("provided.al2023: the zip's own executable bootstrap speaks the Runtime API", async () => {
  const { m } = sharedManager();
  // A custom runtime in a shell script, handing over to a small node program for HTTP.
  const program = `
const http = require("http");
const api = process.env.AWS_LAMBDA_RUNTIME_API;
function call(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request("http://" + api + path, { method, headers }, (res) => {
      let data = ""; res.on("data", (c) => (data += c)); res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on("error", reject); req.end(body);
  });
}
(async () => {
  const checks = {};
  checks.early = (await call("POST", "/2018-06-01/runtime/invocation/x/response", "{}")).status;
  const notFound = await call("GET", "/2018-06-01/runtime/nothing-here");
  checks.notFound = [notFound.status, notFound.body];
  checks.wrongMethod = (await call("POST", "/2018-06-01/runtime/invocation/next", "")).status;
  for (;;) {
    const next = await call("GET", "/2018-06-01/runtime/invocation/next");
    const id = next.headers["lambda-runtime-aws-request-id"];
    const event = JSON.parse(next.body);
    if (event.fail) {
      await call("POST", "/2018-06-01/runtime/invocation/" + id + "/error", JSON.stringify({ errorMessage: "custom failure", errorType: "Custom.Error", stackTrace: [] }), { "Lambda-Runtime-Function-Error-Type": "Custom.Error" });
      continue;
    }
    const lateInit = await call("POST", "/2018-06-01/runtime/init/error", "{}");
    checks.lateInit = [lateInit.status, JSON.parse(lateInit.body).errorType];
    checks.twoNext = (await call("GET", "/2018-06-01/runtime/invocation/next")).status;
    checks.wrongId = (await call("POST", "/2018-06-01/runtime/invocation/not-this-one/response", "{}")).status;
    console.log("custom runtime handled", id);
    const ok = await call("POST", "/2018-06-01/runtime/invocation/" + id + "/response", JSON.stringify({ event, checks, handler: process.env._HANDLER,
      deadline: Number(next.headers["lambda-runtime-deadline-ms"]) - Date.now(), arn: next.headers["lambda-runtime-invoked-function-arn"], trace: next.headers["lambda-runtime-trace-id"] }));
    checks.answered = [ok.status, ok.body];
    checks.afterAnswer = (await call("POST", "/2018-06-01/runtime/invocation/" + id + "/response", "{}")).status;
  }
})();`;
  const codeDir = code.make([
    { name: "bootstrap", data: `#!/bin/sh\necho "bootstrap starting"\nexec node -e '${program.replace(/'/g, "'\\''")}'\n`, mode: 0o755 },
  ]);
  const spec = functionSpec(codeDir, { runtime: "provided.al2023", handler: "function.handler" });
  const r = await call(m, spec, { hello: "world" });
  assert.equal(r.functionError, undefined, r.logs);
  const v = r.json;
  assert.deepEqual(v.event, { hello: "world" });
  assert.equal(v.handler, "function.handler");
  assert.equal(v.arn, spec.functionArn);
  assert.ok(v.deadline > 2000 && v.deadline <= 3000);
  assert.match(v.trace, /^Root=1-/);
  assert.equal(v.checks.early, 403, "a response before /next is an invalid state transition");
  assert.deepEqual(v.checks.notFound, [404, "404 page not found\n"]);
  assert.equal(v.checks.wrongMethod, 405);
  assert.deepEqual(v.checks.lateInit, [403, "InvalidStateTransition"]);
  assert.equal(v.checks.twoNext, 403);
  assert.equal(v.checks.wrongId, 400);
  assert.match(r.logs, /^bootstrap starting$/m);
  assert.match(r.logs, /^custom runtime handled /m);
  assert.match(r.logs, /^INIT_START Runtime Version: provided:al2023\.v\d+\t/);

  const second = await call(m, spec, { again: true });
  assert.deepEqual(second.json.checks.answered, [202, '{"status":"OK"}']);
  assert.equal(second.json.checks.afterAnswer, 403);
  const failed = await call(m, spec, { fail: true });
  assert.equal(failed.functionError, "Unhandled");
  assert.deepEqual(failed.json, { errorMessage: "custom failure", errorType: "Custom.Error", stackTrace: [] });
});

fnTest("provided.al2023: a shell bootstrap speaking the Runtime API with curl, as AWS's tutorial does (Expect: 100-continue, chunked upload)", async (t) => {
  const { m } = sharedManager();
  const curl = ["/usr/bin/curl", "/bin/curl"].find((p) => existsSync(p));
  if (!curl) return t.skip("no curl on this machine");
  const bootstrap = `#!/bin/sh
set -eu
api="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  headers="$(mktemp)"
  event="$(${curl} -sS -D "$headers" "$api/invocation/next")"
  id="$(grep -Fi Lambda-Runtime-Aws-Request-Id "$headers" | tr -d '[:space:]' | cut -d: -f2)"
  body="$(mktemp)"
  case "$event" in
    *big*) { printf '"'; head -c 2000000 /dev/zero | tr '\\0' a; printf '"'; } > "$body"; ${curl} -sS -o /dev/null "$api/invocation/$id/response" --data-binary @"$body" ;;
    *chunked*) printf '{"chunked":%s}' "$event" > "$body"; ${curl} -sS -o /dev/null -H "Transfer-Encoding: chunked" "$api/invocation/$id/response" --data-binary @"$body" ;;
    *) printf '{"echo":%s}' "$event" > "$body"; ${curl} -sS -o /dev/null "$api/invocation/$id/response" -d @"$body" ;;
  esac
done
`;
  const spec = functionSpec(code.make([{ name: "bootstrap", data: bootstrap, mode: 0o755 }]), { runtime: "provided.al2023", handler: "x.y" });
  const r = await call(m, spec, { n: 1 });
  assert.equal(r.functionError, undefined, r.logs);
  assert.deepEqual(r.json, { echo: { n: 1 } }, `${r.payload.toString()} ${r.logs}`);
  const big = await call(m, spec, { big: true });
  assert.equal(big.functionError, undefined, big.logs);
  assert.equal(big.json.length, 2_000_000);
  assert.ok(/^a+$/.test(big.json));
  const chunked = await call(m, spec, { chunked: true });
  assert.equal(chunked.functionError, undefined, chunked.logs);
  assert.deepEqual(chunked.json, { chunked: { chunked: true } });
});

fnTest("provided.al2023: a missing or non-executable bootstrap is Runtime.InvalidEntrypoint", async () => {
  const { m } = sharedManager();
  const none = functionSpec(code.make([{ name: "main.sh", data: "#!/bin/sh\n", mode: 0o755 }]), { runtime: "provided.al2" });
  const r = await call(m, none);
  assert.equal(r.functionError, "Unhandled");
  assert.deepEqual(r.json, {
    errorType: "Runtime.InvalidEntrypoint",
    errorMessage: `RequestId: ${r.requestId} Error: Couldn't find valid bootstrap(s): [${none.codeDir}/bootstrap /opt/bootstrap]`,
  });
  const notExec = functionSpec(code.make([{ name: "bootstrap", data: "#!/bin/sh\n", mode: 0o644 }]), { runtime: "provided.al2023" });
  const r2 = await call(m, notExec);
  assert.equal(r2.json.errorMessage, `RequestId: ${r2.requestId} Error: fork/exec ${notExec.codeDir}/bootstrap: permission denied`);
  assert.equal(m.stats().busy, 0);
});

fnTest("an oversized response is Function.ResponseSizeTooLarge", async () => {
  const { m } = sharedManager();
  const spec = nodeFn([{ name: "index.js", data: "exports.handler = async () => 'x'.repeat(7 * 1024 * 1024);" }]);
  const r = await call(m, spec);
  assert.equal(r.functionError, "Unhandled");
  assert.equal(r.json.errorType, "Function.ResponseSizeTooLarge");
});

fnTest("unsupported runtimes fail the invocation instead of throwing", async () => {
  const { m } = sharedManager();
  const spec = nodeFn([{ name: "index.js", data: "" }], { runtime: "java21" });
  const r = await call(m, spec);
  assert.equal(r.functionError, "Unhandled");
  assert.equal(r.json.errorType, "Runtime.InvalidRuntime");
  assert.match(r.logs, /^START RequestId: .*\nRequestId: .*\nRuntime.InvalidRuntime\nEND RequestId/);
});

fnTest("prewarmed spares: the cold start uses a process started ahead of need", async () => {
  const { m } = manager();
  const spec = nodeFn([{ name: "index.js", data: "exports.handler = async () => ({ pid: process.pid, env: process.env.MY_VAR, cwd: process.cwd() });" }], {
    environment: { MY_VAR: "set-after-start" },
  });
  // Nothing to wait on but real process start-up here; give the spare time to load its bootstrap.
  await new Promise((r) => setTimeout(r, 400));
  const r = await call(m, spec);
  assert.equal(r.json.env, "set-after-start");
  assert.equal(r.json.cwd, spec.codeDir);
  assert.ok(r.initDurationMs !== undefined);
});

fnTest("shutdown kills busy environments; their invocations end as runtime exits", async () => {
  const clock = new SimulatedClock();
  const m = new RuntimeManager({ clock, workRoot, prewarm: false });
  const spec = nodeFn([{ name: "index.js", data: "exports.handler = async (e) => e.hang ? new Promise(() => {}) : 1;" }]);
  await call(m, spec);
  const pending = call(m, spec, { hang: true });
  await m.shutdown();
  clock.close();
  const r = await pending;
  assert.equal(r.json.errorType, "Runtime.ExitError");
  assert.deepEqual(m.stats(), { environments: 0, busy: 0 });
  await assert.rejects(m.invoke(spec, Buffer.from("{}"), { requestId: rid() }));
});
