import { dict } from "../../core/dict.ts";
import { createHash } from "node:crypto";
import { checkQuota } from "./quotas.ts";
import { ec2Id } from "../../core/ids.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { cidrSize, formatCidr, isAligned, overlaps, parseCidr, subBlock, type Cidr } from "../../net-addr/blocks.ts";
import { arnOf, gate, gateDescribe, requestTagContext, resourceTagContext, type Ec2Call } from "./context.ts";
import { dependencyViolation, ec2Error, invalidCidrParameter, invalidParameterValue, missingParameter } from "./errors.ts";
import { interfaceIndex } from "./eni-index.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { getVpc, selectByIds } from "./lookup.ts";
import { buildNetworkAcl, addIpv6AclEntries } from "./network-acls.ts";
import { BOUNDS_1000, paginate } from "./pagination.ts";
import { attrBool, optBool, optString, reqString, stringList } from "./request.ts";
import { addLocalRoute, buildRouteTable, removeLocalRoute } from "./route-tables.ts";
import { buildSecurityGroup } from "./security-groups.ts";
import { countOf, dropRecord, putRecord, type Ec2State, type Tags, type VpcRec } from "./state.ts";
import { tagSetView, tagSpecifications } from "./tags.ts";

/** VPCs: their CIDR blocks, tenancy, attributes, and the default VPC every account starts with. */
export const MAX_CIDRS = 5;

/** The one DHCP option set every VPC of a region points at, created on first use. */
export function defaultDhcpOptions(s: Ec2State): string {
  const existing = Object.values(s.dhcpOptions).find((d) => !d.custom);
  if (existing) return existing.id;
  const id = ec2Id("dopt");
  const domain = s.region === "us-east-1" ? "ec2.internal" : `${s.region}.compute.internal`;
  s.dhcpOptions[id] = {
    id,
    ownerId: s.account,
    configurations: [
      { key: "domain-name", values: [domain] },
      { key: "domain-name-servers", values: ["AmazonProvidedDNS"] },
    ],
    tags: dict(),
  };
  return id;
}

/**
 * The next Amazon-provided /56: 2600:1f18:HHHH:NN00::/56, where HHHH:NN is derived from the
 * account and region plus a counter, so blocks never repeat within an account and region.
 */
export function nextAmazonIpv6Block(s: Ec2State): string {
  const h = createHash("sha256").update(`${s.account}/${s.region}`).digest();
  const seed = (h[0] << 16) | (h[1] << 8);
  const n = BigInt((seed + s.counters.ipv6Blocks++) & 0xffffff);
  const pool: Cidr = { v: 6, base: (0x26001f18n << 96n) | (n << 72n), prefix: 56 };
  return formatCidr(pool);
}

export interface VpcOptions {
  cidr: string;
  amazonIpv6?: boolean;
  tenancy?: "default" | "dedicated";
  isDefault?: boolean;
  tags?: Tags;
  now: number;
}

/** A VPC with what AWS creates along with it: default security group, default ACL, main route table. */
export function buildVpc(s: Ec2State, o: VpcOptions): VpcRec {
  const id = ec2Id("vpc");
  const ipv6 = o.amazonIpv6 ? [{ associationId: ec2Id("vpc-cidr-assoc"), cidr: nextAmazonIpv6Block(s), pool: "Amazon", networkBorderGroup: s.region }] : [];
  const vpc: VpcRec = {
    id,
    ownerId: s.account,
    cidrs: [{ associationId: ec2Id("vpc-cidr-assoc"), cidr: o.cidr }],
    ipv6,
    instanceTenancy: o.tenancy ?? "default",
    isDefault: o.isDefault ?? false,
    dhcpOptionsId: defaultDhcpOptions(s),
    enableDnsSupport: true,
    enableDnsHostnames: o.isDefault ?? false,
    enableNetworkAddressUsageMetrics: false,
    defaultSecurityGroupId: "",
    defaultNetworkAclId: "",
    mainRouteTableId: "",
    tags: o.tags ?? dict(),
    createdAt: o.now,
  };
  putRecord(s.vpcs, id, vpc);
  vpc.defaultSecurityGroupId = buildSecurityGroup(s, vpc, { name: "default", description: "default VPC security group", isDefault: true }).id;
  vpc.defaultNetworkAclId = buildNetworkAcl(s, vpc, true).id;
  vpc.mainRouteTableId = buildRouteTable(s, vpc, true).id;
  return vpc;
}

