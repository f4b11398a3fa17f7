import { test } from "node:test";
import assert from "node:assert/strict";
import { applyLoggingConfig } from "./logging-config.ts";

test("JSON brings INFO levels unless given; asking for JSON again resets what is not given", () => {
  assert.deepEqual(applyLoggingConfig({ logFormat: "Text" }, {}), { logFormat: "Text" });
  assert.deepEqual(applyLoggingConfig({ logFormat: "Text" }, { LogFormat: "JSON" }), { logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "INFO" });
  assert.deepEqual(applyLoggingConfig({ logFormat: "Text" }, { LogFormat: "JSON", SystemLogLevel: "WARN" }), { logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "WARN" });
  const debug = { logFormat: "JSON" as const, applicationLogLevel: "DEBUG", systemLogLevel: "WARN" };
  assert.deepEqual(applyLoggingConfig(debug, { LogFormat: "JSON" }), { logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "INFO" });
});

test("levels alone keep the format; JSON back to Text drops the levels", () => {
  const json = { logFormat: "JSON" as const, applicationLogLevel: "INFO", systemLogLevel: "INFO" };
  assert.deepEqual(applyLoggingConfig(json, { ApplicationLogLevel: "ERROR" }), { logFormat: "JSON", applicationLogLevel: "ERROR", systemLogLevel: "INFO" });
  assert.deepEqual(applyLoggingConfig(json, { LogFormat: "Text" }), { logFormat: "Text" });
  assert.deepEqual(applyLoggingConfig({ logFormat: "Text" }, { ApplicationLogLevel: "WARN" }), { logFormat: "Text", applicationLogLevel: "WARN" }, "kept as given, though Text does not filter");
});
