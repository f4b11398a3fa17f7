// Set-up and assertion helpers shared by the EC2 end-to-end tests (test/e2e/ec2-*.test.ts).
import assert from "node:assert/strict";
import * as E from "@aws-sdk/client-ec2";
import type { EC2Client, Subnet, Vpc } from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import type { Config } from "../../src/config.ts";
import { clients, rejects, type SdkError } from "./clients.ts";
import { startTestServer } from "./server.ts";

/** An in-process test server (see startTestServer) and an EC2 client on it, as the root user in us-east-1. */
export async function startEc2Server(overrides: Partial<Config> = {}): Promise<{ app: App; ec2: EC2Client }> {
  const app = await startTestServer(overrides);
  return { app, ec2: clients(app.url).ec2 };
}

/**
 * Await a call that must fail with AWS error `code` and HTTP `status` (400 unless told); `message`,
 * when given, must equal the error's message (a string) or match it (a RegExp). Returns the error.
 */
export async function fails(p: Promise<unknown>, code: string, message?: string | RegExp, status = 400): Promise<SdkError> {
  const e = await rejects(p);
  assert.equal(e.name, code, `expected ${code}, got ${e.name}: ${e.message}`);
  if (typeof message === "string") assert.equal(e.message, message);
  else if (message) assert.match(e.message, message);
  assert.equal(e.$metadata.httpStatusCode, status);
  return e;
}

/** Each kind of EC2 state a snapshot can hold, and how to describe all of it (no filters). */
const DESCRIBE = {
  vpcs: async (c: EC2Client) => (await c.send(new E.DescribeVpcsCommand({}))).Vpcs,
  subnets: async (c: EC2Client) => (await c.send(new E.DescribeSubnetsCommand({}))).Subnets,
  securityGroups: async (c: EC2Client) => (await c.send(new E.DescribeSecurityGroupsCommand({}))).SecurityGroups,
  securityGroupRules: async (c: EC2Client) => (await c.send(new E.DescribeSecurityGroupRulesCommand({}))).SecurityGroupRules,
  networkAcls: async (c: EC2Client) => (await c.send(new E.DescribeNetworkAclsCommand({}))).NetworkAcls,
  routeTables: async (c: EC2Client) => (await c.send(new E.DescribeRouteTablesCommand({}))).RouteTables,
  internetGateways: async (c: EC2Client) => (await c.send(new E.DescribeInternetGatewaysCommand({}))).InternetGateways,
  egressOnlyInternetGateways: async (c: EC2Client) => (await c.send(new E.DescribeEgressOnlyInternetGatewaysCommand({}))).EgressOnlyInternetGateways,
  natGateways: async (c: EC2Client) => (await c.send(new E.DescribeNatGatewaysCommand({}))).NatGateways,
  addresses: async (c: EC2Client) => (await c.send(new E.DescribeAddressesCommand({}))).Addresses,
  vpcPeeringConnections: async (c: EC2Client) => (await c.send(new E.DescribeVpcPeeringConnectionsCommand({}))).VpcPeeringConnections,
  networkInterfaces: async (c: EC2Client) => (await c.send(new E.DescribeNetworkInterfacesCommand({}))).NetworkInterfaces,
  vpcEndpoints: async (c: EC2Client) => (await c.send(new E.DescribeVpcEndpointsCommand({}))).VpcEndpoints,
  tags: async (c: EC2Client) => (await c.send(new E.DescribeTagsCommand({}))).Tags,
};

/** A kind of EC2 state a snapshot can hold. */
export type StateKind = keyof typeof DESCRIBE;

/**
 * A guard for "a bad input changes nothing", over the given kinds of state (each test file names
 * what its failures could touch). `client` is read at each call, so it may be assigned in `before`.
 * - `snapshot(c?)`: those kinds, described in parallel through `c` (the file's client unless given), as one JSON string.
 * - `unchanged(call, code, message?, status?)`: `call()` fails as `fails` checks, and the snapshot is the same after it as before.
 */
export function stateGuard(client: () => EC2Client, kinds: readonly StateKind[]) {
  async function snapshot(c: EC2Client = client()): Promise<string> {
    return JSON.stringify(await Promise.all(kinds.map((kind) => DESCRIBE[kind](c))));
  }
  async function unchanged(p: () => Promise<unknown>, code: string, message?: string | RegExp, status = 400): Promise<void> {
    const before = await snapshot();
    await fails(p(), code, message, status);
    assert.deepEqual(await snapshot(), before, `state changed after a failed ${code}`);
  }
  return { snapshot, unchanged };
}

/** CreateVpc, answering the new VPC. */
export async function createVpc(ec2: EC2Client, input: E.CreateVpcCommandInput): Promise<Vpc> {
  return (await ec2.send(new E.CreateVpcCommand(input))).Vpc!;
}

/** CreateSubnet, answering the new subnet. */
export async function createSubnet(ec2: EC2Client, input: E.CreateSubnetCommandInput): Promise<Subnet> {
  return (await ec2.send(new E.CreateSubnetCommand(input))).Subnet!;
}

/** A subnet's AvailableIpAddressCount as DescribeSubnets reports it now. */
export async function freeAddresses(ec2: EC2Client, subnetId: string): Promise<number> {
  return (await ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0].AvailableIpAddressCount!;
}

/** The i-th /64 of a VPC's (first) Amazon-provided /56 "2600:1f18:XXXX:YY00::/56", e.g. i = 1: "2600:1f18:XXXX:YY01::/64". */
export function sixtyFour(vpc: Vpc, i: number): string {
  const [a, b, c, d] = vpc.Ipv6CidrBlockAssociationSet![0].Ipv6CidrBlock!.replace("::/56", "").split(":");
  const fourth = parseInt(d ?? "0", 16) + i;
  return fourth === 0 ? `${a}:${b}:${c}::/64` : `${a}:${b}:${c}:${fourth.toString(16)}::/64`;
}
