// Filtered DescribeNetworkInterfaces (answered from EC2's interface index) with real clients:
// after changes to the filtered attributes, an invalid filter, and a restart from the state directory.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients, rejects } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";

async function ids(ec2: E.EC2Client, Filters: E.Filter[]): Promise<string[]> {
  const r = await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters }));
  return r.NetworkInterfaces!.map((n) => n.NetworkInterfaceId!);
}

describe("DescribeNetworkInterfaces filters through the index", () => {
  it("follow tags, descriptions and addresses, refuse unknown filters, and survive a restart", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "hyperlocal-eni-filters-"));
    let app = await startTestServer({ stateDir, noDefaultVpc: true });
    let { ec2 } = clients(app.url);
    const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.8.0.0/16" }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.8.1.0/24" }))).Subnet!.SubnetId!;
    const make = async (ip: string, description: string, team: string) =>
      (
        await ec2.send(
          new E.CreateNetworkInterfaceCommand({
            SubnetId: subnet,
            PrivateIpAddress: ip,
            Description: description,
            TagSpecifications: [{ ResourceType: "network-interface", Tags: [{ Key: "team", Value: team }] }],
          }),
        )
      ).NetworkInterface!.NetworkInterfaceId!;
    const a = await make("10.8.1.10", "api 1", "red");
    const b = await make("10.8.1.11", "api 2", "blue");
    const c = await make("10.8.1.12", "db 1", "red");
    assert.deepEqual(await ids(ec2, [{ Name: "tag:team", Values: ["red"] }]), [a, c]);
    assert.deepEqual(await ids(ec2, [{ Name: "description", Values: ["api*"] }]), [a, b]);
    assert.deepEqual(await ids(ec2, [{ Name: "private-ip-address", Values: ["10.8.1.11"] }]), [b]);

    await ec2.send(new E.CreateTagsCommand({ Resources: [b], Tags: [{ Key: "team", Value: "red" }] }));
    await ec2.send(new E.ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: a, Description: { Value: "old api" } }));
    await ec2.send(new E.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: c }));
    // A failed request changes nothing the filters see.
    const bad = await rejects(ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "tag:team", Values: ["red"] }, { Name: "no-such-filter", Values: ["x"] }] })));
    assert.equal(bad.name, "InvalidParameterValue");
    assert.equal(bad.message, "The filter 'no-such-filter' is invalid");
    const after = async () => {
      assert.deepEqual(await ids(ec2, [{ Name: "tag:team", Values: ["red"] }]), [a, b]);
      assert.deepEqual(await ids(ec2, [{ Name: "description", Values: ["api*"] }]), [b]);
      assert.deepEqual(await ids(ec2, [{ Name: "description", Values: ["old api"] }, { Name: "vpc-id", Values: [vpc] }]), [a]);
      assert.deepEqual(await ids(ec2, [{ Name: "private-ip-address", Values: ["10.8.1.12"] }]), [], "a deleted interface is gone");
      const shown = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [a] }))).NetworkInterfaces![0];
      assert.equal(shown.Description, "old api", "the view shows the change");
    };
    await after();
    if (hasAwsCli()) {
      const cli = await aws(app.url, ["ec2", "describe-network-interfaces", "--filters", "Name=tag:team,Values=red", "Name=description,Values=api*"]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.deepEqual(cli.json.NetworkInterfaces.map((n: { NetworkInterfaceId: string }) => n.NetworkInterfaceId), [b]);
    }
    ec2.destroy();
    await app.close();

    app = await startTestServer({ stateDir, noDefaultVpc: true });
    try {
      ({ ec2 } = clients(app.url));
      await after();
      const d = await make("10.8.1.13", "api 3", "red");
      assert.deepEqual(await ids(ec2, [{ Name: "tag:team", Values: ["red"] }]), [a, b, d]);
      ec2.destroy();
    } finally {
      await app.close();
    }
  });
});
