import { dict, own } from "../../core/dict.ts";
import { ec2Id } from "../../core/ids.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { overlaps, parseCidr } from "../../net-addr/blocks.ts";
import { arnOf, gate, gateDescribe, iso, requestTagContext, resourceTagContext, type Ec2Call } from "./context.ts";
import { ec2Error, invalidParameterValue, missingParameter } from "./errors.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { DELETED_VISIBLE_MS } from "./gateways.ts";
import { getPeering, getVpc, selectByIds } from "./lookup.ts";
import { BOUNDS_1000, paginate } from "./pagination.ts";
import { optBool, optString, reqString, stringList } from "./request.ts";
import type { Ec2State, PeeringRec, PeeringStatus } from "./state.ts";
import { tagSetView, tagSpecifications } from "./tags.ts";
import { vpcCidrs, vpcIpv6Cidrs } from "./vpcs.ts";

/**
 * VPC peering within one account or across two, in one Region or across two: request, accept or
 * reject, delete. A connection whose sides are in two accounts or Regions is kept in both sides'
 * states (same id, kept equal by mirror()), so it shows and can be deleted from either side; only
 * the accepter's account, in the accepter's Region, accepts or rejects it. Routing through a peering connection
 * reaches only the peer VPC's own blocks (no transitive routing); see routeFor in route-tables.ts.
 */
export const PENDING_ACCEPTANCE_MS = 7 * 24 * 3600_000;

const MESSAGES: Partial<Record<PeeringStatus, (account: string) => string>> = {
  "initiating-request": (a) => `Initiating Request to ${a}`,
  "pending-acceptance": (a) => `Pending Acceptance by ${a}`,
  active: () => "Active",
  provisioning: () => "Provisioning",
  rejected: (a) => `Rejected by ${a}`,
  deleted: (a) => `Deleted by ${a}`,
  expired: () => "Expired",
  failed: () => "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range",
};

function setStatus(p: PeeringRec, status: PeeringStatus, account: string): void {
  p.status = status;
  p.message = MESSAGES[status]?.(account) ?? status;
}

/** The requester's Region (records from before cross-Region peering have only the accepter's). */
function requesterRegion(p: PeeringRec): string {
  return p.requesterRegion ?? p.region;
}

const vpcArn = (region: string, account: string, id: string) => `arn:aws:ec2:${region}:${account}:vpc/${id}`;

/** The other side's state of a connection across accounts or Regions, or undefined when both sides are here. */
function otherSide(c: Ec2Call, p: PeeringRec): Ec2State | undefined {
  const hereIsAccepter = c.s.account === p.accepterOwnerId && c.s.region === p.region;
  const [account, region] = hereIsAccepter ? [p.requesterOwnerId, requesterRegion(p)] : [p.accepterOwnerId, p.region];
  return account === c.s.account && region === c.s.region ? undefined : c.stateOf?.(account, region);
}

/** A copy for the other Region's state (its tags a dictionary of their own). */
function copyOf(p: PeeringRec): PeeringRec {
  return {
    ...p,
    requesterCidrs: [...p.requesterCidrs],
    requesterIpv6: [...p.requesterIpv6],
    accepterCidrs: [...p.accepterCidrs],
    accepterIpv6: [...p.accepterIpv6],
    tags: Object.assign(dict(), p.tags),
  };
}

/** A cross-Region connection changed on one side: the other side's copy becomes the same. */
function mirror(c: Ec2Call, p: PeeringRec): void {
  const other = otherSide(c, p);
  if (other) other.peerings[p.id] = copyOf(p);
}

/** The VPC of one side, wherever its account and Region are. */
function sideVpc(c: Ec2Call, p: PeeringRec, side: "requester" | "accepter") {
  const region = side === "requester" ? requesterRegion(p) : p.region;
  const account = side === "requester" ? p.requesterOwnerId : p.accepterOwnerId;
  const s = region === c.s.region && account === c.s.account ? c.s : c.stateOf?.(account, region);
  return s?.vpcs[side === "requester" ? p.requesterVpcId : p.accepterVpcId];
}

