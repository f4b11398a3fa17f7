import { dict } from "../../core/dict.ts";
import { ec2Id } from "../../core/ids.ts";
import { checkQuota } from "./quotas.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { freeCount, newPool } from "./address-pool.ts";
import { zonesOf, type Zone } from "./availability-zones.ts";
import { containsCidr, formatCidr, isAligned, overlaps, parseCidr, type Cidr } from "../../net-addr/blocks.ts";
import { arnOf, gate, gateDescribe, requestTagContext, resourceTagContext, type Ec2Call } from "./context.ts";
import { dependencyViolation, ec2Error, invalidCidrParameter, invalidParameterValue, missingParameter } from "./errors.ts";
import { interfaceIndex } from "./eni-index.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { getSubnet, getVpc, selectByIds } from "./lookup.ts";
import { associateWithDefaultAcl, dropSubnetFromAcls } from "./network-acls.ts";
import { BOUNDS_1000, paginate } from "./pagination.ts";
import { attrBool, optBool, optInt, optString, reqString, stringList } from "./request.ts";
import { dropSubnetFromRouteTables } from "./route-tables.ts";
import { countInVpc, dropRecord, putRecord, type Ec2State, type SubnetRec, type Tags, type VpcRec } from "./state.ts";
import { tagSetView, tagSpecifications } from "./tags.ts";

/**
 * Subnets: an IPv4 block inside the VPC (/16 to /28), an optional IPv6 /64 inside the VPC's /56,
 * or IPv6 only. AvailableIpAddressCount is the block's size, less AWS's five reserved addresses,
 * less the addresses interfaces hold.
 */
export interface SubnetOptions {
  cidr?: string;
  ipv6Cidr?: string;
  ipv6Native?: boolean;
  zone: Zone;
  defaultForAz?: boolean;
  mapPublicIpOnLaunch?: boolean;
  tags?: Tags;
}

export function buildSubnet(s: Ec2State, vpc: VpcRec, o: SubnetOptions): SubnetRec {
  const id = ec2Id("subnet");
  const subnet: SubnetRec = {
    id,
    vpcId: vpc.id,
    ownerId: s.account,
    cidr: o.cidr,
    ipv6: o.ipv6Cidr ? [{ associationId: ec2Id("subnet-cidr-assoc"), cidr: o.ipv6Cidr }] : [],
    ipv6Native: o.ipv6Native ?? false,
    availabilityZone: o.zone.name,
    availabilityZoneId: o.zone.id,
    defaultForAz: o.defaultForAz ?? false,
    mapPublicIpOnLaunch: o.mapPublicIpOnLaunch ?? false,
    assignIpv6AddressOnCreation: o.ipv6Native ?? false,
    enableDns64: false,
    hostnameType: o.ipv6Native ? "resource-name" : "ip-name",
    enableResourceNameDnsARecord: false,
    enableResourceNameDnsAAAARecord: o.ipv6Native ?? false,
    pool4: newPool(),
    pool6: o.ipv6Cidr ? dict([[o.ipv6Cidr, newPool()]]) : dict(),
    tags: o.tags ?? dict(),
  };
  putRecord(s.subnets, id, subnet);
  associateWithDefaultAcl(s, vpc, subnet);
  return subnet;
}

export function availableIpAddressCount(subnet: SubnetRec): number {
  return subnet.cidr ? freeCount(subnet.pool4, subnet.cidr) : 0;
}

function ipv6AssocView(a: { associationId: string; cidr: string }, state = "associated"): OutputObject {
  return { associationId: a.associationId, ipv6CidrBlock: a.cidr, ipv6CidrBlockState: { state }, ipv6AddressAttribute: "public", ipSource: "amazon" };
}

export function subnetView(s: Ec2State, x: SubnetRec): OutputObject {
  return {
    availabilityZoneId: x.availabilityZoneId,
    enableLniAtDeviceIndex: x.enableLniAtDeviceIndex,
    mapCustomerOwnedIpOnLaunch: false,
    ownerId: x.ownerId,
    assignIpv6AddressOnCreation: x.assignIpv6AddressOnCreation,
    ipv6CidrBlockAssociationSet: x.ipv6.map((a) => ipv6AssocView(a)),
    tagSet: tagSetView(x.tags),
    subnetArn: arnOf(s, "subnet", x.id),
    enableDns64: x.enableDns64,
    ipv6Native: x.ipv6Native,
    privateDnsNameOptionsOnLaunch: {
      hostnameType: x.hostnameType,
      enableResourceNameDnsARecord: x.enableResourceNameDnsARecord,
      enableResourceNameDnsAAAARecord: x.enableResourceNameDnsAAAARecord,
    },
    blockPublicAccessStates: { internetGatewayBlockMode: "off" },
    subnetId: x.id,
    state: "available",
    vpcId: x.vpcId,
    cidrBlock: x.cidr,
    availableIpAddressCount: availableIpAddressCount(x),
    availabilityZone: x.availabilityZone,
    defaultForAz: x.defaultForAz,
    mapPublicIpOnLaunch: x.mapPublicIpOnLaunch,
  };
}

