import { own, dict } from "../../core/dict.ts";
import { ec2Id } from "../../core/ids.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { formatCidr, isAligned, parseCidr } from "../../net-addr/blocks.ts";
import { priorResult, rememberResult } from "./client-token.ts";
import { arnOf, gate, gateDescribe, requestTagContext, resourceTagContext, type Ec2Call } from "./context.ts";
import { dependencyViolation, ec2Error, invalidCidrParameter, invalidParameterValue, missingParameter, notFound } from "./errors.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { getNetworkAcl, getVpc, selectByIds } from "./lookup.ts";
import { BOUNDS_1000, paginate } from "./pagination.ts";
import { optBool, optInt, optString, reqString, stringList } from "./request.ts";
import type { AclEntry, Ec2State, NetworkAclRec, SubnetRec, VpcRec } from "./state.ts";
import { tagSetView, tagSpecifications } from "./tags.ts";

/**
 * Network ACLs: stateless, numbered rules evaluated lowest first, then the `*` rule (shown as
 * 32767 for IPv4 and 32768 for IPv6) that denies. Every subnet is associated with exactly one.
 */
export const LAST_IPV4_RULE = 32767;
export const LAST_IPV6_RULE = 32768;

function allowAll(ruleNumber: number, egress: boolean, v6: boolean): AclEntry {
  return { ruleNumber, egress, protocol: "-1", ruleAction: "allow", ...(v6 ? { ipv6CidrBlock: "::/0" } : { cidrBlock: "0.0.0.0/0" }) };
}

function denyAll(egress: boolean, v6: boolean): AclEntry {
  return { ruleNumber: v6 ? LAST_IPV6_RULE : LAST_IPV4_RULE, egress, protocol: "-1", ruleAction: "deny", ...(v6 ? { ipv6CidrBlock: "::/0" } : { cidrBlock: "0.0.0.0/0" }) };
}

export function buildNetworkAcl(s: Ec2State, vpc: VpcRec, isDefault: boolean, tags: Record<string, string> = dict()): NetworkAclRec {
  const id = ec2Id("acl");
  const v6 = vpc.ipv6.length > 0;
  const entries: AclEntry[] = [];
  for (const egress of [true, false]) {
    if (isDefault) {
      entries.push(allowAll(100, egress, false));
      if (v6) entries.push(allowAll(101, egress, true));
    }
    entries.push(denyAll(egress, false));
    if (v6) entries.push(denyAll(egress, true));
  }
  const acl: NetworkAclRec = { id, vpcId: vpc.id, ownerId: s.account, isDefault, entries, associations: [], tags };
  s.networkAcls[id] = acl;
  return acl;
}

/** After an IPv6 block joins a VPC: the default ACL allows IPv6 (rule 101), every ACL gets the IPv6 `*` deny. */
export function addIpv6AclEntries(s: Ec2State, vpc: VpcRec): void {
  for (const acl of Object.values(s.networkAcls)) {
    if (acl.vpcId !== vpc.id) continue;
    for (const egress of [true, false]) {
      if (!acl.entries.some((e) => e.egress === egress && e.ruleNumber === LAST_IPV6_RULE)) acl.entries.push(denyAll(egress, true));
      if (acl.isDefault && !acl.entries.some((e) => e.egress === egress && e.ruleNumber === 101)) acl.entries.push(allowAll(101, egress, true));
    }
  }
}

export function associateWithDefaultAcl(s: Ec2State, vpc: VpcRec, subnet: SubnetRec): void {
  s.networkAcls[vpc.defaultNetworkAclId]?.associations.push({ associationId: ec2Id("aclassoc"), subnetId: subnet.id });
}

export function dropSubnetFromAcls(s: Ec2State, subnetId: string): void {
  for (const acl of Object.values(s.networkAcls)) acl.associations = acl.associations.filter((a) => a.subnetId !== subnetId);
}

function entryView(e: AclEntry): OutputObject {
  return {
    cidrBlock: e.cidrBlock,
    egress: e.egress,
    icmpTypeCode: e.icmp ? { code: e.icmp.code, type: e.icmp.type } : undefined,
    ipv6CidrBlock: e.ipv6CidrBlock,
    portRange: e.portRange ? { from: e.portRange.from, to: e.portRange.to } : undefined,
    protocol: e.protocol,
    ruleAction: e.ruleAction,
    ruleNumber: e.ruleNumber,
  };
}

