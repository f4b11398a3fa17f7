// EC2 network interfaces and the addresses they take from their subnet, through the SDK.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import type { NetworkInterface, Vpc } from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { clients } from "../support/clients.ts";
import { createSubnet, createVpc, fails, freeAddresses, sixtyFour, startEc2Server, stateGuard } from "../support/ec2-helpers.ts";

let app: App;
let ec2: E.EC2Client;
let vpc: Vpc;
let subnetId: string;
let dualSubnet: string;
let v6Block: string;
let sgA: string;
let sgB: string;

before(async () => {
  ({ app, ec2 } = await startEc2Server());
  vpc = await createVpc(ec2, { CidrBlock: "10.0.0.0/16", AmazonProvidedIpv6CidrBlock: true });
  subnetId = (await createSubnet(ec2, { VpcId: vpc.VpcId, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" })).SubnetId!;
  v6Block = sixtyFour(vpc, 2);
  dualSubnet = (await createSubnet(ec2, { VpcId: vpc.VpcId, CidrBlock: "10.0.2.0/24", Ipv6CidrBlock: v6Block })).SubnetId!;
  sgA = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc.VpcId, GroupName: "a", Description: "a" }))).GroupId!;
  sgB = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc.VpcId, GroupName: "b", Description: "b" }))).GroupId!;
});
after(async () => {
  await app?.close();
});

const { unchanged } = stateGuard(() => ec2, ["networkInterfaces", "subnets"]);

async function create(input: E.CreateNetworkInterfaceCommandInput): Promise<NetworkInterface> {
  return (await ec2.send(new E.CreateNetworkInterfaceCommand(input))).NetworkInterface!;
}

