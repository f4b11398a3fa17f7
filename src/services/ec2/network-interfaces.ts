import { dict } from "../../core/dict.ts";
import { checkQuota } from "./quotas.ts";
import { ec2Id, randomHex } from "../../core/ids.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { allocateLowest, checkClaim, claim, freeCount, release, type AddressPool } from "./address-pool.ts";
import { containsIp, formatIp, parseCidr, parseIp } from "../../net-addr/blocks.ts";
import { priorResult, rememberResult } from "./client-token.ts";
import { arnOf, gate, gateDescribe, iso, requestTagContext, resourceTagContext, type Ec2Call } from "./context.ts";
import { ec2Error, insufficientAddresses, invalidParameterValue, missingParameter } from "./errors.ts";
import { interfaceIndex, reindexInterface, unindexInterface } from "./eni-index.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { getNetworkInterface, getSecurityGroup, getSubnet, selectFromTable } from "./lookup.ts";
import { BOUNDS_1000, paginate } from "./pagination.ts";
import { attrBool, attrString, optBool, optInt, optString, reqString, stringList, structList } from "./request.ts";
import { dropRecord, putRecord, valuesOf, type Ec2State, type EniRec, type SecurityGroupRec, type SubnetRec, type Tags } from "./state.ts";
import { subnetContext } from "./subnets.ts";
import { tagSetView, tagSpecifications } from "./tags.ts";
import { untracked } from "../../store/tracking.ts";

/**
 * Network interfaces and the addresses they hold. Allocation is synchronous within one request
 * (no await between the capacity check and the claims), so concurrent creates can never hand
 * out an address twice. Service-managed interfaces (Lambda's Hyperplane ENIs, NAT gateways')
 * are requester-managed, attached to amazon-aws, and refuse user deletes and changes.
 */
export interface InterfaceRequest {
  subnet: SubnetRec;
  groups: SecurityGroupRec[];
  description?: string;
  interfaceType?: string;
  primaryIp?: string;
  secondaryIps?: string[];
  secondaryCount?: number;
  ipv6Addresses?: string[];
  ipv6Count?: number;
  requesterManaged?: boolean;
  requesterId?: string;
  managedBy?: string;
  instanceOwnerId?: string;
  attachmentPrefix?: string;
  tags?: Tags;
  now: number;
}

function macAddress(): string {
  const h = randomHex(5); // from core/ids' pool: one randomBytes() per interface cost more than the rest of its record
  return `0e:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:${h.slice(6, 8)}:${h.slice(8, 10)}`;
}

function ipv6Block(subnet: SubnetRec): { cidr: string; pool: AddressPool } | undefined {
  const a = subnet.ipv6[0];
  if (!a) return undefined;
  subnet.pool6[a.cidr] ??= { used: {}, count: 0, cursor: 4 };
  return { cidr: a.cidr, pool: subnet.pool6[a.cidr] };
}

function claimError(address: string, reason: "outside" | "reserved" | "in-use") {
  if (reason === "outside") return invalidParameterValue(`Address does not fall within the subnet's address range`);
  if (reason === "reserved") return invalidParameterValue(`Address ${address} is reserved by AWS.`); // unverified wording
  return ec2Error("InvalidIPAddress.InUse", `Address ${address} is in use.`); // unverified wording
}

/** Check that IPv4 addresses can be taken: chosen ones valid and free, the count available. */
function checkIpv4(subnet: SubnetRec, chosen: string[], total: number): void {
  if (total === 0) return;
  if (!subnet.cidr) throw invalidParameterValue(`The subnet ${subnet.id} is IPv6-only and has no IPv4 addresses.`); // unverified wording
  const seen = new Set<string>();
  for (const a of chosen) {
    const r = checkClaim(subnet.pool4, subnet.cidr, a);
    if (r !== "ok") throw claimError(a, r);
    if (seen.has(a)) throw claimError(a, "in-use");
    seen.add(a);
  }
  if (freeCount(subnet.pool4, subnet.cidr) < total) throw insufficientAddresses();
}