const subnetFilters: FilterTable<SubnetRec> = {
  "availability-zone": (x) => x.availabilityZone,
  availabilityZone: (x) => x.availabilityZone,
  "availability-zone-id": (x) => x.availabilityZoneId,
  "available-ip-address-count": (x) => availableIpAddressCount(x),
  availableIpAddressCount: (x) => availableIpAddressCount(x),
  "cidr-block": (x) => x.cidr,
  cidr: (x) => x.cidr,
  cidrBlock: (x) => x.cidr,
  "customer-owned-ipv4-pool": () => undefined,
  "default-for-az": (x) => x.defaultForAz,
  defaultForAz: (x) => x.defaultForAz,
  "enable-dns64": (x) => x.enableDns64,
  "enable-lni-at-device-index": (x) => x.enableLniAtDeviceIndex,
  "ipv6-cidr-block-association.ipv6-cidr-block": (x) => x.ipv6.map((a) => a.cidr),
  "ipv6-cidr-block-association.association-id": (x) => x.ipv6.map((a) => a.associationId),
  "ipv6-cidr-block-association.state": (x) => x.ipv6.map(() => "associated"),
  "ipv6-native": (x) => x.ipv6Native,
  "map-customer-owned-ip-on-launch": () => false,
  "map-public-ip-on-launch": (x) => x.mapPublicIpOnLaunch,
  "outpost-arn": () => undefined,
  "owner-id": (x) => x.ownerId,
  "private-dns-name-options-on-launch.hostname-type": (x) => x.hostnameType,
  "private-dns-name-options-on-launch.enable-resource-name-dns-a-record": (x) => x.enableResourceNameDnsARecord,
  "private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record": (x) => x.enableResourceNameDnsAAAARecord,
  state: () => "available",
  "subnet-arn": () => undefined,
  "subnet-id": (x) => x.id,
  "vpc-id": (x) => x.vpcId,
};

export function subnetContext(s: Ec2State, x: SubnetRec) {
  return {
    "ec2:Vpc": arnOf(s, "vpc", x.vpcId),
    "ec2:Subnet": arnOf(s, "subnet", x.id),
    "ec2:SubnetID": x.id,
    "ec2:AvailabilityZone": x.availabilityZone,
    ...resourceTagContext(x.tags),
  };
}

function pickZone(s: Ec2State, vpc: VpcRec, name: string | undefined, id: string | undefined): Zone {
  const zones = zonesOf(s.region);
  if (name !== undefined) {
    const z = zones.find((x) => x.name === name);
    if (!z) {
      throw invalidParameterValue(`Value (${name}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.map((x) => x.name).join(", ")}.`);
    }
    if (id !== undefined && z.id !== id) throw ec2Error("InvalidParameterCombination", `The availability zone ${name} does not have the zone id ${id}.`); // unverified wording
    return z;
  }
  if (id !== undefined) {
    const z = zones.find((x) => x.id === id);
    if (!z) {
      throw invalidParameterValue(`Value (${id}) for parameter availabilityZoneId is invalid. Subnets can currently only be created in the following availability zones: ${zones.map((x) => x.id).join(", ")}.`);
    }
    return z;
  }
  // AWS picks a zone when none is given; spread the VPC's subnets over the zones.
  const count = Object.values(s.subnets).filter((x) => x.vpcId === vpc.id).length;
  return zones[count % zones.length];
}

/** A subnet's IPv4 block: valid, aligned, /16 to /28, inside one of the VPC's blocks, overlapping no other subnet. */
function checkIpv4Block(s: Ec2State, vpc: VpcRec, value: string): string {
  const c = parseCidr(value, 4);
  if (!c || !isAligned(c)) throw invalidCidrParameter(value, "cidrBlock");
  const inside = vpc.cidrs.some((x) => containsCidr(parseCidr(x.cidr)!, c));
  if (c.prefix < 16 || c.prefix > 28 || !inside) throw ec2Error("InvalidSubnet.Range", `The CIDR '${value}' is invalid.`);
  if (Object.values(s.subnets).some((x) => x.vpcId === vpc.id && x.cidr && overlaps(parseCidr(x.cidr)!, c))) {
    throw ec2Error("InvalidSubnet.Conflict", `The CIDR '${value}' conflicts with another subnet`);
  }
  return formatCidr(c);
}

