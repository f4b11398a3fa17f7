import { dict } from "../../core/dict.ts";
import { ec2Id } from "../../core/ids.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { containsIp, formatCidr, isAligned, parseCidr, parseIp } from "../../net-addr/blocks.ts";
import { priorResult, rememberResult } from "./client-token.ts";
import { arnOf, gate, gateDescribe, requestTagContext, resourceTagContext, type Ec2Call } from "./context.ts";
import { dependencyViolation, ec2Error, invalidCidrParameter, invalidParameterValue, missingParameter, notFound, wellFormed } from "./errors.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { getEgressOnlyGateway, getNetworkInterface, getRouteTable, getSubnet, getVpc, selectByIds } from "./lookup.ts";
import { paginate } from "./pagination.ts";
import { optBool, optString, reqString, stringList } from "./request.ts";
import type { Ec2State, RouteRec, RouteTableRec, VpcRec } from "./state.ts";
import { tagSetView, tagSpecifications } from "./tags.ts";

/**
 * Route tables: the main table of each VPC with its local routes, custom tables, routes to
 * gateways, NAT gateways, egress-only gateways, peering connections and interfaces (each target
 * checked), and subnet associations. A route's state is derived from its target when read.
 */
export const ROUTE_TABLE_BOUNDS = { min: 5, max: 100 };

export function buildRouteTable(s: Ec2State, vpc: VpcRec, main: boolean, tags: Record<string, string> = dict()): RouteTableRec {
  const id = ec2Id("rtb");
  const routes: RouteRec[] = [
    ...vpc.cidrs.map((c): RouteRec => ({ destinationCidrBlock: c.cidr, gatewayId: "local", origin: "CreateRouteTable" })),
    ...vpc.ipv6.map((c): RouteRec => ({ destinationIpv6CidrBlock: c.cidr, gatewayId: "local", origin: "CreateRouteTable" })),
  ];
  const rt: RouteTableRec = { id, vpcId: vpc.id, ownerId: s.account, routes, associations: main ? [{ associationId: ec2Id("rtbassoc"), main: true }] : [], tags };
  s.routeTables[id] = rt;
  return rt;
}

function destinationOf(r: RouteRec): string {
  return r.destinationCidrBlock ?? r.destinationIpv6CidrBlock ?? r.destinationPrefixListId ?? "";
}

/** A new VPC block gets a local route in every route table of the VPC. */
export function addLocalRoute(s: Ec2State, vpc: VpcRec, cidr: string): void {
  const v6 = cidr.includes(":");
  for (const rt of Object.values(s.routeTables)) {
    if (rt.vpcId !== vpc.id || rt.routes.some((r) => destinationOf(r) === cidr)) continue;
    rt.routes.push(v6 ? { destinationIpv6CidrBlock: cidr, gatewayId: "local", origin: "CreateRouteTable" } : { destinationCidrBlock: cidr, gatewayId: "local", origin: "CreateRouteTable" });
  }
}

export function removeLocalRoute(s: Ec2State, vpc: VpcRec, cidr: string): void {
  for (const rt of Object.values(s.routeTables)) {
    if (rt.vpcId === vpc.id) rt.routes = rt.routes.filter((r) => !(r.gatewayId === "local" && destinationOf(r) === cidr));
  }
}

export function dropSubnetFromRouteTables(s: Ec2State, subnetId: string): void {
  for (const rt of Object.values(s.routeTables)) rt.associations = rt.associations.filter((a) => a.subnetId !== subnetId);
}

/** The table a subnet uses: its explicit association, else the VPC's main table. */
export function routeTableOfSubnet(s: Ec2State, subnetId: string): RouteTableRec | undefined {
  const subnet = s.subnets[subnetId];
  if (!subnet) return undefined;
  for (const rt of Object.values(s.routeTables)) if (rt.associations.some((a) => a.subnetId === subnetId)) return rt;
  const vpc = s.vpcs[subnet.vpcId];
  return vpc ? s.routeTables[vpc.mainRouteTableId] : undefined;
}

