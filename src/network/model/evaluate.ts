// The reachability walk: follow one packet from its source in AWS's order (address family, route
// table, SG egress, outbound ACL, gateway, inbound ACL, SG ingress), collect what the reply will
// cross on the way, then check the reply (stateless ACLs on ephemeral ports, return routes).
// Failing at the source's own routing is "unreachable" (ENETUNREACH); anything later is "drop"
// (AWS drops silently: the client times out).
import { ipv6, parseIp } from "../../net-addr/ip.ts";
import { AddrClass, classify } from "../../net-addr/classify.ts";
import type { IpAddr } from "../../net-addr/ip.ts";
import { compileSnapshot, isCompiled } from "./compile.ts";
import type { CEigw, CEni, CIgw, CSubnet, CTarget, CVpce, CompiledSnapshot, Sender } from "./compiled-types.ts";
import { awsServiceAtWord, awsServicePathAdvice } from "./aws-services.ts";
import { hostAt, igwPublicSource, internetDestinationProblem, isResolver, natProblem, peerOf, peeringProblem, subnetContaining, vpcContains } from "./gateways.ts";
import { ALLOWED, aclDecide, aclDecideRange, firstAllow } from "./network-acls.ts";
import type { AclDirection } from "./network-acls.ts";
import { ICMP, ICMPV6, TCP, UDP, hasPorts, icmpReplyType } from "./protocols.ts";
import * as R from "./reasons.ts";
import type { PacketFacts } from "./reasons.ts";
import { lookupRoute } from "./routing.ts";
import { sgMatch } from "./security-groups.ts";
import type { AwsServiceArrival, CheckId, Flow, Hop, NetSnapshot, Reason, Target, Verdict, VerdictKind } from "./types.ts";

const MAX_FORWARDS = 8;
const NAT_PORTS_FROM = 1024; // NAT gateways remap source ports into 1024-65535 (REMAP_EPHEMERAL_PORT)
const NAT_PORTS_TO = 65535;
const DEFAULT_CLIENT_V4 = parseIp("198.51.100.1")!;
const DEFAULT_CLIENT_V6 = parseIp("2001:db8:ffff::1")!;
const INTERNET_SOURCE: Hop = Object.freeze({ kind: "internet", id: "internet", detail: "source" });
const LOOPBACK: Hop = Object.freeze({ kind: "loopback", id: "loopback" });
/** Failures after which a VPC source would reach an AWS service address through a NAT gateway or an endpoint instead. */
const AWS_ADVICE_CHECKS = new Set<CheckId>(["no-route", "blackhole-route", "igw-no-public-ip", "igw-not-attached", "nat-gateway-state", "nat-gateway-no-public-ip", "no-internet-gateway"]);

/** Something the reply must get through, recorded on the way out and checked in reverse. */
interface Obligation {
  /** An ACL direction to pass, or (when undefined) a return route to check. */
  acl?: AclDirection;
  subnet: CSubnet;
  outbound: boolean;
  /** The reply's other end: its destination for outbound ACLs and routes, its source for inbound. */
  peer: IpAddr;
  from: number;
  to: number;
  /** For route checks: the gateway kind and id the reply must take. */
  via?: CTarget["kind"];
  viaId?: string;
}

class Walk implements PacketFacts {
  readonly path: Hop[] = [];
  readonly returnPath: Hop[] = [];
  readonly obligations: Obligation[] = [];
  target: Target | undefined;
  sourceIp: string | undefined;
  /** Ports the reply of the current leg is addressed to (the client's, then a NAT's). */
  retFrom: number;
  retTo: number;
  readonly replyType: number;
  forwards = 0;

  constructor(
    readonly m: CompiledSnapshot,
    readonly dst: IpAddr,
    readonly proto: number,
    readonly port: number,
    readonly code: number,
    readonly protocol: Flow["to"]["protocol"],
    clientPort: number | undefined,
  ) {
    this.retFrom = clientPort ?? m.ephemeralFrom;
    this.retTo = clientPort ?? m.ephemeralTo;
    this.replyType = hasPorts(proto) ? -1 : icmpReplyType(proto, port);
  }

