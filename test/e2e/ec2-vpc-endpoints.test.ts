// EC2 VPC endpoints, endpoint services and AWS-managed prefix lists, through the SDK and the AWS CLI:
// interface endpoints with their requester-managed interfaces, gateway endpoints with their
// prefix-list routes, states on the simulated clock, and AWS's errors for bad input.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import type { EC2Client, Vpc } from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { AWS_SERVICE_ADDRESS_BLOCK } from "../../src/core/aws-service-addresses.ts";
import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients } from "../support/clients.ts";
import { createSubnet, createVpc, fails, freeAddresses, startEc2Server, stateGuard } from "../support/ec2-helpers.ts";

let app: App;
let ec2: EC2Client;
let vpc: Vpc;
let subnetA: string;
let subnetA2: string;
let subnetB: string;
let sg: string;
let rtb: string;

before(async () => {
  ({ app, ec2 } = await startEc2Server({ iam: "enforce" }));
  vpc = await createVpc(ec2, { CidrBlock: "10.20.0.0/16" });
  await ec2.send(new E.ModifyVpcAttributeCommand({ VpcId: vpc.VpcId, EnableDnsHostnames: { Value: true } }));
  subnetA = (await createSubnet(ec2, { VpcId: vpc.VpcId, CidrBlock: "10.20.1.0/24", AvailabilityZone: "us-east-1a" })).SubnetId!;
  subnetA2 = (await createSubnet(ec2, { VpcId: vpc.VpcId, CidrBlock: "10.20.3.0/24", AvailabilityZone: "us-east-1a" })).SubnetId!;
  subnetB = (await createSubnet(ec2, { VpcId: vpc.VpcId, CidrBlock: "10.20.2.0/24", AvailabilityZone: "us-east-1b" })).SubnetId!;
  sg = (await ec2.send(new E.CreateSecurityGroupCommand({ GroupName: "endpoints", Description: "https from the VPC", VpcId: vpc.VpcId }))).GroupId!;
  rtb = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpc.VpcId }))).RouteTable!.RouteTableId!;
});
after(async () => {
  await app?.close();
});

const { unchanged } = stateGuard(() => ec2, ["vpcEndpoints", "networkInterfaces", "routeTables", "subnets"]);

