// NetSnapshot → the kernel topology to build (pure): which namespaces exist, their addresses, the
// router's packet marks, routing tables and interface names. Rendering to ip/nft text lives in
// render-*.ts; applying it lives in kernel-network.ts.
import { formatIpv4, ipv6, parseCidr, parseIp } from "../../net-addr/ip.ts";
import { classify } from "../../net-addr/classify.ts";
import type { NetSnapshot } from "../model/types.ts";
import type { KernelEndpoint, KernelInternet } from "./types.ts";

/** Stable small integers per key, so interface names and marks survive re-applies. */
export class Slots {
  private readonly map = new Map<string, number>();
  private next = 1;
  get(key: string): number {
    let v = this.map.get(key);
    if (v === undefined) this.map.set(key, (v = this.next++));
    return v;
  }
}

export interface Listener {
  ip: string;
  port: number;
  target: string;
  protocol: "tcp" | "udp";
}

export interface SubnetPlan {
  id: string;
  vpcIdx: number;
  /** Packet mark of traffic entering the router from this subnet: (vpc << 16) | subnet. */
  mark: number;
  /** The VPC router's address in this subnet (base + 1): the ENIs' IPv4 next hop. */
  gw4?: string;
  /** The routing table holding this subnet's route table (undefined: local routes only). */
  table?: number;
  acl?: NetSnapshot["networkAcls"][number];
  /** Router-side interfaces in this subnet (ENIs and NAT gateways). */
  ifnames: string[];
  /**
   * Destinations the router routes for this subnet, per family (the VPC's blocks, then every
   * destination of its route table, whatever its target): anything else the router fails with
   * "no route", so the ENI namespaces route only these and fail the rest locally (ENETUNREACH).
   */
  routed4: string[];
  routed6: string[];
}

export interface EniPlan {
  key: string;
  id: string;
  ifname: string;
  subnet: SubnetPlan;
  vpcIdx: number;
  v4: string[];
  v6: string[];
  lambda: boolean;
  groupIds: string[];
  listeners: Listener[];
  /** What the namespace itself is built from: a change means rebuild it. */
  sig: string;
}

export interface NatPlan {
  key: string;
  id: string;
  ifname: string;
  subnet: SubnetPlan;
  vpcIdx: number;
  ip: string;
  sig: string;
}

/** A gateway endpoint: a namespace holding its service's addresses, behind the router. */
export interface GatewayPlan {
  key: string;
  id: string;
  vpcIdx: number;
  /** Router-side interface name. */
  ifname: string;
  ips: string[];
  listeners: Listener[];
  sig: string;
}

export interface EdgePlan {
  key: string;
  vpcId: string;
  vpcIdx: number;
  /** Router-side interface names towards the internet gateway / egress-only gateway. */
  igw?: string;
  eigw?: string;
  /** Internet-namespace-side interface name. */
  uplink: string;
  cidrs4: string[];
  cidrs6: string[];
  /** Private → public (NAT gateways' Elastic IPs, ENIs' public IPs). */
  eips: [string, string][];
  sig: string;
}

export interface TablePlan {
  table: number;
  routes4: string[];
  routes6: string[];
}

export interface VpcPlan {
  id: string;
  idx: number;
  cidrs4: string[];
  cidrs6: string[];
}

export interface Plan {
  vpcs: VpcPlan[];
  subnets: SubnetPlan[];
  enis: EniPlan[];
  nats: NatPlan[];
  edges: EdgePlan[];
  gateways: GatewayPlan[];
  tables: TablePlan[];
  /** Public addresses held by the internet namespace, with their listeners. */
  internetIps: string[];
  internetListeners: Listener[];
  warnings: string[];
}

export interface PlanInput {
  snapshot: NetSnapshot;
  endpoints: KernelEndpoint[];
  internet: KernelInternet[];
  lambdaEnis: { networkInterfaceId: string; ipv6Allowed: boolean }[];
  /** "blackhole" (AWS: silent drop) or "unreachable" (fast fail). */
  deadRoute: "blackhole" | "unreachable";
}

export interface PlanSlots {
  vpc: Slots;
  subnet: Slots;
  iface: Slots;
  rtb: Slots;
}

export const DIRECT_TABLE = 10;
export const vpcTable = (vpcIdx: number): number => 1000 + vpcIdx;
const RTB_TABLE_BASE = 2000;

