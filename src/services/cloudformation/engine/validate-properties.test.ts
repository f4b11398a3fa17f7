import { test } from "node:test";
import assert from "node:assert/strict";
import { validateProperties } from "./validate-properties.ts";
import { providerFor } from "../providers/registry.ts";
import type { JsonObject } from "../template/parse.ts";

const fn = (props: JsonObject) => validateProperties("Fn", providerFor("AWS::Lambda::Function")!, { Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: "x" }, ...props });
const prefix = "Properties validation failed for resource Fn with message: ";

test("a valid function passes", () => {
  assert.equal(fn({ Runtime: "python3.12", Handler: "index.handler", Timeout: "30", MemorySize: 256, VpcConfig: { SubnetIds: ["subnet-1"], SecurityGroupIds: ["sg-1"] }, Tags: [{ Key: "a", Value: "b" }] }), undefined);
});

test("an unknown top-level property gets the legacy text", () => {
  assert.equal(fn({ Timout: 3 }), "Encountered unsupported property Timout");
});

test("required keys, nested unknown keys and wrong types get the registry's texts", () => {
  assert.equal(validateProperties("Fn", providerFor("AWS::Lambda::Function")!, { Code: { ZipFile: "x" } }), `${prefix}#: required key [Role] not found`);
  assert.equal(fn({ VpcConfig: { SubnetIds: ["subnet-1"], Subnets: [] } }), `${prefix}#/VpcConfig: extraneous key [Subnets] is not permitted`);
  assert.equal(fn({ Timeout: "thirty" }), `${prefix}#/Timeout: expected type: Integer, found: String`);
  assert.equal(fn({ VpcConfig: { SubnetIds: "subnet-1" } }), `${prefix}#/VpcConfig/SubnetIds: expected type: JSONArray, found: String`);
  assert.equal(fn({ Tags: [{ Key: "a" }] }), `${prefix}#/Tags/0: required key [Value] not found`);
  assert.equal(fn({ Environment: { Variables: { A: { B: 1 } } } }), `${prefix}#/Environment/Variables/A: expected type: String, found: JSONObject`);
});

test("two problems are listed together", () => {
  assert.equal(fn({ Timeout: [], MemorySize: {} }), `${prefix}[#/MemorySize: expected type: Integer, found: JSONObject, #/Timeout: expected type: Integer, found: JSONArray]`);
});

test("a property AWS takes but hyperlocal does not carry out is refused, not ignored", () => {
  assert.equal(fn({ RecursiveLoop: "Allow" }), "hyperlocal does not implement property RecursiveLoop of AWS::Lambda::Function");
});
