import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ec2Id, randomHex } from "./ids.ts";

describe("ids", () => {
  it("EC2 ids are the prefix and 17 lowercase hex digits, all different across pool refills", () => {
    const seen = new Set<string>();
    // 9 bytes each: 2,000 ids draw 18,000 bytes, past four refills of the 4 KiB pool.
    for (let i = 0; i < 2000; i++) {
      const id = ec2Id("eni");
      assert.match(id, /^eni-[0-9a-f]{17}$/);
      seen.add(id);
    }
    assert.equal(seen.size, 2000);
  });

  it("randomHex gives n bytes as 2n hex digits, not the same twice", () => {
    assert.match(randomHex(16), /^[0-9a-f]{32}$/);
    assert.notEqual(randomHex(16), randomHex(16));
    assert.equal(randomHex(4096).length, 8192);
  });
});
