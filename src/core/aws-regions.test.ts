import assert from "node:assert/strict";
import { test } from "node:test";
import { AWS_REGIONS, awsRegion } from "./aws-regions.ts";
import { awsServiceAddress, awsServiceAt } from "./aws-service-addresses.ts";

test("every Region has its own name and its own address slot among the 16", () => {
  assert.equal(new Set(AWS_REGIONS.map((r) => r.name)).size, AWS_REGIONS.length);
  assert.deepEqual(AWS_REGIONS.map((r) => r.addressSlot).sort((a, b) => a - b), [...Array(16).keys()]);
  for (const r of AWS_REGIONS) assert.deepEqual(awsServiceAt(awsServiceAddress(r.name, "sts")!), { region: r.name, service: "sts" });
});

test("lookup by name: known Regions only, never a prototype name", () => {
  assert.equal(awsRegion("eu-west-1")?.longName, "Europe (Ireland)");
  assert.equal(awsRegion("us-east-1")?.addressSlot, 0);
  for (const name of ["constructor", "__proto__", "toString", "xx-nowhere-1"]) assert.equal(awsRegion(name), undefined);
});
