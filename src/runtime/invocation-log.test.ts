import { test } from "node:test";
import assert from "node:assert/strict";
import { endLine, initReportLine, initStartLine, reportLine, startLine, timeoutLine } from "./invocation-log.ts";
import { exitDescription } from "./platform-errors.ts";

test("START, END and REPORT lines in Lambda's exact format", () => {
  assert.equal(startLine("id-1", "$LATEST"), "START RequestId: id-1 Version: $LATEST\n");
  assert.equal(endLine("id-1"), "END RequestId: id-1\n");
  assert.equal(
    reportLine({ requestId: "id-1", durationMs: 1.234, billedDurationMs: 2, memorySizeMb: 128, maxMemoryUsedMb: 40, initDurationMs: 95.123 }),
    "REPORT RequestId: id-1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 95.12 ms\t\n",
  );
  assert.equal(
    reportLine({ requestId: "id-2", durationMs: 3000, billedDurationMs: 3000, memorySizeMb: 512, maxMemoryUsedMb: 80, status: "timeout" }),
    "REPORT RequestId: id-2\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB\tStatus: timeout\t\n",
  );
  assert.equal(
    reportLine({ requestId: "id-3", durationMs: 5, billedDurationMs: 5, memorySizeMb: 128, maxMemoryUsedMb: 50, status: "error", errorType: "Runtime.ExitError" }),
    "REPORT RequestId: id-3\tDuration: 5.00 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 50 MB\tStatus: error\tError Type: Runtime.ExitError\t\n",
  );
});

test("INIT_START, INIT_REPORT and the timeout line", () => {
  assert.match(initStartLine("nodejs22.x", "eu-west-1"), /^INIT_START Runtime Version: nodejs:22\.v1\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:[0-9a-f]{64}\n$/);
  assert.match(initStartLine("python3.13", "eu-west-1"), /^INIT_START Runtime Version: python:3\.13\.v1\t/);
  assert.equal(initReportLine(12.5, "error", "Runtime.ImportModuleError"), "INIT_REPORT Init Duration: 12.50 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError\t\n");
  assert.equal(timeoutLine(Date.UTC(2024, 0, 1), "id-9", 3), "2024-01-01T00:00:00.000Z id-9 Task timed out after 3.00 seconds\n");
});

test("process exits described in Go's words, as Lambda passes them on", () => {
  assert.equal(exitDescription({ code: 1, signal: null }), "Runtime exited with error: exit status 1");
  assert.equal(exitDescription({ code: 0, signal: null }), "Runtime exited without providing a reason");
  assert.equal(exitDescription({ code: null, signal: "SIGKILL" }), "Runtime exited with error: signal: killed");
  assert.equal(exitDescription({ code: null, signal: "SIGSEGV" }), "Runtime exited with error: signal: segmentation fault");
  assert.equal(exitDescription({ code: null, signal: "SIGABRT" }), "Runtime exited with error: signal: aborted");
});