describe("CreateNetworkInterface", () => {
  test("the lowest free address, groups, secondary and chosen addresses, AWS's shape", async () => {
    const before = await freeAddresses(ec2, subnetId);
    const eni = await create({
      SubnetId: subnetId,
      Groups: [sgA, sgB],
      Description: "first",
      TagSpecifications: [{ ResourceType: "network-interface", Tags: [{ Key: "app", Value: "x" }] }],
    });
    assert.match(eni.NetworkInterfaceId!, /^eni-[0-9a-f]{17}$/);
    assert.equal(eni.PrivateIpAddress, "10.0.1.4", "AWS reserves .0 to .3");
    assert.equal(eni.PrivateDnsName, "ip-10-0-1-4.ec2.internal");
    assert.deepEqual(eni.PrivateIpAddresses, [{ Primary: true, PrivateIpAddress: "10.0.1.4", PrivateDnsName: "ip-10-0-1-4.ec2.internal" }]);
    assert.deepEqual(eni.Groups, [
      { GroupId: sgA, GroupName: "a" },
      { GroupId: sgB, GroupName: "b" },
    ]);
    assert.equal(eni.Description, "first");
    assert.equal(eni.Status, "available");
    assert.equal(eni.InterfaceType, "interface");
    assert.equal(eni.RequesterManaged, false);
    assert.equal(eni.SourceDestCheck, true);
    assert.equal(eni.SubnetId, subnetId);
    assert.equal(eni.VpcId, vpc.VpcId);
    assert.equal(eni.AvailabilityZone, "us-east-1a");
    assert.equal(eni.OwnerId, "000000000000");
    assert.match(eni.MacAddress!, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    assert.deepEqual(eni.Ipv6Addresses, []);
    assert.deepEqual(eni.TagSet, [{ Key: "app", Value: "x" }]);
    assert.equal(eni.Attachment, undefined);
    assert.equal(await freeAddresses(ec2, subnetId), before - 1);

    const def = await create({ SubnetId: subnetId });
    assert.equal(def.PrivateIpAddress, "10.0.1.5");
    const defaultGroup = (await ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }, { Name: "group-name", Values: ["default"] }] }))).SecurityGroups![0];
    assert.deepEqual(
      def.Groups!.map((g) => g.GroupId),
      [defaultGroup.GroupId],
      "without groups an interface gets the VPC's default group",
    );

    const multi = await create({ SubnetId: subnetId, PrivateIpAddress: "10.0.1.50", SecondaryPrivateIpAddressCount: 2 });
    assert.deepEqual(
      multi.PrivateIpAddresses!.map((p) => [p.PrivateIpAddress, p.Primary]),
      [
        ["10.0.1.50", true],
        ["10.0.1.6", false],
        ["10.0.1.7", false],
      ],
    );
    const listed = await create({
      SubnetId: subnetId,
      PrivateIpAddresses: [
        { PrivateIpAddress: "10.0.1.61", Primary: false },
        { PrivateIpAddress: "10.0.1.60", Primary: true },
      ],
    });
    assert.equal(listed.PrivateIpAddress, "10.0.1.60");
    assert.deepEqual(
      listed.PrivateIpAddresses!.map((p) => p.PrivateIpAddress),
      ["10.0.1.60", "10.0.1.61"],
    );

    const dual = await create({ SubnetId: dualSubnet, Ipv6AddressCount: 2 });
    assert.equal(dual.Ipv6Addresses!.length, 2);
    for (const a of dual.Ipv6Addresses!) assert.ok(a.Ipv6Address!.startsWith(v6Block.replace("::/64", ":")), `${a.Ipv6Address} in ${v6Block}`);
    const chosen6 = v6Block.replace("::/64", "::abcd");
    const dual2 = await create({ SubnetId: dualSubnet, Ipv6Addresses: [{ Ipv6Address: chosen6 }] });
    assert.deepEqual(
      dual2.Ipv6Addresses!.map((a) => a.Ipv6Address),
      [chosen6],
    );
    await unchanged(() => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: dualSubnet, Ipv6Addresses: [{ Ipv6Address: chosen6 }] })), "InvalidIPAddress.InUse");
  });

  test("bad inputs get AWS's codes and take no address", async () => {
    const other = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!;
    const foreignSg = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: other.VpcId, GroupName: "f", Description: "f" }))).GroupId!;
    await unchanged(() => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: "subnet-0123456789abcdef0" })), "InvalidSubnetID.NotFound", "The subnet ID 'subnet-0123456789abcdef0' does not exist");
    await unchanged(() => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: "subnet-x" })), "InvalidSubnetID.Malformed");
    await unchanged(() => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: ["sg-0123456789abcdef0"] })), "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist");
    await unchanged(() => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: ["sg-1"] })), "InvalidGroupId.Malformed", 'Invalid id: "sg-1" (expecting "sg-...")');
    await unchanged(
      () => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [foreignSg] })),
      "InvalidParameter",
      `Security group ${foreignSg} and subnet ${subnetId} belong to different networks.`,
    );
    await unchanged(() => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: "10.0.2.10" })), "InvalidParameterValue", "Address does not fall within the subnet's address range");
    await unchanged(() => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: "10.0.1.1" })), "InvalidParameterValue", /reserved/);
    await unchanged(() => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: "10.0.1.255" })), "InvalidParameterValue", /reserved/);
    await unchanged(() => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: "10.0.1.4" })), "InvalidIPAddress.InUse", "Address 10.0.1.4 is in use.");
    await unchanged(() => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, Ipv6AddressCount: 1 })), "InvalidParameterValue", /IPv6/);
    await unchanged(() => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, InterfaceType: "lambda" as E.NetworkInterfaceCreationType })), "InvalidParameterValue", /interfaceType/);
    await unchanged(() => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, DryRun: true })), "DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
    await fails(ec2.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["eni-0123456789abcdef0"] })), "InvalidNetworkInterfaceID.NotFound", "The networkInterface ID 'eni-0123456789abcdef0' does not exist");
    await fails(ec2.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["eni-nope"] })), "InvalidNetworkInterfaceId.Malformed", 'Invalid id: "eni-nope" (expecting "eni-...")');
  });

  test("ClientToken: a retry gives the same interface and no second address", async () => {
    const first = await create({ SubnetId: subnetId, ClientToken: "eni-token", Description: "once" });
    const left = await freeAddresses(ec2, subnetId);
    const again = await create({ SubnetId: subnetId, ClientToken: "eni-token", Description: "once" });
    assert.equal(again.NetworkInterfaceId, first.NetworkInterfaceId);
    assert.equal(await freeAddresses(ec2, subnetId), left);
    await unchanged(() => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, ClientToken: "eni-token", Description: "twice" })), "IdempotentParameterMismatch");
  });

  test("200 concurrent creates into a /27: exactly the free addresses succeed, never one twice", async () => {
    const small = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.0.3.0/27" }))).Subnet!;
    assert.equal(small.AvailableIpAddressCount, 27);
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: small.SubnetId }))));
    const ok = results.filter((r): r is PromiseFulfilledResult<E.CreateNetworkInterfaceCommandOutput> => r.status === "fulfilled");
    const bad = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    assert.equal(ok.length, 27);
    assert.equal(bad.length, 173);
    for (const r of bad) {
      assert.equal(r.reason.name, "InsufficientFreeAddressesInSubnet");
      assert.equal(r.reason.message, "The specified subnet does not have enough free addresses to satisfy the request.");
      assert.equal(r.reason.$metadata.httpStatusCode, 400);
    }
    const addresses = ok.map((r) => r.value.NetworkInterface!.PrivateIpAddress!);
    assert.equal(new Set(addresses).size, 27, "no address handed out twice");
    const expected = Array.from({ length: 27 }, (_, i) => `10.0.3.${i + 4}`);
    assert.deepEqual([...addresses].sort(), [...expected].sort(), "every usable address, none of AWS's reserved ones");
    const described = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "subnet-id", Values: [small.SubnetId!] }] }))).NetworkInterfaces!;
    assert.equal(described.length, 27);
    assert.equal(await freeAddresses(ec2, small.SubnetId!), 0);
    await unchanged(() => ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: small.SubnetId })), "InsufficientFreeAddressesInSubnet");
    // Freed addresses come back, lowest first.
    const victims = ok.filter((r) => ["10.0.3.9", "10.0.3.20"].includes(r.value.NetworkInterface!.PrivateIpAddress!));
    for (const v of victims) await ec2.send(new E.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: v.value.NetworkInterface!.NetworkInterfaceId }));
    assert.equal(await freeAddresses(ec2, small.SubnetId!), 2);
    assert.equal((await create({ SubnetId: small.SubnetId })).PrivateIpAddress, "10.0.3.9");
    assert.equal((await create({ SubnetId: small.SubnetId })).PrivateIpAddress, "10.0.3.20");
    await fails(ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: small.SubnetId, SecondaryPrivateIpAddressCount: 1 })), "InsufficientFreeAddressesInSubnet");
  });
});

