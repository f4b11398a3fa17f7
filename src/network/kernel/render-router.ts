// The router namespace as text: `ip -batch` scripts for routing (ip rules = route tables) and one
// nft transaction for filtering (NACLs stateless, SGs stateful). Rebuilt whole on every apply: the
// nft table is replaced atomically, and conntrack entries survive it, so established connections
// keep flowing while every new connection sees the new rules.
import type { NetSnapshot } from "../model/types.ts";
import { aclLines, sgLines } from "./nft-match.ts";
import { DIRECT_TABLE, vpcTable } from "./plan.ts";
import type { Plan } from "./plan.ts";

const hex = (n: number): string => `0x${n.toString(16)}`;
export const ROUTER_TABLE = "hyperlocal";

/**
 * Rules (per family): router-originated packets (ICMP errors, resets) reach hosts directly; a packet
 * for an address of its own VPC goes to that VPC's host table (the "local" route); otherwise the
 * route table of the subnet it came from; nothing matched → unreachable (ENETUNREACH, as the model).
 */
export function routerRouting(p: Plan, fam: 4 | 6, flushTables: number[]): string[] {
  const lines = ["rule flush", `rule add prio 50 iif lo lookup ${DIRECT_TABLE}`, "rule add prio 60 iif lo lookup main"];
  for (const v of p.vpcs) {
    for (const c of fam === 4 ? v.cidrs4 : v.cidrs6) lines.push(`rule add prio 100 fwmark ${hex(v.idx << 16)}/0xffff0000 to ${c} lookup ${vpcTable(v.idx)}`);
  }
  for (const s of p.subnets) if (s.table !== undefined) lines.push(`rule add prio 200 fwmark ${hex(s.mark)} lookup ${s.table}`);
  lines.push("rule add prio 32000 unreachable");
  for (const t of flushTables) lines.push(`route flush table ${t}`);
  for (const t of p.tables) for (const r of fam === 4 ? t.routes4 : t.routes6) lines.push(`route add ${r} table ${t.table}`);
  return lines;
}

export function tablesWithRoutes(p: Plan, fam: 4 | 6): number[] {
  return p.tables.filter((t) => (fam === 4 ? t.routes4 : t.routes6).length > 0).map((t) => t.table);
}

const setName = (groupId: string, fam: 4 | 6): string => `g${fam}_${groupId.replace(/[^A-Za-z0-9_]/g, "_")}`;

