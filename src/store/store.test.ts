import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LEGACY_KEPT } from "./legacy-snapshot.ts";
import { SnapshotError, Store } from "./store.ts";

function dir() {
  return mkdtempSync(join(tmpdir(), "hyperlocal-store-"));
}

interface Iam {
  users: Record<string, { id: string; tags: Record<string, string> }>;
  counter: number;
  log: string[];
}
const newIam = (): Iam => ({ users: {}, counter: 0, log: [] });
const ok = () => true;

function modes(root: string): string[] {
  const bad: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) continue;
      const m = st.mode & 0o777;
      if (st.isDirectory()) {
        if (m !== 0o700) bad.push(`${p} ${m.toString(8)}`);
        walk(p);
      } else if (m !== 0o600 && m !== 0o700) bad.push(`${p} ${m.toString(8)}`);
    }
  };
  walk(root);
  return bad;
}

describe("Store, memory only", () => {
  it("keys state by service, account and region, creates it once, writes nothing anywhere", async () => {
    const s = await Store.open(undefined);
    assert.equal(s.persistent, false);
    const raw = { n: 1 };
    const a = s.state("ec2", "111111111111", "us-east-1", () => raw);
    assert.equal(a, raw, "memory only hands out the plain objects: no tracking cost");
    a.n = 2;
    assert.equal(s.state("ec2", "111111111111", "us-east-1", () => ({ n: 9 })).n, 2);
    assert.equal(s.state("ec2", "111111111111", "eu-west-1", () => ({ n: 9 })).n, 9);
    assert.equal(s.all("ec2").length, 2);
    // run() just runs: a failure is not undone without a state directory.
    await s.run(async () => void (a.n = 3), () => false);
    assert.equal(a.n, 3);
    s.reset();
    assert.equal(s.all("ec2").length, 0);
    await s.close();
  });
});

