import { malformed, notFound, wellFormed, type IdKindName } from "./errors.ts";
import type {
  AddressRec,
  DhcpOptionsRec,
  Ec2State,
  EgressOnlyInternetGatewayRec,
  EniRec,
  InternetGatewayRec,
  NatGatewayRec,
  NetworkAclRec,
  PeeringRec,
  RouteTableRec,
  SecurityGroupRec,
  SubnetRec,
  VpcRec,
} from "./state.ts";

/**
 * Find a resource by id the way EC2 does: a wrongly shaped id is `.Malformed` (where AWS has such
 * a code), an absent one `.NotFound`.
 */
function get<T>(table: Record<string, T>, kind: IdKindName, prefix: string, id: string): T {
  if (!wellFormed(prefix, id)) throw malformed(kind, prefix, id);
  const r = Object.prototype.hasOwnProperty.call(table, id) ? table[id] : undefined;
  if (!r) throw notFound(kind, id);
  return r;
}

export const getVpc = (s: Ec2State, id: string): VpcRec => get(s.vpcs, "vpc", "vpc", id);
export const getSubnet = (s: Ec2State, id: string): SubnetRec => get(s.subnets, "subnet", "subnet", id);
export const getSecurityGroup = (s: Ec2State, id: string): SecurityGroupRec => get(s.securityGroups, "sg", "sg", id);
export const getRouteTable = (s: Ec2State, id: string): RouteTableRec => get(s.routeTables, "rtb", "rtb", id);
export const getInternetGateway = (s: Ec2State, id: string): InternetGatewayRec => get(s.internetGateways, "igw", "igw", id);
export const getEgressOnlyGateway = (s: Ec2State, id: string): EgressOnlyInternetGatewayRec => get(s.egressOnlyInternetGateways, "eigw", "eigw", id);
export const getNetworkInterface = (s: Ec2State, id: string): EniRec => get(s.networkInterfaces, "eni", "eni", id);
export const getNetworkAcl = (s: Ec2State, id: string): NetworkAclRec => get(s.networkAcls, "acl", "acl", id);
export const getPeering = (s: Ec2State, id: string): PeeringRec => get(s.peerings, "pcx", "pcx", id);
export const getAddress = (s: Ec2State, id: string): AddressRec => get(s.addresses, "eipalloc", "eipalloc", id);
export const getDhcpOptions = (s: Ec2State, id: string): DhcpOptionsRec => get(s.dhcpOptions, "dopt", "dopt", id);

/** A NAT gateway that still exists (deleted ones are only listed, never acted on). */
export function getNatGateway(s: Ec2State, id: string): NatGatewayRec {
  const n = get(s.natGateways, "nat", "nat", id);
  if (n.state === "deleted") throw notFound("nat", id);
  return n;
}

/**
 * The records a Describe* names with `<Resource>Id.N`: every id must be well formed and present,
 * in the order given; an empty list selects everything.
 */
export function selectByIds<T>(all: readonly T[], ids: string[], idOf: (t: T) => string, kind: IdKindName, prefix: string): readonly T[] {
  if (ids.length === 0) return all;
  for (const id of ids) if (!wellFormed(prefix, id)) throw malformed(kind, prefix, id);
  const byId = new Map(all.map((t) => [idOf(t), t]));
  const out: T[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    const r = byId.get(id);
    if (!r) throw notFound(kind, id);
    if (!seen.has(id)) out.push(r);
    seen.add(id);
  }
  return out;
}

/** As selectByIds, looking each id up in the table instead of listing it (large tables: interfaces). */
export function selectFromTable<T>(table: Record<string, T>, ids: string[], kind: IdKindName, prefix: string): readonly T[] {
  for (const id of ids) if (!wellFormed(prefix, id)) throw malformed(kind, prefix, id);
  const out: T[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    const r = Object.prototype.hasOwnProperty.call(table, id) ? table[id] : undefined;
    if (!r) throw notFound(kind, id);
    if (!seen.has(id)) out.push(r);
    seen.add(id);
  }
  return out;
}
