// Pending transitions resume after a crash (kill -9) exactly where they were, with --state-dir:
// a VPC function still Pending, the release of a deleted function's ENI, a NAT gateway still
// pending, a function's idle time, and the clock's offset. The simulated clock alone moves them:
// ENI creation takes an hour of clock time here, so nothing completes while the servers restart.
// A CloudFormation stack delete that waits on DependencyViolation retries goes on after a restart,
// and so does a stack create waiting for its NAT gateway and its Pending VPC function.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as C from "@aws-sdk/client-cloudformation";
import * as E from "@aws-sdk/client-ec2";
import { AttachRolePolicyCommand, CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, DeleteFunctionCommand, GetFunctionConfigurationCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { vpcStackTemplate } from "../support/cfn-templates.ts";
import { clients, rejects, ROOT_CREDS } from "../support/clients.ts";
import { startChildServer, tempDir, type ChildServer } from "../support/server.ts";
import { advanceClock, eventually, LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";

const VPC_ACCESS = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";
const ENI_CREATE_S = 3600;
const DAY_S = 86_400;

async function clockOffset(url: string): Promise<number> {
  return ((await (await fetch(`${url}/_hyperlocal/clock`)).json()) as { offsetMs: number }).offsetMs;
}

describe("--state-dir: pending transitions resume after kill -9", () => {
  it("a Pending VPC function, an ENI release, a pending NAT gateway, idle time and the clock offset all carry on after restarts", async () => {
    const dir = tempDir("hyperlocal-resume-");
    const start = () => startChildServer(["--state-dir", dir, "--realistic-timing", "--eni-create-ms", String(ENI_CREATE_S * 1000)]);
    let server: ChildServer = await start();
    let c = clients(server.url);
    const state = async (name: string) => (await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).State;
    const lambdaEnis = async (sg: string) => (await c.ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "group-id", Values: [sg] }, { Name: "interface-type", Values: ["lambda"] }] }))).NetworkInterfaces!;
    const nat = async (id: string) => (await c.ec2.send(new E.DescribeNatGatewaysCommand({ NatGatewayIds: [id] }))).NatGateways![0].State;
    const restart = async () => {
      const offset = await clockOffset(server.url);
      for (const k of Object.values(c)) k.destroy();
      await server.stop("SIGKILL");
      server = await start();
      c = clients(server.url);
      assert.equal(await clockOffset(server.url), offset, "the clock's offset is kept");
    };
    try {
      const vpc = (await c.ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
      const subnet = (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.1.0/24" }))).Subnet!.SubnetId!;
      const sg = async (name: string) => (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: name, Description: name }))).GroupId!;
      const [sgIdle, sgGone, sgPending] = [await sg("idle"), await sg("gone"), await sg("pending")];
      const role = (await c.iam.send(new CreateRoleCommand({ RoleName: "resume-exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
      await c.iam.send(new AttachRolePolicyCommand({ RoleName: "resume-exec", PolicyArn: VPC_ACCESS }));
      const create = (name: string, group: string) =>
        c.lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_ECHO) }, VpcConfig: { SubnetIds: [subnet], SecurityGroupIds: [group] } }));

      // idle-fn and gone-fn become Active; then 29 days pass without an invocation.
      await create("idle-fn", sgIdle);
      await create("gone-fn", sgGone);
      await advanceClock(server.url, ENI_CREATE_S + 5);
      assert.equal(await state("idle-fn"), "Active");
      assert.equal(await state("gone-fn"), "Active");
      await advanceClock(server.url, 29 * DAY_S);
      // gone-fn is deleted: its ENI is released 20 minutes later.
      await c.lambda.send(new DeleteFunctionCommand({ FunctionName: "gone-fn" }));
      assert.equal((await lambdaEnis(sgGone)).length, 1);
      // A NAT gateway, pending for 90 s of clock time.
      const natId = (await c.ec2.send(new E.CreateNatGatewayCommand({ SubnetId: subnet, ConnectivityType: "private" }))).NatGateway!.NatGatewayId!;
      assert.equal(await nat(natId), "pending");
      // pending-fn needs a new ENI (its own security group): Pending for an hour of clock time.
      assert.equal((await create("pending-fn", sgPending)).State, "Pending");

      await restart();
      assert.equal(await state("pending-fn"), "Pending", "nothing moved while the server was down");
      assert.equal(await nat(natId), "pending");
      assert.equal((await lambdaEnis(sgGone)).length, 1);
      assert.equal((await rejects(c.ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: sgGone })))).name, "DependencyViolation");
      assert.equal(await state("idle-fn"), "Active");

      // 21 minutes: the ENI is released and the NAT gateway available; pending-fn still waits for its ENI.
      await advanceClock(server.url, 21 * 60);
      assert.equal((await lambdaEnis(sgGone)).length, 0);
      await c.ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: sgGone }));
      assert.equal(await nat(natId), "available");
      assert.equal(await state("pending-fn"), "Pending");

      await restart();
      assert.equal(await nat(natId), "available");
      assert.equal(await state("pending-fn"), "Pending");
      // The rest of the hour: pending-fn's ENI exists and it is Active.
      await advanceClock(server.url, ENI_CREATE_S);
      assert.equal(await state("pending-fn"), "Active");
      assert.equal((await lambdaEnis(sgPending)).length, 1);
      assert.equal(await state("idle-fn"), "Active", "29 days and an hour and a half without invocations");

      await restart();
      assert.equal(await state("pending-fn"), "Active");
      // The 30th day: idle-fn goes Inactive (Idle) and its ENI is reclaimed; pending-fn, younger, stays Active.
      await advanceClock(server.url, DAY_S);
      const idle = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "idle-fn" }));
      assert.equal(idle.State, "Inactive");
      assert.equal(idle.StateReasonCode, "Idle");
      assert.equal((await lambdaEnis(sgIdle)).length, 0);
      assert.equal(await state("pending-fn"), "Active");

      await restart();
      assert.equal(await state("idle-fn"), "Inactive");
      assert.equal(await nat(natId), "available");
      assert.deepEqual((await c.ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["gone"] }] }))).SecurityGroups, []);
    } finally {
      await server.stop("SIGKILL");
    }
  });
});

