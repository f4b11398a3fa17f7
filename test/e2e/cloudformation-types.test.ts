// Every resource type hyperlocal's CloudFormation serves, in one stack: created through the
// services (their physical ids and Fn::GetAtt attributes as AWS gives them), updated in place,
// deleted with nothing left. Functions are created but no function code runs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as C from "@aws-sdk/client-cloudformation";
import * as E from "@aws-sdk/client-ec2";
import { GetPolicyCommand as IamGetPolicy, GetUserPolicyCommand, ListAccessKeysCommand, ListPoliciesCommand, ListRolesCommand, ListUsersCommand } from "@aws-sdk/client-iam";
import { GetAliasCommand, GetPolicyCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { clients, ROOT_CREDS } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";

const WAIT = { maxWaitTime: 60, minDelay: 1, maxDelay: 1 };

const TEMPLATE = (aclPort: number) => `
Parameters:
  Secret: { Type: String, NoEcho: true, Default: hunter2 }
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.20.0.0/16 }
  Extra:
    Type: AWS::EC2::VPCCidrBlock
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.21.0.0/16 }
  Peer:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.30.0.0/16 }
  Peering:
    Type: AWS::EC2::VPCPeeringConnection
    Properties: { VpcId: !Ref Vpc, PeerVpcId: !Ref Peer }
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.20.1.0/24 }
  Eigw:
    Type: AWS::EC2::EgressOnlyInternetGateway
    Properties: { VpcId: !Ref Vpc }
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties: { VpcId: !Ref Vpc }
  AclIn:
    Type: AWS::EC2::NetworkAclEntry
    Properties: { NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0, PortRange: { From: ${aclPort}, To: ${aclPort} } }
  AclAssoc:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: { NetworkAclId: !Ref Acl, SubnetId: !Ref Subnet }
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: { GroupDescription: base, VpcId: !Ref Vpc }
  SgIn:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: { GroupId: !Ref Sg, IpProtocol: tcp, FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: !Ref Sg }
  SgOut:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: { GroupId: !Ref Sg, IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8 }
  Eni:
    Type: AWS::EC2::NetworkInterface
    Properties: { SubnetId: !Ref Subnet, GroupSet: [!Ref Sg], PrivateIpAddress: 10.20.1.50, Description: db }
  Eip:
    Type: AWS::EC2::EIP
    Properties: { Domain: vpc }
  Rt:
    Type: AWS::EC2::RouteTable
    Properties: { VpcId: !Ref Vpc }
  PeerRoute:
    Type: AWS::EC2::Route
    Properties: { RouteTableId: !Ref Rt, DestinationCidrBlock: 10.30.0.0/16, VpcPeeringConnectionId: !Ref Peering }
  V6Route:
    Type: AWS::EC2::Route
    Properties: { RouteTableId: !Ref Rt, DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: !Ref Eigw }
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "s3:GetObject", Resource: "*" }] }
      Users: [!Ref User]
  User:
    Type: AWS::IAM::User
    Properties:
      Policies: [{ PolicyName: inline, PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "ec2:Describe*", Resource: "*" }] } }]
  Key:
    Type: AWS::IAM::AccessKey
    Properties: { UserName: !Ref User }
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: "sts:AssumeRole" }] }
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: { ZipFile: "exports.handler = async () => 'v1';" }
  Version:
    Type: AWS::Lambda::Version
    Properties: { FunctionName: !Ref Fn, Description: first }
  Alias:
    Type: AWS::Lambda::Alias
    Properties: { FunctionName: !Ref Fn, FunctionVersion: !GetAtt Version.Version, Name: live }
  Permission:
    Type: AWS::Lambda::Permission
    Properties: { FunctionName: !Ref Alias, Action: "lambda:InvokeFunction", Principal: events.amazonaws.com }
  Handle:
    Type: AWS::CloudFormation::WaitConditionHandle
Outputs:
  EipAllocation: { Value: !GetAtt Eip.AllocationId }
  EniIp: { Value: !GetAtt Eni.PrimaryPrivateIpAddress }
  KeySecretLength: { Value: !Select [0, !Split [x, !GetAtt Key.SecretAccessKey]] }
  PolicyArn: { Value: !Ref Managed }
  Version: { Value: !GetAtt Version.Version }
  AliasArn: { Value: !Ref Alias }
  DefaultSg: { Value: !GetAtt Vpc.DefaultSecurityGroup }
  SubnetAz: { Value: !GetAtt Subnet.AvailabilityZone }
`;

describe("CloudFormation: every served resource type in one stack", () => {
  let app: App;
  let c: ReturnType<typeof clients>;
  let cfn: C.CloudFormationClient;
  before(async () => {
    app = await startTestServer({ noDefaultVpc: true });
    c = clients(app.url);
    cfn = new C.CloudFormationClient({ endpoint: app.url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
  });
  after(() => app?.close());

  it("creates, reads back through each service, updates in place, and deletes to nothing", async () => {
    await cfn.send(new C.CreateStackCommand({ StackName: "all", TemplateBody: TEMPLATE(443), Capabilities: ["CAPABILITY_IAM"] }));
    await C.waitUntilStackCreateComplete({ client: cfn, ...WAIT }, { StackName: "all" }).catch(async (e) => {
      const evs = (await cfn.send(new C.DescribeStackEventsCommand({ StackName: "all" }))).StackEvents!;
      throw new Error(`${e.message}\n${evs.filter((x) => /FAILED/.test(x.ResourceStatus!)).map((x) => `${x.LogicalResourceId}: ${x.ResourceStatusReason}`).join("\n")}`);
    });
    const stack = (await cfn.send(new C.DescribeStacksCommand({ StackName: "all" }))).Stacks![0];
    const out = Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
    assert.deepEqual(stack.Parameters, [{ ParameterKey: "Secret", ParameterValue: "****" }], "NoEcho parameters are masked");
    const r = Object.fromEntries((await cfn.send(new C.ListStackResourcesCommand({ StackName: "all" }))).StackResourceSummaries!.map((x) => [x.LogicalResourceId, x.PhysicalResourceId!]));

    const vpc = (await c.ec2.send(new E.DescribeVpcsCommand({ VpcIds: [r.Vpc] }))).Vpcs![0];
    assert.ok(vpc.CidrBlockAssociationSet!.some((a) => a.CidrBlock === "10.21.0.0/16" && a.AssociationId === r.Extra));
    const pcx = (await c.ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [r.Peering] }))).VpcPeeringConnections![0];
    assert.equal(pcx.Status!.Code, "active");
    const acl = (await c.ec2.send(new E.DescribeNetworkAclsCommand({ NetworkAclIds: [r.Acl] }))).NetworkAcls![0];
    assert.ok(acl.Entries!.some((e) => e.RuleNumber === 100 && e.PortRange!.From === 443));
    assert.ok(acl.Associations!.some((a) => a.SubnetId === r.Subnet && a.NetworkAclAssociationId === r.AclAssoc));
    const sg = (await c.ec2.send(new E.DescribeSecurityGroupsCommand({ GroupIds: [r.Sg] }))).SecurityGroups![0];
    assert.ok(sg.IpPermissions!.some((p) => p.FromPort === 5432 && p.UserIdGroupPairs![0].GroupId === r.Sg));
    assert.ok(sg.IpPermissionsEgress!.some((p) => p.FromPort === 443));
    assert.match(r.SgIn, /^sgr-/);
    assert.equal(out.EniIp, "10.20.1.50");
    assert.match(out.EipAllocation!, /^eipalloc-/);
    assert.match(r.Eip, /^\d+\.\d+\.\d+\.\d+$/, "Ref of an EIP is its address");
    const rt = (await c.ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [r.Rt] }))).RouteTables![0];
    assert.ok(rt.Routes!.some((x) => x.VpcPeeringConnectionId === r.Peering));
    assert.ok(rt.Routes!.some((x) => x.EgressOnlyInternetGatewayId === r.Eigw));
    assert.equal(r.PeerRoute, `${r.Rt}|10.30.0.0/16`);
    assert.equal(out.DefaultSg, (await c.ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [r.Vpc] }, { Name: "group-name", Values: ["default"] }] }))).SecurityGroups![0].GroupId);
    assert.match(out.SubnetAz!, /^us-east-1[a-f]$/);

    assert.equal(out.PolicyArn, r.Managed);
    assert.ok((await c.iam.send(new IamGetPolicy({ PolicyArn: r.Managed }))).Policy!.AttachmentCount === 1);
    assert.equal((await c.iam.send(new GetUserPolicyCommand({ UserName: r.User, PolicyName: "inline" }))).PolicyName, "inline");
    assert.deepEqual((await c.iam.send(new ListAccessKeysCommand({ UserName: r.User }))).AccessKeyMetadata!.map((k) => k.AccessKeyId), [r.Key]);

    assert.equal(out.Version, "1");
    assert.equal(r.Version, `arn:aws:lambda:us-east-1:000000000000:function:${r.Fn}:1`);
    const alias = await c.lambda.send(new GetAliasCommand({ FunctionName: r.Fn, Name: "live" }));
    assert.equal(alias.AliasArn, out.AliasArn);
    assert.equal(alias.FunctionVersion, "1");
    const policy = JSON.parse((await c.lambda.send(new GetPolicyCommand({ FunctionName: r.Fn, Qualifier: "live" }))).Policy!);
    assert.equal(policy.Statement[0].Sid, r.Permission);
    assert.match(r.Handle, /^https:\/\/cloudformation-waitcondition-us-east-1\.s3\.amazonaws\.com\//);

    // In place: an ACL entry's port range (ReplaceNetworkAclEntry), same physical ids.
    await cfn.send(new C.UpdateStackCommand({ StackName: "all", TemplateBody: TEMPLATE(8443), Capabilities: ["CAPABILITY_IAM"], Parameters: [{ ParameterKey: "Secret", UsePreviousValue: true }] }));
    await C.waitUntilStackUpdateComplete({ client: cfn, ...WAIT }, { StackName: "all" });
    const acl2 = (await c.ec2.send(new E.DescribeNetworkAclsCommand({ NetworkAclIds: [r.Acl] }))).NetworkAcls![0];
    assert.ok(acl2.Entries!.some((e) => e.RuleNumber === 100 && e.PortRange!.From === 8443));

    const id = stack.StackId!;
    await cfn.send(new C.DeleteStackCommand({ StackName: "all" }));
    await C.waitUntilStackDeleteComplete({ client: cfn, ...WAIT }, { StackName: id });
    assert.equal((await c.ec2.send(new E.DescribeVpcsCommand({}))).Vpcs!.length, 0);
    assert.equal((await c.ec2.send(new E.DescribeAddressesCommand({}))).Addresses!.length, 0);
    assert.equal((await c.ec2.send(new E.DescribeNetworkInterfacesCommand({}))).NetworkInterfaces!.length, 0);
    assert.equal((await c.ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ Filters: [{ Name: "status-code", Values: ["active", "pending-acceptance"] }] }))).VpcPeeringConnections!.length, 0);
    assert.equal((await c.iam.send(new ListUsersCommand({}))).Users!.length, 0);
    assert.equal((await c.iam.send(new ListRolesCommand({}))).Roles!.length, 0);
    assert.equal((await c.iam.send(new ListPoliciesCommand({ Scope: "Local" }))).Policies!.length, 0);
    assert.equal((await c.lambda.send(new ListFunctionsCommand({}))).Functions!.length, 0);
  });
});
