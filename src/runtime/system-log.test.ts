import { test } from "node:test";
import assert from "node:assert/strict";
import { invocationLog } from "./system-log.ts";
import type { InvocationLogParts } from "./system-log.ts";

const T0 = Date.UTC(2024, 4, 9, 12, 38, 42, 140);
const parts = (over: Partial<InvocationLogParts> = {}): InvocationLogParts => ({
  requestId: "req-1",
  version: "$LATEST",
  functionName: "fn",
  runtime: "nodejs20.x",
  region: "us-east-1",
  init: { startedAt: T0 - 200, output: "init says hi\n", durationMs: 150.456 },
  startedAt: T0,
  endedAt: T0 + 3,
  output: '{"level":"INFO","message":"hello"}\n',
  producedBytes: 7,
  report: { requestId: "req-1", durationMs: 2.345, billedDurationMs: 153, memorySizeMb: 128, maxMemoryUsedMb: 40, initDurationMs: 150.456 },
  ...over,
});

function records(text: string): { time: string; type: string; record: Record<string, unknown> }[] {
  return text.split("\n").filter((l) => l.startsWith('{"time"')).map((l) => JSON.parse(l));
}

test("Text: Lambda's platform lines around the output, whatever the levels", () => {
  const text = invocationLog({ format: "Text", systemLogLevel: "WARN" }, parts());
  const lines = text.split("\n");
  assert.match(lines[0], /^INIT_START Runtime Version: nodejs:20\.v1\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/);
  assert.equal(lines[1], "init says hi");
  assert.equal(lines[2], "START RequestId: req-1 Version: $LATEST");
  assert.equal(lines[4], "END RequestId: req-1");
  assert.match(lines[5], /^REPORT RequestId: req-1\tDuration: 2\.35 ms\tBilled Duration: 153 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 150\.46 ms\t$/);
  assert.equal(invocationLog(undefined, parts()), text, "no LoggingConfig is Text");
});

test("JSON at the default INFO: platform.initStart, .start and .report records; runtimeDone is DEBUG", () => {
  const text = invocationLog({ format: "JSON" }, parts());
  const recs = records(text);
  assert.deepEqual(recs.map((r) => r.type), ["platform.initStart", "platform.start", "platform.report"]);
  assert.deepEqual(recs[0].record, {
    initializationType: "on-demand",
    phase: "init",
    runtimeVersion: "nodejs:20.v1",
    runtimeVersionArn: (recs[0].record as { runtimeVersionArn: string }).runtimeVersionArn,
    functionName: "fn",
    functionVersion: "$LATEST",
  });
  assert.equal(recs[0].time, new Date(T0 - 200).toISOString());
  assert.deepEqual(recs[1], { time: "2024-05-09T12:38:42.140Z", type: "platform.start", record: { requestId: "req-1", version: "$LATEST" } });
  assert.deepEqual(recs[2].record, {
    requestId: "req-1",
    metrics: { durationMs: 2.35, billedDurationMs: 153, memorySizeMB: 128, maxMemoryUsedMB: 40, initDurationMs: 150.46 },
    status: "success",
  });
  assert.ok(text.includes('init says hi\n{"time"'), "init output sits after platform.initStart");
  assert.ok(text.includes('{"level":"INFO","message":"hello"}\n'), "the function's output is kept as the runtime wrote it");
  assert.ok(!/START RequestId|END RequestId|REPORT RequestId/.test(text));
});

test("JSON system levels: DEBUG adds platform.runtimeDone, WARN keeps none of them", () => {
  const debug = records(invocationLog({ format: "JSON", systemLogLevel: "DEBUG" }, parts()));
  assert.deepEqual(debug.map((r) => r.type), ["platform.initStart", "platform.start", "platform.runtimeDone", "platform.report"]);
  assert.deepEqual(debug[2].record, { requestId: "req-1", status: "success", metrics: { durationMs: 2.35, producedBytes: 7 } });
  const warn = invocationLog({ format: "JSON", systemLogLevel: "WARN" }, parts({ init: undefined }));
  assert.equal(warn, '{"level":"INFO","message":"hello"}\n');
});

test("JSON failures: the report's status and error type, the init report, the platform's own lines kept", () => {
  const text = invocationLog({ format: "JSON" }, parts({
    init: { startedAt: T0 - 200, output: "", durationMs: 10, failure: { status: "error", errorType: "Runtime.ExitError" } },
    trailer: "RequestId: req-1 Error: Runtime exited with error: exit status 1\nRuntime.ExitError\n",
    report: { requestId: "req-1", durationMs: 12, billedDurationMs: 12, memorySizeMb: 128, maxMemoryUsedMb: 30, status: "error", errorType: "Runtime.ExitError" },
  }));
  const recs = records(text);
  assert.deepEqual(recs.map((r) => r.type), ["platform.initStart", "platform.initReport", "platform.start", "platform.report"]);
  assert.deepEqual(recs[1].record, { initializationType: "on-demand", phase: "init", status: "error", errorType: "Runtime.ExitError", metrics: { durationMs: 10 } });
  assert.equal(recs[3].record.status, "error");
  assert.equal(recs[3].record.errorType, "Runtime.ExitError");
  assert.ok(text.includes("Runtime.ExitError\n"));
});
