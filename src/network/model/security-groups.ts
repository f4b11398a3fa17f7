// Security groups: compile an ENI's groups (all of them, OR-ed) into flat typed-array columns per
// direction, then match a packet with integer compares. Stateful: only the initiating direction
// is checked (egress at the sender, ingress at the receiver); replies are always allowed.
import { parseCidr } from "../../net-addr/ip.ts";
import type { IpAddr } from "../../net-addr/ip.ts";
import { buildV4Index, buildV6Index, key6 } from "./cidr-index.ts";
import type { V4Index, V6Index } from "./cidr-index.ts";
import { ALL, ICMP, ICMPV6, TCP, UDP, describeTraffic, protocolNumber } from "./protocols.ts";
import type { Hop, NetSnapshot, SgRule } from "./types.ts";

/** A list of rules flattened into typed-array columns, per peer kind. */
export interface SgBucket {
  /** IPv4 CIDR rules. */
  n4: number;
  proto4: Int16Array;
  lo4: Int32Array;
  hi4: Int32Array;
  base4: Int32Array;
  mask4: Int32Array;
  hop4: Hop[];
  /** For long lists: which IPv4 rules contain an address, by Map lookups per prefix length. */
  ix4?: V4Index;
  /** IPv6 CIDR rules: four words each. */
  n6: number;
  proto6: Int16Array;
  lo6: Int32Array;
  hi6: Int32Array;
  base6: Int32Array;
  mask6: Int32Array;
  hop6: Hop[];
  ix6?: V6Index;
  /** Rules that reference a security group (by index into the snapshot's groups). */
  ng: number;
  protoG: Int16Array;
  loG: Int32Array;
  hiG: Int32Array;
  group: Int32Array;
  hopG: Hop[];
}

/**
 * One direction of an ENI's groups, indexed by protocol and port: security-group rules have no
 * order (any match admits), so a tcp/udp packet only looks at the rules for its exact port, the
 * wide port ranges and the all-protocol rules, not at every rule.
 */
export interface SgRuleSet {
  tcpPorts: Map<number, SgBucket>;
  /** Wider tcp ranges, filed under each 4096-port slot they overlap (slot = port >> 12). */
  tcpRanges: (SgBucket | undefined)[];
  /** tcp rules for every port (0-65535), kept once rather than in every slot. */
  tcpAll?: SgBucket;
  udpPorts: Map<number, SgBucket>;
  udpRanges: (SgBucket | undefined)[];
  udpAll?: SgBucket;
  icmp?: SgBucket;
  icmpv6?: SgBucket;
  /** Rules for other protocol numbers (esp, gre, ...). */
  other?: SgBucket;
  /** Protocol -1. */
  any?: SgBucket;
  /** Total rules, for "this group has no rules" messages. */
  rules: number;
}

export interface SgSet {
  groupIds: string[];
  ingress: SgRuleSet;
  egress: SgRuleSet;
}

/** A group-membership test supplied by the caller: is the peer ENI in group `groupIndex`? */
export interface SgPeer {
  readonly groups: ReadonlySet<number>;
}

interface Row {
  proto: number;
  lo: number;
  hi: number;
  hop: Hop;
}

/** Normalise a rule's port fields: tcp/udp port range (absent or -1 = all), icmp type/code, else unused. */
function ruleRange(proto: number, r: SgRule): [number, number] {
  if (proto === TCP || proto === UDP) {
    const from = r.fromPort ?? -1;
    const to = r.toPort ?? -1;
    return from === -1 && to === -1 ? [0, 65535] : [from === -1 ? 0 : from, to === -1 ? 65535 : to];
  }
  if (proto === ICMP || proto === ICMPV6) return [r.fromPort ?? -1, r.toPort ?? -1];
  return [-1, -1];
}

type Row4 = Row & { base: number; mask: number };
type Row6 = Row & { base: number[]; mask: number[] };
type RowG = Row & { group: number };