describe("Store with a state directory", () => {
  it("commits each unit of work, undoes failed ones, saves clock-driven changes, and restores it all", async () => {
    const d = dir();
    const s = await Store.open(d);
    assert.equal(s.persistent, true);
    const iam = () => s.state<Iam>("iam", "000000000000", "global", newIam);
    await s.run(async () => {
      iam().users.alice = { id: "AIDA1", tags: { team: "a" } };
      iam().counter++;
    }, ok);
    // A failing request: nothing of it stays, in memory or on disk.
    await assert.rejects(
      s.run(async () => {
        iam().users.bob = { id: "AIDA2", tags: {} };
        iam().users.alice.tags.team = "changed";
        await new Promise((r) => setImmediate(r));
        throw new Error("validation failed late");
      }, ok),
    );
    const answered = await s.run(async () => {
      iam().users.carol = { id: "AIDA3", tags: {} };
      return { status: 400 };
    }, (r) => r.status < 300);
    assert.equal(answered.status, 400);
    assert.deepEqual(Object.keys(iam().users), ["alice"]);
    assert.equal(iam().users.alice.tags.team, "a");
    // Interleaved requests: each commits what it changed.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        s.run(async () => {
          await new Promise((r) => setImmediate(r));
          iam().users[`u${i}`] = { id: `AIDAU${i}`, tags: { i: String(i) } };
          iam().log.push(`u${i}`);
        }, ok),
      ),
    );
    // A change outside any request (a clock timer): committed on its own.
    iam().users.alice.tags.seen = "by-timer";
    await s.flush();
    const expected = JSON.parse(JSON.stringify(iam()));
    await s.close();

    const t = await Store.open(d);
    assert.deepEqual(JSON.parse(JSON.stringify(t.state<Iam>("iam", "000000000000", "global", newIam))), expected);
    assert.equal(expected.users.alice.tags.seen, "by-timer");
    assert.equal(expected.log.length, 20);
    // Everything in the directory is the owner's alone.
    assert.equal(lstatSync(d).mode & 0o777, 0o700);
    assert.deepEqual(modes(d), []);
    // A reset drops every record.
    await t.run(async () => t.reset(), ok);
    await t.close();
    const u = await Store.open(d);
    assert.equal(u.all("iam").length, 0);
    await u.close();
  });

  it("takes accounts, regions and keys named like Object.prototype members, and restores them prototype-free", async () => {
    const d = dir();
    const s = await Store.open(d);
    const names = ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "prototype", "__defineGetter__", "isPrototypeOf"];
    const fns = () => s.state<{ functions: Record<string, { name: string; tags: Record<string, string> }> }>("lambda", "000000000000", "us-east-1", () => ({ functions: Object.create(null) }));
    await s.run(async () => {
      for (const n of names) assert.equal(s.state<{ n: string }>("lambda", n, n, () => ({ n })).n, n, `account and region ${n}`);
      // Through the write-tracking proxy, on prototype-free objects; enough entries that the
      // collection is split into one record per entry (layout.ts), and the tags stay inside them.
      for (const n of names) fns().functions[n] = { name: n, tags: Object.assign(Object.create(null), { [n]: n }) };
      for (let i = 0; i < 70; i++) fns().functions[`f${i}`] = { name: `f${i}`, tags: Object.create(null) };
    }, ok);
    assert.equal(s.all("lambda").length, names.length + 1);
    await s.close();

    const t = await Store.open(d);
    for (const n of names) assert.equal(t.state<{ n: string }>("lambda", n, n, () => ({ n: "fresh" })).n, n, `restored account and region ${n}`);
    const back = t.state<{ functions: Record<string, { name: string; tags: Record<string, string> }> }>("lambda", "000000000000", "us-east-1", () => ({ functions: {} })).functions;
    assert.equal(Object.getPrototypeOf(back), null);
    assert.equal(Object.keys(back).length, names.length + 70);
    for (const n of names) {
      assert.equal(Object.hasOwn(back, n), true, n);
      assert.equal(back[n].name, n);
      assert.equal(Object.getPrototypeOf(back[n]), null, `record ${n}`);
      assert.equal(Object.getPrototypeOf(back[n].tags), null, `tags of ${n}`);
      assert.deepEqual(Object.keys(back[n].tags), [n]);
    }
    // A name nobody stored is not found through a prototype.
    assert.equal(back.propertyIsEnumerable as unknown, undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    await t.close();
  });

  it("migrates a JSON snapshot (format 1) and keeps the old file aside; refuses an unreadable one, untouched", async () => {
    const d = dir();
    const data = { iam: { "000000000000": { global: { users: { alice: { id: "AIDA1", tags: {} } }, counter: 7, log: ["x"] } } } };
    writeFileSync(join(d, "state.json"), JSON.stringify({ format: 1, savedAt: "2026-01-01T00:00:00.000Z", data }));
    const s = await Store.open(d);
    assert.deepEqual(JSON.parse(JSON.stringify(s.all("iam")[0].state)), data.iam["000000000000"].global);
    assert.equal(existsSync(join(d, "state.json")), false);
    // The snapshot's objects come back prototype-free, "__proto__" and "constructor" keys included.
    const hostile = dir();
    writeFileSync(join(hostile, "state.json"), '{"format":1,"data":{"iam":{"constructor":{"global":{"users":{"__proto__":{"id":"AIDA9","tags":{"constructor":"x"}}},"counter":1,"log":[]}}}}}');
    const h = await Store.open(hostile);
    const hu = h.state<Iam>("iam", "constructor", "global", newIam).users;
    assert.equal(Object.getPrototypeOf(hu), null);
    assert.deepEqual(Object.keys(hu), ["__proto__"]);
    assert.equal(hu["__proto__"].id, "AIDA9");
    assert.equal(Object.getPrototypeOf(hu["__proto__"].tags), null);
    await h.close();
    const h2 = await Store.open(hostile);
    assert.equal(h2.state<Iam>("iam", "constructor", "global", newIam).users["__proto__"].tags.constructor, "x");
    await h2.close();

    assert.equal(JSON.parse(readFileSync(join(d, LEGACY_KEPT), "utf8")).data.iam["000000000000"].global.counter, 7);
    await s.close();

    const bad = dir();
    writeFileSync(join(bad, "state.json"), '{"format":1,"data":{"x":');
    await assert.rejects(Store.open(bad), (e: Error) => e instanceof SnapshotError && /cannot read the state snapshot/.test(e.message));
    assert.equal(readFileSync(join(bad, "state.json"), "utf8"), '{"format":1,"data":{"x":');
    writeFileSync(join(bad, "state.json"), '{"something":"else"}');
    await assert.rejects(Store.open(bad), /not a hyperlocal snapshot/);
  });
});