function vpcInfo(s: Ec2State, p: PeeringRec, side: "requester" | "accepter"): OutputObject {
  const vpcId = side === "requester" ? p.requesterVpcId : p.accepterVpcId;
  const cidrs = side === "requester" ? p.requesterCidrs : p.accepterCidrs;
  const ipv6 = side === "requester" ? p.requesterIpv6 : p.accepterIpv6;
  // The accepter's blocks are shown once the connection is active.
  const show = side === "requester" || p.status === "active";
  return {
    cidrBlock: show ? cidrs[0] : undefined,
    ipv6CidrBlockSet: show && ipv6.length ? ipv6.map((ipv6CidrBlock) => ({ ipv6CidrBlock })) : undefined,
    cidrBlockSet: show ? cidrs.map((cidrBlock) => ({ cidrBlock })) : undefined,
    ownerId: side === "requester" ? p.requesterOwnerId : p.accepterOwnerId,
    // The requester's options show from the start, the accepter's once active (AWS-validated: LocalStack's test_vcp_peering_difference_regions).
    peeringOptions: show ? optionsView((side === "requester" ? p.requesterDns : p.accepterDns) ?? false) : undefined,
    vpcId,
    region: side === "requester" ? requesterRegion(p) : p.region,
  };
}

export function peeringView(s: Ec2State, p: PeeringRec, status: PeeringStatus = p.status): OutputObject {
  return {
    accepterVpcInfo: vpcInfo(s, p, "accepter"),
    expirationTime: p.status === "pending-acceptance" && p.expiresAt ? iso(p.expiresAt) : undefined,
    requesterVpcInfo: vpcInfo(s, p, "requester"),
    status: { code: status, message: status === p.status ? p.message : (MESSAGES[status]?.(p.accepterOwnerId) ?? status) },
    tagSet: tagSetView(p.tags, true),
    vpcPeeringConnectionId: p.id,
  };
}

const peeringFilters: FilterTable<PeeringRec> = {
  "accepter-vpc-info.cidr-block": (p) => (p.status === "active" ? p.accepterCidrs : []),
  "accepter-vpc-info.owner-id": (p) => p.accepterOwnerId,
  "accepter-vpc-info.vpc-id": (p) => p.accepterVpcId,
  "expiration-time": (p) => (p.expiresAt ? iso(p.expiresAt) : undefined),
  "requester-vpc-info.cidr-block": (p) => p.requesterCidrs,
  "requester-vpc-info.owner-id": (p) => p.requesterOwnerId,
  "requester-vpc-info.vpc-id": (p) => p.requesterVpcId,
  "status-code": (p) => p.status,
  "status-message": (p) => p.message,
  "vpc-peering-connection-id": (p) => p.id,
};

function pcxContext(s: Ec2State, p: PeeringRec) {
  return {
    "ec2:AccepterVpc": vpcArn(p.region, p.accepterOwnerId, p.accepterVpcId),
    "ec2:RequesterVpc": vpcArn(requesterRegion(p), p.requesterOwnerId, p.requesterVpcId),
    "ec2:VpcPeeringConnectionID": p.id,
    ...resourceTagContext(p.tags),
  };
}