const NO16 = new Int16Array(0);
const NO32 = new Int32Array(0);
const i16 = <T>(rows: T[], f: (r: T) => number): Int16Array => (rows.length === 0 ? NO16 : Int16Array.from(rows, f));
const i32 = <T>(rows: T[], f: (r: T) => number): Int32Array => (rows.length === 0 ? NO32 : Int32Array.from(rows, f));
const words = (rows: { base: number[]; mask: number[] }[], key: "base" | "mask"): Int32Array => (rows.length === 0 ? NO32 : Int32Array.from(rows.flatMap((r) => r[key])));

/** Rows collected for one bucket before they become typed arrays (shared empty ones stay unwritten). */
class Pending {
  v4: Row4[] = [];
  v6: Row6[] = [];
  g: RowG[] = [];

  build(): SgBucket {
    const { v4, v6, g } = this;
    const base4 = i32(v4, (r) => r.base);
    const mask4 = i32(v4, (r) => r.mask);
    const bucket: SgBucket = {
      n4: v4.length,
      proto4: i16(v4, (r) => r.proto),
      lo4: i32(v4, (r) => r.lo),
      hi4: i32(v4, (r) => r.hi),
      base4,
      mask4,
      hop4: v4.map((r) => r.hop),
      n6: v6.length,
      proto6: i16(v6, (r) => r.proto),
      lo6: i32(v6, (r) => r.lo),
      hi6: i32(v6, (r) => r.hi),
      base6: words(v6, "base"),
      mask6: words(v6, "mask"),
      hop6: v6.map((r) => r.hop),
      ng: g.length,
      protoG: i16(g, (r) => r.proto),
      loG: i32(g, (r) => r.lo),
      hiG: i32(g, (r) => r.hi),
      group: i32(g, (r) => r.group),
      hopG: g.map((r) => r.hop),
    };
    const ix4 = buildV4Index(base4, mask4, v4.length);
    if (ix4) bucket.ix4 = ix4;
    const ix6 = buildV6Index(bucket.base6, bucket.mask6, v6.length);
    if (ix6) bucket.ix6 = ix6;
    return bucket;
  }
}

/** Port ranges up to this wide are listed under each of their ports; wider ones under port slots. */
const EXPAND_PORTS = 64;
const SLOT_SHIFT = 12;
const SLOTS = 65536 >> SLOT_SHIFT;