export function vpcCidrs(v: VpcRec): string[] {
  return v.cidrs.map((c) => c.cidr);
}

export function vpcIpv6Cidrs(v: VpcRec): string[] {
  return v.ipv6.map((c) => c.cidr);
}

export function vpcView(v: VpcRec, state = "available"): OutputObject {
  return {
    ownerId: v.ownerId,
    instanceTenancy: v.instanceTenancy,
    ipv6CidrBlockAssociationSet: v.ipv6.length ? v.ipv6.map((a) => ipv6AssociationView(a)) : undefined,
    cidrBlockAssociationSet: v.cidrs.map((c) => ({ associationId: c.associationId, cidrBlock: c.cidr, cidrBlockState: { state: "associated" } })),
    isDefault: v.isDefault,
    tagSet: tagSetView(v.tags),
    blockPublicAccessStates: { internetGatewayBlockMode: "off" },
    vpcId: v.id,
    state,
    cidrBlock: v.cidrs[0].cidr,
    dhcpOptionsId: v.dhcpOptionsId,
  };
}

function ipv6AssociationView(a: VpcRec["ipv6"][number], state = "associated"): OutputObject {
  return {
    associationId: a.associationId,
    ipv6CidrBlock: a.cidr,
    ipv6CidrBlockState: { state },
    networkBorderGroup: a.networkBorderGroup,
    ipv6Pool: a.pool,
    ipv6AddressAttribute: "public",
    ipSource: "amazon",
  };
}

const vpcFilters: FilterTable<VpcRec> = {
  cidr: (v) => v.cidrs[0].cidr,
  "cidr-block": (v) => v.cidrs[0].cidr,
  cidrBlock: (v) => v.cidrs[0].cidr,
  "cidr-block-association.cidr-block": (v) => vpcCidrs(v),
  "cidr-block-association.association-id": (v) => v.cidrs.map((c) => c.associationId),
  "cidr-block-association.state": (v) => v.cidrs.map(() => "associated"),
  "dhcp-options-id": (v) => v.dhcpOptionsId,
  "ipv6-cidr-block-association.ipv6-cidr-block": (v) => vpcIpv6Cidrs(v),
  "ipv6-cidr-block-association.ipv6-pool": (v) => v.ipv6.map((c) => c.pool),
  "ipv6-cidr-block-association.association-id": (v) => v.ipv6.map((c) => c.associationId),
  "ipv6-cidr-block-association.state": (v) => v.ipv6.map(() => "associated"),
  "is-default": (v) => v.isDefault,
  isDefault: (v) => v.isDefault,
  "owner-id": (v) => v.ownerId,
  state: () => "available",
  "vpc-id": (v) => v.id,
  "instance-tenancy": (v) => v.instanceTenancy,
};

/** Parse and check an IPv4 block for a VPC: a valid, aligned CIDR of /16 to /28. */
function vpcIpv4Block(value: string): Cidr {
  const c = parseCidr(value, 4);
  if (!c || !isAligned(c)) throw invalidCidrParameter(value, "cidrBlock");
  if (c.prefix < 16 || c.prefix > 28) throw ec2Error("InvalidVpc.Range", `The CIDR '${value}' is invalid.`);
  return c;
}

export function vpcContext(s: Ec2State, v: VpcRec) {
  return { "ec2:Vpc": arnOf(s, "vpc", v.id), "ec2:VpcID": v.id, "ec2:Tenancy": v.instanceTenancy, ...resourceTagContext(v.tags) };
}