/** Entries as AWS lists them: egress first, each direction by rule number. */
export function sortedEntries(acl: NetworkAclRec): AclEntry[] {
  return [...acl.entries].sort((a, b) => (a.egress === b.egress ? a.ruleNumber - b.ruleNumber : a.egress ? -1 : 1));
}

export function networkAclView(acl: NetworkAclRec): OutputObject {
  return {
    associationSet: acl.associations.map((a) => ({ networkAclAssociationId: a.associationId, networkAclId: acl.id, subnetId: a.subnetId })),
    entrySet: sortedEntries(acl).map(entryView),
    default: acl.isDefault,
    networkAclId: acl.id,
    tagSet: tagSetView(acl.tags, true),
    vpcId: acl.vpcId,
    ownerId: acl.ownerId,
  };
}

const aclFilters: FilterTable<NetworkAclRec> = {
  "association.association-id": (a) => a.associations.map((x) => x.associationId),
  "association.network-acl-id": (a) => a.associations.map(() => a.id),
  "association.subnet-id": (a) => a.associations.map((x) => x.subnetId),
  default: (a) => a.isDefault,
  "entry.cidr": (a) => a.entries.map((e) => e.cidrBlock),
  "entry.egress": (a) => a.entries.map((e) => e.egress),
  "entry.icmp.code": (a) => a.entries.map((e) => e.icmp?.code),
  "entry.icmp.type": (a) => a.entries.map((e) => e.icmp?.type),
  "entry.ipv6-cidr": (a) => a.entries.map((e) => e.ipv6CidrBlock),
  "entry.port-range.from": (a) => a.entries.map((e) => e.portRange?.from),
  "entry.port-range.to": (a) => a.entries.map((e) => e.portRange?.to),
  "entry.protocol": (a) => a.entries.map((e) => e.protocol),
  "entry.rule-action": (a) => a.entries.map((e) => e.ruleAction),
  "entry.rule-number": (a) => a.entries.map((e) => e.ruleNumber),
  "network-acl-id": (a) => a.id,
  "owner-id": (a) => a.ownerId,
  "vpc-id": (a) => a.vpcId,
};

export function aclContext(s: Ec2State, acl: NetworkAclRec) {
  return { "ec2:Vpc": arnOf(s, "vpc", acl.vpcId), "ec2:NetworkAclID": acl.id, ...resourceTagContext(acl.tags) };
}

const ACL_PROTOCOLS: Record<string, string> = { "-1": "-1", all: "-1", tcp: "6", udp: "17", icmp: "1", icmpv6: "58" };

export function normalizeAclProtocol(raw: string): string {
  const named = own(ACL_PROTOCOLS, raw.toLowerCase());
  if (named) return named;
  if (/^\d{1,3}$/.test(raw) && Number(raw) <= 255) return String(Number(raw));
  throw invalidParameterValue(`Invalid value '${raw}' for protocol. Unknown protocol.`); // unverified wording
}

function createNetworkAcl(c: Ec2Call): OutputObject {
  const vpc = getVpc(c.s, reqString(c.p, "VpcId"));
  const tags = tagSpecifications(c.p, ["network-acl"])["network-acl"];
  gate(c, "CreateNetworkAcl", [
    { arn: arnOf(c.s, "network-acl", "*"), context: { "ec2:Vpc": arnOf(c.s, "vpc", vpc.id), ...requestTagContext(tags) } },
    { arn: arnOf(c.s, "vpc", vpc.id), context: { "ec2:Vpc": arnOf(c.s, "vpc", vpc.id), ...resourceTagContext(vpc.tags) } },
  ]);
  const prior = priorResult(c, "CreateNetworkAcl");
  if (prior && c.s.networkAcls[prior]) return { networkAcl: networkAclView(c.s.networkAcls[prior]), clientToken: optString(c.p, "ClientToken") };
  const acl = buildNetworkAcl(c.s, vpc, false, tags ?? {});
  rememberResult(c, "CreateNetworkAcl", acl.id);
  return { networkAcl: networkAclView(acl), clientToken: optString(c.p, "ClientToken") };
}

