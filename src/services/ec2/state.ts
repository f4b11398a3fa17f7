import { dict } from "../../core/dict.ts";
import { untracked } from "../../store/tracking.ts";
import { undoneCount } from "../../store/unit-of-work.ts";
import type { AddressPool } from "./address-pool.ts";

/**
 * The EC2 (VPC part) state of one account in one region: plain JSON, mutated in place and
 * snapshotted by the store. Records are keyed by id; insertion order is creation order, which
 * is the order Describe* calls list them in. Derived facts (route states, available address
 * counts) are computed when read, never stored twice.
 */
/** Tag key → value: a prototype-free Dict, since keys are the user's ("constructor" is a fine tag key). */
export type Tags = Record<string, string>;

export interface CidrAssociation {
  associationId: string;
  cidr: string;
}

export interface Ipv6Association extends CidrAssociation {
  /** "Amazon" for an Amazon-provided block */
  pool: string;
  networkBorderGroup: string;
}

export interface VpcRec {
  id: string;
  ownerId: string;
  /** the first one is the primary IPv4 block */
  cidrs: CidrAssociation[];
  ipv6: Ipv6Association[];
  instanceTenancy: "default" | "dedicated";
  isDefault: boolean;
  dhcpOptionsId: string;
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
  enableNetworkAddressUsageMetrics: boolean;
  defaultSecurityGroupId: string;
  defaultNetworkAclId: string;
  mainRouteTableId: string;
  tags: Tags;
  createdAt: number;
}

export interface SubnetRec {
  id: string;
  vpcId: string;
  ownerId: string;
  /** absent for an IPv6-only subnet */
  cidr?: string;
  ipv6: CidrAssociation[];
  ipv6Native: boolean;
  availabilityZone: string;
  availabilityZoneId: string;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
  assignIpv6AddressOnCreation: boolean;
  enableDns64: boolean;
  hostnameType: "ip-name" | "resource-name";
  enableResourceNameDnsARecord: boolean;
  enableResourceNameDnsAAAARecord: boolean;
  enableLniAtDeviceIndex?: number;
  pool4: AddressPool;
  /** one pool per IPv6 block, keyed by the block */
  pool6: Record<string, AddressPool>;
  tags: Tags;
}

export interface SgRule {
  id: string;
  egress: boolean;
  /** "-1", "tcp", "udp", "icmp", "icmpv6" or another protocol number */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  prefixListId?: string;
  refGroupId?: string;
  refUserId?: string;
  refVpcId?: string;
  description?: string;
  tags: Tags;
}

export interface SecurityGroupRec {
  id: string;
  name: string;
  description: string;
  vpcId: string;
  ownerId: string;
  isDefault: boolean;
  rules: SgRule[];
  tags: Tags;
}

export interface AclEntry {
  ruleNumber: number;
  egress: boolean;
  /** "-1" or a protocol number as text ("6", "17", "1", "58") */
  protocol: string;
  ruleAction: "allow" | "deny";
  cidrBlock?: string;
  ipv6CidrBlock?: string;
  icmp?: { type: number; code: number };
  portRange?: { from: number; to: number };
}

export interface NetworkAclRec {
  id: string;
  vpcId: string;
  ownerId: string;
  isDefault: boolean;
  entries: AclEntry[];
  associations: { associationId: string; subnetId: string }[];
  tags: Tags;
}

export interface RouteRec {
  destinationCidrBlock?: string;
  destinationIpv6CidrBlock?: string;
  destinationPrefixListId?: string;
  /** "local", an igw- */
  gatewayId?: string;
  natGatewayId?: string;
  egressOnlyInternetGatewayId?: string;
  vpcPeeringConnectionId?: string;
  networkInterfaceId?: string;
  origin: "CreateRouteTable" | "CreateRoute";
}

export interface RouteTableAssociationRec {
  associationId: string;
  main: boolean;
  subnetId?: string;
  gatewayId?: string;
}

export interface RouteTableRec {
  id: string;
  vpcId: string;
  ownerId: string;
  routes: RouteRec[];
  associations: RouteTableAssociationRec[];
  tags: Tags;
}

export interface InternetGatewayRec {
  id: string;
  ownerId: string;
  /** at most one */
  attachments: { vpcId: string }[];
  tags: Tags;
}

export interface EgressOnlyInternetGatewayRec {
  id: string;
  vpcId: string;
  tags: Tags;
}

export type NatState = "pending" | "available" | "deleting" | "deleted" | "failed";

