// The VPC map as SVG, plus the same facts as tables (the map's text alternative). `highlight`:
// node ids to mark (a function's path, or the path Reachability found).
import type { MapNode } from "./map-layout.ts";
import { layoutVpc } from "./map-layout.ts";
import { functionsOnEni, routeTableOf } from "./map-model.ts";
import type { VpcData } from "./vpc-data.ts";

const contains = (a: MapNode, b: MapNode) => b.x >= a.x && b.y >= a.y && b.x + b.w <= a.x + a.w && b.y + b.h <= a.y + a.h;

/**
 * The edge a → b as polyline points. Side by side at about the same height (a subnet and its route
 * table): up from a's top, along a channel above both, down into b's top, so the line does not
 * cross the boxes between them; otherwise straight between facing sides.
 */
function edgePoints(a: MapNode, b: MapNode): string {
  const apart = b.x >= a.x + a.w || a.x >= b.x + b.w;
  const ax = a.x + a.w / 2;
  const bx = b.x + b.w / 2;
  if (apart && Math.abs(a.y - b.y) < 60) {
    const channel = Math.min(a.y, b.y) - 8;
    return `${ax},${a.y} ${ax},${channel} ${bx},${channel} ${bx},${b.y}`;
  }
  return b.y > a.y ? `${ax},${a.y + a.h} ${bx},${b.y}` : `${ax},${a.y} ${bx},${b.y + b.h}`;
}

/** `paths`: each a list of node ids in order (a function's way out, a reachability path), drawn as edges. */
export function VpcMapView({ data, paths, blocked, onFunction }: { data: VpcData; paths: string[][]; blocked?: string; onFunction?: (name: string) => void }) {
  const layout = layoutVpc(data);
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  const on = new Set<string>();
  const edges: [MapNode, MapNode][] = [];
  for (const path of paths) {
    // A network ACL is drawn in each of its subnets: leaving, the path's one is in the subnet it just
    // passed; entering (the next hop is a subnet), in that next subnet.
    let subnet = "";
    const nodes: MapNode[] = [];
    path.forEach((id, i) => {
      if (id.startsWith("subnet-")) subnet = id;
      const next = path[i + 1];
      const aclSubnet = next?.startsWith("subnet-") ? next : subnet;
      const n = byId.get(id) ?? byId.get(`${id}@${aclSubnet}`);
      if (n) nodes.push(n);
    });
    for (const n of nodes) on.add(n.id);
    // An ENI inside its subnet needs no line: the box already says it.
    for (let i = 1; i < nodes.length; i++) if (!contains(nodes[i - 1], nodes[i]) && !contains(nodes[i], nodes[i - 1])) edges.push([nodes[i - 1], nodes[i]]);
  }
  return (
    <svg class="vpc-map" viewBox={`0 0 ${layout.width} ${layout.height}`} width={layout.width} role="img" aria-label={`Map of ${data.vpcId}; the tables below hold the same facts`}>
      {layout.nodes.map((n) => {
        const classes = `node ${n.kind}${on.has(n.id) ? " on-path" : ""}${blocked && (n.id === blocked || n.id.startsWith(`${blocked}@`)) ? " blocked" : ""}`;
        const isFn = n.kind === "fn";
        const fnName = n.id.slice(3);
        return (
          <g
            key={n.id}
            class={classes}
            data-node={n.id}
            {...(isFn && onFunction
              ? {
                  role: "button",
                  tabindex: 0,
                  "aria-label": `Show the path of function ${fnName} to the internet`,
                  onClick: () => onFunction(fnName),
                  onKeyDown: (e: KeyboardEvent) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), onFunction(fnName)),
                }
              : {})}
          >
            <rect x={n.x} y={n.y} width={n.w} height={Math.max(n.h, 24)} rx={n.kind === "fn" || n.kind === "internet" ? 12 : 4} />
            {n.kind === "zone" ? (
              <text x={n.x + 8} y={n.y + 18} class="zone-label">
                {n.label}
              </text>
            ) : (
              <text x={n.x + 8} y={n.y + 16} class="label">
                {n.label}
              </text>
            )}
            {n.lines.map((l, i) => (
              <text key={i} x={n.x + 8} y={n.y + 31 + i * 15} class="line">
                {l}
              </text>
            ))}
          </g>
        );
      })}
      {edges.map(([a, b], i) => (
        <polyline key={i} class="path-edge" points={edgePoints(a, b)} />
      ))}
    </svg>
  );
}