export function compileSgRules(
  groups: NetSnapshot["securityGroups"],
  groupIndex: ReadonlyMap<string, number>,
  prefixLists: ReadonlyMap<string, string[]>,
  direction: "ingress" | "egress",
): SgRuleSet {
  const tcpPorts = new Map<number, Pending>();
  const udpPorts = new Map<number, Pending>();
  const tcpSlots = Array.from({ length: SLOTS }, () => new Pending());
  const udpSlots = Array.from({ length: SLOTS }, () => new Pending());
  const buckets = { tcpAll: new Pending(), udpAll: new Pending(), icmp: new Pending(), icmpv6: new Pending(), other: new Pending(), any: new Pending() };
  let rules = 0;
  const verb = direction === "ingress" ? "from" : "to";
  for (const sg of groups) {
    for (const r of sg[direction]) {
      rules++;
      const proto = protocolNumber(r.protocol);
      if (proto === undefined) continue;
      const [lo, hi] = ruleRange(proto, r);
      // Where this rule is filed: under each port of a narrow tcp/udp range, else in one bucket.
      const targets: Pending[] = [];
      if (proto === TCP || proto === UDP) {
        if (hi - lo < EXPAND_PORTS) {
          const map = proto === TCP ? tcpPorts : udpPorts;
          for (let p = lo; p <= hi; p++) {
            let b = map.get(p);
            if (!b) map.set(p, (b = new Pending()));
            targets.push(b);
          }
        } else if (lo <= 0 && hi >= 65535) {
          targets.push(proto === TCP ? buckets.tcpAll : buckets.udpAll);
        } else {
          const slots = proto === TCP ? tcpSlots : udpSlots;
          for (let k = Math.max(0, lo) >> SLOT_SHIFT; k <= Math.min(65535, hi) >> SLOT_SHIFT; k++) targets.push(slots[k]);
        }
      } else targets.push(proto === ALL ? buckets.any : proto === ICMP ? buckets.icmp : proto === ICMPV6 ? buckets.icmpv6 : buckets.other);

      const traffic = proto === ALL ? "all traffic" : describeTraffic(proto, lo, hi, hi);
      const hopFor = (peer: string): Hop => Object.freeze({ kind: "security-group", id: sg.groupId, detail: `${direction} ${traffic} ${verb} ${peer}` });
      const addCidr = (text: string, via?: string): void => {
        const c = parseCidr(text);
        if (!c) return;
        const hop = hopFor(via ? `${via} (${text})` : text);
        for (const b of targets) {
          if (c.fam === 4) b.v4.push({ proto, lo, hi, hop, base: c.w0, mask: c.m0 });
          else b.v6.push({ proto, lo, hi, hop, base: [c.w0, c.w1, c.w2, c.w3], mask: [c.m0, c.m1, c.m2, c.m3] });
        }
      };
      for (const cidr of r.cidrs) addCidr(cidr);
      // Prefix lists stand for their CIDRs; a list the snapshot does not describe matches nothing.
      for (const pl of r.prefixListIds ?? []) for (const cidr of prefixLists.get(pl) ?? []) addCidr(cidr, pl);
      for (const ref of r.groupIds) {
        const idx = groupIndex.get(ref);
        if (idx === undefined) continue;
        const hop = hopFor(ref);
        for (const b of targets) b.g.push({ proto, lo, hi, hop, group: idx });
      }
    }
  }
  const built = (b: Pending): SgBucket | undefined => (b.v4.length + b.v6.length + b.g.length === 0 ? undefined : b.build());
  const ports = (m: Map<number, Pending>): Map<number, SgBucket> => new Map([...m].map(([p, b]) => [p, b.build()]));
  const set: SgRuleSet = { tcpPorts: ports(tcpPorts), tcpRanges: tcpSlots.map(built), udpPorts: ports(udpPorts), udpRanges: udpSlots.map(built), rules };
  const tcpAll = built(buckets.tcpAll);
  if (tcpAll) set.tcpAll = tcpAll;
  const udpAll = built(buckets.udpAll);
  if (udpAll) set.udpAll = udpAll;
  const icmp = built(buckets.icmp);
  if (icmp) set.icmp = icmp;
  const icmpv6 = built(buckets.icmpv6);
  if (icmpv6) set.icmpv6 = icmpv6;
  const other = built(buckets.other);
  if (other) set.other = other;
  const any = built(buckets.any);
  if (any) set.any = any;
  return set;
}

/** Protocol and port/type test shared by every rule kind. */
function trafficMatches(ruleProto: number, lo: number, hi: number, proto: number, port: number, code: number): boolean {
  if (ruleProto === ALL) return true;
  if (ruleProto !== proto) return false;
  if (proto === TCP || proto === UDP) return port >= lo && port <= hi;
  if (proto === ICMP || proto === ICMPV6) return (lo === -1 || lo === port) && (hi === -1 || hi === code);
  return true;
}

/**
 * The hop of a rule that admits the packet, or undefined when none does.
 * `peer` is the other end's address (source for ingress, destination for egress); `peerEni` is the
 * other end's interface when it is reached by its private address (same VPC or over a peering),
 * which is the only case in which group references can match.
 */
export function sgMatch(set: SgRuleSet, peer: IpAddr, proto: number, port: number, code: number, peerEni: SgPeer | undefined): Hop | undefined {
  let hop: Hop | undefined;
  if (proto === TCP) {
    const b = set.tcpPorts.get(port);
    if (b !== undefined && (hop = bucketMatch(b, peer, proto, port, code, peerEni)) !== undefined) return hop;
    const r = set.tcpRanges[port >> SLOT_SHIFT];
    if (r !== undefined && (hop = bucketMatch(r, peer, proto, port, code, peerEni)) !== undefined) return hop;
    if (set.tcpAll !== undefined && (hop = bucketMatch(set.tcpAll, peer, proto, port, code, peerEni)) !== undefined) return hop;
  } else if (proto === UDP) {
    const b = set.udpPorts.get(port);
    if (b !== undefined && (hop = bucketMatch(b, peer, proto, port, code, peerEni)) !== undefined) return hop;
    const r = set.udpRanges[port >> SLOT_SHIFT];
    if (r !== undefined && (hop = bucketMatch(r, peer, proto, port, code, peerEni)) !== undefined) return hop;
    if (set.udpAll !== undefined && (hop = bucketMatch(set.udpAll, peer, proto, port, code, peerEni)) !== undefined) return hop;
  } else {
    const b = proto === ICMP ? set.icmp : proto === ICMPV6 ? set.icmpv6 : set.other;
    if (b !== undefined && (hop = bucketMatch(b, peer, proto, port, code, peerEni)) !== undefined) return hop;
  }
  return set.any === undefined ? undefined : bucketMatch(set.any, peer, proto, port, code, peerEni);
}

