// CloudFormation stack updates resume after a crash (kill -9) exactly where they were, with
// --state-dir: the forward pass (UPDATE_IN_PROGRESS), its cleanup of the replaced resources, and
// an update rollback (UPDATE_ROLLBACK_IN_PROGRESS). ENI creation takes an hour of clock time, so
// the stack waits while the server is killed and restarted; the simulated clock alone moves it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as C from "@aws-sdk/client-cloudformation";
import * as E from "@aws-sdk/client-ec2";
import { ListRolesCommand } from "@aws-sdk/client-iam";
import { GetFunctionConfigurationCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { aws } from "../support/aws-cli.ts";
import { clients, ROOT_CREDS } from "../support/clients.ts";
import { startChildServer, tempDir, type ChildServer } from "../support/server.ts";
import { advanceClock, eventually } from "../support/zip-functions.ts";

const ENI_CREATE_S = 3600;

/** A VPC function in one subnet (its CIDR a parameter), with a private NAT gateway there when WithNat is yes. */
const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  SubnetCidr: { Type: String, Default: 10.0.1.0/24 }
  WithNat: { Type: String, Default: "no", AllowedValues: ["yes", "no"] }
  Timeout: { Type: Number, Default: 10 }
Conditions:
  Nat: !Equals [!Ref WithNat, "yes"]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.0.0.0/16 }
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: !Ref SubnetCidr, AvailabilityZone: !Select [0, !GetAZs ""] }
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: { GroupDescription: the function group, VpcId: !Ref Vpc }
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]
  Nat:
    Type: AWS::EC2::NatGateway
    Condition: Nat
    Properties: { SubnetId: !Ref Subnet, ConnectivityType: private }
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Timeout: !Ref Timeout
      VpcConfig: { SubnetIds: [!Ref Subnet], SecurityGroupIds: [!Ref Sg] }
      Code:
        ZipFile: "exports.handler = async () => 'ok';"
`;

/**
 * The same, with a custom resource created after the function, whose function never answers:
 * CloudFormation waits an hour of clock time for it, then the update fails and rolls back.
 */
const FAILING = `${TEMPLATE}  Responder:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: "exports.handler = async () => 'no answer';"
  Bad:
    Type: Custom::Never
    DependsOn: Fn
    Properties: { ServiceToken: !GetAtt Responder.Arn }
