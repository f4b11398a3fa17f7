// The compiled snapshot: the same resources with their references resolved to objects, CIDRs
// parsed to words, rules flattened to typed arrays and path hops pre-built, so an evaluation only
// follows pointers and compares integers.
import type { AddrMap } from "./addr-map.ts";
import type { Cidr, IpAddr } from "../../net-addr/ip.ts";
import type { Acl } from "./network-acls.ts";
import type { SgSet } from "./security-groups.ts";
import type { Hop, NetSnapshot } from "./types.ts";

export interface CVpc {
  id: string;
  tenancy: "default" | "dedicated";
  v4: Cidr[];
  v6: Cidr[];
  subnets: CSubnet[];
  /** The internet gateway attached to this VPC, if any. */
  igw?: CIgw;
  /** Interfaces by private address. */
  hosts: AddrMap<CEni>;
  /** VPCs joined to this one by an active peering connection. */
  peers: Set<CVpc>;
  /** The Amazon DNS server at the primary CIDR's base + 2, when DNS support is on. */
  dns?: IpAddr;
  dnsSupport: boolean;
  dnsHostnames: boolean;
  /** Names interface endpoints answer in this VPC (private DNS only with both DNS attributes), lowercased → addresses. */
  endpointNames: Map<string, string[]>;
}

export interface CVpce {
  id: string;
  vpc?: CVpc;
  type: "Interface" | "Gateway";
  serviceName: string;
  service: string;
  region: string;
  state: string;
  hop: Hop;
  /** The service behind a gateway endpoint, as the last hop of the path. */
  serviceHop: Hop;
}

export interface CSubnet {
  id: string;
  vpc: CVpc;
  v4?: Cidr;
  v6: Cidr[];
  ipv6Native: boolean;
  /** Has both an IPv4 CIDR and at least one IPv6 CIDR. */
  dualStack: boolean;
  routeTable: CRouteTable;
  acl: Acl;
  hop: Hop;
}

export type CTarget =
  | { kind: "local" }
  | { kind: "igw"; id: string; igw?: CIgw }
  | { kind: "nat"; id: string; nat?: CNat }
  | { kind: "eigw"; id: string; eigw?: CEigw }
  | { kind: "pcx"; id: string; pcx?: CPcx }
  | { kind: "eni"; id: string; eni?: CEni }
  | { kind: "vpce"; id: string; vpce?: CVpce }
  | { kind: "blackhole"; id?: string };

export interface CRoute {
  cidr: Cidr;
  target: CTarget;
  /** The route-table hop showing this route ("10.0.0.0/16 -> local"). */
  hop: Hop;
}

export interface CRouteTable {
  id: string;
  hop: Hop;
  /** Routes by family, longest prefix first. */
  v4: CRoute[];
  v6: CRoute[];
}

export interface CEni {
  id: string;
  vpc: CVpc;
  subnet: CSubnet;
  groupIds: string[];
  /** Indices of the ENI's security groups, for group-reference rules. */
  groups: Set<number>;
  sg: SgSet;
  v4: IpAddr[];
  v6: IpAddr[];
  /** Public IPv4 (never for Lambda ENIs). */
  publicV4?: IpAddr;
  interfaceType: string;
  isLambda: boolean;
  sourceDestCheck: boolean;
  /** The interface VPC endpoint that owns this interface. */
  vpce?: CVpce;
  hop: Hop;
}

export interface CIgw {
  id: string;
  vpcs: Set<CVpc>;
  hop: Hop;
}

export interface CEigw {
  id: string;
  vpc?: CVpc;
  hop: Hop;
}

export interface CNat {
  id: string;
  vpc?: CVpc;
  subnet?: CSubnet;
  isPublic: boolean;
  state: string;
  privateAddr?: IpAddr;
  publicAddr?: IpAddr;
  eni?: CEni;
  hop: Hop;
}

export interface CPcx {
  id: string;
  requester?: CVpc;
  accepter?: CVpc;
  status: string;
  active: boolean;
  hop: Hop;
}

export interface CompiledSnapshot {
  readonly kind: "compiled-net-snapshot";
  readonly snapshot: NetSnapshot;
  vpcs: Map<string, CVpc>;
  enis: Map<string, CEni>;
  /** Public IPv4 addresses of ENIs, for traffic that arrives from the internet. */
  publicV4: Map<number, CEni>;
  /** IPv6 addresses of every ENI (globally unique), for traffic that arrives from the internet. */
  hostsV6: AddrMap<CEni>;
  /** Elastic IPs of NAT gateways (they accept no inbound connections). */
  natPublic: Map<number, CNat>;
  vpces: Map<string, CVpce>;
  ephemeralFrom: number;
  ephemeralTo: number;
}

/** Whatever is sending the packet on one leg of the walk: the source ENI, a NAT gateway, an appliance. */
export interface Sender {
  vpc: CVpc;
  subnet: CSubnet;
  /** The source address on the wire for this leg. */
  addr: IpAddr;
  /** The sending interface: its security groups filter the packet on the way out. */
  eni?: CEni;
  nat?: CNat;
  /** The ENI whose group membership SG references can see (undefined once an address is translated). */
  refEni?: CEni;
}
