import { dict } from "../../core/dict.ts";
import { createHash } from "node:crypto";
import { checkQuota } from "./quotas.ts";
import { ec2Id } from "../../core/ids.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { formatIpv4, parseIpv4 } from "../../net-addr/blocks.ts";
import { arnOf, gate, gateDescribe, requestTagContext, resourceTagContext, type Ec2Call } from "./context.ts";
import { ec2Error, invalidParameterValue, missingParameter, notFound } from "./errors.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { getAddress, getNetworkInterface } from "./lookup.ts";
import { optBool, optString, reqString, stringList } from "./request.ts";
import { countOf, dropRecord, putRecord, type AddressRec, type Ec2State, type EniRec } from "./state.ts";
import { tagSetView, tagSpecifications } from "./tags.ts";

/**
 * Elastic IP addresses (domain vpc). Their public addresses come from a made-up Amazon-looking
 * pool that is distinct per account and region; they exist only in the model.
 */
export function nextPublicIp(s: Ec2State): string {
  const h = createHash("sha256").update(`eip/${s.account}/${s.region}`).digest();
  // 54.x.y.z: the second octet from the account and region, the rest a counter.
  const n = s.counters.publicIps++;
  const base = (54 << 24) | (h[0] << 16);
  return formatIpv4(BigInt((base + 1 + n) >>> 0));
}

export function buildAddress(s: Ec2State, tags: Record<string, string> = dict()): AddressRec {
  const a: AddressRec = { allocationId: ec2Id("eipalloc"), publicIp: nextPublicIp(s), networkBorderGroup: s.region, tags };
  putRecord(s.addresses, a.allocationId, a);
  return a;
}

/** Associate an address with an interface's primary private address. */
export function associateAddress(s: Ec2State, a: AddressRec, eni: EniRec, ownerId: string): string {
  const associationId = ec2Id("eipassoc");
  a.association = { associationId, networkInterfaceId: eni.id, privateIp: eni.privateIps[0] ?? "", ownerId };
  eni.association = { allocationId: a.allocationId, associationId, publicIp: a.publicIp, ipOwnerId: s.account };
  return associationId;
}

export function disassociateAddress(s: Ec2State, a: AddressRec): void {
  const eni = a.association ? s.networkInterfaces[a.association.networkInterfaceId] : undefined;
  if (eni?.association?.allocationId === a.allocationId) delete eni.association;
  delete a.association;
}

export function addressView(s: Ec2State, a: AddressRec): OutputObject {
  const eni = a.association ? s.networkInterfaces[a.association.networkInterfaceId] : undefined;
  return {
    allocationId: a.allocationId,
    associationId: a.association?.associationId,
    domain: "vpc",
    networkInterfaceId: a.association?.networkInterfaceId,
    networkInterfaceOwnerId: a.association ? (eni?.ownerId ?? s.account) : undefined,
    privateIpAddress: a.association?.privateIp,
    tagSet: tagSetView(a.tags),
    publicIpv4Pool: "amazon",
    networkBorderGroup: a.networkBorderGroup,
    publicIp: a.publicIp,
  };
}

const addressFilters: FilterTable<AddressRec> = {
  "allocation-id": (a) => a.allocationId,
  "association-id": (a) => a.association?.associationId,
  domain: () => "vpc",
  "instance-id": () => undefined,
  "network-border-group": (a) => a.networkBorderGroup,
  "network-interface-id": (a) => a.association?.networkInterfaceId,
  "network-interface-owner-id": (a) => (a.association ? a.association.ownerId : undefined),
  "private-ip-address": (a) => a.association?.privateIp,
  "public-ip": (a) => a.publicIp,
};

function addressContext(a: AddressRec) {
  return { "ec2:AllocationId": a.allocationId, "ec2:PublicIpAddress": a.publicIp, ...resourceTagContext(a.tags) };
}

function allocateAddress(c: Ec2Call): OutputObject {
  const domain = optString(c.p, "Domain") ?? "vpc";
  if (domain !== "vpc" && domain !== "standard") throw invalidParameterValue(`Value (${domain}) for parameter domain is invalid.`); // unverified wording
  if (domain === "standard") throw invalidParameterValue("EC2-Classic addresses (domain standard) are no longer available."); // unverified wording
  if (optString(c.p, "Address") || optString(c.p, "PublicIpv4Pool") || optString(c.p, "CustomerOwnedIpv4Pool") || optString(c.p, "IpamPoolId")) {
    throw invalidParameterValue("hyperlocal allocates addresses from Amazon's pool only."); // unverified wording
  }
  const border = optString(c.p, "NetworkBorderGroup");
  if (border !== undefined && border !== c.s.region) throw invalidParameterValue(`Invalid network border group ${border}.`); // unverified wording
  const tags = tagSpecifications(c.p, ["elastic-ip"])["elastic-ip"];
  gate(c, "AllocateAddress", { arn: arnOf(c.s, "elastic-ip", "*"), context: requestTagContext(tags) });
  checkQuota(c, "ec2.elastic-ips", countOf(c.s.addresses));
  const a = buildAddress(c.s, tags ?? {});
  return { allocationId: a.allocationId, publicIpv4Pool: "amazon", networkBorderGroup: a.networkBorderGroup, domain: "vpc", publicIp: a.publicIp };
}

