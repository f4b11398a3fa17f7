// Network ACLs: stateless, per subnet, rules in ascending rule number, first match wins, and an
// implicit final `*` deny. Compiled per direction and family into typed-array columns. A return
// path check asks about a whole port range (the client's ephemeral ports), so there is also a
// range form: the range passes only if every port in it is allowed by first-match semantics.
import { parseCidr } from "../../net-addr/ip.ts";
import type { IpAddr } from "../../net-addr/ip.ts";
import { buildV4Index, buildV6Index, v4Candidates, v6Candidates } from "./cidr-index.ts";
import type { V4Index, V6Index } from "./cidr-index.ts";
import { ALL, ICMP, ICMPV6, TCP, UDP, describeTraffic, protocolNumber } from "./protocols.ts";
import type { Hop, NetSnapshot } from "./types.ts";

export interface AclRules {
  n: number;
  ruleNumber: Int32Array;
  allow: Uint8Array;
  proto: Int16Array;
  /** tcp/udp: port range; icmp: lo = type, hi = code (-1 = all); others: unused. */
  lo: Int32Array;
  hi: Int32Array;
  /** IPv4: one word per rule; IPv6: four. */
  base: Int32Array;
  mask: Int32Array;
  hop: Hop[];
  /** For long lists: which entries contain an address, in rule order. */
  ix?: V4Index;
  ix6?: V6Index;
}

export interface AclDirection {
  v4: AclRules;
  v6: AclRules;
  /** The hop reported for the implicit `*` deny. */
  defaultHop: Hop;
}

export interface Acl {
  id: string;
  outbound: AclDirection;
  inbound: AclDirection;
}

type Entry = NetSnapshot["networkAcls"][number]["entries"][number];

function entryRange(proto: number, e: Entry): [number, number] {
  if (proto === TCP || proto === UDP) return [e.fromPort ?? 0, e.toPort ?? 65535];
  if (proto === ICMP || proto === ICMPV6) return [e.icmpType ?? -1, e.icmpCode ?? -1];
  return [-1, -1];
}

function compileRules(aclId: string, entries: Entry[], egress: boolean, fam: 4 | 6): AclRules {
  const rows: { num: number; allow: boolean; proto: number; lo: number; hi: number; base: number[]; mask: number[]; hop: Hop }[] = [];
  const dir = egress ? "outbound" : "inbound";
  for (const e of entries) {
    if (e.egress !== egress) continue;
    const c = parseCidr(e.cidr);
    const proto = protocolNumber(e.protocol);
    if (!c || c.fam !== fam || proto === undefined) continue;
    const [lo, hi] = entryRange(proto, e);
    const traffic = proto === ALL ? "all traffic" : describeTraffic(proto, lo, hi, hi);
    const hop: Hop = Object.freeze({ kind: "network-acl", id: aclId, detail: `${dir} rule ${e.ruleNumber} ${e.action} ${traffic} ${egress ? "to" : "from"} ${e.cidr}` });
    rows.push({
      num: e.ruleNumber,
      allow: e.action === "allow",
      proto,
      lo,
      hi,
      base: fam === 4 ? [c.w0] : [c.w0, c.w1, c.w2, c.w3],
      mask: fam === 4 ? [c.m0] : [c.m0, c.m1, c.m2, c.m3],
      hop,
    });
  }
  rows.sort((a, b) => a.num - b.num);
  const base = Int32Array.from(rows.flatMap((r) => r.base));
  const mask = Int32Array.from(rows.flatMap((r) => r.mask));
  const rules: AclRules = {
    n: rows.length,
    ruleNumber: Int32Array.from(rows, (r) => r.num),
    allow: Uint8Array.from(rows, (r) => (r.allow ? 1 : 0)),
    proto: Int16Array.from(rows, (r) => r.proto),
    lo: Int32Array.from(rows, (r) => r.lo),
    hi: Int32Array.from(rows, (r) => r.hi),
    base,
    mask,
    hop: rows.map((r) => r.hop),
  };
  const ix = fam === 4 ? buildV4Index(base, mask, rows.length) : undefined;
  if (ix) rules.ix = ix;
  const ix6 = fam === 6 ? buildV6Index(base, mask, rows.length) : undefined;
  if (ix6) rules.ix6 = ix6;
  return rules;
}

export function compileAcl(acl: NetSnapshot["networkAcls"][number]): Acl {
  const direction = (egress: boolean): AclDirection => ({
    v4: compileRules(acl.networkAclId, acl.entries, egress, 4),
    v6: compileRules(acl.networkAclId, acl.entries, egress, 6),
    defaultHop: Object.freeze({ kind: "network-acl", id: acl.networkAclId, detail: `${egress ? "outbound" : "inbound"} rule * deny all traffic` }),
  });
  return { id: acl.networkAclId, outbound: direction(true), inbound: direction(false) };
}

