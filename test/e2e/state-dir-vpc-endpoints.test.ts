// VPC endpoints with --state-dir: a pending interface endpoint, its interface and a gateway
// endpoint's route survive a restart, and the endpoint becomes available on the restored clock.
import { it } from "node:test";
import assert from "node:assert/strict";
import * as E from "@aws-sdk/client-ec2";
import { startChildServer, tempDir } from "../support/server.ts";

function ec2(url: string) {
  return new E.EC2Client({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
}

it("endpoints, their interfaces and routes survive a restart; pending resumes on the clock (--realistic-timing: 2 minutes pending, longer than a restart)", async () => {
  const dir = tempDir();
  const first = await startChildServer(["--state-dir", dir, "--realistic-timing"]);
  let ids: { vpce: string; gw: string; rtb: string; eni: string };
  try {
    const c = ec2(first.url);
    const vpc = (await c.send(new E.CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!.VpcId!;
    await c.send(new E.ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
    const subnet = (await c.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.9.1.0/24" }))).Subnet!.SubnetId!;
    const rtb = (await c.send(new E.CreateRouteTableCommand({ VpcId: vpc }))).RouteTable!.RouteTableId!;
    const e = (await c.send(new E.CreateVpcEndpointCommand({ VpcEndpointType: "Interface", VpcId: vpc, ServiceName: "com.amazonaws.us-east-1.sts", SubnetIds: [subnet] }))).VpcEndpoint!;
    const gw = (await c.send(new E.CreateVpcEndpointCommand({ VpcId: vpc, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIds: [rtb] }))).VpcEndpoint!;
    // A refused second gateway endpoint on the same table leaves nothing behind.
    await assert.rejects(c.send(new E.CreateVpcEndpointCommand({ VpcId: vpc, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIds: [rtb] })), { name: "RouteAlreadyExists" });
    ids = { vpce: e.VpcEndpointId!, gw: gw.VpcEndpointId!, rtb, eni: e.NetworkInterfaceIds![0] };
    c.destroy();
  } finally {
    assert.equal(await first.stop("SIGTERM"), 0);
  }

  const second = await startChildServer(["--state-dir", dir, "--realistic-timing"]);
  try {
    const c = ec2(second.url);
    const all = (await c.send(new E.DescribeVpcEndpointsCommand({}))).VpcEndpoints!;
    assert.deepEqual(all.map((x) => [x.VpcEndpointId, x.State]).sort(), [[ids!.vpce, "pending"], [ids!.gw, "available"]].sort());
    const eni = (await c.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [ids!.eni] }))).NetworkInterfaces![0];
    assert.equal(eni.InterfaceType, "vpc_endpoint");
    const routes = (await c.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [ids!.rtb] }))).RouteTables![0].Routes!;
    assert.deepEqual(routes.filter((r) => r.DestinationPrefixListId).map((r) => [r.DestinationPrefixListId, r.GatewayId]), [["pl-63a5400a", ids!.gw]]);
    await fetch(`${second.url}/_hyperlocal/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds: 180 }) });
    const after = (await c.send(new E.DescribeVpcEndpointsCommand({ VpcEndpointIds: [ids!.vpce] }))).VpcEndpoints![0];
    assert.equal(after.State, "available");
    c.destroy();
  } finally {
    await second.stop();
  }
});
