import { test } from "node:test";
import assert from "node:assert/strict";
import { FunctionLogs } from "./logs.ts";

test("function logs: the newest 5,000 lines are kept, in order, whatever the trimming", () => {
  const logs = new FunctionLogs();
  for (let i = 1; i <= 7321; i++) logs.append("1", "us-east-1", "f", `line ${i}\n`, i);
  const all = logs.read("1", "us-east-1", "f");
  assert.equal(all.events.length, 5000);
  assert.equal(all.events[0].message, "line 2322");
  assert.equal(all.events[4999].message, "line 7321");
  assert.equal(all.next, 7321);
  assert.deepEqual(logs.read("1", "us-east-1", "f", 7319).events.map((e) => e.seq), [7320, 7321]);
  assert.equal(logs.read("1", "us-east-1", "f", 0, 3).events[0].message, "line 7319");
  assert.equal(logs.read("1", "us-east-1", "g").events.length, 0);
});

test("function logs: one invocation's text becomes one event per line", () => {
  const logs = new FunctionLogs();
  logs.append("1", "us-east-1", "f", "START\nhello\nEND\n", 5);
  assert.deepEqual(logs.read("1", "us-east-1", "f").events.map((e) => [e.seq, e.message, e.timestamp]), [[1, "START", 5], [2, "hello", 5], [3, "END", 5]]);
});
