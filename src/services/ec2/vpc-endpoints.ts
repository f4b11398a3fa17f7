import { dict } from "../../core/dict.ts";
import { ec2Id } from "../../core/ids.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { randomBytes } from "node:crypto";
import { priorResult, rememberResult } from "./client-token.ts";
import { arnOf, gate, gateDescribe, iso, requestTagContext, resourceTagContext, type AuthTarget, type Ec2Call } from "./context.ts";
import { findEndpointService, invalidServiceName, stableHex, type EndpointService } from "./endpoint-services.ts";
import { ec2Error, insufficientAddresses, invalidParameterValue, wellFormed } from "./errors.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { getRouteTable, getSecurityGroup, getSubnet, getVpc } from "./lookup.ts";
import { allocateInterface, releaseInterface } from "./network-interfaces.ts";
import { BOUNDS_1000, paginate } from "./pagination.ts";
import { awsPrefixListFor } from "./prefix-lists.ts";
import { optBool, optString, reqString, stringList } from "./request.ts";
import { rtContext } from "./route-tables.ts";
import type { DeepReadonly, Ec2State, Ec2View, RouteTableRec, SecurityGroupRec, SubnetRec, VpcEndpointRec, VpcRec } from "./state.ts";
import { availableIpAddressCount, subnetContext } from "./subnets.ts";
import { tagSetView, tagSpecifications } from "./tags.ts";

/**
 * VPC endpoints to the AWS services hyperlocal serves. A gateway endpoint (S3, DynamoDB) adds a
 * route to the service's AWS-managed prefix list, target the endpoint, to each of its route
 * tables, and is available at once. An interface endpoint owns one requester-managed interface
 * (InterfaceType vpc_endpoint) per subnet, with the endpoint's security groups; it is pending and
 * then available on the clock, and deleting releases its interfaces. With private DNS the
 * service's public name resolves, inside the VPC, to those interfaces (the network model).
 */
export interface EndpointTiming {
  pendingMs: number;
  deletingMs: number;
}

/** The policy an endpoint gets when none is given (AWS's full-access default, as DescribeVpcEndpoints shows it). */
export const DEFAULT_ENDPOINT_POLICY = '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';

/** The account AWS shows as RequesterId on interface endpoints' network interfaces (AWS's VPC user guide). */
const VPCE_REQUESTER_ID = "727180483921";

/** The endpoints of a state (states saved before endpoints existed have none). */
export function endpointsOf(s: Ec2State): Record<string, VpcEndpointRec> {
  return (s.vpcEndpoints ??= dict());
}

export function endpointById(s: Ec2State, id: string): VpcEndpointRec | undefined {
  const all = endpointsOf(s);
  return Object.prototype.hasOwnProperty.call(all, id) ? all[id] : undefined;
}

function endpointNotFound(id: string) {
  return ec2Error("InvalidVpcEndpointId.NotFound", `The Vpc Endpoint Id '${id}' does not exist`); // unverified wording (code: AWS's error list)
}

function getEndpoint(s: Ec2State, id: string): VpcEndpointRec {
  if (!wellFormed("vpce", id)) throw ec2Error("InvalidVpcEndpointId.Malformed", `Invalid id: "${id}" (expecting "vpce-...")`);
  const e = endpointById(s, id);
  if (!e || e.state === "deleted") throw endpointNotFound(id);
  return e;
}

function invalidParameter(message: string) {
  return ec2Error("InvalidParameter", message);
}

// ---------------------------------------------------------------- view

function dnsEntries(s: Ec2State, e: VpcEndpointRec, svc: EndpointService | undefined): OutputObject[] {
  if (e.type !== "Interface" || !svc) return [];
  // unverified: hosted zone ids of AWS's vpce.amazonaws.com zones differ per region; us-east-1's is from AWS's documentation example.
  const zone = s.region === "us-east-1" ? "Z7HUB22UULQXV" : `Z${stableHex(`vpce|${s.region}`).toUpperCase().slice(0, 13)}`;
  const base = `${e.id}-${e.dnsSuffix}`;
  const out: OutputObject[] = [{ dnsName: `${base}.${svc.baseDnsName}`, hostedZoneId: zone }];
  for (const az of endpointZones(s, e)) out.push({ dnsName: `${base}-${az}.${svc.baseDnsName}`, hostedZoneId: zone });
  if (e.privateDnsEnabled && svc.privateDnsName) {
    out.push({ dnsName: svc.privateDnsName, hostedZoneId: `Z${stableHex(`private|${e.id}`).toUpperCase().slice(0, 13)}` });
  }
  return out;
}

