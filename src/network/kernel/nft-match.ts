// Security-group rules and network-ACL entries as nft match expressions (pure text). Each function
// returns the lines of one chain body; the caller appends the chain's final verdict.
import { formatIpv4, formatIpv6, parseCidr } from "../../net-addr/ip.ts";
import type { NetSnapshot, SgRule } from "../model/types.ts";

type AclEntry = NetSnapshot["networkAcls"][number]["entries"][number];
export type Direction = "egress" | "ingress";

/** A CIDR as an nft address match on the remote side of the rule, or undefined when unparsable. */
export function addrMatch(cidr: string, dir: Direction): string | undefined {
  const c = parseCidr(cidr.trim());
  if (!c) return undefined;
  const side = dir === "egress" ? "daddr" : "saddr";
  if (c.prefix === 0) return c.fam === 4 ? "meta nfproto ipv4" : "meta nfproto ipv6";
  const net = c.fam === 4 ? formatIpv4(c.w0) : formatIpv6(c.w0, c.w1, c.w2, c.w3);
  return `${c.fam === 4 ? "ip" : "ip6"} ${side} ${net}/${c.prefix}`;
}

const PROTO_NAMES: Record<string, string> = { tcp: "6", udp: "17", icmp: "1", icmpv6: "58", "ipv6-icmp": "58", all: "-1" };

/** "tcp" | "6" | "-1" ... to a protocol number string ("-1" = every protocol). */
export function protocolNumber(p: string): string {
  const s = String(p).toLowerCase();
  return PROTO_NAMES[s] ?? s;
}

function portRange(from: number | undefined, to: number | undefined): string | undefined {
  if (from === undefined || from === -1) return undefined;
  const hi = to === undefined || to === -1 ? from : to;
  if (from <= 0 && hi >= 65535) return undefined;
  return from === hi ? String(from) : `${from}-${hi}`;
}

/** The protocol part: port ranges for tcp/udp, type/code for ICMP; "" for every protocol; undefined = matches nothing. */
export function protoMatch(protocol: string, a?: number, b?: number, icmpAB = false): string | undefined {
  const n = protocolNumber(protocol);
  if (n === "-1") return "";
  if (n === "6" || n === "17") {
    const name = n === "6" ? "tcp" : "udp";
    const ports = portRange(a, b);
    return ports ? `${name} dport ${ports}` : `meta l4proto ${name}`;
  }
  if (n === "1" || n === "58") {
    const [l4, kw] = n === "1" ? ["icmp", "icmp"] : ["ipv6-icmp", "icmpv6"];
    // SG ICMP rules put the type in fromPort and the code in toPort; ACLs have icmpType/icmpCode.
    const parts = [`meta l4proto ${l4}`];
    if (icmpAB && a !== undefined && a !== -1) parts.push(`${kw} type ${a}`);
    if (icmpAB && b !== undefined && b !== -1) parts.push(`${kw} code ${b}`);
    return parts.join(" ");
  }
  if (/^\d+$/.test(n) && Number(n) <= 255) return `meta l4proto ${n}`;
  return undefined;
}

const join = (...parts: (string | undefined)[]): string => parts.filter((p) => p).join(" ");

/**
 * One network ACL direction as chain lines, in rule-number order: allow = `return` (go on to the
 * next check), deny = the deny verdict. The caller adds the implicit final deny (`*`).
 */
export function aclLines(entries: AclEntry[], egress: boolean, deny: string): string[] {
  const lines: string[] = [];
  const dir: Direction = egress ? "egress" : "ingress";
  for (const e of [...entries].filter((x) => x.egress === egress).sort((x, y) => x.ruleNumber - y.ruleNumber)) {
    const addr = addrMatch(e.cidr, dir);
    const n = protocolNumber(e.protocol);
    const proto = n === "1" || n === "58" ? protoMatch(n, e.icmpType, e.icmpCode, true) : protoMatch(n, e.fromPort, e.toPort);
    if (addr === undefined || proto === undefined) continue;
    lines.push(`${join(addr, proto)} ${e.action === "allow" ? "return" : deny} comment "rule ${e.ruleNumber}"`);
  }
  return lines;
}

export interface SgContext {
  /** Named nft sets holding a group's member addresses (created by the caller). */
  groupSet(groupId: string, fam: 4 | 6): string;
  prefixList(id: string): string[] | undefined;
}

/** Security-group rules (the union over the ENI's groups) as `return` lines; the caller adds the final deny. */
export function sgLines(rules: SgRule[], dir: Direction, ctx: SgContext): string[] {
  const lines: string[] = [];
  const side = dir === "egress" ? "daddr" : "saddr";
  for (const r of rules) {
    const n = protocolNumber(r.protocol);
    const proto = protoMatch(n, r.fromPort, r.toPort, n === "1" || n === "58");
    if (proto === undefined) continue;
    const peers: string[] = [];
    for (const c of [...r.cidrs, ...(r.prefixListIds ?? []).flatMap((id) => ctx.prefixList(id) ?? [])]) {
      const m = addrMatch(c, dir);
      if (m) peers.push(m);
    }
    for (const g of r.groupIds) peers.push(`ip ${side} @${ctx.groupSet(g, 4)}`, `ip6 ${side} @${ctx.groupSet(g, 6)}`);
    for (const p of peers) lines.push(`${join(p, proto)} return`);
  }
  return [...new Set(lines)];
}
