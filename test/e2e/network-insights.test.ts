// EC2 Reachability Analyzer (network insights paths and analyses), answered by hyperlocal's
// reachability model: through Debian's AWS CLI for an allowed path (a Lambda Hyperplane ENI to the
// database on 5432), a dropped one (22: ENI_SG_RULES_MISMATCH) and an internet path without a NAT
// gateway; through the SDK for filters, pagination, ACL explanations, deletes and errors.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients, rejects } from "../support/clients.ts";
import { adminCall, buildScenario, startNetworkTestServer, type NetworkTestServer, type Scenario } from "../../src/network/server/test-support.ts";

let srv: NetworkTestServer;
let sc: Scenario;
let ec2: E.EC2Client;

before(async () => {
  srv = await startNetworkTestServer();
  sc = await buildScenario(srv);
  ec2 = clients(srv.url, undefined, srv.config.region).ec2;
  // The classic mistake: the function's subnet routes 0.0.0.0/0 straight to the internet gateway.
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: sc.privateRt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: sc.igw }));
});
after(async () => {
  ec2?.destroy();
  await srv?.close();
});

test("aws ec2 create-network-insights-path / start-network-insights-analysis / describe-network-insights-analyses", { skip: !hasAwsCli() && "no AWS CLI" }, async () => {
  const cli = async (args: string[]) => {
    const r = await aws(srv.url, ["ec2", ...args], undefined, srv.config.region);
    assert.equal(r.code, 0, r.stderr);
    return r.json;
  };
  const paths = await Promise.all([
    cli(["create-network-insights-path", "--source", sc.lambdaEni, "--destination", sc.dbEni, "--protocol", "tcp", "--destination-port", "5432", "--tag-specifications", "ResourceType=network-insights-path,Tags=[{Key=Name,Value=db}]"]),
    cli(["create-network-insights-path", "--source", sc.lambdaEni, "--destination", sc.dbEni, "--protocol", "tcp", "--destination-port", "22"]),
    cli(["create-network-insights-path", "--source", sc.lambdaEni, "--destination", sc.igw, "--destination-ip", "203.0.113.10", "--protocol", "tcp", "--destination-port", "443"]),
  ]);
  const db = paths[0].NetworkInsightsPath;
  assert.match(db.NetworkInsightsPathId, /^nip-[0-9a-f]{17}$/);
  assert.equal(db.NetworkInsightsPathArn, `arn:aws:ec2:${srv.config.region}:${srv.config.account}:network-insights-path/${db.NetworkInsightsPathId}`);
  assert.equal(db.Source, sc.lambdaEni);
  assert.equal(db.SourceArn, `arn:aws:ec2:${srv.config.region}:${srv.config.account}:network-interface/${sc.lambdaEni}`);
  assert.equal(db.Destination, sc.dbEni);
  assert.equal(db.Protocol, "tcp");
  assert.equal(db.DestinationPort, 5432);
  assert.deepEqual(db.Tags, [{ Key: "Name", Value: "db" }]);
  assert.equal(paths[2].NetworkInsightsPath.DestinationIp, "203.0.113.10");

  const started = await Promise.all(paths.map((p) => cli(["start-network-insights-analysis", "--network-insights-path-id", p.NetworkInsightsPath.NetworkInsightsPathId])));
  for (const s of started) {
    assert.match(s.NetworkInsightsAnalysis.NetworkInsightsAnalysisId, /^nia-/);
    assert.equal(s.NetworkInsightsAnalysis.Status, "running");
    assert.equal(s.NetworkInsightsAnalysis.NetworkPathFound, undefined);
  }
  await adminCall(srv, "POST", "clock/advance", { seconds: 2 });
  const ids = started.map((s) => s.NetworkInsightsAnalysis.NetworkInsightsAnalysisId);
  const described = (await cli(["describe-network-insights-analyses", "--network-insights-analysis-ids", ...ids])).NetworkInsightsAnalyses;
  const [allowed, dropped, internet] = ids.map((id) => described.find((a: { NetworkInsightsAnalysisId: string }) => a.NetworkInsightsAnalysisId === id));

  assert.equal(allowed.Status, "succeeded");
  assert.equal(allowed.NetworkPathFound, true);
  assert.equal(allowed.Explanations, undefined);
  const fwd = allowed.ForwardPathComponents;
  assert.deepEqual(
    fwd.map((c: { SequenceNumber: number }) => c.SequenceNumber),
    fwd.map((_: unknown, i: number) => i + 1),
  );
  assert.equal(fwd[0].Component.Id, sc.lambdaEni);
  assert.equal(fwd[0].Subnet.Id, sc.privateSubnet);
  assert.equal(fwd.at(-1).Component.Id, sc.dbEni);
  const route = fwd.find((c: { RouteTableRoute?: unknown }) => c.RouteTableRoute);
  assert.deepEqual(route.RouteTableRoute, { DestinationCidr: "10.0.0.0/16", GatewayId: "local", Origin: "CreateRouteTable", State: "active" });
  const ingress = fwd.find((c: { SecurityGroupRule?: { Direction: string } }) => c.SecurityGroupRule?.Direction === "ingress");
  assert.equal(ingress.Component.Id, sc.dbSg);
  assert.deepEqual(ingress.SecurityGroupRule, { Direction: "ingress", SecurityGroupId: sc.fnSg, PortRange: { From: 5432, To: 5432 }, Protocol: "tcp" });
  const acl = fwd.find((c: { AclRule?: unknown }) => c.AclRule);
  assert.equal(acl.AclRule.RuleAction, "allow");
  assert.ok(allowed.ReturnPathComponents.length > 0);

  assert.equal(dropped.NetworkPathFound, false);
  assert.equal(dropped.Explanations.length, 1);
  const x = dropped.Explanations[0];
  assert.equal(x.ExplanationCode, "ENI_SG_RULES_MISMATCH");
  assert.equal(x.Direction, "ingress");
  assert.equal(x.NetworkInterface.Id, sc.dbEni);
  assert.deepEqual(
    x.SecurityGroups.map((g: { Id: string }) => g.Id),
    [sc.dbSg],
  );
  assert.equal(x.SecurityGroups[0].Arn, `arn:aws:ec2:${srv.config.region}:${srv.config.account}:security-group/${sc.dbSg}`);
  assert.equal(x.Vpc.Id, sc.vpcId);
  assert.equal(x.Port, 22);

  // Behaviour 5: a route to the internet gateway does not give a Lambda ENI the internet.
  assert.equal(internet.NetworkPathFound, false);
  assert.equal(internet.Explanations[0].ExplanationCode, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS");
  assert.equal(internet.Explanations[0].InternetGateway.Id, sc.igw);
});

test("an allowed internet path through a NAT gateway, a network ACL explanation with its rule", async () => {
  const eip = await ec2.send(new E.AllocateAddressCommand({ Domain: "vpc" }));
  const nat = (await ec2.send(new E.CreateNatGatewayCommand({ SubnetId: sc.publicSubnet, AllocationId: eip.AllocationId }))).NatGateway!;
  await ec2.send(new E.ReplaceRouteCommand({ RouteTableId: sc.privateRt, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat.NatGatewayId }));
  srv.clock.advance(10_000); // the NAT gateway becomes available
  const path = (await ec2.send(new E.CreateNetworkInsightsPathCommand({ Source: sc.lambdaEni, Destination: sc.igw, DestinationIp: "203.0.113.10", Protocol: "tcp", DestinationPort: 443 })))
    .NetworkInsightsPath!;
  const started = (await ec2.send(new E.StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: path.NetworkInsightsPathId }))).NetworkInsightsAnalysis!;
  srv.clock.advance(1000);
  const a = (await ec2.send(new E.DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsAnalysisIds: [started.NetworkInsightsAnalysisId!] }))).NetworkInsightsAnalyses![0];
  assert.equal(a.Status, "succeeded");
  assert.equal(a.NetworkPathFound, true);
  const ids = a.ForwardPathComponents!.map((c) => c.Component!.Id);
  assert.ok(ids.includes(nat.NatGatewayId), ids.join(" "));
  assert.equal(ids.at(-1), sc.igw);

  // A custom ACL on the database subnet (no entries: only the final * deny).
  const acl = (await ec2.send(new E.CreateNetworkAclCommand({ VpcId: sc.vpcId }))).NetworkAcl!;
  const assoc = (await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: "association.subnet-id", Values: [sc.dbSubnet] }] }))).NetworkAcls![0].Associations!.find(
    (x) => x.SubnetId === sc.dbSubnet,
  )!;
  await ec2.send(new E.ReplaceNetworkAclAssociationCommand({ AssociationId: assoc.NetworkAclAssociationId, NetworkAclId: acl.NetworkAclId }));
  await ec2.send(new E.CreateNetworkAclEntryCommand({ NetworkAclId: acl.NetworkAclId, RuleNumber: 10, Egress: false, Protocol: "6", RuleAction: "deny", CidrBlock: "10.0.0.0/16", PortRange: { From: 5432, To: 5432 } }));
  const dbPath = (await ec2.send(new E.CreateNetworkInsightsPathCommand({ Source: sc.lambdaEni, Destination: sc.dbEni, Protocol: "tcp", DestinationPort: 5432 }))).NetworkInsightsPath!;
  const dbRun = (await ec2.send(new E.StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: dbPath.NetworkInsightsPathId }))).NetworkInsightsAnalysis!;
  srv.clock.advance(1000);
  const d = (await ec2.send(new E.DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsPathId: dbPath.NetworkInsightsPathId }))).NetworkInsightsAnalyses!;
  assert.equal(d.length, 1);
  assert.equal(d[0].NetworkInsightsAnalysisId, dbRun.NetworkInsightsAnalysisId);
  assert.equal(d[0].NetworkPathFound, false);
  const x = d[0].Explanations![0];
  assert.equal(x.ExplanationCode, "SUBNET_ACL_RESTRICTION");
  assert.equal(x.Direction, "ingress");
  assert.equal(x.Acl!.Id, acl.NetworkAclId);
  assert.deepEqual(x.AclRule, { Cidr: "10.0.0.0/16", Egress: false, PortRange: { From: 5432, To: 5432 }, Protocol: "tcp", RuleAction: "deny", RuleNumber: 10 });
  assert.equal(x.Subnet!.Id, sc.dbSubnet);
  await ec2.send(new E.ReplaceNetworkAclAssociationCommand({ AssociationId: (await currentAssociation()).NetworkAclAssociationId, NetworkAclId: assoc.NetworkAclId }));
});

