import assert from "node:assert/strict";
import { test } from "node:test";
import { reportFigures } from "./invoke-report.ts";

test("the Test tab's Duration and Billed Duration come from REPORT (Text) or platform.report (JSON)", () => {
  const text = "START RequestId: r Version: $LATEST\nEND RequestId: r\nREPORT RequestId: r\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t\n";
  assert.deepEqual(reportFigures(text), { duration: "1.50 ms", billed: "2 ms" });
  const json =
    '{"time":"2024-01-01T00:00:00.000Z","type":"platform.start","record":{"requestId":"r","version":"$LATEST"}}\n' +
    '{"timestamp":"2024-01-01T00:00:00.001Z","level":"INFO","requestId":"r","message":"hi"}\n' +
    '{"time":"2024-01-01T00:00:00.002Z","type":"platform.report","record":{"requestId":"r","metrics":{"durationMs":3.4,"billedDurationMs":4,"memorySizeMB":128,"maxMemoryUsedMB":40},"status":"success"}}\n';
  assert.deepEqual(reportFigures(json), { duration: "3.40 ms", billed: "4 ms" });
  assert.equal(reportFigures('{"level":"INFO","message":"platform.report"}\n{"type":"platform.report" broken\n'), undefined);
  assert.equal(reportFigures(""), undefined);
});
