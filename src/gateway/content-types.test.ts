import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { contentTypeProblem, mediaType } from "./content-types.ts";

describe("content types per protocol", () => {
  it("Lambda (rest-json) takes JSON, the payload types the SDKs send, and none", () => {
    for (const ct of [undefined, "application/json", "Application/JSON; charset=utf-8", "application/x-amz-json-1.1", "application/octet-stream", "binary/octet-stream"]) {
      assert.equal(contentTypeProblem("rest-json", ct, 10), undefined, String(ct));
    }
  });

  it("Lambda refuses the types a page can send without a preflight, and anything else", () => {
    for (const ct of ["text/plain", "text/plain;charset=UTF-8", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/xml", ""]) {
      assert.match(contentTypeProblem("rest-json", ct, 10) ?? "", /is not accepted/, ct);
    }
  });

  it("query protocols take form bodies, and no type for an empty body", () => {
    for (const p of ["query", "ec2-query"] as const) {
      assert.equal(contentTypeProblem(p, "application/x-www-form-urlencoded; charset=utf-8", 30), undefined);
      assert.equal(contentTypeProblem(p, undefined, 0), undefined);
      assert.match(contentTypeProblem(p, undefined, 30) ?? "", /needs Content-Type/);
      for (const ct of ["text/plain", "multipart/form-data; boundary=x", "application/json"]) assert.match(contentTypeProblem(p, ct, 0) ?? "", /is not accepted/, ct);
    }
  });

  it("mediaType drops parameters and case", () => {
    assert.equal(mediaType(" Text/Plain ; charset=utf-8"), "text/plain");
  });
});

describe("S3 (rest-xml)", () => {
  it("takes any type: an object body has its own", () => {
    for (const ct of [undefined, "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "image/png"]) {
      assert.equal(contentTypeProblem("rest-xml", ct, 10), undefined, String(ct));
    }
  });
});