  /** Set when the source is in a VPC (the advice about NAT gateways and endpoints applies to it). */
  fromVpc = false;

  finish(verdict: VerdictKind, reasons: Reason[]): Verdict {
    if (verdict !== "allow" && this.fromVpc && reasons[0] && AWS_ADVICE_CHECKS.has(reasons[0].check)) {
      const advice = awsServicePathAdvice(this.dst.text);
      if (advice) reasons = [R.withAdvice(reasons[0], advice), ...reasons.slice(1)];
    }
    const v: Verdict = { verdict, reasons, path: this.path, returnPath: this.returnPath, family: this.dst.fam };
    if (this.target) v.target = this.target;
    if (this.sourceIp !== undefined) v.sourceIp = this.sourceIp;
    if (verdict === "allow" && this.target) {
      const arrival = this.arrival(this.target);
      if (arrival) v.awsService = arrival;
    }
    return v;
  }

  fail(verdict: VerdictKind, r: Reason): Verdict {
    return this.finish(verdict, [r]);
  }

  drop(r: Reason): Verdict {
    return this.finish("drop", [r]);
  }

  // ---- sources ----

  fromEni(from: Extract<Flow["from"], { kind: "eni" }>): Verdict {
    const eni = this.m.enis.get(from.networkInterfaceId);
    if (!eni) return this.fail("unreachable", R.sourceNotFound(from.networkInterfaceId));
    const { dst } = this;
    this.fromVpc = true;
    this.path.push(eni.hop, eni.subnet.hop);
    if (classify(dst) === AddrClass.Loopback) return this.loopback();

    let src: IpAddr | undefined;
    if (dst.fam === 4) {
      src = eni.v4[0];
      if (!src) return this.fail("unreachable", R.noAddressFamily(eni, 4, eni.subnet.ipv6Native ? `${eni.subnet.id} is IPv6-only` : "it has no private IPv4 address"));
    } else {
      // Dual-stack rule: a Lambda ENI speaks IPv6 only for functions with Ipv6AllowedForDualStack
      // in a dual-stack subnet; other interfaces whenever they hold an IPv6 address.
      const allowed = from.ipv6Allowed ?? !eni.isLambda;
      if (!allowed) return this.fail("unreachable", R.noAddressFamily(eni, 6, "the function does not allow IPv6 (Ipv6AllowedForDualStack is false)"));
      if (eni.isLambda) {
        if (!eni.subnet.dualStack) return this.fail("unreachable", R.noAddressFamily(eni, 6, `${eni.subnet.id} is not a dual-stack subnet`));
        src = eni.v6[0] ?? synthesizeIpv6(eni);
      } else src = eni.v6[0];
      if (!src) return this.fail("unreachable", R.noAddressFamily(eni, 6, "it has no IPv6 address"));
    }
    this.sourceIp = src.text;

    // The Amazon DNS server is not filtered by security groups or network ACLs.
    if ((this.proto === TCP || this.proto === UDP) && this.port === 53 && isResolver(eni.vpc, dst)) {
      this.path.push(Object.freeze({ kind: "vpc-resolver", id: eni.vpc.id, detail: dst.text }));
      this.target = { kind: "vpc-resolver", ip: dst.text, port: this.port, protocol: this.protocol, vpcId: eni.vpc.id };
      return this.finish("allow", []);
    }
    if (classify(dst) === AddrClass.LinkLocal) return this.drop(R.noHost({ kind: "subnet", id: eni.subnet.id }, dst));
    return this.leg({ vpc: eni.vpc, subnet: eni.subnet, addr: src, eni, refEni: eni }, true);
  }

  /** A function outside any VPC: straight to public addresses; private ones are not routed. */
  fromInternet(from: Extract<Flow["from"], { kind: "internet" }>): Verdict {
    const { dst } = this;
    const given = from.ip ? parseIp(from.ip) : undefined;
    const client = given && given.fam === dst.fam ? given : dst.fam === 4 ? DEFAULT_CLIENT_V4 : DEFAULT_CLIENT_V6;
    this.sourceIp = client.text;
    this.path.push(INTERNET_SOURCE);
    const cls = classify(dst);
    if (cls === AddrClass.Loopback) return this.loopback();
    if (cls !== AddrClass.Public) return this.fail("unreachable", R.privateFromInternet(dst));
    return this.internet(client, "direct", undefined);
  }

