import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join, Layout, segment, splitPath, unsegment } from "./layout.ts";

describe("layout", () => {
  it("escapes keys so that paths are unambiguous", () => {
    for (const k of ["", "a/b", "100%", "%2F", "plain", "eni-1", "%"]) assert.equal(unsegment(segment(k)), k);
    assert.deepEqual(splitPath(join(join("", "a/b"), "")), ["a/b", ""]);
    assert.notEqual(join(join("", "a"), "b"), join("", "a/b"));
  });

  it("finds the record a write lands on: the entry of the deepest split collection", () => {
    const l = new Layout();
    l.markSplit("subnets");
    l.markSplit("subnets/s1/pool4/used");
    assert.deepEqual(l.rowOf(["format"]), { kind: "", id: "format", path: "format", whole: true });
    assert.deepEqual(l.rowOf(["subnets", "s1"]), { kind: "subnets", id: "s1", path: "subnets/s1", whole: true });
    assert.deepEqual(l.rowOf(["subnets", "s1", "pool4", "count"]), { kind: "subnets", id: "s1", path: "subnets/s1", whole: false });
    assert.deepEqual(l.rowOf(["subnets", "s1", "pool4", "used", "10.0.0.5"]), {
      kind: "subnets/s1/pool4/used",
      id: "10.0.0.5",
      path: "subnets/s1/pool4/used/10.0.0.5",
      whole: true,
    });
    assert.equal(l.hasBelow("subnets/s1/pool4"), true);
    assert.equal(l.hasBelow("subnets/s2"), false);
    l.forgetBelow("subnets/s1");
    assert.equal(l.split.has("subnets/s1/pool4/used"), false);
    assert.equal(l.split.has("subnets"), true);
  });
});