describe("--state-dir: a CloudFormation stack delete resumes after kill -9", () => {
  it("DELETE_IN_PROGRESS, waiting while Lambda releases its ENIs, carries on after the restart and ends DELETE_COMPLETE with nothing left", async () => {
    const dir = tempDir("hyperlocal-resume-cfn-");
    const start = () => startChildServer(["--state-dir", dir, "--no-default-vpc"]);
    let server = await start();
    const cfnClient = (url: string) => new C.CloudFormationClient({ endpoint: url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
    let cfn = cfnClient(server.url);
    const WAIT = { maxWaitTime: 120, minDelay: 1, maxDelay: 1 };
    try {
      await cfn.send(new C.CreateStackCommand({ StackName: "resumed", TemplateBody: vpcStackTemplate(1), Capabilities: ["CAPABILITY_IAM"], Parameters: [{ ParameterKey: "VpcCidr", ParameterValue: "10.0.0.0/16" }] }));
      await C.waitUntilStackCreateComplete({ client: cfn, ...WAIT }, { StackName: "resumed" });
      const stackId = (await cfn.send(new C.DescribeStacksCommand({ StackName: "resumed" }))).Stacks![0].StackId!;
      await cfn.send(new C.DeleteStackCommand({ StackName: "resumed" }));
      // The function is gone; its ENIs stay for 20 minutes of clock time, so the groups and subnets wait.
      await eventually(
        async () => (await cfn.send(new C.DescribeStackEventsCommand({ StackName: stackId }))).StackEvents!,
        (evs) => evs.some((e) => e.ResourceStatus === "DELETE_IN_PROGRESS" && /Retrying in/.test(e.ResourceStatusReason ?? "")),
        30_000,
      );
      const before = (await cfn.send(new C.DescribeStackResourcesCommand({ StackName: stackId }))).StackResources!;
      assert.equal(before.find((r) => r.LogicalResourceId === "Fn")!.ResourceStatus, "DELETE_COMPLETE");
      cfn.destroy();
      await server.stop("SIGKILL");

      server = await start();
      cfn = cfnClient(server.url);
      const c = clients(server.url);
      const stack = (await cfn.send(new C.DescribeStacksCommand({ StackName: stackId }))).Stacks![0];
      assert.equal(stack.StackStatus, "DELETE_IN_PROGRESS", "the delete was not ended by the restart");
      const waiter = C.waitUntilStackDeleteComplete({ client: cfn, ...WAIT }, { StackName: stackId });
      await advanceClock(server.url, 25 * 60);
      await waiter;
      const events = (await cfn.send(new C.DescribeStackEventsCommand({ StackName: stackId }))).StackEvents!;
      assert.equal(events[0].ResourceStatus, "DELETE_COMPLETE");
      assert.ok(!events.some((e) => /FAILED/.test(e.ResourceStatus ?? "")), "nothing failed");
      assert.equal((await c.ec2.send(new E.DescribeVpcsCommand({}))).Vpcs!.length, 0);
      assert.equal((await c.ec2.send(new E.DescribeNetworkInterfacesCommand({}))).NetworkInterfaces!.length, 0);
      assert.equal((await c.ec2.send(new E.DescribeNatGatewaysCommand({ Filter: [{ Name: "state", Values: ["pending", "available"] }] }))).NatGateways!.length, 0);
      for (const k of Object.values(c)) k.destroy();
    } finally {
      cfn.destroy();
      await server.stop("SIGKILL");
    }
  });
});

describe("--state-dir: a CloudFormation stack create resumes after kill -9", () => {
  it("CREATE_IN_PROGRESS with a pending NAT gateway and a Pending VPC function ends CREATE_COMPLETE after the restart, with one of each", async () => {
    const dir = tempDir("hyperlocal-resume-create-");
    const start = () => startChildServer(["--state-dir", dir, "--no-default-vpc", "--realistic-timing", "--eni-create-ms", String(ENI_CREATE_S * 1000)]);
    let server = await start();
    const cfnClient = (url: string) => new C.CloudFormationClient({ endpoint: url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
    let cfn = cfnClient(server.url);
    let c = clients(server.url);
    const resources = async () => (await cfn.send(new C.DescribeStackResourcesCommand({ StackName: "creating" }))).StackResources!;
    const byId = (rs: C.StackResource[], id: string) => rs.find((r) => r.LogicalResourceId === id);
    try {
      await cfn.send(new C.CreateStackCommand({ StackName: "creating", TemplateBody: vpcStackTemplate(1), Capabilities: ["CAPABILITY_IAM"], Parameters: [{ ParameterKey: "VpcCidr", ParameterValue: "10.0.0.0/16" }] }));
      // Both were created and recorded, and both still wait: the NAT gateway for 90 s, the function for its ENI (an hour).
      const before = await eventually(resources, (rs) => ["Nat", "Fn"].every((id) => byId(rs, id)?.ResourceStatus === "CREATE_IN_PROGRESS" && byId(rs, id)?.PhysicalResourceId), 60_000);
      const natId = byId(before, "Nat")!.PhysicalResourceId!;
      const fnName = byId(before, "Fn")!.PhysicalResourceId!;
      assert.equal((await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fnName }))).State, "Pending");
      // A write after them: once it has answered, the changes before it are saved.
      await c.ec2.send(new E.CreateTagsCommand({ Resources: [natId], Tags: [{ Key: "seen", Value: "before-kill" }] }));
      for (const k of Object.values(c)) k.destroy();
      cfn.destroy();
      await server.stop("SIGKILL");

      server = await start();
      cfn = cfnClient(server.url);
      c = clients(server.url);
      const stack = (await cfn.send(new C.DescribeStacksCommand({ StackName: "creating" }))).Stacks![0];
      assert.equal(stack.StackStatus, "CREATE_IN_PROGRESS", "the create was not ended by the restart");
      assert.equal(byId(await resources(), "Fn")!.PhysicalResourceId, fnName);
      const waiter = C.waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { StackName: "creating" });
      await advanceClock(server.url, ENI_CREATE_S + 5);
      await waiter;

      const after = await resources();
      assert.equal(byId(after, "Nat")!.PhysicalResourceId, natId);
      assert.equal(byId(after, "Fn")!.PhysicalResourceId, fnName);
      assert.ok(after.every((r) => r.ResourceStatus === "CREATE_COMPLETE"));
      const events = (await cfn.send(new C.DescribeStackEventsCommand({ StackName: "creating" }))).StackEvents!;
      assert.ok(!events.some((e) => /FAILED/.test(e.ResourceStatus ?? "")), "nothing failed");
      const nats = (await c.ec2.send(new E.DescribeNatGatewaysCommand({}))).NatGateways!;
      assert.deepEqual(nats.map((n) => [n.NatGatewayId, n.State]), [[natId, "available"]]);
      const fns = (await c.lambda.send(new ListFunctionsCommand({}))).Functions!;
      assert.deepEqual(fns.map((f) => f.FunctionName), [fnName]);
      assert.equal((await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fnName }))).State, "Active");
    } finally {
      for (const k of Object.values(c)) k.destroy();
      cfn.destroy();
      await server.stop("SIGKILL");
    }
  });
});
