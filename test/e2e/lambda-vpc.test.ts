// Lambda functions attached to a VPC, through the AWS SDK and the AWS CLI: VpcConfig and its checks
// (AWS's order and texts), Hyperplane ENIs shared per (subnet, security-group set) and shown by EC2,
// the states on the simulated clock (Pending, Active, InProgress updates, Failed, Inactive and back),
// the waiters, versions keeping their own VPC settings, and ENIs released after the delay.
// Tests that run function code skip outside the loopback-only network namespace.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import { AttachRolePolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, DetachRolePolicyCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type CreateFunctionCommandInput,
  type FunctionConfiguration,
} from "@aws-sdk/client-lambda";
import { startApp, type App } from "../../src/app.ts";
import type { FunctionSourceLookup } from "../../src/network/server/index.ts";
import { defaultConfig } from "../../src/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients, rejects, type Creds } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer, tempDir } from "../support/server.ts";
import { advanceClock, LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";

const ACCOUNT = "000000000000";
const REGION = "us-east-1";
const VPC_ACCESS = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";
const arnOf = (name: string, q?: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}${q ? `:${q}` : ""}`;
const zip = nodeZip(NODE_ECHO);

type Clients = ReturnType<typeof clients>;

interface Net {
  vpcId: string;
  /** dual-stack /24 */
  subnetA: string;
  /** IPv4-only /24 */
  subnetB: string;
  sg1: string;
  sg2: string;
  otherVpc: string;
  otherSubnet: string;
  otherSg: string;
}

/** The 64-bit subnet number i inside an Amazon-provided /56. */
function sub64(v56: string, i: number): string {
  const g = v56.split("/")[0].split("::")[0].split(":");
  while (g.length < 4) g.push("0");
  g[3] = (parseInt(g[3], 16) + i).toString(16);
  return `${g.slice(0, 4).join(":")}::/64`;
}

async function network(ec2: E.EC2Client): Promise<Net> {
  const vpcId = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16", AmazonProvidedIpv6CidrBlock: true }))).Vpc!.VpcId!;
  const v6 = (await ec2.send(new E.DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs![0].Ipv6CidrBlockAssociationSet![0].Ipv6CidrBlock!;
  const subnetA = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24", Ipv6CidrBlock: sub64(v6, 1) }))).Subnet!.SubnetId!;
  const subnetB = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.2.0/24" }))).Subnet!.SubnetId!;
  const sg = async (vpc: string, name: string) => (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: name, Description: name }))).GroupId!;
  const otherVpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.1.0.0/16" }))).Vpc!.VpcId!;
  const otherSubnet = (await ec2.send(new E.CreateSubnetCommand({ VpcId: otherVpc, CidrBlock: "10.1.1.0/24" }))).Subnet!.SubnetId!;
  return { vpcId, subnetA, subnetB, sg1: await sg(vpcId, "one"), sg2: await sg(vpcId, "two"), otherVpc, otherSubnet, otherSg: await sg(otherVpc, "other") };
}

async function vpcRole(c: Clients, name: string, managed = true): Promise<string> {
  const arn = (await c.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
  if (managed) await c.iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: VPC_ACCESS }));
  return arn;
}

async function userCreds(c: Clients, name: string, statements: unknown[]): Promise<Creds> {
  await c.iam.send(new CreateUserCommand({ UserName: name }));
  await c.iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }));
  const k = (await c.iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
}

const freeIps = async (ec2: E.EC2Client, subnet: string) => (await ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: [subnet] }))).Subnets![0].AvailableIpAddressCount!;
const lambdaEnis = async (ec2: E.EC2Client, filters: E.Filter[] = []) =>
  (await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["lambda"] }, ...filters] }))).NetworkInterfaces!;
const config = async (lambda: LambdaClient, name: string, q?: string): Promise<FunctionConfiguration> =>
  (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: q })));
const invoke = (lambda: LambdaClient, name: string, q?: string) => lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: q, Payload: Buffer.from("{}") }));
const payload = (r: { Payload?: Uint8Array }) => JSON.parse(Buffer.from(r.Payload ?? []).toString("utf8"));

describe("VPC functions: shared ENIs, states, updates, versions, release", () => {
  let app: App;
  let c: Clients;
  let net: Net;
  let role: string;
  const create = (name: string, subnets: string[], groups: string[], over: Partial<CreateFunctionCommandInput> = {}) =>
    c.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs20.x",
        Role: role,
        Handler: "index.handler",
        Code: { ZipFile: zip },
        VpcConfig: { SubnetIds: subnets, SecurityGroupIds: groups },
        ...over,
      }),
    );

  before(async () => {
    app = await startTestServer({ iam: "enforce" });
    c = clients(app.url);
    net = await network(c.ec2);
    role = await vpcRole(c, "vpc-exec");
  });
  after(async () => {
    await app.close();
  });

  it("two functions with the same subnet and groups share one ENI; another group set gets its own", async () => {
    const before = await freeIps(c.ec2, net.subnetA);
    const f1 = await create("f1", [net.subnetA], [net.sg1]);
    assert.equal(f1.State, "Pending");
    assert.equal(f1.StateReasonCode, "Creating");
    assert.equal(f1.StateReason, "The function is being created.");
    assert.equal(f1.LastUpdateStatus, undefined);
    assert.deepEqual(f1.VpcConfig, { SubnetIds: [net.subnetA], SecurityGroupIds: [net.sg1], Ipv6AllowedForDualStack: false, VpcId: net.vpcId });
    // The group order does not matter for sharing.
    await create("f2", [net.subnetA], [net.sg1]);
    assert.equal(await freeIps(c.ec2, net.subnetA), before - 1, "one address for the shared ENI");
    await create("f3", [net.subnetA], [net.sg2, net.sg1]);
    assert.equal(await freeIps(c.ec2, net.subnetA), before - 2, "exactly one more for the new combination");

    // Pending: no invocation, no update, no publication.
    const inv = await rejects(invoke(c.lambda, "f1"));
    assert.equal(inv.name, "ResourceConflictException");
    assert.equal(inv.$metadata.httpStatusCode, 409);
    assert.equal(inv.message, "The operation cannot be performed at this time. The function is currently in the following state: Pending");
    assert.equal((await rejects(c.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "f1", ZipFile: zip })))).name, "ResourceConflictException");
    assert.equal((await rejects(c.lambda.send(new PublishVersionCommand({ FunctionName: "f1" })))).name, "ResourceConflictException");

    // What the network module sees: no usable ENI yet (connections refused), then the ENI.
    const lookup: FunctionSourceLookup = app.lambda.networkSource;
    assert.match(lookup(ACCOUNT, REGION, "f1")?.unavailable ?? "", /being created/);
    assert.equal(lookup(ACCOUNT, REGION, "nope"), undefined);

    // The SDK waiter polls (1 s) while the clock moves past the ENI creation time.
    const waiting = waitUntilFunctionActiveV2({ client: c.lambda, maxWaitTime: 20 }, { FunctionName: "f1" });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await config(c.lambda, "f1")).State, "Pending", "the ENI takes time on the clock");
    await advanceClock(app.url, 3);
    assert.equal((await waiting).state, "SUCCESS");
    for (const name of ["f1", "f2", "f3"]) {
      const cfg = await config(c.lambda, name);
      assert.equal(cfg.State, "Active", name);
      assert.equal(cfg.LastUpdateStatus, "Successful", name);
    }

    const source = lookup(ACCOUNT, REGION, "f1")!;
    assert.equal(source.unavailable, undefined);
    assert.equal(source.vpc?.networkInterfaceId, app.lambda.vpcSource(ACCOUNT, REGION, "f1")?.networkInterfaceId);
    assert.equal(source.vpc?.comboKey, `${net.subnetA}|${net.sg1}|v4`);

    const enis = await lambdaEnis(c.ec2, [{ Name: "subnet-id", Values: [net.subnetA] }]);
    assert.equal(enis.length, 2);
    for (const e of enis) {
      assert.equal(e.InterfaceType, "lambda");
      assert.equal(e.RequesterManaged, true);
      assert.equal(e.Status, "in-use");
      assert.equal(e.Attachment?.InstanceOwnerId, "amazon-aws");
      assert.equal(e.VpcId, net.vpcId);
      assert.ok(e.PrivateIpAddress?.startsWith("10.0.1."));
      assert.equal(e.PrivateIpAddresses?.length, 1);
    }
    const byDesc = await lambdaEnis(c.ec2, [{ Name: "description", Values: ["AWS Lambda VPC ENI-f1*"] }]);
    assert.equal(byDesc.length, 1);
    assert.equal(byDesc[0].Description, "AWS Lambda VPC ENI-f1");
    assert.deepEqual(byDesc[0].Groups?.map((g) => g.GroupId), [net.sg1]);
    const both = await lambdaEnis(c.ec2, [
      { Name: "group-id", Values: [net.sg2] },
      { Name: "requester-managed", Values: ["true"] },
      { Name: "attachment.instance-owner-id", Values: ["amazon-aws"] },
    ]);
    assert.equal(both.length, 1);
    assert.equal(both[0].Description, "AWS Lambda VPC ENI-f3");
    // A user cannot delete the interface Lambda uses.
    const del = await rejects(c.ec2.send(new E.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: byDesc[0].NetworkInterfaceId! })));
    assert.equal(del.$metadata.httpStatusCode, 400);
  });

  it("an update that moves the function keeps it Active with LastUpdateStatus InProgress while the old configuration serves", async () => {
    const oldSource = app.lambda.vpcSource(ACCOUNT, REGION, "f1")!;
    assert.equal(oldSource.subnetId, net.subnetA);
    const beforeB = await freeIps(c.ec2, net.subnetB);
    const u = await c.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "f1", VpcConfig: { SubnetIds: [net.subnetB], SecurityGroupIds: [net.sg1] }, Environment: { Variables: { VV: "moved" } } }),
    );
    assert.equal(u.State, "Active");
    assert.equal(u.LastUpdateStatus, "InProgress");
    assert.equal(u.LastUpdateStatusReasonCode, "Creating");
    assert.deepEqual(u.VpcConfig?.SubnetIds, [net.subnetB]);
    assert.equal(await freeIps(c.ec2, net.subnetB), beforeB - 1);
    const busy = await rejects(c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "f1", Timeout: 9 })));
    assert.equal(busy.name, "ResourceConflictException");
    assert.equal(busy.message, `The operation cannot be performed at this time. An update is in progress for resource: ${arnOf("f1")}`);
    assert.equal((await rejects(c.lambda.send(new PublishVersionCommand({ FunctionName: "f1" })))).name, "ResourceConflictException");
    // The previous configuration still serves: its ENI is the one connections use.
    await advanceClock(app.url, 1);
    assert.equal((await config(c.lambda, "f1")).LastUpdateStatus, "InProgress", "the new ENI is not there yet");
    assert.deepEqual(app.lambda.vpcSource(ACCOUNT, REGION, "f1"), oldSource);

    const waiting = waitUntilFunctionUpdatedV2({ client: c.lambda, maxWaitTime: 20 }, { FunctionName: "f1" });
    await advanceClock(app.url, 2);
    assert.equal((await waiting).state, "SUCCESS");
    const done = await config(c.lambda, "f1");
    assert.equal(done.LastUpdateStatus, "Successful");
    assert.equal(done.State, "Active");
    const now = app.lambda.vpcSource(ACCOUNT, REGION, "f1")!;
    assert.equal(now.subnetId, net.subnetB);
    assert.notEqual(now.networkInterfaceId, oldSource.networkInterfaceId);
    // f2 still uses (subnet A, sg1): its ENI stays.
    assert.equal((await lambdaEnis(c.ec2, [{ Name: "network-interface-id", Values: [oldSource.networkInterfaceId] }])).length, 1);

    // Omitting VpcConfig keeps it; empty lists detach.
    const kept = await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "f1", Timeout: 7 }));
    assert.deepEqual(kept.VpcConfig?.SubnetIds, [net.subnetB]);
    await advanceClock(app.url, 1);
    const detached = await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "f1", VpcConfig: { SubnetIds: [], SecurityGroupIds: [] } }));
    assert.deepEqual(detached.VpcConfig, { SubnetIds: [], SecurityGroupIds: [], Ipv6AllowedForDualStack: false, VpcId: "" });
    await advanceClock(app.url, 1);
    assert.equal((await config(c.lambda, "f1")).LastUpdateStatus, "Successful");
    assert.equal(app.lambda.vpcSource(ACCOUNT, REGION, "f1"), undefined);
  });

  it("published versions keep their own VpcConfig and ENIs", async () => {
    const v1 = await c.lambda.send(new PublishVersionCommand({ FunctionName: "f2" }));
    assert.equal(v1.Version, "1");
    assert.equal(v1.State, "Pending");
    await advanceClock(app.url, 1); // the ENI exists: reuse is quick
    assert.equal((await config(c.lambda, "f2", "1")).State, "Active");
    await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "f2", VpcConfig: { SubnetIds: [net.subnetB], SecurityGroupIds: [net.sg2] } }));
    await advanceClock(app.url, 3);
    assert.deepEqual((await config(c.lambda, "f2")).VpcConfig?.SubnetIds, [net.subnetB]);
    assert.deepEqual((await config(c.lambda, "f2", "1")).VpcConfig?.SubnetIds, [net.subnetA]);
    assert.equal(app.lambda.vpcSource(ACCOUNT, REGION, "f2", "1")?.subnetId, net.subnetA);
    assert.equal(app.lambda.vpcSource(ACCOUNT, REGION, "f2")?.subnetId, net.subnetB);
    assert.deepEqual(app.lambda.vpcSource(ACCOUNT, REGION, "f2")?.groupIds, [net.sg2]);
  });

  it("after DeleteFunction the ENI stays for the release delay: DeleteSecurityGroup and DeleteSubnet get DependencyViolation until then", async () => {
    const sg = (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: net.vpcId, GroupName: "doomed", Description: "doomed" }))).GroupId!;
    const subnet = (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: net.vpcId, CidrBlock: "10.0.9.0/24" }))).Subnet!.SubnetId!;
    await create("doomed", [subnet], [sg]);
    await create("doomed2", [subnet], [sg]);
    await advanceClock(app.url, 3);
    const [eni] = await lambdaEnis(c.ec2, [{ Name: "group-id", Values: [sg] }]);
    assert.ok(eni);
    await c.lambda.send(new DeleteFunctionCommand({ FunctionName: "doomed" }));
    await c.lambda.send(new DeleteFunctionCommand({ FunctionName: "doomed2" }));
    const sgDel = await rejects(c.ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: sg })));
    assert.equal(sgDel.name, "DependencyViolation");
    assert.equal((await rejects(c.ec2.send(new E.DeleteSubnetCommand({ SubnetId: subnet })))).name, "DependencyViolation");
    await advanceClock(app.url, 19 * 60);
    assert.equal((await lambdaEnis(c.ec2, [{ Name: "group-id", Values: [sg] }])).length, 1, "not before 20 minutes");
    await advanceClock(app.url, 61);
    assert.equal((await lambdaEnis(c.ec2, [{ Name: "group-id", Values: [sg] }])).length, 0);
    await c.ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: sg }));
    await c.ec2.send(new E.DeleteSubnetCommand({ SubnetId: subnet }));
  });

  it("a full /28 subnet: the function goes Failed (SubnetOutOfIPAddresses) and Invoke gets SubnetIPAddressLimitReachedException", async () => {
    const small = (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: net.vpcId, CidrBlock: "10.0.3.0/28" }))).Subnet!.SubnetId!;
    for (let i = 0; i < 11; i++) await c.ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: small }));
    assert.equal(await freeIps(c.ec2, small), 0);
    const out = await create("full", [small], [net.sg1]);
    assert.equal(out.State, "Pending");
    const waiting = waitUntilFunctionActiveV2({ client: c.lambda, maxWaitTime: 20 }, { FunctionName: "full" }).catch((e) => e);
    await advanceClock(app.url, 3);
    const w = await waiting;
    assert.match(String(w?.message ?? w?.state), /FAILURE|Failed/, "the waiter stops on Failed");
    const cfg = await config(c.lambda, "full");
    assert.equal(cfg.State, "Failed");
    assert.equal(cfg.StateReasonCode, "SubnetOutOfIPAddresses");
    assert.equal(cfg.LastUpdateStatus, "Failed");
    const e = await rejects(invoke(c.lambda, "full"));
    assert.equal(e.name, "SubnetIPAddressLimitReachedException");
    assert.equal(e.$metadata.httpStatusCode, 502);
    assert.equal(e.$fault, "server");

    // An update into the full subnet fails and keeps the previous configuration.
    await create("mover", [net.subnetB], [net.sg1]);
    await advanceClock(app.url, 3);
    await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "mover", VpcConfig: { SubnetIds: [small], SecurityGroupIds: [net.sg1] } }));
    await advanceClock(app.url, 3);
    const moved = await config(c.lambda, "mover");
    assert.equal(moved.State, "Active");
    assert.equal(moved.LastUpdateStatus, "Failed");
    assert.equal(moved.LastUpdateStatusReasonCode, "SubnetOutOfIPAddresses");
    assert.deepEqual(moved.VpcConfig?.SubnetIds, [net.subnetB]);
  });

  it("refuses bad VPC settings at once, in AWS's order and words, and creates nothing", async () => {
    const dedicated = (await c.ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.2.0.0/16", InstanceTenancy: "dedicated" }))).Vpc!.VpcId!;
    const dSubnet = (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: dedicated, CidrBlock: "10.2.1.0/24" }))).Subnet!.SubnetId!;
    const dSg = (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: dedicated, GroupName: "d", Description: "d" }))).GroupId!;
    const noEni = await vpcRole(c, "no-eni", false);
    const missingSg = "sg-0123456789abcdef0";
    const missingSubnet = "subnet-0123456789abcdef0";
    const cases: [string, Partial<CreateFunctionCommandInput>, string, string | RegExp][] = [
      ["coexist", { VpcConfig: { SubnetIds: [net.subnetA], SecurityGroupIds: [] } }, "InvalidParameterValueException", "SubnetIds and SecurityIds must coexist or be both empty list."],
      ["too many groups", { VpcConfig: { SubnetIds: [net.subnetA], SecurityGroupIds: ["sg-1", "sg-2", "sg-3", "sg-4", "sg-5", "sg-6"] } }, "ValidationException", /at 'vpcConfig\.securityGroupIds' failed to satisfy constraint: Member must have length less than or equal to 5/],
      ["malformed subnet", { VpcConfig: { SubnetIds: ["sg-123"], SecurityGroupIds: [net.sg1] } }, "ValidationException", /Member must satisfy regular expression pattern: subnet-\[0-9a-z\]\*\]$/],
      [
        "missing group (checked before subnets)",
        { VpcConfig: { SubnetIds: [missingSubnet], SecurityGroupIds: [net.sg1, missingSg] } },
        "InvalidParameterValueException",
        `Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: The security group '${missingSg}' does not exist`,
      ],
      [
        "missing subnet",
        { VpcConfig: { SubnetIds: [net.subnetA, missingSubnet], SecurityGroupIds: [net.sg1] } },
        "InvalidParameterValueException",
        `Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID '${missingSubnet}' does not exist`,
      ],
      ["subnets of two VPCs", { VpcConfig: { SubnetIds: [net.subnetA, net.otherSubnet], SecurityGroupIds: [net.sg1] } }, "InvalidParameterValueException", /same VPC/],
      ["a group of another VPC", { VpcConfig: { SubnetIds: [net.subnetA], SecurityGroupIds: [net.otherSg] } }, "InvalidParameterValueException", /Security Groups are required to be in the same VPC/],
      ["dedicated tenancy", { VpcConfig: { SubnetIds: [dSubnet], SecurityGroupIds: [dSg] } }, "InvalidParameterValueException", "Lambda does not support connecting to resources within Dedicated Tenancy VPCs."],
      ["IPv6 on an IPv4-only subnet", { VpcConfig: { SubnetIds: [net.subnetB], SecurityGroupIds: [net.sg1], Ipv6AllowedForDualStack: true } }, "InvalidParameterValueException", /dual-stack/],
      [
        "a role without CreateNetworkInterface",
        { Role: noEni, VpcConfig: { SubnetIds: [net.subnetA], SecurityGroupIds: [net.sg1] } },
        "InvalidParameterValueException",
        "The provided execution role does not have permissions to call CreateNetworkInterface on EC2",
      ],
    ];
    for (const [label, over, code, message] of cases) {
      const e = await rejects(create(`bad-${label.replace(/[^a-z0-9]+/gi, "-")}`, [], [], over));
      assert.equal(e.name, code, label);
      assert.equal(e.$metadata.httpStatusCode, 400, label);
      if (typeof message === "string") assert.equal(e.message, message, label);
      else assert.match(e.message, message, label);
    }
    // The same checks on UpdateFunctionConfiguration, which leaves the function as it was.
    const e = await rejects(c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "f3", Role: noEni })));
    assert.equal(e.message, "The provided execution role does not have permissions to call CreateNetworkInterface on EC2");
    const e2 = await rejects(c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "f3", VpcConfig: { SubnetIds: [dSubnet], SecurityGroupIds: [dSg] } })));
    assert.equal(e2.name, "InvalidParameterValueException");
    assert.deepEqual((await config(c.lambda, "f3")).VpcConfig?.SubnetIds, [net.subnetA]);

    // The Describe calls are the caller's: without ec2:DescribeSubnets the create fails.
    const creds = await userCreds(c, "no-describe-subnets", [
      { Effect: "Allow", Action: ["lambda:*", "iam:PassRole", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"], Resource: "*" },
    ]);
    const theirs = clients(app.url, creds).lambda;
    const denied = await rejects(
      theirs.send(new CreateFunctionCommand({ FunctionName: "by-user", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip }, VpcConfig: { SubnetIds: [net.subnetA], SecurityGroupIds: [net.sg1] } })),
    );
    assert.equal(denied.name, "AccessDeniedException");
    assert.equal(denied.$metadata.httpStatusCode, 403);
    assert.match(denied.message, /^Your access has been denied by EC2, please make sure your request credentials have permission to DescribeSubnets for subnet-/);

    const names = new Set((await c.lambda.send(new ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName));
    for (const n of names) assert.ok(!n!.startsWith("bad-") && n !== "by-user", `${n} must not exist`);
  });

  it("IPv6: Ipv6AllowedForDualStack on dual-stack subnets gives the ENI an IPv6 address too", async () => {
    const out = await create("v6", [net.subnetA], [net.sg1], { VpcConfig: { SubnetIds: [net.subnetA], SecurityGroupIds: [net.sg1], Ipv6AllowedForDualStack: true } });
    assert.equal(out.VpcConfig?.Ipv6AllowedForDualStack, true);
    await advanceClock(app.url, 3);
    const src = app.lambda.vpcSource(ACCOUNT, REGION, "v6")!;
    assert.equal(src.ipv6Allowed, true);
    const [eni] = await lambdaEnis(c.ec2, [{ Name: "network-interface-id", Values: [src.networkInterfaceId] }]);
    assert.equal(eni.Ipv6Addresses?.length, 1);
    assert.notEqual(src.networkInterfaceId, app.lambda.vpcSource(ACCOUNT, REGION, "f3")?.networkInterfaceId);
  });
});

describe("VPC functions: the ENIs-per-VPC quota", () => {
  it("past the quota the function goes Failed (EniLimitExceeded) and Invoke gets ENILimitReachedException", async () => {
    const app = await startTestServer({ iam: "enforce", enisPerVpc: 1 });
    try {
      const c = clients(app.url);
      const net = await network(c.ec2);
      const role = await vpcRole(c, "quota-exec");
      const mk = (name: string, sg: string) =>
        c.lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip }, VpcConfig: { SubnetIds: [net.subnetA], SecurityGroupIds: [sg] } }));
      await mk("first", net.sg1);
      await mk("second", net.sg2);
      await advanceClock(app.url, 3);
      assert.equal((await config(c.lambda, "first")).State, "Active");
      const second = await config(c.lambda, "second");
      assert.equal(second.State, "Failed");
      assert.equal(second.StateReasonCode, "EniLimitExceeded");
      const e = await rejects(invoke(c.lambda, "second"));
      assert.equal(e.name, "ENILimitReachedException");
      assert.equal(e.$metadata.httpStatusCode, 502);
    } finally {
      await app.close();
    }
  });
});

describe("VPC functions: idle for 30 days, Inactive, and back", () => {
  let app: App;
  let c: Clients;
  let net: Net;

  before(async () => {
    app = await startTestServer({ iam: "enforce" });
    c = clients(app.url);
    net = await network(c.ec2);
  });
  after(async () => {
    await app.close();
  });

  it("goes Inactive after 30 days without invocations, its unused ENIs are reclaimed; Invoke fails, then it is Pending and Active again", async () => {
    const role = await vpcRole(c, "idle-exec");
    const lonely = await vpcRole(c, "losing-exec");
    const mk = (name: string, r: string, groups: string[]) =>
      c.lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: r, Handler: "index.handler", Code: { ZipFile: zip }, VpcConfig: { SubnetIds: [net.subnetA], SecurityGroupIds: groups } }));
    await mk("idle", role, [net.sg1]);
    await mk("shared-old", role, [net.sg2]);
    await mk("doomed-role", lonely, [net.sg1, net.sg2]);
    const lostSg = (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: net.vpcId, GroupName: "lost", Description: "lost" }))).GroupId!;
    await mk("lost-group", role, [lostSg]);
    await advanceClock(app.url, 3);
    const idleEni = app.lambda.vpcSource(ACCOUNT, REGION, "idle")!.networkInterfaceId;
    const sharedEni = app.lambda.vpcSource(ACCOUNT, REGION, "shared-old")!.networkInterfaceId;

    await fetch(`${app.url}/_hyperlocal/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ days: 25 }) });
    // A newer function on the same combination as shared-old keeps that ENI in use.
    await mk("shared-new", role, [net.sg2]);
    await advanceClock(app.url, 1);
    assert.equal((await config(c.lambda, "shared-new")).State, "Active");
    await fetch(`${app.url}/_hyperlocal/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ days: 5 }) });

    const idle = await config(c.lambda, "idle");
    assert.equal(idle.State, "Inactive");
    assert.equal(idle.StateReasonCode, "Idle");
    assert.equal((await config(c.lambda, "shared-old")).State, "Inactive");
    assert.equal((await config(c.lambda, "shared-new")).State, "Active");
    const ids = (await lambdaEnis(c.ec2)).map((e) => e.NetworkInterfaceId);
    assert.ok(!ids.includes(idleEni), "the unused ENI is gone from EC2");
    assert.ok(ids.includes(sharedEni), "the ENI another function uses stays");

    const e = await rejects(invoke(c.lambda, "idle"));
    assert.equal(e.name, "ResourceNotReadyException");
    assert.equal(e.$metadata.httpStatusCode, 502);
    const pending = await config(c.lambda, "idle");
    assert.equal(pending.State, "Pending");
    assert.equal(pending.StateReasonCode, "Restoring");
    await advanceClock(app.url, 3);
    assert.equal((await config(c.lambda, "idle")).State, "Active");
    assert.ok(app.lambda.vpcSource(ACCOUNT, REGION, "idle")!.networkInterfaceId.startsWith("eni-"));

    // Updates are allowed while Inactive; this one brings the ENIs back too.
    await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "shared-old", Timeout: 10 }));
    await advanceClock(app.url, 1);
    const back = await config(c.lambda, "shared-old");
    assert.equal(back.State, "Active");
    assert.equal(back.LastUpdateStatus, "Successful");

    // The role lost its ENI permissions meanwhile: the ENIs cannot come back, the function is Failed.
    await c.iam.send(new DetachRolePolicyCommand({ RoleName: "losing-exec", PolicyArn: VPC_ACCESS }));
    assert.equal((await config(c.lambda, "doomed-role")).State, "Inactive");
    assert.equal((await rejects(invoke(c.lambda, "doomed-role"))).name, "ResourceNotReadyException");
    await advanceClock(app.url, 3);
    const failed = await config(c.lambda, "doomed-role");
    assert.equal(failed.State, "Failed");
    assert.equal(failed.StateReasonCode, "InsufficientRolePermissions");
    const denied = await rejects(invoke(c.lambda, "doomed-role"));
    assert.equal(denied.name, "EC2AccessDeniedException");
    assert.equal(denied.$metadata.httpStatusCode, 502);

    // Its ENI was reclaimed, so its security group could be deleted: the ENI cannot come back.
    await c.ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: lostSg }));
    assert.equal((await rejects(invoke(c.lambda, "lost-group"))).name, "ResourceNotReadyException");
    await advanceClock(app.url, 3);
    const lost = await config(c.lambda, "lost-group");
    assert.equal(lost.State, "Failed");
    assert.equal(lost.StateReasonCode, "InvalidSecurityGroup");
    assert.equal((await rejects(invoke(c.lambda, "lost-group"))).name, "InvalidSecurityGroupIDException");
  });
});

describe("VPC functions across a restart (--state-dir)", () => {
  it("a Pending function's ENI creation goes on after a restart, and its ENIs are still shared afterwards", async () => {
    const dir = tempDir();
    // ENIs take a minute on the clock: a restart (which opens the database) takes real time, and
    // real time moves the clock too.
    const first = await startTestServer({ iam: "enforce", stateDir: dir, eniCreateMs: 60_000 });
    let net: Net;
    let role: string;
    try {
      const c = clients(first.url);
      net = await network(c.ec2);
      role = await vpcRole(c, "restart-exec");
      const out = await c.lambda.send(
        new CreateFunctionCommand({ FunctionName: "kept", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip }, VpcConfig: { SubnetIds: [net.subnetA], SecurityGroupIds: [net.sg1] } }),
      );
      assert.equal(out.State, "Pending");
    } finally {
      await first.close();
    }
    const second = await startTestServer({ iam: "enforce", stateDir: dir, eniCreateMs: 60_000 });
    try {
      const c = clients(second.url);
      assert.equal((await config(c.lambda, "kept")).State, "Pending");
      await advanceClock(second.url, 61);
      assert.equal((await config(c.lambda, "kept")).State, "Active");
      const before = await freeIps(c.ec2, net.subnetA);
      await c.lambda.send(
        new CreateFunctionCommand({ FunctionName: "again", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip }, VpcConfig: { SubnetIds: [net.subnetA], SecurityGroupIds: [net.sg1] } }),
      );
      assert.equal(await freeIps(c.ec2, net.subnetA), before, "the ENI from before the restart is shared");
      await advanceClock(second.url, 3);
      assert.equal((await config(c.lambda, "again")).State, "Active");
    } finally {
      await second.close();
    }
  });
});

describe("VPC functions through the AWS CLI", { skip: !hasAwsCli() && "the AWS CLI (/usr/bin/aws) is not installed" }, () => {
  let app: App;
  let c: Clients;
  let net: Net;

  before(async () => {
    app = await startTestServer({ iam: "enforce" });
    c = clients(app.url);
    net = await network(c.ec2);
  });
  after(async () => {
    await app.close();
  });

  it("create-function --vpc-config, wait function-active-v2 and function-updated-v2, describe-network-interfaces", async () => {
    const role = await vpcRole(c, "cli-exec");
    const dir = tempDir();
    const file = join(dir, "fn.zip");
    writeFileSync(file, zip);
    const created = await aws(app.url, [
      "lambda", "create-function", "--function-name", "clifn", "--runtime", "nodejs20.x", "--role", role, "--handler", "index.handler",
      "--zip-file", `fileb://${file}`, "--vpc-config", `SubnetIds=${net.subnetA},SecurityGroupIds=${net.sg1}`,
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json.State, "Pending");
    assert.equal(created.json.VpcConfig.VpcId, net.vpcId);

    // The CLI waiter polls every second: it sees Pending, then Active once the clock moved.
    const waiting = aws(app.url, ["lambda", "wait", "function-active-v2", "--function-name", "clifn"]);
    await new Promise((r) => setTimeout(r, 1500));
    await advanceClock(app.url, 3);
    const w = await waiting;
    assert.equal(w.code, 0, w.stderr);

    const moved = await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "clifn", VpcConfig: { SubnetIds: [net.subnetB], SecurityGroupIds: [net.sg1] } }));
    assert.equal(moved.LastUpdateStatus, "InProgress");
    const updating = aws(app.url, ["lambda", "wait", "function-updated-v2", "--function-name", "clifn"]);
    await new Promise((r) => setTimeout(r, 1500));
    await advanceClock(app.url, 3);
    const u = await updating;
    assert.equal(u.code, 0, u.stderr);

    const d = await aws(app.url, ["ec2", "describe-network-interfaces", "--filters", "Name=description,Values=AWS Lambda VPC ENI-clifn*", "Name=requester-managed,Values=true"]);
    assert.equal(d.code, 0, d.stderr);
    const subnets = d.json.NetworkInterfaces.map((e: { SubnetId: string }) => e.SubnetId).sort();
    assert.deepEqual(subnets, [net.subnetA, net.subnetB].sort(), "the old ENI waits for the release delay");
    assert.ok(d.json.NetworkInterfaces.every((e: { InterfaceType: string; Attachment: { InstanceOwnerId: string } }) => e.InterfaceType === "lambda" && e.Attachment.InstanceOwnerId === "amazon-aws"));

    const missing = await aws(app.url, ["lambda", "update-function-configuration", "--function-name", "clifn", "--vpc-config", `SubnetIds=subnet-0123456789abcdef0,SecurityGroupIds=${net.sg1}`]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /InvalidParameterValueException.*Error occurred while DescribeSubnets\. EC2 Error Code: InvalidSubnetID\.NotFound/);
  });
});