function describeNetworkAcls(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeNetworkAcls");
  const all = selectByIds(Object.values(c.s.networkAcls), stringList(c.p, "NetworkAclId"), (a) => a.id, "acl", "acl");
  const picked = applyFilters(all, parseFilters(c.p), aclFilters, (a) => a.tags);
  const page = paginate(picked, c.p, BOUNDS_1000, (a) => a.id);
  return { networkAclSet: page.items.map(networkAclView), nextToken: page.nextToken };
}

function deleteNetworkAcl(c: Ec2Call): OutputObject {
  const acl = getNetworkAcl(c.s, reqString(c.p, "NetworkAclId"));
  gate(c, "DeleteNetworkAcl", { arn: arnOf(c.s, "network-acl", acl.id), context: aclContext(c.s, acl) });
  if (acl.isDefault) throw invalidParameterValue(`cannot delete default network ACL ${acl.id}`); // unverified wording
  if (acl.associations.length > 0) throw dependencyViolation(`The networkAcl '${acl.id}' has dependencies and cannot be deleted.`);
  delete c.s.networkAcls[acl.id];
  return { return: true };
}

/** The rule an entry call describes, checked as EC2 checks it; also returns its number and direction. */
function readEntry(c: Ec2Call): AclEntry {
  const ruleNumber = optInt(c.p, "RuleNumber");
  if (ruleNumber === undefined) throw missingParameter("ruleNumber");
  if (ruleNumber < 1 || ruleNumber > 32766) {
    throw invalidParameterValue(`Value (${ruleNumber}) for parameter ruleNumber is invalid. Rule number must be between 1 and 32766.`); // unverified wording
  }
  const egress = optBool(c.p, "Egress");
  if (egress === undefined) throw missingParameter("egress");
  const protocol = normalizeAclProtocol(reqString(c.p, "Protocol"));
  const action = reqString(c.p, "RuleAction").toLowerCase();
  if (action !== "allow" && action !== "deny") throw invalidParameterValue(`Value (${action}) for parameter ruleAction is invalid. Valid values: allow, deny.`); // unverified wording
  const v4 = optString(c.p, "CidrBlock");
  const v6 = optString(c.p, "Ipv6CidrBlock");
  if (!v4 && !v6) throw missingParameter("cidrBlock or ipv6CidrBlock"); // unverified wording
  if (v4 && v6) throw ec2Error("InvalidParameterCombination", "Only one of cidrBlock or ipv6CidrBlock may be specified."); // unverified wording
  const entry: AclEntry = { ruleNumber, egress, protocol, ruleAction: action };
  if (v4) {
    const b = parseCidr(v4, 4);
    if (!b || !isAligned(b)) throw invalidCidrParameter(v4, "cidrBlock");
    entry.cidrBlock = formatCidr(b);
  } else {
    const b = parseCidr(v6!, 6);
    if (!b || !isAligned(b)) throw invalidCidrParameter(v6!, "ipv6CidrBlock");
    entry.ipv6CidrBlock = formatCidr(b);
  }
  if (protocol === "6" || protocol === "17") {
    const from = optInt(c.p.PortRange, "From");
    const to = optInt(c.p.PortRange, "To");
    if (from === undefined || to === undefined) throw missingParameter("portRange"); // unverified wording
    if (from < 0 || to > 65535 || from > to) throw invalidParameterValue(`Invalid port range: from ${from} to ${to}.`); // unverified wording
    entry.portRange = { from, to };
  }
  if (protocol === "1" || protocol === "58") {
    const type = optInt(c.p.Icmp, "Type");
    const code = optInt(c.p.Icmp, "Code");
    if (type === undefined || code === undefined) throw missingParameter("icmpTypeCode"); // unverified wording
    if (type < -1 || type > 255 || code < -1 || code > 255) throw invalidParameterValue(`Invalid ICMP type or code: type ${type}, code ${code}.`); // unverified wording
    entry.icmp = { type, code };
  }
  return entry;
}

