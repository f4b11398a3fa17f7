import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reverse, runGraph } from "./graph.ts";

const deps: Record<string, string[]> = { vpc: [], subnet: ["vpc"], sg: ["vpc"], fn: ["subnet", "sg"] };
const needs = (id: string) => deps[id];

describe("runGraph", () => {
  it("starts independent tasks together and each only after what it needs", async () => {
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const r = await runGraph(Object.keys(deps), needs, async (id) => {
      running++;
      most = Math.max(most, running);
      log.push(`start ${id}`);
      await new Promise((res) => setTimeout(res, 5));
      log.push(`end ${id}`);
      running--;
      return true;
    });
    assert.deepEqual(r.failed, []);
    assert.equal(most, 2, "subnet and sg run at the same time");
    assert.ok(log.indexOf("start fn") > log.indexOf("end subnet") && log.indexOf("start fn") > log.indexOf("end sg"));
  });

  it("after a failure starts nothing new", async () => {
    const r = await runGraph(Object.keys(deps), needs, async (id) => id !== "subnet");
    assert.deepEqual(r.failed, ["subnet"]);
    assert.deepEqual(r.notStarted, ["fn"]);
  });

  it("reversed with keepGoing (deletion): users first, and what a failed task needs is kept", async () => {
    const order: string[] = [];
    const r = await runGraph(Object.keys(deps), reverse(Object.keys(deps), needs), async (id) => (order.push(id), id !== "sg"), true);
    assert.equal(order[0], "fn");
    assert.ok(order.includes("subnet"), "the subnet goes although the group failed");
    assert.deepEqual(r.notStarted, ["vpc"], "the VPC stays: its group could not be deleted");
  });
});
