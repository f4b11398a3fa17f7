import { awsServiceAddress, compileSnapshot, evaluate, type Flow, type Hop, type HopKind, type Reason, type Verdict } from "../../network/model/index.ts";
import { snapshotFromEc2 } from "../../network/snapshot/from-ec2.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { arnOf, type ArnType } from "./context.ts";
import type { Ec2State, SgRule } from "./state.ts";

/**
 * Reachability Analyzer's answer for one path, from hyperlocal's reachability model over the EC2
 * state at the time the analysis starts: whether a path is found, the forward and return
 * components (AnalysisComponent id/arn, the route, the security-group rule and the ACL rule that
 * let the packet pass) and, when none is found, an Explanation with AWS's explanation code for the
 * first component that stopped the packet (the model reports the first block only).
 */
export interface PathSpec {
  source: string;
  destination?: string;
  sourceIp?: string;
  destinationIp?: string;
  protocol: "tcp" | "udp";
  destinationPort?: number;
}

export interface AnalysisResult {
  networkPathFound: boolean;
  forwardPathComponents: OutputObject[];
  returnPathComponents: OutputObject[];
  explanations: OutputObject[];
}

const ARN_TYPES: Partial<Record<HopKind, ArnType>> = {
  "network-interface": "network-interface",
  subnet: "subnet",
  "route-table": "route-table",
  "security-group": "security-group",
  "network-acl": "network-acl",
  "nat-gateway": "natgateway",
  "internet-gateway": "internet-gateway",
  "egress-only-internet-gateway": "egress-only-internet-gateway",
  "vpc-peering-connection": "vpc-peering-connection",
  "vpc-endpoint": "vpc-endpoint",
};

function component(s: Ec2State, kind: HopKind, id: string): OutputObject {
  const type = ARN_TYPES[kind];
  return type ? { id, arn: arnOf(s, type, id) } : { id };
}

/** The VPC a component lives in, from the state. */
function vpcOf(s: Ec2State, kind: HopKind, id: string): string | undefined {
  switch (kind) {
    case "network-interface":
      return s.networkInterfaces[id]?.vpcId;
    case "subnet":
      return s.subnets[id]?.vpcId;
    case "route-table":
      return s.routeTables[id]?.vpcId;
    case "security-group":
      return s.securityGroups[id]?.vpcId;
    case "network-acl":
      return s.networkAcls[id]?.vpcId;
    case "nat-gateway":
      return s.natGateways[id]?.vpcId;
    case "internet-gateway":
      return s.internetGateways[id]?.attachments[0]?.vpcId;
    case "egress-only-internet-gateway":
      return s.egressOnlyInternetGateways[id]?.vpcId;
    case "vpc-endpoint":
      return s.vpcEndpoints?.[id]?.vpcId;
    default:
      return undefined;
  }
}

function vpcComponent(s: Ec2State, vpcId: string | undefined): OutputObject | undefined {
  return vpcId ? { id: vpcId, arn: arnOf(s, "vpc", vpcId) } : undefined;
}

/** "10.0.0.0/16 -> local" or "pl-63a5400a (192.0.2.1/32) -> vpce-…" → an AnalysisRouteTableRoute. */
function routeOf(s: Ec2State, rtbId: string, detail: string | undefined): OutputObject | undefined {
  const m = detail ? /^(\S+)(?: \(\S+\))? -> (\S+)/.exec(detail) : null;
  if (!m) return undefined;
  const [, cidr, target] = m;
  const rec = s.routeTables[rtbId]?.routes.find((r) => (r.destinationCidrBlock ?? r.destinationIpv6CidrBlock ?? r.destinationPrefixListId) === cidr);
  const out: OutputObject = cidr.startsWith("pl-") ? { destinationPrefixListId: cidr } : { destinationCidr: cidr };
  if (target === "local" || target.startsWith("igw-") || target.startsWith("vpce-")) out.gatewayId = target;
  else if (target.startsWith("nat-")) out.natGatewayId = target;
  else if (target.startsWith("eigw-")) out.egressOnlyInternetGatewayId = target;
  else if (target.startsWith("pcx-")) out.vpcPeeringConnectionId = target;
  else if (target.startsWith("eni-")) out.networkInterfaceId = target;
  out.origin = rec?.origin ?? "CreateRoute";
  out.state = target.startsWith("blackhole") ? "blackhole" : "active";
  return out;
}

function portRange(from: number | undefined, to: number | undefined): OutputObject | undefined {
  return from === undefined && to === undefined ? undefined : { from: from ?? 0, to: to ?? 65535 };
}