async function currentAssociation(): Promise<E.NetworkAclAssociation> {
  const acls = (await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: "association.subnet-id", Values: [sc.dbSubnet] }] }))).NetworkAcls!;
  return acls[0].Associations!.find((x) => x.SubnetId === sc.dbSubnet)!;
}

test("DescribeNetworkInsightsPaths: ids, filters, pagination; analyses by status and path-found", async () => {
  for (const port of [1001, 1002, 1003]) {
    await ec2.send(new E.CreateNetworkInsightsPathCommand({ Source: sc.lambdaEni, Destination: sc.dbEni, Protocol: "udp", DestinationPort: port, TagSpecifications: [{ ResourceType: "network-insights-path", Tags: [{ Key: "batch", Value: "p" }] }] }));
  }
  const udp = (await ec2.send(new E.DescribeNetworkInsightsPathsCommand({ Filters: [{ Name: "protocol", Values: ["udp"] }] }))).NetworkInsightsPaths!;
  assert.deepEqual(
    udp.map((p) => p.DestinationPort),
    [1001, 1002, 1003],
  );
  const bySource = (await ec2.send(new E.DescribeNetworkInsightsPathsCommand({ Filters: [{ Name: "source", Values: [sc.lambdaEni] }, { Name: "tag:batch", Values: ["p"] }] }))).NetworkInsightsPaths!;
  assert.equal(bySource.length, 3);
  const page1 = await ec2.send(new E.DescribeNetworkInsightsPathsCommand({ Filters: [{ Name: "protocol", Values: ["udp"] }], MaxResults: 2 }));
  assert.equal(page1.NetworkInsightsPaths!.length, 2);
  assert.ok(page1.NextToken);
  const page2 = await ec2.send(new E.DescribeNetworkInsightsPathsCommand({ Filters: [{ Name: "protocol", Values: ["udp"] }], MaxResults: 2, NextToken: page1.NextToken }));
  assert.deepEqual(
    page2.NetworkInsightsPaths!.map((p) => p.DestinationPort),
    [1003],
  );
  assert.equal(page2.NextToken, undefined);
  const one = (await ec2.send(new E.DescribeNetworkInsightsPathsCommand({ NetworkInsightsPathIds: [udp[1].NetworkInsightsPathId!] }))).NetworkInsightsPaths!;
  assert.equal(one[0].DestinationPort, 1002);
  const e = await rejects(ec2.send(new E.DescribeNetworkInsightsPathsCommand({ NetworkInsightsPathIds: ["nip-0123456789abcdef0"] })));
  assert.equal(e.name, "InvalidNetworkInsightsPathId.NotFound");
  const bad = await rejects(ec2.send(new E.DescribeNetworkInsightsPathsCommand({ Filters: [{ Name: "nope", Values: ["x"] }] })));
  assert.equal(bad.name, "InvalidParameterValue");

  const run = (await ec2.send(new E.StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: udp[0].NetworkInsightsPathId }))).NetworkInsightsAnalysis!;
  const running = (await ec2.send(new E.DescribeNetworkInsightsAnalysesCommand({ Filters: [{ Name: "status", Values: ["running"] }] }))).NetworkInsightsAnalyses!;
  assert.deepEqual(
    running.map((a) => a.NetworkInsightsAnalysisId),
    [run.NetworkInsightsAnalysisId],
  );
  srv.clock.advance(1000);
  const notFound = (await ec2.send(new E.DescribeNetworkInsightsAnalysesCommand({ Filters: [{ Name: "path-found", Values: ["false"] }] }))).NetworkInsightsAnalyses!;
  assert.ok(notFound.some((a) => a.NetworkInsightsAnalysisId === run.NetworkInsightsAnalysisId));
});

