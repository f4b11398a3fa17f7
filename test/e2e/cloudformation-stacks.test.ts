// CloudFormation with the SDK v3 (waiters, change sets) and the CLI (create-stack, update-stack,
// describe-stack-events, get-template, list-exports): IAM as the caller or the stack's role, the
// ordering trap, capabilities, termination protection, exports in use, replacement on update.
// Functions are created (their ENIs too) but no function code runs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as C from "@aws-sdk/client-cloudformation";
import { CreateVpcCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, ListRolesCommand, PutRolePolicyCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { ListFunctionsCommand } from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients, rejects, ROOT_CREDS, type Creds } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";
import { eventually } from "../support/zip-functions.ts";

const WAIT = { maxWaitTime: 60, minDelay: 1, maxDelay: 1 };

const NET = `
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.1.0.0/16 }
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.1.1.0/24, Tags: [{ Key: tier, Value: app }] }
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: { GroupDescription: app, VpcId: !Ref Vpc }
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }]`;

/** The ordering trap: the function needs the policy's permissions, but nothing orders the two. */
function trapTemplate(dependsOn: boolean): string {
  return `Resources:${NET}
  VpcPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: vpc-access
      Roles: [!Ref Role]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: [ec2:CreateNetworkInterface, ec2:DescribeNetworkInterfaces, ec2:DescribeSubnets, ec2:DeleteNetworkInterface, ec2:AssignPrivateIpAddresses, ec2:UnassignPrivateIpAddresses]
            Resource: "*"
  Fn:
    Type: AWS::Lambda::Function
    ${dependsOn ? "DependsOn: VpcPolicy\n    " : ""}Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: { ZipFile: "exports.handler = async () => 'ok';" }
      VpcConfig: { SubnetIds: [!Ref Subnet], SecurityGroupIds: [!Ref Sg] }
`;
}