/** active or blackhole, from the target as it is now. */
export function routeState(s: Ec2State, rt: RouteTableRec, r: RouteRec): "active" | "blackhole" {
  if (r.gatewayId === "local") return "active";
  // A gateway endpoint's route to its prefix list.
  if (r.gatewayId?.startsWith("vpce-")) return s.vpcEndpoints?.[r.gatewayId] ? "active" : "blackhole";
  if (r.gatewayId) return s.internetGateways[r.gatewayId]?.attachments.some((a) => a.vpcId === rt.vpcId) ? "active" : "blackhole";
  if (r.natGatewayId) {
    const n = s.natGateways[r.natGatewayId];
    return n && (n.state === "available" || n.state === "pending") ? "active" : "blackhole";
  }
  if (r.egressOnlyInternetGatewayId) return s.egressOnlyInternetGateways[r.egressOnlyInternetGatewayId] ? "active" : "blackhole";
  if (r.vpcPeeringConnectionId) return s.peerings[r.vpcPeeringConnectionId]?.status === "active" ? "active" : "blackhole";
  if (r.networkInterfaceId) return s.networkInterfaces[r.networkInterfaceId] ? "active" : "blackhole";
  return "blackhole";
}

function routeView(s: Ec2State, rt: RouteTableRec, r: RouteRec): OutputObject {
  return {
    destinationCidrBlock: r.destinationCidrBlock,
    destinationIpv6CidrBlock: r.destinationIpv6CidrBlock,
    destinationPrefixListId: r.destinationPrefixListId,
    egressOnlyInternetGatewayId: r.egressOnlyInternetGatewayId,
    gatewayId: r.gatewayId,
    instanceOwnerId: r.networkInterfaceId ? (s.networkInterfaces[r.networkInterfaceId]?.ownerId ?? undefined) : undefined,
    natGatewayId: r.natGatewayId,
    networkInterfaceId: r.networkInterfaceId,
    origin: r.origin,
    state: routeState(s, rt, r),
    vpcPeeringConnectionId: r.vpcPeeringConnectionId,
  };
}

export function routeTableView(s: Ec2State, rt: RouteTableRec): OutputObject {
  return {
    associationSet: rt.associations.map((a) => ({
      main: a.main,
      routeTableAssociationId: a.associationId,
      routeTableId: rt.id,
      subnetId: a.subnetId,
      gatewayId: a.gatewayId,
      associationState: { state: "associated" },
    })),
    propagatingVgwSet: [],
    routeTableId: rt.id,
    routeSet: rt.routes.map((r) => routeView(s, rt, r)),
    tagSet: tagSetView(rt.tags, true),
    vpcId: rt.vpcId,
    ownerId: rt.ownerId,
  };
}

const rtFilters = (s: Ec2State): FilterTable<RouteTableRec> => ({
  "association.gateway-id": (t) => t.associations.map((a) => a.gatewayId),
  "association.route-table-association-id": (t) => t.associations.map((a) => a.associationId),
  "association.route-table-id": (t) => t.associations.map(() => t.id),
  "association.subnet-id": (t) => t.associations.map((a) => a.subnetId),
  "association.main": (t) => t.associations.map((a) => a.main),
  "owner-id": (t) => t.ownerId,
  "route-table-id": (t) => t.id,
  "route.destination-cidr-block": (t) => t.routes.map((r) => r.destinationCidrBlock),
  "route.destination-ipv6-cidr-block": (t) => t.routes.map((r) => r.destinationIpv6CidrBlock),
  "route.destination-prefix-list-id": (t) => t.routes.map((r) => r.destinationPrefixListId),
  "route.egress-only-internet-gateway-id": (t) => t.routes.map((r) => r.egressOnlyInternetGatewayId),
  "route.gateway-id": (t) => t.routes.map((r) => r.gatewayId),
  "route.instance-id": () => [],
  "route.nat-gateway-id": (t) => t.routes.map((r) => r.natGatewayId),
  "route.transit-gateway-id": () => [],
  "route.origin": (t) => t.routes.map((r) => r.origin),
  "route.state": (t) => t.routes.map((r) => routeState(s, t, r)),
  "route.vpc-peering-connection-id": (t) => t.routes.map((r) => r.vpcPeeringConnectionId),
  "vpc-id": (t) => t.vpcId,
});

