// Peering beyond one account and Region in the model: a snapshot also holds the VPCs joined to it by
// an active peering connection whose other side is in another Region or another account (a "peer
// scope"), with everything that decides a packet's fate on that side (subnets, route tables, ACLs,
// security groups, interfaces, gateways, and the synthetic interfaces of endpoints placed there), so
// the walk follows a pcx route across and applies the peer side's rules as it does within one scope.
// Peered VPCs never overlap (EC2 refuses such a peering), so an address names one interface.
//
// AWS (VPC peering guide, "Update your security groups to reference peer security groups"): a peer
// VPC's group can be referenced in the same Region, across accounts as `account/sg-id`; "You can't
// reference the security group of a peer VPC that's in a different Region." So across Regions the
// peer side's rules keep only references to groups of their own side; in one Region they stay.
import type { NetSnapshot } from "../model/index.ts";
import type { Ec2View } from "../../services/ec2/index.ts";
import type { Placement } from "./from-ec2.ts";

type PeeringView = Ec2View["peerings"][string];

/** Another account and/or Region, and the VPCs there joined to this state by active peerings. */
export interface PeerScope {
  account: string;
  region: string;
  vpcIds: Set<string>;
}

export interface FarSide {
  account: string;
  region: string;
  vpcId: string;
  cidrs: readonly string[];
  ipv6: readonly string[];
}

export function scopeKey(account: string, region: string): string {
  return `${account}|${region}`;
}

/** The side of `p` that is not this state's account and Region; undefined when both sides are here. */
export function farSide(s: Ec2View, p: PeeringView): FarSide | undefined {
  const requesterRegion = p.requesterRegion ?? p.region;
  const hereIsAccepter = s.account === p.accepterOwnerId && s.region === p.region;
  const hereIsRequester = s.account === p.requesterOwnerId && s.region === requesterRegion;
  if (hereIsAccepter === hereIsRequester) return undefined; // both sides here (or, for a stray copy, neither)
  return hereIsAccepter
    ? { account: p.requesterOwnerId, region: requesterRegion, vpcId: p.requesterVpcId, cidrs: p.requesterCidrs, ipv6: p.requesterIpv6 }
    : { account: p.accepterOwnerId, region: p.region, vpcId: p.accepterVpcId, cidrs: p.accepterCidrs, ipv6: p.accepterIpv6 };
}

/** The peer scopes of this state: the far side of each active peering that leaves its account or Region. */
export function peerScopes(s: Ec2View): PeerScope[] {
  const out = new Map<string, PeerScope>();
  for (const id in s.peerings) {
    const p = s.peerings[id];
    if (p.status !== "active") continue;
    const far = farSide(s, p);
    if (!far) continue;
    const key = scopeKey(far.account, far.region);
    let scope = out.get(key);
    if (!scope) out.set(key, (scope = { account: far.account, region: far.region, vpcIds: new Set() }));
    scope.vpcIds.add(far.vpcId);
  }
  return [...out.values()];
}

/**
 * Add to `into` the peer scope's `vpcIds` as the peer's own snapshot `p` shows them (with its placed
 * endpoints' synthetic interfaces). `sameRegion`: group references across the peering stay.
 */
export function mergePeerScope(into: NetSnapshot, p: NetSnapshot, vpcIds: ReadonlySet<string>, sameRegion: boolean): void {
  const inVpc = (x: { vpcId: string }) => vpcIds.has(x.vpcId);
  const ownGroups = new Set(p.securityGroups.map((g) => g.groupId));
  const refs = (ids: string[]) => (sameRegion ? ids : ids.filter((id) => ownGroups.has(id)));
  into.vpcs.push(...p.vpcs.filter((v) => vpcIds.has(v.vpcId)));
  into.subnets.push(...p.subnets.filter(inVpc));
  into.routeTables.push(...p.routeTables.filter(inVpc));
  into.networkAcls.push(...p.networkAcls.filter(inVpc));
  into.securityGroups.push(
    ...p.securityGroups.filter(inVpc).map((g) => ({
      ...g,
      ingress: g.ingress.map((r) => ({ ...r, groupIds: refs(r.groupIds) })),
      egress: g.egress.map((r) => ({ ...r, groupIds: refs(r.groupIds) })),
    })),
  );
  // A synthetic interface is named by its address: one this side already placed there (in a VPC of
  // its own that overlaps the peer's) keeps the name, and the peer's endpoint at it is not merged.
  const enis = new Set(into.networkInterfaces.map((e) => e.networkInterfaceId));
  into.networkInterfaces.push(...p.networkInterfaces.filter((e) => inVpc(e) && !enis.has(e.networkInterfaceId)));
  into.internetGateways.push(...p.internetGateways.filter((g) => g.vpcIds.some((v) => vpcIds.has(v))).map((g) => ({ ...g, vpcIds: g.vpcIds.filter((v) => vpcIds.has(v)) })));
  into.egressOnlyInternetGateways.push(...p.egressOnlyInternetGateways.filter(inVpc));
  into.natGateways.push(...p.natGateways.filter(inVpc));
  const known = new Set(into.peerings.map((x) => x.id));
  // The peer side's own view of its peerings: the shared one is already here (kept on both sides).
  into.peerings.push(...p.peerings.filter((x) => !known.has(x.id) && (vpcIds.has(x.requesterVpcId) || vpcIds.has(x.accepterVpcId))));
  const lists = new Set((into.prefixLists ?? []).map((l) => l.prefixListId));
  into.prefixLists = [...(into.prefixLists ?? []), ...(p.prefixLists ?? []).filter((l) => !lists.has(l.prefixListId))];
  into.vpcEndpoints = [...(into.vpcEndpoints ?? []), ...(p.vpcEndpoints ?? []).filter(inVpc)];
}

/** The peer's placements that landed in the merged VPCs (endpoints placed by address there). */
export function peerPlacements(placements: Map<string, Placement>, vpcIds: ReadonlySet<string>): Map<string, Placement> {
  const out = new Map<string, Placement>();
  for (const [k, p] of placements) if (p.vpcId && vpcIds.has(p.vpcId)) out.set(k, p);
  return out;
}

/**
 * The far VPC of each peering that leaves this account or Region and is not active, as a bare VPC
 * (the blocks the connection recorded, no subnets): a route to it is then explained by the
 * connection's state (BAD_STATE: "is deleted, not active") rather than as a peering that does not
 * connect the VPC.
 */
export function addInactivePeerVpcs(into: NetSnapshot, s: Ec2View): void {
  const known = new Set(into.vpcs.map((v) => v.vpcId));
  for (const id in s.peerings) {
    const p = s.peerings[id];
    if (p.status === "active") continue;
    const far = farSide(s, p);
    if (!far || known.has(far.vpcId)) continue;
    known.add(far.vpcId);
    // Records from before the blocks were kept have none.
    into.vpcs.push({ vpcId: far.vpcId, cidrBlocks: [...(far.cidrs ?? [])], ipv6CidrBlocks: [...(far.ipv6 ?? [])], instanceTenancy: "default" });
  }
}