async function advance(seconds: number): Promise<void> {
  const r = await fetch(`${app.url}/_hyperlocal/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds }) });
  assert.equal(r.status, 200);
}

async function endpoint(id: string): Promise<E.VpcEndpoint> {
  return (await ec2.send(new E.DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints![0];
}

describe("endpoint services and prefix lists", () => {
  test("DescribeVpcEndpointServices lists the services hyperlocal serves, S3 as gateway and interface", async () => {
    const r = await ec2.send(new E.DescribeVpcEndpointServicesCommand({}));
    assert.deepEqual(r.ServiceNames, ["com.amazonaws.iam", "com.amazonaws.us-east-1.cloudformation", "com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.ec2", "com.amazonaws.us-east-1.lambda", "com.amazonaws.us-east-1.s3", "com.amazonaws.us-east-1.sts"]);
    const s3 = r.ServiceDetails!.filter((d) => d.ServiceName === "com.amazonaws.us-east-1.s3");
    assert.deepEqual(s3.map((d) => d.ServiceType![0].ServiceType).sort(), ["Gateway", "Interface"]);
    const sts = r.ServiceDetails!.find((d) => d.ServiceName === "com.amazonaws.us-east-1.sts")!;
    assert.equal(sts.PrivateDnsName, "sts.us-east-1.amazonaws.com");
    assert.deepEqual(sts.BaseEndpointDnsNames, ["sts.us-east-1.vpce.amazonaws.com"]);
    assert.equal(sts.VpcEndpointPolicySupported, true);
    assert.equal(sts.Owner, "amazon");
    assert.deepEqual(sts.AvailabilityZones, ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"]);
    const gateways = await ec2.send(new E.DescribeVpcEndpointServicesCommand({ Filters: [{ Name: "service-type", Values: ["Gateway"] }] }));
    assert.deepEqual(gateways.ServiceNames, ["com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"]);
    await fails(ec2.send(new E.DescribeVpcEndpointServicesCommand({ ServiceNames: ["com.amazonaws.us-east-1.organizations"] })), "InvalidServiceName", "The Vpc Endpoint Service 'com.amazonaws.us-east-1.organizations' does not exist");
  });

  test("the S3 and DynamoDB prefix lists, owned by AWS, hold addresses of the model's AWS block", async () => {
    const pls = (await ec2.send(new E.DescribePrefixListsCommand({}))).PrefixLists!;
    assert.deepEqual(
      pls.map((p) => [p.PrefixListName, p.PrefixListId]),
      [
        ["com.amazonaws.us-east-1.dynamodb", "pl-02cd2c6b"],
        ["com.amazonaws.us-east-1.s3", "pl-63a5400a"],
      ],
    );
    const block = AWS_SERVICE_ADDRESS_BLOCK.split(".").slice(0, 3).join(".");
    for (const p of pls) for (const c of p.Cidrs!) assert.ok(c.startsWith(`${block}.`), `${c} is in ${AWS_SERVICE_ADDRESS_BLOCK}`);
    const managed = (await ec2.send(new E.DescribeManagedPrefixListsCommand({ Filters: [{ Name: "prefix-list-name", Values: ["com.amazonaws.us-east-1.s3"] }] }))).PrefixLists!;
    assert.equal(managed.length, 1);
    assert.equal(managed[0].OwnerId, "AWS");
    assert.equal(managed[0].PrefixListArn, "arn:aws:ec2:us-east-1:aws:prefix-list/pl-63a5400a");
    assert.equal(managed[0].State, "create-complete");
    const entries = (await ec2.send(new E.GetManagedPrefixListEntriesCommand({ PrefixListId: "pl-63a5400a" }))).Entries!;
    assert.deepEqual(entries.map((e) => e.Cidr), pls.find((p) => p.PrefixListId === "pl-63a5400a")!.Cidrs);
    await fails(ec2.send(new E.GetManagedPrefixListEntriesCommand({ PrefixListId: "pl-00000000" })), "InvalidPrefixListID.NotFound");
    await fails(ec2.send(new E.DescribePrefixListsCommand({ PrefixListIds: ["nope"] })), "InvalidPrefixListId.Malformed");
  });
});

describe("interface endpoints", () => {
  test("one requester-managed interface per subnet, pending then available on the clock, private DNS names", async () => {
    const freeBefore = await freeAddresses(ec2, subnetA);
    const e = (
      await ec2.send(
        new E.CreateVpcEndpointCommand({
          VpcEndpointType: "Interface",
          VpcId: vpc.VpcId,
          ServiceName: "com.amazonaws.us-east-1.sts",
          SubnetIds: [subnetA, subnetB],
          SecurityGroupIds: [sg],
          TagSpecifications: [{ ResourceType: "vpc-endpoint", Tags: [{ Key: "Name", Value: "sts" }] }],
        }),
      )
    ).VpcEndpoint!;
    assert.match(e.VpcEndpointId!, /^vpce-[0-9a-f]{17}$/);
    assert.equal(e.State, "pending");
    assert.equal(e.PrivateDnsEnabled, true, "AWS's default for AWS services");
    assert.deepEqual(e.SubnetIds, [subnetA, subnetB]);
    assert.deepEqual(e.Groups, [{ GroupId: sg, GroupName: "endpoints" }]);
    assert.equal(e.NetworkInterfaceIds!.length, 2);
    assert.deepEqual(e.Tags, [{ Key: "Name", Value: "sts" }]);
    assert.match(e.PolicyDocument!, /"Effect":"Allow"/);
    const names = e.DnsEntries!.map((d) => d.DnsName);
    assert.match(names[0]!, new RegExp(`^${e.VpcEndpointId}-[a-z0-9]{8}\\.sts\\.us-east-1\\.vpce\\.amazonaws\\.com$`));
    assert.ok(names.some((n) => n!.endsWith("-us-east-1a.sts.us-east-1.vpce.amazonaws.com")));
    assert.ok(names.includes("sts.us-east-1.amazonaws.com"));
    assert.equal(await freeAddresses(ec2, subnetA), freeBefore - 1, "the interface's address counts against the subnet");

    const enis = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: e.NetworkInterfaceIds }))).NetworkInterfaces!;
    for (const n of enis) {
      assert.equal(n.InterfaceType, "vpc_endpoint");
      assert.equal(n.RequesterManaged, true);
      assert.equal(n.RequesterId, "727180483921");
      assert.equal(n.Description, `VPC Endpoint Interface ${e.VpcEndpointId}`);
      assert.equal(n.Status, "in-use");
      assert.deepEqual(n.Groups!.map((g) => g.GroupId), [sg]);
    }
    await unchanged(() => ec2.send(new E.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: enis[0].NetworkInterfaceId })), "InvalidParameterValue", `Network interface '${enis[0].NetworkInterfaceId}' is currently in use.`);

    await advance(10);
    assert.equal((await endpoint(e.VpcEndpointId!)).State, "available");
    const filtered = (await ec2.send(new E.DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-endpoint-state", Values: ["available"] }, { Name: "tag:Name", Values: ["sts"] }] }))).VpcEndpoints!;
    assert.deepEqual(filtered.map((x) => x.VpcEndpointId), [e.VpcEndpointId]);

    // A second private-DNS endpoint for the same service in the VPC conflicts.
    await unchanged(
      () => ec2.send(new E.CreateVpcEndpointCommand({ VpcEndpointType: "Interface", VpcId: vpc.VpcId, ServiceName: "com.amazonaws.us-east-1.sts", SubnetIds: [subnetA2] })),
      "InvalidParameter",
      `private-dns-enabled cannot be set because there is already a conflicting DNS domain for sts.us-east-1.amazonaws.com in the VPC ${vpc.VpcId}`,
    );

    // Modify: drop a subnet (its interface goes), move the groups, turn private DNS off.
    await ec2.send(new E.ModifyVpcEndpointCommand({ VpcEndpointId: e.VpcEndpointId, RemoveSubnetIds: [subnetB], PrivateDnsEnabled: false }));
    const m = await endpoint(e.VpcEndpointId!);
    assert.deepEqual(m.SubnetIds, [subnetA]);
    assert.equal(m.NetworkInterfaceIds!.length, 1);
    assert.equal(m.PrivateDnsEnabled, false);
    assert.ok(!m.DnsEntries!.some((d) => d.DnsName === "sts.us-east-1.amazonaws.com"));
    await unchanged(() => ec2.send(new E.ModifyVpcEndpointCommand({ VpcEndpointId: e.VpcEndpointId, AddSubnetIds: [subnetA2] })), "DuplicateSubnetsInSameZone", `Found another VPC endpoint subnet in the availability zone of ${subnetA2}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.`);

    // Delete: deleting, then gone with its interfaces.
    const del = await ec2.send(new E.DeleteVpcEndpointsCommand({ VpcEndpointIds: [e.VpcEndpointId!, "vpce-0123456789abcdef0"] }));
    assert.deepEqual(del.Unsuccessful!.map((u) => [u.ResourceId, u.Error!.Code]), [["vpce-0123456789abcdef0", "InvalidVpcEndpointId.NotFound"]]);
    assert.equal((await endpoint(e.VpcEndpointId!)).State, "deleting");
    await advance(10);
    await fails(ec2.send(new E.DescribeVpcEndpointsCommand({ VpcEndpointIds: [e.VpcEndpointId!] })), "InvalidVpcEndpointId.NotFound");
    assert.equal(await freeAddresses(ec2, subnetA), freeBefore, "the address is back");
    const left = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["vpc_endpoint"] }] }))).NetworkInterfaces!;
    assert.deepEqual(left, []);
  });

  test("bad input: AWS's errors, nothing created", async () => {
    const base = { VpcEndpointType: "Interface" as const, VpcId: vpc.VpcId, ServiceName: "com.amazonaws.us-east-1.lambda", SubnetIds: [subnetA] };
    await unchanged(() => ec2.send(new E.CreateVpcEndpointCommand({ ...base, ServiceName: "com.amazonaws.us-east-1.nope" })), "InvalidServiceName", "The Vpc Endpoint Service 'com.amazonaws.us-east-1.nope' does not exist");
    await unchanged(() => ec2.send(new E.CreateVpcEndpointCommand({ ...base, VpcId: "vpc-0123456789abcdef0" })), "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist");
    await unchanged(() => ec2.send(new E.CreateVpcEndpointCommand({ ...base, SubnetIds: ["subnet-0123456789abcdef0"] })), "InvalidSubnetID.NotFound");
    await unchanged(() => ec2.send(new E.CreateVpcEndpointCommand({ ...base, SubnetIds: [subnetA, subnetA2] })), "DuplicateSubnetsInSameZone");
    await unchanged(() => ec2.send(new E.CreateVpcEndpointCommand({ ...base, VpcEndpointType: "Gateway" })), "InvalidParameter");
    await unchanged(() => ec2.send(new E.CreateVpcEndpointCommand({ ...base, RouteTableIds: [rtb] })), "InvalidParameter");
    // Private DNS needs both DNS attributes of the VPC.
    const plain = await createVpc(ec2, { CidrBlock: "10.30.0.0/16" });
    const plainSubnet = (await createSubnet(ec2, { VpcId: plain.VpcId, CidrBlock: "10.30.1.0/24" })).SubnetId!;
    await unchanged(
      () => ec2.send(new E.CreateVpcEndpointCommand({ ...base, VpcId: plain.VpcId, SubnetIds: [plainSubnet] })),
      "InvalidParameter",
      `Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for ${plain.VpcId}`,
    );
    const ok = (await ec2.send(new E.CreateVpcEndpointCommand({ ...base, VpcId: plain.VpcId, SubnetIds: [plainSubnet], PrivateDnsEnabled: false }))).VpcEndpoint!;
    assert.equal(ok.PrivateDnsEnabled, false);
    await fails(ec2.send(new E.DeleteVpcCommand({ VpcId: plain.VpcId })), "DependencyViolation");
    await fails(ec2.send(new E.DescribeVpcEndpointsCommand({ VpcEndpointIds: ["vpce-0123456789abcdef0"] })), "InvalidVpcEndpointId.NotFound");
    await fails(ec2.send(new E.ModifyVpcEndpointCommand({ VpcEndpointId: "bogus" })), "InvalidVpcEndpointId.Malformed");
    await ec2.send(new E.DeleteVpcEndpointsCommand({ VpcEndpointIds: [ok.VpcEndpointId!] }));
  });

  test("ClientToken: a retry answers with the same endpoint", async () => {
    const input = { VpcEndpointType: "Interface" as const, VpcId: vpc.VpcId, ServiceName: "com.amazonaws.us-east-1.ec2", SubnetIds: [subnetB], PrivateDnsEnabled: false, ClientToken: "retry-1" };
    const a = (await ec2.send(new E.CreateVpcEndpointCommand(input))).VpcEndpoint!;
    const b = (await ec2.send(new E.CreateVpcEndpointCommand(input))).VpcEndpoint!;
    assert.equal(a.VpcEndpointId, b.VpcEndpointId);
    await ec2.send(new E.DeleteVpcEndpointsCommand({ VpcEndpointIds: [a.VpcEndpointId!] }));
    await advance(10);
  });
});

describe("gateway endpoints", () => {
  test("a route per table to the prefix list, target the endpoint; removed with the table or the endpoint; not deletable directly", async () => {
    const e = (await ec2.send(new E.CreateVpcEndpointCommand({ VpcId: vpc.VpcId, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIds: [rtb] }))).VpcEndpoint!;
    assert.equal(e.VpcEndpointType, "Gateway", "Gateway is the default type");
    assert.equal(e.State, "available");
    assert.deepEqual(e.RouteTableIds, [rtb]);
    const routes = async () => (await ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [rtb] }))).RouteTables![0].Routes!;
    const r = (await routes()).find((x) => x.DestinationPrefixListId === "pl-63a5400a")!;
    assert.deepEqual([r.GatewayId, r.State, r.Origin], [e.VpcEndpointId, "active", "CreateRoute"]);
    await unchanged(() => ec2.send(new E.DeleteRouteCommand({ RouteTableId: rtb, DestinationPrefixListId: "pl-63a5400a" })), "InvalidParameter");
    await unchanged(
      () => ec2.send(new E.CreateVpcEndpointCommand({ VpcId: vpc.VpcId, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIds: [rtb] })),
      "RouteAlreadyExists",
      `route table ${rtb} already has a route with destination-prefix-list-id pl-63a5400a`,
    );
    const byFilter = (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "route.destination-prefix-list-id", Values: ["pl-63a5400a"] }] }))).RouteTables!;
    assert.deepEqual(byFilter.map((t) => t.RouteTableId), [rtb]);

    await ec2.send(new E.ModifyVpcEndpointCommand({ VpcEndpointId: e.VpcEndpointId, RemoveRouteTableIds: [rtb] }));
    assert.equal((await routes()).some((x) => x.DestinationPrefixListId), false);
    await ec2.send(new E.ModifyVpcEndpointCommand({ VpcEndpointId: e.VpcEndpointId, AddRouteTableIds: [rtb], PolicyDocument: JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" }] }) }));
    const m = await endpoint(e.VpcEndpointId!);
    assert.deepEqual(m.RouteTableIds, [rtb]);
    assert.match(m.PolicyDocument!, /Deny/);
    await ec2.send(new E.ModifyVpcEndpointCommand({ VpcEndpointId: e.VpcEndpointId, ResetPolicy: true }));
    assert.match((await endpoint(e.VpcEndpointId!)).PolicyDocument!, /"Effect":"Allow"/);
    await ec2.send(new E.DeleteVpcEndpointsCommand({ VpcEndpointIds: [e.VpcEndpointId!] }));
    assert.equal((await routes()).some((x) => x.DestinationPrefixListId), false);
  });
});

describe("IAM", () => {
  test("every operation is authorized: ec2:VpceServiceName narrows CreateVpcEndpoint, Describe* needs its action", async () => {
    const root = clients(app.url);
    await root.iam.send(new CreateUserCommand({ UserName: "netops" }));
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["ec2:DescribeVpcEndpoints", "ec2:DescribeVpcEndpointServices"], Resource: "*" },
        { Effect: "Allow", Action: "ec2:CreateVpcEndpoint", Resource: "*", Condition: { StringEquals: { "ec2:VpceServiceName": "com.amazonaws.us-east-1.s3" } } },
      ],
    };
    await root.iam.send(new PutUserPolicyCommand({ UserName: "netops", PolicyName: "p", PolicyDocument: JSON.stringify(policy) }));
    const k = (await root.iam.send(new CreateAccessKeyCommand({ UserName: "netops" }))).AccessKey!;
    const user = clients(app.url, { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! }).ec2;
    await user.send(new E.DescribeVpcEndpointsCommand({}));
    await unchanged(() => user.send(new E.CreateVpcEndpointCommand({ VpcId: vpc.VpcId, ServiceName: "com.amazonaws.us-east-1.dynamodb", RouteTableIds: [rtb] })), "UnauthorizedOperation", /ec2:CreateVpcEndpoint/, 403);
    await fails(user.send(new E.DescribePrefixListsCommand({})), "UnauthorizedOperation", /ec2:DescribePrefixLists/, 403);
    const e = (await user.send(new E.CreateVpcEndpointCommand({ VpcId: vpc.VpcId, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIds: [rtb] }))).VpcEndpoint!;
    await fails(user.send(new E.DeleteVpcEndpointsCommand({ VpcEndpointIds: [e.VpcEndpointId!] })), "UnauthorizedOperation", /ec2:DeleteVpcEndpoints/, 403);
    await ec2.send(new E.DeleteVpcEndpointsCommand({ VpcEndpointIds: [e.VpcEndpointId!] }));
  });
});

describe("the AWS CLI", { skip: !hasAwsCli() && "no /usr/bin/aws" }, () => {
  test("create, describe, modify and delete endpoints; services and prefix lists; errors", async () => {
    const svc = await aws(app.url, ["ec2", "describe-vpc-endpoint-services", "--service-names", "com.amazonaws.us-east-1.sts"]);
    assert.equal(svc.code, 0, svc.stderr);
    assert.deepEqual(svc.json.ServiceNames, ["com.amazonaws.us-east-1.sts"]);
    const pl = await aws(app.url, ["ec2", "describe-prefix-lists"]);
    assert.deepEqual(pl.json.PrefixLists.map((p: { PrefixListId: string }) => p.PrefixListId), ["pl-02cd2c6b", "pl-63a5400a"]);
    const mpl = await aws(app.url, ["ec2", "describe-managed-prefix-lists"]);
    assert.equal(mpl.json.PrefixLists.length, 2);
    const entries = await aws(app.url, ["ec2", "get-managed-prefix-list-entries", "--prefix-list-id", "pl-02cd2c6b"]);
    assert.equal(entries.json.Entries.length, 1);

    const created = await aws(app.url, ["ec2", "create-vpc-endpoint", "--vpc-endpoint-type", "Interface", "--vpc-id", vpc.VpcId!, "--service-name", "com.amazonaws.us-east-1.lambda", "--subnet-ids", subnetA, "--security-group-ids", sg]);
    assert.equal(created.code, 0, created.stderr);
    const id: string = created.json.VpcEndpoint.VpcEndpointId;
    assert.equal(created.json.VpcEndpoint.State, "pending");
    const described = await aws(app.url, ["ec2", "describe-vpc-endpoints", "--filters", `Name=service-name,Values=com.amazonaws.us-east-1.lambda`]);
    assert.deepEqual(described.json.VpcEndpoints.map((e: { VpcEndpointId: string }) => e.VpcEndpointId), [id]);
    const modified = await aws(app.url, ["ec2", "modify-vpc-endpoint", "--vpc-endpoint-id", id, "--add-subnet-ids", subnetB]);
    assert.equal(modified.code, 0, modified.stderr);
    assert.equal(modified.json.Return, true);
    const bad = await aws(app.url, ["ec2", "create-vpc-endpoint", "--vpc-id", vpc.VpcId!, "--service-name", "com.amazonaws.us-east-1.nope"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /InvalidServiceName/);
    const deleted = await aws(app.url, ["ec2", "delete-vpc-endpoints", "--vpc-endpoint-ids", id]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(deleted.json.Unsuccessful, []);
    await advance(10);
  });
});