function createVpcPeeringConnection(c: Ec2Call): OutputObject {
  const requester = getVpc(c.s, reqString(c.p, "VpcId"));
  const peerVpcId = optString(c.p, "PeerVpcId");
  if (!peerVpcId) throw missingParameter("peerVpcId");
  const peerOwner = optString(c.p, "PeerOwnerId") ?? c.s.account;
  const peerRegion = optString(c.p, "PeerRegion") ?? c.s.region;
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d+$/.test(peerRegion)) throw invalidParameterValue(`Invalid value '${peerRegion}' for peerRegion`); // unverified wording
  const local = peerOwner === c.s.account && peerRegion === c.s.region;
  // Another Region or account: the peer is looked up there, and the request fails when it is not
  // (an owner that is no account id names nobody: AWS's "incorrect ... Account ID" failure).
  const peerState = !local && /^\d{12}$/.test(peerOwner) ? c.stateOf?.(peerOwner, peerRegion) : undefined;
  // A peer in this account and region must exist; elsewhere the request is made and then fails.
  const accepter = local ? getVpc(c.s, peerVpcId) : own(peerState?.vpcs, peerVpcId);
  if (accepter && accepter.id === requester.id) throw invalidParameterValue(`A VPC cannot be peered with itself (${requester.id}).`); // unverified wording
  const tags = tagSpecifications(c.p, ["vpc-peering-connection"])["vpc-peering-connection"];
  gate(c, "CreateVpcPeeringConnection", [
    { arn: arnOf(c.s, "vpc", requester.id), context: { "ec2:Vpc": arnOf(c.s, "vpc", requester.id), ...resourceTagContext(requester.tags) } },
    {
      arn: arnOf(c.s, "vpc-peering-connection", "*"),
      context: { "ec2:RequesterVpc": arnOf(c.s, "vpc", requester.id), "ec2:AccepterVpc": `arn:aws:ec2:${peerRegion}:${peerOwner}:vpc/${peerVpcId}`, ...requestTagContext(tags) },
    },
  ]);
  if (accepter) {
    const dup = Object.values(c.s.peerings).find(
      (p) =>
        (p.status === "active" || p.status === "pending-acceptance") &&
        ((p.requesterVpcId === requester.id && p.accepterVpcId === accepter.id) || (p.requesterVpcId === accepter.id && p.accepterVpcId === requester.id)),
    );
    if (dup) throw ec2Error("VpcPeeringConnectionAlreadyExists", `A VPC peering connection already exists between ${requester.id} and ${accepter.id}: ${dup.id}.`); // unverified wording
  }
  const p: PeeringRec = {
    id: ec2Id("pcx"),
    requesterVpcId: requester.id,
    requesterOwnerId: c.s.account,
    accepterVpcId: peerVpcId,
    accepterOwnerId: peerOwner,
    region: peerRegion,
    requesterRegion: c.s.region,
    status: "initiating-request",
    message: "",
    createdAt: c.now,
    expiresAt: c.now + PENDING_ACCEPTANCE_MS,
    requesterCidrs: vpcCidrs(requester),
    requesterIpv6: vpcIpv6Cidrs(requester),
    accepterCidrs: accepter ? vpcCidrs(accepter) : [],
    accepterIpv6: accepter ? vpcIpv6Cidrs(accepter) : [],
    tags: tags ?? dict(),
  };
  const overlapping = accepter && requester.cidrs.some((a) => accepter.cidrs.some((b) => overlaps(parseCidr(a.cidr)!, parseCidr(b.cidr)!)));
  const view = (() => {
    setStatus(p, "initiating-request", peerOwner);
    return peeringView(c.s, p);
  })();
  if (!accepter || overlapping) {
    setStatus(p, "failed", peerOwner);
    p.purgeAt = c.now + DELETED_VISIBLE_MS;
    delete p.expiresAt;
  } else {
    setStatus(p, "pending-acceptance", peerOwner);
  }
  c.s.peerings[p.id] = p;
  // Across Regions or accounts the accepter sees it too (a failed request stays with the requester).
  if (peerState && p.status === "pending-acceptance") peerState.peerings[p.id] = copyOf(p);
  return { vpcPeeringConnection: view };
}

function invalidTransition(p: PeeringRec, to: string) {
  return ec2Error("InvalidStateTransition", `Invalid state transition for ${p.id}, attempted to transition from ${p.status} to ${to}`); // unverified wording
}

