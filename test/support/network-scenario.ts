import assert from "node:assert/strict";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server as NetServer } from "node:net";
import * as E from "@aws-sdk/client-ec2";
import { AttachRolePolicyCommand, CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, type CreateFunctionCommandInput, type LambdaClient } from "@aws-sdk/client-lambda";
import type { clients } from "./clients.ts";
import { advanceClock, LAMBDA_TRUST, nodeZip, pythonZip } from "./zip-functions.ts";

type Clients = ReturnType<typeof clients>;

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

/** What a scenario probe function returns (Node.js and Python handlers of the scenario tests). */
export interface FunctionOutcome {
  ok: boolean;
  data?: string;
  status?: number;
  error?: string;
  message?: string;
  /** A random id per execution environment (module load). */
  env: string;
  ms?: number;
  /** NODE_OPTIONS as the function saw it (no shim preload in kernel mode). */
  preload?: string;
  /** /proc/self/ns/net of the function. */
  netns?: string;
  /** /etc/resolv.conf as the function saw it. */
  resolv?: string;
}

/** GET /_hyperlocal/reachability's answer. */
export interface ModelAnswer {
  verdict: "allow" | "drop" | "unreachable";
  action: "connect" | "drop" | "unreachable" | "refuse" | "notfound";
  reasons: { code: string; message: string; component?: { kind: string; id: string } }[];
  connectTo?: string;
  actionReason?: string;
  answer: string;
  path: { kind: string; id: string }[];
}

/** Listen on a random port of `host`; resolves the port. */
export async function listen<T extends NetServer | HttpServer>(server: T, host = "127.0.0.1"): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as { port: number }).port;
}

/** A TCP server that answers `<tag>:<what it saw>` and closes. */
export function pongServer(tag: string, seen: string[]): NetServer {
  return createServer((s) => {
    s.on("error", () => {});
    s.once("data", (d) => {
      seen.push(String(d));
      s.end(`${tag}:${d}`);
    });
  });
}

/** The admin API, the reachability model and Invoke, as the scenario tests call them. */
export function scenarioCalls(url: () => string, lambda: () => LambdaClient) {
  const admin = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${url()}/_hyperlocal/${path}`, { method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, body: (await r.json()) as any };
  };
  const reach = async (fn: string, to: string): Promise<ModelAnswer> => {
    const r = await admin("GET", `reachability?function=${encodeURIComponent(fn)}&to=${encodeURIComponent(to)}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as ModelAnswer;
  };
  const invoke = async (fn: string, event: unknown): Promise<FunctionOutcome> => {
    const r = await lambda().send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify(event)) }));
    const text = Buffer.from(r.Payload ?? []).toString("utf8");
    assert.equal(r.FunctionError, undefined, `${fn}: ${text}`);
    return JSON.parse(text) as FunctionOutcome;
  };
  return { admin, reach, invoke };
}

/** The internet host with an IPv6 address in the table (row 7). */
export const V6_INTERNET = "2001:db8:ffff::10";

export interface ScenarioWorld {
  /** Ids of the topology, by name (buildScenarioNetwork's, plus lambdaEni: the private subnet's Hyperplane ENI). */
  net: Record<string, string>;
  /** Every local server, to close in after(). */
  servers: (NetServer | HttpServer)[];
  /** What the database, the dedicated VPC's server and the IPv6 host received. */
  dbSeen: string[];
  dedicatedSeen: string[];
  v6Seen: string[];
  dbPort: number;
  httpPort: number;
  /** Where the IPv6 internet host is served: [::1]:port, or 127.0.0.1:port without IPv6 loopback. */
  v6Target: string;
  /** The public address hyperlocal gave api.example.com. */
  apiAddress: string;
}

/**
 * Everything the scenario table stands on, for the shim and the kernel runs alike: local servers
 * (loopback only), the VPCs, the database placed at 10.0.1.25 (5432; 22 so that only the group
 * decides row 2; 6543 and 6544 for row 9), the dedicated VPC's server at 10.2.1.10:7000,
 * api.example.com and the IPv6 host on the internet, and the functions (one per network source,
 * from the given probe code), all Active after one move of the clock.
 */
