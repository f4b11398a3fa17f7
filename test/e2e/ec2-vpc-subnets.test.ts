// EC2 VPCs, subnets, availability zones, tags, DryRun: through the SDK against an in-process server.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import type { Subnet, Vpc } from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { clients } from "../support/clients.ts";
import { createSubnet, createVpc, fails, sixtyFour, startEc2Server, stateGuard } from "../support/ec2-helpers.ts";
import { startTestServer } from "../support/server.ts";

let app: App;
let ec2: E.EC2Client;

before(async () => {
  ({ app, ec2 } = await startEc2Server());
});
after(async () => {
  await app?.close();
});

/** Everything a bad input must leave as it was. */
const { snapshot, unchanged } = stateGuard(() => ec2, ["vpcs", "subnets", "securityGroups", "networkAcls", "routeTables", "internetGateways", "networkInterfaces", "tags"]);

const ID17 = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{17}$`);

describe("default VPC", () => {
  test("every account and region starts with one, as AWS hands it over", async () => {
    const vpcs = (await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))).Vpcs!;
    assert.equal(vpcs.length, 1);
    const vpc = vpcs[0];
    assert.match(vpc.VpcId!, ID17("vpc"));
    assert.equal(vpc.CidrBlock, "172.31.0.0/16");
    assert.equal(vpc.IsDefault, true);
    assert.equal(vpc.State, "available");
    assert.equal(vpc.InstanceTenancy, "default");
    assert.match(vpc.DhcpOptionsId!, ID17("dopt"));
    assert.equal(vpc.CidrBlockAssociationSet?.[0].CidrBlockState?.State, "associated");

    const zones = (await ec2.send(new E.DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
    const subnets = (await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }))).Subnets!;
    assert.equal(subnets.length, zones.length, "one default subnet per zone");
    assert.deepEqual(new Set(subnets.map((s) => s.AvailabilityZone)), new Set(zones.map((z) => z.ZoneName)));
    for (const s of subnets) {
      assert.match(s.CidrBlock!, /^172\.31\.\d+\.0\/20$/);
      assert.equal(s.VpcId, vpc.VpcId);
      assert.equal(s.MapPublicIpOnLaunch, true);
      assert.equal(s.AvailableIpAddressCount, 4096 - 5);
      assert.equal(s.AvailabilityZoneId, zones.find((z) => z.ZoneName === s.AvailabilityZone)!.ZoneId);
    }

    const igws = (await ec2.send(new E.DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [vpc.VpcId!] }] }))).InternetGateways!;
    assert.equal(igws.length, 1);
    assert.deepEqual(igws[0].Attachments, [{ State: "available", VpcId: vpc.VpcId }]);

    const main = (
      await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }, { Name: "association.main", Values: ["true"] }] }))
    ).RouteTables!;
    assert.equal(main.length, 1);
    assert.deepEqual(
      main[0].Routes!.map((r) => [r.DestinationCidrBlock, r.GatewayId, r.State]),
      [
        ["172.31.0.0/16", "local", "active"],
        ["0.0.0.0/0", igws[0].InternetGatewayId, "active"],
      ],
    );

    const sgs = (await ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }] }))).SecurityGroups!;
    assert.deepEqual(
      sgs.map((g) => g.GroupName),
      ["default"],
    );
    assert.equal(sgs[0].IpPermissions![0].UserIdGroupPairs![0].GroupId, sgs[0].GroupId, "members of the default group reach each other");

    const acls = (await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }] }))).NetworkAcls!;
    assert.equal(acls.length, 1);
    assert.equal(acls[0].IsDefault, true);
    assert.equal(acls[0].Associations!.length, subnets.length);
    assert.deepEqual(
      acls[0].Entries!.map((e) => [e.Egress, e.RuleNumber, e.RuleAction, e.CidrBlock]),
      [
        [true, 100, "allow", "0.0.0.0/0"],
        [true, 32767, "deny", "0.0.0.0/0"],
        [false, 100, "allow", "0.0.0.0/0"],
        [false, 32767, "deny", "0.0.0.0/0"],
      ],
    );
  });

  test("each region has its own, with that region's zones and zone ids", async () => {
    const west = clients(app.url, undefined, "us-west-2").ec2;
    const vpcs = (await west.send(new E.DescribeVpcsCommand({}))).Vpcs!;
    assert.equal(vpcs.length, 1);
    const east = (await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))).Vpcs!;
    assert.notEqual(vpcs[0].VpcId, east[0].VpcId);
    const zones = (await west.send(new E.DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
    assert.deepEqual(
      zones.map((z) => z.ZoneName),
      ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"],
    );
    for (const z of zones) {
      assert.match(z.ZoneId!, /^usw2-az[1-4]$/);
      assert.equal(z.State, "available");
      assert.equal(z.RegionName, "us-west-2");
    }
    const subnets = (await west.send(new E.DescribeSubnetsCommand({}))).Subnets!;
    assert.equal(subnets.length, 4);
  });

  test("--no-default-vpc starts empty", async () => {
    const bare = await startTestServer({ noDefaultVpc: true });
    try {
      const c = clients(bare.url).ec2;
      assert.deepEqual((await c.send(new E.DescribeVpcsCommand({}))).Vpcs, []);
      assert.deepEqual((await c.send(new E.DescribeSubnetsCommand({}))).Subnets, []);
      assert.deepEqual((await c.send(new E.DescribeSecurityGroupsCommand({}))).SecurityGroups, []);
      assert.deepEqual((await c.send(new E.DescribeInternetGatewaysCommand({}))).InternetGateways, []);
      await fails(c.send(new E.CreateSecurityGroupCommand({ GroupName: "x", Description: "x" })), "VPCIdNotSpecified", "No default VPC for this user");
      const attrs = (await c.send(new E.DescribeAccountAttributesCommand({ AttributeNames: ["default-vpc"] }))).AccountAttributes!;
      assert.equal(attrs[0].AttributeValues![0].AttributeValue, "none");
    } finally {
      await bare.close();
    }
  });
});

describe("availability zones", () => {
  test("the region's zones with their ids, filtered", async () => {
    const all = (await ec2.send(new E.DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
    assert.deepEqual(
      all.map((z) => z.ZoneName),
      ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"],
    );
    assert.equal(new Set(all.map((z) => z.ZoneId)).size, 6);
    for (const z of all) assert.match(z.ZoneId!, /^use1-az[1-6]$/);
    const one = (await ec2.send(new E.DescribeAvailabilityZonesCommand({ Filters: [{ Name: "zone-id", Values: [all[2].ZoneId!] }] }))).AvailabilityZones!;
    assert.deepEqual(
      one.map((z) => z.ZoneName),
      ["us-east-1c"],
    );
    const byName = (await ec2.send(new E.DescribeAvailabilityZonesCommand({ ZoneNames: ["us-east-1b"] }))).AvailabilityZones!;
    assert.equal(byName[0].ZoneId, all[1].ZoneId);
    await fails(ec2.send(new E.DescribeAvailabilityZonesCommand({ Filters: [{ Name: "zone-colour", Values: ["x"] }] })), "InvalidParameterValue", "The filter 'zone-colour' is invalid");
  });
});

describe("VPCs", () => {
  test("CreateVpc: dual-stack with an Amazon /56, dedicated tenancy, and what comes with a VPC", async () => {
    const res = await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16", AmazonProvidedIpv6CidrBlock: true }));
    const vpc = res.Vpc!;
    assert.match(vpc.VpcId!, ID17("vpc"));
    assert.equal(vpc.State, "pending");
    assert.equal(vpc.IsDefault, false);
    const v6 = vpc.Ipv6CidrBlockAssociationSet![0];
    assert.match(v6.Ipv6CidrBlock!, /^2600:1f18:[0-9a-f:]+\/56$/);
    assert.equal(v6.Ipv6Pool, "Amazon");
    assert.equal(v6.NetworkBorderGroup, "us-east-1");
    const described = (await ec2.send(new E.DescribeVpcsCommand({ VpcIds: [vpc.VpcId!] }))).Vpcs![0];
    assert.equal(described.State, "available");
    assert.equal(described.Ipv6CidrBlockAssociationSet![0].Ipv6CidrBlock, v6.Ipv6CidrBlock);

    const other = await createVpc(ec2, { CidrBlock: "10.0.0.0/16", AmazonProvidedIpv6CidrBlock: true });
    assert.notEqual(other.Ipv6CidrBlockAssociationSet![0].Ipv6CidrBlock, v6.Ipv6CidrBlock, "each VPC gets its own /56");

    const rt = (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }] }))).RouteTables!;
    assert.equal(rt.length, 1);
    assert.deepEqual(
      rt[0].Routes!.map((r) => [r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock, r.GatewayId]),
      [
        ["10.0.0.0/16", "local"],
        [v6.Ipv6CidrBlock, "local"],
      ],
    );
    const sg = (await ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }] }))).SecurityGroups!;
    assert.deepEqual(
      sg[0].IpPermissionsEgress![0].Ipv6Ranges,
      [{ CidrIpv6: "::/0" }],
    );
    const acl = (await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }] }))).NetworkAcls![0];
    assert.deepEqual(
      acl.Entries!.filter((e) => !e.Egress).map((e) => [e.RuleNumber, e.RuleAction, e.CidrBlock ?? e.Ipv6CidrBlock]),
      [
        [100, "allow", "0.0.0.0/0"],
        [101, "allow", "::/0"],
        [32767, "deny", "0.0.0.0/0"],
        [32768, "deny", "::/0"],
      ],
    );

    const dedicated = await createVpc(ec2, { CidrBlock: "192.168.0.0/24", InstanceTenancy: "dedicated" });
    assert.equal(dedicated.InstanceTenancy, "dedicated");
    assert.equal(dedicated.Ipv6CidrBlockAssociationSet, undefined);
  });

  test("bad CIDRs and parameters get AWS's codes and change nothing", async () => {
    await unchanged(() => ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/8" })), "InvalidVpc.Range", "The CIDR '10.0.0.0/8' is invalid.");
    await unchanged(() => ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/29" })), "InvalidVpc.Range", "The CIDR '10.0.0.0/29' is invalid.");
    await unchanged(
      () => ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/33" })),
      "InvalidParameterValue",
      "Value (10.0.0.0/33) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
    );
    await unchanged(
      () => ec2.send(new E.CreateVpcCommand({ CidrBlock: "2600:1f18::/56" })),
      "InvalidParameterValue",
      "Value (2600:1f18::/56) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
    );
    await unchanged(() => ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.1/16" })), "InvalidParameterValue", /This is not a valid CIDR block/);
    await unchanged(() => ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16", InstanceTenancy: "host" })), "InvalidParameterValue", /instanceTenancy/);
    await unchanged(() => ec2.send(new E.CreateVpcCommand({})), "MissingParameter", "The request must contain the parameter cidrBlock");
    await unchanged(
      () => ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16", TagSpecifications: [{ ResourceType: "subnet", Tags: [{ Key: "a", Value: "b" }] }] })),
      "InvalidParameterValue",
      "'subnet' is not a valid taggable resource type for this operation.",
    );
  });

  test("DescribeVpcs: ids, filters with wildcards, tags, pagination within AWS's bounds", async () => {
    const made: Vpc[] = [];
    for (let i = 0; i < 7; i++) {
      made.push(
        await createVpc(ec2, {
          CidrBlock: `10.${20 + i}.0.0/16`,
          TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "suite", Value: "describe" }, ...(i % 2 ? [{ Key: "odd", Value: `yes-${i}` }] : [])] }],
        }),
      );
    }
    const ids = made.map((v) => v.VpcId!);
    const bySuite = (await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: "tag:suite", Values: ["describe"] }] }))).Vpcs!;
    assert.deepEqual(
      bySuite.map((v) => v.VpcId),
      ids,
    );
    const odd = (await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: "tag-key", Values: ["odd"] }] }))).Vpcs!;
    assert.deepEqual(
      odd.map((v) => v.VpcId),
      [ids[1], ids[3], ids[5]],
    );
    const wild = (await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: "cidr", Values: ["10.2?.0.0/16"] }, { Name: "tag:odd", Values: ["yes-*"] }] }))).Vpcs!;
    assert.deepEqual(
      wild.map((v) => v.VpcId),
      [ids[1], ids[3], ids[5]],
    );
    const two = (await ec2.send(new E.DescribeVpcsCommand({ VpcIds: [ids[4], ids[0]] }))).Vpcs!;
    assert.deepEqual(
      two.map((v) => v.VpcId),
      [ids[4], ids[0]],
    );

    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const r = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: "tag:suite", Values: ["describe"] }], MaxResults: 5, NextToken: token }));
      pages.push(r.Vpcs!.map((v) => v.VpcId!));
      token = r.NextToken;
    } while (token);
    assert.deepEqual(
      pages.map((p) => p.length),
      [5, 2],
    );
    assert.deepEqual(pages.flat(), ids);
    const paged: string[] = [];
    for await (const page of E.paginateDescribeVpcs({ client: ec2, pageSize: 5 }, { Filters: [{ Name: "tag:suite", Values: ["describe"] }] })) paged.push(...page.Vpcs!.map((v) => v.VpcId!));
    assert.deepEqual(paged, ids, "the SDK paginator walks the same pages");

    await fails(ec2.send(new E.DescribeVpcsCommand({ MaxResults: 4 })), "InvalidParameterValue", "Value ( 4 ) for parameter maxResults is invalid. Expecting a value greater than 5.");
    await fails(ec2.send(new E.DescribeVpcsCommand({ MaxResults: 1001 })), "InvalidParameterValue", /maxResults/);
    await fails(ec2.send(new E.DescribeVpcsCommand({ NextToken: "garbage!" })), "InvalidPaginationToken");
    await fails(ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: "colour", Values: ["red"] }] })), "InvalidParameterValue", "The filter 'colour' is invalid");
    await fails(ec2.send(new E.DescribeVpcsCommand({ VpcIds: ["vpc-0123456789abcdef0"] })), "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist");
    await fails(ec2.send(new E.DescribeVpcsCommand({ VpcIds: ["vpc-xyz"] })), "InvalidVpcID.Malformed", 'Invalid id: "vpc-xyz" (expecting "vpc-...")');
  });

  test("ModifyVpcTenancy: dedicated to default only", async () => {
    const v = await createVpc(ec2, { CidrBlock: "10.40.0.0/16", InstanceTenancy: "dedicated" });
    const plain = await createVpc(ec2, { CidrBlock: "10.41.0.0/16" });
    await unchanged(() => ec2.send(new E.ModifyVpcTenancyCommand({ VpcId: plain.VpcId, InstanceTenancy: "dedicated" as "default" })), "UnsupportedTenancy");
    const r = await ec2.send(new E.ModifyVpcTenancyCommand({ VpcId: v.VpcId, InstanceTenancy: "default" }));
    assert.equal(r.ReturnValue, true);
    const after = (await ec2.send(new E.DescribeVpcsCommand({ VpcIds: [v.VpcId!] }))).Vpcs![0];
    assert.equal(after.InstanceTenancy, "default");
  });

  test("Associate/DisassociateVpcCidrBlock", async () => {
    const v = await createVpc(ec2, { CidrBlock: "10.50.0.0/16" });
    const added = await ec2.send(new E.AssociateVpcCidrBlockCommand({ VpcId: v.VpcId, CidrBlock: "10.51.0.0/16" }));
    assert.equal(added.CidrBlockAssociation!.CidrBlock, "10.51.0.0/16");
    assert.equal(added.CidrBlockAssociation!.CidrBlockState!.State, "associating");
    await unchanged(() => ec2.send(new E.AssociateVpcCidrBlockCommand({ VpcId: v.VpcId, CidrBlock: "10.50.128.0/17" })), "InvalidVpc.Range", /conflicts/);
    await unchanged(() => ec2.send(new E.AssociateVpcCidrBlockCommand({ VpcId: v.VpcId, CidrBlock: "10.0.0.0/8" })), "InvalidVpc.Range", "The CIDR '10.0.0.0/8' is invalid.");
    const rt = async () => (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [v.VpcId!] }] }))).RouteTables![0].Routes!.map((r) => r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock);
    assert.deepEqual(await rt(), ["10.50.0.0/16", "10.51.0.0/16"], "a secondary block gets a local route");

    const v6 = await ec2.send(new E.AssociateVpcCidrBlockCommand({ VpcId: v.VpcId, AmazonProvidedIpv6CidrBlock: true }));
    assert.match(v6.Ipv6CidrBlockAssociation!.Ipv6CidrBlock!, /\/56$/);
    assert.equal((await rt()).length, 3);

    for (const cidr of ["10.52.0.0/16", "10.53.0.0/16", "10.54.0.0/16"]) await ec2.send(new E.AssociateVpcCidrBlockCommand({ VpcId: v.VpcId, CidrBlock: cidr }));
    await unchanged(
      () => ec2.send(new E.AssociateVpcCidrBlockCommand({ VpcId: v.VpcId, CidrBlock: "10.55.0.0/16" })),
      "CidrLimitExceeded",
      `This network '${v.VpcId}' has met its maximum number of allowed CIDRs: 5`,
    );
    const primary = v.CidrBlockAssociationSet![0].AssociationId!;
    await unchanged(() => ec2.send(new E.DisassociateVpcCidrBlockCommand({ AssociationId: primary })), "OperationNotPermitted", /primary IPv4 CIDR block/);
    const sub = await createSubnet(ec2, { VpcId: v.VpcId, CidrBlock: "10.51.1.0/24" });
    await unchanged(() => ec2.send(new E.DisassociateVpcCidrBlockCommand({ AssociationId: added.CidrBlockAssociation!.AssociationId })), "InvalidCidrBlock.InUse");
    await ec2.send(new E.DeleteSubnetCommand({ SubnetId: sub.SubnetId }));
    const gone = await ec2.send(new E.DisassociateVpcCidrBlockCommand({ AssociationId: added.CidrBlockAssociation!.AssociationId }));
    assert.equal(gone.CidrBlockAssociation!.CidrBlockState!.State, "disassociating");
    assert.ok(!(await rt()).includes("10.51.0.0/16"), "its local route goes with it");
    const described = (await ec2.send(new E.DescribeVpcsCommand({ VpcIds: [v.VpcId!] }))).Vpcs![0];
    assert.deepEqual(
      described.CidrBlockAssociationSet!.map((a) => a.CidrBlock),
      ["10.50.0.0/16", "10.52.0.0/16", "10.53.0.0/16", "10.54.0.0/16"],
    );
    await fails(ec2.send(new E.DisassociateVpcCidrBlockCommand({ AssociationId: "vpc-cidr-assoc-0123456789abcdef0" })), "InvalidVpcCidrBlockAssociationID.NotFound");
  });

  test("Describe/ModifyVpcAttribute", async () => {
    const v = await createVpc(ec2, { CidrBlock: "10.60.0.0/16" });
    const get = async (a: E.VpcAttributeName) => ec2.send(new E.DescribeVpcAttributeCommand({ VpcId: v.VpcId, Attribute: a }));
    assert.equal((await get("enableDnsSupport")).EnableDnsSupport!.Value, true);
    assert.equal((await get("enableDnsHostnames")).EnableDnsHostnames!.Value, false);
    await ec2.send(new E.ModifyVpcAttributeCommand({ VpcId: v.VpcId, EnableDnsHostnames: { Value: true } }));
    assert.equal((await get("enableDnsHostnames")).EnableDnsHostnames!.Value, true);
    await fails(ec2.send(new E.DescribeVpcAttributeCommand({ VpcId: v.VpcId, Attribute: "colour" as E.VpcAttributeName })), "InvalidParameterValue", /Unknown attribute/);
    await unchanged(
      () => ec2.send(new E.ModifyVpcAttributeCommand({ VpcId: v.VpcId, EnableDnsHostnames: { Value: false }, EnableDnsSupport: { Value: false } })),
      "InvalidParameterCombination",
    );
    const def = (await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))).Vpcs![0];
    const defHostnames = await ec2.send(new E.DescribeVpcAttributeCommand({ VpcId: def.VpcId, Attribute: "enableDnsHostnames" }));
    assert.equal(defHostnames.EnableDnsHostnames!.Value, true, "the default VPC has DNS hostnames on");
  });

  test("DeleteVpc: DependencyViolation while anything is inside, then gone with its defaults", async () => {
    const v = await createVpc(ec2, { CidrBlock: "10.70.0.0/16" });
    const s = await createSubnet(ec2, { VpcId: v.VpcId, CidrBlock: "10.70.1.0/24" });
    await unchanged(() => ec2.send(new E.DeleteVpcCommand({ VpcId: v.VpcId })), "DependencyViolation", `The vpc '${v.VpcId}' has dependencies and cannot be deleted.`);
    await ec2.send(new E.DeleteSubnetCommand({ SubnetId: s.SubnetId }));
    const sg = await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: v.VpcId, GroupName: "app", Description: "app" }));
    await unchanged(() => ec2.send(new E.DeleteVpcCommand({ VpcId: v.VpcId })), "DependencyViolation");
    await ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: sg.GroupId }));
    const igw = (await ec2.send(new E.CreateInternetGatewayCommand({}))).InternetGateway!;
    await ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId, VpcId: v.VpcId }));
    await unchanged(() => ec2.send(new E.DeleteVpcCommand({ VpcId: v.VpcId })), "DependencyViolation");
    await ec2.send(new E.DetachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId, VpcId: v.VpcId }));
    await ec2.send(new E.DeleteVpcCommand({ VpcId: v.VpcId }));
    await fails(ec2.send(new E.DescribeVpcsCommand({ VpcIds: [v.VpcId!] })), "InvalidVpcID.NotFound", `The vpc ID '${v.VpcId}' does not exist`);
    const inside = await Promise.all([
      ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [v.VpcId!] }] })),
      ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: "vpc-id", Values: [v.VpcId!] }] })),
      ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [v.VpcId!] }] })),
    ]);
    assert.deepEqual(
      [inside[0].SecurityGroups!.length, inside[1].NetworkAcls!.length, inside[2].RouteTables!.length],
      [0, 0, 0],
    );
    await fails(ec2.send(new E.DeleteVpcCommand({ VpcId: v.VpcId })), "InvalidVpcID.NotFound");
  });

  test("DryRun: DryRunOperation (412) and nothing is created", async () => {
    const before = await snapshot();
    await fails(ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.80.0.0/16", DryRun: true })), "DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
    await fails(ec2.send(new E.DescribeVpcsCommand({ DryRun: true })), "DryRunOperation", undefined, 412);
    assert.deepEqual(await snapshot(), before);
  });
});

describe("subnets", () => {
  let vpc: Vpc;
  before(async () => {
    vpc = await createVpc(ec2, { CidrBlock: "10.100.0.0/16", AmazonProvidedIpv6CidrBlock: true });
  });

  test("dual-stack, IPv6-only, zone by name or id, and a true AvailableIpAddressCount", async () => {
    const zones = (await ec2.send(new E.DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
    const a = await createSubnet(ec2, { VpcId: vpc.VpcId, CidrBlock: "10.100.1.0/24", Ipv6CidrBlock: sixtyFour(vpc, 1), AvailabilityZone: "us-east-1a" });
    assert.match(a.SubnetId!, ID17("subnet"));
    assert.equal(a.CidrBlock, "10.100.1.0/24");
    assert.equal(a.AvailabilityZone, "us-east-1a");
    assert.equal(a.AvailabilityZoneId, zones[0].ZoneId);
    assert.equal(a.AvailableIpAddressCount, 251);
    assert.equal(a.Ipv6CidrBlockAssociationSet![0].Ipv6CidrBlock, sixtyFour(vpc, 1));
    assert.equal(a.Ipv6CidrBlockAssociationSet![0].Ipv6CidrBlockState!.State, "associated");
    assert.equal(a.SubnetArn, `arn:aws:ec2:us-east-1:000000000000:subnet/${a.SubnetId}`);
    const b = await createSubnet(ec2, { VpcId: vpc.VpcId, CidrBlock: "10.100.2.0/28", AvailabilityZoneId: zones[1].ZoneId });
    assert.equal(b.AvailabilityZone, "us-east-1b");
    assert.equal(b.AvailableIpAddressCount, 11);
    const native = await createSubnet(ec2, { VpcId: vpc.VpcId, Ipv6Native: true, Ipv6CidrBlock: sixtyFour(vpc, 2) });
    assert.equal(native.Ipv6Native, true);
    assert.equal(native.CidrBlock, undefined);
    assert.equal(native.AvailableIpAddressCount, 0);
    assert.equal(native.AssignIpv6AddressOnCreation, true);
    const big = await createSubnet(ec2, { VpcId: vpc.VpcId, CidrBlock: "10.100.128.0/17" });
    assert.equal(big.AvailableIpAddressCount, 32768 - 5);
  });

  test("bad subnets: range, conflict, size, family, zone, VPC — AWS's codes, nothing changes", async () => {
    await createSubnet(ec2, { VpcId: vpc.VpcId, CidrBlock: "10.100.10.0/24", Ipv6CidrBlock: sixtyFour(vpc, 10) });
    await unchanged(() => ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.1.0.0/24" })), "InvalidSubnet.Range", "The CIDR '10.1.0.0/24' is invalid.");
    await unchanged(() => ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.100.20.0/29" })), "InvalidSubnet.Range", "The CIDR '10.100.20.0/29' is invalid.");
    await unchanged(() => ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.100.10.0/24" })), "InvalidSubnet.Conflict", "The CIDR '10.100.10.0/24' conflicts with another subnet");
    await unchanged(() => ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.100.10.128/25" })), "InvalidSubnet.Conflict", "The CIDR '10.100.10.128/25' conflicts with another subnet");
    await unchanged(() => ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.100.8.0/21" })), "InvalidSubnet.Conflict");
    await unchanged(
      () => ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: sixtyFour(vpc, 11) })),
      "InvalidParameterValue",
      `Value (${sixtyFour(vpc, 11)}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`,
    );
    await unchanged(
      () => ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.100.11.0/24", Ipv6CidrBlock: "10.100.12.0/24" })),
      "InvalidParameterValue",
      "Value (10.100.12.0/24) for parameter ipv6CidrBlock is invalid. This is not a valid CIDR block.",
    );
    await unchanged(() => ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.100.11.0/24", Ipv6CidrBlock: sixtyFour(vpc, 10) })), "InvalidSubnet.Conflict");
    await unchanged(() => ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.100.11.0/24", Ipv6CidrBlock: "2600:1f18:ffff:ff00::/64" })), "InvalidSubnet.Range");
    await unchanged(() => ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.100.11.0/24", Ipv6CidrBlock: sixtyFour(vpc, 16).replace("/64", "/60") })), "InvalidSubnet.Range");
    await unchanged(
      () => ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.100.11.0/24", AvailabilityZone: "us-east-1z" })),
      "InvalidParameterValue",
      "Value (us-east-1z) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f.",
    );
    await unchanged(() => ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.100.11.0/24", AvailabilityZoneId: "use1-az9" })), "InvalidParameterValue", /availabilityZoneId/);
    await unchanged(() => ec2.send(new E.CreateSubnetCommand({ VpcId: "vpc-0123456789abcdef0", CidrBlock: "10.100.11.0/24" })), "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist");
    await unchanged(() => ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId })), "MissingParameter", "The request must contain the parameter cidrBlock");
    const plain = await createVpc(ec2, { CidrBlock: "10.101.0.0/16" });
    await unchanged(() => ec2.send(new E.CreateSubnetCommand({ VpcId: plain.VpcId, CidrBlock: "10.101.1.0/24", Ipv6CidrBlock: sixtyFour(vpc, 13) })), "InvalidSubnet.Range");
  });

  test("DescribeSubnets: filters and pagination", async () => {
    const v = await createVpc(ec2, { CidrBlock: "10.102.0.0/16" });
    const made: Subnet[] = [];
    for (let i = 0; i < 6; i++) {
      made.push(
        await createSubnet(ec2, {
          VpcId: v.VpcId,
          CidrBlock: `10.102.${i}.0/${i < 3 ? 24 : 26}`,
          AvailabilityZone: i % 2 ? "us-east-1b" : "us-east-1a",
          TagSpecifications: [{ ResourceType: "subnet", Tags: [{ Key: "tier", Value: i < 2 ? "public" : "private" }] }],
        }),
      );
    }
    const q = async (filters: E.Filter[]) => (await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [v.VpcId!] }, ...filters] }))).Subnets!.map((s) => s.CidrBlock);
    assert.equal((await q([])).length, 6);
    assert.deepEqual(await q([{ Name: "tag:tier", Values: ["public"] }]), ["10.102.0.0/24", "10.102.1.0/24"]);
    assert.deepEqual(await q([{ Name: "availability-zone", Values: ["us-east-1b"] }, { Name: "tag:tier", Values: ["private"] }]), ["10.102.3.0/26", "10.102.5.0/26"]);
    assert.deepEqual(await q([{ Name: "cidr-block", Values: ["10.102.?.0/26"] }]), ["10.102.3.0/26", "10.102.4.0/26", "10.102.5.0/26"]);
    assert.deepEqual(await q([{ Name: "available-ip-address-count", Values: ["59"] }]), ["10.102.3.0/26", "10.102.4.0/26", "10.102.5.0/26"]);
    assert.deepEqual(await q([{ Name: "subnet-id", Values: [made[2].SubnetId!] }]), ["10.102.2.0/24"]);
    const first = await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [v.VpcId!] }], MaxResults: 5 }));
    const second = await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [v.VpcId!] }], MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(first.Subnets!.length, 5);
    assert.equal(second.Subnets!.length, 1);
    assert.equal(second.NextToken, undefined);
    assert.deepEqual([...first.Subnets!, ...second.Subnets!].map((s) => s.SubnetId), made.map((s) => s.SubnetId));
    await fails(ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: ["subnet-0123456789abcdef0"] })), "InvalidSubnetID.NotFound", "The subnet ID 'subnet-0123456789abcdef0' does not exist");
    await fails(ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: ["subnet-1"] })), "InvalidSubnetID.Malformed");
  });

  test("Associate/DisassociateSubnetCidrBlock and ModifySubnetAttribute", async () => {
    const s = await createSubnet(ec2, { VpcId: vpc.VpcId, CidrBlock: "10.100.30.0/24" });
    assert.deepEqual(s.Ipv6CidrBlockAssociationSet, []);
    await unchanged(() => ec2.send(new E.AssociateSubnetCidrBlockCommand({ SubnetId: s.SubnetId, Ipv6CidrBlock: sixtyFour(vpc, 1) })), "InvalidSubnet.Conflict");
    const r = await ec2.send(new E.AssociateSubnetCidrBlockCommand({ SubnetId: s.SubnetId, Ipv6CidrBlock: sixtyFour(vpc, 30) }));
    assert.equal(r.Ipv6CidrBlockAssociation!.Ipv6CidrBlock, sixtyFour(vpc, 30));
    assert.equal(r.SubnetId, s.SubnetId);
    await ec2.send(new E.ModifySubnetAttributeCommand({ SubnetId: s.SubnetId, AssignIpv6AddressOnCreation: { Value: true } }));
    await ec2.send(new E.ModifySubnetAttributeCommand({ SubnetId: s.SubnetId, MapPublicIpOnLaunch: { Value: true } }));
    const d = (await ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: [s.SubnetId!] }))).Subnets![0];
    assert.equal(d.AssignIpv6AddressOnCreation, true);
    assert.equal(d.MapPublicIpOnLaunch, true);
    const eni = (await ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: s.SubnetId }))).NetworkInterface!;
    assert.equal(eni.Ipv6Addresses!.length, 1, "the subnet assigns an IPv6 address on creation");
    await unchanged(() => ec2.send(new E.DisassociateSubnetCidrBlockCommand({ AssociationId: r.Ipv6CidrBlockAssociation!.AssociationId })), "InvalidParameterValue");
    await ec2.send(new E.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterfaceId }));
    await ec2.send(new E.ModifySubnetAttributeCommand({ SubnetId: s.SubnetId, AssignIpv6AddressOnCreation: { Value: false } }));
    const gone = await ec2.send(new E.DisassociateSubnetCidrBlockCommand({ AssociationId: r.Ipv6CidrBlockAssociation!.AssociationId }));
    assert.equal(gone.Ipv6CidrBlockAssociation!.Ipv6CidrBlockState!.State, "disassociating");
    const after = (await ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: [s.SubnetId!] }))).Subnets![0];
    assert.deepEqual(after.Ipv6CidrBlockAssociationSet, []);
    await fails(ec2.send(new E.DisassociateSubnetCidrBlockCommand({ AssociationId: "subnet-cidr-assoc-0123456789abcdef0" })), "InvalidSubnetCidrBlockAssociationID.NotFound");
  });

  test("DeleteSubnet: DependencyViolation while interfaces remain; its ACL and route table associations go with it", async () => {
    const s = await createSubnet(ec2, { VpcId: vpc.VpcId, CidrBlock: "10.100.40.0/24" });
    const rt = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpc.VpcId }))).RouteTable!;
    await ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: rt.RouteTableId, SubnetId: s.SubnetId }));
    const eni = (await ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: s.SubnetId }))).NetworkInterface!;
    await unchanged(() => ec2.send(new E.DeleteSubnetCommand({ SubnetId: s.SubnetId })), "DependencyViolation", `The subnet '${s.SubnetId}' has dependencies and cannot be deleted.`);
    await ec2.send(new E.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterfaceId }));
    await ec2.send(new E.DeleteSubnetCommand({ SubnetId: s.SubnetId }));
    const acls = (await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: "association.subnet-id", Values: [s.SubnetId!] }] }))).NetworkAcls!;
    assert.deepEqual(acls, []);
    const rts = (await ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [rt.RouteTableId!] }))).RouteTables!;
    assert.deepEqual(rts[0].Associations, []);
    await fails(ec2.send(new E.DeleteSubnetCommand({ SubnetId: s.SubnetId })), "InvalidSubnetID.NotFound");
  });
});

describe("tags", () => {
  test("CreateTags, DeleteTags (with and without values), DescribeTags with filters", async () => {
    const v = await createVpc(ec2, { CidrBlock: "10.110.0.0/16" });
    const s = await createSubnet(ec2, { VpcId: v.VpcId, CidrBlock: "10.110.1.0/24" });
    await ec2.send(new E.CreateTagsCommand({ Resources: [v.VpcId!, s.SubnetId!], Tags: [{ Key: "env", Value: "test" }, { Key: "owner", Value: "me" }] }));
    const mine = async () => (await ec2.send(new E.DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: [v.VpcId!, s.SubnetId!] }] }))).Tags!;
    assert.deepEqual(
      (await mine()).map((t) => [t.ResourceId, t.ResourceType, t.Key, t.Value]),
      [
        [v.VpcId, "vpc", "env", "test"],
        [v.VpcId, "vpc", "owner", "me"],
        [s.SubnetId, "subnet", "env", "test"],
        [s.SubnetId, "subnet", "owner", "me"],
      ],
    );
    const byType = (await ec2.send(new E.DescribeTagsCommand({ Filters: [{ Name: "resource-type", Values: ["subnet"] }, { Name: "key", Values: ["own*"] }] }))).Tags!;
    assert.deepEqual(
      byType.map((t) => t.ResourceId),
      [s.SubnetId],
    );
    await ec2.send(new E.DeleteTagsCommand({ Resources: [v.VpcId!], Tags: [{ Key: "env", Value: "prod" }] }));
    assert.equal((await mine()).length, 4, "a value that does not match deletes nothing");
    await ec2.send(new E.DeleteTagsCommand({ Resources: [v.VpcId!], Tags: [{ Key: "env" }] }));
    assert.deepEqual(
      (await mine()).filter((t) => t.ResourceId === v.VpcId).map((t) => t.Key),
      ["owner"],
    );
    const vpcNow = (await ec2.send(new E.DescribeVpcsCommand({ VpcIds: [v.VpcId!] }))).Vpcs![0];
    assert.deepEqual(vpcNow.Tags, [{ Key: "owner", Value: "me" }]);
    await unchanged(() => ec2.send(new E.CreateTagsCommand({ Resources: [v.VpcId!], Tags: [{ Key: "aws:x", Value: "y" }] })), "InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use");
    await unchanged(() => ec2.send(new E.CreateTagsCommand({ Resources: ["vpc-0123456789abcdef0"], Tags: [{ Key: "k", Value: "v" }] })), "InvalidVpcID.NotFound");
    await unchanged(() => ec2.send(new E.CreateTagsCommand({ Resources: [v.VpcId!, "subnet-0123456789abcdef0"], Tags: [{ Key: "k", Value: "v" }] })), "InvalidSubnetID.NotFound");
    await unchanged(() => ec2.send(new E.CreateTagsCommand({ Resources: ["zzz-1"], Tags: [{ Key: "k", Value: "v" }] })), "InvalidID", "The ID 'zzz-1' is not valid");
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await unchanged(() => ec2.send(new E.CreateTagsCommand({ Resources: [v.VpcId!], Tags: many })), "TagLimitExceeded");
  });
});
