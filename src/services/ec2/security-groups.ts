import { own, dict } from "../../core/dict.ts";
import { ec2Id } from "../../core/ids.ts";
import { checkQuota } from "./quotas.ts";
import type { InputTree } from "../../core/input-tree.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { formatCidr, isAligned, parseCidr } from "../../net-addr/blocks.ts";
import { arnOf, gate, gateDescribe, requestTagContext, resourceTagContext, type Ec2Call } from "./context.ts";
import { dependencyViolation, ec2Error, invalidParameterValue, missingParameter, notFound, wellFormed, malformed } from "./errors.ts";
import { interfaceIndex } from "./eni-index.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { getSecurityGroup, getVpc, selectByIds } from "./lookup.ts";
import { BOUNDS_1000, paginate } from "./pagination.ts";
import { optInt, optString, reqString, stringList, structList } from "./request.ts";
import { countInVpc, dropRecord, putRecord, type Ec2State, type SecurityGroupRec, type SgRule, type VpcRec } from "./state.ts";
import { tagSetView, tagSpecifications } from "./tags.ts";

/**
 * Security groups: the default group of each VPC, custom groups (egress allow-all on creation),
 * rules with protocols, port ranges, IPv4/IPv6 CIDRs, group references and prefix lists. Each
 * stored rule has one source, like AWS's SecurityGroupRule; the IpPermissions view groups them.
 */

export function buildSecurityGroup(s: Ec2State, vpc: VpcRec, o: { name: string; description: string; isDefault?: boolean; tags?: Record<string, string> }): SecurityGroupRec {
  const id = ec2Id("sg");
  const g: SecurityGroupRec = { id, name: o.name, description: o.description, vpcId: vpc.id, ownerId: s.account, isDefault: o.isDefault ?? false, rules: [], tags: o.tags ?? dict() };
  if (g.isDefault) {
    // The default group lets its members talk to each other, and everything out.
    g.rules.push({ id: ec2Id("sgr"), egress: false, protocol: "-1", refGroupId: id, refUserId: s.account, tags: dict() });
    if (vpc.ipv6.length > 0) g.rules.push({ id: ec2Id("sgr"), egress: true, protocol: "-1", cidrIpv6: "::/0", tags: dict() });
  }
  g.rules.push({ id: ec2Id("sgr"), egress: true, protocol: "-1", cidrIpv4: "0.0.0.0/0", tags: dict() });
  putRecord(s.securityGroups, id, g);
  return g;
}

export function sgContext(s: Ec2State, g: SecurityGroupRec) {
  return { "ec2:Vpc": arnOf(s, "vpc", g.vpcId), "ec2:SecurityGroupID": g.id, ...resourceTagContext(g.tags) };
}

function defaultVpc(s: Ec2State): VpcRec | undefined {
  return Object.values(s.vpcs).find((v) => v.isDefault);
}

/** By GroupId, or by GroupName in the default VPC (the only place names are accepted). */
function groupByIdOrName(s: Ec2State, p: InputTree): SecurityGroupRec {
  const id = optString(p, "GroupId");
  if (id) return getSecurityGroup(s, id);
  const name = optString(p, "GroupName");
  if (!name) throw missingParameter("groupId");
  const dv = defaultVpc(s);
  const g = dv ? Object.values(s.securityGroups).find((x) => x.vpcId === dv.id && x.name === name) : undefined;
  if (!g) throw ec2Error("InvalidGroup.NotFound", dv ? `The security group '${name}' does not exist in default VPC '${dv.id}'` : `The security group '${name}' does not exist`);
  return g;
}

const PROTOCOL_NAMES: Record<string, string> = { "-1": "-1", all: "-1", tcp: "tcp", "6": "tcp", udp: "udp", "17": "udp", icmp: "icmp", "1": "icmp", icmpv6: "icmpv6", "58": "icmpv6" };

export function normalizeSgProtocol(raw: string): string {
  const named = own(PROTOCOL_NAMES, raw.toLowerCase());
  if (named) return named;
  if (/^\d{1,3}$/.test(raw) && Number(raw) <= 255) return String(Number(raw));
  throw invalidParameterValue(`Invalid value '${raw}' for IP protocol. Unknown protocol.`);
}

