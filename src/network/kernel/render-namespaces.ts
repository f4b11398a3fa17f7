// Shell scripts (ip -batch / nft -f heredocs) that build each namespace other than the router's
// filtering: the veth to the router, addresses, default routes, and the gateways' NAT rules.
// Every transit link uses only IPv6 link-local next hops (IPv4 routes `via inet6 fe80::…`), so no
// address outside the VPC's own and the test ranges ever exists.
import { heredoc } from "./exec.ts";
import { LL_FAR, LL_NEAR } from "./plan.ts";
import type { EdgePlan, EniPlan, GatewayPlan, NatPlan } from "./plan.ts";

const PRIVATE_V4 = "{ 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 169.254.0.0/16 }";
export const CLIENT_V4 = "198.51.100.1";
export const CLIENT_V6 = "2001:db8:ffff::1";
const INET_TABLE = 100;

const sysctl = (kv: string[]): string => `sysctl -qw ${kv.join(" ")}\n`;

/** Router side of a host (ENI or NAT gateway) veth: the subnet's router address and fe80::1. */
export function routerLinkLines(x: { ifname: string; subnet: { gw4?: string } }): string[] {
  return [
    `link set ${x.ifname} up`,
    `addr add ${LL_NEAR}/64 dev ${x.ifname} nodad`,
    ...(x.subnet.gw4 ? [`addr add ${x.subnet.gw4}/32 dev ${x.ifname}`] : []),
  ];
}

/** Inside an ENI namespace: /32 and /128 addresses; its routes come from eniRoutesScript. */
export function eniScript(e: EniPlan, routerPid: number): string {
  const lines = [`link add eth0 type veth peer name ${e.ifname} netns ${routerPid}`, "link set eth0 up", `addr add ${LL_FAR}/64 dev eth0 nodad`];
  for (const ip of e.v4) lines.push(`addr add ${ip}/32 dev eth0`);
  for (const ip of e.v6) lines.push(`addr add ${ip}/128 dev eth0 nodad`);
  // Routes are synced on every apply (eniRoutesScript); none for a family without an address.
  return heredoc("ip -batch -", lines);
}

/** The routes an ENI namespace should hold, per family: its subnet's routed destinations, when it has an address of that family. */
export function eniRoutes(e: EniPlan): { 4: string[]; 6: string[] } {
  return { 4: e.v4.length && e.subnet.gw4 ? e.subnet.routed4 : [], 6: e.v6.length ? e.subnet.routed6 : [] };
}

/**
 * The ENI namespace's routes: exactly the destinations its subnet routes (plan's `routed4` /
 * `routed6`), all via the VPC router. Anything else fails at once with ENETUNREACH inside the
 * namespace, as the model says; the router's ICMP "no route" answer can be lost while connect()
 * holds the socket lock (TcpExtLockDroppedIcmps), and the connection would time out instead.
 * New routes are replaced in first, then stale ones deleted, so a route present in both sets never
 * goes missing.
 */
export function eniRoutesScript(e: EniPlan, want: { 4: string[]; 6: string[] }, stale: { 4: string[]; 6: string[] }): string {
  const add = [...want[4].map((d) => `route replace ${d} via ${e.subnet.gw4} dev eth0 onlink src ${e.v4[0]}`), ...want[6].map((d) => `route replace ${d} via ${LL_NEAR} dev eth0 src ${e.v6[0]}`)];
  const del = [...stale[4], ...stale[6]].map((d) => `route del ${d} dev eth0`);
  // A stale route may already be gone (after a failed sync): its deletion is best effort.
  return heredoc("ip -batch -", add) + (del.length ? `ip -force -batch - <<'HL_EOF' || true\n${del.join("\n")}\nHL_EOF\n` : "");
}

/** A NAT gateway: its ENI address, masquerade (hairpin on its one interface), IPv4 only. */
export function natScript(n: NatPlan, routerPid: number): string {
  return (
    sysctl(["net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.default.send_redirects=0"]) +
    heredoc("ip -batch -", [`link add eth0 type veth peer name ${n.ifname} netns ${routerPid}`, "link set eth0 up", `addr add ${LL_FAR}/64 dev eth0 nodad`, `addr add ${n.ip}/32 dev eth0`, `route add 0.0.0.0/0 via ${n.subnet.gw4} dev eth0 onlink src ${n.ip}`]) +
    heredoc("nft -f -", [
      "table inet nat {",
      `  chain post { type nat hook postrouting priority srcnat; policy accept; oifname "eth0" ip saddr != ${n.ip} masquerade; }`,
      // Nothing connects to a NAT gateway itself; NAT64 is not modelled, so no IPv6 forwarding.
      "  chain input { type filter hook input priority filter; policy drop; ct state established,related accept; meta l4proto { icmp, ipv6-icmp } accept; }",
      "  chain forward { type filter hook forward priority filter; policy accept; meta nfproto ipv6 drop; }",
      "}",
    ])
  );
}