  loopback(): Verdict {
    this.path.push(LOOPBACK);
    this.target = { kind: "loopback", ip: this.dst.text, port: this.port, protocol: this.protocol };
    return this.finish("allow", []);
  }

  // ---- one leg: route, SG egress, ACL out, then the hop the route names ----

  leg(s: Sender, atSource: boolean): Verdict {
    const rt = s.subnet.routeTable;
    const route = lookupRoute(rt, this.dst);
    if (!route) {
      this.path.push(rt.hop);
      return this.fail(atSource ? "unreachable" : "drop", R.noRoute(rt, this.dst, atSource));
    }
    this.path.push(route.hop);
    const t = route.target;
    switch (t.kind) {
      case "local":
        return this.local(s);
      case "igw":
        return t.igw ? this.viaIgw(s, t.igw) : this.drop(R.blackhole(rt, route));
      case "eigw":
        return t.eigw ? this.viaEigw(s, t.eigw) : this.drop(R.blackhole(rt, route));
      case "nat":
        return t.nat?.subnet ? this.viaNat(s, t) : this.drop(R.blackhole(rt, route));
      case "pcx":
        return t.pcx ? this.viaPeering(s, t) : this.drop(R.blackhole(rt, route));
      case "eni":
        return t.eni ? this.viaAppliance(s, t.eni) : this.drop(R.blackhole(rt, route));
      case "vpce":
        return t.vpce ? this.viaGatewayEndpoint(s, t.vpce) : this.drop(R.blackhole(rt, route));
      default:
        return this.drop(R.blackhole(rt, route));
    }
  }

  /** The sender's security groups, outbound. `peerEni`: the destination when reached privately. */
  sgEgress(s: Sender, peerEni: CEni | undefined): Reason | undefined {
    if (!s.eni) return undefined; // NAT gateways have no security groups
    const hop = sgMatch(s.eni.sg.egress, this.dst, this.proto, this.port, this.code, peerEni);
    if (!hop) {
      this.path.push(noRuleHop(s.eni, "egress"));
      return R.sgEgress(s.eni, this);
    }
    this.path.push(hop);
    return undefined;
  }

  /** Leaving `from` towards `to` (undefined: a gateway or another VPC). Traffic within a subnet crosses no ACL. */
  aclOut(from: CSubnet, to: CSubnet | undefined): Reason | undefined {
    if (from === to) return undefined;
    const dir = from.acl.outbound;
    const { dst } = this;
    const i = aclDecide(dir, dst, this.proto, this.port, this.code);
    const rules = dst.fam === 4 ? dir.v4 : dir.v6;
    if (i < 0 || rules.allow[i] === 0) {
      this.path.push(i < 0 ? dir.defaultHop : rules.hop[i]);
      return R.aclForward(from, true, dst, this, i < 0 ? "*" : rules.ruleNumber[i]);
    }
    this.path.push(rules.hop[i]);
    this.expectAcl(from, false, dst);
    return undefined;
  }

  /** Entering `to` from `from` with source address `src`. */
  aclIn(to: CSubnet, from: CSubnet | undefined, src: IpAddr): Reason | undefined {
    if (from === to) return undefined;
    const dir = to.acl.inbound;
    const i = aclDecide(dir, src, this.proto, this.port, this.code);
    const rules = src.fam === 4 ? dir.v4 : dir.v6;
    if (i < 0 || rules.allow[i] === 0) {
      this.path.push(i < 0 ? dir.defaultHop : rules.hop[i]);
      return R.aclForward(to, false, src, this, i < 0 ? "*" : rules.ruleNumber[i]);
    }
    this.path.push(rules.hop[i]);
    this.expectAcl(to, true, src);
    return undefined;
  }