function byPublicIp(s: Ec2State, ip: string): AddressRec {
  if (parseIpv4(ip) === undefined) throw ec2Error("InvalidAddress.Malformed", `Invalid address: "${ip}" (expecting "xx.xx.xx.xx")`); // unverified wording
  const a = Object.values(s.addresses).find((x) => x.publicIp === ip);
  if (!a) throw ec2Error("InvalidAddress.NotFound", `Address '${ip}' not found.`);
  return a;
}

function releaseAddress(c: Ec2Call): OutputObject {
  const id = optString(c.p, "AllocationId");
  const ip = optString(c.p, "PublicIp");
  if (!id && !ip) throw missingParameter("allocationId");
  const a = id ? getAddress(c.s, id) : byPublicIp(c.s, ip!);
  gate(c, "ReleaseAddress", { arn: arnOf(c.s, "elastic-ip", a.allocationId), context: addressContext(a) });
  const usedByNat = Object.values(c.s.natGateways).some((n) => n.allocationId === a.allocationId && n.state !== "deleted" && n.state !== "failed");
  if (a.association || usedByNat) throw ec2Error("InvalidIPAddress.InUse", `The address with allocation id [${a.allocationId}] is in use.`); // unverified wording
  dropRecord(c.s.addresses, a.allocationId);
  return { return: true };
}

function describeAddresses(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeAddresses");
  let all = Object.values(c.s.addresses);
  const ids = stringList(c.p, "AllocationId");
  const ips = stringList(c.p, "PublicIp");
  for (const ip of ips) byPublicIp(c.s, ip);
  for (const id of ids) if (!c.s.addresses[id]) throw notFound("eipalloc", id);
  if (ids.length || ips.length) all = all.filter((a) => ids.includes(a.allocationId) || ips.includes(a.publicIp));
  const picked = applyFilters(all, parseFilters(c.p), addressFilters, (a) => a.tags);
  return { addressesSet: picked.map((a) => addressView(c.s, a)) };
}

function associateAddressOp(c: Ec2Call): OutputObject {
  const id = optString(c.p, "AllocationId");
  if (!id) throw missingParameter("allocationId");
  const a = getAddress(c.s, id);
  const eniId = optString(c.p, "NetworkInterfaceId");
  if (!eniId) throw missingParameter("networkInterfaceId");
  const eni = getNetworkInterface(c.s, eniId);
  gate(c, "AssociateAddress", [
    { arn: arnOf(c.s, "elastic-ip", a.allocationId), context: addressContext(a) },
    { arn: arnOf(c.s, "network-interface", eni.id), context: { "ec2:Vpc": arnOf(c.s, "vpc", eni.vpcId), ...resourceTagContext(eni.tags) } },
  ]);
  const vpc = c.s.vpcs[eni.vpcId];
  if (!Object.values(c.s.internetGateways).some((g) => g.attachments.some((x) => x.vpcId === vpc?.id))) {
    throw ec2Error("Gateway.NotAttached", `Network ${eni.vpcId} is not attached to any internet gateway`); // unverified wording
  }
  const reassoc = optBool(c.p, "AllowReassociation") === true;
  if (a.association && !reassoc) throw ec2Error("Resource.AlreadyAssociated", `resource ${a.allocationId} is already associated with associate-id ${a.association.associationId}`); // unverified wording
  if (eni.association && !reassoc) throw ec2Error("Resource.AlreadyAssociated", `resource ${eni.id} is already associated with associate-id ${eni.association.associationId}`); // unverified wording
  if (a.association) disassociateAddress(c.s, a);
  if (eni.association) {
    const other = c.s.addresses[eni.association.allocationId];
    if (other) disassociateAddress(c.s, other);
  }
  const associationId = associateAddress(c.s, a, eni, c.s.account);
  return { return: true, associationId };
}

function disassociateAddressOp(c: Ec2Call): OutputObject {
  const associationId = reqString(c.p, "AssociationId");
  const a = Object.values(c.s.addresses).find((x) => x.association?.associationId === associationId);
  if (!a) throw ec2Error("InvalidAssociationID.NotFound", `The association ID '${associationId}' does not exist`);
  gate(c, "DisassociateAddress", { arn: arnOf(c.s, "elastic-ip", a.allocationId), context: addressContext(a) });
  if (Object.values(c.s.natGateways).some((n) => n.associationId === associationId && n.state !== "deleted")) {
    throw ec2Error("OperationNotPermitted", `The address ${a.publicIp} is used by a NAT gateway and cannot be disassociated.`); // unverified wording
  }
  disassociateAddress(c.s, a);
  return { return: true };
}

export const addressOperations = {
  AllocateAddress: allocateAddress,
  ReleaseAddress: releaseAddress,
  DescribeAddresses: describeAddresses,
  AssociateAddress: associateAddressOp,
  DisassociateAddress: disassociateAddressOp,
};