test("deletes: a path with analyses cannot go; analyses first; unknown ids; bad input", async () => {
  const path = (await ec2.send(new E.CreateNetworkInsightsPathCommand({ Source: sc.lambdaEni, Destination: sc.dbEni, Protocol: "tcp", DestinationPort: 5432 }))).NetworkInsightsPath!;
  const run = (await ec2.send(new E.StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: path.NetworkInsightsPathId }))).NetworkInsightsAnalysis!;
  const blocked = await rejects(ec2.send(new E.DeleteNetworkInsightsPathCommand({ NetworkInsightsPathId: path.NetworkInsightsPathId })));
  assert.equal(blocked.name, "AnalysisExistsForNetworkInsightsPath");
  assert.equal((await ec2.send(new E.DeleteNetworkInsightsAnalysisCommand({ NetworkInsightsAnalysisId: run.NetworkInsightsAnalysisId }))).NetworkInsightsAnalysisId, run.NetworkInsightsAnalysisId);
  assert.equal((await ec2.send(new E.DeleteNetworkInsightsPathCommand({ NetworkInsightsPathId: path.NetworkInsightsPathId }))).NetworkInsightsPathId, path.NetworkInsightsPathId);
  assert.equal((await rejects(ec2.send(new E.DeleteNetworkInsightsPathCommand({ NetworkInsightsPathId: path.NetworkInsightsPathId })))).name, "InvalidNetworkInsightsPathId.NotFound");
  assert.equal((await rejects(ec2.send(new E.DeleteNetworkInsightsAnalysisCommand({ NetworkInsightsAnalysisId: run.NetworkInsightsAnalysisId })))).name, "InvalidNetworkInsightsAnalysisId.NotFound");
  assert.equal((await rejects(ec2.send(new E.StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: "nip-0123456789abcdef0" })))).name, "InvalidNetworkInsightsPathId.NotFound");
  assert.equal((await rejects(ec2.send(new E.CreateNetworkInsightsPathCommand({ Source: "eni-0123456789abcdef0", Destination: sc.dbEni, Protocol: "tcp" })))).name, "InvalidNetworkInterfaceID.NotFound");
  assert.equal((await rejects(ec2.send(new E.CreateNetworkInsightsPathCommand({ Source: sc.lambdaEni, Destination: sc.dbEni, Protocol: "icmp" as E.Protocol })))).name, "InvalidParameterValue");
  assert.equal((await rejects(ec2.send(new E.CreateNetworkInsightsPathCommand({ Source: sc.lambdaEni, Destination: sc.igw, Protocol: "tcp" })))).name, "InvalidParameterValue");
  // ClientToken: a retry answers with the first path.
  const a = await ec2.send(new E.CreateNetworkInsightsPathCommand({ Source: sc.lambdaEni, Destination: sc.dbEni, Protocol: "tcp", DestinationPort: 1, ClientToken: "tok-1" }));
  const b = await ec2.send(new E.CreateNetworkInsightsPathCommand({ Source: sc.lambdaEni, Destination: sc.dbEni, Protocol: "tcp", DestinationPort: 1, ClientToken: "tok-1" }));
  assert.equal(a.NetworkInsightsPath!.NetworkInsightsPathId, b.NetworkInsightsPath!.NetworkInsightsPathId);
  // DryRun.
  assert.equal((await rejects(ec2.send(new E.CreateNetworkInsightsPathCommand({ Source: sc.lambdaEni, Destination: sc.dbEni, Protocol: "tcp", DryRun: true })))).name, "DryRunOperation");
});