function acceptVpcPeeringConnection(c: Ec2Call): OutputObject {
  const p = getPeering(c.s, reqString(c.p, "VpcPeeringConnectionId"));
  gate(c, "AcceptVpcPeeringConnection", [
    { arn: arnOf(c.s, "vpc-peering-connection", p.id), context: pcxContext(c.s, p) },
    { arn: vpcArn(p.region, p.accepterOwnerId, p.accepterVpcId), context: { "ec2:Vpc": vpcArn(p.region, p.accepterOwnerId, p.accepterVpcId) } },
  ]);
  // Only the accepter's account accepts (recorded: "User 264086180894 cannot accept peering pcx-0e868786683ea89a6").
  if (p.accepterOwnerId !== c.s.account) throw ec2Error("OperationNotPermitted", `User ${c.s.account} cannot accept peering ${p.id}`);
  // A cross-Region request is accepted in the accepter's Region.
  if (p.region !== c.s.region) {
    throw ec2Error("OperationNotPermitted", `The VPC peering connection ${p.id} must be accepted in the accepter's Region ${p.region}.`); // unverified wording
  }
  if (p.status !== "pending-acceptance") throw invalidTransition(p, "active");
  const requester = sideVpc(c, p, "requester");
  const accepter = sideVpc(c, p, "accepter");
  if (!requester || !accepter) throw invalidTransition(p, "active");
  p.requesterCidrs = vpcCidrs(requester);
  p.requesterIpv6 = vpcIpv6Cidrs(requester);
  p.accepterCidrs = vpcCidrs(accepter);
  p.accepterIpv6 = vpcIpv6Cidrs(accepter);
  setStatus(p, "active", p.accepterOwnerId);
  delete p.expiresAt;
  mirror(c, p);
  // AWS answers "provisioning" and becomes active moments later.
  return { vpcPeeringConnection: peeringView(c.s, p, "provisioning") };
}

function rejectVpcPeeringConnection(c: Ec2Call): OutputObject {
  const p = getPeering(c.s, reqString(c.p, "VpcPeeringConnectionId"));
  gate(c, "RejectVpcPeeringConnection", { arn: arnOf(c.s, "vpc-peering-connection", p.id), context: pcxContext(c.s, p) });
  if (p.accepterOwnerId !== c.s.account) throw ec2Error("OperationNotPermitted", `User ${c.s.account} cannot reject peering ${p.id}`); // unverified wording
  if (p.status !== "pending-acceptance") throw invalidTransition(p, "rejected");
  setStatus(p, "rejected", p.accepterOwnerId);
  delete p.expiresAt;
  p.purgeAt = c.now + DELETED_VISIBLE_MS;
  mirror(c, p);
  return { return: true };
}

function deleteVpcPeeringConnection(c: Ec2Call): OutputObject {
  const p = getPeering(c.s, reqString(c.p, "VpcPeeringConnectionId"));
  gate(c, "DeleteVpcPeeringConnection", { arn: arnOf(c.s, "vpc-peering-connection", p.id), context: pcxContext(c.s, p) });
  if (p.status !== "active" && p.status !== "pending-acceptance") throw invalidTransition(p, "deleted");
  setStatus(p, "deleted", c.s.account);
  delete p.expiresAt;
  p.purgeAt = c.now + DELETED_VISIBLE_MS;
  mirror(c, p);
  return { return: true };
}

function describeVpcPeeringConnections(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeVpcPeeringConnections");
  const all = selectByIds(Object.values(c.s.peerings), stringList(c.p, "VpcPeeringConnectionId"), (p) => p.id, "pcx", "pcx");
  const picked = applyFilters(all, parseFilters(c.p), peeringFilters, (p) => p.tags);
  const page = paginate(picked, c.p, BOUNDS_1000, (p) => p.id);
  return { vpcPeeringConnectionSet: page.items.map((p) => peeringView(c.s, p)), nextToken: page.nextToken };
}

