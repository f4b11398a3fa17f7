import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolve, type ResolveScope } from "./intrinsics.ts";
import type { Json } from "./parse.ts";

const scope: ResolveScope = {
  refs: Object.assign(Object.create(null), { Env: "prod", Subnets: ["subnet-1", "subnet-2"], "AWS::Region": "us-east-1" }),
  resourceRef: (id) => (id === "Vpc" ? "vpc-1" : undefined),
  resourceAttr: (id, attr) => (id === "Vpc" && attr === "CidrBlock" ? "10.0.0.0/16" : undefined),
  conditions: Object.assign(Object.create(null), { IsProd: true }),
  mappings: { M: { prod: { size: "large" } } },
  region: "us-east-1",
  azs: (r) => [`${r}a`, `${r}b`],
  importValue: (n) => (n === "shared" ? "exported" : undefined),
};

const cases: Array<[string, Json, Json]> = [
  ["Ref of a parameter", { Ref: "Env" }, "prod"],
  ["Ref of a resource", { Ref: "Vpc" }, "vpc-1"],
  ["GetAtt", { "Fn::GetAtt": ["Vpc", "CidrBlock"] }, "10.0.0.0/16"],
  ["Sub with pseudo parameters and attributes", { "Fn::Sub": "${AWS::Region}/${Vpc}/${Vpc.CidrBlock}/${!Literal}" }, "us-east-1/vpc-1/10.0.0.0/16/${Literal}"],
  ["Sub with a map", { "Fn::Sub": ["${a}-${Env}", { a: { Ref: "Vpc" } }] }, "vpc-1-prod"],
  ["Join of a list parameter", { "Fn::Join": [",", { Ref: "Subnets" }] }, "subnet-1,subnet-2"],
  ["Select of GetAZs", { "Fn::Select": [1, { "Fn::GetAZs": "" }] }, "us-east-1b"],
  ["Split", { "Fn::Split": ["|", "a|b"] }, ["a", "b"]],
  ["If true", { "Fn::If": ["IsProd", "big", "small"] }, "big"],
  ["If with NoValue drops the key", { a: { "Fn::If": ["IsProd", { Ref: "AWS::NoValue" }, 1] }, b: 2 }, { b: 2 }],
  ["FindInMap", { "Fn::FindInMap": ["M", { Ref: "Env" }, "size"] }, "large"],
  ["Base64", { "Fn::Base64": "hi" }, "aGk="],
  ["Cidr", { "Fn::Cidr": [{ "Fn::GetAtt": ["Vpc", "CidrBlock"] }, 3, 8] }, ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]],
  ["Cidr IPv6", { "Fn::Cidr": ["2600:1f18::/56", 2, 64] }, ["2600:1f18::/64", "2600:1f18:0:1::/64"]],
  ["ImportValue", { "Fn::ImportValue": "shared" }, "exported"],
];

describe("intrinsic functions", () => {
  for (const [name, input, want] of cases) it(name, () => assert.deepEqual(JSON.parse(JSON.stringify(resolve(input, scope))), want));

  for (const [name, input, msg] of [
    ["Select out of range", { "Fn::Select": [3, ["a"]] }, "Template error: Fn::Select cannot select nonexistent value at index 3"],
    ["FindInMap without the key", { "Fn::FindInMap": ["M", "dev", "size"] }, "Template error: Unable to get mapping for M::dev::size"],
    ["GetAtt of an unknown attribute", { "Fn::GetAtt": ["Vpc", "Nope"] }, "Template error: resource Vpc does not support attribute type Nope in Fn::GetAtt"],
    ["If of an unknown condition", { "Fn::If": ["Nope", 1, 2] }, "Template error: unresolved condition dependency Nope in Fn::If"],
    ["FindInMap of an inherited name", { "Fn::FindInMap": ["__proto__", "constructor", "name"] }, "Template error: Unable to get mapping for __proto__::constructor::name"],
    ["ImportValue of nothing", { "Fn::ImportValue": "none" }, "No export named none found."],
    ["Ref of nothing", { Ref: "Ghost" }, "Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template"],
  ] as const) {
    it(`refuses: ${name}`, () => assert.throws(() => resolve(input as Json, scope), { message: msg }));
  }
});
