// The indexed matchers (long ACL and SG lists) against a plain reference written from the rules
// themselves, on seeded random rule sets and addresses: same decision, same rule, every time.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { cidrContains, formatIpv4, parseCidr, parseIp } from "../../net-addr/ip.ts";
import { ALLOWED, aclDecide, aclDecideRange, compileAcl } from "./network-acls.ts";
import { TCP, UDP } from "./protocols.ts";
import { compileSgRules, sgMatch } from "./security-groups.ts";
import { acl, sg } from "./test-support.ts";
import type { NetSnapshot, SgRule } from "./types.ts";

type Entry = NetSnapshot["networkAcls"][number]["entries"][number];

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let fam: 4 | 6 = 4;

/** Addresses and CIDRs drawn from a small space so that they overlap often. */
function randomAddress(rand: () => number): string {
  const pick = (n: number): number => Math.floor(rand() * n);
  if (fam === 6) return `2600:1f18:${pick(3).toString(16)}:${(0x5600 + pick(4)).toString(16)}::${pick(6).toString(16)}`;
  return formatIpv4(((10 << 24) | (pick(4) << 16) | (pick(4) << 8) | pick(8)) | 0);
}

function randomCidr(rand: () => number): string {
  const prefixes = fam === 6 ? [0, 32, 46, 48, 56, 64, 127, 128] : [0, 8, 16, 22, 24, 30, 32];
  return `${randomAddress(rand)}/${prefixes[Math.floor(rand() * prefixes.length)]}`;
}

function randomPorts(rand: () => number): [number, number] {
  const lo = 1000 + Math.floor(rand() * 60);
  return [lo, lo + Math.floor(rand() * 30)];
}

describe("indexed ACL lists agree with the reference", () => {
  const outcomes = new Set<string>();
  for (let seed = 1; seed <= 40; seed++) {
    test(`seed ${seed} (IPv${seed % 2 ? 4 : 6})`, () => {
      fam = seed % 2 ? 4 : 6;
      const rand = prng(seed);
      const entries: Entry[] = [];
      const n = 12 + Math.floor(rand() * 40);
      for (let i = 0; i < n; i++) {
        const proto = rand() < 0.2 ? "-1" : rand() < 0.7 ? "6" : "17";
        entries.push(acl(1 + Math.floor(rand() * 500) * 2 + (i % 2), false, rand() < 0.4 ? "deny" : "allow", proto, randomCidr(rand), proto === "-1" ? undefined : randomPorts(rand)));
      }
      const dir = compileAcl({ networkAclId: "acl", vpcId: "vpc", isDefault: false, subnetIds: [], entries }).inbound;
      assert.ok(fam === 4 ? dir.v4.ix : dir.v6.ix6, "the list is long enough to be indexed");
      const sorted = [...entries].sort((a, b) => a.ruleNumber - b.ruleNumber);
      const reference = (peer: string, proto: number, port: number): number => {
        const a = parseIp(peer)!;
        const i = sorted.findIndex((e) => {
          const p = e.protocol === "-1" ? -1 : Number(e.protocol);
          return cidrContains(parseCidr(e.cidr)!, a) && (p === -1 || (p === proto && port >= (e.fromPort ?? 0) && port <= (e.toPort ?? 65535)));
        });
        return i;
      };
      for (let k = 0; k < 60; k++) {
        const peer = randomAddress(rand);
        const proto = rand() < 0.5 ? TCP : UDP;
        const port = 1000 + Math.floor(rand() * 100);
        assert.equal(aclDecide(dir, parseIp(peer)!, proto, port, -1), reference(peer, proto, port), `${peer} ${proto} ${port}`);
        // Range form: allowed iff every port is; otherwise the earliest deny that decides a port, else *.
        const from = 1000 + Math.floor(rand() * 60);
        const to = from + Math.floor(rand() * 40);
        let firstDeny = Infinity;
        let fallsThrough = false;
        for (let p = from; p <= to; p++) {
          const d = reference(peer, proto, p);
          if (d < 0) fallsThrough = true;
          else if (sorted[d].action === "deny") firstDeny = Math.min(firstDeny, d);
        }
        const want = firstDeny !== Infinity ? firstDeny : fallsThrough ? -1 : ALLOWED;
        assert.equal(aclDecideRange(dir, parseIp(peer)!, proto, from, to), want, `${peer} ${proto} ${from}-${to}`);
        outcomes.add(`${fam} ${want === ALLOWED ? "allowed" : want < 0 ? "*" : "deny"}`);
      }
    });
  }
  test("the draws covered every outcome in both families", () => assert.equal(outcomes.size, 6, [...outcomes].join(", ")));
});

describe("indexed security-group buckets agree with the reference", () => {
  const outcomes = new Set<string>();
  for (let seed = 1; seed <= 30; seed++) {
    test(`seed ${seed} (IPv${seed % 2 ? 4 : 6})`, () => {
      fam = seed % 2 ? 4 : 6;
      const rand = prng(1000 + seed);
      const rules: SgRule[] = [];
      const n = 60 + Math.floor(rand() * 60);
      for (let i = 0; i < n; i++) {
        // Wide ranges land in the scanned (and so indexed) range buckets; narrow ones under their ports.
        // Ranges of 1000 ports cross the 4096-port slots now and then; a few cover everything.
        const wide = rand() < 0.6;
        const lo = Math.floor(rand() * 4000);
        const ports: [number, number] = rand() < 0.05 ? [0, 65535] : wide ? [lo, lo + 1000] : [lo, lo + 3];
        rules.push(sg(rand() < 0.5 ? "tcp" : rand() < 0.95 ? "udp" : "-1", ports, { cidrs: [randomCidr(rand)] }));
      }
      const set = compileSgRules([{ groupId: "sg", vpcId: "vpc", ingress: rules, egress: [] }], new Map([["sg", 0]]), new Map(), "ingress");
      assert.ok([...set.tcpRanges, ...set.udpRanges, set.tcpAll].some((b) => (fam === 4 ? b?.ix4 : b?.ix6)), "a bucket is long enough to be indexed");
      for (let k = 0; k < 80; k++) {
        const peer = randomAddress(rand);
        const proto = rand() < 0.5 ? TCP : UDP;
        const port = Math.floor(rand() * 6000);
        const want = rules.some((r) => {
          const p = r.protocol === "-1" ? -1 : r.protocol === "tcp" ? TCP : UDP;
          return cidrContains(parseCidr(r.cidrs[0])!, parseIp(peer)!) && (p === -1 || (p === proto && port >= r.fromPort! && port <= r.toPort!));
        });
        assert.equal(sgMatch(set, parseIp(peer)!, proto, port, -1, undefined) !== undefined, want, `${peer} ${proto} ${port}`);
        outcomes.add(`${fam} ${want}`);
      }
    });
  }
  test("the draws covered admitted and refused packets in both families", () => assert.equal(outcomes.size, 4, [...outcomes].join(", ")));
});
