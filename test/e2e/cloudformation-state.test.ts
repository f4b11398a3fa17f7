// CloudFormation state lives in the store: stacks, resources, events and exports survive a restart
// with --state-dir and can be updated and deleted afterwards. DeletionPolicy / UpdateReplacePolicy
// Retain keep resources; CancelUpdateStack rolls an update back. No function code runs.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import * as C from "@aws-sdk/client-cloudformation";
import { DeleteVpcCommand, DescribeVpcsCommand, DeleteInternetGatewayCommand } from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { clients, ROOT_CREDS } from "../support/clients.ts";
import { startTestServer, tempDir } from "../support/server.ts";
import { eventually } from "../support/zip-functions.ts";
import { registerTransform } from "../../src/services/cloudformation/index.ts";

const WAIT = { maxWaitTime: 60, minDelay: 1, maxDelay: 1 };

describe("CloudFormation: state across restarts, Retain policies, CancelUpdateStack", () => {
  const apps: App[] = [];
  after(async () => {
    for (const a of apps) await a.close().catch(() => {});
  });
  const start = async (stateDir?: string) => {
    const app = await startTestServer({ noDefaultVpc: true, ...(stateDir ? { stateDir } : {}) });
    apps.push(app);
    return { app, cfn: new C.CloudFormationClient({ endpoint: app.url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 }), c: clients(app.url) };
  };

  it("a stack made before a restart is there after it, with its events and exports, and deletes cleanly", async () => {
    const dir = tempDir("cfn-state-");
    const one = await start(dir);
    const body = `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.6.0.0/16 }\n  Sn:\n    Type: AWS::EC2::Subnet\n    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.6.1.0/24 }\nOutputs:\n  V:\n    Value: !Ref Vpc\n    Export: { Name: kept-vpc }\n`;
    await one.cfn.send(new C.CreateStackCommand({ StackName: "kept", TemplateBody: body }));
    await C.waitUntilStackCreateComplete({ client: one.cfn, ...WAIT }, { StackName: "kept" });
    const before = (await one.cfn.send(new C.DescribeStacksCommand({ StackName: "kept" }))).Stacks![0];
    const eventsBefore = (await one.cfn.send(new C.DescribeStackEventsCommand({ StackName: "kept" }))).StackEvents!.length;
    await one.app.close();

    const two = await start(dir);
    const after = (await two.cfn.send(new C.DescribeStacksCommand({ StackName: "kept" }))).Stacks![0];
    assert.equal(after.StackId, before.StackId);
    assert.equal(after.StackStatus, "CREATE_COMPLETE");
    assert.deepEqual(after.Outputs, before.Outputs);
    assert.equal((await two.cfn.send(new C.DescribeStackEventsCommand({ StackName: "kept" }))).StackEvents!.length, eventsBefore);
    assert.deepEqual((await two.cfn.send(new C.ListExportsCommand({}))).Exports!.map((e) => e.Name), ["kept-vpc"]);
    await two.cfn.send(new C.DeleteStackCommand({ StackName: "kept" }));
    await C.waitUntilStackDeleteComplete({ client: two.cfn, ...WAIT }, { StackName: before.StackId! });
    assert.equal((await two.c.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length, 0);
    await two.app.close();
  });

  it("with --state-dir, a change set completes in the background, and it and the stack it makes survive a restart", async () => {
    const dir = tempDir("cfn-state-cs-");
    const one = await start(dir);
    const body = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.7.0.0/16 }\n";
    await one.cfn.send(new C.CreateChangeSetCommand({ StackName: "cs-kept", ChangeSetName: "first", ChangeSetType: "CREATE", TemplateBody: body }));
    // Computed by a clock timer after the answer: with --state-dir it changes the stored (tracked) record.
    await C.waitUntilChangeSetCreateComplete({ client: one.cfn, ...WAIT }, { StackName: "cs-kept", ChangeSetName: "first" });
    await one.app.close();

    const two = await start(dir);
    const cs = await two.cfn.send(new C.DescribeChangeSetCommand({ StackName: "cs-kept", ChangeSetName: "first" }));
    assert.equal(cs.Status, "CREATE_COMPLETE");
    assert.equal(cs.ExecutionStatus, "AVAILABLE");
    assert.deepEqual(cs.Changes!.map((c) => c.ResourceChange?.LogicalResourceId), ["Vpc"]);
    await two.cfn.send(new C.ExecuteChangeSetCommand({ StackName: "cs-kept", ChangeSetName: "first" }));
    await C.waitUntilStackCreateComplete({ client: two.cfn, ...WAIT }, { StackName: "cs-kept" });
    await two.app.close();

    const three = await start(dir);
    const stack = (await three.cfn.send(new C.DescribeStacksCommand({ StackName: "cs-kept" }))).Stacks![0];
    assert.equal(stack.StackStatus, "CREATE_COMPLETE");
    const res = (await three.cfn.send(new C.DescribeStackResourcesCommand({ StackName: "cs-kept" }))).StackResources!;
    assert.deepEqual(res.map((r) => [r.LogicalResourceId, r.ResourceStatus]), [["Vpc", "CREATE_COMPLETE"]]);
    assert.deepEqual((await three.c.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.map((v) => v.VpcId), [res[0].PhysicalResourceId]);
    await three.app.close();
  });

  it("GetTemplate: Original and Processed stages of a transformed template, and a change set's template", async () => {
    const { cfn } = await start();
    // The SAM issue registers AWS::Serverless-2016-10-31 the same way.
    registerTransform({ name: "Test::Vpc", apply: (t) => ({ ...t, Resources: { Vpc: { Type: "AWS::EC2::VPC", Properties: { CidrBlock: "10.40.0.0/16" } } } }) });
    const body = "Transform: Test::Vpc\nResources:\n  Net:\n    Type: Test::Network\n";
    await cfn.send(new C.CreateChangeSetCommand({ StackName: "tx", ChangeSetName: "cs", ChangeSetType: "CREATE", TemplateBody: body }));
    await C.waitUntilChangeSetCreateComplete({ client: cfn, ...WAIT }, { StackName: "tx", ChangeSetName: "cs" });
    const fromCs = await cfn.send(new C.GetTemplateCommand({ StackName: "tx", ChangeSetName: "cs", TemplateStage: "Processed" }));
    assert.deepEqual(JSON.parse(fromCs.TemplateBody!), { Resources: { Vpc: { Type: "AWS::EC2::VPC", Properties: { CidrBlock: "10.40.0.0/16" } } } });
    await cfn.send(new C.ExecuteChangeSetCommand({ StackName: "tx", ChangeSetName: "cs" }));
    await C.waitUntilStackCreateComplete({ client: cfn, ...WAIT }, { StackName: "tx" });
    assert.equal((await cfn.send(new C.GetTemplateCommand({ StackName: "tx" }))).TemplateBody, body);
    const processed = await cfn.send(new C.GetTemplateCommand({ StackName: "tx", TemplateStage: "Processed" }));
    assert.equal(JSON.parse(processed.TemplateBody!).Resources.Vpc.Type, "AWS::EC2::VPC");
    const summary = await cfn.send(new C.GetTemplateSummaryCommand({ TemplateBody: body }));
    assert.deepEqual(summary.DeclaredTransforms, ["Test::Vpc"]);
    assert.deepEqual(summary.ResourceTypes, ["AWS::EC2::VPC"]);
  });

  it("DeletionPolicy Retain keeps the resource (DELETE_SKIPPED); UpdateReplacePolicy Retain keeps the replaced one", async () => {
    const { cfn, c } = await start();
    const body = (cidr: string) => `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    UpdateReplacePolicy: Retain\n    Properties: { CidrBlock: ${cidr} }\n  Igw:\n    Type: AWS::EC2::InternetGateway\n    DeletionPolicy: Retain\n`;
    await cfn.send(new C.CreateStackCommand({ StackName: "retain", TemplateBody: body("10.10.0.0/16") }));
    await C.waitUntilStackCreateComplete({ client: cfn, ...WAIT }, { StackName: "retain" });
    const first = Object.fromEntries((await cfn.send(new C.ListStackResourcesCommand({ StackName: "retain" }))).StackResourceSummaries!.map((r) => [r.LogicalResourceId, r.PhysicalResourceId]));
    await cfn.send(new C.UpdateStackCommand({ StackName: "retain", TemplateBody: body("10.11.0.0/16") }));
    await C.waitUntilStackUpdateComplete({ client: cfn, ...WAIT }, { StackName: "retain" });
    const id = (await cfn.send(new C.DescribeStacksCommand({ StackName: "retain" }))).Stacks![0].StackId!;
    await cfn.send(new C.DeleteStackCommand({ StackName: "retain" }));
    await C.waitUntilStackDeleteComplete({ client: cfn, ...WAIT }, { StackName: id });
    const evs = (await cfn.send(new C.DescribeStackEventsCommand({ StackName: id }))).StackEvents!;
    assert.ok(evs.some((e) => e.LogicalResourceId === "Igw" && e.ResourceStatus === "DELETE_SKIPPED"));
    const vpcs = (await c.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.map((v) => v.CidrBlock);
    assert.deepEqual(vpcs, ["10.10.0.0/16"], "the replaced VPC was retained, the stack's last one deleted");
    await c.ec2.send(new DeleteVpcCommand({ VpcId: first.Vpc }));
    await c.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: first.Igw }));
  });

  it("CancelUpdateStack during an update waiting on a NAT gateway: UPDATE_ROLLBACK_COMPLETE, the NAT gateway gone", async () => {
    const { cfn } = await start();
    const base = `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.12.0.0/16 }\n  Sn:\n    Type: AWS::EC2::Subnet\n    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.12.0.0/24 }\n`;
    await cfn.send(new C.CreateStackCommand({ StackName: "cancel", TemplateBody: base }));
    await C.waitUntilStackCreateComplete({ client: cfn, ...WAIT }, { StackName: "cancel" });
    const withNat = `${base}  Nat:\n    Type: AWS::EC2::NatGateway\n    Properties: { SubnetId: !Ref Sn, ConnectivityType: private }\n  After:\n    Type: AWS::EC2::InternetGateway\n    DependsOn: Nat\n`;
    await cfn.send(new C.UpdateStackCommand({ StackName: "cancel", TemplateBody: withNat }));
    await eventually(async () => (await cfn.send(new C.DescribeStackEventsCommand({ StackName: "cancel" }))).StackEvents!, (evs) => evs.some((e) => e.LogicalResourceId === "Nat" && e.ResourceStatusReason === "Resource creation Initiated"));
    await cfn.send(new C.CancelUpdateStackCommand({ StackName: "cancel" }));
    const s = await eventually(async () => (await cfn.send(new C.DescribeStacksCommand({ StackName: "cancel" }))).Stacks![0], (x) => !x.StackStatus!.endsWith("IN_PROGRESS"), 30_000);
    assert.equal(s.StackStatus, "UPDATE_ROLLBACK_COMPLETE");
    const rs = (await cfn.send(new C.ListStackResourcesCommand({ StackName: "cancel" }))).StackResourceSummaries!.map((r) => r.LogicalResourceId).sort();
    assert.deepEqual(rs, ["Sn", "Vpc"]);
    const evs = (await cfn.send(new C.DescribeStackEventsCommand({ StackName: "cancel" }))).StackEvents!;
    assert.equal(evs.find((e) => e.ResourceStatus === "UPDATE_ROLLBACK_IN_PROGRESS")!.ResourceStatusReason, "Stack update cancelled");
    assert.ok(!evs.some((e) => e.LogicalResourceId === "After"), "nothing after the cancel started");
  });
});