/** Expire unanswered requests after 7 days, forget finished connections after a while; true when something changed. */
export function settlePeerings(s: Ec2State, now: number): boolean {
  let changed = false;
  for (const p of Object.values(s.peerings)) {
    if (p.status === "pending-acceptance" && p.expiresAt !== undefined && p.expiresAt <= now) {
      changed = true;
      setStatus(p, "expired", p.accepterOwnerId);
      p.purgeAt = p.expiresAt + DELETED_VISIBLE_MS;
      delete p.expiresAt;
    }
    if (p.purgeAt !== undefined && p.purgeAt <= now) {
      delete s.peerings[p.id];
      changed = true;
    }
  }
  return changed;
}

function optionsView(dns: boolean): OutputObject {
  return { allowDnsResolutionFromRemoteVpc: dns, allowEgressFromLocalClassicLinkToRemoteVpc: false, allowEgressFromLocalVpcToRemoteClassicLink: false };
}

/** The side's AllowDnsResolutionFromRemoteVpc asked for, or undefined when the side is not named. ClassicLink is retired: only false is taken. */
function optionsAsked(c: Ec2Call, side: "Requester" | "Accepter"): boolean | undefined {
  const o = c.p[`${side}PeeringConnectionOptions`];
  if (o === undefined || typeof o === "string") return undefined;
  for (const k of ["AllowEgressFromLocalClassicLinkToRemoteVpc", "AllowEgressFromLocalVpcToRemoteClassicLink"]) {
    if (optBool(o, k) === true) throw invalidParameterValue(`${k} is not supported: EC2-Classic and ClassicLink are retired.`); // unverified wording
  }
  return optBool(o, "AllowDnsResolutionFromRemoteVpc") ?? false;
}

/** ModifyVpcPeeringConnectionOptions: DNS resolution across an active peering, per side. */
function modifyVpcPeeringConnectionOptions(c: Ec2Call): OutputObject {
  const p = getPeering(c.s, reqString(c.p, "VpcPeeringConnectionId"));
  const requester = optionsAsked(c, "Requester");
  const accepter = optionsAsked(c, "Accepter");
  gate(c, "ModifyVpcPeeringConnectionOptions", { arn: arnOf(c.s, "vpc-peering-connection", p.id), context: pcxContext(c.s, p) });
  if (p.status !== "active") {
    throw ec2Error("OperationNotPermitted", `Peering connection ${p.id} is not active. Peering options can be added only to active peerings.`); // unverified wording
  }
  // Across accounts each owner sets its own side (recorded: "User ... does not have permission to modify the accepter side peering options").
  for (const [side, asked, owner] of [["requester", requester, p.requesterOwnerId], ["accepter", accepter, p.accepterOwnerId]] as const) {
    if (asked !== undefined && owner !== c.s.account) throw ec2Error("OperationNotPermitted", `User ${c.s.account} does not have permission to modify the ${side} side peering options`);
  }
  if (requester !== undefined) p.requesterDns = requester;
  if (accepter !== undefined) p.accepterDns = accepter;
  mirror(c, p);
  return {
    requesterPeeringConnectionOptions: requester !== undefined ? optionsView(requester) : undefined,
    accepterPeeringConnectionOptions: accepter !== undefined ? optionsView(accepter) : undefined,
  };
}

export const peeringOperations = {
  ModifyVpcPeeringConnectionOptions: modifyVpcPeeringConnectionOptions,
  CreateVpcPeeringConnection: createVpcPeeringConnection,
  AcceptVpcPeeringConnection: acceptVpcPeeringConnection,
  RejectVpcPeeringConnection: rejectVpcPeeringConnection,
  DeleteVpcPeeringConnection: deleteVpcPeeringConnection,
  DescribeVpcPeeringConnections: describeVpcPeeringConnections,
};