/** The same facts as the map, as tables: what a screen reader reads. */
export function VpcTables({ data }: { data: VpcData }) {
  return (
    <div class="vpc-tables">
      <h2>Subnets</h2>
      <table class="grid" aria-label="Subnets">
        <thead>
          <tr>
            <th scope="col">Subnet</th>
            <th scope="col">Availability Zone</th>
            <th scope="col">IPv4 CIDR</th>
            <th scope="col">IPv6 CIDR</th>
            <th scope="col">Available IPs</th>
            <th scope="col">Route table</th>
            <th scope="col">Network ACL</th>
          </tr>
        </thead>
        <tbody>
          {data.subnets.map((s) => (
            <tr key={s.SubnetId}>
              <td>{s.SubnetId}</td>
              <td>{s.AvailabilityZone}</td>
              <td>{s.CidrBlock}</td>
              <td>{(s.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6CidrBlock).join(", ")}</td>
              <td>{s.AvailableIpAddressCount}</td>
              <td>{routeTableOf(s.SubnetId!, data.routeTables)?.RouteTableId}</td>
              <td>{data.networkAcls.find((a) => a.Associations?.some((x) => x.SubnetId === s.SubnetId))?.NetworkAclId}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Network interfaces</h2>
      <table class="grid" aria-label="Network interfaces">
        <thead>
          <tr>
            <th scope="col">Network interface</th>
            <th scope="col">Type</th>
            <th scope="col">Subnet</th>
            <th scope="col">Private IP</th>
            <th scope="col">Security groups</th>
            <th scope="col">Functions sharing it</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {data.networkInterfaces.map((n) => (
            <tr key={n.NetworkInterfaceId} data-eni={n.NetworkInterfaceId}>
              <td>{n.NetworkInterfaceId}</td>
              <td>{n.InterfaceType === "lambda" ? "lambda (Hyperplane ENI)" : n.InterfaceType}</td>
              <td>{n.SubnetId}</td>
              <td>{n.PrivateIpAddress}</td>
              <td>{(n.Groups ?? []).map((g) => g.GroupId).join(", ")}</td>
              <td>{functionsOnEni(n, data.functions).join(", ")}</td>
              <td>{n.Description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Route tables</h2>
      <table class="grid" aria-label="Routes">
        <thead>
          <tr>
            <th scope="col">Route table</th>
            <th scope="col">Destination</th>
            <th scope="col">Target</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {data.routeTables.flatMap((t) =>
            (t.Routes ?? []).map((r, i) => (
              <tr key={`${t.RouteTableId}-${i}`}>
                <td>
                  {t.RouteTableId}
                  {t.Associations?.some((a) => a.Main) ? " (main)" : ""}
                </td>
                <td>{r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId}</td>
                <td>{r.GatewayId ?? r.NatGatewayId ?? r.EgressOnlyInternetGatewayId ?? r.VpcPeeringConnectionId ?? r.TransitGatewayId ?? r.NetworkInterfaceId}</td>
                <td>{r.State}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
      <h2>Gateways and peering</h2>
      <table class="grid" aria-label="Gateways">
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Kind</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {data.internetGateways.length + data.egressOnlyGateways.length + data.natGateways.length + data.peerings.length === 0 ? (
            <tr>
              <td colSpan={3}>No internet, egress-only or NAT gateway and no peering connection: nothing leaves this VPC.</td>
            </tr>
          ) : null}
          {data.internetGateways.map((g) => (
            <tr key={g.InternetGatewayId}>
              <td>{g.InternetGatewayId}</td>
              <td>internet gateway</td>
              <td>attached</td>
            </tr>
          ))}
          {data.egressOnlyGateways.map((g) => (
            <tr key={g.EgressOnlyInternetGatewayId}>
              <td>{g.EgressOnlyInternetGatewayId}</td>
              <td>egress-only internet gateway</td>
              <td>IPv6 out only</td>
            </tr>
          ))}
          {data.natGateways.map((n) => (
            <tr key={n.NatGatewayId}>
              <td>{n.NatGatewayId}</td>
              <td>NAT gateway ({n.ConnectivityType ?? "public"})</td>
              <td>
                {n.State} in {n.SubnetId}
              </td>
            </tr>
          ))}
          {data.peerings.map((p) => (
            <tr key={p.VpcPeeringConnectionId}>
              <td>{p.VpcPeeringConnectionId}</td>
              <td>peering connection</td>
              <td>
                {p.RequesterVpcInfo?.VpcId} ↔ {p.AccepterVpcInfo?.VpcId} ({p.Status?.Code})
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Security groups</h2>
      <table class="grid" aria-label="Security groups">
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">Inbound rules</th>
            <th scope="col">Outbound rules</th>
          </tr>
        </thead>
        <tbody>
          {data.securityGroups.map((g) => (
            <tr key={g.GroupId}>
              <td>
                {g.GroupId} ({g.GroupName})
              </td>
              <td>{rules(g.IpPermissions)}</td>
              <td>{rules(g.IpPermissionsEgress)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Network ACLs</h2>
      <table class="grid" aria-label="Network ACLs">
        <thead>
          <tr>
            <th scope="col">Network ACL</th>
            <th scope="col">Direction</th>
            <th scope="col">Rule</th>
            <th scope="col">Action</th>
            <th scope="col">Protocol and ports</th>
            <th scope="col">CIDR</th>
          </tr>
        </thead>
        <tbody>
          {data.networkAcls.flatMap((a) =>
            [...(a.Entries ?? [])]
              .sort((x, y) => Number(x.Egress) - Number(y.Egress) || (x.RuleNumber ?? 0) - (y.RuleNumber ?? 0))
              .map((e, i) => (
                <tr key={`${a.NetworkAclId}-${i}`}>
                  <td>{a.NetworkAclId}</td>
                  <td>{e.Egress ? "outbound" : "inbound"}</td>
                  <td>{e.RuleNumber === 32767 ? "*" : e.RuleNumber}</td>
                  <td>{e.RuleAction}</td>
                  <td>
                    {protocolName(e.Protocol)}
                    {e.PortRange ? ` ${e.PortRange.From}-${e.PortRange.To}` : ""}
                  </td>
                  <td>{e.CidrBlock ?? e.Ipv6CidrBlock}</td>
                </tr>
              )),
          )}
        </tbody>
      </table>
    </div>
  );
}

function protocolName(p?: string): string {
  return p === "-1" ? "all" : p === "6" ? "tcp" : p === "17" ? "udp" : p === "1" ? "icmp" : (p ?? "");
}

function rules(perms?: { IpProtocol?: string; FromPort?: number; ToPort?: number; IpRanges?: { CidrIp?: string }[]; Ipv6Ranges?: { CidrIpv6?: string }[]; UserIdGroupPairs?: { GroupId?: string }[] }[]): string {
  if (!perms?.length) return "none";
  return perms
    .map((p) => {
      const proto = protocolName(p.IpProtocol);
      const ports = p.IpProtocol === "-1" ? "" : p.FromPort === p.ToPort ? ` ${p.FromPort}` : ` ${p.FromPort}-${p.ToPort}`;
      const from = [...(p.IpRanges ?? []).map((r) => r.CidrIp), ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6), ...(p.UserIdGroupPairs ?? []).map((g) => g.GroupId)].join(", ");
      return `${proto}${ports} ${from}`;
    })
    .join("; ");
}
