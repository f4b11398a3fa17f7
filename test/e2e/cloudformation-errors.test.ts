// Bad input for CloudFormation: malformed templates, unknown types and properties, wrong types, bad
// intrinsic functions, cycles, unresolved references and parameter constraint failures. Each gets
// AWS's error (at the call) or AWS's event text (when the resource is created), and none leaves a
// resource behind in EC2, IAM or Lambda. No function code runs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CloudFormationClient, CreateStackCommand, DescribeStackEventsCommand, DescribeStacksCommand, ValidateTemplateCommand, type Parameter } from "@aws-sdk/client-cloudformation";
import { CreateVpcCommand, DeleteVpcCommand, DescribeInternetGatewaysCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { ListRolesCommand } from "@aws-sdk/client-iam";
import { ListFunctionsCommand } from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { clients, rejects, ROOT_CREDS } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";
import { eventually } from "../support/zip-functions.ts";

const VPC = `  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.0.0.0/16 }\n`;

interface SyncCase {
  name: string;
  body: string;
  params?: Parameter[];
  capabilities?: string[];
  code?: string;
  message: string | RegExp;
}

const SYNC: SyncCase[] = [
  { name: "JSON syntax", body: `{"Resources": {"Vpc": {"Type": "AWS::EC2::VPC",}}`, message: /^Template format error: JSON not well-formed\. \(line 1, +column \d+\)$/ },
  { name: "YAML syntax", body: `Resources:\n  Vpc: [\n  Type: x`, message: /^Template format error: YAML not well-formed\. \(line \d+, column \d+\)$/ },
  { name: "no Resources", body: `Description: nothing`, message: "Template format error: At least one Resources member must be defined." },
  { name: "empty Resources", body: `Resources: {}`, message: "Template format error: At least one Resources member must be defined." },
  { name: "unknown section", body: `Resourcez: {}\nResources:\n${VPC}`, message: "Template format error: Invalid template property or properties [Resourcez]" },
  { name: "unknown resource type", body: `Resources:\n  X:\n    Type: AWS::EC2::Nope\n  Y:\n    Type: AWS::S4::Bucket\n`, message: "Template format error: Unrecognized resource types: [AWS::EC2::Nope, AWS::S4::Bucket]" },
  { name: "resource without Type", body: `Resources:\n  X:\n    Properties: {}\n`, message: "Template format error: [/Resources/X] Every Resources object must contain a Type member." },
  { name: "unknown resource attribute", body: `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Propertiez: {}\n`, message: "Template format error: [/Resources/Vpc] Invalid template resource property 'Propertiez'" },
  { name: "non-alphanumeric logical id", body: `Resources:\n  my-vpc:\n    Type: AWS::EC2::VPC\n`, message: "Template format error: Resource name my-vpc is non alphanumeric." },
  { name: "unresolved Ref", body: `Resources:\n${VPC}  Sn:\n    Type: AWS::EC2::Subnet\n    Properties: { VpcId: !Ref Missing, CidrBlock: 10.0.0.0/24 }\n`, message: "Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template" },
  { name: "unresolved DependsOn", body: `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    DependsOn: [Ghost]\n    Properties: { CidrBlock: 10.0.0.0/16 }\n`, message: "Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template" },
  { name: "unresolved Fn::Sub variable", body: `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.0.0.0/16, Tags: [{ Key: Name, Value: !Sub "\${Nobody}-vpc" }] }\n`, message: "Template format error: Unresolved resource dependencies [Nobody] in the Resources block of the template" },
  { name: "GetAtt of an undefined resource", body: `Resources:\n${VPC}  Sn:\n    Type: AWS::EC2::Subnet\n    Properties: { VpcId: !GetAtt Nope.VpcId, CidrBlock: 10.0.0.0/24 }\n`, message: "Template error: instance of Fn::GetAtt references undefined resource Nope" },
  { name: "GetAtt of an unknown attribute", body: `Resources:\n${VPC}  Sn:\n    Type: AWS::EC2::Subnet\n    Properties: { VpcId: !GetAtt Vpc.Colour, CidrBlock: 10.0.0.0/24 }\n`, message: "Template error: resource Vpc does not support attribute type Colour in Fn::GetAtt" },
  { name: "circular dependency", body: `Resources:\n  A:\n    Type: AWS::EC2::VPC\n    DependsOn: B\n    Properties: { CidrBlock: 10.0.0.0/16 }\n  B:\n    Type: AWS::EC2::InternetGateway\n    DependsOn: A\n`, message: "Template format error: Circular dependency between resources: [A, B]" },
  { name: "Fn::Join with one argument", body: `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: !Join [","] }\n`, message: /^Template error: every Fn::Join object requires two parameters/ },
  { name: "Fn::Select with three arguments", body: `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: !Select [0, [a], b] }\n`, message: "Template error: Fn::Select requires a list argument with two elements: an integer index and a list" },
  { name: "Fn::Sub with a number", body: `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: { "Fn::Sub": 42 } }\n`, message: /^Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments/ },
  { name: "condition naming a resource", body: `Conditions:\n  C: !Equals [!Ref Vpc, x]\nResources:\n${VPC}`, message: "Template format error: Unresolved dependencies [Vpc]. Cannot reference resources in the Conditions block of the template" },
  { name: "parameter without a value", body: `Parameters:\n  Cidr: { Type: String }\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: !Ref Cidr }\n`, message: "Parameters: [Cidr] must have values" },
  { name: "AllowedValues", body: `Parameters:\n  Env: { Type: String, AllowedValues: [dev, prod] }\nResources:\n${VPC}`, params: [{ ParameterKey: "Env", ParameterValue: "test" }], message: "Parameter 'Env' must be one of AllowedValues" },
  { name: "AllowedPattern", body: `Parameters:\n  Cidr: { Type: String, AllowedPattern: '\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+' }\nResources:\n${VPC}`, params: [{ ParameterKey: "Cidr", ParameterValue: "ten/16" }], message: "Parameter 'Cidr' must match pattern \\d+\\.\\d+\\.\\d+\\.\\d+/\\d+" },
  { name: "MinLength", body: `Parameters:\n  Name: { Type: String, MinLength: 3 }\nResources:\n${VPC}`, params: [{ ParameterKey: "Name", ParameterValue: "ab" }], message: "Parameter 'Name' must contain at least 3 characters" },
  { name: "MaxValue", body: `Parameters:\n  Count: { Type: Number, MaxValue: 5 }\nResources:\n${VPC}`, params: [{ ParameterKey: "Count", ParameterValue: "6" }], message: "Parameter 'Count' must be a number not greater than 5" },
  { name: "Number that is not one", body: `Parameters:\n  Count: { Type: Number }\nResources:\n${VPC}`, params: [{ ParameterKey: "Count", ParameterValue: "six" }], message: "Parameter 'Count' must be a number" },
  { name: "unknown parameter given", body: `Resources:\n${VPC}`, params: [{ ParameterKey: "Nope", ParameterValue: "x" }], message: "Parameters: [Nope] do not exist in the template" },
  { name: "unknown parameter type", body: `Parameters:\n  P: { Type: Strin }\nResources:\n${VPC}`, message: "Template format error: Unrecognized parameter type: Strin" },
  { name: "AWS::EC2::VPC::Id that does not exist", body: `Parameters:\n  VpcId: { Type: "AWS::EC2::VPC::Id" }\nResources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties: { GroupDescription: x, VpcId: !Ref VpcId }\n`, params: [{ ParameterKey: "VpcId", ParameterValue: "vpc-0123456789abcdef0" }], message: "Parameter validation failed: parameter value vpc-0123456789abcdef0 for parameter name VpcId does not exist. Rephrase your request and try again." },
  { name: "output without Value", body: `Resources:\n${VPC}Outputs:\n  O: { Description: x }\n`, message: "Template format error: Every Outputs member must contain a Value object" },
  { name: "output naming an unknown resource", body: `Resources:\n${VPC}Outputs:\n  O: { Value: !Ref Nope }\n`, message: "Template format error: Unresolved resource dependencies [Nope] in the Outputs block of the template" },
  { name: "invalid DeletionPolicy", body: `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    DeletionPolicy: Keep\n    Properties: { CidrBlock: 10.0.0.0/16 }\n`, message: "Template format error: Unrecognized DeletionPolicy Keep for resource Vpc" },
  { name: "IAM without CAPABILITY_IAM", body: `Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: { AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [] } }\n`, code: "InsufficientCapabilitiesException", message: "Requires capabilities : [CAPABILITY_IAM]" },
  { name: "named IAM with CAPABILITY_IAM only", body: `Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: { RoleName: fixed, AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [] } }\n`, capabilities: ["CAPABILITY_IAM"], code: "InsufficientCapabilitiesException", message: "Requires capabilities : [CAPABILITY_NAMED_IAM]" },
  { name: "SSM parameter type", body: `Parameters:\n  P: { Type: "AWS::SSM::Parameter::Value<String>", Default: /x }\nResources:\n${VPC}`, message: /^Template format error: Unsupported parameter type AWS::SSM::Parameter::Value<String>/ },
];

interface EventCase {
  name: string;
  body: string;
  logicalId: string;
  reason: string | RegExp;
}

const EVENTS: EventCase[] = [
  { name: "unsupported property", body: `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlok: 10.0.0.0/16 }\n`, logicalId: "Vpc", reason: "Encountered unsupported property CidrBlok" },
  { name: "missing required property", body: `Resources:\n${VPC}  Sn:\n    Type: AWS::EC2::Subnet\n    Properties: { CidrBlock: 10.0.0.0/24 }\n`, logicalId: "Sn", reason: "Properties validation failed for resource Sn with message: #: required key [VpcId] not found" },
  { name: "wrong property type", body: `Resources:\n${VPC}  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties: { GroupDescription: x, VpcId: !Ref Vpc, SecurityGroupIngress: "all" }\n`, logicalId: "Sg", reason: "Properties validation failed for resource Sg with message: #/SecurityGroupIngress: expected type: JSONArray, found: String" },
  { name: "EC2's own validation", body: `Resources:\n${VPC}  Sn:\n    Type: AWS::EC2::Subnet\n    Properties: { VpcId: !Ref Vpc, CidrBlock: 192.168.0.0/24 }\n`, logicalId: "Sn", reason: /^Resource handler returned message: "The CIDR '192\.168\.0\.0\/24' is invalid\. \(Service: Ec2, Status Code: 400, Request ID: [0-9a-f-]+\)" \(RequestToken: [0-9a-f-]+, HandlerErrorCode: InvalidRequest\)$/ },
  { name: "Fn::Select out of range", body: `Resources:\n${VPC}  Sn:\n    Type: AWS::EC2::Subnet\n    Properties: { VpcId: !Ref Vpc, CidrBlock: !Select [5, !Cidr [10.0.0.0/16, 2, 8]] }\n`, logicalId: "Sn", reason: "Template error: Fn::Select cannot select nonexistent value at index 5" },
  { name: "Fn::FindInMap without the key", body: `Mappings:\n  M: { A: { B: 10.0.0.0/16 } }\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: !FindInMap [M, A, C] }\n`, logicalId: "Vpc", reason: "Template error: Unable to get mapping for M::A::C" },
  { name: "IAM's own policy validation", body: `Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: { AssumeRolePolicyDocument: "not json" }\n`, logicalId: "R", reason: /^Resource handler returned message: ".+\(Service: Iam, Status Code: 400/ },
  { name: "Lambda's own validation", body: `Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: { AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: "sts:AssumeRole" }] } }\n  F:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: cobol85, Handler: index.handler, Role: !GetAtt R.Arn, Code: { ZipFile: "x" } }\n`, logicalId: "F", reason: /^Resource handler returned message: ".*cobol85.*\(Service: Lambda, Status Code: 400/ },
];

describe("CloudFormation: malformed templates get AWS's texts and leave nothing behind", () => {
  let app: App;
  let c: ReturnType<typeof clients>;
  let cfn: CloudFormationClient;
  let n = 0;

  const nothingLeft = async (what: string) => {
    assert.equal((await c.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length, 0, `${what}: a VPC is left`);
    assert.equal((await c.ec2.send(new DescribeSubnetsCommand({}))).Subnets!.length, 0, `${what}: a subnet is left`);
    assert.equal((await c.ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!.length, 0, `${what}: a group is left`);
    assert.equal((await c.ec2.send(new DescribeInternetGatewaysCommand({}))).InternetGateways!.length, 0, `${what}: a gateway is left`);
    assert.equal((await c.iam.send(new ListRolesCommand({}))).Roles!.filter((r) => !r.Path!.startsWith("/aws-service-role/")).length, 0, `${what}: a role is left`);
    assert.equal((await c.lambda.send(new ListFunctionsCommand({}))).Functions!.length, 0, `${what}: a function is left`);
  };

  before(async () => {
    app = await startTestServer({ noDefaultVpc: true });
    c = clients(app.url);
    cfn = new CloudFormationClient({ endpoint: app.url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
  });
  after(() => app?.close());

  it("an unsigned call is answered in CloudFormation's shape", async () => {
    const r = await fetch(app.url + "/", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=ListStacks&Version=2010-05-15" });
    assert.equal(r.status, 403);
    assert.match(await r.text(), /^<ErrorResponse xmlns="http:\/\/cloudformation\.amazonaws\.com\/doc\/2010-05-15\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/);
  });

  for (const k of SYNC) {
    it(`refused at the call: ${k.name}`, async () => {
      const name = `bad${++n}`;
      const e = await rejects(cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: k.body, Parameters: k.params, Capabilities: k.capabilities as never })));
      assert.equal(e.name, k.code ?? "ValidationError", e.message);
      assert.equal(e.$metadata.httpStatusCode, 400);
      if (typeof k.message === "string") assert.equal(e.message, k.message);
      else assert.match(e.message, k.message);
      // ValidateTemplate gives the same text for template errors (parameter values are not its business).
      if (!k.params && !k.code && !/must have values/.test(String(k.message))) {
        const v = await rejects(cfn.send(new ValidateTemplateCommand({ TemplateBody: k.body })));
        assert.equal(v.message, e.message);
      }
      const gone = await rejects(cfn.send(new DescribeStacksCommand({ StackName: name })));
      assert.equal(gone.message, `Stack with id ${name} does not exist`);
      await nothingLeft(k.name);
    });
  }

  for (const k of EVENTS) {
    it(`fails the resource with AWS's event text and rolls back: ${k.name}`, async () => {
      const name = `bad${++n}`;
      await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: k.body, Capabilities: ["CAPABILITY_IAM"] }));
      const stack = await eventually(
        async () => (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0],
        (s) => !s.StackStatus!.endsWith("IN_PROGRESS"),
      );
      assert.equal(stack.StackStatus, "ROLLBACK_COMPLETE");
      assert.equal(stack.StackStatusReason, undefined);
      const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents!;
      // Resources still being created when another fails are cancelled, as on AWS.
      const failed = events.filter((e) => e.ResourceStatus === "CREATE_FAILED");
      const own = failed.find((e) => e.ResourceStatusReason !== "Resource creation cancelled")!;
      assert.equal(own.LogicalResourceId, k.logicalId);
      if (typeof k.reason === "string") assert.equal(own.ResourceStatusReason, k.reason);
      else assert.match(own.ResourceStatusReason!, k.reason);
      const cancelled = failed.filter((e) => e !== own).map((e) => e.LogicalResourceId!);
      const rollback = events.find((e) => e.ResourceStatus === "ROLLBACK_IN_PROGRESS")!;
      assert.equal(rollback.ResourceStatusReason, `The following resource(s) failed to create: [${[k.logicalId, ...cancelled].join(", ")}]. Rollback requested by user.`);
      await nothingLeft(k.name);
    });
  }

  it("Fn::ImportValue of an export nobody made: the stack rolls back before creating anything", async () => {
    const body = `Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties: { GroupDescription: x, VpcId: !ImportValue missing-vpc }\n`;
    await cfn.send(new CreateStackCommand({ StackName: "noimport", TemplateBody: body }));
    const s = await eventually(async () => (await cfn.send(new DescribeStacksCommand({ StackName: "noimport" }))).Stacks![0], (x) => !x.StackStatus!.endsWith("IN_PROGRESS"));
    assert.equal(s.StackStatus, "ROLLBACK_COMPLETE");
    const evs = (await cfn.send(new DescribeStackEventsCommand({ StackName: "noimport" }))).StackEvents!;
    assert.equal(evs.find((e) => e.ResourceStatus === "ROLLBACK_IN_PROGRESS")!.ResourceStatusReason, "No export named missing-vpc found. Rollback requested by user.");
    assert.ok(!evs.some((e) => e.LogicalResourceId === "Sg"));
    await nothingLeft("ImportValue");
  });

  it("a stack created with DisableRollback keeps what was created (CREATE_FAILED); deleting it leaves nothing", async () => {
    const body = `Resources:\n${VPC}  Sn:\n    Type: AWS::EC2::Subnet\n    Properties: { VpcId: !Ref Vpc, CidrBlock: 172.16.0.0/24 }\n`;
    await cfn.send(new CreateStackCommand({ StackName: "keep", TemplateBody: body, DisableRollback: true }));
    const s = await eventually(async () => (await cfn.send(new DescribeStacksCommand({ StackName: "keep" }))).Stacks![0], (x) => !x.StackStatus!.endsWith("IN_PROGRESS"));
    assert.equal(s.StackStatus, "CREATE_FAILED");
    assert.equal(s.StackStatusReason, "The following resource(s) failed to create: [Sn].");
    assert.equal((await c.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length, 1);
    const { DeleteStackCommand } = await import("@aws-sdk/client-cloudformation");
    await cfn.send(new DeleteStackCommand({ StackName: "keep" }));
    await eventually(async () => (await cfn.send(new DescribeStacksCommand({ StackName: s.StackId }))).Stacks![0].StackStatus, (x) => x === "DELETE_COMPLETE");
    await nothingLeft("DisableRollback");
  });

  it("OnFailure DELETE deletes the stack after its rollback", async () => {
    const body = `Resources:\n${VPC}  Sn:\n    Type: AWS::EC2::Subnet\n    Properties: { VpcId: !Ref Vpc, CidrBlock: 172.16.0.0/24 }\n`;
    const { StackId } = await cfn.send(new CreateStackCommand({ StackName: "ondelete", TemplateBody: body, OnFailure: "DELETE" }));
    await eventually(async () => (await cfn.send(new DescribeStacksCommand({ StackName: StackId }))).Stacks![0].StackStatus, (x) => x === "DELETE_COMPLETE");
    await rejects(cfn.send(new DescribeStacksCommand({ StackName: "ondelete" })));
    await nothingLeft("OnFailure DELETE");
  });

  it("a VPC the stack did not create is untouched by its rollback", async () => {
    const mine = (await c.ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!.VpcId!;
    const body = `Parameters:\n  VpcId: { Type: "AWS::EC2::VPC::Id" }\nResources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties: { GroupDescription: ok, VpcId: !Ref VpcId }\n  Sn:\n    Type: AWS::EC2::Subnet\n    DependsOn: Sg\n    Properties: { VpcId: !Ref VpcId, CidrBlock: 10.8.0.0/24 }\n`;
    await cfn.send(new CreateStackCommand({ StackName: "foreign", TemplateBody: body, Parameters: [{ ParameterKey: "VpcId", ParameterValue: mine }] }));
    const s = await eventually(async () => (await cfn.send(new DescribeStacksCommand({ StackName: "foreign" }))).Stacks![0], (x) => !x.StackStatus!.endsWith("IN_PROGRESS"));
    assert.equal(s.StackStatus, "ROLLBACK_COMPLETE");
    const groups = (await c.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [mine] }] }))).SecurityGroups!;
    assert.deepEqual(groups.map((g) => g.GroupName), ["default"], "the stack's group is gone, the VPC's default group stays");
    await c.ec2.send(new DeleteVpcCommand({ VpcId: mine }));
    await nothingLeft("foreign VPC");
  });
});
