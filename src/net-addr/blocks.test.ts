// EC2's view of addresses and blocks: strict text (no leading zeros, a prefix always), bigints for
// block arithmetic (offsets, sizes, sub-blocks).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  canonicalCidr,
  cidrSize,
  containsCidr,
  containsIp,
  formatCidr,
  formatIpv6,
  isAligned,
  overlaps,
  parseCidr,
  parseIp,
  parseIpv4,
  parseIpv6,
  subBlock,
} from "./blocks.ts";

test("IPv4 parsing is strict", () => {
  assert.equal(parseIpv4("10.0.1.25"), 0x0a000119n);
  for (const bad of ["10.0.1", "10.0.1.256", "10.0.01.1", "a.b.c.d", "10.0.1.1.1", ""]) assert.equal(parseIpv4(bad), undefined, bad);
});

test("IPv6 parsing and canonical formatting (RFC 5952)", () => {
  const cases: [string, string][] = [
    ["2600:1F18:0000:0100:0000:0000:0000:0001", "2600:1f18:0:100::1"],
    ["::", "::"],
    ["::1", "::1"],
    ["2001:db8::", "2001:db8::"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["::ffff:10.0.0.1", "::ffff:a00:1"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
  ];
  for (const [input, out] of cases) {
    const v = parseIpv6(input);
    assert.notEqual(v, undefined, input);
    assert.equal(formatIpv6(v!), out, input);
  }
  for (const bad of ["1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "g::1", ":::", "1:2:3:4:5:6:7"]) assert.equal(parseIpv6(bad), undefined, bad);
});

test("CIDR parsing, alignment and canonical text", () => {
  assert.deepEqual(parseCidr("10.0.0.0/16"), { v: 4, base: 0x0a000000n, prefix: 16 });
  assert.equal(parseCidr("10.0.0.0/33"), undefined);
  assert.equal(parseCidr("10.0.0.0"), undefined);
  assert.equal(parseCidr("10.0.0.0/016"), undefined);
  assert.equal(parseCidr("::/0", 4), undefined, "family is enforced");
  assert.equal(parseCidr("10.0.0.0/8", 6), undefined);
  assert.equal(isAligned(parseCidr("10.0.0.0/16")!), true);
  assert.equal(isAligned(parseCidr("10.0.0.1/16")!), false);
  assert.equal(canonicalCidr("2600:1F18:00AB:0100::/56"), "2600:1f18:ab:100::/56");
  assert.equal(cidrSize(parseCidr("10.0.0.0/27")!), 32n);
});

test("containment and overlap, both families", () => {
  const vpc = parseCidr("10.0.0.0/16")!;
  assert.ok(containsCidr(vpc, parseCidr("10.0.1.0/24")!));
  assert.ok(containsCidr(vpc, vpc));
  assert.ok(!containsCidr(vpc, parseCidr("10.1.0.0/24")!));
  assert.ok(!containsCidr(parseCidr("10.0.1.0/24")!, vpc));
  assert.ok(overlaps(parseCidr("10.0.1.0/24")!, parseCidr("10.0.1.128/25")!));
  assert.ok(!overlaps(parseCidr("10.0.1.0/24")!, parseCidr("10.0.2.0/24")!));
  assert.ok(!overlaps(parseCidr("10.0.0.0/16")!, parseCidr("::/0")!), "different families never overlap");
  const v6 = parseCidr("2600:1f18:ab:100::/56")!;
  assert.ok(containsCidr(v6, parseCidr("2600:1f18:ab:1ff::/64")!));
  assert.ok(!containsCidr(v6, parseCidr("2600:1f18:ab:200::/64")!));
  assert.ok(containsIp(parseCidr("10.0.1.0/24")!, parseIp("10.0.1.255")!));
  assert.ok(!containsIp(parseCidr("10.0.1.0/24")!, parseIp("10.0.2.0")!));
  assert.equal(formatCidr(subBlock(v6, 64, 3n)), "2600:1f18:ab:103::/64");
});
