// Every reason the model gives: an AWS Reachability Analyzer explanation code (the exact code from
// AWS's list, docs: vpc/latest/reachability/explanation-codes), hyperlocal's finer check id, and one
// plain sentence naming the resource and what to change. Built only when a flow fails.
import type { IpAddr } from "../../net-addr/ip.ts";
import type { CEni, CNat, CPcx, CRoute, CRouteTable, CSubnet, CVpc, CVpce } from "./compiled-types.ts";
import { describeTraffic } from "./protocols.ts";
import type { CheckId, ExplanationCode, HopKind, Reason } from "./types.ts";

export function reason(code: ExplanationCode, check: CheckId, message: string, component?: { kind: HopKind; id: string }, rule?: number | "*"): Reason {
  const r: Reason = { code, check, message };
  if (component) r.component = component;
  if (rule !== undefined) r.rule = rule;
  return r;
}

/** Facts about the packet that sentences need. */
export interface PacketFacts {
  dst: IpAddr;
  proto: number;
  port: number;
  code: number;
}

const traffic = (p: PacketFacts): string => describeTraffic(p.proto, p.port, p.port, p.code);
const groupsText = (eni: CEni): string => (eni.groupIds.length === 0 ? "no security groups" : eni.groupIds.length === 1 ? `security group ${eni.groupIds[0]}` : `security groups ${eni.groupIds.join(", ")}`);
const groupsId = (eni: CEni): string => eni.groupIds.join(",") || eni.id;

export const invalidAddress = (text: string): Reason => reason("UNKNOWN_DESTINATION", "invalid-address", `"${text}" is not an IPv4 or IPv6 address.`);

export const sourceNotFound = (id: string): Reason =>
  reason("NO_SOURCE_OR_DESTINATION", "source-not-found", `Network interface ${id} does not exist (or its subnet does not).`, { kind: "network-interface", id });

export const noAddressFamily = (eni: CEni, fam: 4 | 6, why: string): Reason =>
  reason("NO_ROUTE_TO_DESTINATION", "address-family", `Network interface ${eni.id} has no IPv${fam} address: ${why}. The connection fails at once (ENETUNREACH).`, {
    kind: "network-interface",
    id: eni.id,
  });

export function noRoute(rt: CRouteTable, dst: IpAddr, atSource: boolean): Reason {
  const tail = atSource ? "The connection fails at once (ENETUNREACH)." : "The packet is dropped there, so the connection times out.";
  return reason("NO_ROUTE_TO_DESTINATION", "no-route", `Route table ${rt.id} has no route that matches ${dst.text}. ${tail}`, { kind: "route-table", id: rt.id });
}

export function blackhole(rt: CRouteTable, route: CRoute): Reason {
  const t = route.target;
  const what = t.kind === "blackhole" ? "a blackhole (its target was deleted)" : `${t.kind === "pcx" ? "peering connection" : t.kind === "eni" ? "network interface" : t.kind === "nat" ? "NAT gateway" : "gateway"} ${"id" in t ? t.id : ""}, which does not exist`;
  return reason("BAD_STATE_ROUTE", "blackhole-route", `Route ${route.cidr.text} in ${rt.id} points to ${what}; packets to it are dropped.`, { kind: "route-table", id: rt.id });
}

export const sgEgress = (eni: CEni, p: PacketFacts): Reason =>
  reason(
    "ENI_SG_RULES_MISMATCH",
    "security-group-egress",
    `No outbound rule of ${groupsText(eni)} on ${eni.id} allows ${traffic(p)} to ${p.dst.text}.`,
    { kind: "security-group", id: groupsId(eni) },
  );

export const sgIngress = (eni: CEni, src: IpAddr, p: PacketFacts): Reason =>
  reason(
    "ENI_SG_RULES_MISMATCH",
    "security-group-ingress",
    `No inbound rule of ${groupsText(eni)} on ${eni.id} allows ${traffic(p)} from ${src.text}.`,
    { kind: "security-group", id: groupsId(eni) },
  );

export function aclForward(subnet: CSubnet, outbound: boolean, peer: IpAddr, p: PacketFacts, rule: number | "*"): Reason {
  const dir = outbound ? `outbound ${traffic(p)} to ${peer.text}` : `inbound ${traffic(p)} from ${peer.text}`;
  const by = rule === "*" ? "no rule allows it (the final * rule denies)" : `rule ${rule} denies it`;
  return reason("SUBNET_ACL_RESTRICTION", outbound ? "network-acl-outbound" : "network-acl-inbound", `Network ACL ${subnet.acl.id} of ${subnet.id} blocks ${dir}: ${by}.`, { kind: "network-acl", id: subnet.acl.id }, rule);
}

