// The network module reads EC2 through Ec2View: `npm run typecheck` fails if a write compiles.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Ec2View } from "../../services/ec2/index.ts";
import { emptyState } from "../../services/ec2/state.ts";

/** Never called: each line is a write the view must refuse at compile time. */
function writes(v: Ec2View): void {
  // @ts-expect-error a table cannot be added to
  v.vpcs["vpc-1"] = v.vpcs["vpc-2"];
  // @ts-expect-error nor a record changed
  v.networkInterfaces["eni-1"].privateIps = [];
  // @ts-expect-error nor a list inside a record
  v.securityGroups["sg-1"].rules.push(v.securityGroups["sg-1"].rules[0]);
  // @ts-expect-error nor a nested object
  v.subnets["subnet-1"].pool4.count = 0;
}

test("EC2's live state is handed to the network module as a read-only view", () => {
  const view: Ec2View = emptyState("111122223333", "eu-west-1");
  assert.equal(typeof writes, "function");
  assert.deepEqual(Object.keys(view.vpcs), []);
});