function createNetworkAclEntry(c: Ec2Call): OutputObject {
  const acl = getNetworkAcl(c.s, reqString(c.p, "NetworkAclId"));
  const entry = readEntry(c);
  gate(c, "CreateNetworkAclEntry", { arn: arnOf(c.s, "network-acl", acl.id), context: aclContext(c.s, acl) });
  if (acl.entries.some((e) => e.egress === entry.egress && e.ruleNumber === entry.ruleNumber)) {
    throw ec2Error("NetworkAclEntryAlreadyExists", `The network acl entry identified by ${entry.ruleNumber} already exists.`);
  }
  acl.entries.push(entry);
  return { return: true };
}

function entryNotFound(acl: NetworkAclRec, ruleNumber: number, egress: boolean) {
  return ec2Error("InvalidNetworkAclEntry.NotFound", `The network acl entry identified by ${ruleNumber} (${egress ? "egress" : "ingress"}) does not exist in ${acl.id}.`); // unverified wording
}

function replaceNetworkAclEntry(c: Ec2Call): OutputObject {
  const acl = getNetworkAcl(c.s, reqString(c.p, "NetworkAclId"));
  const entry = readEntry(c);
  gate(c, "ReplaceNetworkAclEntry", { arn: arnOf(c.s, "network-acl", acl.id), context: aclContext(c.s, acl) });
  const at = acl.entries.findIndex((e) => e.egress === entry.egress && e.ruleNumber === entry.ruleNumber);
  if (at < 0) throw entryNotFound(acl, entry.ruleNumber, entry.egress);
  acl.entries[at] = entry;
  return { return: true };
}

function deleteNetworkAclEntry(c: Ec2Call): OutputObject {
  const acl = getNetworkAcl(c.s, reqString(c.p, "NetworkAclId"));
  const ruleNumber = optInt(c.p, "RuleNumber");
  if (ruleNumber === undefined) throw missingParameter("ruleNumber");
  const egress = optBool(c.p, "Egress");
  if (egress === undefined) throw missingParameter("egress");
  gate(c, "DeleteNetworkAclEntry", { arn: arnOf(c.s, "network-acl", acl.id), context: aclContext(c.s, acl) });
  if (ruleNumber < 1 || ruleNumber > 32766) {
    throw invalidParameterValue(`Value (${ruleNumber}) for parameter ruleNumber is invalid. Rule number must be between 1 and 32766.`); // unverified wording
  }
  const at = acl.entries.findIndex((e) => e.egress === egress && e.ruleNumber === ruleNumber);
  if (at < 0) throw entryNotFound(acl, ruleNumber, egress);
  acl.entries.splice(at, 1);
  return { return: true };
}

function replaceNetworkAclAssociation(c: Ec2Call): OutputObject {
  const associationId = reqString(c.p, "AssociationId");
  const target = getNetworkAcl(c.s, reqString(c.p, "NetworkAclId"));
  const from = Object.values(c.s.networkAcls).find((a) => a.associations.some((x) => x.associationId === associationId));
  if (!from) throw notFound("assoc", associationId);
  gate(c, "ReplaceNetworkAclAssociation", [
    { arn: arnOf(c.s, "network-acl", target.id), context: aclContext(c.s, target) },
    { arn: arnOf(c.s, "network-acl", from.id), context: aclContext(c.s, from) },
  ]);
  if (target.vpcId !== from.vpcId) {
    throw invalidParameterValue(`Network ACL ${target.id} and association ${associationId} belong to different networks.`); // unverified wording
  }
  const assoc = from.associations.find((x) => x.associationId === associationId)!;
  from.associations = from.associations.filter((x) => x !== assoc);
  const newAssociationId = ec2Id("aclassoc");
  target.associations.push({ associationId: newAssociationId, subnetId: assoc.subnetId });
  return { newAssociationId };
}

export const networkAclOperations = {
  CreateNetworkAcl: createNetworkAcl,
  DescribeNetworkAcls: describeNetworkAcls,
  DeleteNetworkAcl: deleteNetworkAcl,
  CreateNetworkAclEntry: createNetworkAclEntry,
  ReplaceNetworkAclEntry: replaceNetworkAclEntry,
  DeleteNetworkAclEntry: deleteNetworkAclEntry,
  ReplaceNetworkAclAssociation: replaceNetworkAclAssociation,
};