  expectAcl(subnet: CSubnet, outbound: boolean, peer: IpAddr): void {
    if (!hasPorts(this.proto) && this.replyType < 0) return; // an ICMP message that gets no reply
    const acl = outbound ? subnet.acl.outbound : subnet.acl.inbound;
    this.obligations.push({ acl, subnet, outbound, peer, from: this.retFrom, to: this.retTo });
  }

  expectRoute(subnet: CSubnet, peer: IpAddr, via: CTarget["kind"], viaId: string): void {
    this.obligations.push({ subnet, outbound: true, peer, from: 0, to: 0, via, viaId });
  }

  // ---- the hops ----

  local(s: Sender): Verdict {
    const { dst } = this;
    const host = hostAt(s.vpc, dst);
    if (host && host === s.eni) return this.arrive(host, s.addr); // its own address never leaves the interface
    const destSubnet = host ? host.subnet : subnetContaining(s.vpc, dst);
    const r = this.sgEgress(s, host) ?? this.aclOut(s.subnet, destSubnet) ?? (destSubnet ? this.aclIn(destSubnet, s.subnet, s.addr) : undefined);
    if (r) return this.drop(r);
    if (!host) {
      if (destSubnet && destSubnet !== s.subnet) this.path.push(destSubnet.hop);
      return this.drop(R.noHost(destSubnet ? { kind: "subnet", id: destSubnet.id } : { kind: "route-table", id: s.subnet.routeTable.id }, dst));
    }
    return this.deliver(host, s.addr, s.refEni, s.subnet);
  }

  viaIgw(s: Sender, igw: CIgw): Verdict {
    let r = this.sgEgress(s, undefined) ?? this.aclOut(s.subnet, undefined);
    if (r) return this.drop(r);
    this.path.push(igw.hop);
    if (!igw.vpcs.has(s.vpc)) return this.drop(R.igwNotAttached(igw.id, s.vpc));
    r = internetDestinationProblem(igw.hop, this.dst);
    if (r) return this.drop(r);
    const seen = igwPublicSource(igw.id, s, this.dst);
    if (!("fam" in seen)) return this.drop(seen);
    return this.internet(seen, "internet-gateway", igw.id);
  }

  viaEigw(s: Sender, eigw: CEigw): Verdict {
    const r = this.sgEgress(s, undefined) ?? this.aclOut(s.subnet, undefined);
    if (r) return this.drop(r);
    this.path.push(eigw.hop);
    if (eigw.vpc !== s.vpc) return this.drop(R.eigwNotAttached(eigw.id, s.vpc));
    if (this.dst.fam !== 6) return this.drop(R.eigwIpv4(eigw.id));
    const problem = internetDestinationProblem(eigw.hop, this.dst);
    if (problem) return this.drop(problem);
    return this.internet(s.addr, "egress-only-internet-gateway", eigw.id);
  }

  viaNat(s: Sender, t: Extract<CTarget, { kind: "nat" }>): Verdict {
    const nat = t.nat!;
    const natSubnet = nat.subnet!;
    const r = this.sgEgress(s, undefined) ?? this.aclOut(s.subnet, natSubnet) ?? this.aclIn(natSubnet, s.subnet, s.addr);
    if (r) return this.drop(r);
    this.path.push(nat.hop);
    const problem = natProblem(nat, this.dst);
    if (problem) return this.drop(problem);
    if (++this.forwards > MAX_FORWARDS) return this.drop(R.hopLimit());
    this.natUsed = true;
    // From here the packet carries the NAT's address and a port it picked.
    this.retFrom = NAT_PORTS_FROM;
    this.retTo = NAT_PORTS_TO;
    return this.leg({ vpc: natSubnet.vpc, subnet: natSubnet, addr: nat.privateAddr!, nat }, false);
  }

