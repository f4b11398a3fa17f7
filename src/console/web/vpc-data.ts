// Everything the VPC map shows about one VPC, loaded with the signed-in principal's keys. Each
// collection loads on its own: a denied Describe call shows AWS's denial for that part only.
import * as E from "@aws-sdk/client-ec2";
import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import type { Clients } from "./session.ts";
import { listAllFunctions } from "./pages/functions-list.tsx";

export interface VpcData {
  vpcId: string;
  vpc?: E.Vpc;
  subnets: E.Subnet[];
  routeTables: E.RouteTable[];
  internetGateways: E.InternetGateway[];
  egressOnlyGateways: E.EgressOnlyInternetGateway[];
  natGateways: E.NatGateway[];
  peerings: E.VpcPeeringConnection[];
  networkAcls: E.NetworkAcl[];
  securityGroups: E.SecurityGroup[];
  networkInterfaces: E.NetworkInterface[];
  functions: FunctionConfiguration[];
  /** Collection name → AWS's error for it. */
  errors: Record<string, unknown>;
}

export async function loadVpcData(clients: Clients, vpcId: string): Promise<VpcData> {
  const ec2 = clients.ec2;
  const byVpc = [{ Name: "vpc-id", Values: [vpcId] }];
  const jobs = {
    vpc: ec2.send(new E.DescribeVpcsCommand({ VpcIds: [vpcId] })).then((r) => r.Vpcs?.[0]),
    subnets: ec2.send(new E.DescribeSubnetsCommand({ Filters: byVpc })).then((r) => r.Subnets ?? []),
    routeTables: ec2.send(new E.DescribeRouteTablesCommand({ Filters: byVpc })).then((r) => r.RouteTables ?? []),
    internetGateways: ec2.send(new E.DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [vpcId] }] })).then((r) => r.InternetGateways ?? []),
    egressOnlyGateways: ec2.send(new E.DescribeEgressOnlyInternetGatewaysCommand({})).then((r) => (r.EgressOnlyInternetGateways ?? []).filter((g) => g.Attachments?.some((a) => a.VpcId === vpcId))),
    natGateways: ec2.send(new E.DescribeNatGatewaysCommand({ Filter: byVpc })).then((r) => (r.NatGateways ?? []).filter((n) => n.State !== "deleted")),
    peerings: ec2.send(new E.DescribeVpcPeeringConnectionsCommand({})).then((r) =>
      (r.VpcPeeringConnections ?? []).filter((p) => p.Status?.Code !== "deleted" && (p.RequesterVpcInfo?.VpcId === vpcId || p.AccepterVpcInfo?.VpcId === vpcId)),
    ),
    networkAcls: ec2.send(new E.DescribeNetworkAclsCommand({ Filters: byVpc })).then((r) => r.NetworkAcls ?? []),
    securityGroups: ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: byVpc })).then((r) => r.SecurityGroups ?? []),
    networkInterfaces: ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: byVpc })).then((r) => r.NetworkInterfaces ?? []),
    functions: listAllFunctions(clients).then((fns) => fns.filter((f) => f.VpcConfig?.VpcId === vpcId)),
  };
  const names = Object.keys(jobs) as (keyof typeof jobs)[];
  const settled = await Promise.allSettled(names.map((n) => jobs[n]));
  const data: Record<string, unknown> = { vpcId, errors: {} };
  const errors: Record<string, unknown> = {};
  settled.forEach((s, i) => {
    const name = names[i];
    if (s.status === "fulfilled") data[name] = s.value;
    else {
      errors[name] = s.reason;
      data[name] = name === "vpc" ? undefined : [];
    }
  });
  data.errors = errors;
  return data as unknown as VpcData;
}
