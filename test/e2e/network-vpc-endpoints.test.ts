// VPC endpoints in the network model, through the public surfaces: the reachability API (names
// resolved as a VPC function would: AWS service names to their public address, or with private DNS
// to the interface endpoint's interfaces) and Reachability Analyzer through the AWS CLI, with a VPC
// endpoint as the destination. No function code runs here: awscalls' scenario rows do that.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients } from "../support/clients.ts";
import { awsServiceAddress } from "../../src/core/aws-service-addresses.ts";
import { adminCall, buildScenario, startNetworkTestServer, type NetworkTestServer, type Scenario } from "../../src/network/server/test-support.ts";

let srv: NetworkTestServer;
let sc: Scenario;
let ec2: E.EC2Client;
let lambdaIp: string;

before(async () => {
  srv = await startNetworkTestServer();
  sc = await buildScenario(srv);
  ec2 = clients(srv.url, undefined, srv.config.region).ec2;
  const { account, region } = srv.config;
  srv.functions.set("orders", { account, region, functionName: "orders", vpc: { networkInterfaceId: sc.lambdaEni, comboKey: sc.comboKey, ipv6Allowed: false } });
  srv.functions.set("public", { account, region, functionName: "public" });
  lambdaIp = srv.ec2.getNetworkInterface(account, region, sc.lambdaEni)!.privateIpAddress!;
});
after(async () => {
  ec2?.destroy();
  await srv?.close();
});

const reach = async (fn: string, to: string) => (await adminCall(srv, "GET", `reachability?function=${fn}&to=${to}`)).body;
const STS = awsServiceAddress("us-east-1", "sts");

test("a private subnet with the local route only: the STS name resolves to its public address, no route, and the answer says what to add", async () => {
  const b = await reach("orders", "sts.us-east-1.amazonaws.com:443");
  assert.equal(b.to.ip, STS);
  assert.equal(b.verdict, "unreachable");
  assert.equal(b.reasons[0].code, "NO_ROUTE_TO_DESTINATION");
  assert.match(b.reasons[0].message, /add a NAT gateway or an interface endpoint for com\.amazonaws\.us-east-1\.sts\./);
  assert.match(b.answer, /interface endpoint for com\.amazonaws\.us-east-1\.sts/);
  assert.equal(b.awsService, undefined);
  // Outside a VPC the same name goes straight out, with no VPC keys.
  const pub = await reach("public", "sts.us-east-1.amazonaws.com:443");
  assert.equal(pub.verdict, "allow");
  assert.deepEqual(pub.awsService, { service: "sts", region: "us-east-1", via: "direct", sourceIp: pub.target.seenSourceIp });
});

