import assert from "node:assert/strict";
import { test } from "node:test";
import { allocateLowest, checkClaim, claim, freeCount, newPool, release, usableCount } from "./address-pool.ts";

test("address pool: lowest free, skipping AWS's five reserved addresses, never twice", () => {
  const cidr = "10.0.1.0/27";
  const pool = newPool();
  assert.equal(usableCount(cidr), 27);
  const got: string[] = [];
  for (;;) {
    const a = allocateLowest(pool, cidr, "eni-x");
    if (!a) break;
    got.push(a);
  }
  assert.equal(got.length, 27);
  assert.equal(got[0], "10.0.1.4");
  assert.equal(got[26], "10.0.1.30");
  assert.equal(new Set(got).size, 27, "no duplicates");
  assert.ok(!got.includes("10.0.1.31") && !got.includes("10.0.1.3"));
  assert.equal(freeCount(pool, cidr), 0);
  assert.ok(release(pool, cidr, "10.0.1.9"));
  assert.ok(!release(pool, cidr, "10.0.1.9"), "released once only");
  assert.equal(freeCount(pool, cidr), 1);
  assert.equal(allocateLowest(pool, cidr, "eni-y"), "10.0.1.9");
  assert.equal(allocateLowest(pool, cidr, "eni-y"), undefined);
});

test("address pool: chosen addresses", () => {
  const cidr = "10.0.1.0/24";
  const pool = newPool();
  assert.equal(checkClaim(pool, cidr, "10.0.2.1"), "outside");
  assert.equal(checkClaim(pool, cidr, "10.0.1.2"), "reserved");
  assert.equal(checkClaim(pool, cidr, "10.0.1.255"), "reserved");
  assert.deepEqual(claim(pool, cidr, "10.0.1.4", "eni-a"), { ok: true, address: "10.0.1.4" });
  assert.deepEqual(claim(pool, cidr, "10.0.1.4", "eni-b"), { ok: false, reason: "in-use" });
  assert.equal(allocateLowest(pool, cidr, "eni-c"), "10.0.1.5", "the claimed one is skipped");
  const v6 = "2600:1f18:ab:100::/64";
  const p6 = newPool();
  assert.equal(allocateLowest(p6, v6, "eni-a"), "2600:1f18:ab:100::4");
  assert.deepEqual(claim(p6, v6, "2600:1F18:AB:100::10", "eni-a"), { ok: true, address: "2600:1f18:ab:100::10" });
});