function checkIpv6(subnet: SubnetRec, chosen: string[], total: number): void {
  if (total === 0) return;
  const block = ipv6Block(subnet);
  if (!block) throw invalidParameterValue(`The subnet ${subnet.id} does not have an IPv6 CIDR block.`); // unverified wording
  const seen = new Set<string>();
  for (const a of chosen) {
    const r = checkClaim(block.pool, block.cidr, a);
    if (r !== "ok") throw claimError(a, r);
    if (seen.has(a)) throw claimError(a, "in-use");
    seen.add(a);
  }
  if (freeCount(block.pool, block.cidr) < total) throw insufficientAddresses();
}

/** Take IPv4 addresses (chosen first, then the lowest free ones); call checkIpv4 first. */
function takeIpv4(subnet: SubnetRec, chosen: string[], extra: number, holder: string): string[] {
  const out: string[] = [];
  for (const a of chosen) {
    const r = claim(subnet.pool4, subnet.cidr!, a, holder);
    if (r.ok) out.push(r.address);
  }
  for (let i = 0; i < extra; i++) {
    const a = allocateLowest(subnet.pool4, subnet.cidr!, holder);
    if (!a) throw insufficientAddresses(); // cannot happen after checkIpv4
    out.push(a);
  }
  return out;
}

function takeIpv6(subnet: SubnetRec, chosen: string[], extra: number, holder: string): string[] {
  const block = ipv6Block(subnet);
  if (!block) return [];
  const out: string[] = [];
  for (const a of chosen) {
    const r = claim(block.pool, block.cidr, a, holder);
    if (r.ok) out.push(r.address);
  }
  for (let i = 0; i < extra; i++) {
    const a = allocateLowest(block.pool, block.cidr, holder);
    if (!a) throw insufficientAddresses();
    out.push(a);
  }
  return out;
}

/**
 * Create an interface in a subnet: check everything, then take the addresses, all in one
 * synchronous step. Throws EC2's errors (InsufficientFreeAddressesInSubnet, ...) with nothing taken.
 */
export function allocateInterface(s: Ec2State, r: InterfaceRequest): EniRec {
  const subnet = r.subnet;
  const v4Chosen = [...(r.primaryIp ? [r.primaryIp] : []), ...(r.secondaryIps ?? [])];
  const wantsV4 = subnet.cidr !== undefined && !subnet.ipv6Native;
  if (!wantsV4 && v4Chosen.length > 0) checkIpv4(subnet, v4Chosen, v4Chosen.length);
  const v4Extra = wantsV4 ? (r.primaryIp ? 0 : 1) + (r.secondaryCount ?? 0) : 0;
  const v6Chosen = r.ipv6Addresses ?? [];
  let v6Extra = r.ipv6Count ?? 0;
  // IPv6-only subnets, and subnets that assign IPv6 on creation, give every interface one IPv6 address.
  if (v6Chosen.length === 0 && v6Extra === 0 && (subnet.ipv6Native || subnet.assignIpv6AddressOnCreation)) v6Extra = 1;
  checkIpv4(subnet, v4Chosen, v4Chosen.length + v4Extra);
  checkIpv6(subnet, v6Chosen, v6Chosen.length + v6Extra);
  const id = ec2Id("eni");
  const privateIps = wantsV4 ? takeIpv4(subnet, v4Chosen, v4Extra, id) : [];
  const ipv6 = takeIpv6(subnet, v6Chosen, v6Extra, id);
  const eni: EniRec = {
    id,
    subnetId: subnet.id,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    availabilityZoneId: subnet.availabilityZoneId,
    ownerId: s.account,
    description: r.description ?? "",
    interfaceType: r.interfaceType ?? "interface",
    groupIds: r.groups.map((g) => g.id),
    privateIps,
    ipv6,
    macAddress: macAddress(),
    sourceDestCheck: true,
    status: r.instanceOwnerId ? "in-use" : "available",
    requesterManaged: r.requesterManaged ?? false,
    requesterId: r.requesterId,
    managedBy: r.managedBy,
    attachment: r.instanceOwnerId
      ? {
          attachmentId: ec2Id(r.attachmentPrefix ?? "eni-attach"),
          instanceOwnerId: r.instanceOwnerId,
          deviceIndex: 1,
          status: "attached",
          attachTime: r.now,
          deleteOnTermination: false,
        }
      : undefined,
    createdAt: r.now,
    tags: r.tags ?? dict(),
  };
  putRecord(s.networkInterfaces, id, eni);
  reindexInterface(s, eni);
  return eni;
}