describe("DescribeNetworkInterfaces", () => {
  test("filters AWS documents, wildcards, pagination", async () => {
    const s = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.0.4.0/24" }))).Subnet!.SubnetId!;
    const made: NetworkInterface[] = [];
    for (let i = 0; i < 7; i++) {
      made.push(
        await create({
          SubnetId: s,
          Groups: [i % 2 ? sgA : sgB],
          Description: i < 3 ? `AWS Lambda VPC ENI-fn${i}` : `worker ${i}`,
          TagSpecifications: [{ ResourceType: "network-interface", Tags: [{ Key: "n", Value: String(i) }] }],
        }),
      );
    }
    const q = async (filters: E.Filter[]) =>
      (await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "subnet-id", Values: [s] }, ...filters] }))).NetworkInterfaces!.map((e) => e.NetworkInterfaceId);
    const ids = made.map((e) => e.NetworkInterfaceId);
    assert.deepEqual(await q([]), ids);
    assert.deepEqual(await q([{ Name: "description", Values: ["AWS Lambda VPC ENI-*"] }]), ids.slice(0, 3));
    assert.deepEqual(await q([{ Name: "group-id", Values: [sgA] }]), [ids[1], ids[3], ids[5]]);
    assert.deepEqual(await q([{ Name: "group-name", Values: ["b"] }, { Name: "tag:n", Values: ["0", "6"] }]), [ids[0], ids[6]]);
    assert.deepEqual(await q([{ Name: "private-ip-address", Values: [made[4].PrivateIpAddress!] }]), [ids[4]]);
    assert.deepEqual(await q([{ Name: "addresses.private-ip-address", Values: ["10.0.4.1?"] }]), ids.filter((_, i) => made[i].PrivateIpAddress!.startsWith("10.0.4.1")));
    assert.deepEqual(await q([{ Name: "network-interface-id", Values: [ids[2]!] }]), [ids[2]]);
    assert.deepEqual(await q([{ Name: "interface-type", Values: ["interface"] }, { Name: "requester-managed", Values: ["false"] }, { Name: "status", Values: ["available"] }]), ids);
    assert.deepEqual(await q([{ Name: "requester-managed", Values: ["true"] }]), []);
    assert.deepEqual(await q([{ Name: "vpc-id", Values: [vpc.VpcId!] }, { Name: "availability-zone", Values: [made[0].AvailabilityZone!] }]), ids);
    assert.deepEqual(await q([{ Name: "mac-address", Values: [made[3].MacAddress!] }]), [ids[3]]);
    const p1 = await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "subnet-id", Values: [s] }], MaxResults: 5 }));
    assert.equal(p1.NetworkInterfaces!.length, 5);
    const p2 = await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "subnet-id", Values: [s] }], MaxResults: 5, NextToken: p1.NextToken }));
    assert.deepEqual([...p1.NetworkInterfaces!, ...p2.NetworkInterfaces!].map((e) => e.NetworkInterfaceId), ids);
    assert.equal(p2.NextToken, undefined);
    await fails(ec2.send(new E.DescribeNetworkInterfacesCommand({ MaxResults: 3 })), "InvalidParameterValue", /maxResults/);
    await fails(ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "colour", Values: ["x"] }] })), "InvalidParameterValue", "The filter 'colour' is invalid");
  });
});