function endpointZones(s: Ec2View, e: DeepReadonly<VpcEndpointRec>): string[] {
  return e.interfaces.flatMap((i) => (s.subnets[i.subnetId] ? [s.subnets[i.subnetId].availabilityZone] : []));
}

/** The DNS names an interface endpoint answers inside its VPC: its regional and zonal vpce names, and the private DNS name when enabled. */
export function endpointDnsNames(s: Ec2View, e: DeepReadonly<VpcEndpointRec>): { regional: string[]; privateDns?: string } {
  const svc = findEndpointService(s.region, e.serviceName);
  if (e.type !== "Interface" || !svc) return { regional: [] };
  const base = `${e.id}-${e.dnsSuffix}`;
  return {
    regional: [`${base}.${svc.baseDnsName}`, ...endpointZones(s, e).map((az) => `${base}-${az}.${svc.baseDnsName}`)],
    privateDns: e.privateDnsEnabled ? svc.privateDnsName : undefined,
  };
}

export function vpcEndpointView(s: Ec2State, e: VpcEndpointRec): OutputObject {
  const svc = findEndpointService(s.region, e.serviceName);
  const interfaceType = e.type === "Interface";
  return {
    vpcEndpointId: e.id,
    vpcEndpointType: e.type,
    vpcId: e.vpcId,
    serviceName: e.serviceName,
    state: e.state,
    policyDocument: e.policyDocument,
    // A table deleted since (DeleteRouteTable) no longer shows.
    routeTableIdSet: e.routeTableIds.filter((id) => s.routeTables[id]),
    subnetIdSet: e.interfaces.map((i) => i.subnetId),
    groupSet: e.groupIds.map((id) => ({ groupId: id, groupName: s.securityGroups[id]?.name })),
    ipAddressType: e.ipAddressType,
    dnsOptions: interfaceType ? { dnsRecordIpType: e.dnsRecordIpType ?? "ipv4" } : undefined,
    privateDnsEnabled: e.privateDnsEnabled,
    requesterManaged: false,
    networkInterfaceIdSet: e.interfaces.map((i) => i.networkInterfaceId),
    dnsEntrySet: dnsEntries(s, e, svc),
    creationTimestamp: iso(e.createdAt),
    tagSet: tagSetView(e.tags, true),
    ownerId: e.ownerId,
  };
}

const endpointFilters: FilterTable<VpcEndpointRec> = {
  "ip-address-type": (e) => e.ipAddressType,
  "service-name": (e) => e.serviceName,
  "vpc-id": (e) => e.vpcId,
  "vpc-endpoint-id": (e) => e.id,
  "vpc-endpoint-state": (e) => e.state,
  "vpc-endpoint-type": (e) => e.type,
};

// ---------------------------------------------------------------- checks shared by create and modify

function endpointContext(s: Ec2State, e: VpcEndpointRec) {
  return { "ec2:Vpc": arnOf(s, "vpc", e.vpcId), "ec2:VpceServiceName": e.serviceName, "ec2:VpceServiceOwner": "amazon", ...resourceTagContext(e.tags) };
}

function subnetsFor(s: Ec2State, vpc: VpcRec, ids: string[]): SubnetRec[] {
  return [...new Set(ids)].map((id) => {
    const subnet = getSubnet(s, id);
    if (subnet.vpcId !== vpc.id) throw invalidParameter(`The subnet ID '${id}' does not belong to the VPC '${vpc.id}'.`); // unverified wording
    return subnet;
  });
}

