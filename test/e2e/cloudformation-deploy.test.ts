// The guide's VPC stack through the real AWS CLI: `aws cloudformation deploy` (change sets and the
// CLI's waiters), an invocation through the NAT gateway to a mapped internet name, an update that
// moves the function to other subnets, and delete-stack whose events show the DependencyViolation
// retries while Lambda releases its Hyperplane ENIs (passed with a clock advance). Function code
// runs, so this needs the loopback-only network namespace; "the internet" is a local server.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { GetFunctionConfigurationCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { vpcStackTemplate } from "../support/cfn-templates.ts";
import { clients, ROOT_CREDS } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { listen } from "../support/network-scenario.ts";
import { startTestServer, tempDir } from "../support/server.ts";
import { advanceClock, eventually } from "../support/zip-functions.ts";

const skip = !IN_LOOPBACK_NETNS ? NETNS_SKIP_REASON : !hasAwsCli() ? "no /usr/bin/aws" : false;

describe("CloudFormation: aws cloudformation deploy of a VPC with a function in its private subnets", { skip }, () => {
  let app: App;
  let c: ReturnType<typeof clients>;
  let cfn: CloudFormationClient;
  let api: Server;
  const file = join(tempDir("cfn-deploy-"), "vpc.yaml");
  const ids: Record<string, string> = {};

  const resources = async () => {
    const out: Record<string, string> = {};
    const r = await aws(app.url, ["cloudformation", "describe-stack-resources", "--stack-name", "vpcstack"]);
    assert.equal(r.code, 0, r.stderr);
    for (const x of r.json.StackResources) out[x.LogicalResourceId] = x.PhysicalResourceId;
    return out;
  };

  before(async () => {
    app = await startTestServer({ noDefaultVpc: true });
    c = clients(app.url);
    cfn = new CloudFormationClient({ endpoint: app.url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
    api = createServer((req, res) => res.end(`hello from api.example.com (${req.method} ${req.url})`));
    const port = await listen(api);
    const r = await fetch(`${app.url}/_hyperlocal/internet`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "api.example.com", port: 80, target: `127.0.0.1:${port}` }) });
    assert.equal(r.status, 201, await r.text());
    writeFileSync(file, vpcStackTemplate(1));
  });

  after(async () => {
    await app?.close();
    api?.close();
  });

  it("deploy creates the stack: CREATE_COMPLETE, the function Active with its ENIs in the private subnets, reaching the internet name through the NAT", async () => {
    const r = await aws(app.url, ["cloudformation", "deploy", "--template-file", file, "--stack-name", "vpcstack", "--capabilities", "CAPABILITY_IAM", "--parameter-overrides", "VpcCidr=10.0.0.0/16"]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Successfully created\/updated stack - vpcstack/);
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: "vpcstack" }))).Stacks![0];
    assert.equal(stack.StackStatus, "CREATE_COMPLETE");
    assert.deepEqual(stack.Capabilities, ["CAPABILITY_IAM"]);
    Object.assign(ids, await resources());
    assert.equal(stack.Outputs!.find((o) => o.OutputKey === "FunctionName")!.OutputValue, ids.Fn);
    assert.equal(stack.Outputs!.find((o) => o.OutputKey === "PrivateSubnets")!.OutputValue, `${ids.PrivateA},${ids.PrivateB}`);

    const fn = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: ids.Fn }));
    assert.equal(fn.State, "Active");
    assert.deepEqual(new Set(fn.VpcConfig!.SubnetIds), new Set([ids.PrivateA, ids.PrivateB]));
    assert.equal(fn.VpcConfig!.VpcId, ids.Vpc);
    const enis = (await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["lambda"] }] }))).NetworkInterfaces!;
    assert.deepEqual(new Set(enis.map((e) => e.SubnetId)), new Set([ids.PrivateA, ids.PrivateB]), "one Hyperplane ENI per private subnet");
    const role = await c.iam.send(new GetRoleCommand({ RoleName: ids.FnRole }));
    assert.match(role.Role!.RoleName!, /^vpcstack-FnRole-[A-Z0-9]{12}$/);

    const inv = await c.lambda.send(new InvokeCommand({ FunctionName: ids.Fn, Payload: Buffer.from("{}") }));
    const out = JSON.parse(Buffer.from(inv.Payload!).toString());
    assert.equal(out.ok, true, JSON.stringify(out));
    assert.match(out.body, /hello from api.example.com/);

    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "vpcstack" }))).StackEvents!;
    const natDone = events.find((e) => e.LogicalResourceId === "Nat" && e.ResourceStatus === "CREATE_COMPLETE")!;
    const privateRoute = events.find((e) => e.LogicalResourceId === "PrivateDefault" && e.ResourceStatus === "CREATE_IN_PROGRESS")!;
    assert.ok(privateRoute.Timestamp! >= natDone.Timestamp!, "the route to the NAT gateway waits until the NAT gateway is available");
  });

  it("deploy with FunctionSubnets=alt updates the function in place: its ENIs move to the alt subnets", async () => {
    const r = await aws(app.url, ["cloudformation", "deploy", "--template-file", file, "--stack-name", "vpcstack", "--capabilities", "CAPABILITY_IAM", "--parameter-overrides", "FunctionSubnets=alt"]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: "vpcstack" }))).Stacks![0];
    assert.equal(stack.StackStatus, "UPDATE_COMPLETE");
    assert.equal(stack.Parameters!.find((p) => p.ParameterKey === "VpcCidr")!.ParameterValue, "10.0.0.0/16", "UsePreviousValue kept the other parameter");
    const now = await resources();
    assert.equal(now.Fn, ids.Fn, "VpcConfig updates in place: same function");
    const fn = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: ids.Fn }));
    assert.deepEqual(new Set(fn.VpcConfig!.SubnetIds), new Set([ids.AltA, ids.AltB]));
    assert.equal(fn.Environment!.Variables!.STAGE, "alt");
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "vpcstack" }))).StackEvents!;
    assert.ok(events.some((e) => e.LogicalResourceId === "Fn" && e.ResourceStatus === "UPDATE_COMPLETE"));
    assert.ok(!events.some((e) => e.LogicalResourceId === "Fn" && e.ResourceStatusReason?.includes("requires the creation of a new physical resource")));
    const inv = await c.lambda.send(new InvokeCommand({ FunctionName: ids.Fn, Payload: Buffer.from("{}") }));
    assert.equal(JSON.parse(Buffer.from(inv.Payload!).toString()).ok, true);
    // Deploying the same again: no changes, as the CLI reports it.
    const again = await aws(app.url, ["cloudformation", "deploy", "--template-file", file, "--stack-name", "vpcstack", "--capabilities", "CAPABILITY_IAM", "--parameter-overrides", "FunctionSubnets=alt"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout + again.stderr, /No changes to deploy/);
  });

  it("delete-stack waits on DependencyViolation while Lambda releases its ENIs; a clock advance ends it; nothing is left", async () => {
    const del = await aws(app.url, ["cloudformation", "delete-stack", "--stack-name", "vpcstack"]);
    assert.equal(del.code, 0, del.stderr);
    const stackId = (await cfn.send(new DescribeStacksCommand({ StackName: "vpcstack" }))).Stacks![0].StackId!;
    const retries = await eventually(
      async () => (await cfn.send(new DescribeStackEventsCommand({ StackName: stackId }))).StackEvents!,
      (evs) => evs.some((e) => e.ResourceStatus === "DELETE_IN_PROGRESS" && /DependencyViolation|dependent object/.test(e.ResourceStatusReason ?? "")),
      20_000,
    );
    const retry = retries.find((e) => /dependent object/.test(e.ResourceStatusReason ?? ""))!;
    assert.match(retry.ResourceStatusReason!, /Retrying in \d+ seconds/);
    assert.ok(["FnSg", "AltA", "AltB", "PrivateA", "PrivateB"].includes(retry.LogicalResourceId!), retry.LogicalResourceId);
    const waiter = aws(app.url, ["cloudformation", "wait", "stack-delete-complete", "--stack-name", stackId]);
    // Lambda releases unused Hyperplane ENIs after a delay (20 minutes by default): move the clock past it.
    await advanceClock(app.url, 25 * 60);
    const w = await waiter;
    assert.equal(w.code, 0, w.stderr);
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: stackId }))).StackEvents!;
    assert.equal(events[0].ResourceStatus, "DELETE_COMPLETE");
    assert.equal(events[0].LogicalResourceId, "vpcstack");
    const fnDeleted = events.find((e) => e.LogicalResourceId === "Fn" && e.ResourceStatus === "DELETE_COMPLETE")!;
    const sgDeleted = events.find((e) => e.LogicalResourceId === "FnSg" && e.ResourceStatus === "DELETE_COMPLETE")!;
    assert.ok(sgDeleted.Timestamp!.getTime() - fnDeleted.Timestamp!.getTime() >= 20 * 60_000, "the group went only after the ENIs were released");

    assert.equal((await c.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length, 0);
    assert.equal((await c.ec2.send(new DescribeSubnetsCommand({}))).Subnets!.length, 0);
    assert.equal((await c.ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces!.length, 0);
    assert.equal((await c.ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!.length, 0);
    const fns = await aws(app.url, ["lambda", "list-functions"]);
    assert.deepEqual(fns.json.Functions, []);
    const roles = await aws(app.url, ["iam", "list-roles"]);
    assert.ok(!roles.json.Roles.some((r: { RoleName: string }) => r.RoleName.startsWith("vpcstack-")), "the role is gone");
    const gone = await aws(app.url, ["cloudformation", "describe-stacks", "--stack-name", "vpcstack"]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /Stack with id vpcstack does not exist/);
  });
});
