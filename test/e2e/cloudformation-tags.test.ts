// Stack tags and CloudFormation's own aws:cloudformation:* tags on what a stack creates, read back
// through each service with the SDK: EC2 resources and Lambda functions carry all of them, IAM
// roles only the stack's tags (IAM refuses the aws: prefix), and no caller can add or remove aws: tags.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as C from "@aws-sdk/client-cloudformation";
import { CreateTagsCommand, DeleteTagsCommand, DescribeTagsCommand } from "@aws-sdk/client-ec2";
import { ListRoleTagsCommand } from "@aws-sdk/client-iam";
import { ListTagsCommand, UntagResourceCommand } from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { clients, rejects, ROOT_CREDS } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";

const WAIT = { maxWaitTime: 60, minDelay: 1, maxDelay: 1 };

const TEMPLATE = `Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.3.0.0/16, Tags: [{ Key: own, Value: vpc }] }
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: { GroupDescription: app, VpcId: !Ref Vpc }
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }]
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: { ZipFile: "exports.handler = async () => 'ok';" }
Outputs:
  VpcId: { Value: !Ref Vpc }
  SgId: { Value: !Ref Sg }
  FnArn: { Value: !GetAtt Fn.Arn }
  RoleName: { Value: !Ref Role }
`;

describe("CloudFormation: stack tags and aws:cloudformation:* tags on resources", () => {
  let app: App;
  let c: ReturnType<typeof clients>;
  let cfn: C.CloudFormationClient;

  before(async () => {
    app = await startTestServer({ noDefaultVpc: true });
    c = clients(app.url);
    cfn = new C.CloudFormationClient({ endpoint: app.url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
  });
  after(() => app?.close());

  it("EC2 resources and the function carry the stack's tags and CloudFormation's three; the role only the stack's", async () => {
    await cfn.send(new C.CreateStackCommand({ StackName: "tagged", TemplateBody: TEMPLATE, Capabilities: ["CAPABILITY_IAM"], Tags: [{ Key: "team", Value: "net" }] }));
    await C.waitUntilStackCreateComplete({ client: cfn, ...WAIT }, { StackName: "tagged" });
    const stack = (await cfn.send(new C.DescribeStacksCommand({ StackName: "tagged" }))).Stacks![0];
    const out = Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey!, o.OutputValue!]));
    const cfnTags = (logicalId: string) => ({ "aws:cloudformation:stack-name": "tagged", "aws:cloudformation:stack-id": stack.StackId!, "aws:cloudformation:logical-id": logicalId });

    const ec2Tags = async (id: string) =>
      Object.fromEntries((await c.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: [id] }] }))).Tags!.map((t) => [t.Key!, t.Value!]));
    assert.deepEqual(await ec2Tags(out.VpcId), { own: "vpc", team: "net", ...cfnTags("Vpc") });
    assert.deepEqual(await ec2Tags(out.SgId), { team: "net", ...cfnTags("Sg") });
    assert.deepEqual((await c.lambda.send(new ListTagsCommand({ Resource: out.FnArn }))).Tags, { team: "net", ...cfnTags("Fn") });
    assert.deepEqual((await c.iam.send(new ListRoleTagsCommand({ RoleName: out.RoleName }))).Tags, [{ Key: "team", Value: "net" }]);

    // The aws: prefix stays reserved for callers, on the resources CloudFormation tagged too.
    const e = await rejects(c.ec2.send(new CreateTagsCommand({ Resources: [out.VpcId], Tags: [{ Key: "aws:cloudformation:stack-name", Value: "x" }] })));
    assert.equal(e.name, "InvalidParameterValue");
    const d = await rejects(c.ec2.send(new DeleteTagsCommand({ Resources: [out.VpcId], Tags: [{ Key: "aws:cloudformation:logical-id" }] })));
    assert.equal(d.name, "InvalidParameterValue");
    const u = await rejects(c.lambda.send(new UntagResourceCommand({ Resource: out.FnArn, TagKeys: ["aws:cloudformation:stack-id"] })));
    assert.equal(u.name, "InvalidParameterValueException");
    // DeleteTags with no tag named removes the caller's tags only.
    await c.ec2.send(new DeleteTagsCommand({ Resources: [out.SgId] }));
    assert.deepEqual(await ec2Tags(out.SgId), cfnTags("Sg"));
  });
});