`;

type Params = Record<string, string>;
const params = (p: Params) => Object.entries(p).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));

/** A --state-dir server killed with SIGKILL and started again on the same directory. */
async function crashable(prefix: string) {
  const dir = tempDir(prefix);
  const start = () => startChildServer(["--state-dir", dir, "--no-default-vpc", "--realistic-timing", "--eni-create-ms", String(ENI_CREATE_S * 1000)]);
  let server: ChildServer = await start();
  const cfnClient = (url: string) => new C.CloudFormationClient({ endpoint: url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
  const h = {
    server,
    cfn: cfnClient(server.url),
    c: clients(server.url),
    async kill(): Promise<void> {
      for (const k of Object.values(h.c)) k.destroy();
      h.cfn.destroy();
      await server.stop("SIGKILL");
    },
    async restart(): Promise<void> {
      await h.kill();
      server = h.server = await start();
      h.cfn = cfnClient(server.url);
      h.c = clients(server.url);
    },
    stack: async (name: string) => (await h.cfn.send(new C.DescribeStacksCommand({ StackName: name }))).Stacks![0],
    resources: async (name: string) => (await h.cfn.send(new C.DescribeStackResourcesCommand({ StackName: name }))).StackResources!,
    /** Oldest first. */
    events: async (name: string) => (await h.cfn.send(new C.DescribeStackEventsCommand({ StackName: name }))).StackEvents!.slice().reverse(),
    /** A write answered after the stack's steps so far: once it is acknowledged, they are saved. */
    async settle(): Promise<void> {
      const vpc = (await h.c.ec2.send(new E.DescribeVpcsCommand({}))).Vpcs![0].VpcId!;
      await h.c.ec2.send(new E.CreateTagsCommand({ Resources: [vpc], Tags: [{ Key: "seen", Value: String(Date.now()) }] }));
    },
  };
  return h;
}

const byId = (rs: C.StackResource[], id: string) => rs.find((r) => r.LogicalResourceId === id);
/** The resource events of one logical id in one phase (events after `from`), as status[: reason]. */
const trail = (evs: C.StackEvent[], id: string, from = 0) =>
  evs
    .slice(from)
    .filter((e) => e.LogicalResourceId === id)
    .map((e) => (e.ResourceStatusReason ? `${e.ResourceStatus}: ${e.ResourceStatusReason}` : e.ResourceStatus!));

async function createStack(h: Awaited<ReturnType<typeof crashable>>, name: string): Promise<void> {
  await h.cfn.send(new C.CreateStackCommand({ StackName: name, TemplateBody: TEMPLATE, Capabilities: ["CAPABILITY_IAM"] }));
  await eventually(() => h.resources(name), (rs) => byId(rs, "Fn")?.ResourceStatus === "CREATE_IN_PROGRESS" && !!byId(rs, "Fn")?.PhysicalResourceId, 60_000);
  await advanceClock(h.server.url, ENI_CREATE_S + 5);
  await C.waitUntilStackCreateComplete({ client: h.cfn, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { StackName: name });
}

describe("--state-dir: a CloudFormation stack update resumes after kill -9", () => {
  it("UPDATE_IN_PROGRESS (a subnet replaced, a NAT gateway added, the VPC function moving) ends UPDATE_COMPLETE after restarts: the old subnet cleaned up, one of everything", async () => {
    const h = await crashable("hyperlocal-resume-update-");
    try {
      await createStack(h, "upd");
      const before = await h.resources("upd");
      const oldSubnet = byId(before, "Subnet")!.PhysicalResourceId!;
      const fnName = byId(before, "Fn")!.PhysicalResourceId!;
      const from = (await h.events("upd")).length;

      await h.cfn.send(new C.UpdateStackCommand({ StackName: "upd", UsePreviousTemplate: true, Capabilities: ["CAPABILITY_IAM"], Parameters: params({ SubnetCidr: "10.0.2.0/24", WithNat: "yes" }) }));
      // The new subnet is made; the NAT gateway in it is pending (90 s) and the function waits an hour for its ENI there.
      const mid = await eventually(
        () => h.resources("upd"),
        (rs) => byId(rs, "Subnet")!.PhysicalResourceId !== oldSubnet && !!byId(rs, "Nat")?.PhysicalResourceId && byId(rs, "Fn")!.ResourceStatus === "UPDATE_IN_PROGRESS",
        60_000,
      );
      const newSubnet = byId(mid, "Subnet")!.PhysicalResourceId!;
      const natId = byId(mid, "Nat")!.PhysicalResourceId!;
      assert.equal((await h.c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fnName }))).LastUpdateStatus, "InProgress");
      await h.settle();

      await h.restart();
      assert.equal((await h.stack("upd")).StackStatus, "UPDATE_IN_PROGRESS", "the update was not ended by the restart");
      const resumed = await h.resources("upd");
      assert.equal(byId(resumed, "Subnet")!.PhysicalResourceId, newSubnet);
      assert.equal(byId(resumed, "Nat")!.PhysicalResourceId, natId);
      await advanceClock(h.server.url, ENI_CREATE_S + 5);
      // The cleanup deletes the old subnet once Lambda has released the function's ENI there (20 minutes).
      await eventually(() => h.events("upd"), (evs) => evs.some((e) => e.LogicalResourceId === "Subnet" && e.PhysicalResourceId === oldSubnet && /Retrying in/.test(e.ResourceStatusReason ?? "")), 60_000);
      assert.equal((await h.stack("upd")).StackStatus, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS");
      await h.settle();
      await h.restart();
      assert.equal((await h.stack("upd")).StackStatus, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "the cleanup was not ended by the restart");
      await advanceClock(h.server.url, 25 * 60);
      await C.waitUntilStackUpdateComplete({ client: h.cfn, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { StackName: "upd" });

      const after = await h.resources("upd");
      assert.deepEqual(after.map((r) => [r.LogicalResourceId, r.ResourceStatus]).sort(), [["Fn", "UPDATE_COMPLETE"], ["Nat", "CREATE_COMPLETE"], ["Role", "CREATE_COMPLETE"], ["Sg", "CREATE_COMPLETE"], ["Subnet", "UPDATE_COMPLETE"], ["Vpc", "CREATE_COMPLETE"]]);
      assert.equal(byId(after, "Subnet")!.PhysicalResourceId, newSubnet);
      assert.equal(byId(after, "Fn")!.PhysicalResourceId, fnName);
      // Exactly what the template says exists: nothing made twice, nothing left behind.
      const subnets = (await h.c.ec2.send(new E.DescribeSubnetsCommand({}))).Subnets!;
      assert.deepEqual(subnets.map((s) => [s.SubnetId, s.CidrBlock]), [[newSubnet, "10.0.2.0/24"]]);
      const nats = (await h.c.ec2.send(new E.DescribeNatGatewaysCommand({}))).NatGateways!;
      assert.deepEqual(nats.map((n) => [n.NatGatewayId, n.State, n.SubnetId]), [[natId, "available", newSubnet]]);
      assert.equal((await h.c.ec2.send(new E.DescribeVpcsCommand({}))).Vpcs!.length, 1);
      assert.deepEqual(((await h.c.lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName), [fnName]);
      const cfg = await h.c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fnName }));
      assert.deepEqual([cfg.State, cfg.LastUpdateStatus, cfg.VpcConfig?.SubnetIds], ["Active", "Successful", [newSubnet]]);
      const enis = (await h.c.ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["lambda"] }] }))).NetworkInterfaces!;
      assert.deepEqual(enis.map((e) => e.SubnetId), [newSubnet]);

      // The events are AWS's, each once, as if nothing had happened (the AWS CLI reads them).
      const cli = await aws(h.server.url, ["cloudformation", "describe-stack-events", "--stack-name", "upd"]);
      assert.equal(cli.code, 0, cli.stderr);
      const evs = (cli.json.StackEvents as C.StackEvent[]).slice().reverse();
      assert.equal(evs.length, (await h.events("upd")).length);
      assert.deepEqual(trail(evs, "upd", from), ["UPDATE_IN_PROGRESS: User Initiated", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"]);
      assert.deepEqual(trail(evs, "Subnet", from), [
        "UPDATE_IN_PROGRESS",
        "UPDATE_IN_PROGRESS: Requested update requires the creation of a new physical resource; hence creating one.",
        "UPDATE_COMPLETE",
        "DELETE_IN_PROGRESS",
        ...trail(evs, "Subnet", from).filter((t) => t.startsWith("DELETE_IN_PROGRESS: ")),
        "DELETE_COMPLETE",
      ]);
      assert.deepEqual(trail(evs, "Nat", from), ["CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS: Resource creation Initiated", "CREATE_COMPLETE"]);
      assert.deepEqual(trail(evs, "Fn", from), ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]);
      assert.ok(!evs.some((e) => /FAILED/.test(e.ResourceStatus ?? "")), "nothing failed");
    } catch (e) {
      // What the server said (an internal failure is logged there) explains a failure best.
      console.log(h.server.output().slice(-6000));
      throw e;
    } finally {
      await h.kill();
    }
  });

  it("UPDATE_ROLLBACK_IN_PROGRESS (the function moving back to its subnet) ends UPDATE_ROLLBACK_COMPLETE after the restart: the old resources back, what the update made gone", async () => {
    const h = await crashable("hyperlocal-resume-rollback-");
    try {
      await createStack(h, "rb");
      const before = await h.resources("rb");
      const oldSubnet = byId(before, "Subnet")!.PhysicalResourceId!;
      const fnName = byId(before, "Fn")!.PhysicalResourceId!;
      const from = (await h.events("rb")).length;

      // The function moves to a new subnet (an hour for its ENI); then the custom resource waits an
      // hour for an answer, meanwhile Lambda releases the ENI of the function's old subnet.
      await h.cfn.send(new C.UpdateStackCommand({ StackName: "rb", TemplateBody: FAILING, Capabilities: ["CAPABILITY_IAM"], Parameters: params({ SubnetCidr: "10.0.2.0/24", Timeout: "20" }) }));
      await eventually(() => h.resources("rb"), (rs) => byId(rs, "Fn")!.ResourceStatus === "UPDATE_IN_PROGRESS", 60_000);
      const newSubnet = byId(await h.resources("rb"), "Subnet")!.PhysicalResourceId!;
      assert.notEqual(newSubnet, oldSubnet);
      await advanceClock(h.server.url, ENI_CREATE_S + 5);
      await eventually(() => h.events("rb"), (evs) => evs.some((e) => e.LogicalResourceId === "Bad" && e.ResourceStatusReason === "Resource creation Initiated"), 60_000);
      await advanceClock(h.server.url, 3600 + 5);
      // The rollback moves the function back to its old subnet, whose ENI is gone: another hour.
      await eventually(
        () => h.events("rb"),
        (evs) => {
          const i = evs.findIndex((e) => e.ResourceStatus === "UPDATE_ROLLBACK_IN_PROGRESS");
          return i > 0 && evs.slice(i).some((e) => e.LogicalResourceId === "Fn" && e.ResourceStatus === "UPDATE_IN_PROGRESS");
        },
        60_000,
      );
      assert.equal((await h.stack("rb")).StackStatus, "UPDATE_ROLLBACK_IN_PROGRESS");
      assert.equal((await h.c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fnName }))).LastUpdateStatus, "InProgress");
      await h.settle();
      const written = (await h.events("rb")).length;

      await h.restart();
      assert.equal((await h.stack("rb")).StackStatus, "UPDATE_ROLLBACK_IN_PROGRESS", "the rollback was not ended by the restart");
      assert.equal((await h.events("rb")).length, written, "the restart wrote no event");
      await advanceClock(h.server.url, ENI_CREATE_S + 5);
      // Then the cleanup deletes the new subnet once Lambda has released the function's ENI there (20 minutes).
      await eventually(() => h.events("rb"), (evs) => evs.some((e) => e.LogicalResourceId === "Subnet" && e.PhysicalResourceId === newSubnet && /Retrying in/.test(e.ResourceStatusReason ?? "")), 60_000);
      assert.equal((await h.stack("rb")).StackStatus, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS");
      await h.settle();
      await h.restart();
      assert.equal((await h.stack("rb")).StackStatus, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "the rollback's cleanup was not ended by the restart");
      await advanceClock(h.server.url, 25 * 60);
      const w = await aws(h.server.url, ["cloudformation", "wait", "stack-rollback-complete", "--stack-name", "rb"]);
      assert.equal(w.code, 0, w.stderr);
      const s = await h.stack("rb");
      assert.equal(s.StackStatus, "UPDATE_ROLLBACK_COMPLETE");

      const after = await h.resources("rb");
      assert.deepEqual(after.map((r) => r.LogicalResourceId).sort(), ["Fn", "Role", "Sg", "Subnet", "Vpc"]);
      assert.equal(byId(after, "Subnet")!.PhysicalResourceId, oldSubnet);
      const subnets = (await h.c.ec2.send(new E.DescribeSubnetsCommand({}))).Subnets!;
      assert.deepEqual(subnets.map((x) => [x.SubnetId, x.CidrBlock]), [[oldSubnet, "10.0.1.0/24"]]);
      assert.deepEqual(((await h.c.lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName), [fnName]);
      const cfg = await h.c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fnName }));
      assert.deepEqual([cfg.LastUpdateStatus, cfg.Timeout, cfg.VpcConfig?.SubnetIds], ["Successful", 10, [oldSubnet]]);
      const enis = (await h.c.ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["lambda"] }] }))).NetworkInterfaces!;
      assert.deepEqual(enis.map((e) => e.SubnetId), [oldSubnet]);

      const evs = await h.events("rb");
      assert.deepEqual(trail(evs, "rb", from), [
        "UPDATE_IN_PROGRESS: User Initiated",
        "UPDATE_ROLLBACK_IN_PROGRESS: The following resource(s) failed to create: [Bad]. ",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE",
      ]);
      assert.deepEqual(trail(evs, "Fn", from), ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE", "UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]);
      const bad = trail(evs, "Bad", from);
      assert.deepEqual(bad.map((t) => t.replace(/:.*$/s, "")), ["CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_FAILED", "DELETE_IN_PROGRESS", "DELETE_COMPLETE"]);
      assert.match(bad[2], /CloudFormation did not receive a response from your Custom Resource/);
      assert.deepEqual(trail(evs, "Responder", from), ["CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS: Resource creation Initiated", "CREATE_COMPLETE", "DELETE_IN_PROGRESS", "DELETE_COMPLETE"]);
      const subnetTrail = trail(evs, "Subnet", from);
      assert.deepEqual(subnetTrail.filter((t) => !/Retrying in/.test(t)), [
        "UPDATE_IN_PROGRESS",
        "UPDATE_IN_PROGRESS: Requested update requires the creation of a new physical resource; hence creating one.",
        "UPDATE_COMPLETE",
        "UPDATE_COMPLETE",
        "DELETE_IN_PROGRESS",
        "DELETE_COMPLETE",
      ]);
    } catch (e) {
      // What the server said (an internal failure is logged there) explains a failure best.
      console.log(h.server.output().slice(-6000));
      throw e;
    } finally {
      await h.kill();
    }
  });
});

describe("--state-dir: the rollback of a failed stack create resumes after kill -9", () => {
  it("ROLLBACK_IN_PROGRESS, waiting while Lambda releases the deleted function's ENI, ends ROLLBACK_COMPLETE after the restart with nothing left", async () => {
    const h = await crashable("hyperlocal-resume-create-rollback-");
    try {
      await h.cfn.send(new C.CreateStackCommand({ StackName: "crb", TemplateBody: FAILING, Capabilities: ["CAPABILITY_IAM"] }));
      await eventually(() => h.resources("crb"), (rs) => byId(rs, "Fn")?.ResourceStatus === "CREATE_IN_PROGRESS" && !!byId(rs, "Fn")?.PhysicalResourceId, 60_000);
      await advanceClock(h.server.url, ENI_CREATE_S + 5);
      await eventually(() => h.events("crb"), (evs) => evs.some((e) => e.LogicalResourceId === "Bad" && e.ResourceStatusReason === "Resource creation Initiated"), 60_000);
      // The custom resource gets no answer within the hour: the create fails and rolls back; the
      // subnet and the group wait while Lambda releases the deleted function's ENI (20 minutes).
      await advanceClock(h.server.url, 3600 + 5);
      await eventually(() => h.events("crb"), (evs) => evs.some((e) => e.LogicalResourceId === "Subnet" && /Retrying in/.test(e.ResourceStatusReason ?? "")), 60_000);
      assert.equal((await h.stack("crb")).StackStatus, "ROLLBACK_IN_PROGRESS");
      await h.settle();
      const written = (await h.events("crb")).length;

      await h.restart();
      assert.equal((await h.stack("crb")).StackStatus, "ROLLBACK_IN_PROGRESS", "the rollback was not ended by the restart");
      // The deletes under way are tried again at once (each try that meets the ENI says it retries); nothing else is written again.
      const since = (await h.events("crb")).slice(written);
      assert.deepEqual(since.filter((e) => !/Retrying in/.test(e.ResourceStatusReason ?? "")), [], "only retries were written after the restart");
      await advanceClock(h.server.url, 25 * 60);
      const s = await eventually(() => h.stack("crb"), (x) => x.StackStatus !== "ROLLBACK_IN_PROGRESS", 60_000);
      assert.equal(s.StackStatus, "ROLLBACK_COMPLETE");

      const evs = await h.events("crb");
      assert.deepEqual(trail(evs, "crb"), ["CREATE_IN_PROGRESS: User Initiated", "ROLLBACK_IN_PROGRESS: The following resource(s) failed to create: [Bad]. Rollback requested by user.", "ROLLBACK_COMPLETE"]);
      const subnet = trail(evs, "Subnet");
      assert.deepEqual(subnet.filter((t) => !/Retrying in/.test(t)), ["CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS: Resource creation Initiated", "CREATE_COMPLETE", "DELETE_IN_PROGRESS", "DELETE_COMPLETE"]);
      assert.ok(!evs.some((e) => e.ResourceStatus === "DELETE_FAILED"), "no delete failed");
      assert.ok((await h.resources("crb")).every((r) => r.ResourceStatus === "DELETE_COMPLETE"));
      // Nothing the stack made is left.
      assert.deepEqual((await h.c.ec2.send(new E.DescribeVpcsCommand({}))).Vpcs, []);
      assert.deepEqual((await h.c.ec2.send(new E.DescribeNetworkInterfacesCommand({}))).NetworkInterfaces, []);
      assert.deepEqual((await h.c.lambda.send(new ListFunctionsCommand({}))).Functions ?? [], []);
      assert.deepEqual(((await h.c.iam.send(new ListRolesCommand({}))).Roles ?? []).filter((r) => r.RoleName!.startsWith("crb-")), []);
    } catch (e) {
      console.log(h.server.output().slice(-6000));
      throw e;
    } finally {
      await h.kill();
    }
  });
});

/** `gen` is in every group's description (a change replaces the groups) and every function's environment (changed in place). */
const ROUNDS_TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Gen: { Type: String }
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.1.0.0/16 }
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }]
${[1, 2, 3, 4].map((i) => `  Sg${i}:\n    Type: AWS::EC2::SecurityGroup\n    Properties: { GroupDescription: !Sub "group \${Gen}", VpcId: !Ref Vpc }`).join("\n")}
${[1, 2, 3]
  .map((i) => `  Fn${i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      Role: !GetAtt Role.Arn\n      Environment: { Variables: { GEN: !Ref Gen } }\n      Code: { ZipFile: "exports.handler = async () => 'ok';" }`)
  .join("\n")}
`;

describe("--state-dir: stack operations killed at random moments", () => {
  it("a create and four updates (groups replaced, functions changed), each killed -9 a random moment after it was accepted: after each restart it completes with exactly the resources of the template, nothing made twice or left behind", async () => {
    const dir = tempDir("hyperlocal-resume-rounds-");
    const start = () => startChildServer(["--state-dir", dir, "--no-default-vpc"]);
    let server = await start();
    let cfn = new C.CloudFormationClient({ endpoint: server.url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
    let c = clients(server.url);
    try {
      for (let gen = 1; gen <= 5; gen++) {
        const input = { StackName: "rounds", TemplateBody: ROUNDS_TEMPLATE, Capabilities: [C.Capability.CAPABILITY_IAM], Parameters: params({ Gen: String(gen) }) };
        if (gen === 1) await cfn.send(new C.CreateStackCommand(input));
        else await cfn.send(new C.UpdateStackCommand(input));
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
        for (const k of Object.values(c)) k.destroy();
        cfn.destroy();
        await server.stop("SIGKILL");
        server = await start();
        cfn = new C.CloudFormationClient({ endpoint: server.url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
        c = clients(server.url);
        const s = await eventually(async () => (await cfn.send(new C.DescribeStacksCommand({ StackName: "rounds" }))).Stacks![0], (x) => !x.StackStatus!.endsWith("_IN_PROGRESS"), 60_000);
        assert.equal(s.StackStatus, gen === 1 ? "CREATE_COMPLETE" : "UPDATE_COMPLETE", `round ${gen}: ${s.StackStatusReason}`);

        const rs = (await cfn.send(new C.DescribeStackResourcesCommand({ StackName: "rounds" }))).StackResources!;
        const ids = (prefix: string) => rs.filter((r) => r.LogicalResourceId!.startsWith(prefix)).map((r) => r.PhysicalResourceId!).sort();
        const groups = (await c.ec2.send(new E.DescribeSecurityGroupsCommand({}))).SecurityGroups!.filter((g) => g.GroupName !== "default");
        assert.deepEqual(groups.map((g) => g.GroupId!).sort(), ids("Sg"), `round ${gen}: the groups are the stack's four: ${JSON.stringify(groups.map((g) => [g.GroupId, g.Description]))}`);
        assert.ok(groups.every((g) => g.Description === `group ${gen}`));
        const fns = (await c.lambda.send(new ListFunctionsCommand({}))).Functions ?? [];
        assert.deepEqual(fns.map((f) => f.FunctionName!).sort(), ids("Fn"), `round ${gen}: the functions are the stack's three`);
        assert.ok(fns.every((f) => f.Environment?.Variables?.GEN === String(gen)));
        const roles = ((await c.iam.send(new ListRolesCommand({}))).Roles ?? []).filter((r) => r.RoleName!.startsWith("rounds-"));
        assert.deepEqual(roles.map((r) => r.RoleName), ids("Role"));
        assert.equal((await c.ec2.send(new E.DescribeVpcsCommand({}))).Vpcs!.length, 1);
      }
    } catch (e) {
      console.log(server.output().slice(-6000));
      throw e;
    } finally {
      for (const k of Object.values(c)) k.destroy();
      cfn.destroy();
      await server.stop("SIGKILL");
    }
  });
});