export interface NatGatewayRec {
  id: string;
  vpcId: string;
  subnetId: string;
  connectivityType: "public" | "private";
  allocationId?: string;
  associationId?: string;
  publicIp?: string;
  networkInterfaceId?: string;
  privateIp?: string;
  state: NatState;
  createTime: number;
  deleteTime?: number;
  failureCode?: string;
  failureMessage?: string;
  /** when the current transitional state ends (pending → available, deleting → deleted) */
  transitionAt?: number;
  /** when a deleted or failed gateway stops being listed */
  purgeAt?: number;
  tags: Tags;
}

export interface AddressRec {
  allocationId: string;
  publicIp: string;
  networkBorderGroup: string;
  association?: { associationId: string; networkInterfaceId: string; privateIp: string; ownerId: string };
  tags: Tags;
}

export type PeeringStatus = "initiating-request" | "pending-acceptance" | "active" | "deleted" | "rejected" | "failed" | "expired" | "provisioning" | "deleting";

export interface PeeringRec {
  id: string;
  requesterVpcId: string;
  requesterOwnerId: string;
  accepterVpcId: string;
  accepterOwnerId: string;
  /** The accepter's Region. */
  region: string;
  /** The requester's Region; absent in records from before cross-Region peering (then the same as region). */
  requesterRegion?: string;
  status: PeeringStatus;
  message: string;
  createdAt: number;
  expiresAt?: number;
  purgeAt?: number;
  /** the VPC blocks as they were when the peering became active (what AWS shows) */
  requesterCidrs: string[];
  requesterIpv6: string[];
  accepterCidrs: string[];
  accepterIpv6: string[];
  tags: Tags;
  /** AllowDnsResolutionFromRemoteVpc of each side (ModifyVpcPeeringConnectionOptions); absent: false. */
  requesterDns?: boolean;
  accepterDns?: boolean;
}

export interface EniRec {
  id: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  availabilityZoneId: string;
  ownerId: string;
  description: string;
  interfaceType: string;
  groupIds: string[];
  /** the first one is the primary address; absent for an IPv6-only interface */
  privateIps: string[];
  ipv6: string[];
  macAddress: string;
  sourceDestCheck: boolean;
  status: "available" | "in-use";
  requesterManaged: boolean;
  requesterId?: string;
  /** which service manages it (lambda, nat): such interfaces refuse user deletes and changes */
  managedBy?: string;
  attachment?: { attachmentId: string; instanceOwnerId: string; deviceIndex: number; status: string; attachTime: number; deleteOnTermination: boolean };
  association?: { allocationId: string; associationId: string; publicIp: string; ipOwnerId: string };
  createdAt: number;
  tags: Tags;
}

export type VpcEndpointState = "pending" | "available" | "deleting" | "deleted" | "failed";

export interface VpcEndpointRec {
  id: string;
  vpcId: string;
  ownerId: string;
  type: "Interface" | "Gateway";
  /** com.amazonaws.us-east-1.sts */
  serviceName: string;
  /** the short name (sts, s3): its public address and prefix list come from it */
  service: string;
  state: VpcEndpointState;
  policyDocument: string;
  /** Gateway endpoints: the tables holding the route to the service's prefix list. */
  routeTableIds: string[];
  /** Interface endpoints: one requester-managed interface per subnet, in subnet order. */
  interfaces: { subnetId: string; networkInterfaceId: string }[];
  groupIds: string[];
  privateDnsEnabled: boolean;
  ipAddressType: "ipv4" | "dualstack" | "ipv6";
  dnsRecordIpType?: string;
  /** the random part of its DNS names: vpce-0123...-<suffix>.sts.us-east-1.vpce.amazonaws.com */
  dnsSuffix: string;
  createdAt: number;
  /** when the current transitional state ends (pending → available, deleting → deleted) */
  transitionAt?: number;
  tags: Tags;
}

export interface DhcpOptionsRec {
  id: string;
  ownerId: string;
  configurations: { key: string; values: string[] }[];
  tags: Tags;
  /** Made with CreateDhcpOptions (absent: the Region's default set). */
  custom?: boolean;
}

export interface Ec2State {
  format: 1;
  account: string;
  region: string;
  vpcs: Record<string, VpcRec>;
  subnets: Record<string, SubnetRec>;
  securityGroups: Record<string, SecurityGroupRec>;
  networkAcls: Record<string, NetworkAclRec>;
  routeTables: Record<string, RouteTableRec>;
  internetGateways: Record<string, InternetGatewayRec>;
  egressOnlyInternetGateways: Record<string, EgressOnlyInternetGatewayRec>;
  natGateways: Record<string, NatGatewayRec>;
  addresses: Record<string, AddressRec>;
  peerings: Record<string, PeeringRec>;
  networkInterfaces: Record<string, EniRec>;
  dhcpOptions: Record<string, DhcpOptionsRec>;
  /** Absent in states saved before VPC endpoints existed (ensureEndpoints adds it). */
  vpcEndpoints?: Record<string, VpcEndpointRec>;
  /** "Operation:token" → what the first call created, for ClientToken idempotency */
  clientTokens: Record<string, { fingerprint: string; id: string }>;
  counters: { ipv6Blocks: number; publicIps: number };
}

