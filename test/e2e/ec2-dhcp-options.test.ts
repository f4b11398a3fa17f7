// DHCP option sets: CreateDhcpOptions, AssociateDhcpOptions (and "default"), DescribeDhcpOptions, DeleteDhcpOptions.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients } from "../support/clients.ts";
import { fails } from "../support/ec2-helpers.ts";
import { startTestServer } from "../support/server.ts";

describe("DHCP option sets", () => {
  let app: App;
  let ec2: E.EC2Client;
  let vpc: E.Vpc;
  let dopt: string;
  before(async () => {
    app = await startTestServer();
    ec2 = clients(app.url).ec2;
    vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!;
  });
  after(() => app?.close());

  it("a new VPC uses the Region's default set: ec2.internal and AmazonProvidedDNS", async () => {
    const d = (await ec2.send(new E.DescribeDhcpOptionsCommand({ DhcpOptionsIds: [vpc.DhcpOptionsId!] }))).DhcpOptions![0];
    assert.deepEqual(
      d.DhcpConfigurations!.map((x) => [x.Key, x.Values!.map((v) => v.Value)]),
      [["domain-name", ["ec2.internal"]], ["domain-name-servers", ["AmazonProvidedDNS"]]],
    );
  });

  it("CreateDhcpOptions keeps the options and tags; AssociateDhcpOptions points the VPC at it", async () => {
    const d = (
      await ec2.send(
        new E.CreateDhcpOptionsCommand({
          DhcpConfigurations: [{ Key: "domain-name", Values: ["corp.example"] }, { Key: "domain-name-servers", Values: ["10.0.0.2", "10.0.0.3"] }],
          TagSpecifications: [{ ResourceType: "dhcp-options", Tags: [{ Key: "team", Value: "net" }] }],
        }),
      )
    ).DhcpOptions!;
    dopt = d.DhcpOptionsId!;
    assert.match(dopt, /^dopt-[0-9a-f]{17}$/);
    assert.deepEqual(d.Tags, [{ Key: "team", Value: "net" }]);
    await ec2.send(new E.AssociateDhcpOptionsCommand({ DhcpOptionsId: dopt, VpcId: vpc.VpcId }));
    assert.equal((await ec2.send(new E.DescribeVpcsCommand({ VpcIds: [vpc.VpcId!] }))).Vpcs![0].DhcpOptionsId, dopt);
    const other = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.1.0.0/16" }))).Vpc!;
    assert.notEqual(other.DhcpOptionsId, dopt, "new VPCs keep the default set");
  });

  it("a set in use cannot be deleted (DependencyViolation); after 'default' is associated it can", async () => {
    await fails(ec2.send(new E.DeleteDhcpOptionsCommand({ DhcpOptionsId: dopt })), "DependencyViolation", `The dhcpOptions '${dopt}' has dependencies and cannot be deleted.`);
    await ec2.send(new E.AssociateDhcpOptionsCommand({ DhcpOptionsId: "default", VpcId: vpc.VpcId }));
    await ec2.send(new E.DeleteDhcpOptionsCommand({ DhcpOptionsId: dopt }));
    await fails(ec2.send(new E.DescribeDhcpOptionsCommand({ DhcpOptionsIds: [dopt] })), "InvalidDhcpOptionID.NotFound", `The dhcpOption ID '${dopt}' does not exist`);
  });

  it("an unknown option key is refused and nothing is created", async () => {
    const before = (await ec2.send(new E.DescribeDhcpOptionsCommand({}))).DhcpOptions!.length;
    await fails(ec2.send(new E.CreateDhcpOptionsCommand({ DhcpConfigurations: [{ Key: "tftp-server", Values: ["x"] }] })), "InvalidParameterValue");
    assert.equal((await ec2.send(new E.DescribeDhcpOptionsCommand({}))).DhcpOptions!.length, before);
  });

  it("the AWS CLI's create-dhcp-options", { skip: hasAwsCli() ? false : "needs /usr/bin/aws" }, async () => {
    const out = await aws(app.url, ["ec2", "create-dhcp-options", "--dhcp-configurations", "Key=domain-name,Values=cli.example"]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.json.DhcpOptions.DhcpConfigurations[0].Values[0].Value, "cli.example");
  });
});
