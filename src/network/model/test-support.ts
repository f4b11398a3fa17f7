// A fixture shaped like the scenario: a default-tenancy VPC with public, private (function)
// and database subnets, a NAT gateway, an internet gateway and an egress-only one; a dedicated-tenancy
// VPC peered to it; a third VPC peered only to the dedicated one. Each call returns a fresh copy so
// a test can edit it.
import type { Flow, NetSnapshot, SgRule } from "./types.ts";

export const V6 = {
  vpc: "2600:1f18:1234:5600::/56",
  public: "2600:1f18:1234:5600::/64",
  db: "2600:1f18:1234:5601::/64",
  private: "2600:1f18:1234:5603::/64",
  isolated: "2600:1f18:1234:5604::/64",
  v6only: "2600:1f18:1234:5605::/64",
};

export const sg = (protocol: string, ports: [number, number] | undefined, peers: { cidrs?: string[]; groupIds?: string[]; prefixListIds?: string[] }): SgRule => ({
  protocol,
  ...(ports ? { fromPort: ports[0], toPort: ports[1] } : {}),
  cidrs: peers.cidrs ?? [],
  groupIds: peers.groupIds ?? [],
  ...(peers.prefixListIds ? { prefixListIds: peers.prefixListIds } : {}),
});

export const ALL_OUT: SgRule[] = [sg("-1", undefined, { cidrs: ["0.0.0.0/0", "::/0"] })];

type AclEntry = NetSnapshot["networkAcls"][number]["entries"][number];

export const acl = (ruleNumber: number, egress: boolean, action: "allow" | "deny", protocol: string, cidr: string, ports?: [number, number], icmp?: [number, number]): AclEntry => ({
  ruleNumber,
  egress,
  action,
  protocol,
  cidr,
  ...(ports ? { fromPort: ports[0], toPort: ports[1] } : {}),
  ...(icmp ? { icmpType: icmp[0], icmpCode: icmp[1] } : {}),
});

export const ALLOW_ALL_ACL: AclEntry[] = [
  acl(100, false, "allow", "-1", "0.0.0.0/0"),
  acl(101, false, "allow", "-1", "::/0"),
  acl(100, true, "allow", "-1", "0.0.0.0/0"),
  acl(101, true, "allow", "-1", "::/0"),
];