function createVpc(c: Ec2Call): OutputObject {
  const cidr = optString(c.p, "CidrBlock");
  if (cidr === undefined || cidr === "") throw missingParameter("cidrBlock");
  const block = vpcIpv4Block(cidr);
  const tenancy = optString(c.p, "InstanceTenancy") ?? "default";
  if (tenancy !== "default" && tenancy !== "dedicated") {
    throw invalidParameterValue(`Value (${tenancy}) for parameter instanceTenancy is invalid. Valid values: default, dedicated.`); // unverified wording
  }
  const amazonIpv6 = optBool(c.p, "AmazonProvidedIpv6CidrBlock") === true;
  if (optString(c.p, "Ipv6CidrBlock") || optString(c.p, "Ipv6Pool")) {
    throw invalidParameterValue("Only Amazon-provided IPv6 CIDR blocks (AmazonProvidedIpv6CidrBlock) are supported by hyperlocal."); // unverified wording
  }
  const tags = tagSpecifications(c.p, ["vpc"]).vpc;
  gate(c, "CreateVpc", { arn: arnOf(c.s, "vpc", "*"), context: { ...requestTagContext(tags), "ec2:Tenancy": tenancy } });
  checkQuota(c, "ec2.vpcs", countOf(c.s.vpcs));
  const vpc = buildVpc(c.s, { cidr: formatCidr(block), amazonIpv6, tenancy, tags, now: c.now });
  return { vpc: vpcView(vpc, "pending") };
}

function describeVpcs(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeVpcs");
  const all = selectByIds(Object.values(c.s.vpcs), stringList(c.p, "VpcId"), (v) => v.id, "vpc", "vpc");
  const picked = applyFilters(all, parseFilters(c.p), vpcFilters, (v) => v.tags);
  const page = paginate(picked, c.p, BOUNDS_1000, (v) => v.id);
  return { nextToken: page.nextToken, vpcSet: page.items.map((v) => vpcView(v)) };
}

/** What keeps a VPC from being deleted, if anything. */
function vpcDependencies(s: Ec2State, v: VpcRec): string[] {
  const deps: string[] = [];
  for (const x of Object.values(s.subnets)) if (x.vpcId === v.id) deps.push(x.id);
  for (const x of Object.values(s.securityGroups)) if (x.vpcId === v.id && !x.isDefault) deps.push(x.id);
  for (const x of Object.values(s.routeTables)) if (x.vpcId === v.id && x.id !== v.mainRouteTableId) deps.push(x.id);
  for (const x of Object.values(s.networkAcls)) if (x.vpcId === v.id && !x.isDefault) deps.push(x.id);
  for (const x of Object.values(s.internetGateways)) if (x.attachments.some((a) => a.vpcId === v.id)) deps.push(x.id);
  for (const x of Object.values(s.egressOnlyInternetGateways)) if (x.vpcId === v.id) deps.push(x.id);
  for (const x of Object.values(s.natGateways)) if (x.vpcId === v.id && x.state !== "deleted" && x.state !== "failed") deps.push(x.id);
  deps.push(...interfaceIndex(s).idsWith("vpc", v.id));
  for (const x of Object.values(s.vpcEndpoints ?? {})) if (x.vpcId === v.id && x.state !== "deleted") deps.push(x.id);
  return deps;
}

function deleteVpc(c: Ec2Call): OutputObject {
  const v = getVpc(c.s, reqString(c.p, "VpcId"));
  gate(c, "DeleteVpc", { arn: arnOf(c.s, "vpc", v.id), context: vpcContext(c.s, v) });
  if (vpcDependencies(c.s, v).length > 0) throw dependencyViolation(`The vpc '${v.id}' has dependencies and cannot be deleted.`);
  dropRecord(c.s.securityGroups, v.defaultSecurityGroupId);
  delete c.s.networkAcls[v.defaultNetworkAclId];
  delete c.s.routeTables[v.mainRouteTableId];
  for (const pcx of Object.values(c.s.peerings)) {
    if ((pcx.requesterVpcId === v.id || pcx.accepterVpcId === v.id) && (pcx.status === "active" || pcx.status === "pending-acceptance")) {
      pcx.status = "deleted";
      pcx.message = `Deleted by ${c.s.account}`;
      pcx.purgeAt = c.now + 2 * 3600_000;
    }
  }
  dropRecord(c.s.vpcs, v.id);
  return { return: true };
}