  viaPeering(s: Sender, t: Extract<CTarget, { kind: "pcx" }>): Verdict {
    const pcx = t.pcx!;
    const { dst } = this;
    const peer = peerOf(pcx, s.vpc);
    const host = peer ? hostAt(peer, dst) : undefined;
    let r = this.sgEgress(s, pcx.active ? host : undefined) ?? this.aclOut(s.subnet, undefined);
    if (r) return this.drop(r);
    this.path.push(pcx.hop);
    r = peeringProblem(pcx, s.vpc, peer, s.addr, dst);
    if (r) return this.drop(r);
    const destSubnet = host ? host.subnet : subnetContaining(peer!, dst);
    if (destSubnet) {
      r = this.aclIn(destSubnet, undefined, s.addr);
      if (r) return this.drop(r);
    }
    if (!host) return this.drop(R.noHost({ kind: "vpc-peering-connection", id: pcx.id }, dst));
    // Both sides need the route: replies leave the peer subnet through its own route table.
    this.expectRoute(host.subnet, s.addr, "pcx", pcx.id);
    return this.deliver(host, s.addr, s.refEni, undefined);
  }

  /** A route to a network interface: a NAT instance or appliance, which forwards as itself. */
  viaAppliance(s: Sender, app: CEni): Verdict {
    const { dst } = this;
    const host = hostAt(s.vpc, dst);
    if (host === app) return this.local(s);
    let r = this.sgEgress(s, host) ?? this.aclOut(s.subnet, app.subnet) ?? this.aclIn(app.subnet, s.subnet, s.addr);
    if (r) return this.drop(r);
    this.path.push(app.hop);
    const hop = sgMatch(app.sg.ingress, s.addr, this.proto, this.port, this.code, s.refEni);
    if (!hop) {
      this.path.push(noRuleHop(app, "ingress"));
      return this.drop(R.sgIngress(app, s.addr, this));
    }
    this.path.push(hop);
    if (app.sourceDestCheck) return this.drop(R.sourceDestCheck(app));
    if (++this.forwards > MAX_FORWARDS) return this.drop(R.hopLimit());
    const addr = dst.fam === 4 ? app.v4[0] : app.v6[0];
    if (!addr) return this.drop(R.noAddressFamily(app, dst.fam, "the appliance cannot forward this family"));
    this.retFrom = NAT_PORTS_FROM;
    this.retTo = NAT_PORTS_TO;
    return this.leg({ vpc: app.vpc, subnet: app.subnet, addr, eni: app, refEni: app }, false);
  }

  /**
   * A gateway endpoint's route (to its service's prefix list): the packet leaves the subnet as for a
   * gateway (SG egress, outbound ACL; the reply needs the inbound ACL) and reaches the service from
   * its private address, without a public one.
   */
  viaGatewayEndpoint(s: Sender, vpce: CVpce): Verdict {
    const r = this.sgEgress(s, undefined) ?? this.aclOut(s.subnet, undefined);
    if (r) return this.drop(r);
    this.path.push(vpce.hop);
    if (vpce.vpc !== s.vpc) return this.drop(R.vpceNotAttached(vpce, s.vpc));
    if (vpce.state !== "available") return this.drop(R.vpceState(vpce));
    this.path.push(vpce.serviceHop);
    this.target = { kind: "internet", ip: this.dst.text, port: this.port, protocol: this.protocol, via: "gateway-endpoint", gatewayId: vpce.id, seenSourceIp: s.addr.text };
    this.gatewayEndpoint = { vpce, vpcId: s.vpc.id };
    return this.complete();
  }

  /** The flow went through a NAT gateway (an AWS service then sees its Elastic IP). */
  natUsed = false;

  /** Set when the flow went out through a gateway endpoint (for the arrival's VPC keys). */
  gatewayEndpoint: { vpce: CVpce; vpcId: string } | undefined;

  /** Out on the internet with source address `seen`: a public VPC address continues inbound. */
  internet(seen: IpAddr, via: Extract<Target, { kind: "internet" }>["via"], gatewayId: string | undefined): Verdict {
    const { dst } = this;
    const host = dst.fam === 4 ? this.m.publicV4.get(dst.w0) : this.m.hostsV6.get(dst);
    if (host) return this.inbound(host, seen);
    if (dst.fam === 4) {
      const nat = this.m.natPublic.get(dst.w0);
      if (nat) return this.drop(R.noListener({ kind: "nat-gateway", id: nat.id }, dst, "accepts no connections from the internet"));
    } else {
      for (const vpc of this.m.vpcs.values()) if (vpcContains(vpc, dst)) return this.drop(R.noHost({ kind: "internet-gateway", id: vpc.igw?.id ?? vpc.id }, dst));
    }
    this.path.push(Object.freeze({ kind: "internet", id: dst.text }));
    const target: Target = { kind: "internet", ip: dst.text, port: this.port, protocol: this.protocol, via, seenSourceIp: seen.text };
    if (gatewayId !== undefined) target.gatewayId = gatewayId;
    this.target = target;
    return this.complete();
  }