/** Give back every address of an interface and forget it. */
export function releaseInterface(s: Ec2State, eni: EniRec): void {
  const subnet = s.subnets[eni.subnetId];
  if (subnet) {
    if (subnet.cidr) for (const a of eni.privateIps) release(subnet.pool4, subnet.cidr, a);
    for (const a of eni.ipv6) {
      for (const [cidr, pool] of Object.entries(subnet.pool6)) if (containsIp(parseCidr(cidr)!, parseIp(a)!)) release(pool, cidr, a);
    }
  }
  for (const addr of Object.values(s.addresses)) if (addr.association?.networkInterfaceId === eni.id) delete addr.association;
  dropRecord(s.networkInterfaces, eni.id);
  unindexInterface(s, eni.id);
  keptViews.get(s)?.delete(eni.id);
}

function privateDnsName(s: Ec2State, ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  const host = `ip-${ip.replace(/\./g, "-")}`;
  return s.region === "us-east-1" ? `${host}.ec2.internal` : `${host}.${s.region}.compute.internal`;
}

export function networkInterfaceView(s: Ec2State, e: EniRec): OutputObject {
  const association = e.association
    ? { allocationId: e.association.allocationId, associationId: e.association.associationId, ipOwnerId: e.association.ipOwnerId, publicDnsName: "", publicIp: e.association.publicIp }
    : undefined;
  return {
    association,
    attachment: e.attachment
      ? {
          attachTime: iso(e.attachment.attachTime),
          attachmentId: e.attachment.attachmentId,
          deleteOnTermination: e.attachment.deleteOnTermination,
          deviceIndex: e.attachment.deviceIndex,
          networkCardIndex: 0,
          instanceOwnerId: e.attachment.instanceOwnerId,
          status: e.attachment.status,
        }
      : undefined,
    availabilityZone: e.availabilityZone,
    description: e.description,
    groupSet: e.groupIds.map((id) => ({ groupId: id, groupName: s.securityGroups[id]?.name })),
    interfaceType: e.interfaceType,
    ipv6AddressesSet: e.ipv6.map((a) => ({ ipv6Address: a, isPrimaryIpv6: false })),
    macAddress: e.macAddress,
    networkInterfaceId: e.id,
    ownerId: e.ownerId,
    privateDnsName: privateDnsName(s, e.privateIps[0]),
    privateIpAddress: e.privateIps[0],
    privateIpAddressesSet: e.privateIps.map((ip, i) => ({
      association: i === 0 ? association : undefined,
      primary: i === 0,
      privateDnsName: privateDnsName(s, ip),
      privateIpAddress: ip,
    })),
    requesterId: e.requesterId,
    requesterManaged: e.requesterManaged,
    sourceDestCheck: e.sourceDestCheck,
    status: e.status,
    subnetId: e.subnetId,
    tagSet: tagSetView(e.tags, true),
    vpcId: e.vpcId,
    ipv6Native: e.privateIps.length === 0 && e.ipv6.length > 0,
    operator: { managed: false },
    availabilityZoneId: e.availabilityZoneId,
  };
}

/**
 * Views of unchanged interfaces, kept frozen so the codec renders each once: a Describe of 100
 * interfaces out of 10,000 then costs about as much as one of a few. The stamp holds every field
 * of the record (and its groups' names), so any change to one, by whatever path (a request, the
 * clock, a rollback), makes a new view. eni-index.test.ts changes each field of a record EC2 made
 * and fails when one is missing here.
 */
const keptViews = new WeakMap<Ec2State, Map<string, { stamp: StampValue[]; view: OutputObject }>>();

/** Reused for the check of each kept view: comparing values, not building a text per interface. */
const scratch: StampValue[] = [];

function keptViewsOf(s: Ec2State): Map<string, { stamp: StampValue[]; view: OutputObject }> {
  let views = keptViews.get(s);
  if (!views) keptViews.set(s, (views = new Map()));
  return views;
}

