// Compile a snapshot once: resolve ids to objects, parse every CIDR and address, flatten SG and
// ACL rules, pre-build path hops. Unknown references never throw: a route to a missing gateway
// behaves as a blackhole, an ENI in a missing subnet cannot be a source, and so on.
import { AddrMap } from "./addr-map.ts";
import { cidrOffset, parseCidr, parseIp } from "../../net-addr/ip.ts";
import type { Cidr, IpAddr } from "../../net-addr/ip.ts";
import type { CEigw, CEni, CIgw, CNat, CPcx, CRouteTable, CSubnet, CTarget, CVpc, CVpce, CompiledSnapshot } from "./compiled-types.ts";
import { allowAllAcl, compileAcl } from "./network-acls.ts";
import type { Acl } from "./network-acls.ts";
import { compileRouteTable } from "./routing.ts";
import { compileSgRules } from "./security-groups.ts";
import type { SgSet } from "./security-groups.ts";
import type { CompileOptions, Hop, HopKind, NetSnapshot, RouteTarget } from "./types.ts";

const hop = (kind: HopKind, id: string, detail?: string): Hop => Object.freeze(detail === undefined ? { kind, id } : { kind, id, detail });

function cidrs(list: readonly string[] | undefined): Cidr[] {
  const out: Cidr[] = [];
  for (const s of list ?? []) {
    const c = parseCidr(s);
    if (c) out.push(c);
  }
  return out;
}

function addrs(list: readonly string[] | undefined, fam: 4 | 6): IpAddr[] {
  const out: IpAddr[] = [];
  for (const s of list ?? []) {
    const a = parseIp(s);
    if (a && a.fam === fam) out.push(a);
  }
  return out;
}

export function isCompiled(x: unknown): x is CompiledSnapshot {
  return typeof x === "object" && x !== null && (x as { kind?: unknown }).kind === "compiled-net-snapshot";
}