function groupsFor(s: Ec2State, vpc: VpcRec, ids: string[]): SecurityGroupRec[] {
  return [...new Set(ids)].map((id) => {
    const g = getSecurityGroup(s, id);
    if (g.vpcId !== vpc.id) throw invalidParameter(`The security group '${id}' does not belong to the VPC '${vpc.id}'.`); // unverified wording
    return g;
  });
}

function tablesFor(s: Ec2State, vpc: VpcRec, ids: string[]): RouteTableRec[] {
  return [...new Set(ids)].map((id) => {
    const rt = getRouteTable(s, id);
    if (rt.vpcId !== vpc.id) throw invalidParameter(`The route table '${id}' does not belong to the VPC '${vpc.id}'.`); // unverified wording
    return rt;
  });
}

/** One subnet per Availability Zone, counting the endpoint's subnets already there. */
function checkOnePerZone(subnets: SubnetRec[], existing: SubnetRec[]): void {
  const zones = new Set(existing.map((x) => x.availabilityZone));
  for (const x of subnets) {
    if (zones.has(x.availabilityZone)) {
      // AWS's text, as public reports quote it.
      throw ec2Error("DuplicateSubnetsInSameZone", `Found another VPC endpoint subnet in the availability zone of ${x.id}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.`);
    }
    zones.add(x.availabilityZone);
  }
}

function checkPrivateDns(s: Ec2State, vpc: VpcRec, serviceName: string, svc: EndpointService, self: string | undefined): void {
  if (!vpc.enableDnsSupport || !vpc.enableDnsHostnames) {
    // AWS's text, as public reports quote it.
    throw invalidParameter(`Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for ${vpc.id}`);
  }
  const clash = Object.values(endpointsOf(s)).find(
    (o) => o.id !== self && o.vpcId === vpc.id && o.type === "Interface" && o.serviceName === serviceName && o.privateDnsEnabled && (o.state === "pending" || o.state === "available"),
  );
  if (clash) throw invalidParameter(`private-dns-enabled cannot be set because there is already a conflicting DNS domain for ${svc.privateDnsName} in the VPC ${vpc.id}`);
}

function readPolicy(text: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw ec2Error("InvalidPolicyDocument", "The policy document is not valid JSON."); // unverified wording
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc) || !("Statement" in doc)) throw ec2Error("InvalidPolicyDocument", "The policy document must be a JSON object with a Statement."); // unverified wording
  return text;
}

function readIpAddressType(c: Ec2Call, serviceName: string): "ipv4" | undefined {
  const t = optString(c.p, "IpAddressType");
  if (t === undefined || t === "ipv4") return t;
  if (t !== "dualstack" && t !== "ipv6") throw invalidParameterValue(`Value (${t}) for parameter IpAddressType is invalid. Valid values: ipv4, dualstack, ipv6.`); // unverified wording
  // The endpoint services list only ipv4 (SupportedIpAddressTypes), as hyperlocal models them.
  throw invalidParameter(`The VPC endpoint service ${serviceName} does not support the IP address type ${t}.`); // unverified wording
}

function readDnsRecordIpType(c: Ec2Call): string | undefined {
  const node = c.p.DnsOptions;
  const t = typeof node === "object" ? optString(node, "DnsRecordIpType") : undefined;
  if (t === undefined || t === "ipv4" || t === "service-defined") return t;
  throw invalidParameter(`DNS record IP type ${t} is not supported for IP address type ipv4.`); // unverified wording
}

/** Take one address in each subnet for the endpoint (all checked first: nothing is taken when one subnet is full). */
function addInterfaces(s: Ec2State, e: VpcEndpointRec, subnets: SubnetRec[], groups: SecurityGroupRec[], now: number): void {
  for (const subnet of subnets) {
    if (!subnet.cidr || subnet.ipv6Native) throw invalidParameter(`The subnet ${subnet.id} has no IPv4 addresses for an ipv4 endpoint.`); // unverified wording
    if (availableIpAddressCount(subnet) < 1) throw insufficientAddresses();
  }
  for (const subnet of subnets) {
    const eni = allocateInterface(s, {
      subnet,
      groups,
      description: `VPC Endpoint Interface ${e.id}`,
      interfaceType: "vpc_endpoint",
      requesterManaged: true,
      requesterId: VPCE_REQUESTER_ID,
      managedBy: "vpce",
      now,
    });
    eni.status = "in-use";
    e.interfaces.push({ subnetId: subnet.id, networkInterfaceId: eni.id });
  }
}

