// Address and CIDR parsing, containment, formatting and classification, table-driven.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AddrClass, classify } from "./classify.ts";
import { cidrContains, formatIpv6, parseCidr, parseIp, parseIpv4Word, type ParseOptions } from "./ip.ts";

const IAM: ParseOptions = { lenient: true, mappedCidrAsV4: true };

const words = (s: string): number[] | undefined => {
  const a = parseIp(s);
  return a && [a.fam, a.w0 >>> 0, a.w1 >>> 0, a.w2 >>> 0, a.w3 >>> 0];
};

describe("parseIp", () => {
  const rows: [string, number[] | undefined][] = [
    ["10.0.1.25", [4, 0x0a000119, 0, 0, 0]],
    ["0.0.0.0", [4, 0, 0, 0, 0]],
    ["255.255.255.255", [4, 0xffffffff, 0, 0, 0]],
    ["10.0.1", undefined],
    ["10.0.1.256", undefined],
    ["10.0.01.1", undefined],
    ["10..1.1", undefined],
    ["10.0.1.1.", undefined],
    ["a.b.c.d", undefined],
    ["", undefined],
    ["::", [6, 0, 0, 0, 0]],
    ["::1", [6, 0, 0, 0, 1]],
    ["2001:db8::1", [6, 0x20010db8, 0, 0, 1]],
    ["2001:DB8:0:0:0:0:0:1", [6, 0x20010db8, 0, 0, 1]],
    ["2600:1f18:1234:5603::10", [6, 0x26001f18, 0x12345603, 0, 0x10]],
    ["fe80::1%eth0", [6, 0xfe800000, 0, 0, 1]],
    ["1:2:3:4:5:6:7::", [6, 0x00010002, 0x00030004, 0x00050006, 0x00070000]],
    ["::2:3:4:5:6:7:8", [6, 0x00000002, 0x00030004, 0x00050006, 0x00070008]],
    ["64:ff9b::203.0.113.10", [6, 0x0064ff9b, 0, 0, 0xcb00710a]],
    ["::ffff:10.0.1.25", [4, 0x0a000119, 0, 0, 0]], // IPv4-mapped folds to IPv4
    ["1::2::3", undefined],
    ["1:2:3:4:5:6:7:8:9", undefined],
    ["12345::1", undefined],
    ["1:2:3:4:5:6:7", undefined],
    [":1", undefined],
    ["1:", undefined],
    ["g::1", undefined],
  ];
  for (const [text, want] of rows) test(JSON.stringify(text), () => assert.deepEqual(words(text), want));
});

describe("parseCidr and containment", () => {
  const rows: [string, string, boolean][] = [
    ["10.0.0.0/16", "10.0.255.255", true],
    ["10.0.0.0/16", "10.1.0.0", false],
    ["10.0.1.25/32", "10.0.1.25", true],
    ["10.0.1.25/32", "10.0.1.26", false],
    ["0.0.0.0/0", "203.0.113.10", true],
    ["0.0.0.0/0", "2001:db8::1", false],
    ["::/0", "2001:db8::1", true],
    ["::/0", "10.0.0.1", false],
    ["10.0.1.7/24", "10.0.1.200", true], // host bits are masked off
    ["2600:1f18:1234:5600::/56", "2600:1f18:1234:56ff::1", true],
    ["2600:1f18:1234:5600::/56", "2600:1f18:1234:5700::1", false],
    ["2001:db8::/33", "2001:db8:7fff::1", true],
    ["2001:db8::/33", "2001:db8:8000::1", false],
    ["2001:db8::1/128", "2001:db8::1", true],
  ];
  for (const [cidr, ip, want] of rows) test(`${cidr} contains ${ip}: ${want}`, () => assert.equal(cidrContains(parseCidr(cidr)!, parseIp(ip)!), want));
  for (const bad of ["10.0.0.0/33", "::/129", "10.0.0.0/x", "10.0.0/8", "10.0.0.0/-1"]) test(`rejects ${bad}`, () => assert.equal(parseCidr(bad), undefined));
});

