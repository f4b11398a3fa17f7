// The rules of each gateway hop, as pure checks: what an internet gateway, a NAT gateway, an
// egress-only gateway and a peering connection accept. The walk in evaluate.ts calls these and
// stops at the first one that returns a reason.
import { cidrContains, parseIp } from "../../net-addr/ip.ts";
import { AddrClass, classify } from "../../net-addr/classify.ts";
import type { IpAddr } from "../../net-addr/ip.ts";
import type { CEni, CNat, CPcx, CSubnet, CVpc, Sender } from "./compiled-types.ts";
import * as R from "./reasons.ts";
import type { Hop, Reason } from "./types.ts";

export function vpcContains(vpc: CVpc, a: IpAddr): boolean {
  const list = a.fam === 4 ? vpc.v4 : vpc.v6;
  for (let i = 0; i < list.length; i++) if (cidrContains(list[i], a)) return true;
  return false;
}

export function subnetContaining(vpc: CVpc, a: IpAddr): CSubnet | undefined {
  for (const s of vpc.subnets) {
    if (a.fam === 4) {
      if (s.v4 && cidrContains(s.v4, a)) return s;
    } else for (const c of s.v6) if (cidrContains(c, a)) return s;
  }
  return undefined;
}

export function hostAt(vpc: CVpc, a: IpAddr): CEni | undefined {
  return vpc.hosts.get(a);
}

const RESOLVER_V4 = parseIp("169.254.169.253")!;
const RESOLVER_V6 = parseIp("fd00:ec2::253")!;

/** The Amazon DNS server: VPC base + 2 and the link-local resolver addresses (Nitro). */
export function isResolver(vpc: CVpc, a: IpAddr): boolean {
  if (!vpc.dnsSupport) return false;
  if (a.fam === 4) return a.w0 === RESOLVER_V4.w0 || (vpc.dns !== undefined && a.w0 === vpc.dns.w0);
  return a.w0 === RESOLVER_V6.w0 && a.w1 === RESOLVER_V6.w1 && a.w2 === RESOLVER_V6.w2 && a.w3 === RESOLVER_V6.w3;
}

/** Internet gateways and egress-only gateways send only internet-routable destinations out. */
export function internetDestinationProblem(gw: { kind: Hop["kind"]; id: string }, dst: IpAddr): Reason | undefined {
  const cls = classify(dst);
  if (cls === AddrClass.Public) return undefined;
  if (cls === AddrClass.Private && dst.fam === 4 && gw.kind === "internet-gateway") return R.igwPrivateDestination(gw.id, dst);
  if (cls === AddrClass.Shared && gw.kind === "internet-gateway") return R.igwSharedDestination(gw.id, dst);
  return R.notInternetRoutable(gw, dst);
}

/**
 * The address the internet sees for traffic leaving through an internet gateway, or why there is
 * none. IPv6 addresses are public already; IPv4 needs a public IP on the ENI or a public NAT
 * gateway's Elastic IP. Lambda ENIs never have one (compile drops it), hence behaviour 5.
 */
export function igwPublicSource(igwId: string, sender: Sender, dst: IpAddr): IpAddr | Reason {
  if (dst.fam === 6) return sender.addr;
  if (sender.nat) {
    if (sender.nat.isPublic && sender.nat.publicAddr) return sender.nat.publicAddr;
    return R.igwNoPublicIp(igwId, { nat: sender.nat });
  }
  if (sender.eni?.publicV4) return sender.eni.publicV4;
  return R.igwNoPublicIp(igwId, { eni: sender.eni });
}

export function natProblem(nat: CNat, dst: IpAddr): Reason | undefined {
  if (dst.fam === 6) return R.nat64(nat);
  if (nat.state !== "available") return R.natState(nat);
  if (!nat.privateAddr) return R.natNoPrivateIp(nat);
  return undefined;
}

/** The VPC on the other side of a peering connection from `vpc`. */
export function peerOf(pcx: CPcx, vpc: CVpc): CVpc | undefined {
  if (pcx.requester === vpc) return pcx.accepter;
  if (pcx.accepter === vpc) return pcx.requester;
  return undefined;
}

/**
 * A peering connection carries a packet only when it is active and the destination (and source) is
 * inside the two VPCs' own CIDRs: that is what makes peering non-transitive (no onward peering, NAT
 * gateway, internet gateway or VPN of the peer VPC).
 */
export function peeringProblem(pcx: CPcx, from: CVpc, peer: CVpc | undefined, src: IpAddr, dst: IpAddr): Reason | undefined {
  if (!peer) return R.peeringNotAttached(pcx, from);
  if (!pcx.active) return R.peeringState(pcx);
  if (!vpcContains(peer, dst)) return R.peeringNotTransitive(pcx, peer, dst);
  if (!vpcContains(from, src)) return R.peeringNotTransitive(pcx, from, src);
  return undefined;
}
