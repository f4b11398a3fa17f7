// The topology of the peering delivery tests (test/e2e/network-peering-delivery*.test.ts): a VPC
// function in account A, us-east-1, and two peers it connects to through real local servers:
// - VPC W of account A in eu-west-1 (cross-Region peering), a server interface at 10.1.1.20 whose
//   group admits tcp/5432 from 10.0.0.0/16, and an address-only endpoint at 10.1.1.30:7000;
// - VPC B of account B (222222222222) in us-east-1 (cross-account peering), a server interface at
//   10.2.1.40 whose group admits tcp/5432 from the function's group, named as `A/sg-...`.
// Both peerings are accepted (the cross-account one by account B, through /usr/bin/aws when it is
// installed) and A routes to both; neither peer routes back yet (the tests add that).
// Network safety: the servers listen on 127.0.0.1; VPC addresses exist only in hyperlocal's model
// and the namespaces of the test's own loopback-only namespace.
import assert from "node:assert/strict";
import type { Server } from "node:net";
import * as E from "@aws-sdk/client-ec2";
import { AttachRolePolicyCommand, CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, GetFunctionConfigurationCommand, type CreateFunctionCommandInput } from "@aws-sdk/client-lambda";
import { aws, hasAwsCli } from "./aws-cli.ts";
import { clients, type Creds } from "./clients.ts";
import { listen, pongServer, scenarioCalls } from "./network-scenario.ts";
import { advanceClock, LAMBDA_TRUST, nodeZip, pythonZip } from "./zip-functions.ts";

export const PEER_REGION = "eu-west-1";
export const ACCOUNT_B = "222222222222";
/** Account B's root: a 12-digit access key id signed with the server's secret (--account-keys). */
export const B_CREDS: Creds = { accessKeyId: ACCOUNT_B, secretAccessKey: "test" };

/** The functions' code: {host, port, message, timeoutMs?} → {ok, data} (Node.js: and its network namespace) or {ok:false, error, message}; HANDLER_TIMEOUT: no answer within timeoutMs. */
const NODE_PROBE = `
const net = require("node:net");
exports.handler = async (ev) => {
  try {
    const data = await new Promise((resolve, reject) => {
      const s = net.connect({ host: ev.host, port: ev.port });
      let got = "";
      s.setTimeout(ev.timeoutMs ?? 5000, () => s.destroy(Object.assign(new Error("no answer"), { code: "HANDLER_TIMEOUT" })));
      s.on("connect", () => s.write(ev.message ?? "ping"));
      s.on("data", (d) => (got += d));
      s.on("end", () => resolve(got));
      s.on("error", reject);
    });
    return { ok: true, data, netns: require("node:fs").readlinkSync("/proc/self/ns/net") };
  } catch (e) {
    return { ok: false, error: e.code ?? e.name, message: String(e.message) };
  }
};
`;

const PY_PROBE = `
import errno, socket

def handler(event, context):
    try:
        with socket.create_connection((event["host"], event["port"]), timeout=event.get("timeoutMs", 5000) / 1000) as s:
            s.sendall(event.get("message", "ping").encode())
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        return {"ok": True, "data": data.decode()}
    except OSError as e:
        return {"ok": False, "error": errno.errorcode.get(e.errno, type(e).__name__) if e.errno else type(e).__name__, "message": str(e)}
`;

export const PEERING_PROBES = { node: NODE_PROBE, python: PY_PROBE };

export interface PeeringWorld {
  a: ReturnType<typeof clients>;
  west: E.EC2Client;
  b: E.EC2Client;
  servers: Server[];
  /** What each server received. */
  westSeen: string[];
  bSeen: string[];
  ids: Record<string, string>;
  /** The peer side's route back to 10.0.0.0/16 through its peering. */
  routeBack(side: "west" | "b"): Promise<void>;
  close(): void;
}

async function vpcWithServer(ec2: E.EC2Client, cidr: string, subnetCidr: string) {
  const vpcId = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
  const subnetId = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: subnetCidr }))).Subnet!.SubnetId!;
  const rtb = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  await ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: subnetId }));
  const sg = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "server", Description: "server" }))).GroupId!;
  return { vpcId, subnetId, rtb, sg };
}