function keptInterfaceView(s: Ec2State, views: Map<string, { stamp: StampValue[]; view: OutputObject }>, e: EniRec): OutputObject {
  const hit = views.get(e.id);
  if (hit && sameStamp(viewStamp(s, e, scratch), hit.stamp)) return hit.view;
  const view = deepFreeze(networkInterfaceView(s, e));
  views.set(e.id, { stamp: viewStamp(s, e), view });
  return view;
}

type StampValue = string | number | boolean | undefined;

/**
 * Every field of the record and its groups' names, in a fixed order (lists prefixed by their
 * length, optional parts by a marker), so two records give equal stamps only when their views are equal.
 */
export function viewStamp(s: Ec2State, e: EniRec, out: StampValue[] = []): StampValue[] {
  out.length = 0;
  out.push(e.id, e.subnetId, e.vpcId, e.availabilityZone, e.availabilityZoneId, e.ownerId, e.description, e.interfaceType, e.macAddress);
  out.push(e.sourceDestCheck, e.status, e.requesterManaged, e.requesterId, e.managedBy, e.createdAt);
  out.push(e.privateIps.length);
  for (const ip of e.privateIps) out.push(ip);
  out.push(e.ipv6.length);
  for (const ip of e.ipv6) out.push(ip);
  out.push(e.groupIds.length);
  for (const id of e.groupIds) out.push(id, s.securityGroups[id]?.name);
  const a = e.attachment;
  if (a) out.push(1, a.attachTime, a.attachmentId, a.deleteOnTermination, a.deviceIndex, a.instanceOwnerId, a.status);
  else out.push(0);
  const x = e.association;
  if (x) out.push(1, x.allocationId, x.associationId, x.ipOwnerId, x.publicIp);
  else out.push(0);
  for (const k in e.tags) out.push(k, e.tags[k]);
  return out;
}

