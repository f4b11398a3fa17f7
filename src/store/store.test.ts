import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SnapshotError, Store } from "./store.ts";

function dir() {
  return mkdtempSync(join(tmpdir(), "hyperlocal-store-"));
}

describe("Store", () => {
  it("keys state by service, account and region and creates it once", () => {
    const s = new Store();
    const a = s.state("ec2", "111111111111", "us-east-1", () => ({ n: 1 }));
    a.n = 2;
    assert.equal(s.state("ec2", "111111111111", "us-east-1", () => ({ n: 9 })).n, 2);
    assert.equal(s.state("ec2", "111111111111", "eu-west-1", () => ({ n: 9 })).n, 9);
    assert.equal(s.all("ec2").length, 2);
    s.reset();
    assert.equal(s.all("ec2").length, 0);
  });

  it("saves a snapshot and restores it", () => {
    const d = dir();
    const s = new Store(d);
    s.state("iam", "000000000000", "global", () => ({ users: { alice: { id: "AIDA1" } } }));
    s.saveNow();
    const t = new Store(d);
    assert.equal(t.load(), true);
    // Restored state is prototype-free throughout (core/dict.ts): compare its JSON.
    assert.deepEqual(JSON.parse(JSON.stringify(t.state("iam", "000000000000", "global", () => ({})))), { users: { alice: { id: "AIDA1" } } });
  });

  it("takes accounts, regions and keys named like Object.prototype members, and restores them", () => {
    const d = dir();
    const s = new Store(d);
    const names = ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "prototype", "__defineGetter__", "isPrototypeOf"];
    for (const n of names) {
      const st = s.state<{ n: string }>("lambda", n, n, () => ({ n }));
      assert.equal(st.n, n, `account and region ${n}`);
    }
    assert.equal(s.all("lambda").length, names.length);
    const inner = s.state<{ functions: Record<string, unknown> }>("lambda", "000000000000", "us-east-1", () => ({ functions: Object.create(null) }));
    for (const n of names) inner.functions[n] = { name: n };
    s.saveNow();
    const t = new Store(d);
    t.load();
    for (const n of names) {
      const st = t.state<{ n: string }>("lambda", n, n, () => ({ n: "fresh" }));
      assert.equal(st.n, n, `restored account and region ${n}`);
    }
    const back = t.state<{ functions: Record<string, { name: string }> }>("lambda", "000000000000", "us-east-1", () => ({ functions: {} })).functions;
    assert.equal(Object.getPrototypeOf(back), null);
    assert.deepEqual(Object.keys(back).sort(), [...names].sort());
    for (const n of names) assert.equal(back[n].name, n);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("debounces many changes into one write", async () => {
    const d = dir();
    const s = new Store(d, 20);
    const st = s.state("x", "a", "r", () => ({ n: 0 }));
    for (let i = 0; i < 100; i++) {
      st.n = i;
      s.markDirty();
    }
    assert.equal(existsSync(join(d, "state.json")), false);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(JSON.parse(readFileSync(join(d, "state.json"), "utf8")).data.x.a.r.n, 99);
  });

  it("refuses an unreadable snapshot with a clear message and leaves it untouched", () => {
    const d = dir();
    writeFileSync(join(d, "state.json"), '{"format":1,"data":{"x":');
    const before = readFileSync(join(d, "state.json"), "utf8");
    assert.throws(() => new Store(d).load(), (e: Error) => e instanceof SnapshotError && /cannot read the state snapshot/.test(e.message));
    assert.equal(readFileSync(join(d, "state.json"), "utf8"), before);
    writeFileSync(join(d, "state.json"), '{"something":"else"}');
    assert.throws(() => new Store(d).load(), /not a hyperlocal snapshot/);
  });

  it("a process killed mid-write never leaves a torn snapshot", async () => {
    const d = dir();
    // A child writes large snapshots in a tight loop; we kill it at arbitrary moments.
    const script = `
      import { Store } from ${JSON.stringify(new URL("./store.ts", import.meta.url).pathname)};
      const s = new Store(${JSON.stringify(d)});
      const st = s.state("big", "a", "r", () => ({ items: [] }));
      for (let i = 0; i < 20000; i++) st.items.push({ id: i, pad: "x".repeat(50) });
      let n = 0;
      s.saveNow(); // one complete snapshot first, so every kill lands while a newer one is written
      process.stdout.write("ready\\n");
      for (;;) { st.items[0].id = n++; s.saveNow(); }
    `;
    for (let round = 0; round < 5; round++) {
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
      await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
      await new Promise((r) => setTimeout(r, 30 + round * 17));
      child.kill("SIGKILL");
      await new Promise((r) => child.on("exit", r));
      const t = new Store(d);
      assert.equal(t.load(), true, "the snapshot must always be there and parse");
      assert.equal(t.state<{ items: unknown[] }>("big", "a", "r", () => ({ items: [] })).items.length, 20000);
    }
    // Leftover temporary files from killed writers are ignored by load.
    assert.ok(readdirSync(d).every((f) => f === "state.json" || f.startsWith("state.json.tmp-")));
  });
});