export function rtContext(s: Ec2State, rt: RouteTableRec) {
  return { "ec2:Vpc": arnOf(s, "vpc", rt.vpcId), "ec2:RouteTableID": rt.id, ...resourceTagContext(rt.tags) };
}

function createRouteTable(c: Ec2Call): OutputObject {
  const vpc = getVpc(c.s, reqString(c.p, "VpcId"));
  const tags = tagSpecifications(c.p, ["route-table"])["route-table"];
  gate(c, "CreateRouteTable", [
    { arn: arnOf(c.s, "route-table", "*"), context: { "ec2:Vpc": arnOf(c.s, "vpc", vpc.id), ...requestTagContext(tags) } },
    { arn: arnOf(c.s, "vpc", vpc.id), context: { "ec2:Vpc": arnOf(c.s, "vpc", vpc.id), ...resourceTagContext(vpc.tags) } },
  ]);
  const prior = priorResult(c, "CreateRouteTable");
  if (prior && c.s.routeTables[prior]) return { routeTable: routeTableView(c.s, c.s.routeTables[prior]), clientToken: optString(c.p, "ClientToken") };
  const rt = buildRouteTable(c.s, vpc, false, tags ?? dict());
  rememberResult(c, "CreateRouteTable", rt.id);
  return { routeTable: routeTableView(c.s, rt), clientToken: optString(c.p, "ClientToken") };
}

function describeRouteTables(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeRouteTables");
  const all = selectByIds(Object.values(c.s.routeTables), stringList(c.p, "RouteTableId"), (t) => t.id, "rtb", "rtb");
  const picked = applyFilters(all, parseFilters(c.p), rtFilters(c.s), (t) => t.tags);
  const page = paginate(picked, c.p, ROUTE_TABLE_BOUNDS, (t) => t.id);
  return { routeTableSet: page.items.map((t) => routeTableView(c.s, t)), nextToken: page.nextToken };
}

function deleteRouteTable(c: Ec2Call): OutputObject {
  const rt = getRouteTable(c.s, reqString(c.p, "RouteTableId"));
  gate(c, "DeleteRouteTable", { arn: arnOf(c.s, "route-table", rt.id), context: rtContext(c.s, rt) });
  if (rt.associations.length > 0) throw dependencyViolation(`The routeTable '${rt.id}' has dependencies and cannot be deleted.`);
  delete c.s.routeTables[rt.id];
  return { return: true };
}

type Destination = Pick<RouteRec, "destinationCidrBlock" | "destinationIpv6CidrBlock" | "destinationPrefixListId">;

function readDestination(c: Ec2Call): Destination {
  const v4 = optString(c.p, "DestinationCidrBlock");
  const v6 = optString(c.p, "DestinationIpv6CidrBlock");
  const pl = optString(c.p, "DestinationPrefixListId");
  const given = [v4, v6, pl].filter((x) => x !== undefined && x !== "");
  if (given.length === 0) throw missingParameter("destinationCidrBlock or destinationIpv6CidrBlock or destinationPrefixListId"); // unverified wording
  if (given.length > 1) throw ec2Error("InvalidParameterCombination", "Only one of destinationCidrBlock, destinationIpv6CidrBlock or destinationPrefixListId may be specified."); // unverified wording
  if (v4) {
    const b = parseCidr(v4, 4);
    if (!b || !isAligned(b)) throw invalidCidrParameter(v4, "destinationCidrBlock");
    return { destinationCidrBlock: formatCidr(b) };
  }
  if (v6) {
    const b = parseCidr(v6, 6);
    if (!b || !isAligned(b)) throw invalidCidrParameter(v6, "destinationIpv6CidrBlock");
    return { destinationIpv6CidrBlock: formatCidr(b) };
  }
  if (!wellFormed("pl", pl!)) throw ec2Error("InvalidPrefixListId.Malformed", `Invalid id: "${pl}" (expecting "pl-...")`); // unverified wording
  return { destinationPrefixListId: pl };
}