function releaseInterfaces(s: Ec2State, e: VpcEndpointRec, subnetIds?: Set<string>): void {
  const keep: VpcEndpointRec["interfaces"] = [];
  for (const i of e.interfaces) {
    if (subnetIds && !subnetIds.has(i.subnetId)) {
      keep.push(i);
      continue;
    }
    const eni = s.networkInterfaces[i.networkInterfaceId];
    if (eni) releaseInterface(s, eni);
  }
  e.interfaces = keep;
}

/** Gateway endpoints: the route to the service's prefix list in each table (RouteAlreadyExists checked for all first). */
function addRoutes(s: Ec2State, e: VpcEndpointRec, tables: RouteTableRec[]): void {
  const pl = awsPrefixListFor(s.region, e.service);
  if (!pl) return;
  for (const rt of tables) {
    if (rt.routes.some((r) => r.destinationPrefixListId === pl.id)) {
      throw ec2Error("RouteAlreadyExists", `route table ${rt.id} already has a route with destination-prefix-list-id ${pl.id}`);
    }
  }
  for (const rt of tables) {
    rt.routes.push({ destinationPrefixListId: pl.id, gatewayId: e.id, origin: "CreateRoute" });
    e.routeTableIds.push(rt.id);
  }
}

function removeRoutes(s: Ec2State, e: VpcEndpointRec, tableIds: Set<string>): void {
  for (const id of tableIds) {
    const rt = s.routeTables[id];
    if (rt) rt.routes = rt.routes.filter((r) => r.gatewayId !== e.id);
  }
  e.routeTableIds = e.routeTableIds.filter((id) => !tableIds.has(id));
}

// ---------------------------------------------------------------- operations