test("an interface endpoint with private DNS: the name resolves to its interface; pending drops, available allows; its group must allow 443", async () => {
  await ec2.send(new E.ModifyVpcAttributeCommand({ VpcId: sc.vpcId, EnableDnsHostnames: { Value: true } }));
  const vpceSg = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: sc.vpcId, GroupName: "vpce", Description: "endpoint" }))).GroupId!;
  const https = { IpProtocol: "tcp", FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: sc.fnSg }] };
  await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: vpceSg, IpPermissions: [https] }));
  const e = (
    await ec2.send(new E.CreateVpcEndpointCommand({ VpcEndpointType: "Interface", VpcId: sc.vpcId, ServiceName: "com.amazonaws.us-east-1.sts", SubnetIds: [sc.dbSubnet], SecurityGroupIds: [vpceSg] }))
  ).VpcEndpoint!;
  const eniIp = srv.ec2.getNetworkInterface(srv.config.account, srv.config.region, e.NetworkInterfaceIds![0])!.privateIpAddress!;

  let b = await reach("orders", "sts.us-east-1.amazonaws.com:443");
  assert.equal(b.to.ip, eniIp, "private DNS answers with the endpoint's interface");
  assert.equal(`${b.verdict} ${b.reasons[0]?.code} ${b.reasons[0]?.check}`, "drop BAD_STATE vpc-endpoint-state");

  await adminCall(srv, "POST", "clock/advance", { seconds: 10 });
  b = await reach("orders", "sts.us-east-1.amazonaws.com:443");
  assert.equal(b.verdict, "allow", JSON.stringify(b.reasons));
  assert.equal(b.target.vpcEndpointId, e.VpcEndpointId);
  assert.ok(b.path.some((h: { kind: string; id: string }) => h.kind === "vpc-endpoint" && h.id === e.VpcEndpointId));
  assert.deepEqual(b.awsService, { service: "sts", region: "us-east-1", via: "interface-endpoint", vpcEndpointId: e.VpcEndpointId, vpcId: sc.vpcId, vpcSourceIp: lambdaIp });
  // The endpoint's own DNS name resolves too.
  const regional = e.DnsEntries!.find((d) => d.DnsName!.includes(".vpce.amazonaws.com"))!.DnsName!;
  assert.equal((await reach("orders", `${regional}:443`)).to.ip, eniIp);

  // Reachability Analyzer, through the AWS CLI, with the endpoint as the destination.
  if (hasAwsCli()) {
    const cli = async (args: string[]) => {
      const r = await aws(srv.url, ["ec2", ...args], undefined, srv.config.region);
      assert.equal(r.code, 0, r.stderr);
      return r.json;
    };
    const path = (await cli(["create-network-insights-path", "--source", sc.lambdaEni, "--destination", e.VpcEndpointId!, "--protocol", "tcp", "--destination-port", "443"])).NetworkInsightsPath;
    assert.equal(path.DestinationArn, `arn:aws:ec2:${srv.config.region}:${srv.config.account}:vpc-endpoint/${e.VpcEndpointId}`);
    const id = (await cli(["start-network-insights-analysis", "--network-insights-path-id", path.NetworkInsightsPathId])).NetworkInsightsAnalysis.NetworkInsightsAnalysisId;
    await adminCall(srv, "POST", "clock/advance", { seconds: 2 });
    const a = (await cli(["describe-network-insights-analyses", "--network-insights-analysis-ids", id])).NetworkInsightsAnalyses[0];
    assert.equal(a.Status, "succeeded");
    assert.equal(a.NetworkPathFound, true);
    assert.ok(a.ForwardPathComponents.some((c: { Component: { Id: string } }) => c.Component.Id === e.VpcEndpointId));

    const none = (await cli(["create-network-insights-path", "--source", sc.lambdaEni, "--destination", sc.igw, "--destination-ip", awsServiceAddress("us-east-1", "lambda")!, "--protocol", "tcp", "--destination-port", "443"])).NetworkInsightsPath;
    const id2 = (await cli(["start-network-insights-analysis", "--network-insights-path-id", none.NetworkInsightsPathId])).NetworkInsightsAnalysis.NetworkInsightsAnalysisId;
    await adminCall(srv, "POST", "clock/advance", { seconds: 2 });
    const a2 = (await cli(["describe-network-insights-analyses", "--network-insights-analysis-ids", id2])).NetworkInsightsAnalyses[0];
    assert.equal(a2.NetworkPathFound, false);
    assert.equal(a2.Explanations[0].ExplanationCode, "NO_ROUTE_TO_DESTINATION");
  }

  // The endpoint's group without 443: dropped at its ingress.
  await ec2.send(new E.RevokeSecurityGroupIngressCommand({ GroupId: vpceSg, IpPermissions: [https] }));
  b = await reach("orders", "sts.us-east-1.amazonaws.com:443");
  assert.equal(`${b.verdict} ${b.reasons[0]?.code} ${b.reasons[0]?.check}`, "drop ENI_SG_RULES_MISMATCH security-group-ingress");

  // Private DNS off: the name is the public address again.
  await ec2.send(new E.ModifyVpcEndpointCommand({ VpcEndpointId: e.VpcEndpointId, PrivateDnsEnabled: false }));
  b = await reach("orders", "sts.us-east-1.amazonaws.com:443");
  assert.equal(b.to.ip, STS);
  await ec2.send(new E.DeleteVpcEndpointsCommand({ VpcEndpointIds: [e.VpcEndpointId!] }));
});

test("an S3 gateway endpoint on the subnet's route table: S3 without NAT; removing the table: no route again", async () => {
  const e = (await ec2.send(new E.CreateVpcEndpointCommand({ VpcId: sc.vpcId, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIds: [sc.privateRt] }))).VpcEndpoint!;
  let b = await reach("orders", "s3.us-east-1.amazonaws.com:443");
  assert.equal(b.verdict, "allow", JSON.stringify(b.reasons));
  assert.deepEqual(b.awsService, { service: "s3", region: "us-east-1", via: "gateway-endpoint", vpcEndpointId: e.VpcEndpointId, vpcId: sc.vpcId, vpcSourceIp: lambdaIp });
  assert.ok(b.path.some((h: { kind: string; detail?: string }) => h.kind === "route-table" && h.detail?.startsWith("pl-63a5400a")));
  // A bucket's virtual-hosted name is S3's address too.
  assert.equal((await reach("orders", "my-bucket.s3.us-east-1.amazonaws.com:443")).verdict, "allow");
  await ec2.send(new E.ModifyVpcEndpointCommand({ VpcEndpointId: e.VpcEndpointId, RemoveRouteTableIds: [sc.privateRt] }));
  b = await reach("orders", "s3.us-east-1.amazonaws.com:443");
  assert.equal(b.verdict, "unreachable");
  assert.match(b.reasons[0].message, /or a gateway endpoint for com\.amazonaws\.us-east-1\.s3/);
  await ec2.send(new E.DeleteVpcEndpointsCommand({ VpcEndpointIds: [e.VpcEndpointId!] }));
});