export function aclReturn(subnet: CSubnet, outbound: boolean, peer: IpAddr, proto: number, from: number, to: number, rule: number | "*"): Reason {
  const what = describeTraffic(proto, from, to, 0);
  const dir = outbound ? `outbound ${what} to ${peer.text}` : `inbound ${what} from ${peer.text}`;
  const by = rule === "*" ? "no rule allows all of it" : `rule ${rule} denies it`;
  return reason(
    "SUBNET_ACL_RESTRICTION",
    outbound ? "return-network-acl-outbound" : "return-network-acl-inbound",
    `Network ACL ${subnet.acl.id} of ${subnet.id} blocks the reply (${dir}): ${by}. Network ACLs are stateless, so replies need rules for the client's ephemeral ports.`,
    { kind: "network-acl", id: subnet.acl.id },
    rule,
  );
}

export const returnRoute = (subnet: CSubnet, peer: IpAddr, via: string): Reason =>
  reason(
    "NO_ROUTE_TO_DESTINATION",
    "return-route",
    `Route table ${subnet.routeTable.id} of ${subnet.id} has no route back to ${peer.text} through ${via}, so replies never return.`,
    { kind: "route-table", id: subnet.routeTable.id },
  );

export const natState = (nat: CNat): Reason =>
  reason("BAD_STATE", "nat-gateway-state", `NAT gateway ${nat.id} is ${nat.state}, not available; it forwards nothing.`, { kind: "nat-gateway", id: nat.id });

export const natNoPrivateIp = (nat: CNat): Reason =>
  reason("BAD_STATE", "nat-gateway-state", `NAT gateway ${nat.id} has no private IPv4 address.`, { kind: "nat-gateway", id: nat.id });

export const nat64 = (nat: CNat): Reason =>
  reason("PROTOCOL_RESTRICTION", "nat64-not-modelled", `IPv6 traffic routed to NAT gateway ${nat.id} needs NAT64, which hyperlocal does not model.`, { kind: "nat-gateway", id: nat.id });

export const igwNotAttached = (igwId: string, vpc: CVpc): Reason =>
  reason("BAD_STATE_ATTACHMENT", "igw-not-attached", `Internet gateway ${igwId} is not attached to ${vpc.id}.`, { kind: "internet-gateway", id: igwId });

export function igwNoPublicIp(igwId: string, source: { eni?: CEni; nat?: CNat }): Reason {
  let message: string;
  if (source.nat && !source.nat.isPublic) message = `${source.nat.id} is a private NAT gateway: it has no Elastic IP, so internet gateway ${igwId} drops its traffic.`;
  else if (source.nat) message = `NAT gateway ${source.nat.id} has no Elastic IP, so internet gateway ${igwId} drops its traffic.`;
  else if (source.eni?.isLambda)
    message = `Lambda network interface ${source.eni.id} has no public IP address, so internet gateway ${igwId} drops its traffic. Route 0.0.0.0/0 to a NAT gateway instead.`;
  else message = `Network interface ${source.eni?.id ?? "?"} has no public IP address, so internet gateway ${igwId} drops its traffic.`;
  return reason("IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", source.nat?.isPublic ? "nat-gateway-no-public-ip" : "igw-no-public-ip", message, { kind: "internet-gateway", id: igwId });
}

export const igwPrivateDestination = (igwId: string, dst: IpAddr): Reason =>
  reason("IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", "igw-private-destination", `${dst.text} is a private (RFC 1918) address; internet gateway ${igwId} does not send it to the internet.`, {
    kind: "internet-gateway",
    id: igwId,
  });

export const igwSharedDestination = (igwId: string, dst: IpAddr): Reason =>
  reason("IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS", "igw-shared-destination", `${dst.text} is in the shared range 100.64.0.0/10 (RFC 6598); internet gateway ${igwId} does not send it to the internet.`, {
    kind: "internet-gateway",
    id: igwId,
  });

export const notInternetRoutable = (gw: { kind: HopKind; id: string }, dst: IpAddr): Reason =>
  reason("NO_POSSIBLE_DESTINATION", "not-internet-routable", `${dst.text} is not an internet-routable address; ${gw.id} has nowhere to send it.`, gw);

