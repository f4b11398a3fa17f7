import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SPEC_SOURCE, specDefinition, specSchema } from "./resource-spec.ts";
import { supportedTypes } from "../providers/registry.ts";

test("the specification names its source and pinned version", () => {
  assert.match(SPEC_SOURCE, /^@aws-cdk\/aws-service-spec \d+\.\d+\.\d+$/);
});

test("update behaviour comes from AWS's specification (issue 11's examples)", () => {
  assert.equal(specSchema("AWS::EC2::Subnet").properties.CidrBlock.update, "Immutable");
  assert.equal(specSchema("AWS::EC2::SecurityGroup").properties.GroupDescription.update, "Immutable");
  assert.equal(specSchema("AWS::Lambda::Function").properties.VpcConfig.update, "Mutable");
  assert.equal(specSchema("AWS::EC2::VPC").properties.InstanceTenancy.update, "Conditional");
});

test("required properties, types and attributes come from it too", () => {
  const fn = specSchema("AWS::Lambda::Function");
  assert.equal(fn.properties.Code.required, true);
  assert.equal(fn.properties.Role.required, true);
  assert.equal(fn.properties.Handler.required, undefined);
  assert.equal(fn.properties.Timeout.shape, "integer");
  assert.equal(fn.properties.VpcConfig.shape, "#AWS::Lambda::Function.VpcConfig");
  assert.deepEqual(Object.keys(specDefinition(fn.properties.VpcConfig.shape)!).sort(), ["Ipv6AllowedForDualStack", "SecurityGroupIds", "SubnetIds"]);
  assert.ok(fn.attributes.includes("Arn"));
  assert.equal(fn.tagged, true);
  assert.equal(specSchema("AWS::IAM::InstanceProfile").tagged, undefined);
});

test("every type hyperlocal serves is in the generated data", () => {
  for (const t of supportedTypes()) assert.doesNotThrow(() => specSchema(t), t);
  assert.throws(() => specSchema("AWS::EC2::Instance"), /not in the generated resource specification/);
});

test("the committed file is what the generator makes from the pinned package (reproducible)", () => {
  const out = execFileSync(process.execPath, [fileURLToPath(new URL("../../../../scripts/generate-cfn-resource-spec.mjs", import.meta.url)), "--check"], { encoding: "utf8" });
  assert.match(out, /up to date/);
});
