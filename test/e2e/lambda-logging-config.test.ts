// LoggingConfig takes effect as on AWS (Lambda advanced logging controls): LogFormat Text or JSON,
// ApplicationLogLevel filtering the runtime's console (Node.js) and logging module (Python),
// SystemLogLevel filtering Lambda's own platform.* records; AWS_LAMBDA_LOG_FORMAT and
// AWS_LAMBDA_LOG_LEVEL in the function's environment; an update applies from the next invocation.
// Seen through Invoke's LogType=Tail with the SDK and `/usr/bin/aws lambda invoke --log-type Tail`.
// Runs function code, so only inside a loopback-only network namespace.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  UpdateFunctionConfigurationCommand,
  type CreateFunctionCommandInput,
  type InvokeCommandOutput,
  type LambdaClient,
  type LoggingConfig,
} from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer, tempDir } from "../support/server.ts";
import { advanceClock, eventually, functionLogs, LAMBDA_TRUST, nodeZip, pythonZip } from "../support/zip-functions.ts";

const NODE_LOGGER = `
exports.handler = async (event) => {
  if (event.fail) throw new RangeError("out of range");
  console.trace("trace line");
  console.debug("debug line", 1);
  console.info("info line");
  console.log({ nested: { a: 1 } });
  console.warn("warn", "two", new TypeError("boom"));
  console.error("error line");
  return { format: process.env.AWS_LAMBDA_LOG_FORMAT ?? null, level: process.env.AWS_LAMBDA_LOG_LEVEL ?? null };
};
`;

const PY_LOGGER = `
import logging, os
logger = logging.getLogger()
def handler(event, context):
    if event.get("fail"):
        raise ValueError("bad input")
    logger.debug("debug line")
    logger.info("info line")
    logging.getLogger("app").warning("warn %s", "two", extra={"orderId": 7})
    try:
        raise KeyError("k")
    except KeyError:
        logger.exception("caught")
    print("plain print")
    return {"format": os.environ.get("AWS_LAMBDA_LOG_FORMAT"), "level": os.environ.get("AWS_LAMBDA_LOG_LEVEL")}
`;

let app: App;
let lambda: LambdaClient;
let role: string;

type Line = Record<string, unknown> & { type?: string; record?: Record<string, unknown>; level?: string; message?: unknown };
const logOf = (r: InvokeCommandOutput) => Buffer.from(r.LogResult ?? "", "base64").toString("utf8");
const payloadOf = (r: InvokeCommandOutput) => JSON.parse(Buffer.from(r.Payload ?? new Uint8Array()).toString("utf8"));
/** The JSON lines of a log; the others (print output, the platform's plain lines) are left out. */
const jsonLines = (log: string): Line[] => log.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Line);
const platform = (lines: Line[]) => lines.filter((l) => typeof l.type === "string").map((l) => l.type);
const app_ = (lines: Line[]) => lines.filter((l) => l.type === undefined);

async function create(name: string, over: Partial<CreateFunctionCommandInput>): Promise<LoggingConfig> {
  const r = await lambda.send(
    new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_LOGGER) }, ...over }),
  );
  await settled(name);
  return r.LoggingConfig!;
}

/** Until the function is Active and its last update Successful (the clock moves the state machine). */
async function settled(name: string): Promise<void> {
  await advanceClock(app.url, 1);
  await eventually(
    () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name })),
    (c) => c.State === "Active" && c.LastUpdateStatus === "Successful",
  );
}

async function update(name: string, logging: LoggingConfig): Promise<LoggingConfig> {
  const r = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, LoggingConfig: logging }));
  await settled(name);
  return r.LoggingConfig!;
}

const invoke = (name: string, payload: unknown = {}) =>
  lambda.send(new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: Buffer.from(JSON.stringify(payload)) }));