function modifyVpcTenancy(c: Ec2Call): OutputObject {
  const v = getVpc(c.s, reqString(c.p, "VpcId"));
  const tenancy = reqString(c.p, "InstanceTenancy", "instanceTenancy");
  gate(c, "ModifyVpcTenancy", { arn: arnOf(c.s, "vpc", v.id), context: vpcContext(c.s, v) });
  // Only dedicated → default is possible.
  if (tenancy !== "default") throw ec2Error("UnsupportedTenancy", `The tenancy value ${tenancy} is not supported.`); // unverified wording
  v.instanceTenancy = "default";
  return { return: true };
}

function associateVpcCidrBlock(c: Ec2Call): OutputObject {
  const v = getVpc(c.s, reqString(c.p, "VpcId"));
  const cidr = optString(c.p, "CidrBlock");
  const amazonIpv6 = optBool(c.p, "AmazonProvidedIpv6CidrBlock") === true;
  if ((cidr ? 1 : 0) + (amazonIpv6 ? 1 : 0) !== 1) {
    throw ec2Error("InvalidParameterCombination", "Exactly one of cidrBlock or amazonProvidedIpv6CidrBlock must be specified."); // unverified wording
  }
  gate(c, "AssociateVpcCidrBlock", { arn: arnOf(c.s, "vpc", v.id), context: vpcContext(c.s, v) });
  if (cidr) {
    const block = vpcIpv4Block(cidr);
    const text = formatCidr(block);
    if (v.cidrs.some((x) => overlaps(parseCidr(x.cidr)!, block))) {
      throw ec2Error("InvalidVpc.Range", `The CIDR '${cidr}' conflicts with another CIDR block of the VPC.`); // unverified wording
    }
    if (v.cidrs.length >= MAX_CIDRS) throw ec2Error("CidrLimitExceeded", `This network '${v.id}' has met its maximum number of allowed CIDRs: ${MAX_CIDRS}`);
    const assoc = { associationId: ec2Id("vpc-cidr-assoc"), cidr: text };
    v.cidrs.push(assoc);
    addLocalRoute(c.s, v, text);
    return { cidrBlockAssociation: { associationId: assoc.associationId, cidrBlock: text, cidrBlockState: { state: "associating" } }, vpcId: v.id };
  }
  if (v.ipv6.length >= MAX_CIDRS) throw ec2Error("CidrLimitExceeded", `This network '${v.id}' has met its maximum number of allowed CIDRs: ${MAX_CIDRS}`);
  const assoc = { associationId: ec2Id("vpc-cidr-assoc"), cidr: nextAmazonIpv6Block(c.s), pool: "Amazon", networkBorderGroup: c.s.region };
  v.ipv6.push(assoc);
  addLocalRoute(c.s, v, assoc.cidr);
  addIpv6AclEntries(c.s, v);
  return { ipv6CidrBlockAssociation: ipv6AssociationView(assoc, "associating"), vpcId: v.id };
}

