import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validBucketName } from "./buckets.ts";
import { parseRange } from "./objects.ts";

describe("S3 ranges and bucket names", () => {
  it("parses byte ranges as S3 does", () => {
    assert.deepEqual(parseRange("bytes=0-4", 10), [0, 4]);
    assert.deepEqual(parseRange("bytes=5-", 10), [5, 9]);
    assert.deepEqual(parseRange("bytes=-3", 10), [7, 9]);
    assert.deepEqual(parseRange("bytes=8-100", 10), [8, 9]);
    assert.equal(parseRange("bytes=10-12", 10), "unsatisfiable");
    assert.equal(parseRange("bytes=0-1,4-5", 10), undefined);
    assert.equal(parseRange("items=0-1", 10), undefined);
  });

  it("applies the general purpose bucket naming rules", () => {
    for (const ok of ["abc", "my.bucket-1", "a".repeat(63)]) assert.ok(validBucketName(ok), ok);
    for (const bad of ["ab", "a".repeat(64), "Upper", "under_score", "-start", "end-", "a..b", "192.168.1.1", "xn--abc", "constructor!"]) assert.ok(!validBucketName(bad), bad);
  });
});