type Source = Pick<SgRule, "cidrIpv4" | "cidrIpv6" | "prefixListId" | "refGroupId" | "refUserId" | "refVpcId" | "description">;

interface Permission {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  sources: Source[];
}

function cidrOf(value: string, v: 4 | 6): string {
  const c = parseCidr(value, v);
  if (!c || !isAligned(c)) throw invalidParameterValue(`CIDR block ${value} is malformed`);
  return formatCidr(c);
}

function ports(protocol: string, from: number | undefined, to: number | undefined): { fromPort?: number; toPort?: number } {
  if (protocol === "tcp" || protocol === "udp") {
    if (from === undefined || to === undefined) {
      throw invalidParameterValue(`Invalid value 'null' for portRange. Must specify both from and to ports with TCP/UDP.`);
    }
    if (from < 0 || from > 65535 || to < 0 || to > 65535 || from > to) {
      throw invalidParameterValue(`Invalid TCP/UDP port range: from port ${from} to port ${to}.`); // unverified wording
    }
    return { fromPort: from, toPort: to };
  }
  if (protocol === "icmp" || protocol === "icmpv6") {
    // For ICMP the "ports" are the type and the code; -1 means any.
    const type = from ?? -1;
    const code = to ?? -1;
    if (type < -1 || type > 255 || code < -1 || code > 255) {
      throw invalidParameterValue(`Invalid value for ICMP type or code: type ${type}, code ${code}.`); // unverified wording
    }
    if (type === -1 && code !== -1) throw invalidParameterValue(`ICMP code ${code} requires a specific ICMP type.`); // unverified wording
    return { fromPort: type, toPort: code };
  }
  return {};
}

/** IpPermissions.N..., or the legacy top-level IpProtocol/FromPort/ToPort/CidrIp/SourceSecurityGroupName. */
function readPermissions(s: Ec2State, group: SecurityGroupRec, p: InputTree, stateOf?: Ec2Call["stateOf"]): Permission[] {
  const perms: Permission[] = [];
  for (const ip of structList(p, "IpPermissions")) {
    const raw = typeof ip.IpProtocol === "string" ? ip.IpProtocol : "";
    if (raw === "") throw missingParameter("ipPermissions.ipProtocol"); // unverified wording
    const protocol = normalizeSgProtocol(raw);
    const sources: Source[] = [];
    for (const r of structList(ip, "IpRanges")) sources.push({ cidrIpv4: cidrOf(typeof r.CidrIp === "string" ? r.CidrIp : "", 4), description: optString(r, "Description") });
    for (const r of structList(ip, "Ipv6Ranges")) sources.push({ cidrIpv6: cidrOf(typeof r.CidrIpv6 === "string" ? r.CidrIpv6 : "", 6), description: optString(r, "Description") });
    for (const r of structList(ip, "PrefixListIds")) {
      const pl = typeof r.PrefixListId === "string" ? r.PrefixListId : "";
      if (!wellFormed("pl", pl)) throw ec2Error("InvalidPrefixListId.Malformed", `Invalid id: "${pl}" (expecting "pl-...")`); // unverified wording
      sources.push({ prefixListId: pl, description: optString(r, "Description") });
    }
    for (const r of structList(ip, "Groups")) sources.push({ ...groupSource(s, group, optString(r, "GroupId"), optString(r, "GroupName"), optString(r, "UserId"), stateOf), description: optString(r, "Description") });
    perms.push({ protocol, ...ports(protocol, optInt(ip, "FromPort"), optInt(ip, "ToPort")), sources });
  }
  const legacyProtocol = optString(p, "IpProtocol");
  const legacyCidr = optString(p, "CidrIp");
  const legacyGroup = optString(p, "SourceSecurityGroupName");
  if (legacyProtocol || legacyCidr || legacyGroup) {
    const protocol = normalizeSgProtocol(legacyProtocol ?? "-1");
    const sources: Source[] = [];
    if (legacyCidr) sources.push({ cidrIpv4: cidrOf(legacyCidr, 4) });
    if (legacyGroup) sources.push(groupSource(s, group, undefined, legacyGroup));
    perms.push({ protocol, ...ports(protocol, optInt(p, "FromPort"), optInt(p, "ToPort")), sources });
  }
  if (perms.length === 0) throw missingParameter("ipPermissions"); // unverified wording
  for (const perm of perms) {
    if (perm.sources.length === 0) {
      throw invalidParameterValue("The request must specify a source or destination: IpRanges, Ipv6Ranges, PrefixListIds or UserIdGroupPairs."); // unverified wording
    }
  }
  return perms;
}