/** "ingress tcp port 5432 from sg-1" → the EC2 rule that matched, as an AnalysisSecurityGroupRule. */
function sgRuleOf(s: Ec2State, sgId: string, detail: string | undefined, protocol: string, port: number): OutputObject | undefined {
  const m = detail ? /^(ingress|egress) (.*) (from|to) (\S+)(?: \((\S+)\))?$/.exec(detail) : null;
  if (!m) return undefined;
  const direction = m[1];
  const peer = m[4];
  const egress = direction === "egress";
  const matchesFlow = (r: SgRule) =>
    (r.protocol === "-1" || r.protocol === protocol || (protocol === "tcp" && r.protocol === "6") || (protocol === "udp" && r.protocol === "17")) &&
    (r.protocol === "-1" || r.fromPort === undefined || (port >= r.fromPort && port <= (r.toPort ?? r.fromPort)));
  const matchesPeer = (r: SgRule) => r.cidrIpv4 === peer || r.cidrIpv6 === peer || r.refGroupId === peer || r.prefixListId === peer;
  const rules = s.securityGroups[sgId]?.rules.filter((r) => r.egress === egress) ?? [];
  const rule = rules.find((r) => matchesPeer(r) && matchesFlow(r)) ?? rules.find(matchesPeer);
  if (!rule) return { direction, securityGroupId: sgId };
  return {
    cidr: rule.cidrIpv4 ?? rule.cidrIpv6,
    direction,
    securityGroupId: rule.refGroupId ?? sgId,
    portRange: rule.protocol === "-1" ? undefined : portRange(rule.fromPort, rule.toPort),
    prefixListId: rule.prefixListId,
    protocol: rule.protocol === "6" ? "tcp" : rule.protocol === "17" ? "udp" : rule.protocol,
  };
}

const PROTOCOL_NAMES: Record<string, string> = { "-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" };

/** "outbound rule 100 allow ..." or a rule number → the ACL entry, as an AnalysisAclRule. */
function aclRuleOf(s: Ec2State, aclId: string, egress: boolean, rule: number | "*" | undefined): OutputObject | undefined {
  if (rule === undefined) return undefined;
  if (rule === "*") return { cidr: "0.0.0.0/0", egress, protocol: "all", ruleAction: "deny", ruleNumber: 32767 };
  const e = s.networkAcls[aclId]?.entries.find((x) => x.egress === egress && x.ruleNumber === rule);
  if (!e) return { egress, ruleNumber: rule };
  return {
    cidr: e.cidrBlock ?? e.ipv6CidrBlock,
    egress: e.egress,
    portRange: e.portRange ? { from: e.portRange.from, to: e.portRange.to } : undefined,
    protocol: PROTOCOL_NAMES[e.protocol] ?? e.protocol,
    ruleAction: e.ruleAction,
    ruleNumber: e.ruleNumber,
  };
}

function aclHopRule(detail: string | undefined): { egress: boolean; rule: number | "*" } | undefined {
  const m = detail ? /^(outbound|inbound) rule (\d+|\*)/.exec(detail) : null;
  return m ? { egress: m[1] === "outbound", rule: m[2] === "*" ? "*" : Number(m[2]) } : undefined;
}

/** The model's hops as PathComponents (subnets become attributes of the interface next to them). */
function pathComponents(s: Ec2State, hops: readonly Hop[], protocol: string, port: number): OutputObject[] {
  const out: OutputObject[] = [];
  for (const h of hops) {
    if (!ARN_TYPES[h.kind] || h.kind === "subnet") continue;
    const pc: OutputObject = { sequenceNumber: out.length + 1 };
    if (h.kind === "security-group") {
      const id = h.id.split(",")[0];
      pc.component = component(s, h.kind, id);
      pc.securityGroupRule = sgRuleOf(s, id, h.detail, protocol, port);
    } else if (h.kind === "network-acl") {
      pc.component = component(s, h.kind, h.id);
      const r = aclHopRule(h.detail);
      pc.aclRule = r ? aclRuleOf(s, h.id, r.egress, r.rule) : undefined;
    } else if (h.kind === "route-table") {
      if (h.id.startsWith("(")) continue; // an implicit main table the state does not hold
      pc.component = component(s, h.kind, h.id);
      pc.routeTableRoute = routeOf(s, h.id, h.detail);
    } else {
      pc.component = component(s, h.kind, h.id);
    }
    if (h.kind === "network-interface") {
      const eni = s.networkInterfaces[h.id];
      if (eni) pc.subnet = component(s, "subnet", eni.subnetId);
    }
    pc.vpc = vpcComponent(s, vpcOf(s, h.kind, h.id.split(",")[0]));
    out.push(pc);
  }
  return out;
}