function createVpcEndpoint(c: Ec2Call, timing: EndpointTiming): OutputObject {
  const vpc = getVpc(c.s, reqString(c.p, "VpcId"));
  const serviceName = reqString(c.p, "ServiceName");
  const type = optString(c.p, "VpcEndpointType") ?? "Gateway";
  if (!["Interface", "Gateway", "GatewayLoadBalancer", "Resource", "ServiceNetwork"].includes(type)) {
    throw invalidParameterValue(`Value (${type}) for parameter VpcEndpointType is invalid. Valid values: Interface, Gateway, GatewayLoadBalancer, Resource, ServiceNetwork.`); // unverified wording
  }
  const svc = findEndpointService(c.ctx.region, serviceName);
  if (!svc) throw invalidServiceName(serviceName);
  if (!(svc.types as string[]).includes(type)) throw invalidParameter(`The Vpc Endpoint Service '${serviceName}' does not support endpoint type ${type}.`); // unverified wording
  const subnetIds = stringList(c.p, "SubnetId");
  const groupIds = stringList(c.p, "SecurityGroupId");
  const tableIds = stringList(c.p, "RouteTableId");
  const askedPrivateDns = optBool(c.p, "PrivateDnsEnabled");
  const ipAddressType = readIpAddressType(c, serviceName) ?? "ipv4";
  const dnsRecordIpType = readDnsRecordIpType(c);
  const policyText = optString(c.p, "PolicyDocument");
  const policyDocument = policyText !== undefined ? readPolicy(policyText) : DEFAULT_ENDPOINT_POLICY;
  const tags = tagSpecifications(c.p, ["vpc-endpoint"])["vpc-endpoint"];

  let subnets: SubnetRec[] = [];
  let groups: SecurityGroupRec[] = [];
  let tables: RouteTableRec[] = [];
  let privateDns = false;
  if (type === "Gateway") {
    if (subnetIds.length || groupIds.length) throw invalidParameter("Subnet IDs and security group IDs are only supported for Interface type VPC endpoints."); // unverified wording
    if (askedPrivateDns) throw invalidParameter("Private DNS can only be enabled for Interface type VPC endpoints."); // unverified wording
    tables = tablesFor(c.s, vpc, tableIds);
  } else {
    if (tableIds.length) throw invalidParameter("Route table IDs are only supported for Gateway type VPC Endpoint."); // unverified wording
    subnets = subnetsFor(c.s, vpc, subnetIds);
    checkOnePerZone(subnets, []);
    groups = groupIds.length ? groupsFor(c.s, vpc, groupIds) : [c.s.securityGroups[vpc.defaultSecurityGroupId]].filter(Boolean);
    // AWS's default for AWS services: private DNS on.
    privateDns = askedPrivateDns ?? true;
  }
  const vpcArn = arnOf(c.s, "vpc", vpc.id);
  // The condition keys the service authorization reference lists for CreateVpcEndpoint (AWS services are owned by "amazon").
  const common = { "ec2:Vpc": vpcArn, "ec2:VpceServiceName": serviceName, "ec2:VpceServiceOwner": "amazon" };
  const targets: AuthTarget[] = [
    { arn: arnOf(c.s, "vpc-endpoint", "*"), context: { ...common, ...requestTagContext(tags) } },
    { arn: vpcArn, context: { ...common, ...resourceTagContext(vpc.tags) } },
    ...subnets.map((x) => ({ arn: arnOf(c.s, "subnet", x.id), context: { ...common, ...subnetContext(c.s, x), ...resourceTagContext(x.tags) } })),
    ...groups.map((g) => ({ arn: arnOf(c.s, "security-group", g.id), context: { ...common, ...resourceTagContext(g.tags) } })),
    ...tables.map((rt) => ({ arn: arnOf(c.s, "route-table", rt.id), context: { ...common, ...rtContext(c.s, rt) } })),
  ];
  gate(c, "CreateVpcEndpoint", targets);
  const clientToken = optString(c.p, "ClientToken");
  const prior = priorResult(c, "CreateVpcEndpoint");
  const priorRec = prior ? endpointById(c.s, prior) : undefined;
  if (priorRec) return { vpcEndpoint: vpcEndpointView(c.s, priorRec), clientToken };
  if (privateDns) checkPrivateDns(c.s, vpc, serviceName, svc, undefined);

  const e: VpcEndpointRec = {
    id: ec2Id("vpce"),
    vpcId: vpc.id,
    ownerId: c.s.account,
    type: type as VpcEndpointRec["type"],
    serviceName,
    service: svc.service,
    state: type === "Gateway" ? "available" : "pending",
    policyDocument,
    routeTableIds: [],
    interfaces: [],
    groupIds: groups.map((g) => g.id),
    privateDnsEnabled: privateDns,
    ipAddressType,
    ...(dnsRecordIpType ? { dnsRecordIpType } : {}),
    dnsSuffix: randomSuffix(),
    createdAt: c.now,
    ...(type === "Interface" ? { transitionAt: c.now + timing.pendingMs } : {}),
    tags: tags ?? dict(),
  };
  if (type === "Gateway") addRoutes(c.s, e, tables);
  else addInterfaces(c.s, e, subnets, groups, c.now);
  endpointsOf(c.s)[e.id] = e;
  rememberResult(c, "CreateVpcEndpoint", e.id);
  return { vpcEndpoint: vpcEndpointView(c.s, e), clientToken };
}

function randomSuffix(): string {
  const letters = "abcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(8)].map((b) => letters[b % letters.length]).join("");
}

function describeVpcEndpoints(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeVpcEndpoints");
  const ids = stringList(c.p, "VpcEndpointId");
  const live = Object.values(endpointsOf(c.s)).filter((e) => e.state !== "deleted");
  let all: readonly VpcEndpointRec[] = live;
  if (ids.length) {
    for (const id of ids) if (!wellFormed("vpce", id)) throw ec2Error("InvalidVpcEndpointId.Malformed", `Invalid id: "${id}" (expecting "vpce-...")`);
    const missing = ids.filter((id) => !live.some((e) => e.id === id));
    if (missing.length) throw endpointNotFound(missing[0]);
    all = live.filter((e) => ids.includes(e.id));
  }
  const picked = applyFilters(all, parseFilters(c.p), endpointFilters, (e) => e.tags);
  const page = paginate(picked, c.p, BOUNDS_1000, (e) => e.id);
  return { vpcEndpointSet: page.items.map((e) => vpcEndpointView(c.s, e)), nextToken: page.nextToken };
}

