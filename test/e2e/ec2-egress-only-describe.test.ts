// DescribeEgressOnlyInternetGateways of a gateway that is gone: an empty set, not an error, which is
// how clients (the Terraform provider among them) learn that it was deleted.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { clients } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";

describe("DescribeEgressOnlyInternetGateways of a deleted gateway", () => {
  let app: App;
  before(async () => {
    app = await startTestServer();
  });
  after(() => app?.close());

  it("lists it while it exists, then answers an empty set for its id", async () => {
    const ec2 = clients(app.url).ec2;
    const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16", AmazonProvidedIpv6CidrBlock: true }))).Vpc!.VpcId!;
    const id = (await ec2.send(new E.CreateEgressOnlyInternetGatewayCommand({ VpcId: vpc }))).EgressOnlyInternetGateway!.EgressOnlyInternetGatewayId!;
    const before = (await ec2.send(new E.DescribeEgressOnlyInternetGatewaysCommand({ EgressOnlyInternetGatewayIds: [id] }))).EgressOnlyInternetGateways!;
    assert.deepEqual(before.map((g) => g.EgressOnlyInternetGatewayId), [id]);
    await ec2.send(new E.DeleteEgressOnlyInternetGatewayCommand({ EgressOnlyInternetGatewayId: id }));
    const after = (await ec2.send(new E.DescribeEgressOnlyInternetGatewaysCommand({ EgressOnlyInternetGatewayIds: [id] }))).EgressOnlyInternetGateways ?? [];
    assert.deepEqual(after, []);
  });
});