/** The interface a security-group reason is about: the destination (ingress) or the sender (egress). */
function interfaceOfSgReason(r: Reason, v: Verdict): string | undefined {
  const m = /\bon (eni-[\w.-]+)/.exec(r.message);
  if (m) return m[1];
  if (r.check === "security-group-ingress" && v.target?.kind === "endpoint") return v.target.networkInterfaceId;
  return undefined;
}

function explanationOf(s: Ec2State, r: Reason, v: Verdict, dstIp: string, port: number, protocol: string): OutputObject {
  const x: OutputObject = { explanationCode: r.code };
  const c = r.component;
  switch (r.check) {
    case "security-group-ingress":
    case "security-group-egress": {
      const eniId = interfaceOfSgReason(r, v);
      const groups = c ? c.id.split(",").filter((g) => g.startsWith("sg-")) : [];
      x.direction = r.check === "security-group-ingress" ? "ingress" : "egress";
      if (eniId) {
        x.component = component(s, "network-interface", eniId);
        x.networkInterface = component(s, "network-interface", eniId);
        const eni = s.networkInterfaces[eniId];
        if (eni) {
          x.subnet = component(s, "subnet", eni.subnetId);
          x.vpc = vpcComponent(s, eni.vpcId);
        }
      }
      if (groups.length === 1) x.securityGroup = component(s, "security-group", groups[0]);
      x.securityGroupSet = groups.map((g) => component(s, "security-group", g));
      x.port = port;
      x.protocolSet = [protocol];
      return x;
    }
    case "network-acl-outbound":
    case "network-acl-inbound":
    case "return-network-acl-outbound":
    case "return-network-acl-inbound": {
      const egress = r.check.endsWith("outbound");
      x.direction = egress ? "egress" : "ingress";
      if (c) {
        x.acl = component(s, "network-acl", c.id);
        x.component = component(s, "network-acl", c.id);
        x.aclRule = aclRuleOf(s, c.id, egress, r.rule);
        x.vpc = vpcComponent(s, s.networkAcls[c.id]?.vpcId);
      }
      const subnet = /\bof (subnet-[\w-]+)/.exec(r.message)?.[1];
      if (subnet) x.subnet = component(s, "subnet", subnet);
      return x;
    }
    case "no-route":
    case "return-route":
    case "blackhole-route":
      if (c && !c.id.startsWith("(")) {
        x.routeTable = component(s, "route-table", c.id);
        x.component = component(s, "route-table", c.id);
        x.vpc = vpcComponent(s, s.routeTables[c.id]?.vpcId);
      }
      x.address = dstIp;
      return x;
    default:
      break;
  }
  if (c) {
    x.component = component(s, c.kind, c.id);
    if (c.kind === "internet-gateway" && c.id.startsWith("igw-")) x.internetGateway = component(s, c.kind, c.id);
    if (c.kind === "nat-gateway") {
      x.natGateway = component(s, c.kind, c.id);
      x.state = s.natGateways[c.id]?.state;
    }
    if (c.kind === "vpc-peering-connection") {
      x.vpcPeeringConnection = component(s, c.kind, c.id);
      x.state = s.peerings[c.id]?.status;
    }
    if (c.kind === "network-interface") x.networkInterface = component(s, c.kind, c.id);
    if (c.kind === "vpc-endpoint") {
      x.vpcEndpoint = component(s, c.kind, c.id);
      x.state = s.vpcEndpoints?.[c.id]?.state;
    }
    if (c.kind === "route-table" && !c.id.startsWith("(")) x.routeTable = component(s, c.kind, c.id);
    if (c.kind === "subnet") x.subnet = component(s, c.kind, c.id);
    x.vpc = vpcComponent(s, vpcOf(s, c.kind, c.id));
  }
  if (r.check === "no-host" || r.check === "no-listener" || r.check === "private-from-internet") x.address = dstIp;
  return x;
}

function idOf(resource: string): string {
  return resource.startsWith("arn:") ? resource.slice(resource.lastIndexOf("/") + 1) : resource;
}