  /** From the internet to a VPC resource's public IPv4 or IPv6 address, through its VPC's internet gateway. */
  inbound(host: CEni, src: IpAddr): Verdict {
    const igw = host.vpc.igw;
    if (!igw) return this.drop(R.noInternetGateway(host.vpc, this.dst));
    this.path.push(igw.hop);
    if (host.isLambda) return this.drop(R.lambdaInbound(host));
    const r = this.aclIn(host.subnet, undefined, src);
    if (r) return this.drop(r);
    this.expectRoute(host.subnet, src, "igw", igw.id);
    return this.deliver(host, src, undefined, undefined);
  }

  /** At the destination interface: its security groups, inbound. */
  deliver(host: CEni, src: IpAddr, refEni: CEni | undefined, fromSubnet: CSubnet | undefined): Verdict {
    if (host.subnet !== fromSubnet) this.path.push(host.subnet.hop);
    this.target = endpoint(host, this, src);
    if (host.interfaceType === "nat_gateway") return this.drop(R.noListener({ kind: "network-interface", id: host.id }, this.dst, "is a NAT gateway's interface and accepts no connections"));
    if (host.isLambda) return this.drop(R.lambdaInbound(host));
    const hop = sgMatch(host.sg.ingress, src, this.proto, this.port, this.code, refEni);
    if (!hop) {
      this.path.push(noRuleHop(host, "ingress"));
      return this.drop(R.sgIngress(host, src, this));
    }
    this.path.push(hop, host.hop);
    if (host.vpce) {
      // An interface endpoint's interface: the endpoint must be available to carry the call.
      this.path.push(host.vpce.hop);
      if (host.vpce.state !== "available") return this.drop(R.vpceState(host.vpce));
      (this.target as Extract<Target, { kind: "endpoint" }>).vpcEndpointId = host.vpce.id;
      this.interfaceEndpoint = host.vpce;
    }
    return this.complete();
  }

  /** Set when the flow arrived at an interface endpoint's interface. */
  interfaceEndpoint: CVpce | undefined;

  /** How an allowed flow to an AWS service arrives there (the keys of its IAM context), or undefined for other destinations. */
  arrival(t: Target): AwsServiceArrival | undefined {
    if (t.kind === "endpoint") {
      const e = this.interfaceEndpoint;
      if (!e) return undefined;
      const a: AwsServiceArrival = { service: e.service, region: e.region, via: "interface-endpoint", vpcEndpointId: e.id };
      if (e.vpc) a.vpcId = e.vpc.id;
      if (t.seenSourceIp) a.vpcSourceIp = t.seenSourceIp;
      return a;
    }
    if (t.kind !== "internet" || this.dst.fam !== 4) return undefined;
    const svc = awsServiceAtWord(this.dst.w0);
    if (!svc) return undefined;
    const g = this.gatewayEndpoint;
    if (t.via === "gateway-endpoint" && g) {
      const a: AwsServiceArrival = { ...svc, via: "gateway-endpoint", vpcEndpointId: g.vpce.id, vpcId: g.vpcId };
      if (t.seenSourceIp) a.vpcSourceIp = t.seenSourceIp;
      return a;
    }
    const a: AwsServiceArrival = { ...svc, via: this.natUsed ? "nat-gateway" : t.via };
    if (t.seenSourceIp) a.sourceIp = t.seenSourceIp;
    return a;
  }

  arrive(host: CEni, src: IpAddr): Verdict {
    this.path.push(host.hop);
    this.target = endpoint(host, this, src);
    return this.finish("allow", []);
  }

