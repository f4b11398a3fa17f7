// Cross-Region peering in the model: a Region's snapshot also holds the peer Regions' VPCs joined to
// it by an active peering connection of the same account, with everything that decides a packet's
// fate on that side (subnets, route tables, ACLs, security groups, interfaces, gateways), so the walk
// follows a pcx route across and applies the peer side's rules as it does for same-Region peering.
//
// AWS: "You cannot reference the security group of a peer VPC that's in a different Region" (VPC
// peering, limitations). EC2 only lets a rule name a group of its own Region, and the peer side's
// rules keep only references to groups of their own Region, so no group reference matches across.
import type { NetSnapshot } from "../model/index.ts";
import type { Ec2View } from "../../services/ec2/index.ts";
import { convert } from "./from-ec2.ts";

/** The Region on the other side of each active cross-Region peering of `account` in this state, and the VPCs joined there. */
export function peerRegionVpcs(s: Ec2View, account: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const id in s.peerings) {
    const p = s.peerings[id];
    if (p.status !== "active" || p.requesterOwnerId !== account || p.accepterOwnerId !== account) continue;
    const requesterRegion = p.requesterRegion ?? p.region;
    if (requesterRegion === p.region) continue;
    // This state is one of the two sides; the other side's VPC lives in the other Region.
    const [region, vpcId] = s.region === p.region ? [requesterRegion, p.requesterVpcId] : [p.region, p.accepterVpcId];
    let set = out.get(region);
    if (!set) out.set(region, (set = new Set()));
    set.add(vpcId);
  }
  return out;
}

/** Add to `into` the peer Region's `vpcIds` as its own snapshot sees them (no extras: placed endpoints stay in their Region). */
export function mergePeerRegion(into: NetSnapshot, peer: Ec2View, vpcIds: ReadonlySet<string>): void {
  const p = convert(peer).snapshot;
  const inVpc = (x: { vpcId: string }) => vpcIds.has(x.vpcId);
  const ownGroups = new Set(p.securityGroups.map((g) => g.groupId));
  into.vpcs.push(...p.vpcs.filter((v) => vpcIds.has(v.vpcId)));
  into.subnets.push(...p.subnets.filter(inVpc));
  into.routeTables.push(...p.routeTables.filter(inVpc));
  into.networkAcls.push(...p.networkAcls.filter(inVpc));
  into.securityGroups.push(
    ...p.securityGroups.filter(inVpc).map((g) => ({
      ...g,
      ingress: g.ingress.map((r) => ({ ...r, groupIds: r.groupIds.filter((id) => ownGroups.has(id)) })),
      egress: g.egress.map((r) => ({ ...r, groupIds: r.groupIds.filter((id) => ownGroups.has(id)) })),
    })),
  );
  into.networkInterfaces.push(...p.networkInterfaces.filter(inVpc));
  into.internetGateways.push(...p.internetGateways.filter((g) => g.vpcIds.some((v) => vpcIds.has(v))).map((g) => ({ ...g, vpcIds: g.vpcIds.filter((v) => vpcIds.has(v)) })));
  into.egressOnlyInternetGateways.push(...p.egressOnlyInternetGateways.filter(inVpc));
  into.natGateways.push(...p.natGateways.filter(inVpc));
  const known = new Set(into.peerings.map((x) => x.id));
  // The peer side's own view of its peerings: the shared one is already here (kept in both Regions).
  into.peerings.push(...p.peerings.filter((x) => !known.has(x.id) && (vpcIds.has(x.requesterVpcId) || vpcIds.has(x.accepterVpcId))));
  const lists = new Set((into.prefixLists ?? []).map((l) => l.prefixListId));
  into.prefixLists = [...(into.prefixLists ?? []), ...(p.prefixLists ?? []).filter((l) => !lists.has(l.prefixListId))];
  into.vpcEndpoints = [...(into.vpcEndpoints ?? []), ...(p.vpcEndpoints ?? []).filter(inVpc)];
}

/**
 * The far VPC of each cross-Region peering of `account` that is not active, as a bare VPC (the blocks
 * the connection recorded, no subnets): a route to it is then explained by the connection's state
 * (BAD_STATE: "is deleted, not active") rather than as a peering that does not connect the VPC.
 */
export function addInactivePeerVpcs(into: NetSnapshot, s: Ec2View, account: string): void {
  const known = new Set(into.vpcs.map((v) => v.vpcId));
  for (const id in s.peerings) {
    const p = s.peerings[id];
    if (p.status === "active" || p.requesterOwnerId !== account || p.accepterOwnerId !== account) continue;
    const requesterRegion = p.requesterRegion ?? p.region;
    if (requesterRegion === p.region) continue;
    const far = s.region === p.region ? { vpcId: p.requesterVpcId, cidrs: p.requesterCidrs, ipv6: p.requesterIpv6 } : { vpcId: p.accepterVpcId, cidrs: p.accepterCidrs, ipv6: p.accepterIpv6 };
    if (known.has(far.vpcId)) continue;
    known.add(far.vpcId);
    into.vpcs.push({ vpcId: far.vpcId, cidrBlocks: [...(far.cidrs ?? [])], ipv6CidrBlocks: [...(far.ipv6 ?? [])], instanceTenancy: "default" });
  }
}