export function scenario(): NetSnapshot {
  return {
    vpcs: [
      { vpcId: "vpc-main", cidrBlocks: ["10.0.0.0/16"], ipv6CidrBlocks: [V6.vpc], instanceTenancy: "default" },
      { vpcId: "vpc-ded", cidrBlocks: ["10.1.0.0/16"], ipv6CidrBlocks: [], instanceTenancy: "dedicated" },
      { vpcId: "vpc-third", cidrBlocks: ["10.2.0.0/16"], ipv6CidrBlocks: [], instanceTenancy: "default" },
    ],
    subnets: [
      { subnetId: "subnet-public", vpcId: "vpc-main", cidrBlock: "10.0.0.0/24", ipv6CidrBlocks: [V6.public] },
      { subnetId: "subnet-db", vpcId: "vpc-main", cidrBlock: "10.0.1.0/24", ipv6CidrBlocks: [V6.db] },
      { subnetId: "subnet-private", vpcId: "vpc-main", cidrBlock: "10.0.3.0/24", ipv6CidrBlocks: [V6.private] },
      { subnetId: "subnet-isolated", vpcId: "vpc-main", cidrBlock: "10.0.4.0/24", ipv6CidrBlocks: [] },
      { subnetId: "subnet-v6only", vpcId: "vpc-main", ipv6CidrBlocks: [V6.v6only], ipv6Native: true },
      { subnetId: "subnet-ded", vpcId: "vpc-ded", cidrBlock: "10.1.1.0/24", ipv6CidrBlocks: [] },
      { subnetId: "subnet-third", vpcId: "vpc-third", cidrBlock: "10.2.1.0/24", ipv6CidrBlocks: [] },
    ],
    routeTables: [
      {
        routeTableId: "rtb-main",
        vpcId: "vpc-main",
        main: true,
        subnetIds: [],
        routes: [
          { destination: "10.0.0.0/16", target: { kind: "local" } },
          { destination: V6.vpc, target: { kind: "local" } },
        ],
      },
      {
        routeTableId: "rtb-public",
        vpcId: "vpc-main",
        main: false,
        subnetIds: ["subnet-public"],
        routes: [
          { destination: "10.0.0.0/16", target: { kind: "local" } },
          { destination: V6.vpc, target: { kind: "local" } },
          { destination: "0.0.0.0/0", target: { kind: "igw", id: "igw-1" } },
          { destination: "::/0", target: { kind: "igw", id: "igw-1" } },
        ],
      },
      {
        routeTableId: "rtb-private",
        vpcId: "vpc-main",
        main: false,
        subnetIds: ["subnet-private", "subnet-v6only"],
        routes: [
          { destination: "10.0.0.0/16", target: { kind: "local" } },
          { destination: V6.vpc, target: { kind: "local" } },
          { destination: "0.0.0.0/0", target: { kind: "nat", id: "nat-1" } },
          { destination: "::/0", target: { kind: "eigw", id: "eigw-1" } },
          { destination: "10.1.0.0/16", target: { kind: "pcx", id: "pcx-1" } },
        ],
      },
      {
        routeTableId: "rtb-db",
        vpcId: "vpc-main",
        main: false,
        subnetIds: ["subnet-db"],
        routes: [
          { destination: "10.0.0.0/16", target: { kind: "local" } },
          { destination: V6.vpc, target: { kind: "local" } },
        ],
      },
      {
        routeTableId: "rtb-ded",
        vpcId: "vpc-ded",
        main: true,
        subnetIds: ["subnet-ded"],
        routes: [
          { destination: "10.1.0.0/16", target: { kind: "local" } },
          { destination: "10.0.0.0/16", target: { kind: "pcx", id: "pcx-1" } },
          { destination: "10.2.0.0/16", target: { kind: "pcx", id: "pcx-2" } },
        ],
      },
      {
        routeTableId: "rtb-third",
        vpcId: "vpc-third",
        main: true,
        subnetIds: [],
        routes: [
          { destination: "10.2.0.0/16", target: { kind: "local" } },
          { destination: "10.1.0.0/16", target: { kind: "pcx", id: "pcx-2" } },
          { destination: "10.0.0.0/16", target: { kind: "pcx", id: "pcx-2" } },
        ],
      },
    ],
    networkAcls: [
      { networkAclId: "acl-default", vpcId: "vpc-main", isDefault: true, subnetIds: ["subnet-public", "subnet-private", "subnet-isolated", "subnet-v6only"], entries: [...ALLOW_ALL_ACL] },
      {
        networkAclId: "acl-db",
        vpcId: "vpc-main",
        isDefault: false,
        subnetIds: ["subnet-db"],
        entries: [
          acl(100, false, "allow", "6", "10.0.0.0/16", [1, 65535]),
          acl(101, false, "allow", "6", V6.vpc, [1, 65535]),
          acl(100, true, "allow", "6", "10.0.0.0/16", [1024, 65535]),
          acl(101, true, "allow", "6", V6.vpc, [1024, 65535]),
        ],
      },
      { networkAclId: "acl-ded", vpcId: "vpc-ded", isDefault: true, subnetIds: [], entries: [...ALLOW_ALL_ACL] },
      { networkAclId: "acl-third", vpcId: "vpc-third", isDefault: true, subnetIds: [], entries: [...ALLOW_ALL_ACL] },
    ],
    securityGroups: [
      { groupId: "sg-fn", vpcId: "vpc-main", ingress: [], egress: [...ALL_OUT] },
      { groupId: "sg-db", vpcId: "vpc-main", ingress: [sg("tcp", [5432, 5432], { groupIds: ["sg-fn"] })], egress: [...ALL_OUT] },
      { groupId: "sg-web", vpcId: "vpc-main", ingress: [sg("tcp", [443, 443], { cidrs: ["0.0.0.0/0", "::/0"] })], egress: [...ALL_OUT] },
      { groupId: "sg-other", vpcId: "vpc-main", ingress: [], egress: [...ALL_OUT] },
      { groupId: "sg-srv", vpcId: "vpc-ded", ingress: [sg("tcp", [8080, 8080], { cidrs: ["10.0.0.0/16"] })], egress: [...ALL_OUT] },
      { groupId: "sg-third", vpcId: "vpc-third", ingress: [sg("-1", undefined, { cidrs: ["10.0.0.0/8"] })], egress: [...ALL_OUT] },
    ],
    networkInterfaces: [
      { networkInterfaceId: "eni-fn", subnetId: "subnet-private", vpcId: "vpc-main", groupIds: ["sg-fn"], privateIps: ["10.0.3.10"], ipv6Addresses: ["2600:1f18:1234:5603::10"], interfaceType: "lambda" },
      { networkInterfaceId: "eni-db", subnetId: "subnet-db", vpcId: "vpc-main", groupIds: ["sg-db"], privateIps: ["10.0.1.25"], ipv6Addresses: ["2600:1f18:1234:5601::25"] },
      { networkInterfaceId: "eni-nat", subnetId: "subnet-public", vpcId: "vpc-main", groupIds: [], privateIps: ["10.0.0.5"], ipv6Addresses: [], interfaceType: "nat_gateway" },
      {
        networkInterfaceId: "eni-web",
        subnetId: "subnet-public",
        vpcId: "vpc-main",
        groupIds: ["sg-web"],
        privateIps: ["10.0.0.40"],
        ipv6Addresses: ["2600:1f18:1234:5600::40"],
        publicIp: "198.51.100.40",
      },
      { networkInterfaceId: "eni-fn-public", subnetId: "subnet-public", vpcId: "vpc-main", groupIds: ["sg-fn"], privateIps: ["10.0.0.60"], ipv6Addresses: [], interfaceType: "lambda" },
      { networkInterfaceId: "eni-fn-isolated", subnetId: "subnet-isolated", vpcId: "vpc-main", groupIds: ["sg-fn"], privateIps: ["10.0.4.10"], ipv6Addresses: [], interfaceType: "lambda" },
      { networkInterfaceId: "eni-fn-v6only", subnetId: "subnet-v6only", vpcId: "vpc-main", groupIds: ["sg-fn"], privateIps: [], ipv6Addresses: ["2600:1f18:1234:5605::10"], interfaceType: "lambda" },
      { networkInterfaceId: "eni-app", subnetId: "subnet-db", vpcId: "vpc-main", groupIds: ["sg-fn"], privateIps: ["10.0.1.30"], ipv6Addresses: [] },
      { networkInterfaceId: "eni-srv", subnetId: "subnet-ded", vpcId: "vpc-ded", groupIds: ["sg-srv"], privateIps: ["10.1.1.50"], ipv6Addresses: [] },
      { networkInterfaceId: "eni-third", subnetId: "subnet-third", vpcId: "vpc-third", groupIds: ["sg-third"], privateIps: ["10.2.1.70"], ipv6Addresses: [] },
    ],
    internetGateways: [{ id: "igw-1", vpcIds: ["vpc-main"] }],
    egressOnlyInternetGateways: [{ id: "eigw-1", vpcId: "vpc-main" }],
    natGateways: [
      { id: "nat-1", subnetId: "subnet-public", vpcId: "vpc-main", connectivityType: "public", state: "available", privateIp: "10.0.0.5", publicIp: "198.51.100.5", networkInterfaceId: "eni-nat" },
    ],
    peerings: [
      { id: "pcx-1", requesterVpcId: "vpc-main", accepterVpcId: "vpc-ded", status: "active" },
      { id: "pcx-2", requesterVpcId: "vpc-ded", accepterVpcId: "vpc-third", status: "active" },
    ],
  };
}