describe("Store with a state directory: requests that interleave on a record", () => {
  interface Ec2 {
    subnets: Record<string, { capacity: number; available: number; used: Record<string, string> }>;
    tags: Record<string, string>;
  }
  const newEc2 = (): Ec2 => ({ subnets: { s1: { capacity: 8, available: 8, used: {} } }, tags: {} });
  /** A promise and the function that settles it: a request suspended at an await until the test says. */
  const gate = () => {
    let open!: () => void;
    const p = new Promise<void>((r) => (open = r));
    return { p, open };
  };
  const allocate = (ec2: Ec2, owner: string) => {
    const sn = ec2.subnets.s1;
    const ip = `10.0.0.${Object.keys(sn.used).length + 4}`;
    sn.used[ip] = owner;
    sn.available--;
    return ip;
  };
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v));
  /** After a restart, the database holds what memory held. */
  const reopened = async (s: Store, d: string) => {
    const before = plain(s.state<Ec2>("ec2", "000000000000", "us-east-1", newEc2));
    await s.close();
    const t = await Store.open(d);
    const after = plain(t.state<Ec2>("ec2", "000000000000", "us-east-1", newEc2));
    await t.close();
    return { before, after };
  };

  it("a failed request's undo never undoes a change acknowledged meanwhile: the later writer shares its fate and is refused (503)", async () => {
    const d = dir();
    const s = await Store.open(d);
    const ec2 = () => s.state<Ec2>("ec2", "000000000000", "us-east-1", newEc2);
    await s.run(async () => void ec2(), ok);
    const g = gate();
    // A allocates an address, then waits (as DeleteFunction waits for processes to stop) and fails.
    const a = s.run(async () => {
      allocate(ec2(), "eni-a");
      await g.p;
      throw new Error("A failed after its await");
    }, ok);
    // B allocates the next address in the same subnet meanwhile, and would succeed.
    const acknowledged: string[] = [];
    const b = s.run(async () => allocate(ec2(), "eni-b"), ok).then((ip) => void acknowledged.push(ip));
    // C changes another record: it does not wait for A, and stays.
    await s.run(async () => void (ec2().tags.k = "v"), ok);
    g.open();
    await assert.rejects(a, /A failed/);
    await assert.rejects(b, (e: Error & { code?: string; status?: number }) => e.code === "ServiceUnavailable" && e.status === 503);
    assert.deepEqual(acknowledged, []);
    const sn = ec2().subnets.s1;
    assert.equal(sn.available, sn.capacity - Object.keys(sn.used).length, "the subnet's count matches its addresses");
    assert.deepEqual(plain(sn.used), {});
    assert.equal(ec2().tags.k, "v");
    // B retried: it now goes through alone.
    const ip = await s.run(async () => allocate(ec2(), "eni-b"), ok);
    assert.equal(ip, "10.0.0.4");
    const { before, after } = await reopened(s, d);
    assert.deepEqual(after, before);
    assert.deepEqual(after.subnets.s1, { capacity: 8, available: 7, used: { "10.0.0.4": "eni-b" } });
    assert.equal(after.tags.k, "v");
  });

  it("when the earlier request succeeds, the later one commits after it, and both stay", async () => {
    const d = dir();
    const s = await Store.open(d);
    const ec2 = () => s.state<Ec2>("ec2", "000000000000", "us-east-1", newEc2);
    await s.run(async () => void ec2(), ok);
    const g = gate();
    const a = s.run(async () => {
      const ip = allocate(ec2(), "eni-a");
      await g.p;
      return ip;
    }, ok);
    let bDone = false;
    const b = s.run(async () => allocate(ec2(), "eni-b"), ok).then((ip) => {
      bDone = true;
      return ip;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(bDone, false, "B waits for A, whose change it built on");
    g.open();
    assert.deepEqual(await Promise.all([a, b]), ["10.0.0.4", "10.0.0.5"]);
    const { before, after } = await reopened(s, d);
    assert.deepEqual(after, before);
    assert.deepEqual(after.subnets.s1, { capacity: 8, available: 6, used: { "10.0.0.4": "eni-a", "10.0.0.5": "eni-b" } });
  });

  it("three requests on one record, the first failing last: every acknowledged change is kept, every refused one gone, in memory and on disk", async () => {
    const d = dir();
    const s = await Store.open(d);
    const ec2 = () => s.state<Ec2>("ec2", "000000000000", "us-east-1", newEc2);
    await s.run(async () => void ec2(), ok);
    const g1 = gate();
    const g2 = gate();
    const first = s.run(async () => {
      allocate(ec2(), "eni-1");
      await g1.p;
      return { status: 500 };
    }, (r) => r.status < 300);
    const second = s.run(async () => {
      allocate(ec2(), "eni-2");
      await g2.p;
      return { status: 200 };
    }, (r) => r.status < 300);
    const third = s.run(async () => allocate(ec2(), "eni-3"), ok);
    g2.open();
    g1.open();
    assert.equal((await first).status, 500);
    const results = await Promise.allSettled([second, third]);
    assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"], "both built on the failed one's allocation");
    const { before, after } = await reopened(s, d);
    assert.deepEqual(after, before);
    assert.deepEqual(after.subnets.s1, { capacity: 8, available: 8, used: {} });
  });

  it("a request that waits too long for another gives way (503) and leaves nothing; two that wrote each other's records cannot both stand", async () => {
    const d = dir();
    const s = await Store.open(d, { waitMs: 50 });
    const ec2 = () => s.state<Ec2>("ec2", "000000000000", "us-east-1", newEc2);
    await s.run(async () => {
      ec2().subnets.s2 = { capacity: 8, available: 8, used: {} };
    }, ok);
    const g = gate();
    const long = s.run(async () => {
      allocate(ec2(), "eni-long");
      await g.p;
      return "long";
    }, ok);
    await assert.rejects(s.run(async () => allocate(ec2(), "eni-short"), ok), (e: Error & { code?: string }) => e.code === "ServiceUnavailable");
    g.open();
    assert.equal(await long, "long");
    assert.deepEqual(Object.values(ec2().subnets.s1.used), ["eni-long"]);

    // A writes s1, then s2 after B wrote it; B then writes s1: a cycle, both are undone.
    const ga = gate();
    const gb = gate();
    const gb2 = gate();
    const a = s.run(async () => {
      ec2().subnets.s1.available--;
      await ga.p;
      ec2().subnets.s2.available--;
      gb2.open();
    }, ok);
    const b = s.run(async () => {
      ec2().subnets.s2.available -= 2;
      await gb.p;
      await gb2.p;
      ec2().subnets.s1.available -= 2;
    }, ok);
    ga.open();
    gb.open();
    const r = await Promise.allSettled([a, b]);
    assert.deepEqual(r.map((x) => x.status), ["rejected", "rejected"]);
    assert.equal(ec2().subnets.s1.available, 7);
    assert.equal(ec2().subnets.s2.available, 8);
    const { before, after } = await reopened(s, d);
    assert.deepEqual(after, before);
  });

  it("hold(): changes made outside requests stay one uncommitted unit until released, so a request on the same record waits; both are then saved", async () => {
    const d = dir();
    const s = await Store.open(d);
    const ec2 = () => s.state<Ec2>("ec2", "000000000000", "us-east-1", newEc2);
    await s.run(async () => void ec2(), ok);
    const release = s.hold();
    // Outside any request, in two steps with turns of the event loop between them (a resource, then its record).
    allocate(ec2(), "eni-stack");
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    ec2().tags.recorded = "eni-stack";
    let answered = false;
    const request = s.run(async () => allocate(ec2(), "eni-request"), ok).then(() => (answered = true));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.equal(answered, false, "the request follows the held changes: it is not acknowledged before they are committed");
    release();
    release(); // a second call is harmless
    await request;
    assert.equal(answered, true);
    const { before, after } = await reopened(s, d);
    assert.deepEqual(Object.values(after.subnets.s1.used), ["eni-stack", "eni-request"]);
    assert.equal(after.tags.recorded, "eni-stack");
    assert.deepEqual(after, before);
  });

  it("hold() without a state directory holds nothing", async () => {
    const s = await Store.open(undefined);
    const release = s.hold();
    s.state<Ec2>("ec2", "000000000000", "us-east-1", newEc2).tags.x = "y";
    release();
    assert.equal(s.state<Ec2>("ec2", "000000000000", "us-east-1", newEc2).tags.x, "y");
    await s.close();
  });
});