describe("classify", () => {
  const rows: [string, AddrClass][] = [
    ["203.0.113.10", AddrClass.Public],
    ["8.8.8.8", AddrClass.Public],
    ["10.0.1.25", AddrClass.Private],
    ["172.16.0.1", AddrClass.Private],
    ["172.31.255.255", AddrClass.Private],
    ["172.32.0.1", AddrClass.Public],
    ["192.168.1.1", AddrClass.Private],
    ["100.64.0.1", AddrClass.Shared],
    ["100.128.0.1", AddrClass.Public],
    ["127.0.0.1", AddrClass.Loopback],
    ["169.254.169.253", AddrClass.LinkLocal],
    ["224.0.0.1", AddrClass.Special],
    ["255.255.255.255", AddrClass.Special],
    ["0.1.2.3", AddrClass.Special],
    ["2001:db8::1", AddrClass.Public],
    ["2600:1f18::1", AddrClass.Public],
    ["fd00:ec2::253", AddrClass.Private],
    ["fe80::1", AddrClass.LinkLocal],
    ["::1", AddrClass.Loopback],
    ["::", AddrClass.Special],
    ["ff02::1", AddrClass.Special],
  ];
  for (const [ip, want] of rows) test(ip, () => assert.equal(classify(parseIp(ip)!), want));
});

describe("formatIpv6 (RFC 5952)", () => {
  const rows: [[number, number, number, number], string][] = [
    [[0, 0, 0, 1], "::1"],
    [[0x20010db8, 0, 0, 1], "2001:db8::1"],
    [[0x20010db8, 0x00010000, 0, 1], "2001:db8:1::1"],
    [[0x20010db8, 0x00000001, 0x00000001, 0x00000001], "2001:db8:0:1:0:1:0:1"], // no run of two zeros
    [[0x20010db8, 0, 0x00010000, 0x00010000], "2001:db8::1:0:1:0"],
    [[0x20010db8, 0, 0x00010000, 0], "2001:db8:0:0:1::"], // the longest run wins
    [[0x26001f18 | 0, 0x12345603, 0, 0x0a00030a], "2600:1f18:1234:5603::a00:30a"],
    [[0x20010db8, 0x00010002, 0x00030004, 0x00050006], "2001:db8:1:2:3:4:5:6"],
  ];
  for (const [w, want] of rows) test(want, () => assert.equal(formatIpv6(w[0], w[1], w[2], w[3]), want));
});

describe("IAM's IpAddress values ({ lenient, mappedCidrAsV4 })", () => {
  const rows: [string, string, boolean][] = [
    ["10.0.0.0/8", "10.255.255.255", true],
    ["10.0.0.0/8", "11.0.0.0", false],
    ["192.168.1.128/25", "192.168.1.200", true],
    ["192.168.1.128/25", "192.168.1.100", false],
    ["::/0", "2001:db8::1", true],
    ["2001:db8::/127", "2001:db8::1", true],
    ["2001:db8::/128", "2001:db8::1", false],
    ["fe80::/10", "fe80::1%eth0", true],
    ["::1", "::1", true],
  ];
  for (const [cidr, ip, expected] of rows) {
    test(`${ip} in ${cidr}`, () => {
      const c = parseCidr(cidr, IAM);
      const a = parseIp(ip, IAM);
      assert.ok(c && a);
      assert.equal(cidrContains(c, a), expected);
    });
  }
  test("octets with leading zeros are taken; an IPv4-mapped block is IPv4 (so past /32 it is refused)", () => {
    assert.equal(cidrContains(parseCidr("010.0.0.0/8", IAM)!, parseIp("10.000.1.1", IAM)!), true);
    assert.equal(parseIp("::ffff:010.0.0.1", IAM)?.fam, 4);
    assert.equal(parseIp("010.0.0.1"), undefined, "strict by default");
    assert.equal(parseCidr("::ffff:10.0.0.0/104", IAM), undefined);
    assert.equal(parseCidr("::ffff:10.0.0.0/104")?.fam, 6, "the model keeps such a block IPv6");
    assert.equal(parseCidr("::ffff:10.0.0.1", IAM)?.prefix, 32);
    assert.equal(parseIpv4Word("1.2.3.4", 0, 7, true), 0x01020304);
    assert.equal(parseIpv4Word("1..3.4", 0, 6, true), undefined);
  });
  test("invalid values", () => {
    for (const bad of ["1.2.3", "1.2.3.4.5", "1::2::3", "10.0.0.0/33", "x"]) assert.equal(parseCidr(bad, IAM), undefined, bad);
  });
});