/** Node.js and Python probes: {host, port, message} → {ok, data} or {ok:false, error}. */
export async function buildPeeringWorld(url: string, accountA: string, probes: { node: string; python: string }): Promise<PeeringWorld> {
  const a = clients(url);
  const west = clients(url, undefined, PEER_REGION).ec2;
  const b = clients(url, B_CREDS).ec2;
  const { admin } = scenarioCalls(() => url, () => a.lambda);
  const westSeen: string[] = [];
  const bSeen: string[] = [];
  const servers = [pongServer("west", westSeen), pongServer("b", bSeen)];
  const [westPort, bPort] = [await listen(servers[0]), await listen(servers[1])];
  const ids: Record<string, string> = {};

  // Account A, us-east-1: the function's VPC.
  const fn = await vpcWithServer(a.ec2, "10.0.0.0/16", "10.0.3.0/24");
  Object.assign(ids, { vpc: fn.vpcId, fnSubnet: fn.subnetId, fnRtb: fn.rtb, fnSg: fn.sg });

  // Account A, eu-west-1: the cross-Region peer.
  const w = await vpcWithServer(west, "10.1.0.0/16", "10.1.1.0/24");
  await west.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: w.sg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: "10.0.0.0/16" }] }] }));
  ids.westEni = (await west.send(new E.CreateNetworkInterfaceCommand({ SubnetId: w.subnetId, PrivateIpAddress: "10.1.1.20", Groups: [w.sg] }))).NetworkInterface!.NetworkInterfaceId!;
  Object.assign(ids, { westVpc: w.vpcId, westRtb: w.rtb, westSg: w.sg });
  for (const body of [
    { region: PEER_REGION, networkInterfaceId: ids.westEni, port: 5432, target: `127.0.0.1:${westPort}` },
    { region: PEER_REGION, ip: "10.1.1.30", port: 7000, target: `127.0.0.1:${westPort}` },
  ]) {
    const r = await admin("POST", "endpoints", body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  ids.pcxWest = (await a.ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: fn.vpcId, PeerVpcId: w.vpcId, PeerRegion: PEER_REGION }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
  await west.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: ids.pcxWest }));
  await a.ec2.send(new E.CreateRouteCommand({ RouteTableId: fn.rtb, DestinationCidrBlock: "10.1.0.0/16", VpcPeeringConnectionId: ids.pcxWest }));

  // Account B, us-east-1: the cross-account peer.
  const bv = await vpcWithServer(b, "10.2.0.0/16", "10.2.1.0/24");
  ids.bEni = (await b.send(new E.CreateNetworkInterfaceCommand({ SubnetId: bv.subnetId, PrivateIpAddress: "10.2.1.40", Groups: [bv.sg] }))).NetworkInterface!.NetworkInterfaceId!;
  Object.assign(ids, { bVpc: bv.vpcId, bRtb: bv.rtb, bSg: bv.sg });
  const ep = await admin("POST", "endpoints", { account: ACCOUNT_B, networkInterfaceId: ids.bEni, port: 5432, target: `127.0.0.1:${bPort}` });
  assert.equal(ep.status, 201, JSON.stringify(ep.body));
  const pcx = (await a.ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: fn.vpcId, PeerVpcId: bv.vpcId, PeerOwnerId: ACCOUNT_B }))).VpcPeeringConnection!;
  ids.pcxB = pcx.VpcPeeringConnectionId!;
  if (hasAwsCli()) {
    const r = await aws(url, ["ec2", "accept-vpc-peering-connection", "--vpc-peering-connection-id", ids.pcxB], B_CREDS);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.VpcPeeringConnection.AccepterVpcInfo.OwnerId, ACCOUNT_B);
  } else {
    await b.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: ids.pcxB }));
  }
  await a.ec2.send(new E.CreateRouteCommand({ RouteTableId: fn.rtb, DestinationCidrBlock: "10.2.0.0/16", VpcPeeringConnectionId: ids.pcxB }));
  // B's group admits the function's group of account A (same Region: `A/sg-...`).
  await b.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: bv.sg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ UserId: accountA, GroupId: fn.sg }] }] }));

  // The functions, in A's subnet.
  const role = (await a.iam.send(new CreateRoleCommand({ RoleName: "peering-exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
  await a.iam.send(new AttachRolePolicyCommand({ RoleName: "peering-exec", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" }));
  const vpcCfg = { VpcConfig: { SubnetIds: [fn.subnetId], SecurityGroupIds: [fn.sg] } };
  const fns: Record<string, Partial<CreateFunctionCommandInput>> = {
    "node-vpc": { Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: nodeZip(probes.node) }, ...vpcCfg },
    "py-vpc": { Runtime: "python3.12", Handler: "app.handler", Code: { ZipFile: pythonZip(probes.python) }, ...vpcCfg },
  };
  await Promise.all(Object.entries(fns).map(([name, cfg]) => a.lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: role, Timeout: 15, ...cfg } as CreateFunctionCommandInput))));
  await advanceClock(url, 3);
  for (const name of Object.keys(fns)) assert.equal((await a.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).State, "Active", name);

  return {
    a,
    west,
    b,
    servers,
    westSeen,
    bSeen,
    ids,
    async routeBack(side) {
      const [ec2, rtb, pcxId] = side === "west" ? [west, ids.westRtb, ids.pcxWest] : [b, ids.bRtb, ids.pcxB];
      await ec2.send(new E.CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "10.0.0.0/16", VpcPeeringConnectionId: pcxId }));
    },
    close() {
      for (const s of servers) s.close();
      for (const c of [a.ec2, a.iam, a.lambda, a.sts, west, b]) c.destroy();
    },
  };
}