/**
 * A group reference: same VPC, or a VPC peered with it by an active peering connection; in another
 * account (UserId) of the same Region, by id (AWS: `123456789012/sg-1a2b3c4d`, VPC peering guide).
 */
function groupSource(s: Ec2State, group: SecurityGroupRec, id: string | undefined, name: string | undefined, userId?: string, stateOf?: Ec2Call["stateOf"]): Source {
  let ref: SecurityGroupRec | undefined;
  if (userId !== undefined && userId !== s.account) {
    if (!id) throw missingParameter("groupId"); // a group of another account is named by id
    if (!wellFormed("sg", id)) throw malformed("sg", "sg", id);
    ref = /^\d{12}$/.test(userId) ? own(stateOf?.(userId, s.region).securityGroups, id) : undefined;
    if (!ref) throw notFound("sg", id);
  } else if (id) {
    if (!wellFormed("sg", id)) throw malformed("sg", "sg", id);
    ref = s.securityGroups[id];
    if (!ref) throw notFound("sg", id);
  } else if (name) {
    ref = Object.values(s.securityGroups).find((g) => g.vpcId === group.vpcId && g.name === name);
    if (!ref) throw ec2Error("InvalidGroup.NotFound", `The security group '${name}' does not exist in VPC '${group.vpcId}'`); // unverified wording
  } else {
    throw missingParameter("groupId");
  }
  if (ref.vpcId !== group.vpcId && !peered(s, ref.vpcId, group.vpcId)) {
    throw ec2Error("InvalidGroup.NotFound", "You have specified two resources that belong to different networks.");
  }
  return { refGroupId: ref.id, refUserId: ref.ownerId, refVpcId: ref.vpcId !== group.vpcId ? ref.vpcId : undefined };
}

function peered(s: Ec2State, a: string, b: string): boolean {
  return Object.values(s.peerings).some((x) => x.status === "active" && ((x.requesterVpcId === a && x.accepterVpcId === b) || (x.requesterVpcId === b && x.accepterVpcId === a)));
}

function sameRule(a: Pick<SgRule, "egress" | "protocol" | "fromPort" | "toPort"> & Source, b: Pick<SgRule, "egress" | "protocol" | "fromPort" | "toPort"> & Source): boolean {
  return (
    a.egress === b.egress &&
    a.protocol === b.protocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    a.cidrIpv4 === b.cidrIpv4 &&
    a.cidrIpv6 === b.cidrIpv6 &&
    a.prefixListId === b.prefixListId &&
    a.refGroupId === b.refGroupId
  );
}

/** AWS's description of a rule in InvalidPermission.Duplicate: "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW". */
function describeRule(r: Pick<SgRule, "protocol" | "fromPort" | "toPort"> & Source): string {
  const peer = r.cidrIpv4 ?? r.cidrIpv6 ?? r.prefixListId ?? r.refGroupId ?? "";
  if (r.protocol === "-1") return `peer: ${peer}, ALL, ALLOW`; // unverified wording
  if (r.protocol === "tcp" || r.protocol === "udp") return `peer: ${peer}, ${r.protocol.toUpperCase()}, from port: ${r.fromPort}, to port: ${r.toPort}, ALLOW`;
  if (r.protocol === "icmp" || r.protocol === "icmpv6") return `peer: ${peer}, ${r.protocol.toUpperCase()}, type: ${r.fromPort}, code: ${r.toPort}, ALLOW`; // unverified wording
  return `peer: ${peer}, ${r.protocol}, ALLOW`; // unverified wording
}

