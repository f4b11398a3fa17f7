// EC2's state of one account and region, as the reachability model's input. Plain conversion:
// every VPC resource that decides where a packet goes (VPCs, subnets, route tables with their
// associations, network ACLs, security groups, interfaces, gateways, peering connections), plus the
// synthetic interfaces hyperlocal places for endpoints given by address alone.
import { cidrContains, formatIpv4, formatIpv6, parseCidr, parseIp } from "../../net-addr/ip.ts";
import type { NetSnapshot, RouteTarget, SgRule } from "../model/index.ts";
// EC2's state through its read-only view: nothing here can change it.
import { awsPrefixListsOf, endpointDnsNames, valuesOf, type Ec2View, type RouteView as RouteRec, type SgRuleView as Ec2SgRule } from "../../services/ec2/index.ts";

/** An address an endpoint was placed at without naming an interface (POST /_hyperlocal/endpoints {"ip": ...}). */
export interface PlacedAddress {
  ip: string;
  /** Pick the subnet in this VPC when several VPCs hold the address (overlapping CIDRs). */
  vpcId?: string;
}

export interface SnapshotExtras {
  /**
   * Addresses that need a host. An address no interface holds gets a synthetic interface in the
   * subnet that contains it, with a synthetic security group that allows all inbound and outbound
   * traffic (give the endpoint a networkInterfaceId to have real groups apply).
   */
  endpoints?: PlacedAddress[];
}

/** Where an address ended up: a real interface, a synthetic one, or nowhere (no subnet contains it). */
export interface Placement {
  ip: string;
  networkInterfaceId?: string;
  subnetId?: string;
  vpcId?: string;
  synthetic: boolean;
  problem?: string;
}

export interface Ec2Snapshot {
  snapshot: NetSnapshot;
  /** Placement of each `extras.endpoints` address (by normalized address and VPC). */
  placements: Map<string, Placement>;
}

const SYNTHETIC_ENI_PREFIX = "eni-hyperlocal-";
const SYNTHETIC_SG_PREFIX = "sg-hyperlocal-allow-all-";

/** "10.0.1.25" → "eni-hyperlocal-10-0-1-25"; IPv6 colons become dashes too. */
export function syntheticInterfaceId(ip: string): string {
  return SYNTHETIC_ENI_PREFIX + normalizeIp(ip).replace(/[.:]/g, "-");
}

export function isSyntheticInterface(id: string): boolean {
  return id.startsWith(SYNTHETIC_ENI_PREFIX);
}

/** One canonical text per address (RFC 5952 for IPv6; IPv4-mapped IPv6 becomes IPv4); the input when it is not an address. */
export function normalizeIp(ip: string): string {
  const a = parseIp(ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip);
  if (!a) return ip;
  return a.fam === 4 ? formatIpv4(a.w0) : formatIpv6(a.w0, a.w1, a.w2, a.w3);
}

export function placementKey(ip: string, vpcId?: string): string {
  return `${normalizeIp(ip)}|${vpcId ?? ""}`;
}

function routeDestination(r: RouteRec): string | undefined {
  // A prefix-list destination (a gateway endpoint's route) expands to the list's CIDRs in the model.
  return r.destinationCidrBlock ?? r.destinationIpv6CidrBlock ?? r.destinationPrefixListId;
}

/** A route's target as the model sees it; a target that no longer exists is a blackhole, as EC2 shows it. */
function routeTarget(s: Ec2View, r: RouteRec): RouteTarget {
  if (r.gatewayId === "local") return { kind: "local" };
  if (r.gatewayId?.startsWith("vpce-")) return s.vpcEndpoints?.[r.gatewayId] ? { kind: "vpce", id: r.gatewayId } : { kind: "blackhole", id: r.gatewayId };
  // Gateways and peerings that still exist go to the model, which checks attachment and state and
  // explains them (BAD_STATE_ATTACHMENT, BAD_STATE); only a vanished target becomes a blackhole.
  if (r.gatewayId) return s.internetGateways[r.gatewayId] ? { kind: "igw", id: r.gatewayId } : { kind: "blackhole", id: r.gatewayId };
  if (r.natGatewayId) return s.natGateways[r.natGatewayId] ? { kind: "nat", id: r.natGatewayId } : { kind: "blackhole", id: r.natGatewayId };
  if (r.egressOnlyInternetGatewayId) {
    return s.egressOnlyInternetGateways[r.egressOnlyInternetGatewayId] ? { kind: "eigw", id: r.egressOnlyInternetGatewayId } : { kind: "blackhole", id: r.egressOnlyInternetGatewayId };
  }
  if (r.vpcPeeringConnectionId) return s.peerings[r.vpcPeeringConnectionId] ? { kind: "pcx", id: r.vpcPeeringConnectionId } : { kind: "blackhole", id: r.vpcPeeringConnectionId };
  if (r.networkInterfaceId) return s.networkInterfaces[r.networkInterfaceId] ? { kind: "eni", id: r.networkInterfaceId } : { kind: "blackhole", id: r.networkInterfaceId };
  return { kind: "blackhole" };
}

