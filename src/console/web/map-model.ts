// What the VPC map derives from EC2 and Lambda state, kept pure (unit-tested beside it): which
// functions share each Hyperplane ENI, each subnet's route table, and a function's way to the
// internet or the place it stops.
import type { NetworkInterface, RouteTable, Subnet } from "@aws-sdk/client-ec2";
import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import type { VpcData } from "./vpc-data.ts";

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/** Hyperplane ENIs are shared per (subnet, security-group set): every function with that combination uses it. */
export function functionsOnEni(eni: NetworkInterface, functions: FunctionConfiguration[]): string[] {
  if (eni.InterfaceType !== "lambda") return [];
  const groups = (eni.Groups ?? []).map((g) => g.GroupId!);
  return functions
    .filter((f) => (f.VpcConfig?.SubnetIds ?? []).includes(eni.SubnetId!) && sameSet(f.VpcConfig?.SecurityGroupIds ?? [], groups))
    .map((f) => f.FunctionName!)
    .sort();
}

/** The route table a subnet uses: its explicit association, else the VPC's main table. */
export function routeTableOf(subnetId: string, tables: RouteTable[]): RouteTable | undefined {
  return tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId)) ?? tables.find((t) => t.Associations?.some((a) => a.Main));
}

export interface InternetPath {
  subnetId: string;
  /** Node ids in order: function, ENI, subnet, route table, then gateways; "internet" when it gets there. */
  ids: string[];
  reaches: boolean;
  text: string;
}

function defaultRoute(t: RouteTable | undefined) {
  return t?.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0" && r.State !== "blackhole");
}

/** Per subnet of the function: the path its IPv4 traffic to the internet takes, or where it stops. */
export function internetPaths(fn: FunctionConfiguration, data: VpcData): InternetPath[] {
  const name = fn.FunctionName!;
  const subnets = fn.VpcConfig?.SubnetIds ?? [];
  return subnets.map((subnetId) => {
    const eni = data.networkInterfaces.find((n) => n.InterfaceType === "lambda" && functionsOnEni(n, [fn]).length > 0 && n.SubnetId === subnetId);
    const ids = [`fn:${name}`, ...(eni ? [eni.NetworkInterfaceId!] : []), subnetId];
    const stop = (text: string): InternetPath => ({ subnetId, ids, reaches: false, text });
    if (!eni) return stop(`No Hyperplane ENI in ${subnetId} yet: the function is not Active there.`);
    const rt = routeTableOf(subnetId, data.routeTables);
    if (!rt) return stop(`Subnet ${subnetId} has no route table.`);
    ids.push(rt.RouteTableId!);
    const route = defaultRoute(rt);
    if (!route) return stop(`Stops at ${rt.RouteTableId}: no route for 0.0.0.0/0, so no internet. Add a route to a NAT gateway.`);
    if (route.GatewayId?.startsWith("igw-")) {
      ids.push(route.GatewayId);
      return stop(
        `Stops at ${route.GatewayId}: ${rt.RouteTableId} sends 0.0.0.0/0 to the internet gateway, but a Lambda network interface has no public IP address, so the internet gateway drops its traffic. Route 0.0.0.0/0 to a NAT gateway in a public subnet instead.`,
      );
    }
    if (route.NatGatewayId) {
      const nat = data.natGateways.find((n) => n.NatGatewayId === route.NatGatewayId);
      ids.push(route.NatGatewayId);
      if (!nat) return stop(`Stops at ${route.NatGatewayId}: the NAT gateway does not exist.`);
      if (nat.State !== "available") return stop(`Stops at ${nat.NatGatewayId}: it is ${nat.State}, not available.`);
      if (nat.ConnectivityType === "private") return stop(`Stops at ${nat.NatGatewayId}: a private NAT gateway does not reach the internet.`);
      const natRt = routeTableOf(nat.SubnetId!, data.routeTables);
      ids.push(nat.SubnetId!);
      if (natRt) ids.push(natRt.RouteTableId!);
      const out = defaultRoute(natRt);
      if (!out?.GatewayId?.startsWith("igw-")) return stop(`Stops after ${nat.NatGatewayId}: its subnet ${nat.SubnetId} has no route for 0.0.0.0/0 to an internet gateway.`);
      ids.push(out.GatewayId, "internet");
      return { subnetId, ids, reaches: true, text: `Reaches the internet: ${subnetId} → ${rt.RouteTableId} → ${nat.NatGatewayId} → ${out.GatewayId}.` };
    }
    const target = route.VpcPeeringConnectionId ?? route.TransitGatewayId ?? route.NetworkInterfaceId ?? route.GatewayId ?? "another target";
    ids.push(target);
    return stop(`Stops at ${target}: ${rt.RouteTableId} sends 0.0.0.0/0 there, which does not lead to the internet on this map.`);
  });
}

export function subnetName(s: Subnet): string {
  return s.Tags?.find((t) => t.Key === "Name")?.Value ?? "";
}