describe("VPC functions running code", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, () => {
  let app: App;
  let c: Clients;
  let net: Net;
  let role: string;
  const seen: { functionName: string; version: string; eni?: string }[] = [];

  before(async () => {
    // The network module's hook: each execution environment gets variables from it.
    app = await startApp(defaultConfig({ port: 0, host: "127.0.0.1", logLevel: "silent", iam: "enforce" }), {
      logger: createLogger("silent"),
      networkEnv: (fn) => {
        seen.push({ functionName: fn.functionName, version: fn.version, eni: fn.vpc?.networkInterfaceId });
        return { extraEnv: { VV: fn.vpc ? `eni:${fn.vpc.subnetId}` : "internet" }, nodeOptions: [] };
      },
    });
    c = clients(app.url);
    net = await network(c.ec2);
    role = await vpcRole(c, "run-exec");
  });
  after(async () => {
    await app.close();
  });

  it("serves with the previous configuration during an update, and keeps running after the role lost its ENI permissions", async () => {
    await c.lambda.send(
      new CreateFunctionCommand({ FunctionName: "runner", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip }, VpcConfig: { SubnetIds: [net.subnetA], SecurityGroupIds: [net.sg1] } }),
    );
    await advanceClock(app.url, 3);
    assert.equal(payload(await invoke(c.lambda, "runner")).vv, `eni:${net.subnetA}`);
    await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "runner", VpcConfig: { SubnetIds: [net.subnetB], SecurityGroupIds: [net.sg1] } }));
    assert.equal(payload(await invoke(c.lambda, "runner")).vv, `eni:${net.subnetA}`, "the old configuration serves while InProgress");
    await advanceClock(app.url, 3);
    assert.equal((await config(c.lambda, "runner")).LastUpdateStatus, "Successful");
    assert.equal(payload(await invoke(c.lambda, "runner")).vv, `eni:${net.subnetB}`);
    assert.ok(seen.some((s) => s.functionName === "runner" && s.eni === app.lambda.vpcSource(ACCOUNT, REGION, "runner")!.networkInterfaceId));

    await c.iam.send(new DetachRolePolicyCommand({ RoleName: "run-exec", PolicyArn: VPC_ACCESS }));
    const r = await invoke(c.lambda, "runner");
    assert.equal(r.StatusCode, 200);
    assert.equal(r.FunctionError, undefined);
  });
});
