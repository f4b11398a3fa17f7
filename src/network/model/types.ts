// Input and output shapes of the reachability model. The input is a plain snapshot of the EC2
// state that matters for reachability; the output is a verdict with AWS Reachability Analyzer
// explanation codes, a plain sentence per reason, and the path the packet took.

export interface SgRule {
  /** "-1" (all) | "tcp" | "udp" | "icmp" | "icmpv6" | a protocol number as a string ("6", "17", "50"). */
  protocol: string;
  /** tcp/udp: first port; icmp/icmpv6: the ICMP type (-1 = every type). */
  fromPort?: number;
  /** tcp/udp: last port; icmp/icmpv6: the ICMP code (-1 = every code). */
  toPort?: number;
  /** IPv4 and IPv6 CIDR blocks. */
  cidrs: string[];
  /** Referenced security groups: the peer ENI must be a member (same VPC or an actively peered one). */
  groupIds: string[];
  /** Managed prefix lists: matched through NetSnapshot.prefixLists; an unknown list matches nothing. */
  prefixListIds?: string[];
}

export type RouteTarget =
  | { kind: "local" }
  | { kind: "igw"; id: string }
  | { kind: "nat"; id: string }
  | { kind: "eigw"; id: string }
  | { kind: "pcx"; id: string }
  | { kind: "eni"; id: string }
  /** A gateway endpoint (S3, DynamoDB): the route's destination is its service's prefix list. */
  | { kind: "vpce"; id: string }
  | { kind: "blackhole"; id?: string };

export interface NetSnapshot {
  vpcs: {
    vpcId: string;
    cidrBlocks: string[];
    ipv6CidrBlocks: string[];
    instanceTenancy: "default" | "dedicated";
    /** enableDnsSupport; the Amazon DNS server answers only when true (the default). */
    enableDnsSupport?: boolean;
    /** enableDnsHostnames; interface endpoints' private DNS names answer only with both attributes on. */
    enableDnsHostnames?: boolean;
  }[];
  subnets: { subnetId: string; vpcId: string; cidrBlock?: string; ipv6CidrBlocks: string[]; ipv6Native?: boolean }[];
  routeTables: {
    routeTableId: string;
    vpcId: string;
    main: boolean;
    subnetIds: string[];
    /** destination: a v4 or v6 CIDR, or a prefix list id (pl-...) whose CIDRs `prefixLists` gives. */
    routes: { destination: string; target: RouteTarget }[];
  }[];
  networkAcls: {
    networkAclId: string;
    vpcId: string;
    isDefault: boolean;
    subnetIds: string[];
    entries: {
      ruleNumber: number;
      egress: boolean;
      action: "allow" | "deny";
      protocol: string /* "-1" | "6" | "17" | "1" | "58" | number string */;
      cidr: string /* v4 or v6 */;
      fromPort?: number;
      toPort?: number;
      icmpType?: number;
      icmpCode?: number;
    }[];
  }[];
  securityGroups: { groupId: string; vpcId: string; ingress: SgRule[]; egress: SgRule[] }[];
  networkInterfaces: {
    networkInterfaceId: string;
    subnetId: string;
    vpcId: string;
    groupIds: string[];
    privateIps: string[];
    ipv6Addresses: string[];
    publicIp?: string;
    /** "lambda" for Hyperplane ENIs (never a public IP, never accept inbound), "nat_gateway", "interface", ... */
    interfaceType?: string;
    /** false lets the ENI forward traffic for others (a NAT instance / appliance behind an "eni" route). Default true. */
    sourceDestCheck?: boolean;
  }[];
  internetGateways: { id: string; vpcIds: string[] }[];
  egressOnlyInternetGateways: { id: string; vpcId: string }[];
  natGateways: {
    id: string;
    subnetId: string;
    vpcId: string;
    connectivityType: "public" | "private";
    state: string;
    privateIp?: string;
    publicIp?: string;
    networkInterfaceId?: string;
  }[];
  peerings: { id: string; requesterVpcId: string; accepterVpcId: string; status: string /* "active" counts */ }[];
  /** Managed prefix lists referenced by security-group rules and routes (optional). */
  prefixLists?: { prefixListId: string; cidrs: string[] }[];
  /** VPC endpoints to AWS services (optional). */
  vpcEndpoints?: VpcEndpointInput[];
}

