import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Ownership } from "./isolation.ts";
import { Layout } from "./layout.ts";
import type { TrackedState } from "./tracking.ts";
import { UnitOfWork } from "./unit-of-work.ts";

const state = (): TrackedState => ({ service: "ec2", account: "a", region: "r", root: {}, layout: new Layout(), proxy: {}, detached: false });

describe("record ownership between units of work", () => {
  it("a unit that writes a record another unsettled unit wrote follows it; other records, or a settled writer, make no tie", () => {
    const o = new Ownership();
    const st = state();
    const [a, b, c] = [new UnitOfWork(), new UnitOfWork(), new UnitOfWork()];
    o.claim(a, st, ["subnets", "s1", "available"]);
    o.claim(b, st, ["subnets", "s1", "used", "10.0.0.5"]);
    o.claim(c, st, ["subnets", "s2"]);
    assert.deepEqual([...b.after], [a], "what is below a record belongs to it");
    assert.equal(c.after.size, 0);
    assert.deepEqual(o.fallWith([a]), [a, b]);
    o.release(a);
    o.release(b);
    const d = new UnitOfWork();
    o.claim(d, st, ["subnets", "s1"]);
    assert.equal(d.after.size, 0, "released records are free");
  });

  it("whatever is written into a state an unsettled unit created follows that unit", () => {
    const o = new Ownership();
    const st = state();
    const [a, b] = [new UnitOfWork(), new UnitOfWork()];
    o.claim(a, st, undefined);
    o.claim(b, st, ["functions", "f"]);
    assert.deepEqual([...b.after], [a]);
  });

  it("falls transitively, and a cycle dooms the unit that closes it", () => {
    const o = new Ownership();
    const st = state();
    const [a, b, c] = [new UnitOfWork(), new UnitOfWork(), new UnitOfWork()];
    o.claim(a, st, ["x", "1"]);
    o.claim(b, st, ["x", "1"]);
    o.claim(b, st, ["y", "1"]);
    o.claim(c, st, ["y", "1"]);
    assert.deepEqual(new Set(o.fallWith([a])), new Set([a, b, c]));
    assert.deepEqual(o.fallWith([c]), [c]);
    // a writes y after c: a would follow c, which follows a.
    o.claim(a, st, ["y", "1"]);
    assert.equal(a.doomed, true);
    assert.equal(a.after.size, 0);
  });

  it("a record committed while a later unit holds changes in it marks that unit leaked", () => {
    const o = new Ownership();
    const st = state();
    const [a, b] = [new UnitOfWork(), new UnitOfWork()];
    o.claim(a, st, ["x", "1"]);
    o.claim(b, st, ["x", "1"]);
    o.committing(a);
    assert.equal(b.leaked, true);
    assert.equal(a.leaked, false);
  });
});