/** A subnet's IPv6 block: a /64 inside one of the VPC's IPv6 blocks, overlapping no other subnet. */
function checkIpv6Block(s: Ec2State, vpc: VpcRec, value: string, except?: string): string {
  const c = parseCidr(value, 6);
  if (!c || !isAligned(c)) throw invalidCidrParameter(value, "ipv6CidrBlock");
  const inside = vpc.ipv6.some((x) => containsCidr(parseCidr(x.cidr)!, c));
  if (c.prefix !== 64 || !inside) throw ec2Error("InvalidSubnet.Range", `The CIDR '${value}' is invalid.`);
  const clash = (b: Cidr) => overlaps(b, c);
  if (Object.values(s.subnets).some((x) => x.vpcId === vpc.id && x.id !== except && x.ipv6.some((a) => clash(parseCidr(a.cidr)!)))) {
    throw ec2Error("InvalidSubnet.Conflict", `The CIDR '${value}' conflicts with another subnet`);
  }
  return formatCidr(c);
}

function createSubnet(c: Ec2Call): OutputObject {
  const vpc = getVpc(c.s, reqString(c.p, "VpcId"));
  const cidr = optString(c.p, "CidrBlock");
  const ipv6Cidr = optString(c.p, "Ipv6CidrBlock");
  const ipv6Native = optBool(c.p, "Ipv6Native") === true;
  if (ipv6Native) {
    if (cidr) throw ec2Error("InvalidParameterCombination", "The parameter cidrBlock cannot be used with ipv6Native."); // unverified wording
    if (!ipv6Cidr) throw missingParameter("ipv6CidrBlock");
  } else if (!cidr) {
    throw missingParameter("cidrBlock");
  }
  const zone = pickZone(c.s, vpc, optString(c.p, "AvailabilityZone"), optString(c.p, "AvailabilityZoneId"));
  const tags = tagSpecifications(c.p, ["subnet"]).subnet;
  gate(c, "CreateSubnet", [
    { arn: arnOf(c.s, "subnet", "*"), context: { "ec2:Vpc": arnOf(c.s, "vpc", vpc.id), "ec2:AvailabilityZone": zone.name, ...requestTagContext(tags) } },
    { arn: arnOf(c.s, "vpc", vpc.id), context: { "ec2:Vpc": arnOf(c.s, "vpc", vpc.id), ...resourceTagContext(vpc.tags) } },
  ]);
  checkQuota(c, "ec2.subnets-per-vpc", countInVpc(c.s.subnets, vpc.id));
  const v4 = cidr ? checkIpv4Block(c.s, vpc, cidr) : undefined;
  const v6 = ipv6Cidr ? checkIpv6Block(c.s, vpc, ipv6Cidr) : undefined;
  const subnet = buildSubnet(c.s, vpc, { cidr: v4, ipv6Cidr: v6, ipv6Native, zone, tags });
  return { subnet: subnetView(c.s, subnet) };
}

function describeSubnets(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeSubnets");
  const all = selectByIds(Object.values(c.s.subnets), stringList(c.p, "SubnetId"), (x) => x.id, "subnet", "subnet");
  const picked = applyFilters(all, parseFilters(c.p), subnetFilters, (x) => x.tags);
  const page = paginate(picked, c.p, BOUNDS_1000, (x) => x.id);
  return { nextToken: page.nextToken, subnetSet: page.items.map((x) => subnetView(c.s, x)) };
}

function deleteSubnet(c: Ec2Call): OutputObject {
  const subnet = getSubnet(c.s, reqString(c.p, "SubnetId"));
  gate(c, "DeleteSubnet", { arn: arnOf(c.s, "subnet", subnet.id), context: subnetContext(c.s, subnet) });
  const inUse =
    interfaceIndex(c.s).idsWith("subnet", subnet.id).length > 0 ||
    Object.values(c.s.natGateways).some((n) => n.subnetId === subnet.id && (n.state === "pending" || n.state === "available" || n.state === "deleting"));
  if (inUse) throw dependencyViolation(`The subnet '${subnet.id}' has dependencies and cannot be deleted.`);
  dropSubnetFromAcls(c.s, subnet.id);
  dropSubnetFromRouteTables(c.s, subnet.id);
  dropRecord(c.s.subnets, subnet.id);
  return { return: true };
}