/** Link-local next hops on every veth: the router (or the side nearer the VPC) holds ::1. */
export const LL_NEAR = "fe80::1";
export const LL_FAR = "fe80::2";

const norm = (cidr: string): string | undefined => {
  const c = parseCidr(cidr);
  if (!c) return undefined;
  const net = c.fam === 4 ? formatIpv4(c.w0) : ipv6(c.w0, c.w1, c.w2, c.w3).text;
  return `${net}/${c.prefix}`;
};
const fam = (addr: string): 4 | 6 => (addr.includes(":") ? 6 : 4);
const canon = (ip: string): string | undefined => {
  const a = parseIp(ip);
  return a ? (a.fam === 4 ? a.text : ipv6(a.w0, a.w1, a.w2, a.w3).text) : undefined;
};

export function plan(input: PlanInput, slots: PlanSlots): Plan {
  const s = input.snapshot;
  const warnings: string[] = [];
  const dead = input.deadRoute;

  const vpcs: VpcPlan[] = s.vpcs.map((v) => ({
    id: v.vpcId,
    idx: slots.vpc.get(v.vpcId),
    cidrs4: v.cidrBlocks.flatMap((c) => norm(c) ?? []),
    cidrs6: v.ipv6CidrBlocks.flatMap((c) => norm(c) ?? []),
  }));
  const vpcById = new Map(vpcs.map((v) => [v.id, v]));

  const prefixLists = new Map((s.prefixLists ?? []).map((l) => [l.prefixListId, l.cidrs.flatMap((c) => norm(c) ?? [])]));
  // A route to a prefix list (a gateway endpoint's) stands for one route per CIDR of the list, as in the model.
  const dests = (destination: string): string[] => (destination.startsWith("pl-") ? (prefixLists.get(destination) ?? []) : [norm(destination) ?? []].flat());

  const rtbOf = new Map<string, NetSnapshot["routeTables"][number]>();
  for (const t of s.routeTables) for (const id of t.subnetIds) rtbOf.set(id, t);
  const mainRtb = new Map(s.routeTables.filter((t) => t.main).map((t) => [t.vpcId, t]));
  const aclOf = new Map<string, NetSnapshot["networkAcls"][number]>();
  for (const a of s.networkAcls) for (const id of a.subnetIds) aclOf.set(id, a);
  const defaultAcl = new Map(s.networkAcls.filter((a) => a.isDefault).map((a) => [a.vpcId, a]));

  const subnets: SubnetPlan[] = [];
  const subnetById = new Map<string, SubnetPlan>();
  const usedRtbs = new Map<string, number>();
  for (const sub of s.subnets) {
    const vpc = vpcById.get(sub.vpcId);
    if (!vpc) continue;
    const c4 = sub.cidrBlock ? parseCidr(sub.cidrBlock) : undefined;
    const rtb = rtbOf.get(sub.subnetId) ?? mainRtb.get(sub.vpcId);
    let table: number | undefined;
    if (rtb) {
      table = RTB_TABLE_BASE + slots.rtb.get(rtb.routeTableId);
      usedRtbs.set(rtb.routeTableId, table);
    }
    const sp: SubnetPlan = {
      id: sub.subnetId,
      vpcIdx: vpc.idx,
      mark: (vpc.idx << 16) | slots.subnet.get(sub.subnetId),
      gw4: c4?.fam === 4 ? formatIpv4(c4.w0 + 1) : undefined,
      table,
      acl: aclOf.get(sub.subnetId) ?? defaultAcl.get(sub.vpcId),
      ifnames: [],
      routed4: [],
      routed6: [],
    };
    const rtbDests = rtb && vpcById.has(rtb.vpcId) ? rtb.routes.flatMap((r) => (r.target.kind === "local" ? [] : dests(r.destination))) : [];
    sp.routed4 = [...new Set([...vpc.cidrs4, ...rtbDests.filter((d) => fam(d) === 4)])];
    sp.routed6 = [...new Set([...vpc.cidrs6, ...rtbDests.filter((d) => fam(d) === 6)])];
    subnets.push(sp);
    subnetById.set(sp.id, sp);
  }

  // Namespaces for ENIs: Lambda's Hyperplane ENIs and ENIs hosting a local endpoint.
  const lambdaIpv6 = new Map(input.lambdaEnis.map((l) => [l.networkInterfaceId, l.ipv6Allowed]));
  const natEniIds = new Set(s.natGateways.flatMap((n) => (n.networkInterfaceId ? [n.networkInterfaceId] : [])));
  const eniByIp = new Map<string, string>();
  for (const n of s.networkInterfaces) for (const ip of [...n.privateIps, ...n.ipv6Addresses]) {
    const c = canon(ip);
    if (c) eniByIp.set(c, n.networkInterfaceId);
  }
  const listenersOf = new Map<string, Listener[]>();
  const gatewayListeners = new Map<string, Listener[]>();
  for (const e of input.endpoints) {
    const ip = canon(e.ip);
    if (e.gatewayEndpointId !== undefined) {
      if (!ip) continue;
      const l = gatewayListeners.get(e.gatewayEndpointId) ?? [];
      l.push({ ip, port: e.port, target: e.target, protocol: e.protocol ?? "tcp" });
      gatewayListeners.set(e.gatewayEndpointId, l);
      continue;
    }
    const id = ip ? eniByIp.get(ip) : undefined;
    if (!ip || !id || natEniIds.has(id)) {
      warnings.push(`endpoint ${e.ip}:${e.port} is not the address of a network interface in the snapshot; not placed`);
      continue;
    }
    const l = listenersOf.get(id) ?? [];
    l.push({ ip, port: e.port, target: e.target, protocol: e.protocol ?? "tcp" });
    listenersOf.set(id, l);
  }
  const snapSubnet = new Map(s.subnets.map((x) => [x.subnetId, x]));
  const enis: EniPlan[] = [];
  for (const n of s.networkInterfaces) {
    const isLambda = (n.interfaceType ?? "interface") === "lambda";
    const wanted = lambdaIpv6.has(n.networkInterfaceId) || listenersOf.has(n.networkInterfaceId);
    if (!wanted || natEniIds.has(n.networkInterfaceId)) continue;
    const subnet = subnetById.get(n.subnetId);
    if (!subnet) continue;
    const v4 = subnet.gw4 ? n.privateIps.flatMap((ip) => canon(ip) ?? []).filter((ip) => fam(ip) === 4) : [];
    let v6 = n.ipv6Addresses.flatMap((ip) => canon(ip) ?? []);
    if (isLambda) {
      // Ipv6AllowedForDualStack: only then, and only in a dual-stack subnet, does the ENI get IPv6.
      const sub = snapSubnet.get(n.subnetId)!;
      const dual = !sub.ipv6Native && !!sub.cidrBlock && sub.ipv6CidrBlocks.length > 0;
      if (!(lambdaIpv6.get(n.networkInterfaceId) && dual)) v6 = [];
      else if (v6.length === 0) {
        // The model's stand-in: the subnet's first IPv6 block, interface id = the IPv4 address.
        const c = parseCidr(sub.ipv6CidrBlocks[0]);
        const a4 = parseIp(v4[0] ?? "0.0.0.16");
        if (c && a4) v6 = [ipv6(c.w0, c.w1, c.w2, c.w3 | (a4.w0 & ~c.m3)).text];
      }
    }
    const ifname = `e${slots.iface.get(`eni:${n.networkInterfaceId}`)}`;
    subnet.ifnames.push(ifname);
    enis.push({
      key: `eni:${n.networkInterfaceId}`,
      id: n.networkInterfaceId,
      ifname,
      subnet,
      vpcIdx: subnet.vpcIdx,
      v4,
      v6,
      lambda: isLambda,
      groupIds: n.groupIds,
      listeners: listenersOf.get(n.networkInterfaceId) ?? [],
      sig: JSON.stringify([ifname, subnet.gw4, v4, v6]),
    });
  }

  // NAT gateways: a namespace each (their ENI), masquerading onto their own address.
  const nats: NatPlan[] = [];
  for (const g of s.natGateways) {
    if (g.state !== "available") continue;
    const subnet = subnetById.get(g.subnetId);
    const ipText = g.privateIp ?? s.networkInterfaces.find((n) => n.networkInterfaceId === g.networkInterfaceId)?.privateIps[0];
    const ip = ipText ? canon(ipText) : undefined;
    if (!subnet || !ip || fam(ip) !== 4 || !subnet.gw4) {
      warnings.push(`NAT gateway ${g.id} has no usable private IPv4 address in its subnet; not built`);
      continue;
    }
    const ifname = `n${slots.iface.get(`nat:${g.id}`)}`;
    subnet.ifnames.push(ifname);
    nats.push({ key: `nat:${g.id}`, id: g.id, ifname, subnet, vpcIdx: subnet.vpcIdx, ip, sig: JSON.stringify([ifname, subnet.gw4, ip]) });
  }
  const natById = new Map(nats.map((n) => [n.id, n]));

  // Edges: one namespace per VPC holding its internet gateway (1:1 EIP NAT) and egress-only gateway.
  const edges: EdgePlan[] = [];
  const edgeOf = new Map<string, EdgePlan>();
  for (const v of vpcs) {
    const igw = s.internetGateways.find((g) => g.vpcIds.includes(v.id));
    const eigw = s.egressOnlyInternetGateways.find((g) => g.vpcId === v.id);
    if (!igw && !eigw) continue;
    const eips: [string, string][] = [];
    if (igw) {
      for (const g of s.natGateways) {
        const nat = natById.get(g.id);
        const pub = g.publicIp ? canon(g.publicIp) : undefined;
        if (nat && nat.vpcIdx === v.idx && g.connectivityType === "public" && pub && fam(pub) === 4) eips.push([nat.ip, pub]);
      }
      for (const n of s.networkInterfaces) {
        const pub = n.publicIp ? canon(n.publicIp) : undefined;
        const priv = n.privateIps[0] ? canon(n.privateIps[0]) : undefined;
        // Hyperplane ENIs never hold a public address, whatever the snapshot says.
        if (n.vpcId === v.id && n.interfaceType !== "lambda" && !natEniIds.has(n.networkInterfaceId) && pub && priv && fam(pub) === 4) eips.push([priv, pub]);
      }
    }
    const e: EdgePlan = {
      key: `edge:${v.id}`,
      vpcId: v.id,
      vpcIdx: v.idx,
      igw: igw ? `g${v.idx}` : undefined,
      eigw: eigw ? `x${v.idx}` : undefined,
      uplink: `v${v.idx}`,
      cidrs4: v.cidrs4,
      cidrs6: v.cidrs6,
      eips,
      sig: "",
    };
    e.sig = JSON.stringify([e.igw, e.eigw, e.cidrs4, e.cidrs6]);
    edges.push(e);
    edgeOf.set(v.id, e);
  }

  // Gateway endpoints with something to deliver to: a namespace each, reached by their prefix-list routes.
  const gateways: GatewayPlan[] = [];
  for (const g of s.vpcEndpoints ?? []) {
    const vpc = vpcById.get(g.vpcId);
    const listeners = gatewayListeners.get(g.id);
    if (g.type !== "Gateway" || g.state !== "available" || !vpc || !listeners) continue;
    const ifname = `w${slots.iface.get(`gwe:${g.id}`)}`;
    const ips = [...new Set(listeners.map((l) => l.ip))].sort();
    gateways.push({ key: `gwe:${g.id}`, id: g.id, vpcIdx: vpc.idx, ifname, ips, listeners, sig: JSON.stringify([ifname, ips]) });
  }
  const gatewayById = new Map(gateways.map((g) => [g.id, g]));

  // Routing tables: one per VPC (its hosts), one per route table in use, one for the router itself.
  const hostRoutes = (x: { ifname: string; v4: string[]; v6: string[] }): string[] => [...x.v4.map((ip) => `${ip}/32 dev ${x.ifname}`), ...x.v6.map((ip) => `${ip}/128 dev ${x.ifname}`)];
  const hostsOf = new Map<number, string[]>();
  for (const x of [...enis, ...nats.map((n) => ({ ...n, v4: [n.ip], v6: [] as string[] }))]) {
    const list = hostsOf.get(x.vpcIdx) ?? [];
    list.push(...hostRoutes(x));
    hostsOf.set(x.vpcIdx, list);
  }
  const tables: TablePlan[] = [];
  const split = (routes: string[]): TablePlan => ({ table: 0, routes4: routes.filter((r) => !r.split(" ").slice(0, 2).join(" ").includes(":")), routes6: routes.filter((r) => r.split(" ").slice(0, 2).join(" ").includes(":")) });
  const direct = split([...hostsOf.values()].flat());
  tables.push({ ...direct, table: DIRECT_TABLE });
  for (const v of vpcs) {
    // Addresses of the VPC without a namespace: nothing answers (AWS: a silent drop).
    const t = split([...(hostsOf.get(v.idx) ?? []), ...v.cidrs4.map((c) => `${dead} ${c}`), ...v.cidrs6.map((c) => `${dead} ${c}`)]);
    tables.push({ ...t, table: vpcTable(v.idx) });
  }
  for (const rt of s.routeTables) {
    const table = usedRtbs.get(rt.routeTableId);
    const vpc = vpcById.get(rt.vpcId);
    if (table === undefined || !vpc) continue;
    const routes: string[] = [];
    const defaults = new Set<number>();
    const seen = new Set<string>();
    for (const r of rt.routes) for (const dest of r.target.kind === "local" ? [] : dests(r.destination)) {
      // A prefix list's CIDR may also be a route of its own: the first one wins, as in the model.
      if (seen.has(dest)) continue;
      seen.add(dest);
      const f = fam(dest);
      if (dest.endsWith("/0")) defaults.add(f);
      const t = r.target;
      const edge = edgeOf.get(rt.vpcId);
      if (t.kind === "igw" && edge?.igw && s.internetGateways.find((g) => g.id === t.id)?.vpcIds.includes(rt.vpcId)) {
        routes.push(f === 4 ? `${dest} via inet6 ${LL_FAR} dev ${edge.igw}` : `${dest} via ${LL_FAR} dev ${edge.igw}`);
      } else if (t.kind === "eigw" && f === 6 && edge?.eigw && s.egressOnlyInternetGateways.find((g) => g.id === t.id)?.vpcId === rt.vpcId) {
        routes.push(`${dest} via ${LL_FAR} dev ${edge.eigw}`);
      } else if (t.kind === "nat" && f === 4 && natById.get(t.id)?.vpcIdx === vpc.idx) {
        const nat = natById.get(t.id)!;
        routes.push(`${dest} via ${nat.ip} dev ${nat.ifname} onlink`);
      } else if (t.kind === "vpce" && gatewayById.get(t.id)?.vpcIdx === vpc.idx) {
        const g = gatewayById.get(t.id)!;
        routes.push(f === 4 ? `${dest} via inet6 ${LL_FAR} dev ${g.ifname}` : `${dest} via ${LL_FAR} dev ${g.ifname}`);
      } else if (t.kind === "pcx") {
        // Peering: only the peer VPC's own hosts inside the destination (non-transitive by construction).
        const p = s.peerings.find((x) => x.id === t.id && x.status === "active" && (x.requesterVpcId === rt.vpcId || x.accepterVpcId === rt.vpcId));
        const peer = p ? vpcById.get(p.requesterVpcId === rt.vpcId ? p.accepterVpcId : p.requesterVpcId) : undefined;
        const c = parseCidr(dest)!;
        if (peer) {
          for (const h of hostsOf.get(peer.idx) ?? []) {
            const a = parseIp(h.split("/")[0]);
            if (a && a.fam === c.fam && (a.w0 & c.m0) === c.w0 && (a.w1 & c.m1) === c.w1 && (a.w2 & c.m2) === c.w2 && (a.w3 & c.m3) === c.w3) routes.push(h);
          }
        }
        routes.push(`${dead} ${dest}`);
      } else {
        if (t.kind === "eni") warnings.push(`route ${dest} -> ${t.id} in ${rt.routeTableId}: appliance routes are not emulated in kernel mode; dropped`);
        routes.push(`${dead} ${dest}`);
      }
    }
    // No route for a family: fall through to the final `unreachable` rule (ENETUNREACH), like the model.
    void defaults;
    tables.push({ ...split(routes), table });
  }

  const internetIps: string[] = [];
  const internetListeners: Listener[] = [];
  for (const m of input.internet) {
    const ip = canon(m.ip);
    if (!ip || classify(parseIp(ip)!) !== 0 /* Public */) {
      warnings.push(`internet mapping ${m.ip}:${m.port} is not a public address; not placed`);
      continue;
    }
    if (!internetIps.includes(ip)) internetIps.push(ip);
    internetListeners.push({ ip, port: m.port, target: m.target, protocol: m.protocol ?? "tcp" });
  }

  return { vpcs, subnets, enis, nats, edges, gateways, tables, internetIps, internetListeners, warnings };
}