function sameStamp(a: readonly StampValue[], b: readonly StampValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

// Built once per state: some filters read the state (group names, the region's DNS names).
const filterTables = new WeakMap<Ec2State, FilterTable<EniRec>>();

function eniFilters(s: Ec2State): FilterTable<EniRec> {
  let table = filterTables.get(s);
  if (!table) filterTables.set(s, (table = eniFilterTable(s)));
  return table;
}

const eniFilterTable = (s: Ec2State): FilterTable<EniRec> => ({
  "addresses.private-ip-address": (e) => e.privateIps,
  "addresses.primary": (e) => e.privateIps.map((_, i) => i === 0),
  "addresses.association.public-ip": (e) => e.association?.publicIp,
  "addresses.association.owner-id": (e) => e.association?.ipOwnerId,
  "association.allocation-id": (e) => e.association?.allocationId,
  "association.association-id": (e) => e.association?.associationId,
  "association.ip-owner-id": (e) => e.association?.ipOwnerId,
  "association.public-ip": (e) => e.association?.publicIp,
  "association.public-dns-name": () => undefined,
  "attachment.attach-time": (e) => (e.attachment ? iso(e.attachment.attachTime) : undefined),
  "attachment.attachment-id": (e) => e.attachment?.attachmentId,
  "attachment.delete-on-termination": (e) => e.attachment?.deleteOnTermination,
  "attachment.device-index": (e) => e.attachment?.deviceIndex,
  "attachment.instance-id": () => undefined,
  "attachment.instance-owner-id": (e) => e.attachment?.instanceOwnerId,
  "attachment.status": (e) => e.attachment?.status,
  "availability-zone": (e) => e.availabilityZone,
  description: (e) => e.description,
  "group-id": (e) => e.groupIds,
  "group-name": (e) => e.groupIds.map((id) => s.securityGroups[id]?.name),
  "ipv6-addresses.ipv6-address": (e) => e.ipv6,
  "interface-type": (e) => e.interfaceType,
  "mac-address": (e) => e.macAddress,
  "network-interface-id": (e) => e.id,
  "operator.managed": () => false,
  "operator.principal": () => undefined,
  "owner-id": (e) => e.ownerId,
  "private-dns-name": (e) => privateDnsName(s, e.privateIps[0]),
  "private-ip-address": (e) => e.privateIps,
  "requester-id": (e) => e.requesterId,
  "requester-managed": (e) => e.requesterManaged,
  "source-dest-check": (e) => e.sourceDestCheck,
  status: (e) => e.status,
  "subnet-id": (e) => e.subnetId,
  "vpc-id": (e) => e.vpcId,
});

export function eniContext(s: Ec2State, e: EniRec) {
  return {
    "ec2:Vpc": arnOf(s, "vpc", e.vpcId),
    "ec2:Subnet": arnOf(s, "subnet", e.subnetId),
    "ec2:AvailabilityZone": e.availabilityZone,
    "ec2:NetworkInterfaceID": e.id,
    ...resourceTagContext(e.tags),
  };
}

/** Security groups for an interface: each must exist and be in the subnet's VPC. */
export function groupsForSubnet(s: Ec2State, subnet: SubnetRec, ids: string[]): SecurityGroupRec[] {
  if (ids.length === 0) {
    const vpc = s.vpcs[subnet.vpcId];
    const def = vpc ? s.securityGroups[vpc.defaultSecurityGroupId] : undefined;
    return def ? [def] : [];
  }
  return [...new Set(ids)].map((id) => {
    const g = getSecurityGroup(s, id);
    if (g.vpcId !== subnet.vpcId) throw ec2Error("InvalidParameter", `Security group ${g.id} and subnet ${subnet.id} belong to different networks.`);
    return g;
  });
}

const INTERFACE_TYPES = ["interface", "efa", "efa-only", "branch", "trunk"];

function createNetworkInterface(c: Ec2Call): OutputObject {
  const subnet = getSubnet(c.s, reqString(c.p, "SubnetId"));
  const groups = groupsForSubnet(c.s, subnet, stringList(c.p, "SecurityGroupId"));
  const interfaceType = optString(c.p, "InterfaceType");
  if (interfaceType !== undefined && !INTERFACE_TYPES.includes(interfaceType)) {
    throw invalidParameterValue(`Value (${interfaceType}) for parameter interfaceType is invalid. Valid values: ${INTERFACE_TYPES.slice(1).join(", ")}.`); // unverified wording
  }
  const listed = structList(c.p, "PrivateIpAddresses").map((x) => ({ ip: optString(x, "PrivateIpAddress") ?? "", primary: optBool(x, "Primary") === true }));
  let primaryIp = optString(c.p, "PrivateIpAddress");
  const listedPrimary = listed.filter((x) => x.primary);
  if (listedPrimary.length > 1 || (primaryIp && listedPrimary.length === 1 && listedPrimary[0].ip !== primaryIp)) {
    throw invalidParameterValue("Only one primary private IP address may be specified."); // unverified wording
  }
  primaryIp ??= listedPrimary[0]?.ip ?? (listed.length > 0 ? listed[0].ip : undefined);
  const secondaryIps = listed.map((x) => x.ip).filter((ip) => ip !== primaryIp);
  const secondaryCount = optInt(c.p, "SecondaryPrivateIpAddressCount") ?? 0;
  const ipv6Addresses = structList(c.p, "Ipv6Addresses").map((x) => optString(x, "Ipv6Address") ?? "");
  const ipv6Count = optInt(c.p, "Ipv6AddressCount") ?? 0;
  if (secondaryCount < 0 || ipv6Count < 0) throw invalidParameterValue("Address counts cannot be negative."); // unverified wording
  if (ipv6Addresses.length > 0 && ipv6Count > 0) throw ec2Error("InvalidParameterCombination", "Ipv6Addresses and Ipv6AddressCount cannot both be specified."); // unverified wording
  const description = optString(c.p, "Description");
  if (description !== undefined && description.length > 255) throw invalidParameterValue("Description exceeds the maximum length of 255 characters."); // unverified wording
  const tags = tagSpecifications(c.p, ["network-interface"])["network-interface"];
  gate(c, "CreateNetworkInterface", [
    { arn: arnOf(c.s, "network-interface", "*"), context: () => ({ ...subnetContext(c.s, subnet), ...requestTagContext(tags) }) },
    { arn: arnOf(c.s, "subnet", subnet.id), context: () => subnetContext(c.s, subnet) },
    ...groups.map((g) => ({ arn: arnOf(c.s, "security-group", g.id), context: () => ({ "ec2:Vpc": arnOf(c.s, "vpc", g.vpcId), ...resourceTagContext(g.tags) }) })),
  ]);
  const prior = priorResult(c, "CreateNetworkInterface");
  if (prior && c.s.networkInterfaces[prior]) return { networkInterface: networkInterfaceView(c.s, c.s.networkInterfaces[prior]), clientToken: optString(c.p, "ClientToken") };
  checkQuota(c, "ec2.network-interfaces", interfaceIndex(c.s).size);
  const eni = allocateInterface(c.s, {
    subnet,
    groups,
    description,
    interfaceType,
    primaryIp,
    secondaryIps,
    secondaryCount,
    ipv6Addresses,
    ipv6Count,
    requesterId: c.ctx.principal.userId,
    tags,
    now: c.now,
  });
  rememberResult(c, "CreateNetworkInterface", eni.id);
  return { networkInterface: networkInterfaceView(c.s, eni), clientToken: optString(c.p, "ClientToken") };
}

function describeNetworkInterfaces(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeNetworkInterfaces");
  const ids = stringList(c.p, "NetworkInterfaceId");
  const filters = parseFilters(c.p);
  let all: readonly EniRec[];
  if (ids.length > 0) all = selectFromTable(c.s.networkInterfaces, ids, "eni", "eni");
  else {
    // The index narrows to the interfaces the most selective filter allows; every filter still applies below.
    const candidates = interfaceIndex(c.s).candidates(filters);
    all = candidates ? candidates.map((id) => c.s.networkInterfaces[id]) : valuesOf(c.s.networkInterfaces);
  }
  const picked = applyFilters(all, filters, eniFilters(c.s), (e) => e.tags);
  const page = paginate(picked, c.p, BOUNDS_1000, (e) => e.id);
  const views = keptViewsOf(c.s);
  return { networkInterfaceSet: page.items.map((e) => keptInterfaceView(c.s, views, e)), nextToken: page.nextToken };
}

function refuseManaged(e: EniRec, what: string) {
  if (e.managedBy || e.requesterManaged) {
    return ec2Error("OperationNotPermitted", `You are not allowed to ${what} the network interface '${e.id}': it is managed by ${e.attachment?.instanceOwnerId ?? "a service"}.`); // unverified wording
  }
  return undefined;
}

function deleteNetworkInterface(c: Ec2Call): OutputObject {
  const e = getNetworkInterface(c.s, reqString(c.p, "NetworkInterfaceId"));
  gate(c, "DeleteNetworkInterface", { arn: arnOf(c.s, "network-interface", e.id), context: eniContext(c.s, e) });
  if (e.status === "in-use") throw invalidParameterValue(`Network interface '${e.id}' is currently in use.`);
  // A detached Lambda interface (status available) may be deleted by its owner, as on AWS; a NAT gateway's never.
  if (e.managedBy && e.managedBy !== "lambda") throw refuseManaged(e, "delete")!;
  releaseInterface(c.s, e);
  return { return: true };
}

function modifyNetworkInterfaceAttribute(c: Ec2Call): OutputObject {
  const e = getNetworkInterface(c.s, reqString(c.p, "NetworkInterfaceId"));
  const description = attrString(c.p, "Description");
  const sourceDestCheck = attrBool(c.p, "SourceDestCheck");
  const groupIds = stringList(c.p, "SecurityGroupId");
  const deleteOnTermination = optBool(c.p.Attachment, "DeleteOnTermination");
  const attachmentId = optString(typeof c.p.Attachment === "object" ? c.p.Attachment : {}, "AttachmentId");
  const subnet = getSubnet(c.s, e.subnetId);
  const groups = groupIds.length ? groupsForSubnet(c.s, subnet, groupIds) : undefined;
  gate(c, "ModifyNetworkInterfaceAttribute", [
    { arn: arnOf(c.s, "network-interface", e.id), context: eniContext(c.s, e) },
    ...(groups ?? []).map((g) => ({ arn: arnOf(c.s, "security-group", g.id), context: { "ec2:Vpc": arnOf(c.s, "vpc", g.vpcId), ...resourceTagContext(g.tags) } })),
  ]);
  const given = [description !== undefined, sourceDestCheck !== undefined, groups !== undefined, deleteOnTermination !== undefined].filter(Boolean).length;
  if (given === 0) throw missingParameter("attribute"); // unverified wording
  const refused = refuseManaged(e, "modify");
  if (refused) throw refused;
  if (deleteOnTermination !== undefined) {
    if (!e.attachment || (attachmentId && attachmentId !== e.attachment.attachmentId)) {
      throw ec2Error("InvalidAttachmentID.NotFound", `The network interface attachment ID '${attachmentId ?? ""}' does not exist`); // unverified wording
    }
    e.attachment.deleteOnTermination = deleteOnTermination;
  }
  if (description !== undefined) e.description = description;
  if (sourceDestCheck !== undefined) e.sourceDestCheck = sourceDestCheck;
  if (groups) e.groupIds = groups.map((g) => g.id);
  reindexInterface(c.s, e);
  return { return: true };
}

function describeNetworkInterfaceAttribute(c: Ec2Call): OutputObject {
  const e = getNetworkInterface(c.s, reqString(c.p, "NetworkInterfaceId"));
  const attribute = reqString(c.p, "Attribute");
  gate(c, "DescribeNetworkInterfaceAttribute", { arn: arnOf(c.s, "network-interface", e.id), context: eniContext(c.s, e) });
  const view = networkInterfaceView(c.s, e);
  switch (attribute) {
    case "description":
      return { networkInterfaceId: e.id, description: { value: e.description } };
    case "groupSet":
      return { networkInterfaceId: e.id, groupSet: view.groupSet };
    case "sourceDestCheck":
      return { networkInterfaceId: e.id, sourceDestCheck: { value: e.sourceDestCheck } };
    case "attachment":
      return { networkInterfaceId: e.id, attachment: view.attachment };
    case "associatePublicIpAddress":
      return { networkInterfaceId: e.id, associatePublicIpAddress: e.association !== undefined };
    default:
      throw invalidParameterValue(`Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`);
  }
}

function assignPrivateIpAddresses(c: Ec2Call): OutputObject {
  const e = getNetworkInterface(c.s, reqString(c.p, "NetworkInterfaceId"));
  const chosen = stringList(c.p, "PrivateIpAddress");
  const count = optInt(c.p, "SecondaryPrivateIpAddressCount") ?? 0;
  if (chosen.length === 0 && count <= 0) throw missingParameter("privateIpAddress or secondaryPrivateIpAddressCount"); // unverified wording
  if (chosen.length > 0 && count > 0) throw ec2Error("InvalidParameterCombination", "Specify either private IP addresses or a secondary private IP address count, not both."); // unverified wording
  gate(c, "AssignPrivateIpAddresses", { arn: arnOf(c.s, "network-interface", e.id), context: eniContext(c.s, e) });
  const refused = refuseManaged(e, "modify");
  if (refused) throw refused;
  const subnet = getSubnet(c.s, e.subnetId);
  if (!subnet.cidr) throw invalidParameterValue(`The subnet ${subnet.id} is IPv6-only and has no IPv4 addresses.`); // unverified wording
  checkIpv4(subnet, chosen, chosen.length + count);
  const taken = takeIpv4(subnet, chosen, count, e.id);
  e.privateIps.push(...taken);
  reindexInterface(c.s, e);
  return { networkInterfaceId: e.id, assignedPrivateIpAddressesSet: taken.map((privateIpAddress) => ({ privateIpAddress })) };
}

function unassignPrivateIpAddresses(c: Ec2Call): OutputObject {
  const e = getNetworkInterface(c.s, reqString(c.p, "NetworkInterfaceId"));
  const addresses = stringList(c.p, "PrivateIpAddress");
  if (addresses.length === 0) throw missingParameter("privateIpAddress");
  gate(c, "UnassignPrivateIpAddresses", { arn: arnOf(c.s, "network-interface", e.id), context: eniContext(c.s, e) });
  const refused = refuseManaged(e, "modify");
  if (refused) throw refused;
  const canonical = addresses.map((a) => {
    const ip = parseIp(a, 4);
    return ip ? formatIp(ip) : a;
  });
  if (canonical.some((a) => !e.privateIps.includes(a))) {
    throw invalidParameterValue(`Some of the specified addresses are not assigned to interface ${e.id}`); // unverified wording
  }
  if (canonical.includes(e.privateIps[0])) throw invalidParameterValue(`The primary private IP address ${e.privateIps[0]} of interface ${e.id} cannot be unassigned.`); // unverified wording
  const subnet = getSubnet(c.s, e.subnetId);
  for (const a of canonical) release(subnet.pool4, subnet.cidr!, a);
  e.privateIps = e.privateIps.filter((a) => !canonical.includes(a));
  reindexInterface(c.s, e);
  return { return: true };
}

function assignIpv6Addresses(c: Ec2Call): OutputObject {
  const e = getNetworkInterface(c.s, reqString(c.p, "NetworkInterfaceId"));
  const chosen = stringList(c.p, "Ipv6Addresses");
  const count = optInt(c.p, "Ipv6AddressCount") ?? 0;
  if (chosen.length === 0 && count <= 0) throw missingParameter("ipv6Addresses or ipv6AddressCount"); // unverified wording
  if (chosen.length > 0 && count > 0) throw ec2Error("InvalidParameterCombination", "Specify either IPv6 addresses or an IPv6 address count, not both."); // unverified wording
  gate(c, "AssignIpv6Addresses", { arn: arnOf(c.s, "network-interface", e.id), context: eniContext(c.s, e) });
  const refused = refuseManaged(e, "modify");
  if (refused) throw refused;
  const subnet = getSubnet(c.s, e.subnetId);
  checkIpv6(subnet, chosen, chosen.length + count);
  const taken = takeIpv6(subnet, chosen, count, e.id);
  e.ipv6.push(...taken);
  return { assignedIpv6Addresses: taken, networkInterfaceId: e.id };
}

function unassignIpv6Addresses(c: Ec2Call): OutputObject {
  const e = getNetworkInterface(c.s, reqString(c.p, "NetworkInterfaceId"));
  const addresses = stringList(c.p, "Ipv6Addresses");
  if (addresses.length === 0) throw missingParameter("ipv6Addresses");
  gate(c, "UnassignIpv6Addresses", { arn: arnOf(c.s, "network-interface", e.id), context: eniContext(c.s, e) });
  const refused = refuseManaged(e, "modify");
  if (refused) throw refused;
  const canonical = addresses.map((a) => {
    const ip = parseIp(a, 6);
    return ip ? e.ipv6.find((x) => parseIp(x, 6)!.value === ip.value) ?? a : a;
  });
  if (canonical.some((a) => !e.ipv6.includes(a))) throw invalidParameterValue(`Some of the specified addresses are not assigned to interface ${e.id}`); // unverified wording
  const subnet = getSubnet(c.s, e.subnetId);
  for (const a of canonical) {
    for (const [cidr, pool] of Object.entries(subnet.pool6)) if (containsIp(parseCidr(cidr)!, parseIp(a)!)) release(pool, cidr, a);
  }
  e.ipv6 = e.ipv6.filter((a) => !canonical.includes(a));
  return { networkInterfaceId: e.id, unassignedIpv6Addresses: canonical };
}

export const networkInterfaceOperations = {
  CreateNetworkInterface: createNetworkInterface,
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  DeleteNetworkInterface: deleteNetworkInterface,
  ModifyNetworkInterfaceAttribute: modifyNetworkInterfaceAttribute,
  DescribeNetworkInterfaceAttribute: describeNetworkInterfaceAttribute,
  AssignPrivateIpAddresses: assignPrivateIpAddresses,
  UnassignPrivateIpAddresses: unassignPrivateIpAddresses,
  AssignIpv6Addresses: assignIpv6Addresses,
  UnassignIpv6Addresses: unassignIpv6Addresses,
};