function ruleView(s: Ec2State, g: SecurityGroupRec, r: SgRule): OutputObject {
  const portless = r.fromPort === undefined;
  return {
    securityGroupRuleId: r.id,
    groupId: g.id,
    groupOwnerId: g.ownerId,
    isEgress: r.egress,
    ipProtocol: r.protocol,
    fromPort: portless ? -1 : r.fromPort,
    toPort: portless ? -1 : r.toPort,
    cidrIpv4: r.cidrIpv4,
    cidrIpv6: r.cidrIpv6,
    prefixListId: r.prefixListId,
    referencedGroupInfo: r.refGroupId ? { groupId: r.refGroupId, userId: r.refUserId, vpcId: r.refVpcId } : undefined,
    description: r.description,
    tagSet: tagSetView(r.tags, true),
    securityGroupRuleArn: arnOf(s, "security-group-rule", r.id),
  };
}

/** The classic IpPermissions view: rules grouped by protocol and port range. */
function permissionsView(rules: SgRule[]): OutputObject[] {
  const groups: { key: string; rules: SgRule[] }[] = [];
  for (const r of rules) {
    const key = `${r.protocol}|${r.fromPort}|${r.toPort}`;
    let g = groups.find((x) => x.key === key);
    if (!g) groups.push((g = { key, rules: [] }));
    g.rules.push(r);
  }
  return groups.map(({ rules: rs }) => ({
    ipProtocol: rs[0].protocol,
    fromPort: rs[0].fromPort,
    toPort: rs[0].toPort,
    groups: rs
      .filter((r) => r.refGroupId)
      .map((r) => ({ description: r.description, userId: r.refUserId, groupId: r.refGroupId, vpcId: r.refVpcId, peeringStatus: r.refVpcId ? "active" : undefined })),
    ipRanges: rs.filter((r) => r.cidrIpv4).map((r) => ({ description: r.description, cidrIp: r.cidrIpv4 })),
    ipv6Ranges: rs.filter((r) => r.cidrIpv6).map((r) => ({ description: r.description, cidrIpv6: r.cidrIpv6 })),
    prefixListIds: rs.filter((r) => r.prefixListId).map((r) => ({ description: r.description, prefixListId: r.prefixListId })),
  }));
}

export function securityGroupView(s: Ec2State, g: SecurityGroupRec): OutputObject {
  return {
    groupId: g.id,
    ipPermissionsEgress: permissionsView(g.rules.filter((r) => r.egress)),
    tagSet: tagSetView(g.tags),
    vpcId: g.vpcId,
    securityGroupArn: arnOf(s, "security-group", g.id),
    ownerId: g.ownerId,
    groupName: g.name,
    groupDescription: g.description,
    ipPermissions: permissionsView(g.rules.filter((r) => !r.egress)),
  };
}

const DESCRIPTION_CHARS = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;

function createSecurityGroup(c: Ec2Call): OutputObject {
  const name = reqString(c.p, "GroupName", "groupName");
  const description = reqString(c.p, "GroupDescription", "groupDescription");
  const vpcId = optString(c.p, "VpcId");
  const vpc = vpcId ? getVpc(c.s, vpcId) : defaultVpc(c.s);
  if (!vpc) throw ec2Error("VPCIdNotSpecified", "No default VPC for this user");
  const tags = tagSpecifications(c.p, ["security-group"])["security-group"];
  gate(c, "CreateSecurityGroup", [
    { arn: arnOf(c.s, "security-group", "*"), context: { "ec2:Vpc": arnOf(c.s, "vpc", vpc.id), ...requestTagContext(tags) } },
    { arn: arnOf(c.s, "vpc", vpc.id), context: { "ec2:Vpc": arnOf(c.s, "vpc", vpc.id), ...resourceTagContext(vpc.tags) } },
  ]);
  if (name.length > 255) throw invalidParameterValue(`Value (${name}) for parameter GroupName is invalid. Group names may be up to 255 characters long.`); // unverified wording
  if (/^sg-/i.test(name)) throw invalidParameterValue(`Value (${name}) for parameter GroupName is invalid. Group names may not be in the format sg-*.`);
  if (description.length > 255 || !DESCRIPTION_CHARS.test(description)) {
    throw invalidParameterValue(`Value (${description}) for parameter GroupDescription is invalid. Character sets beyond ASCII are not supported.`); // unverified wording
  }
  if (Object.values(c.s.securityGroups).some((g) => g.vpcId === vpc.id && g.name === name)) {
    throw ec2Error("InvalidGroup.Duplicate", `The security group '${name}' already exists for VPC '${vpc.id}'`);
  }
  checkQuota(c, "ec2.security-groups-per-vpc", countInVpc(c.s.securityGroups, vpc.id));
  const g = buildSecurityGroup(c.s, vpc, { name, description, tags });
  return { return: true, groupId: g.id, tagSet: tagSetView(g.tags), securityGroupArn: arnOf(c.s, "security-group", g.id) };
}