export interface VpcEndpointInput {
  id: string;
  vpcId: string;
  type: "Interface" | "Gateway";
  /** com.amazonaws.us-east-1.sts */
  serviceName: string;
  /** The service's short name and region (sts, us-east-1). */
  service: string;
  region: string;
  /** "available" carries traffic; pending, deleting, ... do not. */
  state: string;
  /** Interface endpoints: their requester-managed interfaces (also listed in networkInterfaces). */
  networkInterfaceIds: string[];
  /** Names that resolve, inside the VPC, to the interfaces' addresses: vpce-…-xxxx.sts.us-east-1.vpce.amazonaws.com and zonal ones. */
  dnsNames?: string[];
  /** With private DNS: the service's public names (sts.us-east-1.amazonaws.com; "*.s3.…" for S3's buckets). */
  privateDnsNames?: string[];
}

/**
 * How an AWS call arrived at the service, for the request's IAM context: through an endpoint
 * (aws:SourceVpce, aws:SourceVpc, aws:VpcSourceIp) or from a public address (aws:SourceIp).
 */
export interface AwsServiceArrival {
  service: string;
  region: string;
  via: "direct" | "internet-gateway" | "nat-gateway" | "egress-only-internet-gateway" | "interface-endpoint" | "gateway-endpoint";
  vpcEndpointId?: string;
  vpcId?: string;
  /** aws:VpcSourceIp: the caller's private address, through an endpoint. */
  vpcSourceIp?: string;
  /** aws:SourceIp: the public address the service sees (a NAT gateway's Elastic IP, ...), without an endpoint. */
  sourceIp?: string;
}

export interface Flow {
  from:
    | {
        kind: "eni";
        networkInterfaceId: string;
        /** Ipv6AllowedForDualStack of the function. Unset: false for "lambda" ENIs, true for others. */
        ipv6Allowed?: boolean;
        /** The client's source port when known; otherwise the whole ephemeral range is assumed. */
        sourcePort?: number;
      }
    | {
        kind: "internet";
        /** The client's public address as seen by a VPC resource (default 198.51.100.1 / 2001:db8:ffff::1). */
        ip?: string;
        sourcePort?: number;
      };
  to: {
    ip: string;
    /** tcp/udp: the destination port; icmp: the ICMP type (8 = echo request, 128 for ICMPv6). */
    port: number;
    protocol: "tcp" | "udp" | "icmp";
    /** icmp only: the ICMP code (default 0). */
    icmpCode?: number;
  };
}

export type VerdictKind = "allow" | "drop" | "unreachable";

/** AWS VPC Reachability Analyzer explanation codes the model emits (docs: reachability/explanation-codes). */
export type ExplanationCode =
  | "BAD_STATE"
  | "BAD_STATE_ATTACHMENT"
  | "BAD_STATE_ROUTE"
  | "ENI_SG_RULES_MISMATCH"
  | "ENI_SOURCE_DEST_CHECK_RESTRICTION"
  | "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS"
  | "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS"
  | "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"
  | "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS"
  | "NO_POSSIBLE_DESTINATION"
  | "NO_ROUTE_TO_DESTINATION"
  | "NO_SOURCE_OR_DESTINATION"
  | "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"
  | "PROTOCOL_RESTRICTION"
  | "SUBNET_ACL_RESTRICTION"
  | "UNKNOWN_DESTINATION";