/**
 * A gateway endpoint: its service's addresses, reached over one veth from the router (the subnets'
 * prefix-list routes); replies go back the same way. Nothing is forwarded through it.
 */
export function gatewayScript(g: GatewayPlan, routerPid: number): string {
  const lines = [`link add eth0 type veth peer name ${g.ifname} netns ${routerPid}`, "link set eth0 up", `addr add ${LL_FAR}/64 dev eth0 nodad`];
  for (const ip of g.ips) lines.push(`addr add ${ip}/${ip.includes(":") ? 128 : 32} dev lo${ip.includes(":") ? " nodad" : ""}`);
  lines.push(`route add 0.0.0.0/0 via inet6 ${LL_NEAR} dev eth0`, `route add ::/0 via ${LL_NEAR} dev eth0`);
  return heredoc("ip -batch -", lines);
}

/** The router's side of a gateway endpoint's veth. */
export function routerGatewayLines(g: GatewayPlan): string[] {
  return [`link set ${g.ifname} up`, `addr add ${LL_NEAR}/64 dev ${g.ifname} nodad`];
}

/** The router's side of an edge: the IGW / EIGW veths the edge namespace created. */
export function routerEdgeLines(e: EdgePlan): string[] {
  return [e.igw, e.eigw].flatMap((i) => (i ? [`link set ${i} up`, `addr add ${LL_NEAR}/64 dev ${i} nodad`] : []));
}