describe("changing and deleting interfaces", () => {
  test("ModifyNetworkInterfaceAttribute and DescribeNetworkInterfaceAttribute", async () => {
    const e = await create({ SubnetId: subnetId, Groups: [sgA] });
    const id = e.NetworkInterfaceId!;
    await ec2.send(new E.ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, Description: { Value: "renamed" } }));
    await ec2.send(new E.ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, SourceDestCheck: { Value: false } }));
    await ec2.send(new E.ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, Groups: [sgA, sgB] }));
    const d = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }))).NetworkInterfaces![0];
    assert.equal(d.Description, "renamed");
    assert.equal(d.SourceDestCheck, false);
    assert.deepEqual(
      d.Groups!.map((g) => g.GroupId),
      [sgA, sgB],
    );
    const attr = await ec2.send(new E.DescribeNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, Attribute: "description" }));
    assert.equal(attr.Description!.Value, "renamed");
    const groups = await ec2.send(new E.DescribeNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, Attribute: "groupSet" }));
    assert.deepEqual(
      groups.Groups!.map((g) => g.GroupName),
      ["a", "b"],
    );
    const other = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.8.0.0/16" }))).Vpc!;
    const foreignSg = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: other.VpcId, GroupName: "g", Description: "g" }))).GroupId!;
    await unchanged(() => ec2.send(new E.ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, Groups: [foreignSg] })), "InvalidParameter");
    await unchanged(() => ec2.send(new E.ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, Groups: ["sg-0123456789abcdef0"] })), "InvalidGroup.NotFound");
  });

  test("Assign/UnassignPrivateIpAddresses and Assign/UnassignIpv6Addresses", async () => {
    const s = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.0.5.0/28" }))).Subnet!.SubnetId!;
    const e = await create({ SubnetId: s });
    const id = e.NetworkInterfaceId!;
    assert.equal(await freeAddresses(ec2, s), 10);
    const added = await ec2.send(new E.AssignPrivateIpAddressesCommand({ NetworkInterfaceId: id, SecondaryPrivateIpAddressCount: 2 }));
    assert.deepEqual(
      added.AssignedPrivateIpAddresses!.map((a) => a.PrivateIpAddress),
      ["10.0.5.5", "10.0.5.6"],
    );
    await ec2.send(new E.AssignPrivateIpAddressesCommand({ NetworkInterfaceId: id, PrivateIpAddresses: ["10.0.5.12"] }));
    assert.equal(await freeAddresses(ec2, s), 7);
    await unchanged(() => ec2.send(new E.AssignPrivateIpAddressesCommand({ NetworkInterfaceId: id, PrivateIpAddresses: ["10.0.5.12"] })), "InvalidIPAddress.InUse");
    await unchanged(() => ec2.send(new E.AssignPrivateIpAddressesCommand({ NetworkInterfaceId: id, SecondaryPrivateIpAddressCount: 8 })), "InsufficientFreeAddressesInSubnet");
    await unchanged(() => ec2.send(new E.UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: id, PrivateIpAddresses: ["10.0.5.4"] })), "InvalidParameterValue", /primary/);
    await unchanged(() => ec2.send(new E.UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: id, PrivateIpAddresses: ["10.0.5.9"] })), "InvalidParameterValue");
    await ec2.send(new E.UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: id, PrivateIpAddresses: ["10.0.5.5"] }));
    const d = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }))).NetworkInterfaces![0];
    assert.deepEqual(
      d.PrivateIpAddresses!.map((p) => p.PrivateIpAddress),
      ["10.0.5.4", "10.0.5.6", "10.0.5.12"],
    );
    assert.equal(await freeAddresses(ec2, s), 8);

    const dual = await create({ SubnetId: dualSubnet });
    assert.deepEqual(dual.Ipv6Addresses, []);
    const six = await ec2.send(new E.AssignIpv6AddressesCommand({ NetworkInterfaceId: dual.NetworkInterfaceId, Ipv6AddressCount: 2 }));
    assert.equal(six.AssignedIpv6Addresses!.length, 2);
    assert.equal(six.NetworkInterfaceId, dual.NetworkInterfaceId);
    const un = await ec2.send(new E.UnassignIpv6AddressesCommand({ NetworkInterfaceId: dual.NetworkInterfaceId, Ipv6Addresses: [six.AssignedIpv6Addresses![0]] }));
    assert.deepEqual(un.UnassignedIpv6Addresses, [six.AssignedIpv6Addresses![0]]);
    const after = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [dual.NetworkInterfaceId!] }))).NetworkInterfaces![0];
    assert.deepEqual(
      after.Ipv6Addresses!.map((a) => a.Ipv6Address),
      [six.AssignedIpv6Addresses![1]],
    );
    await unchanged(() => ec2.send(new E.AssignIpv6AddressesCommand({ NetworkInterfaceId: id, Ipv6AddressCount: 1 })), "InvalidParameterValue");
  });

  test("DeleteNetworkInterface frees the address; a second delete is NotFound", async () => {
    const s = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.0.6.0/28" }))).Subnet!.SubnetId!;
    const a = await create({ SubnetId: s });
    const b = await create({ SubnetId: s });
    await ec2.send(new E.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: a.NetworkInterfaceId }));
    await fails(ec2.send(new E.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: a.NetworkInterfaceId })), "InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${a.NetworkInterfaceId}' does not exist`);
    assert.equal((await create({ SubnetId: s })).PrivateIpAddress, a.PrivateIpAddress, "the freed address is the lowest free one again");
    assert.notEqual(b.PrivateIpAddress, a.PrivateIpAddress);
  });
});