/** A value that cannot be changed through this reference, at any depth (type-level). */
export type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/**
 * EC2's state as other modules read it (the network model, its admin routes): the live state,
 * typed so that nothing outside EC2 can change it. Reads only; keep no references across calls.
 */
export type Ec2View = DeepReadonly<Ec2State>;

export function emptyState(account: string, region: string): Ec2State {
  return {
    format: 1,
    account,
    region,
    vpcs: dict(),
    subnets: dict(),
    securityGroups: dict(),
    networkAcls: dict(),
    routeTables: dict(),
    internetGateways: dict(),
    egressOnlyInternetGateways: dict(),
    natGateways: dict(),
    addresses: dict(),
    peerings: dict(),
    networkInterfaces: dict(),
    dhcpOptions: dict(),
    vpcEndpoints: dict(),
    clientTokens: dict(),
    counters: { ipv6Blocks: 0, publicIps: 0 },
  };
}

/**
 * Object.values on a large record (10,000 interfaces) costs milliseconds, as V8 keeps such
 * objects in dictionary mode; the hot tables are listed through this cache instead. Whoever adds
 * or removes a record of such a table must do it through putRecord/dropRecord. The cached array
 * is shared: callers never mutate it. With --state-dir a table may be reached tracked (for writes)
 * or plain (Describe calls, see index.ts): one entry per plain table, with a list for each.
 */
const listCache = new WeakMap<object, { plain?: unknown[]; tracked?: unknown[]; undone: number }>();

export function valuesOf<T>(table: Readonly<Record<string, T>>): readonly T[] {
  const plain = untracked(table);
  let cached = listCache.get(plain);
  // A failed request's changes undone by the store (--state-dir) bypass putRecord/dropRecord.
  if (!cached || cached.undone !== undoneCount()) listCache.set(plain, (cached = { undone: undoneCount() }));
  if (plain === table) return (cached.plain ??= Object.values(plain)) as T[];
  return (cached.tracked ??= Object.values(table)) as T[];
}

export function putRecord<T>(table: Record<string, T>, id: string, rec: T): void {
  const c = freshCounts(table);
  if (c) {
    if (Object.hasOwn(table, id)) count(c, table[id], -1);
    count(c, rec, 1);
  }
  table[id] = rec;
  listCache.delete(untracked(table));
}

export function dropRecord<T>(table: Record<string, T>, id: string): void {
  const c = freshCounts(table);
  if (c && Object.hasOwn(table, id)) count(c, table[id], -1);
  delete table[id];
  listCache.delete(untracked(table));
}

/**
 * Record counts for the quota checks on every create (VPCs, subnets and groups per VPC, addresses,
 * gateways), kept by putRecord/dropRecord so a check costs O(1), not a pass over the table.
 * Built on first use, and again after a rollback (as valuesOf).
 */
interface Counts {
  undone: number;
  total: number;
  byVpc: Map<string, number>;
}

const countCache = new WeakMap<object, Counts>();

// Keyed by the plain table: with --state-dir the same table is also reached through tracking proxies.
function freshCounts(table: object): Counts | undefined {
  const c = countCache.get(untracked(table));
  return c && c.undone === undoneCount() ? c : undefined;
}

function vpcOf(rec: unknown): string | undefined {
  const v = (rec as { vpcId?: unknown }).vpcId;
  return typeof v === "string" ? v : undefined;
}

function count(c: Counts, rec: unknown, by: 1 | -1): void {
  c.total += by;
  const vpc = vpcOf(rec);
  if (vpc !== undefined) c.byVpc.set(vpc, (c.byVpc.get(vpc) ?? 0) + by);
}

function countsOf(table: Record<string, unknown>): Counts {
  let c = freshCounts(table);
  if (c) return c;
  c = { undone: undoneCount(), total: 0, byVpc: new Map() };
  const plain = untracked(table);
  for (const rec of Object.values(plain)) count(c, rec, 1);
  countCache.set(plain, c);
  return c;
}

/** How many records a table holds (for tables written only through putRecord/dropRecord). */
export function countOf(table: Record<string, unknown>): number {
  return countsOf(table).total;
}

/** How many records of a table belong to a VPC (same condition). */
export function countInVpc(table: Record<string, { vpcId: string }>, vpcId: string): number {
  return countsOf(table).byVpc.get(vpcId) ?? 0;
}