  /** The reply, from the destination back: return routes and stateless ACLs on ephemeral ports. */
  complete(): Verdict {
    const obligations = this.obligations;
    const proto = this.proto;
    for (let i = obligations.length - 1; i >= 0; i--) {
      const o = obligations[i];
      if (!o.acl) {
        const route = lookupRoute(o.subnet.routeTable, o.peer);
        const t = route?.target;
        if (route) this.returnPath.push(route.hop);
        if (t !== undefined && t.kind === o.via && "id" in t && t.id === o.viaId) continue;
        if (t?.kind === "eigw") return this.drop(R.egressOnlyInbound(o.subnet, t.id));
        return this.drop(R.returnRoute(o.subnet, o.peer, `${o.via === "pcx" ? "peering connection" : "internet gateway"} ${o.viaId}`));
      }
      const dir = o.acl;
      const rules = o.peer.fam === 4 ? dir.v4 : dir.v6;
      if (hasPorts(proto)) {
        const d = aclDecideRange(dir, o.peer, proto, o.from, o.to);
        if (d === ALLOWED) {
          this.returnPath.push(rules.hop[firstAllow]);
          continue;
        }
        this.returnPath.push(d < 0 ? dir.defaultHop : rules.hop[d]);
        return this.drop(R.aclReturn(o.subnet, o.outbound, o.peer, proto, o.from, o.to, d < 0 ? "*" : rules.ruleNumber[d]));
      }
      const d = aclDecide(dir, o.peer, proto, this.replyType, 0);
      if (d >= 0 && rules.allow[d] === 1) {
        this.returnPath.push(rules.hop[d]);
        continue;
      }
      this.returnPath.push(d < 0 ? dir.defaultHop : rules.hop[d]);
      return this.drop(R.aclReturn(o.subnet, o.outbound, o.peer, proto, this.replyType, this.replyType, d < 0 ? "*" : rules.ruleNumber[d]));
    }
    return this.finish("allow", []);
  }
}

/** The path hop for security groups that stopped a packet: no rule of theirs matched. */
function noRuleHop(eni: CEni, direction: "ingress" | "egress"): Hop {
  return Object.freeze({ kind: "security-group", id: eni.groupIds.join(",") || eni.id, detail: `${direction}: no rule matches` });
}

function endpoint(host: CEni, w: Walk, src: IpAddr): Target {
  return { kind: "endpoint", networkInterfaceId: host.id, vpcId: host.vpc.id, subnetId: host.subnet.id, ip: w.dst.text, port: w.port, protocol: w.protocol, seenSourceIp: src.text };
}

/**
 * A dual-stack Lambda ENI the snapshot lists without an IPv6 address still has one in AWS; stand in
 * with an address inside the subnet's first IPv6 block (interface id = the IPv4 address), which
 * matches the same CIDR rules.
 */
function synthesizeIpv6(eni: CEni): IpAddr | undefined {
  const c = eni.subnet.v6[0];
  if (!c) return undefined;
  return ipv6(c.w0, c.w1, c.w2, c.w3 | ((eni.v4[0]?.w0 ?? 0x10) & ~c.m3));
}

/**
 * Evaluate one flow. Pass a compiled snapshot (compileSnapshot) for speed; a raw snapshot is
 * compiled on every call, so edits to it always show (nothing is cached behind your back).
 */
export function evaluate(model: CompiledSnapshot | NetSnapshot, flow: Flow): Verdict {
  const m = isCompiled(model) ? model : compileSnapshot(model);
  const dst = parseIp(flow.to.ip);
  if (!dst) return { verdict: "unreachable", reasons: [R.invalidAddress(flow.to.ip)], path: [], returnPath: [] };
  const protocol = flow.to.protocol;
  const proto = protocol === "tcp" ? TCP : protocol === "udp" ? UDP : dst.fam === 4 ? ICMP : ICMPV6;
  const code = proto === ICMP || proto === ICMPV6 ? (flow.to.icmpCode ?? 0) : -1;
  const w = new Walk(m, dst, proto, flow.to.port, code, protocol, flow.from.sourcePort);
  return flow.from.kind === "internet" ? w.fromInternet(flow.from) : w.fromEni(flow.from);
}
