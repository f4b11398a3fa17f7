import assert from "node:assert/strict";
import { test } from "node:test";
import { formatTime, isStackBusy, resourceHref, stackTone } from "./stack-status.ts";

test("statuses map to the badge tones the AWS console uses: in progress, complete, failed or rolled back, deleted", () => {
  assert.equal(stackTone("CREATE_IN_PROGRESS"), "busy");
  assert.equal(stackTone("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"), "busy");
  assert.equal(stackTone("CREATE_COMPLETE"), "ok");
  assert.equal(stackTone("UPDATE_COMPLETE"), "ok");
  assert.equal(stackTone("CREATE_FAILED"), "bad");
  assert.equal(stackTone("ROLLBACK_COMPLETE"), "bad");
  assert.equal(stackTone("UPDATE_ROLLBACK_COMPLETE"), "bad");
  assert.equal(stackTone("DELETE_COMPLETE"), "idle");
  assert.equal(stackTone("DELETE_SKIPPED"), "idle");
  assert.equal(stackTone(undefined), "");
  assert.equal(isStackBusy("DELETE_IN_PROGRESS"), true);
  assert.equal(isStackBusy("DELETE_COMPLETE"), false);
  assert.equal(isStackBusy(undefined), false);
});

test("physical IDs link to the console's pages for functions and VPCs that still exist", () => {
  assert.equal(resourceHref("AWS::Lambda::Function", "app-Fn-ABC", "CREATE_COMPLETE"), "#/functions/app-Fn-ABC");
  assert.equal(resourceHref("AWS::EC2::VPC", "vpc-1", "CREATE_COMPLETE"), "#/vpc/vpc-1");
  assert.equal(resourceHref("AWS::EC2::VPC", "vpc-1", "DELETE_COMPLETE"), undefined);
  assert.equal(resourceHref("AWS::EC2::Subnet", "subnet-1", "CREATE_COMPLETE"), undefined);
  assert.equal(resourceHref("AWS::Lambda::Function", undefined, "CREATE_IN_PROGRESS"), undefined);
});

test("times read as UTC to the second", () => {
  assert.equal(formatTime(new Date("2026-12-05T02:15:03.456Z")), "2026-12-05 02:15:03 UTC");
  assert.equal(formatTime(undefined), "–");
});
