// AWS::IAM::InstanceProfile through CloudFormation, read back through IAM with the SDK: the profile
// holds the stack's role, GetAtt Arn is its ARN, the role cannot be deleted while in it, and deleting
// the stack removes both. Also the CLI's iam instance-profile commands.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as C from "@aws-sdk/client-cloudformation";
import { DeleteRoleCommand, GetInstanceProfileCommand, ListInstanceProfilesCommand, ListInstanceProfilesForRoleCommand } from "@aws-sdk/client-iam";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients, rejects, ROOT_CREDS } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";

const WAIT = { maxWaitTime: 60, minDelay: 1, maxDelay: 1 };

const TEMPLATE = `Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }]
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties: { Path: /app/, Roles: [!Ref Role] }
Outputs:
  Name: { Value: !Ref Profile }
  Arn: { Value: !GetAtt Profile.Arn }
  Role: { Value: !Ref Role }
`;

describe("CloudFormation: AWS::IAM::InstanceProfile", () => {
  let app: App;
  let c: ReturnType<typeof clients>;
  let cfn: C.CloudFormationClient;
  before(async () => {
    app = await startTestServer({ noDefaultVpc: true });
    c = clients(app.url);
    cfn = new C.CloudFormationClient({ endpoint: app.url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
  });
  after(() => app?.close());

  it("needs CAPABILITY_IAM, creates the profile with the role, deletes both with the stack", async () => {
    const denied = await rejects(cfn.send(new C.CreateStackCommand({ StackName: "prof", TemplateBody: TEMPLATE })));
    assert.equal(denied.name, "InsufficientCapabilitiesException");
    await cfn.send(new C.CreateStackCommand({ StackName: "prof", TemplateBody: TEMPLATE, Capabilities: ["CAPABILITY_IAM"] }));
    await C.waitUntilStackCreateComplete({ client: cfn, ...WAIT }, { StackName: "prof" });
    const stack = (await cfn.send(new C.DescribeStacksCommand({ StackName: "prof" }))).Stacks![0];
    const out = Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey!, o.OutputValue!]));
    assert.match(out.Name, /^prof-Profile-[A-Z0-9]{12}$/);
    const p = (await c.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: out.Name }))).InstanceProfile!;
    assert.equal(p.Arn, `arn:aws:iam::000000000000:instance-profile/app/${out.Name}`);
    assert.equal(out.Arn, p.Arn);
    assert.match(p.InstanceProfileId!, /^AIPA[A-Z0-9]{17}$/);
    assert.deepEqual(p.Roles!.map((r) => r.RoleName), [out.Role]);
    assert.deepEqual((await c.iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: out.Role }))).InstanceProfiles!.map((x) => x.InstanceProfileName), [out.Name]);
    const busy = await rejects(c.iam.send(new DeleteRoleCommand({ RoleName: out.Role })));
    assert.equal(busy.name, "DeleteConflictException");
    assert.equal(busy.message, "Cannot delete entity, must remove roles from instance profile first.");

    await cfn.send(new C.DeleteStackCommand({ StackName: "prof" }));
    await C.waitUntilStackDeleteComplete({ client: cfn, ...WAIT }, { StackName: stack.StackId! });
    assert.deepEqual((await c.iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles, []);
  });

  it("the CLI: create-instance-profile, add-role-to-instance-profile, get-instance-profile, errors", { skip: !hasAwsCli() && "no /usr/bin/aws" }, async () => {
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    assert.equal((await aws(app.url, ["iam", "create-role", "--role-name", "web", "--assume-role-policy-document", trust])).code, 0);
    const cr = await aws(app.url, ["iam", "create-instance-profile", "--instance-profile-name", "web-profile"]);
    assert.equal(cr.code, 0, cr.stderr);
    assert.deepEqual(cr.json.InstanceProfile.Roles, []);
    assert.equal((await aws(app.url, ["iam", "add-role-to-instance-profile", "--instance-profile-name", "web-profile", "--role-name", "web"])).code, 0);
    const again = await aws(app.url, ["iam", "add-role-to-instance-profile", "--instance-profile-name", "web-profile", "--role-name", "web"]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /LimitExceeded.*Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1/);
    const got = await aws(app.url, ["iam", "get-instance-profile", "--instance-profile-name", "web-profile"]);
    assert.equal(got.json.InstanceProfile.Roles[0].RoleName, "web");
    const del = await aws(app.url, ["iam", "delete-instance-profile", "--instance-profile-name", "web-profile"]);
    assert.match(del.stderr, /DeleteConflict.*must remove roles from instance profile first/);
    const none = await aws(app.url, ["iam", "get-instance-profile", "--instance-profile-name", "nope"]);
    assert.match(none.stderr, /NoSuchEntity.*Instance Profile nope cannot be found\./);
  });
});