export function compileSnapshot(snapshot: NetSnapshot, options: CompileOptions = {}): CompiledSnapshot {
  const [ephemeralFrom, ephemeralTo] = options.ephemeralPorts ?? [1024, 65535];

  const vpcs = new Map<string, CVpc>();
  for (const v of snapshot.vpcs) {
    const v4 = cidrs(v.cidrBlocks);
    const dnsSupport = v.enableDnsSupport !== false;
    vpcs.set(v.vpcId, {
      id: v.vpcId,
      tenancy: v.instanceTenancy,
      v4,
      v6: cidrs(v.ipv6CidrBlocks),
      subnets: [],
      hosts: new AddrMap(),
      peers: new Set(),
      dns: dnsSupport && v4.length > 0 ? cidrOffset(v4[0], 2) : undefined,
      dnsSupport,
      dnsHostnames: v.enableDnsHostnames === true,
      endpointNames: new Map(),
    });
  }
  const vpces = new Map<string, CVpce>();
  for (const e of snapshot.vpcEndpoints ?? []) {
    vpces.set(e.id, {
      id: e.id,
      vpc: vpcs.get(e.vpcId),
      type: e.type,
      serviceName: e.serviceName,
      service: e.service,
      region: e.region,
      state: e.state,
      hop: hop("vpc-endpoint", e.id, `${e.type} ${e.serviceName} (${e.state})`),
      serviceHop: hop("internet", e.serviceName, "AWS service"),
    });
  }

  // Gateways first: route targets point at them.
  const igws = new Map<string, CIgw>();
  for (const g of snapshot.internetGateways) {
    const igw: CIgw = { id: g.id, vpcs: new Set(), hop: hop("internet-gateway", g.id) };
    for (const id of g.vpcIds) {
      const vpc = vpcs.get(id);
      if (vpc) {
        igw.vpcs.add(vpc);
        vpc.igw ??= igw;
      }
    }
    igws.set(g.id, igw);
  }
  const eigws = new Map<string, CEigw>();
  for (const g of snapshot.egressOnlyInternetGateways) eigws.set(g.id, { id: g.id, vpc: vpcs.get(g.vpcId), hop: hop("egress-only-internet-gateway", g.id) });
  const pcxs = new Map<string, CPcx>();
  for (const p of snapshot.peerings) {
    const requester = vpcs.get(p.requesterVpcId);
    const accepter = vpcs.get(p.accepterVpcId);
    const active = p.status === "active";
    pcxs.set(p.id, { id: p.id, requester, accepter, status: p.status, active, hop: hop("vpc-peering-connection", p.id, `${p.requesterVpcId} <-> ${p.accepterVpcId} (${p.status})`) });
    if (active && requester && accepter) {
      requester.peers.add(accepter);
      accepter.peers.add(requester);
    }
  }

  // Route tables and ACLs, with their subnet associations.
  const tableOf = new Map<string, CRouteTable>();
  const mainOf = new Map<string, CRouteTable>();
  const enisById = new Map<string, CEni>();
  const natsById = new Map<string, CNat>();
  const resolve = (t: RouteTarget): CTarget => {
    switch (t.kind) {
      case "local":
        return { kind: "local" };
      case "igw":
        return { kind: "igw", id: t.id, igw: igws.get(t.id) };
      case "eigw":
        return { kind: "eigw", id: t.id, eigw: eigws.get(t.id) };
      case "pcx":
        return { kind: "pcx", id: t.id, pcx: pcxs.get(t.id) };
      case "vpce":
        return { kind: "vpce", id: t.id, vpce: vpces.get(t.id) };
      // NATs and ENIs are compiled after the tables; these objects are filled in below.
      case "nat":
        return { kind: "nat", id: t.id };
      case "eni":
        return { kind: "eni", id: t.id };
      default:
        return { kind: "blackhole", id: t.id };
    }
  };
  const prefixLists = new Map<string, string[]>();
  for (const pl of snapshot.prefixLists ?? []) prefixLists.set(pl.prefixListId, pl.cidrs);
  const lateTargets: CTarget[] = [];
  for (const rt of snapshot.routeTables) {
    const vpc = vpcs.get(rt.vpcId);
    const table = compileRouteTable(rt.routeTableId, rt.routes, vpc ? [...vpc.v4, ...vpc.v6] : [], (t) => {
      const c = resolve(t);
      if (c.kind === "nat" || c.kind === "eni") lateTargets.push(c);
      return c;
    }, prefixLists);
    for (const s of rt.subnetIds) tableOf.set(s, table);
    if (rt.main && !mainOf.has(rt.vpcId)) mainOf.set(rt.vpcId, table);
  }
  const aclOf = new Map<string, Acl>();
  const defaultAclOf = new Map<string, Acl>();
  for (const a of snapshot.networkAcls) {
    const acl = compileAcl(a);
    for (const s of a.subnetIds) aclOf.set(s, acl);
    if (a.isDefault && !defaultAclOf.has(a.vpcId)) defaultAclOf.set(a.vpcId, acl);
  }

  const subnets = new Map<string, CSubnet>();
  for (const s of snapshot.subnets) {
    const vpc = vpcs.get(s.vpcId);
    if (!vpc) continue;
    const v4 = s.cidrBlock ? parseCidr(s.cidrBlock) : undefined;
    const v6 = cidrs(s.ipv6CidrBlocks);
    // A subnet with neither association nor main table still has its VPC's local routes.
    const routeTable = tableOf.get(s.subnetId) ?? mainOf.get(s.vpcId) ?? compileRouteTable(`(main route table of ${s.vpcId})`, [], [...vpc.v4, ...vpc.v6], resolve);
    const acl = aclOf.get(s.subnetId) ?? defaultAclOf.get(s.vpcId) ?? allowAllAcl(`(default network ACL of ${s.vpcId})`);
    const subnet: CSubnet = {
      id: s.subnetId,
      vpc,
      v4: s.ipv6Native ? undefined : v4,
      v6,
      ipv6Native: s.ipv6Native === true,
      dualStack: !s.ipv6Native && v4 !== undefined && v6.length > 0,
      routeTable,
      acl,
      hop: hop("subnet", s.subnetId),
    };
    vpc.subnets.push(subnet);
    subnets.set(s.subnetId, subnet);
  }

  // Security groups: one compiled rule set per distinct group combination (Hyperplane ENIs share them).
  const groupIndex = new Map<string, number>();
  snapshot.securityGroups.forEach((g, i) => groupIndex.set(g.groupId, i));
  const sgSets = new Map<string, SgSet>();
  const sgSetFor = (groupIds: string[]): SgSet => {
    const key = [...groupIds].sort().join(",");
    let set = sgSets.get(key);
    if (!set) {
      const groups = groupIds.flatMap((id) => {
        const i = groupIndex.get(id);
        return i === undefined ? [] : [snapshot.securityGroups[i]];
      });
      set = { groupIds, ingress: compileSgRules(groups, groupIndex, prefixLists, "ingress"), egress: compileSgRules(groups, groupIndex, prefixLists, "egress") };
      sgSets.set(key, set);
    }
    return set;
  };

  const publicV4 = new Map<number, CEni>();
  const hostsV6 = new AddrMap<CEni>();
  for (const n of snapshot.networkInterfaces) {
    const subnet = subnets.get(n.subnetId);
    if (!subnet) continue;
    const interfaceType = n.interfaceType ?? "interface";
    const isLambda = interfaceType === "lambda";
    const pub = n.publicIp ? parseIp(n.publicIp) : undefined;
    const eni: CEni = {
      id: n.networkInterfaceId,
      vpc: subnet.vpc,
      subnet,
      groupIds: n.groupIds,
      groups: new Set(n.groupIds.flatMap((id) => (groupIndex.has(id) ? [groupIndex.get(id)!] : []))),
      sg: sgSetFor(n.groupIds),
      v4: addrs(n.privateIps, 4),
      v6: addrs(n.ipv6Addresses, 6),
      // Lambda's Hyperplane ENIs never carry a public IP, whatever the snapshot says.
      publicV4: !isLambda && pub?.fam === 4 ? pub : undefined,
      interfaceType,
      isLambda,
      sourceDestCheck: n.sourceDestCheck !== false,
      hop: hop("network-interface", n.networkInterfaceId, isLambda ? "lambda" : interfaceType),
    };
    enisById.set(eni.id, eni);
    for (const a of eni.v4) subnet.vpc.hosts.set(a, eni);
    for (const a of eni.v6) {
      subnet.vpc.hosts.set(a, eni);
      hostsV6.set(a, eni);
    }
    if (eni.publicV4) publicV4.set(eni.publicV4.w0, eni);
  }

  const natPublic = new Map<number, CNat>();
  for (const g of snapshot.natGateways) {
    const eni = g.networkInterfaceId ? enisById.get(g.networkInterfaceId) : undefined;
    const privateAddr = (g.privateIp ? parseIp(g.privateIp) : undefined) ?? eni?.v4[0];
    const publicAddr = g.publicIp ? parseIp(g.publicIp) : undefined;
    const subnet = subnets.get(g.subnetId);
    const nat: CNat = {
      id: g.id,
      vpc: vpcs.get(g.vpcId) ?? subnet?.vpc,
      subnet,
      isPublic: g.connectivityType !== "private",
      state: g.state,
      privateAddr: privateAddr?.fam === 4 ? privateAddr : undefined,
      publicAddr: g.connectivityType !== "private" && publicAddr?.fam === 4 ? publicAddr : undefined,
      eni,
      hop: hop("nat-gateway", g.id, `${g.connectivityType} (${g.state})`),
    };
    natsById.set(g.id, nat);
    if (nat.publicAddr) natPublic.set(nat.publicAddr.w0, nat);
  }
  // Interface endpoints: their interfaces answer for the endpoint, and their names resolve in the VPC.
  for (const e of snapshot.vpcEndpoints ?? []) {
    const vpce = vpces.get(e.id)!;
    const addresses: string[] = [];
    for (const id of e.networkInterfaceIds) {
      const eni = enisById.get(id);
      if (!eni) continue;
      eni.vpce = vpce;
      for (const a of eni.v4) addresses.push(a.text);
    }
    const vpc = vpce.vpc;
    if (!vpc || addresses.length === 0) continue;
    const names = [...(e.dnsNames ?? []), ...(vpc.dnsHostnames ? (e.privateDnsNames ?? []) : [])];
    for (const n of names) vpc.endpointNames.set(n.toLowerCase(), addresses);
  }
  for (const t of lateTargets) {
    if (t.kind === "nat") t.nat = natsById.get(t.id);
    else if (t.kind === "eni") t.eni = enisById.get(t.id);
  }

  return { kind: "compiled-net-snapshot", snapshot, vpcs, enis: enisById, publicV4, hostsV6, natPublic, vpces, ephemeralFrom, ephemeralTo };
}