const sgFilters: FilterTable<SecurityGroupRec> = {
  description: (g) => g.description,
  "group-id": (g) => g.id,
  "group-name": (g) => g.name,
  "owner-id": (g) => g.ownerId,
  "vpc-id": (g) => g.vpcId,
  ...permissionFilters("ip-permission", false),
  ...permissionFilters("egress.ip-permission", true),
};

function permissionFilters(prefix: string, egress: boolean): FilterTable<SecurityGroupRec> {
  const rules = (g: SecurityGroupRec) => g.rules.filter((r) => r.egress === egress);
  return {
    [`${prefix}.cidr`]: (g) => rules(g).map((r) => r.cidrIpv4),
    [`${prefix}.ipv6-cidr`]: (g) => rules(g).map((r) => r.cidrIpv6),
    [`${prefix}.from-port`]: (g) => rules(g).map((r) => r.fromPort),
    [`${prefix}.to-port`]: (g) => rules(g).map((r) => r.toPort),
    [`${prefix}.protocol`]: (g) => rules(g).map((r) => r.protocol),
    [`${prefix}.group-id`]: (g) => rules(g).map((r) => r.refGroupId),
    [`${prefix}.group-name`]: () => [],
    [`${prefix}.prefix-list-id`]: (g) => rules(g).map((r) => r.prefixListId),
    [`${prefix}.user-id`]: (g) => rules(g).map((r) => r.refUserId),
  };
}

function describeSecurityGroups(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeSecurityGroups");
  let all = selectByIds(Object.values(c.s.securityGroups), stringList(c.p, "GroupId"), (g) => g.id, "sg", "sg");
  const names = stringList(c.p, "GroupName");
  if (names.length) {
    const dv = defaultVpc(c.s);
    for (const n of names) {
      if (!all.some((g) => g.name === n && g.vpcId === dv?.id)) {
        throw ec2Error("InvalidGroup.NotFound", dv ? `The security group '${n}' does not exist in default VPC '${dv.id}'` : `The security group '${n}' does not exist`);
      }
    }
    all = all.filter((g) => names.includes(g.name) && g.vpcId === dv?.id);
  }
  const picked = applyFilters(all, parseFilters(c.p), sgFilters, (g) => g.tags);
  const page = paginate(picked, c.p, BOUNDS_1000, (g) => g.id);
  return { nextToken: page.nextToken, securityGroupInfo: page.items.map((g) => securityGroupView(c.s, g)) };
}

/** Why a group cannot be deleted: the interfaces that use it, the groups whose rules name it. */
export function securityGroupDependents(s: Ec2State, id: string): string[] {
  const deps: string[] = [];
  deps.push(...interfaceIndex(s).idsWith("group", id));
  for (const g of Object.values(s.securityGroups)) if (g.id !== id && g.rules.some((r) => r.refGroupId === id)) deps.push(g.id);
  return deps;
}

function deleteSecurityGroup(c: Ec2Call): OutputObject {
  const g = groupByIdOrName(c.s, c.p);
  gate(c, "DeleteSecurityGroup", { arn: arnOf(c.s, "security-group", g.id), context: sgContext(c.s, g) });
  if (g.isDefault) throw ec2Error("CannotDelete", `the specified group: "${g.id}" name: "default" cannot be deleted by a user`);
  if (securityGroupDependents(c.s, g.id).length > 0) throw dependencyViolation(`resource ${g.id} has a dependent object`);
  dropRecord(c.s.securityGroups, g.id);
  return { return: true, groupId: g.id };
}