/** hyperlocal's own finer, stable identifier of the check that failed (one AWS code covers several). */
export type CheckId =
  | "invalid-address"
  | "source-not-found"
  | "address-family"
  | "no-route"
  | "blackhole-route"
  | "security-group-egress"
  | "network-acl-outbound"
  | "network-acl-inbound"
  | "security-group-ingress"
  | "return-network-acl-outbound"
  | "return-network-acl-inbound"
  | "return-route"
  | "nat-gateway-state"
  | "nat-gateway-no-public-ip"
  | "nat64-not-modelled"
  | "igw-not-attached"
  | "igw-no-public-ip"
  | "igw-private-destination"
  | "igw-shared-destination"
  | "not-internet-routable"
  | "eigw-not-attached"
  | "egress-only-inbound"
  | "no-internet-gateway"
  | "peering-state"
  | "peering-not-attached"
  | "peering-not-transitive"
  | "vpc-endpoint-state"
  | "vpc-endpoint-not-attached"
  | "no-host"
  | "no-listener"
  | "lambda-inbound"
  | "source-dest-check"
  | "hop-limit"
  | "private-from-internet";

export type HopKind =
  | "network-interface"
  | "subnet"
  | "route-table"
  | "security-group"
  | "network-acl"
  | "nat-gateway"
  | "internet-gateway"
  | "egress-only-internet-gateway"
  | "vpc-peering-connection"
  | "vpc-resolver"
  | "vpc-endpoint"
  | "loopback"
  | "internet";

/** One component on the path. Hop objects are shared and frozen: do not mutate them. */
export interface Hop {
  readonly kind: HopKind;
  /** The resource id (eni-, subnet-, rtb-, sg-, acl-, nat-, igw-, eigw-, pcx-), or an address for "internet". */
  readonly id: string;
  /** What matched there: the route, the rule, the direction. */
  readonly detail?: string;
}

export interface Reason {
  code: ExplanationCode;
  check: CheckId;
  /** One plain-language sentence. */
  message: string;
  /** The component that stopped the packet. */
  component?: { kind: HopKind; id: string };
  /** For ACL reasons: the rule number that denied, or "*" for the implicit final deny. */
  rule?: number | "*";
}

export type Target =
  | {
      kind: "endpoint";
      networkInterfaceId: string;
      vpcId: string;
      subnetId: string;
      ip: string;
      port: number;
      protocol: Flow["to"]["protocol"];
      /** The source address the endpoint sees (the function's ENI, a NAT gateway, or a public address). */
      seenSourceIp?: string;
      /** The interface belongs to this interface VPC endpoint (an AWS service answers there). */
      vpcEndpointId?: string;
    }
  | {
      kind: "internet";
      ip: string;
      port: number;
      protocol: Flow["to"]["protocol"];
      via: "direct" | "nat-gateway" | "internet-gateway" | "egress-only-internet-gateway" | "gateway-endpoint";
      gatewayId?: string;
      /** The source address the internet server sees (a NAT gateway's Elastic IP, an ENI's public IP or IPv6 address). */
      seenSourceIp?: string;
    }
  /** The Amazon DNS server (VPC base + 2, 169.254.169.253, fd00:ec2::253): not filtered by SGs or ACLs. */
  | { kind: "vpc-resolver"; ip: string; port: number; protocol: Flow["to"]["protocol"]; vpcId: string }
  /** 127.0.0.0/8 and ::1 stay inside the execution environment. */
  | { kind: "loopback"; ip: string; port: number; protocol: Flow["to"]["protocol"] };

export interface Verdict {
  verdict: VerdictKind;
  /** Empty when allowed; otherwise the reason the packet stopped (the first blocking check on its way). */
  reasons: Reason[];
  /** The forward path, source first, up to the component that stopped it. */
  path: Hop[];
  /** The components the reply crossed (ACLs and routes checked on the way back). */
  returnPath: Hop[];
  /** What the destination address resolved to, when known (also set on a drop: check `verdict`). */
  target?: Target;
  /** The address family of the flow. */
  family?: 4 | 6;
  /** The address the flow left the source with. */
  sourceIp?: string;
  /** Allowed flows to an AWS service (its public address or an interface endpoint): how the call arrives. */
  awsService?: AwsServiceArrival;
}

export interface CompileOptions {
  /** Client source ports assumed for return traffic when the flow names none (AWS documents 1024-65535 for Lambda). */
  ephemeralPorts?: [number, number];
}
