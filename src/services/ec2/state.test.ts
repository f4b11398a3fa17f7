import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { dict } from "../../core/dict.ts";
import { Store } from "../../store/store.ts";
import { countInVpc, countOf, dropRecord, putRecord } from "./state.ts";

type Table = { groups: Record<string, { id: string; vpcId: string }> };

test("quota counts follow putRecord and dropRecord, a failed request's undo, and a restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hyperlocal-ec2-counts-"));
  let store = await Store.open(dir);
  const state = () => store.state<Table>("ec2", "111122223333", "eu-west-1", () => ({ groups: dict() }));
  const ok = () => true;
  await store.run(async () => {
    const t = state().groups;
    assert.equal(countOf(t), 0);
    putRecord(t, "sg-1", { id: "sg-1", vpcId: "vpc-a" });
    putRecord(t, "sg-2", { id: "sg-2", vpcId: "vpc-a" });
    putRecord(t, "sg-3", { id: "sg-3", vpcId: "vpc-b" });
    putRecord(t, "sg-3", { id: "sg-3", vpcId: "vpc-b" });
    dropRecord(t, "sg-1");
    dropRecord(t, "sg-9");
  }, ok);
  assert.equal(countOf(state().groups), 2);
  assert.equal(countInVpc(state().groups, "vpc-a"), 1);
  assert.equal(countInVpc(state().groups, "vpc-b"), 1);
  // Undone by the store, not through dropRecord: the counts are taken again.
  await assert.rejects(
    store.run(async () => {
      putRecord(state().groups, "sg-4", { id: "sg-4", vpcId: "vpc-a" });
      assert.equal(countInVpc(state().groups, "vpc-a"), 2);
      throw new Error("failed late");
    }, ok),
  );
  assert.equal(countOf(state().groups), 2);
  assert.equal(countInVpc(state().groups, "vpc-a"), 1);
  await store.close();
  store = await Store.open(dir);
  assert.equal(countOf(state().groups), 2);
  assert.equal(countInVpc(state().groups, "vpc-b"), 1);
  assert.equal(countInVpc(state().groups, "vpc-z"), 0);
  await store.close();
});