/** Static part of an edge namespace: links and routes (rebuilt only when its shape changes). */
export function edgeScript(e: EdgePlan, routerPid: number, inetPid: number): string {
  const lines = [`link add wan type veth peer name ${e.uplink} netns ${inetPid}`, "link set wan up", `addr add ${LL_NEAR}/64 dev wan nodad`];
  for (const [mine, peer] of [[e.igw ? "rg" : undefined, e.igw], [e.eigw ? "rx" : undefined, e.eigw]]) {
    if (mine && peer) lines.push(`link add ${mine} type veth peer name ${peer} netns ${routerPid}`, `link set ${mine} up`, `addr add ${LL_FAR}/64 dev ${mine} nodad`);
  }
  // Inbound IPv4 only through the IGW (after the EIP map); IPv6 back through the IGW when there is one.
  if (e.igw) for (const c of e.cidrs4) lines.push(`route add ${c} via inet6 ${LL_NEAR} dev rg`);
  const v6dev = e.igw ? "rg" : "rx";
  for (const c of e.cidrs6) lines.push(`route add ${c} via ${LL_NEAR} dev ${v6dev}`);
  lines.push(`route add 0.0.0.0/0 via inet6 ${LL_FAR} dev wan`, `route add ::/0 via ${LL_FAR} dev wan`);
  return sysctl(["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]) + heredoc("ip -batch -", lines);
}

/**
 * Edge filtering, rebuilt each apply: IGW = 1:1 EIP map (no EIP, no way out: Lambda ENIs never have
 * one), never to private destinations; egress-only IGW = IPv6 out, replies in.
 */
export function edgeNft(e: EdgePlan, denied: "drop" | "reject"): string {
  const el = (xs: string[]) => (xs.length ? ` elements = { ${xs.join(", ")} };` : "");
  const fwd = ["ct state established,related accept"];
  if (e.igw) {
    fwd.push(`iifname "rg" oifname "wan" ip saddr @eip_src ip daddr != ${PRIVATE_V4} accept`);
    fwd.push(`iifname "rg" oifname "wan" meta nfproto ipv6 accept`);
    fwd.push(`iifname "wan" oifname "rg" ct status dnat accept`);
    fwd.push(`iifname "wan" oifname "rg" meta nfproto ipv6 accept`);
  }
  if (e.eigw) fwd.push(`iifname "rx" oifname "wan" meta nfproto ipv6 accept`);
  fwd.push(denied === "drop" ? "drop" : "reject");
  return [
    "table inet edge {}",
    "delete table inet edge",
    "table inet edge {",
    `  map eip_in { type ipv4_addr : ipv4_addr;${el(e.eips.map(([a, b]) => `${b} : ${a}`))} }`,
    `  map eip_out { type ipv4_addr : ipv4_addr;${el(e.eips.map(([a, b]) => `${a} : ${b}`))} }`,
    `  set eip_src { type ipv4_addr;${el(e.eips.map(([a]) => a))} }`,
    '  chain pre { type nat hook prerouting priority dstnat; policy accept; iifname "wan" dnat ip to ip daddr map @eip_in; }',
    '  chain post { type nat hook postrouting priority srcnat; policy accept; oifname "wan" snat ip to ip saddr map @eip_out; }',
    `  chain forward {\n    type filter hook forward priority filter; policy drop;\n${fwd.map((l) => `    ${l}`).join("\n")}\n  }`,
    "}",
    "",
  ].join("\n");
}

/** The internet side of an edge's uplink (created by the edge namespace). */
export function inetEdgeLines(e: EdgePlan): string[] {
  return [`link set ${e.uplink} up`, `addr replace ${LL_FAR}/64 dev ${e.uplink} nodad`];
}

/** "The internet" at creation: forwarding, a rule for its routing table, and the non-VPC client's link. */
export function inetInitScript(pubPid: number): string {
  return (
    sysctl(["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]) +
    heredoc("ip -batch -", [
      `link add p0 type veth peer name eth0 netns ${pubPid}`,
      "link set p0 up",
      `addr add ${LL_NEAR}/64 dev p0 nodad`,
      `rule add prio 100 lookup ${INET_TABLE}`,
      // No host at an unmapped public address: the packet is lost (a timeout, as the model's
      // "drop"), not answered with an ICMP "no route" (ENETUNREACH).
      "route add blackhole 0.0.0.0/0",
    ]) +
    heredoc("ip -6 -batch -", [`rule add prio 100 lookup ${INET_TABLE}`, "route add blackhole ::/0"])
  );
}

/** The internet's routes back to each VPC (EIPs, IPv6 blocks) and its mapped addresses. */
export function inetScript(edges: EdgePlan[], newEdges: EdgePlan[], addIps: string[], delIps: string[]): string {
  const r4 = [`route flush table ${INET_TABLE}`, `route add ${CLIENT_V4}/32 via inet6 ${LL_FAR} dev p0 table ${INET_TABLE}`];
  const r6 = [`route flush table ${INET_TABLE}`, `route add ${CLIENT_V6}/128 via ${LL_FAR} dev p0 table ${INET_TABLE}`];
  for (const e of edges) {
    for (const [, pub] of e.eips) r4.push(`route add ${pub}/32 via inet6 ${LL_NEAR} dev ${e.uplink} table ${INET_TABLE}`);
    for (const c of e.cidrs6) r6.push(`route add ${c} via ${LL_NEAR} dev ${e.uplink} table ${INET_TABLE}`);
  }
  const addrs = [...newEdges.flatMap(inetEdgeLines), ...delIps.map((ip) => `addr del ${ip}/${ip.includes(":") ? 128 : 32} dev lo`), ...addIps.map((ip) => `addr replace ${ip}/${ip.includes(":") ? 128 : 32} dev lo${ip.includes(":") ? " nodad" : ""}`)];
  return heredoc("ip -batch -", addrs) + heredoc("ip -4 -batch -", r4) + heredoc("ip -6 -batch -", r6);
}

/** A function outside any VPC: a public address, the internet as its only neighbour. */
export function publicClientScript(): string {
  return heredoc("ip -batch -", [
    "link set eth0 up",
    `addr add ${LL_FAR}/64 dev eth0 nodad`,
    `addr add ${CLIENT_V4}/32 dev eth0`,
    `addr add ${CLIENT_V6}/128 dev eth0 nodad`,
    `route add 0.0.0.0/0 via inet6 ${LL_NEAR} dev eth0 src ${CLIENT_V4}`,
    `route add ::/0 via ${LL_NEAR} dev eth0 src ${CLIENT_V6}`,
    // Private space is not routed on the internet: fail at once (ENETUNREACH), as the model says.
    ...["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"].map((c) => `route add throw ${c}`),
  ]);
}