type Target = Pick<RouteRec, "gatewayId" | "natGatewayId" | "egressOnlyInternetGatewayId" | "vpcPeeringConnectionId" | "networkInterfaceId">;

const UNSUPPORTED_TARGETS = ["TransitGatewayId", "LocalGatewayId", "CarrierGatewayId", "VpcEndpointId", "CoreNetworkArn", "OdbNetworkArn"];

function differentNetworks(rt: RouteTableRec, what: string, id: string) {
  return invalidParameterValue(`route table ${rt.id} and ${what} ${id} belong to different networks`); // unverified wording beyond the igw case
}

/** Exactly one target, which must exist and belong to the route table's VPC. */
function readTarget(c: Ec2Call, rt: RouteTableRec, dest: Destination): Target {
  const names = ["GatewayId", "NatGatewayId", "EgressOnlyInternetGatewayId", "VpcPeeringConnectionId", "NetworkInterfaceId", "InstanceId", ...UNSUPPORTED_TARGETS];
  const given = names.filter((n) => optString(c.p, n));
  if (given.length !== 1) {
    throw ec2Error(
      given.length === 0 ? "MissingParameter" : "InvalidParameterCombination",
      "The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, vpcPeeringConnectionId, egressOnlyInternetGatewayId, instanceId, transitGatewayId, localGatewayId, carrierGatewayId or coreNetworkArn", // unverified wording
    );
  }
  const name = given[0];
  const id = optString(c.p, name)!;
  if (UNSUPPORTED_TARGETS.includes(name)) throw invalidParameterValue(`hyperlocal does not model ${name} route targets.`); // unverified wording
  if (name === "InstanceId") throw ec2Error("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
  if (name === "GatewayId") {
    if (id === "local") throw invalidParameterValue("The gateway 'local' can only be set on a local route."); // unverified wording
    const igw = wellFormed("igw", id) ? c.s.internetGateways[id] : undefined;
    if (!igw) throw ec2Error("InvalidGatewayID.NotFound", `The gateway ID '${id}' does not exist`);
    if (!igw.attachments.some((a) => a.vpcId === rt.vpcId)) throw invalidParameterValue(`route table ${rt.id} and network gateway ${id} belong to different networks`);
    return { gatewayId: id };
  }
  if (name === "NatGatewayId") {
    const nat = wellFormed("nat", id) ? c.s.natGateways[id] : undefined;
    if (!nat || nat.state === "deleted" || nat.state === "failed") throw notFound("nat", id);
    if (nat.vpcId !== rt.vpcId) throw differentNetworks(rt, "network gateway", id);
    return { natGatewayId: id };
  }
  if (name === "EgressOnlyInternetGatewayId") {
    const eigw = getEgressOnlyGateway(c.s, id);
    if (eigw.vpcId !== rt.vpcId) throw differentNetworks(rt, "network gateway", id);
    if (!dest.destinationIpv6CidrBlock) throw invalidParameterValue(`Egress-only internet gateway ${id} can only be the target of IPv6 routes.`); // unverified wording
    return { egressOnlyInternetGatewayId: id };
  }
  if (name === "VpcPeeringConnectionId") {
    const pcx = wellFormed("pcx", id) ? c.s.peerings[id] : undefined;
    if (!pcx || !["active", "pending-acceptance", "provisioning"].includes(pcx.status)) throw notFound("pcx", id);
    if (pcx.requesterVpcId !== rt.vpcId && pcx.accepterVpcId !== rt.vpcId) throw differentNetworks(rt, "VPC peering connection", id);
    return { vpcPeeringConnectionId: id };
  }
  const eni = getNetworkInterface(c.s, id);
  if (eni.vpcId !== rt.vpcId) throw differentNetworks(rt, "interface", id);
  return { networkInterfaceId: id };
}

function findRoute(rt: RouteTableRec, dest: Destination): number {
  const key = dest.destinationCidrBlock ?? dest.destinationIpv6CidrBlock ?? dest.destinationPrefixListId;
  return rt.routes.findIndex((r) => destinationOf(r) === key);
}

function routeAuth(c: Ec2Call, action: string, rt: RouteTableRec) {
  gate(c, action, { arn: arnOf(c.s, "route-table", rt.id), context: rtContext(c.s, rt) });
}

function createRoute(c: Ec2Call): OutputObject {
  const rt = getRouteTable(c.s, reqString(c.p, "RouteTableId"));
  const dest = readDestination(c);
  const target = readTarget(c, rt, dest);
  routeAuth(c, "CreateRoute", rt);
  if (findRoute(rt, dest) >= 0) throw ec2Error("RouteAlreadyExists", `The route identified by ${destinationOf(dest as RouteRec)} already exists.`);
  rt.routes.push({ ...dest, ...target, origin: "CreateRoute" });
  return { return: true };
}

function replaceRoute(c: Ec2Call): OutputObject {
  const rt = getRouteTable(c.s, reqString(c.p, "RouteTableId"));
  const dest = readDestination(c);
  const at = findRoute(rt, dest);
  const key = destinationOf(dest as RouteRec);
  if (at < 0) throw invalidParameterValue(`There is no route defined for '${key}' in the route table. Use CreateRoute instead.`);
  if (optBool(c.p, "LocalTarget") === true) {
    routeAuth(c, "ReplaceRoute", rt);
    if (rt.routes[at].gatewayId !== "local") throw invalidParameterValue(`The route identified by ${key} is not a local route.`); // unverified wording
    return { return: true };
  }
  const target = readTarget(c, rt, dest);
  routeAuth(c, "ReplaceRoute", rt);
  refuseEndpointRoute(rt, rt.routes[at]);
  if (rt.routes[at].gatewayId === "local") throw invalidParameterValue(`The route identified by ${key} is a local route and cannot be replaced.`); // unverified wording
  rt.routes[at] = { ...dest, ...target, origin: "CreateRoute" };
  return { return: true };
}

/** A route that a gateway endpoint owns: the user changes it through the endpoint, never directly. */
function endpointOwnedRouteError(routeTableId: string, prefixListId: string, endpointId: string) {
  return ec2Error("InvalidParameter", `Route ${prefixListId} in route table ${routeTableId} belongs to VPC endpoint ${endpointId}: change it with ModifyVpcEndpoint or DeleteVpcEndpoints.`); // unverified wording
}

/** Routes a gateway endpoint added change only through the endpoint (ModifyVpcEndpoint, DeleteVpcEndpoints). */
function refuseEndpointRoute(rt: RouteTableRec, r: RouteRec): void {
  if (r.gatewayId?.startsWith("vpce-") && r.destinationPrefixListId) throw endpointOwnedRouteError(rt.id, r.destinationPrefixListId, r.gatewayId);
}

function deleteRoute(c: Ec2Call): OutputObject {
  const rt = getRouteTable(c.s, reqString(c.p, "RouteTableId"));
  const dest = readDestination(c);
  routeAuth(c, "DeleteRoute", rt);
  const at = findRoute(rt, dest);
  const key = destinationOf(dest as RouteRec);
  if (at < 0) {
    const kind = dest.destinationCidrBlock ? "destination-cidr-block" : dest.destinationIpv6CidrBlock ? "destination-ipv6-cidr-block" : "destination-prefix-list-id";
    throw ec2Error("InvalidRoute.NotFound", `no route with ${kind} ${key} in route table ${rt.id}`);
  }
  if (rt.routes[at].gatewayId === "local") throw invalidParameterValue(`cannot remove local route ${key} in route table ${rt.id}`);
  refuseEndpointRoute(rt, rt.routes[at]);
  rt.routes.splice(at, 1);
  return { return: true };
}

function findAssociation(s: Ec2State, id: string): { rt: RouteTableRec; index: number } {
  for (const rt of Object.values(s.routeTables)) {
    const index = rt.associations.findIndex((a) => a.associationId === id);
    if (index >= 0) return { rt, index };
  }
  throw notFound("assoc", id);
}

function associateRouteTable(c: Ec2Call): OutputObject {
  const rt = getRouteTable(c.s, reqString(c.p, "RouteTableId"));
  const subnetId = optString(c.p, "SubnetId");
  const gatewayId = optString(c.p, "GatewayId");
  if (!subnetId && !gatewayId) throw missingParameter("subnetId");
  if (subnetId && gatewayId) throw ec2Error("InvalidParameterCombination", "Only one of subnetId or gatewayId may be specified."); // unverified wording
  if (subnetId) {
    const subnet = getSubnet(c.s, subnetId);
    gate(c, "AssociateRouteTable", [
      { arn: arnOf(c.s, "route-table", rt.id), context: rtContext(c.s, rt) },
      { arn: arnOf(c.s, "subnet", subnet.id), context: { "ec2:Vpc": arnOf(c.s, "vpc", subnet.vpcId), ...resourceTagContext(subnet.tags) } },
    ]);
    if (subnet.vpcId !== rt.vpcId) throw invalidParameterValue(`Route table ${rt.id} and subnet ${subnet.id} belong to different networks`); // unverified wording
    if (Object.values(c.s.routeTables).some((t) => t.associations.some((a) => a.subnetId === subnet.id))) {
      throw ec2Error("Resource.AlreadyAssociated", `the specified association for route table ${rt.id} conflicts with an existing association`);
    }
  } else {
    const igw = wellFormed("igw", gatewayId!) ? c.s.internetGateways[gatewayId!] : undefined;
    if (!igw) throw ec2Error("InvalidGatewayID.NotFound", `The gateway ID '${gatewayId}' does not exist`);
    gate(c, "AssociateRouteTable", { arn: arnOf(c.s, "route-table", rt.id), context: rtContext(c.s, rt) });
    if (!igw.attachments.some((a) => a.vpcId === rt.vpcId)) throw invalidParameterValue(`route table ${rt.id} and network gateway ${gatewayId} belong to different networks`);
    if (Object.values(c.s.routeTables).some((t) => t.associations.some((a) => a.gatewayId === gatewayId))) {
      throw ec2Error("Resource.AlreadyAssociated", `the specified association for route table ${rt.id} conflicts with an existing association`);
    }
  }
  const associationId = ec2Id("rtbassoc");
  rt.associations.push({ associationId, main: false, subnetId, gatewayId });
  return { associationId, associationState: { state: "associated" } };
}

function disassociateRouteTable(c: Ec2Call): OutputObject {
  const { rt, index } = findAssociation(c.s, reqString(c.p, "AssociationId"));
  gate(c, "DisassociateRouteTable", { arn: arnOf(c.s, "route-table", rt.id), context: rtContext(c.s, rt) });
  const a = rt.associations[index];
  if (a.main) throw invalidParameterValue(`cannot disassociate the main route table association ${a.associationId}`); // unverified wording
  rt.associations.splice(index, 1);
  return { return: true };
}

function replaceRouteTableAssociation(c: Ec2Call): OutputObject {
  const { rt: from, index } = findAssociation(c.s, reqString(c.p, "AssociationId"));
  const to = getRouteTable(c.s, reqString(c.p, "RouteTableId"));
  gate(c, "ReplaceRouteTableAssociation", [
    { arn: arnOf(c.s, "route-table", to.id), context: rtContext(c.s, to) },
    { arn: arnOf(c.s, "route-table", from.id), context: rtContext(c.s, from) },
  ]);
  if (to.vpcId !== from.vpcId) throw invalidParameterValue(`Route table ${to.id} and association ${from.associations[index].associationId} belong to different networks`); // unverified wording
  const [a] = from.associations.splice(index, 1);
  const newAssociationId = ec2Id("rtbassoc");
  to.associations.push({ ...a, associationId: newAssociationId });
  if (a.main) {
    const vpc = c.s.vpcs[to.vpcId];
    if (vpc) vpc.mainRouteTableId = to.id;
  }
  return { newAssociationId, associationState: { state: "associated" } };
}

export const routeTableOperations = {
  CreateRouteTable: createRouteTable,
  DescribeRouteTables: describeRouteTables,
  DeleteRouteTable: deleteRouteTable,
  CreateRoute: createRoute,
  ReplaceRoute: replaceRoute,
  DeleteRoute: deleteRoute,
  AssociateRouteTable: associateRouteTable,
  DisassociateRouteTable: disassociateRouteTable,
  ReplaceRouteTableAssociation: replaceRouteTableAssociation,
};

export interface RouteDecision {
  routeTableId: string;
  /** the matched destination, or undefined when nothing matched */
  destination?: string;
  target?: { kind: "local" | "internet-gateway" | "nat-gateway" | "egress-only-internet-gateway" | "vpc-peering-connection" | "network-interface"; id: string };
  state: "active" | "blackhole" | "no-route";
  /** For a peering route: the peer VPC the packet lands in (only when the address is inside it). */
  peerVpcId?: string;
}

/**
 * Where traffic from a subnet to an address goes: longest-prefix match in the subnet's table.
 * A peering route only delivers to the peer VPC's own blocks (no transitive routing): an address
 * beyond them is a blackhole even when a route sends it into the peering connection.
 */
export function routeFor(s: Ec2State, subnetId: string, address: string): RouteDecision | undefined {
  const rt = routeTableOfSubnet(s, subnetId);
  const ip = parseIp(address);
  if (!rt || !ip) return undefined;
  let best: RouteRec | undefined;
  let bestPrefix = -1;
  for (const r of rt.routes) {
    const dest = r.destinationCidrBlock ?? r.destinationIpv6CidrBlock;
    if (!dest) continue;
    const b = parseCidr(dest);
    if (b && b.prefix > bestPrefix && containsIp(b, ip)) {
      best = r;
      bestPrefix = b.prefix;
    }
  }
  if (!best) return { routeTableId: rt.id, state: "no-route" };
  const destination = destinationOf(best);
  let state = routeState(s, rt, best);
  const target: RouteDecision["target"] =
    best.gatewayId === "local"
      ? { kind: "local", id: "local" }
      : best.gatewayId
        ? { kind: "internet-gateway", id: best.gatewayId }
        : best.natGatewayId
          ? { kind: "nat-gateway", id: best.natGatewayId }
          : best.egressOnlyInternetGatewayId
            ? { kind: "egress-only-internet-gateway", id: best.egressOnlyInternetGatewayId }
            : best.vpcPeeringConnectionId
              ? { kind: "vpc-peering-connection", id: best.vpcPeeringConnectionId }
              : { kind: "network-interface", id: best.networkInterfaceId! };
  let peerVpcId: string | undefined;
  if (best.vpcPeeringConnectionId && state === "active") {
    const pcx = s.peerings[best.vpcPeeringConnectionId];
    const peer = pcx ? s.vpcs[pcx.requesterVpcId === rt.vpcId ? pcx.accepterVpcId : pcx.requesterVpcId] : undefined;
    const inside = peer ? [...peer.cidrs, ...peer.ipv6].some((c) => containsIp(parseCidr(c.cidr)!, ip)) : false;
    if (inside) peerVpcId = peer!.id;
    else state = "blackhole";
  }
  return { routeTableId: rt.id, destination, target, state, peerVpcId };
}