describe("CloudFormation: stacks, change sets, IAM and the ordering trap through the SDK and the CLI", () => {
  let app: App;
  let c: ReturnType<typeof clients>;
  let cfn: C.CloudFormationClient;
  const cfnAs = (creds: Creds) => new C.CloudFormationClient({ endpoint: app.url, region: "us-east-1", credentials: creds, maxAttempts: 1 });
  const settled = (name: string) => eventually(async () => (await cfn.send(new C.DescribeStacksCommand({ StackName: name }))).Stacks![0], (s) => !s.StackStatus!.endsWith("IN_PROGRESS"));
  const events = async (name: string) => (await cfn.send(new C.DescribeStackEventsCommand({ StackName: name }))).StackEvents!;
  const deleted = async (name: string) => {
    const id = (await cfn.send(new C.DescribeStacksCommand({ StackName: name }))).Stacks![0].StackId!;
    await cfn.send(new C.DeleteStackCommand({ StackName: name }));
    await C.waitUntilStackDeleteComplete({ client: cfn, ...WAIT }, { StackName: id });
  };
  const userWith = async (name: string, policy: object): Promise<Creds> => {
    await c.iam.send(new CreateUserCommand({ UserName: name }));
    await c.iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: JSON.stringify(policy) }));
    const k = (await c.iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
  };

  before(async () => {
    app = await startTestServer({ noDefaultVpc: true });
    c = clients(app.url);
    cfn = cfnAs(ROOT_CREDS);
  });
  after(() => app?.close());

  it("the ordering trap: the function goes before the policy its role needs, fails with Lambda's text naming the DependsOn, and rolls back to nothing", async () => {
    await cfn.send(new C.CreateStackCommand({ StackName: "trap", TemplateBody: trapTemplate(false), Capabilities: ["CAPABILITY_IAM"] }));
    const s = await settled("trap");
    assert.equal(s.StackStatus, "ROLLBACK_COMPLETE");
    const evs = await events("trap");
    const failed = evs.find((e) => e.LogicalResourceId === "Fn" && e.ResourceStatus === "CREATE_FAILED")!;
    assert.match(failed.ResourceStatusReason!, /^Resource handler returned message: "The provided execution role does not have permissions to call CreateNetworkInterface on EC2 \(Service: Lambda, Status Code: 400, Request ID: [0-9a-f-]+\)" \(RequestToken: [0-9a-f-]+, HandlerErrorCode: InvalidRequest\)/);
    assert.match(failed.ResourceStatusReason!, /add "DependsOn: VpcPolicy" to Fn/);
    const policyStarted = evs.find((e) => e.LogicalResourceId === "VpcPolicy" && e.ResourceStatus === "CREATE_IN_PROGRESS");
    if (policyStarted) assert.ok(policyStarted.Timestamp! >= failed.Timestamp!, "the policy started only after the function was decided");
    assert.equal((await c.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length, 0);
    assert.equal((await c.iam.send(new ListRolesCommand({}))).Roles!.length, 0);
    assert.equal((await c.lambda.send(new ListFunctionsCommand({}))).Functions!.length, 0);
  });

  it("with the DependsOn the same template creates (the function waits for its Hyperplane ENI, Active), and deletes after the ENI release", async () => {
    await cfn.send(new C.CreateStackCommand({ StackName: "trapfixed", TemplateBody: trapTemplate(true), Capabilities: ["CAPABILITY_IAM"] }));
    await C.waitUntilStackCreateComplete({ client: cfn, ...WAIT }, { StackName: "trapfixed" });
    const fn = (await c.lambda.send(new ListFunctionsCommand({}))).Functions![0];
    assert.match(fn.FunctionName!, /^trapfixed-Fn-[A-Z0-9]{12}$/);
    const id = (await cfn.send(new C.DescribeStacksCommand({ StackName: "trapfixed" }))).Stacks![0].StackId!;
    await cfn.send(new C.DeleteStackCommand({ StackName: "trapfixed" }));
    await eventually(async () => await events(id), (evs) => evs.some((e) => /dependent object/.test(e.ResourceStatusReason ?? "")), 20_000);
    await fetch(`${app.url}/_hyperlocal/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds: 25 * 60 }) });
    await C.waitUntilStackDeleteComplete({ client: cfn, ...WAIT }, { StackName: id });
    assert.equal((await c.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length, 0);
  });

  it("a user without ec2:CreateVpc: CREATE_FAILED with EC2's own denial text, the same EC2 gives that user directly", async () => {
    const creds = await userWith("builder", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["cloudformation:*", "ec2:Describe*"], Resource: "*" }] });
    const direct = await rejects(clients(app.url, creds).ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" })));
    assert.equal(direct.name, "UnauthorizedOperation");
    await cfnAs(creds).send(new C.CreateStackCommand({ StackName: "denied", TemplateBody: `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.0.0.0/16 }\n` }));
    assert.equal((await settled("denied")).StackStatus, "ROLLBACK_COMPLETE");
    const failed = (await events("denied")).find((e) => e.ResourceStatus === "CREATE_FAILED")!;
    assert.ok(failed.ResourceStatusReason!.startsWith(`Resource handler returned message: "${direct.message} (Service: Ec2, Status Code: 403, Request ID: `), failed.ResourceStatusReason);
    assert.match(failed.ResourceStatusReason!, /HandlerErrorCode: AccessDenied\)$/);
    // And CloudFormation's own actions are authorized on the stack's ARN.
    const none = await userWith("nobody", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:*", Resource: "*" }] });
    const e = await rejects(cfnAs(none).send(new C.CreateStackCommand({ StackName: "x", TemplateBody: `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.0.0.0/16 }\n` })));
    assert.equal(e.name, "AccessDenied");
    assert.equal(e.$metadata.httpStatusCode, 403);
    assert.equal(e.message, "User: arn:aws:iam::000000000000:user/nobody is not authorized to perform: cloudformation:CreateStack on resource: arn:aws:cloudformation:us-east-1:000000000000:stack/x/* because no identity-based policy allows the cloudformation:CreateStack action");
  });

  it("RoleARN: the stack acts as its role, so a caller with only cloudformation:* and iam:PassRole builds a VPC", async () => {
    await c.iam.send(new CreateRoleCommand({ RoleName: "cfn-exec", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "cloudformation.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }));
    await c.iam.send(new PutRolePolicyCommand({ RoleName: "cfn-exec", PolicyName: "ec2", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:*", Resource: "*" }] }) }));
    const creds = await userWith("deployer", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["cloudformation:*", "iam:PassRole"], Resource: "*" }] });
    const mine = cfnAs(creds);
    const body = `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.4.0.0/16 }\n`;
    await mine.send(new C.CreateStackCommand({ StackName: "withrole", TemplateBody: body, RoleARN: "arn:aws:iam::000000000000:role/cfn-exec", Tags: [{ Key: "team", Value: "net" }] }));
    await C.waitUntilStackCreateComplete({ client: mine, ...WAIT }, { StackName: "withrole" });
    const s = (await mine.send(new C.DescribeStacksCommand({ StackName: "withrole" }))).Stacks![0];
    assert.equal(s.RoleARN, "arn:aws:iam::000000000000:role/cfn-exec");
    const vpc = (await c.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "cidr", Values: ["10.4.0.0/16"] }] }))).Vpcs![0];
    assert.deepEqual(vpc.Tags!.filter((t) => !t.Key!.startsWith("aws:")), [{ Key: "team", Value: "net" }], "stack tags reach resources that take tags");
    const e = await rejects(mine.send(new C.CreateStackCommand({ StackName: "badrole", TemplateBody: body, RoleARN: "arn:aws:iam::000000000000:role/nope" })));
    assert.equal(e.message, "Role arn:aws:iam::000000000000:role/nope is invalid or cannot be assumed");
    await mine.send(new C.DeleteStackCommand({ StackName: "withrole" }));
    await C.waitUntilStackDeleteComplete({ client: mine, ...WAIT }, { StackName: s.StackId! });
  });

  it("change sets (CREATE, then UPDATE with a replacement and an in-place change) with the SDK waiters; termination protection; exports in use", async () => {
    const body = (desc: string, tier: string) =>
      `Resources:${NET.replace("GroupDescription: app", `GroupDescription: ${desc}`).replace("Value: app }", `Value: ${tier} }`)}\nOutputs:\n  VpcId:\n    Value: !Ref Vpc\n    Export: { Name: net-vpc }\n`;
    const created = await cfn.send(new C.CreateChangeSetCommand({ StackName: "net", ChangeSetName: "first", ChangeSetType: "CREATE", TemplateBody: body("app", "app"), Capabilities: ["CAPABILITY_IAM"] }));
    assert.match(created.Id!, /^arn:aws:cloudformation:us-east-1:000000000000:changeSet\/first\/[0-9a-f-]{36}$/);
    assert.equal((await cfn.send(new C.DescribeStacksCommand({ StackName: "net" }))).Stacks![0].StackStatus, "REVIEW_IN_PROGRESS");
    await C.waitUntilChangeSetCreateComplete({ client: cfn, ...WAIT }, { StackName: "net", ChangeSetName: "first" });
    const cs = await cfn.send(new C.DescribeChangeSetCommand({ StackName: "net", ChangeSetName: "first" }));
    assert.equal(cs.ExecutionStatus, "AVAILABLE");
    assert.deepEqual(cs.Changes!.map((x) => `${x.ResourceChange!.Action} ${x.ResourceChange!.LogicalResourceId}`).sort(), ["Add Role", "Add Sg", "Add Subnet", "Add Vpc"]);
    await cfn.send(new C.ExecuteChangeSetCommand({ StackName: "net", ChangeSetName: "first" }));
    await C.waitUntilStackCreateComplete({ client: cfn, ...WAIT }, { StackName: "net" });
    const before = Object.fromEntries((await cfn.send(new C.ListStackResourcesCommand({ StackName: "net" }))).StackResourceSummaries!.map((r) => [r.LogicalResourceId, r.PhysicalResourceId]));

    await cfn.send(new C.CreateChangeSetCommand({ StackName: "net", ChangeSetName: "second", TemplateBody: body("application", "web"), Capabilities: ["CAPABILITY_IAM"] }));
    await C.waitUntilChangeSetCreateComplete({ client: cfn, ...WAIT }, { StackName: "net", ChangeSetName: "second" });
    const upd = await cfn.send(new C.DescribeChangeSetCommand({ StackName: "net", ChangeSetName: "second" }));
    const byId = Object.fromEntries(upd.Changes!.map((x) => [x.ResourceChange!.LogicalResourceId, x.ResourceChange!]));
    assert.deepEqual(Object.keys(byId).sort(), ["Sg", "Subnet"]);
    assert.equal(byId.Sg.Action, "Modify");
    assert.equal(byId.Sg.Replacement, "True", "a security group's GroupDescription replaces it");
    assert.deepEqual(byId.Sg.Details![0].Target, { Attribute: "Properties", Name: "GroupDescription", RequiresRecreation: "Always" });
    assert.equal(byId.Subnet.Replacement, "False", "tags update in place");
    const list = (await cfn.send(new C.ListChangeSetsCommand({ StackName: "net" }))).Summaries!;
    assert.deepEqual(list.map((x) => `${x.ChangeSetName} ${x.ExecutionStatus}`).sort(), ["first EXECUTE_COMPLETE", "second AVAILABLE"]);
    // A change set with nothing in it fails as AWS says.
    await cfn.send(new C.CreateChangeSetCommand({ StackName: "net", ChangeSetName: "same", TemplateBody: body("app", "app"), Capabilities: ["CAPABILITY_IAM"] }));
    const same = await eventually(async () => await cfn.send(new C.DescribeChangeSetCommand({ StackName: "net", ChangeSetName: "same" })), (x) => x.Status !== "CREATE_PENDING");
    assert.equal(same.Status, "FAILED");
    assert.equal(same.StatusReason, "The submitted information didn't contain changes. Submit different information to create a change set.");
    await cfn.send(new C.DeleteChangeSetCommand({ StackName: "net", ChangeSetName: "same" }));
    const gone = await rejects(cfn.send(new C.DescribeChangeSetCommand({ StackName: "net", ChangeSetName: "same" })));
    assert.equal(gone.name, "ChangeSetNotFoundException");

    await cfn.send(new C.ExecuteChangeSetCommand({ StackName: "net", ChangeSetName: "second" }));
    await C.waitUntilStackUpdateComplete({ client: cfn, ...WAIT }, { StackName: "net" });
    const after = Object.fromEntries((await cfn.send(new C.ListStackResourcesCommand({ StackName: "net" }))).StackResourceSummaries!.map((r) => [r.LogicalResourceId, r.PhysicalResourceId]));
    assert.notEqual(after.Sg, before.Sg, "replaced: a new group");
    assert.equal(after.Subnet, before.Subnet);
    const groups = (await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [after.Vpc!] }] }))).SecurityGroups!;
    assert.deepEqual(groups.map((g) => g.GroupId).sort(), [after.Sg, groups.find((g) => g.GroupName === "default")!.GroupId].sort(), "the old group was deleted in the cleanup");
    const sn = (await c.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [after.Subnet!] }))).Subnets![0];
    assert.deepEqual(sn.Tags!.filter((t) => !t.Key!.startsWith("aws:")), [{ Key: "tier", Value: "web" }]);
    const statuses = (await events("net")).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`).reverse();
    const cleanup = statuses.indexOf("net UPDATE_COMPLETE_CLEANUP_IN_PROGRESS");
    assert.ok(cleanup > 0 && statuses.indexOf("Sg DELETE_COMPLETE") > cleanup, "the old group goes in the cleanup phase");

    // Exports and imports.
    const importer = `Resources:\n  Sg2:\n    Type: AWS::EC2::SecurityGroup\n    Properties: { GroupDescription: other, VpcId: !ImportValue net-vpc }\n`;
    await cfn.send(new C.CreateStackCommand({ StackName: "user", TemplateBody: importer }));
    await C.waitUntilStackCreateComplete({ client: cfn, ...WAIT }, { StackName: "user" });
    assert.deepEqual((await cfn.send(new C.ListExportsCommand({}))).Exports!.map((e) => [e.Name, e.Value]), [["net-vpc", after.Vpc]]);
    assert.deepEqual((await cfn.send(new C.ListImportsCommand({ ExportName: "net-vpc" }))).Imports, ["user"]);

    // Termination protection, then the export in use.
    await cfn.send(new C.UpdateTerminationProtectionCommand({ StackName: "net", EnableTerminationProtection: true }));
    const prot = await rejects(cfn.send(new C.DeleteStackCommand({ StackName: "net" })));
    assert.equal(prot.message, "Stack [net] cannot be deleted while TerminationProtection is enabled");
    await cfn.send(new C.UpdateTerminationProtectionCommand({ StackName: "net", EnableTerminationProtection: false }));
    await cfn.send(new C.DeleteStackCommand({ StackName: "net" }));
    const inUse = await settled("net");
    assert.equal(inUse.StackStatus, "DELETE_FAILED");
    assert.equal(inUse.StackStatusReason, "Export net-vpc cannot be deleted as it is in use by user");
    await deleted("user");
    await deleted("net");
    assert.deepEqual((await cfn.send(new C.ListExportsCommand({}))).Exports, []);
    assert.equal((await c.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "cidr", Values: ["10.1.0.0/16"] }] }))).Vpcs!.length, 0);
  });

  it("a failed update rolls back: the replacement made meanwhile is deleted, the in-place change undone (UPDATE_ROLLBACK_COMPLETE)", async () => {
    const body = (dns: boolean, desc: string, cidr: string) =>
      `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.5.0.0/16, EnableDnsHostnames: ${dns} }\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties: { GroupDescription: ${desc}, VpcId: !Ref Vpc }\n  Subnet:\n    Type: AWS::EC2::Subnet\n    Properties: { VpcId: !Ref Vpc, CidrBlock: ${cidr} }\n`;
    await cfn.send(new C.CreateStackCommand({ StackName: "rb", TemplateBody: body(false, "one", "10.5.1.0/24") }));
    await C.waitUntilStackCreateComplete({ client: cfn, ...WAIT }, { StackName: "rb" });
    const before = Object.fromEntries((await cfn.send(new C.ListStackResourcesCommand({ StackName: "rb" }))).StackResourceSummaries!.map((r) => [r.LogicalResourceId, r.PhysicalResourceId]));
    await cfn.send(new C.UpdateStackCommand({ StackName: "rb", TemplateBody: body(true, "two", "192.168.0.0/24") }));
    const s = await settled("rb");
    assert.equal(s.StackStatus, "UPDATE_ROLLBACK_COMPLETE");
    const evs = await events("rb");
    const rollback = evs.find((e) => e.ResourceStatus === "UPDATE_ROLLBACK_IN_PROGRESS")!;
    assert.equal(rollback.ResourceStatusReason, "The following resource(s) failed to update: [Subnet]. ");
    const failed = evs.find((e) => e.LogicalResourceId === "Subnet" && e.ResourceStatus === "UPDATE_FAILED")!;
    assert.match(failed.ResourceStatusReason!, /The CIDR '192\.168\.0\.0\/24' is invalid\. \(Service: Ec2, Status Code: 400/);
    const after = Object.fromEntries((await cfn.send(new C.ListStackResourcesCommand({ StackName: "rb" }))).StackResourceSummaries!.map((r) => [r.LogicalResourceId, r.PhysicalResourceId]));
    assert.deepEqual(after, before, "every resource is the one from before the update");
    const groups = (await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [before.Vpc!] }] }))).SecurityGroups!;
    assert.deepEqual(groups.map((g) => g.GroupId).sort(), [before.Sg, groups.find((g) => g.GroupName === "default")!.GroupId].sort(), "the replacement group made during the update is gone");
    const { DescribeVpcAttributeCommand } = await import("@aws-sdk/client-ec2");
    const dns = await c.ec2.send(new DescribeVpcAttributeCommand({ VpcId: before.Vpc, Attribute: "enableDnsHostnames" }));
    assert.equal(dns.EnableDnsHostnames!.Value, false, "the in-place change was undone");
    const tpl = await cfn.send(new C.GetTemplateCommand({ StackName: "rb" }));
    assert.equal(tpl.TemplateBody, body(false, "one", "10.5.1.0/24"), "the stack keeps its previous template");
    await deleted("rb");
  });

  it("the CLI: create-stack, wait, update-stack, describe-stack-events, get-template, list-exports, delete-stack", { skip: !hasAwsCli() && "no /usr/bin/aws" }, async () => {
    const body = `Parameters:\n  Cidr: { Type: String, Default: 10.7.0.0/16 }\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: !Ref Cidr, EnableDnsHostnames: false }\nOutputs:\n  Id:\n    Value: !Ref Vpc\n    Export: { Name: !Sub "\${AWS::StackName}-id" }\n`;
    const cr = await aws(app.url, ["cloudformation", "create-stack", "--stack-name", "cli", "--template-body", body]);
    assert.equal(cr.code, 0, cr.stderr);
    assert.match(cr.json.StackId, /^arn:aws:cloudformation:us-east-1:000000000000:stack\/cli\//);
    const w = await aws(app.url, ["cloudformation", "wait", "stack-create-complete", "--stack-name", "cli"]);
    assert.equal(w.code, 0, w.stderr);
    const up = await aws(app.url, ["cloudformation", "update-stack", "--stack-name", "cli", "--use-previous-template", "--parameters", "ParameterKey=Cidr,ParameterValue=10.8.0.0/16"]);
    assert.equal(up.code, 0, up.stderr);
    const w2 = await aws(app.url, ["cloudformation", "wait", "stack-update-complete", "--stack-name", "cli"]);
    assert.equal(w2.code, 0, w2.stderr);
    const noop = await aws(app.url, ["cloudformation", "update-stack", "--stack-name", "cli", "--use-previous-template", "--parameters", "ParameterKey=Cidr,UsePreviousValue=true"]);
    assert.notEqual(noop.code, 0);
    assert.match(noop.stderr, /ValidationError.*No updates are to be performed\./);
    const ev = await aws(app.url, ["cloudformation", "describe-stack-events", "--stack-name", "cli"]);
    const seq = ev.json.StackEvents.map((e: any) => `${e.LogicalResourceId} ${e.ResourceStatus}${e.ResourceStatusReason ? ` ${e.ResourceStatusReason}` : ""}`).reverse();
    assert.deepEqual(seq.filter((s: string) => s.startsWith("cli ")), ["cli CREATE_IN_PROGRESS User Initiated", "cli CREATE_COMPLETE", "cli UPDATE_IN_PROGRESS User Initiated", "cli UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "cli UPDATE_COMPLETE"]);
    assert.ok(seq.includes("Vpc UPDATE_IN_PROGRESS Requested update requires the creation of a new physical resource; hence creating one."), seq.join("\n"));
    const tpl = await aws(app.url, ["cloudformation", "get-template", "--stack-name", "cli"]);
    assert.equal(tpl.code, 0, tpl.stderr);
    assert.equal(tpl.json.TemplateBody, body);
    assert.deepEqual(tpl.json.StagesAvailable, ["Original", "Processed"]);
    const ex = await aws(app.url, ["cloudformation", "list-exports"]);
    assert.deepEqual(ex.json.Exports.map((e: any) => e.Name), ["cli-id"]);
    const vpcs = (await c.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "cidr", Values: ["10.8.0.0/16", "10.7.0.0/16"] }] }))).Vpcs!;
    assert.deepEqual(vpcs.map((v) => v.CidrBlock), ["10.8.0.0/16"], "the replaced VPC was deleted in the cleanup");
    assert.equal(ex.json.Exports[0].Value, vpcs[0].VpcId);
    const summary = await aws(app.url, ["cloudformation", "get-template-summary", "--stack-name", "cli"]);
    assert.deepEqual(summary.json.ResourceTypes, ["AWS::EC2::VPC"]);
    assert.equal((await aws(app.url, ["cloudformation", "delete-stack", "--stack-name", "cli"])).code, 0);
    const stacks = await aws(app.url, ["cloudformation", "list-stacks", "--stack-status-filter", "DELETE_COMPLETE", "DELETE_IN_PROGRESS"]);
    assert.ok(stacks.json.StackSummaries.some((s: any) => s.StackName === "cli"));
  });
});