describe("IAM", () => {
  // The condition keys of CreateNetworkInterface are made only when a decision reads them (the
  // account root's never do): an IAM user's decisions must still see them.
  test("ec2:Subnet and ec2:Vpc narrow CreateNetworkInterface for an IAM user; a denied create stores nothing", async () => {
    const root = clients(app.url);
    await root.iam.send(new CreateUserCommand({ UserName: "eni-maker" }));
    const subnetArn = (id: string) => `arn:aws:ec2:us-east-1:000000000000:subnet/${id}`;
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "ec2:DescribeNetworkInterfaces", Resource: "*" },
        {
          Effect: "Allow",
          Action: "ec2:CreateNetworkInterface",
          Resource: "*",
          // The security-group resource carries ec2:Vpc but no ec2:Subnet: IfExists lets it through.
          Condition: { StringEqualsIfExists: { "ec2:Subnet": subnetArn(subnetId) }, StringEquals: { "ec2:Vpc": `arn:aws:ec2:us-east-1:000000000000:vpc/${vpc.VpcId}` } },
        },
      ],
    };
    await root.iam.send(new PutUserPolicyCommand({ UserName: "eni-maker", PolicyName: "p", PolicyDocument: JSON.stringify(policy) }));
    const k = (await root.iam.send(new CreateAccessKeyCommand({ UserName: "eni-maker" }))).AccessKey!;
    const user = clients(app.url, { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! }).ec2;
    await unchanged(() => user.send(new E.CreateNetworkInterfaceCommand({ SubnetId: dualSubnet, Groups: [sgA] })), "UnauthorizedOperation", /ec2:CreateNetworkInterface/, 403);
    const made = (await user.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [sgA] }))).NetworkInterface!;
    assert.equal(made.SubnetId, subnetId);
    assert.deepEqual(made.Groups?.map((g) => g.GroupId), [sgA]);
    await ec2.send(new E.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: made.NetworkInterfaceId }));
  });
});
