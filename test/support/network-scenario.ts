import * as E from "@aws-sdk/client-ec2";

/**
 * The VPCs of issue 7's scenario table, shared by the shim and kernel runs of it:
 * VPC A (default tenancy, dual-stack) with public, db, private, igw-only and dual-stack subnets,
 * an internet gateway, an egress-only gateway, the function and database groups and the database's
 * interface at 10.0.1.25; VPC D (dedicated tenancy) with a server at 10.2.1.10, peered with A but
 * with no peering routes yet (row 8 adds them). Returns every id by name.
 */
export async function buildScenarioNetwork(ec2: E.EC2Client): Promise<Record<string, string>> {
  const net: Record<string, string> = {};
  // VPC A (default tenancy, dual-stack): public, db, private, igw-only and dual-stack subnets.
  const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16", AmazonProvidedIpv6CidrBlock: true }))).Vpc!.VpcId!;
  const v56 = (await ec2.send(new E.DescribeVpcsCommand({ VpcIds: [vpc] }))).Vpcs![0].Ipv6CidrBlockAssociationSet![0].Ipv6CidrBlock!;
  const subnet = async (vpcId: string, cidr: string, v6?: string) =>
    (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, ...(v6 ? { Ipv6CidrBlock: v6 } : {}) }))).Subnet!.SubnetId!;
  const table = async (vpcId: string, subnets: string[]) => {
    const id = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    for (const s of subnets) await ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: id, SubnetId: s }));
    return id;
  };
  const group = async (vpcId: string, name: string) => (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: name, Description: name }))).GroupId!;
  net.vpc = vpc;
  net.public = await subnet(vpc, "10.0.0.0/24");
  net.db = await subnet(vpc, "10.0.1.0/24");
  net.private = await subnet(vpc, "10.0.3.0/24");
  net.igwSubnet = await subnet(vpc, "10.0.4.0/24");
  net.dual = await subnet(vpc, "10.0.5.0/24", sub64(v56, 5));
  net.igw = (await ec2.send(new E.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: net.igw, VpcId: vpc }));
  net.eigw = (await ec2.send(new E.CreateEgressOnlyInternetGatewayCommand({ VpcId: vpc }))).EgressOnlyInternetGateway!.EgressOnlyInternetGatewayId!;
  net.publicRt = await table(vpc, [net.public]);
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: net.publicRt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: net.igw }));
  net.privateRt = await table(vpc, [net.private]);
  net.igwRt = await table(vpc, [net.igwSubnet]);
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: net.igwRt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: net.igw }));
  net.dualRt = await table(vpc, [net.dual]);
  net.fnSg = await group(vpc, "fn");
  net.dbSg = await group(vpc, "db");
  await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: net.dbSg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: net.fnSg }] }] }));
  net.dbEni = (await ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: net.db, PrivateIpAddress: "10.0.1.25", Groups: [net.dbSg] }))).NetworkInterface!.NetworkInterfaceId!;

  // VPC D (dedicated tenancy), peered with A; no peering routes yet (row 8 adds them).
  net.dVpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.2.0.0/16", InstanceTenancy: "dedicated" }))).Vpc!.VpcId!;
  net.dSubnet = await subnet(net.dVpc, "10.2.1.0/24");
  net.dRt = await table(net.dVpc, [net.dSubnet]);
  net.dSg = await group(net.dVpc, "dedicated-server");
  await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: net.dSg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 7000, ToPort: 7000, IpRanges: [{ CidrIp: "10.0.3.0/24" }] }] }));
  net.dEni = (await ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: net.dSubnet, PrivateIpAddress: "10.2.1.10", Groups: [net.dSg] }))).NetworkInterface!.NetworkInterfaceId!;
  net.pcx = (await ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: vpc, PeerVpcId: net.dVpc }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
  await ec2.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: net.pcx }));
  return net;
}

/** The i-th /64 of a /56, e.g. 2600:1f18:a:b00::/56, 5 → 2600:1f18:a:b05::/64. */
export function sub64(v56: string, i: number): string {
  const g = v56.split("/")[0].split("::")[0].split(":");
  while (g.length < 4) g.push("0");
  g[3] = (parseInt(g[3], 16) + i).toString(16);
  return `${g.slice(0, 4).join(":")}::/64`;
}
