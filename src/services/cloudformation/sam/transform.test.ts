import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseTemplate } from "../template/parse.ts";
import { samTransform } from "./transform.ts";

const ctx = { account: "123456789012", region: "us-east-1", capabilities: [], stackName: "s" };
const run = (yaml: string) => JSON.parse(JSON.stringify(samTransform.apply(parseTemplate(yaml), ctx)));

describe("the SAM transform", () => {
  it("merges Globals: scalars overridden, maps merged, lists concatenated", () => {
    const t = run(`
Globals:
  Function:
    Runtime: nodejs20.x
    Timeout: 9
    Environment: { Variables: { A: "1", B: "2" } }
    Layers: [g]
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k.zip
      Handler: index.handler
      Timeout: 3
      Environment: { Variables: { B: "x" } }
      Layers: [l]
`);
    const p = t.Resources.F.Properties;
    assert.equal(t.Globals, undefined);
    assert.equal(p.Runtime, "nodejs20.x");
    assert.equal(p.Timeout, 3);
    assert.deepEqual(p.Environment, { Variables: { A: "1", B: "x" } });
    assert.deepEqual(p.Layers, ["g", "l"]);
  });

  it("collects every error in SAM's document message, sorted by logical id", () => {
    assert.throws(
      () => run(`
Resources:
  B:
    Type: AWS::Serverless::Function
    Properties: { Handler: h, Runtime: nodejs20.x }
  A:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: s3://b/k, Handler: h, Runtime: nodejs20.x, Policies: [{ NoSuchPolicy: {} }] }
`),
      {
        message:
          "Invalid Serverless Application Specification document. Number of errors found: 2. Resource with id [A] is invalid. Policy at index 0 in the 'Policies' property is not valid Resource with id [B] is invalid. Only one of 'InlineCode' or 'CodeUri' can be set.",
      },
    );
  });

  it("refuses a tag key SAM reserves", () => {
    assert.throws(() => run(`
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties: { InlineCode: x, Handler: h, Runtime: nodejs20.x, Tags: { "lambda:createdBy": me } }
`), /lambda:createdBy is a reserved Tag key name and cannot be set on your resource/);
  });

  it("answers hostile properties with SAM's document error, never a JavaScript one", () => {
    const fn = (props: string, attrs = "") => `Resources:\n  F:\n    Type: AWS::Serverless::Function\n${attrs}    Properties: ${props}\n`;
    const cases = [
      fn("{ CodeUri: 5, Handler: h, Runtime: nodejs20.x }"),
      fn("{ CodeUri: { Bucket: b }, Handler: h }"),
      fn("{ InlineCode: x, Policies: 42 }"),
      fn("{ InlineCode: x, Policies: [[a]] }"),
      fn("{ InlineCode: x, Policies: [!If [C, AmazonS3ReadOnlyAccess, { Statement: [] }]] }"),
      fn("{ InlineCode: x, Events: [a] }"),
      fn("{ InlineCode: x, Events: { E: null } }"),
      fn("{ InlineCode: x, AutoPublishAlias: { Ref: Missing } }"),
      fn("{ InlineCode: x, AutoPublishAlias: '123' }"),
      fn("{ InlineCode: x, Tags: [a] }"),
      fn("{ InlineCode: x, __proto__: { a: 1 }, constructor: 1 }"),
      fn("{ InlineCode: x }", "    IgnoreGlobals: 5\n").replace("Resources:", "Globals: { Function: { Timeout: 3 } }\nResources:"),
      fn("[1, 2]"),
      "Globals: [1]\nResources: { F: { Type: AWS::Serverless::Function } }\n",
      "Resources: []\n",
    ];
    for (const yaml of cases) {
      assert.throws(() => run(yaml), (e: Error) => e.message.startsWith("Invalid Serverless Application Specification document. Number of errors found: "), yaml);
    }
  });
});