/** Ports to try when the path names none: the destination's inbound rules, then common ones. */
function candidatePorts(s: Ec2State, spec: PathSpec, destEni: string | undefined): number[] {
  if (spec.destinationPort !== undefined) return [spec.destinationPort];
  const ports: number[] = [];
  const eni = destEni ? s.networkInterfaces[destEni] : undefined;
  for (const g of eni?.groupIds ?? []) {
    for (const r of s.securityGroups[g]?.rules ?? []) {
      if (r.egress) continue;
      if (r.protocol === "-1") ports.push(1);
      else if ((r.protocol === spec.protocol || r.protocol === (spec.protocol === "tcp" ? "6" : "17")) && r.fromPort !== undefined) ports.push(Math.max(1, r.fromPort));
    }
  }
  ports.push(443, 80, 1);
  return [...new Set(ports)];
}

export function analyzePath(s: Ec2State, spec: PathSpec): AnalysisResult {
  const compiled = compileSnapshot(snapshotFromEc2(s));
  const sourceId = idOf(spec.source);
  const destId = spec.destination ? idOf(spec.destination) : undefined;
  // A VPC endpoint as the destination: an interface endpoint's first interface, or a gateway endpoint's service address.
  const destVpce = destId?.startsWith("vpce-") ? s.vpcEndpoints?.[destId] : undefined;
  const destEniId = destId?.startsWith("eni-") ? destId : destVpce?.interfaces[0]?.networkInterfaceId;
  const destEni = destEniId ? s.networkInterfaces[destEniId] : undefined;
  const fromIgw = sourceId.startsWith("igw-");

  let dstIp = spec.destinationIp ?? (destVpce?.type === "Gateway" ? awsServiceAddress(s.region, destVpce.service) : undefined);
  if (!dstIp && destEni) dstIp = fromIgw ? (destEni.association?.publicIp ?? destEni.ipv6[0] ?? destEni.privateIps[0]) : (destEni.privateIps[0] ?? destEni.ipv6[0]);
  const sourceEni = s.networkInterfaces[sourceId];
  const from: Flow["from"] = fromIgw
    ? { kind: "internet", ...(spec.sourceIp ? { ip: spec.sourceIp } : {}) }
    : { kind: "eni", networkInterfaceId: sourceId, ...(sourceEni?.interfaceType === "lambda" ? { ipv6Allowed: sourceEni.ipv6.length > 0 } : {}) };

  const noDestination = (): AnalysisResult => ({
    networkPathFound: false,
    forwardPathComponents: [],
    returnPathComponents: [],
    explanations: [{ explanationCode: "NO_SOURCE_OR_DESTINATION", ...(destId ? { destination: { id: destId } } : {}) }],
  });
  if (!dstIp) return noDestination();

  let first: { v: Verdict; port: number } | undefined;
  for (const port of candidatePorts(s, spec, destEni?.id)) {
    const v = evaluate(compiled, { from, to: { ip: dstIp, port, protocol: spec.protocol } });
    first ??= { v, port };
    if (v.verdict !== "allow") continue;
    const t = v.target;
    const arrived =
      !destId ||
      (destId.startsWith("eni-") && t?.kind === "endpoint" && t.networkInterfaceId === destId) ||
      (destId.startsWith("igw-") && t?.kind === "internet" && t.gatewayId === destId) ||
      (destId.startsWith("vpce-") && ((t?.kind === "endpoint" && t.vpcEndpointId === destId) || (t?.kind === "internet" && t.gatewayId === destId)));
    // From an internet gateway, the packet must come in through that gateway (the destination's VPC's).
    const enteredThere = !fromIgw || (t?.kind === "endpoint" && s.internetGateways[sourceId]?.attachments.some((a) => a.vpcId === t.vpcId));
    if (arrived && enteredThere) {
      const hops = fromIgw ? [{ kind: "internet-gateway" as const, id: sourceId }, ...v.path.filter((h) => h.kind !== "internet-gateway" || h.id !== sourceId)] : v.path;
      return {
        networkPathFound: true,
        forwardPathComponents: pathComponents(s, hops, spec.protocol, port),
        returnPathComponents: pathComponents(s, v.returnPath, spec.protocol, port),
        explanations: [],
      };
    }
  }
  // No path: as on AWS, the answer is the explanations (they name the components), not a partial path.
  const { v, port } = first!;
  if (v.verdict === "allow") {
    // The packet arrived, but not at the path's destination.
    return {
      networkPathFound: false,
      forwardPathComponents: [],
      returnPathComponents: [],
      explanations: [{ explanationCode: "NO_POSSIBLE_DESTINATION", ...(destId ? { destination: { id: destId } } : {}), address: dstIp }],
    };
  }
  return {
    networkPathFound: false,
    forwardPathComponents: [],
    returnPathComponents: [],
    explanations: v.reasons.map((r) => explanationOf(s, r, v, dstIp!, port, spec.protocol)),
  };
}
