import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pythonJson, versionLogicalId } from "./version-hash.ts";

describe("SAM version logical ids", () => {
  it("hash the code as SAM does (its function_with_alias test: MinimalFunctionVersion640128d35d)", () => {
    assert.equal(versionLogicalId("MinimalFunctionVersion", { S3Key: "hello.zip", S3Bucket: "sam-demo-bucket" }), "MinimalFunctionVersion640128d35d");
  });

  it("dump like Python's json.dumps(sort_keys, compact, ensure_ascii)", () => {
    assert.equal(pythonJson({ b: [1, true, null], a: { d: "é\u2028", c: "x\"y" } }), '{"a":{"c":"x\\"y","d":"\\u00e9\\u2028"},"b":[1,true,null]}');
    assert.equal(pythonJson("plain"), "plain");
  });

  it("take a given hash's first 10 characters, and add nothing for empty data", () => {
    assert.equal(versionLogicalId("FVersion", { a: 1 }, "0123456789abcdef"), "FVersion0123456789");
    assert.equal(versionLogicalId("FVersion", {}), "FVersion");
  });
});