describe("LoggingConfig", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, () => {
  before(async () => {
    app = await startTestServer({ iam: "off" });
    const c = clients(app.url);
    lambda = c.lambda;
    role = (await c.iam.send(new CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
  });
  after(() => app?.close());

  it("Text (the default): Lambda's text lines, nothing filtered, AWS_LAMBDA_LOG_FORMAT=Text and no level", async () => {
    const cfg = await create("node-text", {});
    assert.deepEqual(cfg, { LogFormat: "Text", LogGroup: "/aws/lambda/node-text" });
    const r = await invoke("node-text");
    assert.deepEqual(payloadOf(r), { format: "Text", level: null });
    const log = logOf(r);
    assert.match(log, /^START RequestId: \S+ Version: \$LATEST$/m);
    assert.match(log, /^\d{4}-\d\d-\d\dT[\d:.]+Z\t\S+\tDEBUG\tdebug line 1$/m);
    assert.match(log, /^\d{4}-\d\d-\d\dT[\d:.]+Z\t\S+\tTRACE\tTrace: trace line$/m);
    assert.match(log, /\tINFO\t\{ nested: \{ a: 1 \} \}$/m);
    assert.match(log, /^END RequestId: /m);
    assert.match(log, /^REPORT RequestId: \S+\tDuration: /m);
    assert.equal(jsonLines(log).length, 0);
  });

  it("Node.js JSON: console as JSON objects at INFO and above, platform.start/report records, levels INFO by default", async () => {
    const cfg = await create("node-json", { LoggingConfig: { LogFormat: "JSON" } });
    assert.deepEqual(cfg, { LogFormat: "JSON", ApplicationLogLevel: "INFO", SystemLogLevel: "INFO", LogGroup: "/aws/lambda/node-json" });
    const r = await invoke("node-json");
    assert.deepEqual(payloadOf(r), { format: "JSON", level: "INFO" });
    const log = logOf(r);
    assert.doesNotMatch(log, /START RequestId|END RequestId|REPORT RequestId/);
    const lines = jsonLines(log);
    const others = log.trim().split("\n").filter((l) => !l.startsWith("{") && !l.startsWith("hyperlocal: "));
    assert.deepEqual(others, [], "every line but hyperlocal's own network notice is JSON");
    assert.deepEqual(platform(lines), ["platform.initStart", "platform.start", "platform.report"]);
    const start = lines.find((l) => l.type === "platform.start")!;
    const requestId = start.record!.requestId as string;
    assert.deepEqual(start.record, { requestId, version: "$LATEST" });
    const report = lines.find((l) => l.type === "platform.report")!.record!;
    assert.equal(report.status, "success");
    assert.deepEqual(Object.keys(report.metrics as object), ["durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB", "initDurationMs"]);

    const appLines = app_(lines);
    assert.deepEqual(appLines.map((l) => l.level), ["INFO", "INFO", "WARN", "ERROR"], "TRACE and DEBUG are below INFO");
    for (const l of appLines) {
      assert.match(String(l.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(l.requestId, requestId);
    }
    assert.deepEqual(Object.keys(appLines[0]), ["timestamp", "level", "requestId", "message"]);
    assert.equal(appLines[0].message, "info line");
    assert.deepEqual(appLines[1].message, { nested: { a: 1 } }, "a single object stays an object");
    assert.match(String(appLines[2].message), /^warn two TypeError: boom/);
    assert.equal(appLines[2].errorType, "TypeError");
    assert.equal(appLines[2].errorMessage, "boom");
    assert.ok(Array.isArray(appLines[2].stackTrace));
    assert.equal(appLines[3].message, "error line");

    // hyperlocal's log store (GET /_hyperlocal/logs, `hyperlocal logs`) keeps the same lines.
    const stored = (await functionLogs(app.url, "node-json")).events.map((e) => e.message);
    assert.ok(stored.some((m) => m.startsWith('{"time"') && m.includes('"type":"platform.report"') && m.includes(requestId)));
    assert.ok(stored.some((m) => m.startsWith('{"timestamp"') && m.includes('"message":"info line"')));

    const failed = await invoke("node-json", { fail: true });
    assert.equal(failed.FunctionError, "Unhandled");
    const err = app_(jsonLines(logOf(failed)));
    assert.equal(err.length, 1);
    assert.equal(err[0].level, "ERROR");
    const message = err[0].message as { errorType: string; errorMessage: string; stackTrace: string[] };
    assert.equal(message.errorType, "RangeError");
    assert.equal(message.errorMessage, "out of range");
    assert.match(message.stackTrace[0], /^RangeError: out of range/);
  });

  it("an update applies from the next invocation: DEBUG shows debug lines, SystemLogLevel WARN hides every platform record", async () => {
    const cfg = await update("node-json", { ApplicationLogLevel: "DEBUG", SystemLogLevel: "WARN" });
    assert.deepEqual(cfg, { LogFormat: "JSON", ApplicationLogLevel: "DEBUG", SystemLogLevel: "WARN", LogGroup: "/aws/lambda/node-json" });
    const r = await invoke("node-json");
    assert.deepEqual(payloadOf(r), { format: "JSON", level: "DEBUG" });
    const lines = jsonLines(logOf(r));
    assert.deepEqual(platform(lines), []);
    assert.deepEqual(app_(lines).map((l) => l.level), ["DEBUG", "INFO", "INFO", "WARN", "ERROR"]);
    assert.equal(app_(lines)[0].message, "debug line 1");

    await update("node-json", { ApplicationLogLevel: "ERROR", SystemLogLevel: "DEBUG" });
    const quiet = jsonLines(logOf(await invoke("node-json")));
    assert.deepEqual(platform(quiet), ["platform.initStart", "platform.start", "platform.runtimeDone", "platform.report"]);
    assert.deepEqual(app_(quiet).map((l) => l.message), ["error line"]);
  });

  it("back to Text: the levels are dropped and the text lines return", async () => {
    const cfg = await update("node-json", { LogFormat: "Text" });
    assert.deepEqual(cfg, { LogFormat: "Text", LogGroup: "/aws/lambda/node-json" });
    const r = await invoke("node-json");
    assert.deepEqual(payloadOf(r), { format: "Text", level: null });
    assert.match(logOf(r), /^START RequestId: /m);
    assert.match(logOf(r), /\tDEBUG\tdebug line 1$/m);
  });

  it("Python JSON: the logging module as JSON objects (logger, requestId, extras, exceptions), print untouched", async () => {
    await create("py-json", { Runtime: "python3.12", Handler: "app.handler", Code: { ZipFile: pythonZip(PY_LOGGER) }, LoggingConfig: { LogFormat: "JSON" } });
    const r = await invoke("py-json");
    assert.deepEqual(payloadOf(r), { format: "JSON", level: "INFO" });
    const log = logOf(r);
    assert.match(log, /^plain print$/m);
    const lines = jsonLines(log);
    assert.deepEqual(platform(lines), ["platform.initStart", "platform.start", "platform.report"]);
    const requestId = lines.find((l) => l.type === "platform.start")!.record!.requestId;
    const appLines = app_(lines);
    assert.deepEqual(appLines.map((l) => [l.level, l.message]), [["INFO", "info line"], ["WARNING", "warn two"], ["ERROR", "caught"]]);
    assert.deepEqual(Object.keys(appLines[0]), ["timestamp", "level", "message", "logger", "requestId"]);
    assert.match(String(appLines[0].timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(appLines[0].logger, "root");
    assert.equal(appLines[0].requestId, requestId);
    assert.equal(appLines[1].logger, "app");
    assert.equal(appLines[1].orderId, 7, "extra fields are kept");
    assert.equal(appLines[2].errorType, "KeyError");
    assert.equal(appLines[2].errorMessage, "'k'");
    assert.ok(Array.isArray(appLines[2].stackTrace));
    assert.match(String(appLines[2].location), /app\.py:handler:\d+$/);

    const failed = await invoke("py-json", { fail: true });
    assert.equal(failed.FunctionError, "Unhandled");
    const err = app_(jsonLines(logOf(failed))).find((l) => l.errorType === "ValueError")!;
    assert.equal(err.level, "ERROR");
    assert.equal(err.errorMessage, "bad input");
    assert.match(String(err.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });

  it("Python: DEBUG reaches the root logger; Text keeps Lambda's [LEVEL] lines", async () => {
    await update("py-json", { ApplicationLogLevel: "DEBUG" });
    const debug = app_(jsonLines(logOf(await invoke("py-json"))));
    assert.deepEqual(debug.map((l) => l.level), ["DEBUG", "INFO", "WARNING", "ERROR"]);
    await update("py-json", { LogFormat: "Text" });
    const r = await invoke("py-json");
    assert.deepEqual(payloadOf(r), { format: "Text", level: null });
    // Python's root logger stays at WARNING without a level, as on Lambda.
    assert.match(logOf(r), /^\[WARNING\]\t\d{4}-\d\d-\d\dT[\d:.]+Z\t\S+\twarn two$/m);
    assert.doesNotMatch(logOf(r), /info line/);
  });

  // Debian's CLI (2.9) predates LoggingConfig, so the configuration is set with the SDK.
  it("works through the AWS CLI: invoke --log-type Tail shows the JSON lines", { skip: !hasAwsCli() && "no /usr/bin/aws" }, async () => {
    await create("cli-json", {});
    const cfg = await update("cli-json", { LogFormat: "JSON", ApplicationLogLevel: "WARN" });
    assert.deepEqual(cfg, { LogFormat: "JSON", ApplicationLogLevel: "WARN", SystemLogLevel: "INFO", LogGroup: "/aws/lambda/cli-json" });
    const out = join(tempDir(), "out.json");
    const r = await aws(app.url, ["lambda", "invoke", "--function-name", "cli-json", "--log-type", "Tail", out]);
    assert.equal(r.code, 0, r.stderr);
    const lines = jsonLines(Buffer.from(r.json.LogResult, "base64").toString("utf8"));
    assert.deepEqual(platform(lines), ["platform.initStart", "platform.start", "platform.report"]);
    assert.deepEqual(app_(lines).map((l) => l.level), ["WARN", "ERROR"]);
  });
});