export const eigwNotAttached = (eigwId: string, vpc: CVpc): Reason =>
  reason("BAD_STATE_ATTACHMENT", "eigw-not-attached", `Egress-only internet gateway ${eigwId} does not belong to ${vpc.id}.`, { kind: "egress-only-internet-gateway", id: eigwId });

export const eigwIpv4 = (eigwId: string): Reason =>
  reason("PROTOCOL_RESTRICTION", "eigw-not-attached", `Egress-only internet gateway ${eigwId} carries IPv6 only.`, { kind: "egress-only-internet-gateway", id: eigwId });

export const egressOnlyInbound = (subnet: CSubnet, eigwId: string): Reason =>
  reason(
    "NO_ROUTE_TO_DESTINATION",
    "egress-only-inbound",
    `${subnet.id} routes internet traffic through egress-only internet gateway ${eigwId}, which drops connections started from the internet.`,
    { kind: "egress-only-internet-gateway", id: eigwId },
  );

export const noInternetGateway = (vpc: CVpc, dst: IpAddr): Reason =>
  reason("NO_POSSIBLE_DESTINATION", "no-internet-gateway", `${vpc.id} has no internet gateway, so nothing on the internet reaches ${dst.text}.`, { kind: "internet-gateway", id: vpc.id });

export const peeringNotAttached = (pcx: CPcx, vpc: CVpc): Reason =>
  reason("BAD_STATE_ATTACHMENT", "peering-not-attached", `Peering connection ${pcx.id} does not connect ${vpc.id}.`, { kind: "vpc-peering-connection", id: pcx.id });

export const peeringState = (pcx: CPcx): Reason =>
  reason("BAD_STATE", "peering-state", `Peering connection ${pcx.id} is ${pcx.status}, not active; it carries no traffic.`, { kind: "vpc-peering-connection", id: pcx.id });

export const peeringNotTransitive = (pcx: CPcx, peer: CVpc, dst: IpAddr): Reason =>
  reason(
    "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
    "peering-not-transitive",
    `${dst.text} is not in ${peer.id}; peering connection ${pcx.id} only carries traffic to the peer VPC's own CIDRs (peering is not transitive).`,
    { kind: "vpc-peering-connection", id: pcx.id },
  );

export const noHost = (where: { kind: HopKind; id: string }, dst: IpAddr): Reason =>
  reason("NO_POSSIBLE_DESTINATION", "no-host", `Nothing has the address ${dst.text}, so the connection times out.`, where);

export const noListener = (what: { kind: HopKind; id: string }, dst: IpAddr, why: string): Reason =>
  reason("NO_POSSIBLE_DESTINATION", "no-listener", `${dst.text} belongs to ${what.id}, which ${why}.`, what);

export const lambdaInbound = (eni: CEni): Reason =>
  reason("NO_POSSIBLE_DESTINATION", "lambda-inbound", `${eni.id} is a Lambda Hyperplane ENI; it accepts no inbound connections.`, { kind: "network-interface", id: eni.id });

export const sourceDestCheck = (eni: CEni): Reason =>
  reason(
    "ENI_SOURCE_DEST_CHECK_RESTRICTION",
    "source-dest-check",
    `A route sends the traffic to network interface ${eni.id}, but its source/destination check is on, so it drops traffic not addressed to itself.`,
    { kind: "network-interface", id: eni.id },
  );

export const hopLimit = (): Reason => reason("NO_POSSIBLE_DESTINATION", "hop-limit", "The traffic loops between gateways and never arrives.");

export const privateFromInternet = (dst: IpAddr): Reason =>
  reason("NO_ROUTE_TO_DESTINATION", "private-from-internet", `${dst.text} is not a public address; the internet has no route to it.`, { kind: "internet", id: "internet" });

export const vpceState = (vpce: CVpce): Reason =>
  reason("BAD_STATE", "vpc-endpoint-state", `VPC endpoint ${vpce.id} (${vpce.serviceName}) is ${vpce.state}, not available; it carries no traffic yet.`, { kind: "vpc-endpoint", id: vpce.id });

export const vpceNotAttached = (vpce: CVpce, vpc: CVpc): Reason =>
  reason("BAD_STATE_ATTACHMENT", "vpc-endpoint-not-attached", `VPC endpoint ${vpce.id} does not belong to ${vpc.id}.`, { kind: "vpc-endpoint", id: vpce.id });

/** A reason whose flow went to an AWS service address, with the advice appended (one sentence more). */
export function withAdvice(r: Reason, advice: string): Reason {
  return { ...r, message: `${r.message} ${advice}` };
}