/** A flow from an ENI (the function's by default). */
export function fromEni(ip: string, port: number, protocol: Flow["to"]["protocol"] = "tcp", eni = "eni-fn", extra: { ipv6Allowed?: boolean; sourcePort?: number } = {}): Flow {
  return { from: { kind: "eni", networkInterfaceId: eni, ...extra }, to: { ip, port, protocol } };
}

export function fromInternet(ip: string, port: number, protocol: Flow["to"]["protocol"] = "tcp"): Flow {
  return { from: { kind: "internet" }, to: { ip, port, protocol } };
}

type Snap = NetSnapshot;
export const rtb = (s: Snap, id: string): Snap["routeTables"][number] => s.routeTables.find((t) => t.routeTableId === id)!;
export const nacl = (s: Snap, id: string): Snap["networkAcls"][number] => s.networkAcls.find((a) => a.networkAclId === id)!;
export const group = (s: Snap, id: string): Snap["securityGroups"][number] => s.securityGroups.find((g) => g.groupId === id)!;
export const iface = (s: Snap, id: string): Snap["networkInterfaces"][number] => s.networkInterfaces.find((n) => n.networkInterfaceId === id)!;
export const natgw = (s: Snap, id: string): Snap["natGateways"][number] => s.natGateways.find((n) => n.id === id)!;

export function dropRoute(s: Snap, table: string, destination: string): void {
  const t = rtb(s, table);
  t.routes = t.routes.filter((r) => r.destination !== destination);
}

export function setRoute(s: Snap, table: string, destination: string, target: Snap["routeTables"][number]["routes"][number]["target"]): void {
  dropRoute(s, table, destination);
  rtb(s, table).routes.push({ destination, target });
}