/** EC2 keeps one peer per rule (a CIDR, a prefix list or a group); the model takes lists. */
function sgRule(r: Ec2SgRule): SgRule {
  const out: SgRule = { protocol: r.protocol, cidrs: [], groupIds: [] };
  if (r.fromPort !== undefined) out.fromPort = r.fromPort;
  if (r.toPort !== undefined) out.toPort = r.toPort;
  if (r.cidrIpv4) out.cidrs.push(r.cidrIpv4);
  if (r.cidrIpv6) out.cidrs.push(r.cidrIpv6);
  if (r.refGroupId) out.groupIds.push(r.refGroupId);
  if (r.prefixListId) out.prefixListIds = [r.prefixListId];
  return out;
}

export function snapshotFromEc2(s: Ec2View, extras: SnapshotExtras = {}): NetSnapshot {
  return convert(s, extras).snapshot;
}

/** The snapshot and where each extra address was placed. */
export function convert(s: Ec2View, extras: SnapshotExtras = {}): Ec2Snapshot {
  const vpcs = Object.values(s.vpcs);
  const subnets = Object.values(s.subnets);
  const snapshot: NetSnapshot = {
    vpcs: vpcs.map((v) => ({
      vpcId: v.id,
      cidrBlocks: v.cidrs.map((c) => c.cidr),
      ipv6CidrBlocks: v.ipv6.map((c) => c.cidr),
      instanceTenancy: v.instanceTenancy,
      enableDnsSupport: v.enableDnsSupport,
      ...(v.enableDnsHostnames !== undefined ? { enableDnsHostnames: v.enableDnsHostnames } : {}),
    })),
    subnets: subnets.map((x) => ({
      subnetId: x.id,
      vpcId: x.vpcId,
      ...(x.cidr ? { cidrBlock: x.cidr } : {}),
      ipv6CidrBlocks: x.ipv6.map((c) => c.cidr),
      ipv6Native: x.ipv6Native,
    })),
    routeTables: Object.values(s.routeTables).map((rt) => {
      const routes: NetSnapshot["routeTables"][number]["routes"] = [];
      for (const r of rt.routes) {
        const destination = routeDestination(r);
        if (destination) routes.push({ destination, target: routeTarget(s, r) });
      }
      return {
        routeTableId: rt.id,
        vpcId: rt.vpcId,
        main: rt.associations.some((a) => a.main),
        subnetIds: rt.associations.flatMap((a) => (a.subnetId ? [a.subnetId] : [])),
        routes,
      };
    }),
    networkAcls: Object.values(s.networkAcls).map((acl) => ({
      networkAclId: acl.id,
      vpcId: acl.vpcId,
      isDefault: acl.isDefault,
      subnetIds: acl.associations.map((a) => a.subnetId),
      entries: acl.entries.flatMap((e) => {
        const cidr = e.cidrBlock ?? e.ipv6CidrBlock;
        if (!cidr) return [];
        return [
          {
            ruleNumber: e.ruleNumber,
            egress: e.egress,
            action: e.ruleAction,
            protocol: e.protocol,
            cidr,
            ...(e.portRange ? { fromPort: e.portRange.from, toPort: e.portRange.to } : {}),
            ...(e.icmp ? { icmpType: e.icmp.type, icmpCode: e.icmp.code } : {}),
          },
        ];
      }),
    })),
    securityGroups: Object.values(s.securityGroups).map((g) => ({
      groupId: g.id,
      vpcId: g.vpcId,
      ingress: g.rules.filter((r) => !r.egress).map(sgRule),
      egress: g.rules.filter((r) => r.egress).map(sgRule),
    })),
    networkInterfaces: [],
    internetGateways: Object.values(s.internetGateways).map((g) => ({ id: g.id, vpcIds: g.attachments.map((a) => a.vpcId) })),
    egressOnlyInternetGateways: Object.values(s.egressOnlyInternetGateways).map((g) => ({ id: g.id, vpcId: g.vpcId })),
    natGateways: Object.values(s.natGateways).map((n) => ({
      id: n.id,
      subnetId: n.subnetId,
      vpcId: n.vpcId,
      connectivityType: n.connectivityType,
      state: n.state,
      ...(n.privateIp ? { privateIp: n.privateIp } : {}),
      ...(n.publicIp ? { publicIp: n.publicIp } : {}),
      ...(n.networkInterfaceId ? { networkInterfaceId: n.networkInterfaceId } : {}),
    })),
    peerings: Object.values(s.peerings).map((p) => ({ id: p.id, requesterVpcId: p.requesterVpcId, accepterVpcId: p.accepterVpcId, status: p.status })),
    // AWS's managed lists (S3, DynamoDB): gateway endpoint routes and SG rules name them.
    prefixLists: awsPrefixListsOf(s.region).map((p) => ({ prefixListId: p.id, cidrs: [...p.cidrs] })),
    vpcEndpoints: Object.values(s.vpcEndpoints ?? {}).map((e) => {
      const dns = endpointDnsNames(s, e);
      const privateDns = dns.privateDns ? [dns.privateDns, ...(e.service === "s3" ? [`*.${dns.privateDns}`] : [])] : [];
      return {
        id: e.id,
        vpcId: e.vpcId,
        type: e.type,
        serviceName: e.serviceName,
        service: e.service,
        region: s.region,
        state: e.state,
        networkInterfaceIds: e.interfaces.map((i) => i.networkInterfaceId),
        dnsNames: dns.regional,
        privateDnsNames: privateDns,
      };
    }),
  };

  // Interfaces: the hot table (Hyperplane ENIs); one pass, and an address index for placements.
  const held = new Map<string, { eniId: string; subnetId: string; vpcId: string }[]>();
  for (const e of valuesOf(s.networkInterfaces)) {
    snapshot.networkInterfaces.push({
      networkInterfaceId: e.id,
      subnetId: e.subnetId,
      vpcId: e.vpcId,
      // Copies: the compiled snapshot must not change under a later in-place edit of the state.
      groupIds: [...e.groupIds],
      privateIps: [...e.privateIps],
      ipv6Addresses: [...e.ipv6],
      ...(e.association?.publicIp ? { publicIp: e.association.publicIp } : {}),
      interfaceType: e.interfaceType,
      sourceDestCheck: e.sourceDestCheck,
    });
    if (extras.endpoints?.length) {
      for (const a of [...e.privateIps, ...e.ipv6, ...(e.association?.publicIp ? [e.association.publicIp] : [])]) {
        const k = normalizeIp(a);
        let list = held.get(k);
        if (!list) held.set(k, (list = []));
        list.push({ eniId: e.id, subnetId: e.subnetId, vpcId: e.vpcId });
      }
    }
  }

  const placements = new Map<string, Placement>();
  const syntheticGroups = new Set<string>();
  const syntheticEnis = new Set<string>();
  for (const ep of extras.endpoints ?? []) {
    const key = placementKey(ep.ip, ep.vpcId);
    if (placements.has(key)) continue;
    const ip = normalizeIp(ep.ip);
    const addr = parseIp(ip);
    if (!addr) {
      placements.set(key, { ip, synthetic: false, problem: `${ep.ip} is not an IP address` });
      continue;
    }
    const holder = held.get(ip)?.find((h) => !ep.vpcId || h.vpcId === ep.vpcId);
    if (holder) {
      placements.set(key, { ip, networkInterfaceId: holder.eniId, subnetId: holder.subnetId, vpcId: holder.vpcId, synthetic: false });
      continue;
    }
    const subnet = subnets.find((x) => {
      if (ep.vpcId && x.vpcId !== ep.vpcId) return false;
      const blocks = addr.fam === 4 ? (x.cidr && !x.ipv6Native ? [x.cidr] : []) : x.ipv6.map((c) => c.cidr);
      return blocks.some((b) => {
        const c = parseCidr(b);
        return c !== undefined && cidrContains(c, addr);
      });
    });
    if (!subnet) {
      placements.set(key, { ip, synthetic: false, problem: `no subnet${ep.vpcId ? ` of ${ep.vpcId}` : ""} contains ${ip}` });
      continue;
    }
    const eniId = syntheticInterfaceId(ip);
    const groupId = SYNTHETIC_SG_PREFIX + subnet.vpcId;
    placements.set(key, { ip, networkInterfaceId: eniId, subnetId: subnet.id, vpcId: subnet.vpcId, synthetic: true });
    if (syntheticEnis.has(eniId)) continue;
    syntheticEnis.add(eniId);
    if (!syntheticGroups.has(groupId)) {
      syntheticGroups.add(groupId);
      const all: SgRule[] = [{ protocol: "-1", cidrs: ["0.0.0.0/0", "::/0"], groupIds: [] }];
      snapshot.securityGroups.push({ groupId, vpcId: subnet.vpcId, ingress: all, egress: all });
    }
    snapshot.networkInterfaces.push({
      networkInterfaceId: eniId,
      subnetId: subnet.id,
      vpcId: subnet.vpcId,
      groupIds: [groupId],
      privateIps: addr.fam === 4 ? [ip] : [],
      ipv6Addresses: addr.fam === 6 ? [ip] : [],
      interfaceType: "interface",
    });
  }
  return { snapshot, placements };
}