function disassociateVpcCidrBlock(c: Ec2Call): OutputObject {
  const id = reqString(c.p, "AssociationId");
  let vpc: VpcRec | undefined;
  for (const v of Object.values(c.s.vpcs)) if (v.cidrs.some((x) => x.associationId === id) || v.ipv6.some((x) => x.associationId === id)) vpc = v;
  if (!vpc) throw ec2Error("InvalidVpcCidrBlockAssociationID.NotFound", `The vpc CIDR block association ID '${id}' does not exist`);
  const v = vpc;
  gate(c, "DisassociateVpcCidrBlock", { arn: arnOf(c.s, "vpc", v.id), context: vpcContext(c.s, v) });
  const v4 = v.cidrs.findIndex((x) => x.associationId === id);
  const subnets = Object.values(c.s.subnets).filter((x) => x.vpcId === v.id);
  if (v4 >= 0) {
    if (v4 === 0) {
      throw ec2Error("OperationNotPermitted", `The vpc CIDR block with association ID ${id} may not be disassociated. It is the primary IPv4 CIDR block of the VPC`);
    }
    const block = parseCidr(v.cidrs[v4].cidr)!;
    if (subnets.some((x) => x.cidr && overlaps(parseCidr(x.cidr)!, block))) {
      throw ec2Error("InvalidCidrBlock.InUse", `The vpc ${v.id} currently has a subnet within CIDR block ${v.cidrs[v4].cidr}`); // unverified wording
    }
    const [gone] = v.cidrs.splice(v4, 1);
    removeLocalRoute(c.s, v, gone.cidr);
    return { cidrBlockAssociation: { associationId: gone.associationId, cidrBlock: gone.cidr, cidrBlockState: { state: "disassociating" } }, vpcId: v.id };
  }
  const v6 = v.ipv6.findIndex((x) => x.associationId === id);
  const block = parseCidr(v.ipv6[v6].cidr)!;
  if (subnets.some((x) => x.ipv6.some((a) => overlaps(parseCidr(a.cidr)!, block)))) {
    throw ec2Error("InvalidCidrBlock.InUse", `The vpc ${v.id} currently has a subnet within CIDR block ${v.ipv6[v6].cidr}`); // unverified wording
  }
  const [gone] = v.ipv6.splice(v6, 1);
  removeLocalRoute(c.s, v, gone.cidr);
  return { ipv6CidrBlockAssociation: ipv6AssociationView(gone, "disassociating"), vpcId: v.id };
}

const VPC_ATTRIBUTES = ["enableDnsSupport", "enableDnsHostnames", "enableNetworkAddressUsageMetrics"] as const;

function describeVpcAttribute(c: Ec2Call): OutputObject {
  const attribute = reqString(c.p, "Attribute");
  const v = getVpc(c.s, reqString(c.p, "VpcId"));
  gate(c, "DescribeVpcAttribute", { arn: arnOf(c.s, "vpc", v.id), context: vpcContext(c.s, v) });
  if (!(VPC_ATTRIBUTES as readonly string[]).includes(attribute)) {
    throw invalidParameterValue(`Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`);
  }
  return { vpcId: v.id, [attribute]: { value: v[attribute as (typeof VPC_ATTRIBUTES)[number]] } };
}

function modifyVpcAttribute(c: Ec2Call): OutputObject {
  const v = getVpc(c.s, reqString(c.p, "VpcId"));
  const changes = VPC_ATTRIBUTES.map((a) => [a, attrBool(c.p, a.charAt(0).toUpperCase() + a.slice(1))] as const).filter(([, x]) => x !== undefined);
  if (changes.length !== 1) {
    throw ec2Error("InvalidParameterCombination", "Exactly one attribute must be specified per call: enableDnsSupport, enableDnsHostnames or enableNetworkAddressUsageMetrics."); // unverified wording
  }
  gate(c, "ModifyVpcAttribute", { arn: arnOf(c.s, "vpc", v.id), context: vpcContext(c.s, v) });
  const [name, value] = changes[0];
  if (name === "enableDnsHostnames" && value && !v.enableDnsSupport) {
    throw invalidParameterValue("Cannot enable DNS hostnames without DNS support."); // unverified wording
  }
  v[name] = value!;
  return { return: true };
}

export const vpcOperations = {
  CreateVpc: createVpc,
  DescribeVpcs: describeVpcs,
  DeleteVpc: deleteVpc,
  ModifyVpcTenancy: modifyVpcTenancy,
  AssociateVpcCidrBlock: associateVpcCidrBlock,
  DisassociateVpcCidrBlock: disassociateVpcCidrBlock,
  DescribeVpcAttribute: describeVpcAttribute,
  ModifyVpcAttribute: modifyVpcAttribute,
};

/** The i-th /64 of a VPC's first IPv6 block (for default subnets and tests). */
export function ipv6SubnetBlock(v: VpcRec, index: number): string | undefined {
  const b = v.ipv6[0] ? parseCidr(v.ipv6[0].cidr) : undefined;
  if (!b || BigInt(index) >= cidrSize({ ...b, prefix: b.prefix }) >> 64n) return undefined;
  return formatCidr(subBlock(b, 64, BigInt(index)));
}