function associateSubnetCidrBlock(c: Ec2Call): OutputObject {
  const subnet = getSubnet(c.s, reqString(c.p, "SubnetId"));
  const ipv6Cidr = reqString(c.p, "Ipv6CidrBlock");
  gate(c, "AssociateSubnetCidrBlock", { arn: arnOf(c.s, "subnet", subnet.id), context: subnetContext(c.s, subnet) });
  const vpc = getVpc(c.s, subnet.vpcId);
  const block = checkIpv6Block(c.s, vpc, ipv6Cidr, subnet.id);
  if (subnet.ipv6.length > 0) {
    throw invalidParameterValue(`The subnet ${subnet.id} already has an IPv6 CIDR block associated.`); // unverified wording
  }
  const assoc = { associationId: ec2Id("subnet-cidr-assoc"), cidr: block };
  subnet.ipv6.push(assoc);
  subnet.pool6[block] = newPool();
  return { ipv6CidrBlockAssociation: ipv6AssocView(assoc, "associating"), subnetId: subnet.id };
}

function disassociateSubnetCidrBlock(c: Ec2Call): OutputObject {
  const id = reqString(c.p, "AssociationId");
  const subnet = Object.values(c.s.subnets).find((x) => x.ipv6.some((a) => a.associationId === id));
  if (!subnet) throw ec2Error("InvalidSubnetCidrBlockAssociationID.NotFound", `The subnet CIDR block with association ID '${id}' does not exist`);
  gate(c, "DisassociateSubnetCidrBlock", { arn: arnOf(c.s, "subnet", subnet.id), context: subnetContext(c.s, subnet) });
  const assoc = subnet.ipv6.find((a) => a.associationId === id)!;
  if (subnet.ipv6Native) throw invalidParameterValue(`The IPv6 CIDR block of IPv6-only subnet ${subnet.id} cannot be disassociated.`); // unverified wording
  if ((subnet.pool6[assoc.cidr]?.count ?? 0) > 0) {
    throw invalidParameterValue(`The IPv6 CIDR block ${assoc.cidr} of subnet ${subnet.id} has addresses assigned to network interfaces.`); // unverified wording
  }
  subnet.ipv6 = subnet.ipv6.filter((a) => a !== assoc);
  delete subnet.pool6[assoc.cidr];
  return { ipv6CidrBlockAssociation: ipv6AssocView(assoc, "disassociating"), subnetId: subnet.id };
}

function modifySubnetAttribute(c: Ec2Call): OutputObject {
  const subnet = getSubnet(c.s, reqString(c.p, "SubnetId"));
  gate(c, "ModifySubnetAttribute", { arn: arnOf(c.s, "subnet", subnet.id), context: subnetContext(c.s, subnet) });
  const mapPublic = attrBool(c.p, "MapPublicIpOnLaunch");
  const assign6 = attrBool(c.p, "AssignIpv6AddressOnCreation");
  const dns64 = attrBool(c.p, "EnableDns64");
  const aRecord = attrBool(c.p, "EnableResourceNameDnsARecordOnLaunch");
  const aaaaRecord = attrBool(c.p, "EnableResourceNameDnsAAAARecordOnLaunch");
  const hostnameType = optString(c.p, "PrivateDnsHostnameTypeOnLaunch");
  const lni = optInt(c.p, "EnableLniAtDeviceIndex");
  const disableLni = attrBool(c.p, "DisableLniAtDeviceIndex");
  if (hostnameType !== undefined && hostnameType !== "ip-name" && hostnameType !== "resource-name") {
    throw invalidParameterValue(`Value (${hostnameType}) for parameter privateDnsHostnameTypeOnLaunch is invalid.`); // unverified wording
  }
  if (mapPublic === true && subnet.ipv6Native) throw invalidParameterValue("MapPublicIpOnLaunch cannot be enabled on an IPv6-only subnet."); // unverified wording
  if (assign6 === true && subnet.ipv6.length === 0) throw invalidParameterValue(`The subnet ${subnet.id} has no IPv6 CIDR block.`); // unverified wording
  if (mapPublic !== undefined) subnet.mapPublicIpOnLaunch = mapPublic;
  if (assign6 !== undefined) subnet.assignIpv6AddressOnCreation = assign6;
  if (dns64 !== undefined) subnet.enableDns64 = dns64;
  if (aRecord !== undefined) subnet.enableResourceNameDnsARecord = aRecord;
  if (aaaaRecord !== undefined) subnet.enableResourceNameDnsAAAARecord = aaaaRecord;
  if (hostnameType !== undefined) subnet.hostnameType = hostnameType as SubnetRec["hostnameType"];
  if (lni !== undefined) subnet.enableLniAtDeviceIndex = lni;
  if (disableLni === true) delete subnet.enableLniAtDeviceIndex;
  return { return: true };
}

export const subnetOperations = {
  CreateSubnet: createSubnet,
  DescribeSubnets: describeSubnets,
  DeleteSubnet: deleteSubnet,
  AssociateSubnetCidrBlock: associateSubnetCidrBlock,
  DisassociateSubnetCidrBlock: disassociateSubnetCidrBlock,
  ModifySubnetAttribute: modifySubnetAttribute,
};