export async function prepareScenario(url: string, c: Clients, probes: { node: string; python: string }): Promise<ScenarioWorld> {
  const { admin } = scenarioCalls(() => url, () => c.lambda);
  const w: ScenarioWorld = { net: {}, servers: [], dbSeen: [], dedicatedSeen: [], v6Seen: [], dbPort: 0, httpPort: 0, v6Target: "", apiAddress: "" };
  const db = pongServer("pong", w.dbSeen);
  const dedicated = pongServer("dedicated pong", w.dedicatedSeen);
  const http = createHttpServer((req, res) => res.end(`hello from the api.example.com stand-in (${req.method} ${req.url}, Host ${req.headers.host})`));
  const v6Server = pongServer("pong6", w.v6Seen);
  w.servers.push(db, dedicated, http, v6Server);
  w.dbPort = await listen(db);
  const dedicatedPort = await listen(dedicated);
  w.httpPort = await listen(http);
  try {
    w.v6Target = `[::1]:${await listen(v6Server, "::1")}`;
  } catch {
    w.v6Target = `127.0.0.1:${await listen(v6Server)}`; // no IPv6 loopback in this namespace
  }

  const net = (w.net = await buildScenarioNetwork(c.ec2));
  for (const port of [5432, 22, 6543, 6544]) {
    const r = await admin("POST", "endpoints", { networkInterfaceId: net.dbEni, port, target: `127.0.0.1:${w.dbPort}` });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.placement.networkInterfaceId, net.dbEni);
  }
  assert.equal((await admin("POST", "endpoints", { networkInterfaceId: net.dEni, port: 7000, target: `127.0.0.1:${dedicatedPort}` })).status, 201);
  const api = await admin("POST", "internet", { name: "api.example.com", port: 80, target: `127.0.0.1:${w.httpPort}` });
  assert.equal(api.status, 201, JSON.stringify(api.body));
  w.apiAddress = api.body.address;
  const v6 = await admin("POST", "internet", { address: V6_INTERNET, port: 8000, target: w.v6Target });
  assert.equal(v6.status, 201, `the internet mapping should take an IPv6 address: ${JSON.stringify(v6.body)}`);

  const role = (await c.iam.send(new CreateRoleCommand({ RoleName: "scenario-exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
  await c.iam.send(new AttachRolePolicyCommand({ RoleName: "scenario-exec", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" }));
  const node = { Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: nodeZip(probes.node) } } as const;
  const py = { Runtime: "python3.12", Handler: "app.handler", Code: { ZipFile: pythonZip(probes.python) } } as const;
  const vpcCfg = (subnetId: string, v6on = false) => ({ VpcConfig: { SubnetIds: [subnetId], SecurityGroupIds: [net.fnSg], Ipv6AllowedForDualStack: v6on } });
  const fns: Record<string, Partial<CreateFunctionCommandInput>> = {
    "node-private": { ...node, ...vpcCfg(net.private) },
    "py-private": { ...py, ...vpcCfg(net.private) },
    "node-warm": { ...node, ...vpcCfg(net.private) },
    "node-igw": { ...node, ...vpcCfg(net.igwSubnet) },
    "node-novpc": { ...node },
    "py-v6-off": { ...py, ...vpcCfg(net.dual, false) },
    "py-v6-on": { ...py, ...vpcCfg(net.dual, true) },
  };
  await Promise.all(Object.entries(fns).map(([name, cfg]) => c.lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: role, Timeout: 15, ...cfg } as CreateFunctionCommandInput))));
  await advanceClock(url, 3);
  for (const name of Object.keys(fns)) assert.equal((await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).State, "Active", name);
  const enis = (await c.ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["lambda"] }, { Name: "subnet-id", Values: [net.private] }] }))).NetworkInterfaces!;
  assert.equal(enis.length, 1, "the three private-subnet functions share one Hyperplane ENI");
  net.lambdaEni = enis[0].NetworkInterfaceId!;
  return w;
}