/** What AWS gives a subnet whose VPC has no ACL in the snapshot: the default ACL's allow-all rules. */
export function allowAllAcl(id: string): Acl {
  const entries: Entry[] = [];
  for (const egress of [false, true]) {
    entries.push({ ruleNumber: 100, egress, action: "allow", protocol: "-1", cidr: "0.0.0.0/0" });
    entries.push({ ruleNumber: 101, egress, action: "allow", protocol: "-1", cidr: "::/0" });
  }
  return compileAcl({ networkAclId: id, vpcId: "", isDefault: true, subnetIds: [], entries });
}

function peerMatches(r: AclRules, i: number, peer: IpAddr): boolean {
  if (peer.fam === 4) return (peer.w0 & r.mask[i]) === r.base[i];
  const k = i * 4;
  const { mask, base } = r;
  return (peer.w0 & mask[k]) === base[k] && (peer.w1 & mask[k + 1]) === base[k + 1] && (peer.w2 & mask[k + 2]) === base[k + 2] && (peer.w3 & mask[k + 3]) === base[k + 3];
}

// Positions of the entries whose CIDR contains the peer, in rule order (reused: evaluation is synchronous).
let cand = new Int32Array(64);

function peerCandidates(r: AclRules, peer: IpAddr): number {
  if (cand.length < r.n) cand = new Int32Array(2 * r.n);
  if (peer.fam === 4 && r.ix !== undefined) return v4Candidates(r.ix, peer.w0, cand);
  if (peer.fam === 6 && r.ix6 !== undefined) return v6Candidates(r.ix6, peer.w0, peer.w1, peer.w2, peer.w3, cand);
  let count = 0;
  for (let i = 0; i < r.n; i++) if (peerMatches(r, i, peer)) cand[count++] = i;
  return count;
}

/** Index of the rule that decides one packet, or -1 for the implicit `*` deny. */
export function aclDecide(dir: AclDirection, peer: IpAddr, proto: number, port: number, code: number): number {
  const r = peer.fam === 4 ? dir.v4 : dir.v6;
  const { proto: p, lo, hi } = r;
  const count = peerCandidates(r, peer);
  for (let j = 0; j < count; j++) {
    const i = cand[j];
    const rp = p[i];
    if (rp !== ALL && rp !== proto) continue;
    if (rp === TCP || rp === UDP) {
      if (port < lo[i] || port > hi[i]) continue;
    } else if (rp === ICMP || rp === ICMPV6) {
      if ((lo[i] !== -1 && lo[i] !== port) || (hi[i] !== -1 && hi[i] !== code)) continue;
    }
    return i;
  }
  return -1;
}

// Undecided port intervals during a range check, reused across calls (evaluation is synchronous).
let spans = new Int32Array(64);
let spare = new Int32Array(64);

/**
 * Range form for tcp/udp replies: returns ALLOWED when every port in [from, to] is allowed, else the
 * index of the first rule that denies part of it (-1 = the implicit `*` deny catches the rest).
 * `firstAllow` receives the first rule that allowed part of the range, for the path.
 */
export const ALLOWED = -2;
export let firstAllow = -1;

export function aclDecideRange(dir: AclDirection, peer: IpAddr, proto: number, from: number, to: number): number {
  const r = peer.fam === 4 ? dir.v4 : dir.v6;
  if (spans.length < 2 * (r.n + 2)) {
    spans = new Int32Array(4 * (r.n + 2));
    spare = new Int32Array(4 * (r.n + 2));
  }
  let count = 1;
  spans[0] = from;
  spans[1] = to;
  firstAllow = -1;
  const { proto: p, lo, hi, allow } = r;
  const candidates = peerCandidates(r, peer);
  for (let j = 0; j < candidates; j++) {
    const i = cand[j];
    const rp = p[i];
    if (rp !== ALL && rp !== proto) continue;
    const all = rp === ALL;
    const rl = all ? 0 : lo[i];
    const rh = all ? 65535 : hi[i];
    // Does the rule touch any undecided port?
    let touches = false;
    for (let k = 0; k < count; k++) {
      if (spans[2 * k] <= rh && spans[2 * k + 1] >= rl) {
        touches = true;
        break;
      }
    }
    if (!touches) continue;
    if (allow[i] === 0) return i;
    if (firstAllow < 0) firstAllow = i;
    // Remove [rl, rh] from the undecided spans (written to the other buffer, then swapped).
    let out = 0;
    for (let k = 0; k < count; k++) {
      const a = spans[2 * k];
      const b = spans[2 * k + 1];
      if (b < rl || a > rh) {
        spare[out++] = a;
        spare[out++] = b;
      } else {
        if (a < rl) {
          spare[out++] = a;
          spare[out++] = rl - 1;
        }
        if (b > rh) {
          spare[out++] = rh + 1;
          spare[out++] = b;
        }
      }
    }
    const t = spans;
    spans = spare;
    spare = t;
    count = out >> 1;
    if (count === 0) return ALLOWED;
  }
  return -1;
}
