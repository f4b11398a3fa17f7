// A small layered layout for the VPC map, no library: the internet and the VPC's gateways on top,
// one column per Availability Zone with its subnets stacked (each subnet lists its network ACL,
// network interfaces and NAT gateways), route tables in a column on the right, security groups
// and the VPC's functions in rows below.
import { functionsOnEni, routeTableOf, subnetName } from "./map-model.ts";
import type { VpcData } from "./vpc-data.ts";

export type NodeKind = "internet" | "igw" | "eigw" | "pcx" | "zone" | "subnet" | "acl" | "eni" | "nat" | "rtb" | "sg" | "fn";

export interface MapNode {
  id: string;
  kind: NodeKind;
  x: number;
  y: number;
  w: number;
  h: number;
  label: string;
  /** Extra lines under the label (routes, free addresses, functions sharing an ENI). */
  lines: string[];
}

export interface MapLayout {
  nodes: MapNode[];
  width: number;
  height: number;
}

const COL_W = 340;
const GAP = 20;
const LINE = 15;
const ROW_H = 40;

export function layoutVpc(data: VpcData): MapLayout {
  const nodes: MapNode[] = [];
  const add = (n: MapNode) => (nodes.push(n), n);

  // Row 1: the internet, then every gateway at the VPC's edge.
  const top = [
    { id: "internet", kind: "internet" as const, label: "Internet", lines: [] as string[] },
    ...data.internetGateways.map((g) => ({ id: g.InternetGatewayId!, kind: "igw" as const, label: g.InternetGatewayId!, lines: ["internet gateway"] })),
    ...data.egressOnlyGateways.map((g) => ({ id: g.EgressOnlyInternetGatewayId!, kind: "eigw" as const, label: g.EgressOnlyInternetGatewayId!, lines: ["egress-only internet gateway"] })),
    ...data.peerings.map((p) => {
      const other = p.RequesterVpcInfo?.VpcId === data.vpcId ? p.AccepterVpcInfo : p.RequesterVpcInfo;
      return { id: p.VpcPeeringConnectionId!, kind: "pcx" as const, label: p.VpcPeeringConnectionId!, lines: [`peering with ${other?.VpcId} (${other?.CidrBlock ?? ""})`, p.Status?.Code ?? ""] };
    }),
  ];
  top.forEach((t, i) => add({ ...t, x: GAP + i * (220 + GAP), y: GAP, w: 220, h: ROW_H + LINE * t.lines.length - LINE }));
  let y = GAP + ROW_H + LINE * Math.max(0, ...top.map((t) => t.lines.length - 1)) + GAP * 2;

  // Zones as columns, subnets stacked in each.
  const zones = [...new Set(data.subnets.map((s) => s.AvailabilityZone!))].sort();
  let bottom = y;
  zones.forEach((zone, zi) => {
    const x = GAP + zi * (COL_W + GAP);
    let cy = y + 30;
    const zoneNode = add({ id: `zone:${zone}`, kind: "zone", x, y, w: COL_W, h: 0, label: zone, lines: [] });
    for (const s of data.subnets.filter((s) => s.AvailabilityZone === zone).sort((a, b) => (a.CidrBlock ?? "").localeCompare(b.CidrBlock ?? ""))) {
      const rt = routeTableOf(s.SubnetId!, data.routeTables);
      const acl = data.networkAcls.find((a) => a.Associations?.some((x) => x.SubnetId === s.SubnetId));
      const ipv6 = (s.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6CidrBlock).filter(Boolean);
      const head = [`${s.CidrBlock ?? "no IPv4"}${ipv6.length ? ` · ${ipv6.join(", ")}` : ""}`, `${s.AvailableIpAddressCount} IP addresses available · ${rt?.RouteTableId ?? "no route table"}`];
      const inner: MapNode[] = [];
      let iy = cy + 22 + head.length * LINE + 8;
      const child = (n: Omit<MapNode, "x" | "y" | "w" | "h">) => {
        const h = 22 + n.lines.length * LINE;
        const c: MapNode = { ...n, x: x + 10, y: iy, w: COL_W - 20, h };
        iy += h + 6;
        inner.push(c);
      };
      // One ACL serves many subnets: each subnet's box shows it, as "<acl>@<subnet>".
      if (acl) child({ id: `${acl.NetworkAclId}@${s.SubnetId}`, kind: "acl", label: acl.NetworkAclId!, lines: ["network ACL"] });
      for (const nat of data.natGateways.filter((n) => n.SubnetId === s.SubnetId)) {
        const ips = (nat.NatGatewayAddresses ?? []).map((a) => [a.PrivateIp, a.PublicIp].filter(Boolean).join(" / "));
        child({ id: nat.NatGatewayId!, kind: "nat", label: `${nat.NatGatewayId} (NAT gateway)`, lines: [`${nat.ConnectivityType ?? "public"} · ${nat.State} · ${ips.join(", ")}`] });
      }
      for (const eni of data.networkInterfaces.filter((n) => n.SubnetId === s.SubnetId && n.InterfaceType !== "natGateway")) {
        const fns = functionsOnEni(eni, data.functions);
        const kind = eni.InterfaceType === "lambda" ? "Hyperplane ENI" : (eni.InterfaceType ?? "interface");
        child({
          id: eni.NetworkInterfaceId!,
          kind: "eni",
          label: `${eni.NetworkInterfaceId} (${kind})`,
          lines: [`${eni.PrivateIpAddress ?? ""} · ${(eni.Groups ?? []).map((g) => g.GroupId).join(", ")}`, ...(fns.length ? [`shared by: ${fns.join(", ")}`] : [])],
        });
      }
      const h = iy - cy + 4;
      add({ id: s.SubnetId!, kind: "subnet", x, y: cy, w: COL_W, h, label: `${s.SubnetId}${subnetName(s) ? ` (${subnetName(s)})` : ""}`, lines: head });
      nodes.push(...inner);
      cy += h + GAP;
    }
    zoneNode.h = cy - y;
    bottom = Math.max(bottom, cy);
  });

  // Route tables on the right.
  const rx = GAP + Math.max(zones.length, 1) * (COL_W + GAP);
  let ry = y;
  for (const t of data.routeTables) {
    const main = t.Associations?.some((a) => a.Main);
    const routes = (t.Routes ?? []).map((r) => {
      const dst = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? "?";
      const target = r.GatewayId ?? r.NatGatewayId ?? r.EgressOnlyInternetGatewayId ?? r.VpcPeeringConnectionId ?? r.TransitGatewayId ?? r.NetworkInterfaceId ?? "?";
      return `${dst} → ${target}${r.State === "blackhole" ? " (blackhole)" : ""}`;
    });
    const n = add({ id: t.RouteTableId!, kind: "rtb", x: rx, y: ry, w: 280, h: 26 + LINE * routes.length, label: `${t.RouteTableId}${main ? " (main)" : ""}`, lines: routes });
    ry += n.h + GAP;
  }
  bottom = Math.max(bottom, ry);

  // Security groups, then functions, in rows below.
  let sy = bottom + GAP;
  const row = (items: Omit<MapNode, "x" | "y" | "w" | "h">[], w: number) => {
    const perRow = Math.max(1, Math.floor((rx + 280) / (w + GAP)));
    items.forEach((it, i) => add({ ...it, x: GAP + (i % perRow) * (w + GAP), y: sy + Math.floor(i / perRow) * (ROW_H + GAP), w, h: ROW_H }));
    if (items.length) sy += Math.ceil(items.length / perRow) * (ROW_H + GAP);
  };
  row(data.securityGroups.map((g) => ({ id: g.GroupId!, kind: "sg" as const, label: `${g.GroupId} (${g.GroupName})`, lines: [] })), 260);
  row(data.functions.map((f) => ({ id: `fn:${f.FunctionName}`, kind: "fn" as const, label: `λ ${f.FunctionName}`, lines: [] })), 200);

  return { nodes, width: rx + 280 + GAP, height: sy + GAP };
}