function modifyVpcEndpoint(c: Ec2Call): OutputObject {
  const e = getEndpoint(c.s, reqString(c.p, "VpcEndpointId"));
  const vpc = getVpc(c.s, e.vpcId);
  const addSubnets = subnetsFor(c.s, vpc, stringList(c.p, "AddSubnetId"));
  const removeSubnets = stringList(c.p, "RemoveSubnetId");
  const addGroups = groupsFor(c.s, vpc, stringList(c.p, "AddSecurityGroupId"));
  const removeGroups = stringList(c.p, "RemoveSecurityGroupId");
  const addTables = tablesFor(c.s, vpc, stringList(c.p, "AddRouteTableId"));
  const removeTables = stringList(c.p, "RemoveRouteTableId");
  const policyText = optString(c.p, "PolicyDocument");
  const resetPolicy = optBool(c.p, "ResetPolicy");
  const privateDns = optBool(c.p, "PrivateDnsEnabled");
  readIpAddressType(c, e.serviceName);
  const dnsRecordIpType = readDnsRecordIpType(c);
  gate(c, "ModifyVpcEndpoint", [
    { arn: arnOf(c.s, "vpc-endpoint", e.id), context: endpointContext(c.s, e) },
    ...addSubnets.map((x) => ({ arn: arnOf(c.s, "subnet", x.id), context: { ...subnetContext(c.s, x), ...resourceTagContext(x.tags) } })),
    ...addGroups.map((g) => ({ arn: arnOf(c.s, "security-group", g.id), context: { "ec2:Vpc": arnOf(c.s, "vpc", g.vpcId), ...resourceTagContext(g.tags) } })),
    ...addTables.map((rt) => ({ arn: arnOf(c.s, "route-table", rt.id), context: rtContext(c.s, rt) })),
  ]);
  if (e.state === "deleting") throw ec2Error("IncorrectState", `The VPC endpoint ${e.id} is being deleted.`); // unverified wording
  if (policyText !== undefined && resetPolicy) throw ec2Error("InvalidParameterCombination", "The parameters PolicyDocument and ResetPolicy cannot be used together."); // unverified wording
  const policy = policyText !== undefined ? readPolicy(policyText) : resetPolicy ? DEFAULT_ENDPOINT_POLICY : undefined;

  if (e.type === "Gateway") {
    if (addSubnets.length || removeSubnets.length || addGroups.length || removeGroups.length) throw invalidParameter("Subnet IDs and security group IDs are only supported for Interface type VPC endpoints."); // unverified wording
    if (privateDns) throw invalidParameter("Private DNS can only be enabled for Interface type VPC endpoints."); // unverified wording
    for (const id of removeTables) if (!e.routeTableIds.includes(id)) throw invalidParameter(`Route table ${id} is not associated with VPC endpoint ${e.id}.`); // unverified wording
    const fresh = addTables.filter((rt) => !e.routeTableIds.includes(rt.id));
    removeRoutes(c.s, e, new Set(removeTables));
    addRoutes(c.s, e, fresh);
  } else {
    if (addTables.length || removeTables.length) throw invalidParameter("Route table IDs are only supported for Gateway type VPC Endpoint."); // unverified wording
    const current = new Set(e.interfaces.map((i) => i.subnetId));
    for (const id of removeSubnets) if (!current.has(id)) throw invalidParameter(`Subnet ${id} is not associated with VPC endpoint ${e.id}.`); // unverified wording
    const fresh = addSubnets.filter((x) => !current.has(x.id));
    const staying = e.interfaces.filter((i) => !removeSubnets.includes(i.subnetId)).flatMap((i) => (c.s.subnets[i.subnetId] ? [c.s.subnets[i.subnetId]] : []));
    checkOnePerZone(fresh, staying);
    const groupIds = [...e.groupIds.filter((id) => !removeGroups.includes(id)), ...addGroups.map((g) => g.id).filter((id) => !e.groupIds.includes(id))];
    for (const id of removeGroups) if (!e.groupIds.includes(id)) throw invalidParameter(`Security group ${id} is not associated with VPC endpoint ${e.id}.`); // unverified wording
    if (groupIds.length === 0) throw invalidParameter("A VPC endpoint of type Interface must have at least one security group."); // unverified wording
    if (privateDns === true && !e.privateDnsEnabled) {
      const svc = findEndpointService(c.s.region, e.serviceName)!;
      checkPrivateDns(c.s, vpc, e.serviceName, svc, e.id);
    }
    const groups = groupIds.map((id) => c.s.securityGroups[id]).filter(Boolean);
    releaseInterfaces(c.s, e, new Set(removeSubnets));
    addInterfaces(c.s, e, fresh, groups, c.now);
    e.groupIds = groupIds;
    for (const i of e.interfaces) {
      const eni = c.s.networkInterfaces[i.networkInterfaceId];
      if (eni) eni.groupIds = [...groupIds];
    }
    if (privateDns !== undefined) e.privateDnsEnabled = privateDns;
    if (dnsRecordIpType) e.dnsRecordIpType = dnsRecordIpType;
  }
  if (policy !== undefined) e.policyDocument = policy;
  return { return: true };
}