export function routerNft(p: Plan, snapshot: NetSnapshot, denied: "drop" | "reject"): string {
  const deny = denied === "drop" ? "drop" : "reject";
  const final = denied === "drop" ? ["drop"] : ["meta l4proto tcp reject with tcp reset", "reject"];
  const groups = new Map(snapshot.securityGroups.map((g) => [g.groupId, g]));
  const prefixLists = new Map((snapshot.prefixLists ?? []).map((l) => [l.prefixListId, l.cidrs]));
  const usedSets = new Set<string>();
  const ctx = {
    groupSet: (g: string, fam: 4 | 6) => {
      usedSets.add(g);
      return setName(g, fam);
    },
    prefixList: (id: string) => prefixLists.get(id),
  };

  const chains: string[] = [];
  const chain = (name: string, body: string[]): void => {
    chains.push(`  chain ${name} {\n${body.map((l) => `    ${l}`).join("\n")}\n  }`);
  };

  // NACLs: one outbound and one inbound chain per subnet; traffic within one subnet skips them.
  const aclOut: string[] = [];
  const aclIn: string[] = [];
  for (const s of p.subnets) {
    if (s.ifnames.length === 0 && !p.edges.some((e) => e.vpcIdx === s.vpcIdx)) continue;
    const entries = s.acl?.entries ?? [];
    const same = s.ifnames.length ? `{ ${s.ifnames.map((i) => `"${i}"`).join(", ")} }` : undefined;
    chain(`acl_out_${s.mark}`, [...(same ? [`oifname ${same} return`] : []), ...aclLines(entries, true, deny), ...final]);
    chain(`acl_in_${s.mark}`, [`meta mark ${hex(s.mark)} return`, ...aclLines(entries, false, deny), ...final]);
    aclOut.push(`${hex(s.mark)} : jump acl_out_${s.mark}`);
    for (const i of s.ifnames) aclIn.push(`"${i}" : jump acl_in_${s.mark}`);
  }

  // Security groups: per ENI, the union of its groups' rules; Hyperplane ENIs accept no inbound.
  const sgOut: string[] = [];
  const sgIn: string[] = [];
  for (const e of p.enis) {
    const rules = e.groupIds.flatMap((g) => groups.get(g) ?? []);
    chain(`sg_out_${e.ifname}`, [...sgLines(rules.flatMap((g) => g.egress), "egress", ctx), ...final]);
    chain(`sg_in_${e.ifname}`, [...(e.lambda ? [] : sgLines(rules.flatMap((g) => g.ingress), "ingress", ctx)), ...final]);
    sgOut.push(`"${e.ifname}" : jump sg_out_${e.ifname}`);
    sgIn.push(`"${e.ifname}" : jump sg_in_${e.ifname}`);
  }

  // Group references: sets of the member ENIs' addresses (every ENI of the snapshot, any VPC).
  const sets: string[] = [];
  for (const g of usedSets) {
    const members = snapshot.networkInterfaces.filter((n) => n.groupIds.includes(g));
    const v4 = members.flatMap((n) => n.privateIps.filter((ip) => !ip.includes(":")));
    const v6 = [...members.flatMap((n) => n.ipv6Addresses), ...p.enis.filter((e) => e.groupIds.includes(g)).flatMap((e) => e.v6)];
    const el = (xs: string[]) => (xs.length ? ` elements = { ${[...new Set(xs)].join(", ")} };` : "");
    sets.push(`  set ${setName(g, 4)} { type ipv4_addr;${el(v4)} }`, `  set ${setName(g, 6)} { type ipv6_addr;${el(v6)} }`);
  }

  const marks: string[] = [];
  for (const s of p.subnets) for (const i of s.ifnames) marks.push(`"${i}" : ${hex(s.mark)}`);
  for (const e of p.edges) for (const i of [e.igw, e.eigw]) if (i) marks.push(`"${i}" : ${hex((e.vpcIdx << 16) | 0xffff)}`);
  // Replies from a gateway endpoint return like the edges' (the VPC's own hosts table).
  for (const g of p.gateways) marks.push(`"${g.ifname}" : ${hex((g.vpcIdx << 16) | 0xffff)}`);

  const vmap = (key: string, entries: string[]): string[] => (entries.length ? [`${key} vmap { ${entries.join(", ")} }`] : []);
  chain("classify", ["type filter hook prerouting priority mangle; policy accept;", ...(marks.length ? [`meta mark set iifname map { ${marks.join(", ")} }`] : [])]);
  // The router answers neighbour discovery and pings; nothing else is addressed to it.
  chain("to_router", ["type filter hook input priority filter; policy drop;", "ct state established,related accept", 'iifname "lo" accept', "meta l4proto { icmp, ipv6-icmp } accept"]);
  chain("filter", [
    "type filter hook forward priority filter; policy drop;",
    // Stateless ACLs come before conntrack: replies are filtered too (the ephemeral-port rule).
    ...vmap("meta mark", aclOut),
    ...vmap("oifname", aclIn),
    "ct state established,related accept",
    ...vmap("iifname", sgOut),
    ...vmap("oifname", sgIn),
    "accept",
  ]);

  return [`table inet ${ROUTER_TABLE} {}`, `delete table inet ${ROUTER_TABLE}`, `table inet ${ROUTER_TABLE} {`, ...sets, ...chains, "}"].join("\n") + "\n";
}
