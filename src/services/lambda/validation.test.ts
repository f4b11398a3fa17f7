import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseFunctionRef } from "./function-names.ts";
import { routeAlias } from "./aliases.ts";
import { ADD_PERMISSION, CREATE_ALIAS, CREATE_FUNCTION, fullMatch, LIST_FUNCTIONS, UPDATE_FUNCTION_CODE, validate } from "./validation.ts";

function message(f: () => void): string {
  try {
    f();
  } catch (e) {
    return `${(e as { code: string }).code}: ${(e as Error).message}`;
  }
  return "ok";
}

const base = { FunctionName: "f", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: "UEsFBg==" } };

describe("validation", () => {
  it("writes Coral's text for one and several problems, in member order", () => {
    assert.equal(message(() => validate(CREATE_FUNCTION, base)), "ok");
    assert.equal(
      message(() => validate(CREATE_FUNCTION, { ...base, MemorySize: 127, Description: "x".repeat(257) })),
      "ValidationException: 2 validation errors detected: Value '" + "x".repeat(257) + "' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256; " +
        "Value '127' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128",
    );
    assert.equal(
      message(() => validate(CREATE_FUNCTION, { Code: {} })),
      "ValidationException: 2 validation errors detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'role' failed to satisfy constraint: Member must not be null",
    );
    assert.match(message(() => validate(CREATE_FUNCTION, { ...base, Architectures: ["x86_64", "arm64"] })), /Value '\[x86_64, arm64\]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1$/);
    assert.match(message(() => validate(CREATE_FUNCTION, { ...base, Architectures: ["sparc"] })), /Value '\[sparc\]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: \[Member must satisfy enum value set: \[x86_64, arm64\], Member must not be null\]$/);
    assert.match(message(() => validate(CREATE_FUNCTION, { ...base, EphemeralStorage: {} })), /Value null at 'ephemeralStorage\.size' failed to satisfy constraint: Member must not be null/);
    assert.match(message(() => validate(CREATE_FUNCTION, { ...base, VpcConfig: { SubnetIds: Array(17).fill("subnet-1"), SecurityGroupIds: [] } })), /at 'vpcConfig\.subnetIds' failed to satisfy constraint: Member must have length less than or equal to 16/);
  });

  it("hides sensitive values (environment variables)", () => {
    const m = message(() => validate(CREATE_FUNCTION, { ...base, Environment: { Variables: { "bad-name": "secret" } } }));
    assert.match(m, /^ValidationException: 1 validation error detected: Value at 'environment\.variables' failed to satisfy constraint: Map keys must satisfy constraint/);
    assert.doesNotMatch(m, /secret/);
  });

  it("refuses JSON of the wrong type as a SerializationException", () => {
    assert.match(message(() => validate(CREATE_FUNCTION, { ...base, Timeout: "3" })), /^SerializationException: STRING_VALUE can not be converted to an Integer$/);
    assert.match(message(() => validate(CREATE_FUNCTION, { ...base, Publish: "yes" })), /^SerializationException: /);
    assert.match(message(() => validate(CREATE_FUNCTION, { ...base, Tags: ["a"] })), /^SerializationException: /);
    assert.match(message(() => validate(UPDATE_FUNCTION_CODE, { FunctionName: "f", ZipFile: { a: 1 } })), /^SerializationException: Start of structure or map found where not expected\.$/);
  });

  it("applies the model's patterns as full matches, lookarounds included", () => {
    assert.equal(fullMatch("(?!^[0-9]+$)([a-zA-Z0-9-_]+)", "live"), true);
    assert.equal(fullMatch("(?!^[0-9]+$)([a-zA-Z0-9-_]+)", "123"), false);
    assert.equal(fullMatch("(?!^[0-9]+$)([a-zA-Z0-9-_]+)", "v-1_2"), true);
    assert.equal(fullMatch("[0-9A-Za-z\\.\\-_]*(?<!\\.)", "bucket."), false);
    assert.equal(fullMatch("[0-9A-Za-z\\.\\-_]*(?<!\\.)", "my.bucket"), true);
    assert.match(message(() => validate(CREATE_ALIAS, { FunctionName: "f", Name: "42", FunctionVersion: "1" })), /Value '42' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    assert.match(message(() => validate(ADD_PERMISSION, { FunctionName: "f", StatementId: "s", Action: "s3:GetObject", Principal: "*" })), /at 'action'/);
    assert.match(message(() => validate(LIST_FUNCTIONS, { FunctionVersion: "SOME" })), /Member must satisfy enum value set: \[ALL\]/);
    assert.match(message(() => validate(CREATE_FUNCTION, { ...base, FunctionName: "a".repeat(141) })), /Member must have length less than or equal to 140/);
  });
});

describe("function names", () => {
  const ctx = { accountId: "000000000000", region: "us-east-1" };
  it("reads names, partial and full ARNs, with qualifiers", () => {
    assert.deepEqual(parseFunctionRef("f", ctx), { account: "000000000000", region: "us-east-1", name: "f", qualifier: undefined, crossAccount: false });
    assert.equal(parseFunctionRef("f:live", ctx).qualifier, "live");
    assert.equal(parseFunctionRef("f", ctx, "3").qualifier, "3");
    assert.deepEqual(parseFunctionRef("111111111111:function:g:$LATEST", ctx), { account: "111111111111", region: "us-east-1", name: "g", qualifier: "$LATEST", crossAccount: true });
    assert.equal(parseFunctionRef("arn:aws:lambda:us-east-1:000000000000:function:h:7", ctx).qualifier, "7");
    assert.throws(() => parseFunctionRef("arn:aws:lambda:us-west-2:000000000000:function:h", ctx), /Functions from 'us-west-2' are not reachable in this region \('us-east-1'\)/);
    assert.throws(() => parseFunctionRef("f:1", ctx, "2"), /The derived qualifier from the function name does not match the specified qualifier\./);
  });

  it("routes alias traffic by weight", () => {
    const alias = { name: "a", functionVersion: "1", description: "", revisionId: "r", additionalVersionWeights: { "2": 0.3 } };
    assert.equal(routeAlias(alias, () => 0.29), "2");
    assert.equal(routeAlias(alias, () => 0.3), "1");
    assert.equal(routeAlias({ ...alias, additionalVersionWeights: undefined }, () => 0), "1");
  });
});