function deleteVpcEndpoints(c: Ec2Call, timing: EndpointTiming): OutputObject {
  const ids = stringList(c.p, "VpcEndpointId");
  if (ids.length === 0) throw ec2Error("MissingParameter", "The request must contain the parameter VpcEndpointId"); // unverified wording
  const found: VpcEndpointRec[] = [];
  const unsuccessful: OutputObject[] = [];
  for (const id of ids) {
    const e = wellFormed("vpce", id) ? endpointById(c.s, id) : undefined;
    if (e && e.state !== "deleted") found.push(e);
    else {
      const err = wellFormed("vpce", id) ? endpointNotFound(id) : malformedEndpoint(id);
      unsuccessful.push({ error: { code: err.code, message: err.message }, resourceId: id });
    }
  }
  gate(
    c,
    "DeleteVpcEndpoints",
    found.map((e) => ({ arn: arnOf(c.s, "vpc-endpoint", e.id), context: endpointContext(c.s, e) })),
  );
  for (const e of found) {
    if (e.type === "Gateway") {
      removeRoutes(c.s, e, new Set(e.routeTableIds));
      delete endpointsOf(c.s)[e.id];
    } else if (e.state !== "deleting") {
      e.state = "deleting";
      e.transitionAt = c.now + timing.deletingMs;
    }
  }
  return { unsuccessful };
}

function malformedEndpoint(id: string) {
  return ec2Error("InvalidVpcEndpointId.Malformed", `Invalid id: "${id}" (expecting "vpce-...")`);
}

/** Apply due endpoint transitions (pending → available, deleting → gone with its interfaces); true when something changed. */
export function settleVpcEndpoints(s: Ec2State, now: number): boolean {
  const all = s.vpcEndpoints;
  if (!all) return false;
  let changed = false;
  for (const e of Object.values(all)) {
    if (e.transitionAt === undefined || e.transitionAt > now) continue;
    changed = true;
    if (e.state === "pending") {
      e.state = "available";
      delete e.transitionAt;
    } else if (e.state === "deleting") {
      releaseInterfaces(s, e);
      delete all[e.id];
    } else delete e.transitionAt;
  }
  return changed;
}

export function vpcEndpointOperations(timing: EndpointTiming) {
  return {
    CreateVpcEndpoint: (c: Ec2Call) => createVpcEndpoint(c, timing),
    DescribeVpcEndpoints: describeVpcEndpoints,
    ModifyVpcEndpoint: modifyVpcEndpoint,
    DeleteVpcEndpoints: (c: Ec2Call) => deleteVpcEndpoints(c, timing),
  };
}