function authorize(c: Ec2Call, egress: boolean): OutputObject {
  const g = egress ? getSecurityGroup(c.s, reqString(c.p, "GroupId")) : groupByIdOrName(c.s, c.p);
  const perms = readPermissions(c.s, g, c.p, c.stateOf);
  const tags = tagSpecifications(c.p, ["security-group-rule"])["security-group-rule"] ?? dict();
  gate(c, egress ? "AuthorizeSecurityGroupEgress" : "AuthorizeSecurityGroupIngress", { arn: arnOf(c.s, "security-group", g.id), context: { ...sgContext(c.s, g), ...requestTagContext(tags) } });
  const added: SgRule[] = [];
  for (const perm of perms) {
    for (const src of perm.sources) {
      const rule: SgRule = { id: ec2Id("sgr"), egress, protocol: perm.protocol, fromPort: perm.fromPort, toPort: perm.toPort, ...src, tags: dict(tags) };
      if (g.rules.some((r) => sameRule(r, rule)) || added.some((r) => sameRule(r, rule))) {
        throw ec2Error("InvalidPermission.Duplicate", `the specified rule "${describeRule(rule)}" already exists`);
      }
      added.push(rule);
    }
  }
  checkQuota(c, "ec2.rules-per-security-group", g.rules.filter((r) => r.egress === egress).length, added.length);
  g.rules.push(...added);
  return { return: true, securityGroupRuleSet: added.map((r) => ruleView(c.s, g, r)) };
}

