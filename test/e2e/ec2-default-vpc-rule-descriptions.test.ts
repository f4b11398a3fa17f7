// CreateDefaultVpc and UpdateSecurityGroupRuleDescriptionsIngress/Egress through the SDK and the AWS CLI.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients } from "../support/clients.ts";
import { fails } from "../support/ec2-helpers.ts";
import { startTestServer } from "../support/server.ts";

describe("CreateDefaultVpc", () => {
  let app: App;
  let ec2: E.EC2Client;
  before(async () => {
    app = await startTestServer({ noDefaultVpc: true });
    ec2 = clients(app.url).ec2;
  });
  after(() => app?.close());

  it("creates the default VPC a new account has: 172.31.0.0/16, a default /20 subnet per zone, an internet gateway routed from the main table", async () => {
    const vpc = (await ec2.send(new E.CreateDefaultVpcCommand({}))).Vpc!;
    assert.equal(vpc.CidrBlock, "172.31.0.0/16");
    assert.equal(vpc.IsDefault, true);
    assert.equal(vpc.State, "pending");
    const subnets = (await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }] }))).Subnets!;
    const zones = (await ec2.send(new E.DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
    assert.equal(subnets.length, zones.length);
    assert.ok(subnets.every((s) => s.DefaultForAz && s.MapPublicIpOnLaunch && s.CidrBlock!.endsWith("/20")));
    const igws = (await ec2.send(new E.DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [vpc.VpcId!] }] }))).InternetGateways!;
    assert.equal(igws.length, 1);
    const main = (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }, { Name: "association.main", Values: ["true"] }] }))).RouteTables![0];
    assert.ok(main.Routes!.some((r) => r.DestinationCidrBlock === "0.0.0.0/0" && r.GatewayId === igws[0].InternetGatewayId));
  });

  it("a second one is refused: DefaultVpcAlreadyExists, and nothing is created", async () => {
    await fails(ec2.send(new E.CreateDefaultVpcCommand({})), "DefaultVpcAlreadyExists", "A Default VPC already exists for this account in this region.");
    assert.equal((await ec2.send(new E.DescribeVpcsCommand({}))).Vpcs!.length, 1);
  });

  it("the AWS CLI's create-default-vpc in another Region", { skip: hasAwsCli() ? false : "needs /usr/bin/aws" }, async () => {
    const out = await aws(app.url, ["ec2", "create-default-vpc"], undefined, "eu-west-1");
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.json.Vpc.IsDefault, true);
    assert.equal(out.json.Vpc.CidrBlock, "172.31.0.0/16");
  });
});

describe("UpdateSecurityGroupRuleDescriptionsIngress/Egress", () => {
  let app: App;
  let ec2: E.EC2Client;
  let sg: string;
  const https = { IpProtocol: "tcp", FromPort: 443, ToPort: 443 };
  before(async () => {
    app = await startTestServer();
    ec2 = clients(app.url).ec2;
    const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
    sg = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "web", Description: "web" }))).GroupId!;
    await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [{ ...https, IpRanges: [{ CidrIp: "10.0.0.0/16", Description: "old" }] }] }));
  });
  after(() => app?.close());
  const rules = async () => (await ec2.send(new E.DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [sg] }] }))).SecurityGroupRules!;

  it("by permissions: the description given with the range replaces the rule's", async () => {
    const r = await ec2.send(new E.UpdateSecurityGroupRuleDescriptionsIngressCommand({ GroupId: sg, IpPermissions: [{ ...https, IpRanges: [{ CidrIp: "10.0.0.0/16", Description: "new" }] }] }));
    assert.equal(r.Return, true);
    assert.equal((await rules()).find((x) => !x.IsEgress)!.Description, "new");
  });

  it("by rule id, for egress", async () => {
    const egress = (await rules()).find((x) => x.IsEgress)!;
    await ec2.send(new E.UpdateSecurityGroupRuleDescriptionsEgressCommand({ GroupId: sg, SecurityGroupRuleDescriptions: [{ SecurityGroupRuleId: egress.SecurityGroupRuleId, Description: "all out" }] }));
    assert.equal((await rules()).find((x) => x.IsEgress)!.Description, "all out");
  });

  it("a rule that does not exist: InvalidPermission.NotFound, and no description changes", async () => {
    await fails(
      ec2.send(new E.UpdateSecurityGroupRuleDescriptionsIngressCommand({ GroupId: sg, IpPermissions: [{ ...https, IpRanges: [{ CidrIp: "10.0.0.0/16", Description: "x" }, { CidrIp: "10.9.0.0/16", Description: "y" }] }] })),
      "InvalidPermission.NotFound",
    );
    assert.equal((await rules()).find((x) => !x.IsEgress)!.Description, "new");
    await fails(ec2.send(new E.UpdateSecurityGroupRuleDescriptionsEgressCommand({ GroupId: sg, SecurityGroupRuleDescriptions: [{ SecurityGroupRuleId: "sgr-00000000000000000", Description: "z" }] })), "InvalidSecurityGroupRuleId.NotFound");
  });
});