/** Port test for tcp/udp buckets (every rule in them has the packet's protocol). */
function inRange(lo: Int32Array, hi: Int32Array, i: number, port: number): boolean {
  return port >= lo[i] && port <= hi[i];
}

function bucketMatch(set: SgBucket, peer: IpAddr, proto: number, port: number, code: number, peerEni: SgPeer | undefined): Hop | undefined {
  // Rules in a port bucket all carry the packet's protocol, so only the range needs checking.
  const portsOnly = proto === TCP || proto === UDP;
  if (peer.fam === 4) {
    const a = peer.w0;
    const { proto4, lo4, hi4, base4, mask4 } = set;
    const ix = set.ix4;
    if (ix !== undefined) {
      // Any match admits, so the index lists are walked as they are (no merge into list order).
      const { masks, maps } = ix;
      for (let k = 0; k < masks.length; k++) {
        const list = maps[k].get(a & masks[k]);
        if (list === undefined) continue;
        for (let j = 0; j < list.length; j++) {
          const i: number = list[j];
          if (portsOnly && proto4[i] === proto ? inRange(lo4, hi4, i, port) : trafficMatches(proto4[i], lo4[i], hi4[i], proto, port, code)) return set.hop4[i];
        }
      }
    } else {
      for (let i = 0; i < set.n4; i++) {
        if ((a & mask4[i]) === base4[i] && trafficMatches(proto4[i], lo4[i], hi4[i], proto, port, code)) return set.hop4[i];
      }
    }
  } else if (set.ix6 !== undefined) {
    const { proto6, lo6, hi6, base6 } = set;
    const { masks, maps } = set.ix6;
    for (let g = 0; g < maps.length; g++) {
      const m = g * 4;
      const a0 = peer.w0 & masks[m];
      const a1 = peer.w1 & masks[m + 1];
      const list = maps[g].get(key6(a0, a1));
      if (list === undefined) continue;
      const a2 = peer.w2 & masks[m + 2];
      const a3 = peer.w3 & masks[m + 3];
      for (let j = 0; j < list.length; j++) {
        const i: number = list[j];
        const k = i * 4;
        if (base6[k] !== a0 || base6[k + 1] !== a1 || base6[k + 2] !== a2 || base6[k + 3] !== a3) continue; // hash collision
        if (portsOnly && proto6[i] === proto ? inRange(lo6, hi6, i, port) : trafficMatches(proto6[i], lo6[i], hi6[i], proto, port, code)) return set.hop6[i];
      }
    }
  } else {
    const { proto6, lo6, hi6, base6, mask6 } = set;
    for (let i = 0, k = 0; i < set.n6; i++, k += 4) {
      if (
        (peer.w0 & mask6[k]) === base6[k] &&
        (peer.w1 & mask6[k + 1]) === base6[k + 1] &&
        (peer.w2 & mask6[k + 2]) === base6[k + 2] &&
        (peer.w3 & mask6[k + 3]) === base6[k + 3] &&
        trafficMatches(proto6[i], lo6[i], hi6[i], proto, port, code)
      )
        return set.hop6[i];
    }
  }
  if (peerEni !== undefined) {
    const groups = peerEni.groups;
    for (let i = 0; i < set.ng; i++) {
      if (groups.has(set.group[i]) && trafficMatches(set.protoG[i], set.loG[i], set.hiG[i], proto, port, code)) return set.hopG[i];
    }
  }
  return undefined;
}
