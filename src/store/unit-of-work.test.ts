import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Layout, SPLIT_AT } from "./layout.ts";
import { track, type TrackedState } from "./tracking.ts";
import { UnitOfWork } from "./unit-of-work.ts";

interface Ec2Like {
  format: number;
  counters: { n: number };
  subnets: Record<string, { cidr: string; pool: { used: Record<string, string>; count: number }; tags: Record<string, string> }>;
  events: { id: number }[];
}

function tracked(root: Ec2Like, layout = new Layout()) {
  let unit = new UnitOfWork();
  const st: TrackedState = { service: "ec2", account: "a", region: "r", root: root as unknown as Record<string, unknown>, layout, proxy: {}, detached: false };
  st.proxy = track({ wrote: (s, segs, undo, grown) => unit.wrote(s, segs, undo, grown) }, st);
  return {
    s: st.proxy as unknown as Ec2Like,
    st,
    next: () => (unit = new UnitOfWork()),
    get unit() {
      return unit;
    },
  };
}

function fresh(): Ec2Like {
  return { format: 1, counters: { n: 0 }, subnets: {}, events: [] };
}

describe("unit of work over tracked state", () => {
  it("writes the whole state once, then only the records a unit touched", () => {
    const t = tracked(fresh());
    t.unit.created(t.st, () => {});
    t.s.subnets.s1 = { cidr: "10.0.0.0/24", pool: { used: {}, count: 0 }, tags: {} };
    const first = t.unit.changes()[0];
    assert.deepEqual(first.dropBelow, [""]);
    assert.deepEqual([...first.rows.keys()].sort(), ["counters", "counters/n", "events", "format", "subnets", "subnets/s1"]);

    t.next();
    t.s.subnets.s2 = { cidr: "10.0.1.0/24", pool: { used: {}, count: 0 }, tags: {} };
    t.next();
    t.s.subnets.s1.tags.Name = "one";
    t.s.counters.n++;
    const c = t.unit.changes()[0];
    assert.deepEqual([...c.rows.keys()].sort(), ["counters/n", "subnets/s1"]);
    assert.equal(JSON.parse(c.rows.get("subnets/s1")!.doc!).tags.Name, "one");
    assert.equal(c.rows.get("counters/n")!.doc, "1");
  });

  it("splits a collection that grows large out of its record, and then writes one entry per change", () => {
    const t = tracked(fresh());
    t.unit.created(t.st, () => {});
    t.s.subnets.s1 = { cidr: "10.0.0.0/16", pool: { used: {}, count: 0 }, tags: {} };
    t.unit.changes();
    t.next();
    for (let i = 0; i < SPLIT_AT; i++) {
      t.s.subnets.s1.pool.used[`10.0.0.${i}`] = `eni-${i}`;
      t.s.subnets.s1.pool.count++;
    }
    const c = t.unit.changes()[0];
    assert.equal(c.rows.get("subnets/s1/pool/used")!.map, true);
    assert.equal(JSON.parse(c.rows.get("subnets/s1")!.doc!).pool.used, undefined, "the record no longer holds the split collection");
    assert.equal(JSON.parse(c.rows.get("subnets/s1")!.doc!).pool.count, SPLIT_AT);
    assert.equal(c.rows.get("subnets/s1/pool/used/10.0.0.7")!.doc, '"eni-7"');

    t.next();
    t.s.subnets.s1.pool.used["10.0.9.9"] = "eni-x";
    delete t.s.subnets.s1.pool.used["10.0.0.3"];
    const d = t.unit.changes()[0];
    assert.deepEqual([...d.rows.keys()].sort(), ["subnets/s1/pool/used/10.0.0.3", "subnets/s1/pool/used/10.0.9.9"]);
    assert.equal(d.rows.get("subnets/s1/pool/used/10.0.0.3")!.doc, undefined);
    assert.equal(d.rows.get("subnets/s1/pool/used/10.0.0.3")!.map, false);

    // Replacing the collection rewrites its record and everything below it.
    t.next();
    t.s.subnets.s1.pool = { used: {}, count: 0 };
    const e = t.unit.changes()[0];
    assert.deepEqual(e.dropBelow, ["subnets/s1"]);
    assert.deepEqual([...e.rows.keys()], ["subnets/s1"]);
  });

  it("rollback puts every value back, objects and arrays included, keeping their identity", () => {
    const root = fresh();
    root.subnets.s1 = { cidr: "10.0.0.0/24", pool: { used: { "10.0.0.4": "eni-1" }, count: 1 }, tags: { a: "1" } };
    root.events.push({ id: 1 });
    const before = JSON.stringify(root);
    const sub = root.subnets.s1;
    const t = tracked(root);
    t.s.subnets.s1.tags.b = "2";
    delete t.s.subnets.s1.tags.a;
    t.s.subnets.s1.pool.used["10.0.0.5"] = "eni-2";
    t.s.subnets.s1.pool.count = 2;
    t.s.events.push({ id: 2 }, { id: 3 });
    t.s.events.splice(0, 1);
    t.s.events.length = 0;
    t.s.events.push({ id: 9 });
    t.s.subnets.s9 = { cidr: "x", pool: { used: {}, count: 0 }, tags: {} };
    t.s.format = 2;
    t.unit.rollback();
    assert.equal(JSON.stringify(root), before);
    assert.equal(root.subnets.s1, sub);
    assert.equal(root.events.length, 1);
  });

  it("stores plain objects: a proxy assigned somewhere is unwrapped", () => {
    const t = tracked(fresh());
    t.s.subnets.s1 = { cidr: "a", pool: { used: {}, count: 0 }, tags: { k: "v" } };
    t.s.subnets.s2 = { cidr: "b", pool: { used: {}, count: 0 }, tags: t.s.subnets.s1.tags };
    const raw = t.st.root as unknown as Ec2Like;
    assert.equal(raw.subnets.s2.tags, raw.subnets.s1.tags);
    assert.throws(() => structuredClone(t.s.subnets.s1));
    assert.doesNotThrow(() => structuredClone(raw.subnets.s1));
  });
});
