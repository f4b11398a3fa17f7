// EC2's default quotas, enforced with AWS's codes and texts, and settable (--quota NAME=N, or
// HYPERLOCAL_QUOTAS). Texts: "VpcLimitExceeded: The maximum number of VPCs has been reached." as AWS
// answers it (recorded in public Terraform and kOps logs); the others follow the same pattern.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import * as L from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { defaultQuotas } from "../../src/quotas.ts";
import { clients } from "../support/clients.ts";
import { fails } from "../support/ec2-helpers.ts";
import { startChildServer, startTestServer } from "../support/server.ts";
import { LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";

describe("EC2 default quotas", () => {
  let app: App;
  let ec2: E.EC2Client;
  before(async () => {
    app = await startTestServer({ quotas: defaultQuotas() });
    ec2 = clients(app.url).ec2;
  });
  after(() => app?.close());

  it("VPCs per Region: 5, the default VPC included; the sixth gets VpcLimitExceeded, a deletion frees a place", async () => {
    const made: string[] = [];
    for (let i = 0; i < 4; i++) made.push((await ec2.send(new E.CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16` }))).Vpc!.VpcId!);
    await fails(ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.9.0.0/16" })), "VpcLimitExceeded", "The maximum number of VPCs has been reached.");
    assert.equal((await ec2.send(new E.DescribeVpcsCommand({}))).Vpcs!.length, 5, "nothing was created by the refused call");
    await ec2.send(new E.DeleteVpcCommand({ VpcId: made.pop()! }));
    made.push((await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!.VpcId!);
    for (const id of made) await ec2.send(new E.DeleteVpcCommand({ VpcId: id }));
  });

  it("Elastic IPs per Region: 5, then AddressLimitExceeded", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await ec2.send(new E.AllocateAddressCommand({ Domain: "vpc" }))).AllocationId!);
    await fails(ec2.send(new E.AllocateAddressCommand({ Domain: "vpc" })), "AddressLimitExceeded", "The maximum number of addresses has been reached.");
    for (const id of ids) await ec2.send(new E.ReleaseAddressCommand({ AllocationId: id }));
  });

  it("internet gateways per Region: 5 (the default VPC's counts), then InternetGatewayLimitExceeded", async () => {
    const have = (await ec2.send(new E.DescribeInternetGatewaysCommand({}))).InternetGateways!.length;
    const ids: string[] = [];
    for (let i = have; i < 5; i++) ids.push((await ec2.send(new E.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!);
    await fails(ec2.send(new E.CreateInternetGatewayCommand({})), "InternetGatewayLimitExceeded", "The maximum number of internet gateways has been reached.");
    for (const id of ids) await ec2.send(new E.DeleteInternetGatewayCommand({ InternetGatewayId: id }));
  });

  it("NAT gateways per Availability Zone: 5, then NatGatewayLimitExceeded; another zone still has room", async () => {
    const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.50.0.0/16" }))).Vpc!.VpcId!;
    const a = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.50.1.0/24", AvailabilityZone: "us-east-1a" }))).Subnet!.SubnetId!;
    const b = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.50.2.0/24", AvailabilityZone: "us-east-1b" }))).Subnet!.SubnetId!;
    for (let i = 0; i < 5; i++) await ec2.send(new E.CreateNatGatewayCommand({ SubnetId: a, ConnectivityType: "private" }));
    await fails(ec2.send(new E.CreateNatGatewayCommand({ SubnetId: a, ConnectivityType: "private" })), "NatGatewayLimitExceeded", "The maximum number of NAT gateways has been reached.");
    await ec2.send(new E.CreateNatGatewayCommand({ SubnetId: b, ConnectivityType: "private" }));
  });

  it("rules per security group: 60 inbound, then RulesPerSecurityGroupLimitExceeded and none of the batch is added", async () => {
    const vpc = (await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: "cidr", Values: ["10.50.0.0/16"] }] }))).Vpcs![0].VpcId!;
    const sg = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "many", Description: "many" }))).GroupId!;
    const ranges = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ CidrIp: `10.${from + i}.0.0/16` }));
    await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: ranges(0, 59) }] }));
    await fails(
      ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: ranges(100, 2) }] })),
      "RulesPerSecurityGroupLimitExceeded",
      "The maximum number of rules per security group has been reached.",
    );
    await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: ranges(100, 1) }] }));
    const rules = (await ec2.send(new E.DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [sg] }] }))).SecurityGroupRules!;
    assert.equal(rules.filter((r) => !r.IsEgress).length, 60);
  });
});

describe("quotas set with --quota and HYPERLOCAL_QUOTAS", () => {
  it("the CLI's --quota ec2.vpcs=7 and ec2.subnets-per-vpc=2 (the real server)", async () => {
    const child = await startChildServer(["--quota", "ec2.vpcs=7", "--quota=ec2.subnets-per-vpc=2"], { HYPERLOCAL_QUOTAS: "" });
    try {
      const ec2 = clients(child.url).ec2;
      let vpc = "";
      for (let i = 0; i < 6; i++) vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16` }))).Vpc!.VpcId!;
      await fails(ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.9.0.0/16" })), "VpcLimitExceeded", "The maximum number of VPCs has been reached.");
      await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.5.1.0/24" }));
      await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.5.2.0/24" }));
      await fails(ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.5.3.0/24" })), "SubnetLimitExceeded", "The maximum number of subnets has been reached.");
    } finally {
      await child.stop();
    }
  });

  it("HYPERLOCAL_QUOTAS sets security groups per VPC and network interfaces", async () => {
    const child = await startChildServer([], { HYPERLOCAL_QUOTAS: "ec2.security-groups-per-vpc=2,ec2.network-interfaces=1" });
    try {
      const ec2 = clients(child.url).ec2;
      const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.7.0.0/16" }))).Vpc!.VpcId!;
      await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "one", Description: "one" }));
      await fails(ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "two", Description: "two" })), "SecurityGroupLimitExceeded", "The maximum number of security groups has been reached.");
      const subnet = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.7.1.0/24" }))).Subnet!.SubnetId!;
      await ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnet }));
      await fails(ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnet })), "NetworkInterfaceLimitExceeded", "The maximum number of network interfaces has been reached.");
    } finally {
      await child.stop();
    }
  });
});

describe("Lambda code storage quota", () => {
  it("new code past lambda.code-storage-bytes gets 400 CodeStorageExceededException 'Code storage limit exceeded.'; GetAccountSettings shows the quota", async () => {
    const zip = nodeZip(NODE_ECHO);
    const app = await startTestServer({ quotas: { ...defaultQuotas(), "lambda.code-storage-bytes": zip.length * 2 + 10 } });
    try {
      const c = clients(app.url);
      const role = (await c.iam.send(new CreateRoleCommand({ RoleName: "fn", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
      const create = (name: string) => c.lambda.send(new L.CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip } }));
      await create("one");
      await create("two");
      const e = await fails(create("three"), "CodeStorageExceededException", "Code storage limit exceeded.");
      assert.equal(e.Type, "User");
      await assert.rejects(c.lambda.send(new L.GetFunctionCommand({ FunctionName: "three" })), /Function not found/);
      const settings = await c.lambda.send(new L.GetAccountSettingsCommand({}));
      assert.equal(settings.AccountLimit!.TotalCodeSize, zip.length * 2 + 10);
      assert.equal(settings.AccountUsage!.TotalCodeSize, zip.length * 2);
      await c.lambda.send(new L.DeleteFunctionCommand({ FunctionName: "two" }));
      await create("three");
    } finally {
      await app.close();
    }
  });
});
