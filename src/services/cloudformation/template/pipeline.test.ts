import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { processTemplate, registerTransform } from "./pipeline.ts";

const ctx = { account: "000000000000", region: "us-east-1", capabilities: [], stackName: "s" };

describe("processTemplate", () => {
  it("runs a registered transform before the analysis and keeps both stages", () => {
    registerTransform({
      name: "Test::Expand",
      apply: (t) => ({ ...t, Resources: { Vpc: { Type: "AWS::EC2::VPC", Properties: { CidrBlock: "10.0.0.0/16" } } } }),
    });
    const r = processTemplate(`Transform: Test::Expand\nResources:\n  Thing:\n    Type: Test::Thing\n`, ctx);
    assert.equal(r.transformed, true);
    assert.deepEqual([...r.analyzed.resources.keys()], ["Vpc"]);
    assert.equal(r.processed.Transform, undefined);
    assert.equal((r.original.Resources as any).Thing.Type, "Test::Thing");
  });

  it("refuses a transform nobody registered", () => {
    assert.throws(() => processTemplate(`Transform: AWS::Nope\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n`, ctx), /^ValidationError|Template format error: Unsupported transform: AWS::Nope/);
  });

  it("answers a template nested past the parser's depth with a ValidationError, not a crash", () => {
    const deep = `{"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Metadata": ${"[".repeat(20000)}${"]".repeat(20000)}}}}`;
    assert.throws(() => processTemplate(deep, ctx), (e: Error & { code?: string }) => e.code === "ValidationError");
  });

  it("refuses a body over 51,200 bytes", () => {
    assert.throws(() => processTemplate(`Resources: {}\n${"#".repeat(51_200)}`, ctx), /Member must have length less than or equal to 51200/);
  });
});