function revoke(c: Ec2Call, egress: boolean): OutputObject {
  const g = egress ? getSecurityGroup(c.s, reqString(c.p, "GroupId")) : groupByIdOrName(c.s, c.p);
  const ruleIds = stringList(c.p, "SecurityGroupRuleId");
  const action = egress ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress";
  let doomed: SgRule[] = [];
  const unknown: OutputObject[] = [];
  if (ruleIds.length > 0) {
    for (const id of ruleIds) {
      if (!wellFormed("sgr", id)) throw malformed("sgr", "sgr", id);
      const r = g.rules.find((x) => x.id === id && x.egress === egress);
      if (!r) throw notFound("sgr", id);
      doomed.push(r);
    }
    gate(c, action, { arn: arnOf(c.s, "security-group", g.id), context: sgContext(c.s, g) });
  } else {
    const perms = readPermissions(c.s, g, c.p, c.stateOf);
    gate(c, action, { arn: arnOf(c.s, "security-group", g.id), context: sgContext(c.s, g) });
    for (const perm of perms) {
      for (const src of perm.sources) {
        const want = { egress, protocol: perm.protocol, fromPort: perm.fromPort, toPort: perm.toPort, ...src };
        const r = g.rules.find((x) => sameRule(x, want));
        if (r) doomed.push(r);
        else {
          unknown.push({
            ipProtocol: perm.protocol,
            fromPort: perm.fromPort,
            toPort: perm.toPort,
            groups: src.refGroupId ? [{ groupId: src.refGroupId, userId: src.refUserId }] : [],
            ipRanges: src.cidrIpv4 ? [{ cidrIp: src.cidrIpv4 }] : [],
            ipv6Ranges: src.cidrIpv6 ? [{ cidrIpv6: src.cidrIpv6 }] : [],
            prefixListIds: src.prefixListId ? [{ prefixListId: src.prefixListId }] : [],
          });
        }
      }
    }
    if (doomed.length === 0) throw ec2Error("InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
  }
  doomed = [...new Set(doomed)];
  g.rules = g.rules.filter((r) => !doomed.includes(r));
  return {
    return: true,
    unknownIpPermissionSet: unknown.length ? unknown : undefined,
    revokedSecurityGroupRuleSet: doomed.map((r) => ({
      securityGroupRuleId: r.id,
      groupId: g.id,
      isEgress: r.egress,
      ipProtocol: r.protocol,
      fromPort: r.fromPort ?? -1,
      toPort: r.toPort ?? -1,
      cidrIpv4: r.cidrIpv4,
      cidrIpv6: r.cidrIpv6,
      prefixListId: r.prefixListId,
      referencedGroupId: r.refGroupId,
      description: r.description,
    })),
  };
}

interface RuleRow {
  g: SecurityGroupRec;
  r: SgRule;
}

const ruleFilters: FilterTable<RuleRow> = {
  "group-id": (x) => x.g.id,
  "security-group-rule-id": (x) => x.r.id,
};

function describeSecurityGroupRules(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeSecurityGroupRules");
  const rows: RuleRow[] = Object.values(c.s.securityGroups).flatMap((g) => g.rules.map((r) => ({ g, r })));
  const selected = selectByIds(rows, stringList(c.p, "SecurityGroupRuleId"), (x) => x.r.id, "sgr", "sgr");
  const picked = applyFilters(selected, parseFilters(c.p), ruleFilters, (x) => x.r.tags);
  const page = paginate(picked, c.p, BOUNDS_1000, (x) => x.r.id);
  return { securityGroupRuleSet: page.items.map((x) => ruleView(c.s, x.g, x.r)), nextToken: page.nextToken };
}

/**
 * UpdateSecurityGroupRuleDescriptionsIngress/Egress: new descriptions for existing rules, named by
 * their permissions (IpPermissions, the description taken from each range) or by rule id
 * (SecurityGroupRuleDescriptions.N.SecurityGroupRuleId / Description). Nothing changes unless every rule exists.
 */
function updateRuleDescriptions(c: Ec2Call, egress: boolean): OutputObject {
  const g = egress ? getSecurityGroup(c.s, reqString(c.p, "GroupId")) : groupByIdOrName(c.s, c.p);
  const byId = structList(c.p, "SecurityGroupRuleDescription");
  const changes: [SgRule, string | undefined][] = [];
  if (byId.length > 0) {
    for (const d of byId) {
      const id = optString(d, "SecurityGroupRuleId") ?? "";
      if (!wellFormed("sgr", id)) throw malformed("sgr", "sgr", id);
      const r = g.rules.find((x) => x.id === id && x.egress === egress);
      if (!r) throw notFound("sgr", id);
      changes.push([r, optString(d, "Description")]);
    }
  } else {
    for (const perm of readPermissions(c.s, g, c.p, c.stateOf)) {
      for (const src of perm.sources) {
        const r = g.rules.find((x) => sameRule(x, { egress, protocol: perm.protocol, fromPort: perm.fromPort, toPort: perm.toPort, ...src }));
        if (!r) throw ec2Error("InvalidPermission.NotFound", "The specified rule does not exist in this security group."); // unverified wording
        changes.push([r, src.description]);
      }
    }
  }
  gate(c, egress ? "UpdateSecurityGroupRuleDescriptionsEgress" : "UpdateSecurityGroupRuleDescriptionsIngress", { arn: arnOf(c.s, "security-group", g.id), context: sgContext(c.s, g) });
  for (const [r, description] of changes) {
    if (description === undefined || description === "") delete r.description;
    else r.description = description;
  }
  return { return: true };
}

export const securityGroupOperations = {
  UpdateSecurityGroupRuleDescriptionsIngress: (c: Ec2Call) => updateRuleDescriptions(c, false),
  UpdateSecurityGroupRuleDescriptionsEgress: (c: Ec2Call) => updateRuleDescriptions(c, true),
  CreateSecurityGroup: createSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  DeleteSecurityGroup: deleteSecurityGroup,
  AuthorizeSecurityGroupIngress: (c: Ec2Call) => authorize(c, false),
  AuthorizeSecurityGroupEgress: (c: Ec2Call) => authorize(c, true),
  RevokeSecurityGroupIngress: (c: Ec2Call) => revoke(c, false),
  RevokeSecurityGroupEgress: (c: Ec2Call) => revoke(c, true),
  DescribeSecurityGroupRules: describeSecurityGroupRules,
};
