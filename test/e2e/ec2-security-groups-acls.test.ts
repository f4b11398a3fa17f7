// EC2 security groups and network ACLs through the SDK against an in-process server.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import type { SecurityGroup, Vpc } from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { createSubnet, createVpc, fails, startEc2Server, stateGuard } from "../support/ec2-helpers.ts";

let app: App;
let ec2: E.EC2Client;
let vpc: Vpc;
let subnetId: string;

before(async () => {
  ({ app, ec2 } = await startEc2Server());
  vpc = await createVpc(ec2, { CidrBlock: "10.0.0.0/16", AmazonProvidedIpv6CidrBlock: true });
  subnetId = (await createSubnet(ec2, { VpcId: vpc.VpcId, CidrBlock: "10.0.1.0/24" })).SubnetId!;
});
after(async () => {
  await app?.close();
});

const { unchanged } = stateGuard(() => ec2, ["securityGroups", "securityGroupRules", "networkAcls", "networkInterfaces"]);

async function group(name: string, vpcId = vpc.VpcId!): Promise<SecurityGroup> {
  const r = await ec2.send(new E.CreateSecurityGroupCommand({ GroupName: name, Description: `${name} group`, VpcId: vpcId }));
  return (await ec2.send(new E.DescribeSecurityGroupsCommand({ GroupIds: [r.GroupId!] }))).SecurityGroups![0];
}

async function describeGroup(id: string): Promise<SecurityGroup> {
  return (await ec2.send(new E.DescribeSecurityGroupsCommand({ GroupIds: [id] }))).SecurityGroups![0];
}

describe("security groups", () => {
  test("the default group of a VPC cannot be deleted", async () => {
    const def = (await ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }, { Name: "group-name", Values: ["default"] }] }))).SecurityGroups!;
    assert.equal(def.length, 1);
    await unchanged(
      () => ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: def[0].GroupId })),
      "CannotDelete",
      `the specified group: "${def[0].GroupId}" name: "default" cannot be deleted by a user`,
    );
  });

  test("a new group allows all IPv4 egress and no ingress; names are unique per VPC", async () => {
    const r = await ec2.send(
      new E.CreateSecurityGroupCommand({ GroupName: "web", Description: "web tier", VpcId: vpc.VpcId, TagSpecifications: [{ ResourceType: "security-group", Tags: [{ Key: "tier", Value: "web" }] }] }),
    );
    assert.match(r.GroupId!, /^sg-[0-9a-f]{17}$/);
    assert.equal(r.SecurityGroupArn, `arn:aws:ec2:us-east-1:000000000000:security-group/${r.GroupId}`);
    assert.deepEqual(r.Tags, [{ Key: "tier", Value: "web" }]);
    const g = await describeGroup(r.GroupId!);
    assert.equal(g.GroupName, "web");
    assert.equal(g.Description, "web tier");
    assert.equal(g.VpcId, vpc.VpcId);
    assert.equal(g.OwnerId, "000000000000");
    assert.deepEqual(g.IpPermissions, []);
    assert.deepEqual(g.IpPermissionsEgress, [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }]);
    await unchanged(
      () => ec2.send(new E.CreateSecurityGroupCommand({ GroupName: "web", Description: "again", VpcId: vpc.VpcId })),
      "InvalidGroup.Duplicate",
      `The security group 'web' already exists for VPC '${vpc.VpcId}'`,
    );
    await unchanged(() => ec2.send(new E.CreateSecurityGroupCommand({ GroupName: "sg-web", Description: "x", VpcId: vpc.VpcId })), "InvalidParameterValue", /sg-\*/);
    await unchanged(() => ec2.send(new E.CreateSecurityGroupCommand({ GroupName: "nodesc", Description: "", VpcId: vpc.VpcId })), "MissingParameter", "The request must contain the parameter groupDescription");
    await unchanged(() => ec2.send(new E.CreateSecurityGroupCommand({ GroupName: "x", Description: "x", VpcId: "vpc-0123456789abcdef0" })), "InvalidVpcID.NotFound");
    // The same name in another VPC is fine.
    const inDefault = await ec2.send(new E.CreateSecurityGroupCommand({ GroupName: "web", Description: "web in default" }));
    assert.notEqual(inDefault.GroupId, r.GroupId);
  });

  test("ingress rules: protocols, ports, IPv4/IPv6 CIDRs, group references, prefix lists", async () => {
    const app1 = await group("app");
    const db = await group("db");
    const added = await ec2.send(
      new E.AuthorizeSecurityGroupIngressCommand({
        GroupId: db.GroupId,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: app1.GroupId, Description: "from app" }] },
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/16" }], Ipv6Ranges: [{ CidrIpv6: "2600:1f18::/32" }] },
          { IpProtocol: "udp", FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          { IpProtocol: "icmp", FromPort: 8, ToPort: -1, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          { IpProtocol: "icmpv6", FromPort: -1, ToPort: -1, Ipv6Ranges: [{ CidrIpv6: "::/0" }] },
          { IpProtocol: "50", IpRanges: [{ CidrIp: "192.168.0.0/24" }] },
          { IpProtocol: "-1", PrefixListIds: [{ PrefixListId: "pl-63a5400a" }] },
        ],
      }),
    );
    assert.equal(added.Return, true);
    assert.equal(added.SecurityGroupRules!.length, 8);
    for (const r of added.SecurityGroupRules!) {
      assert.match(r.SecurityGroupRuleId!, /^sgr-[0-9a-f]{17}$/);
      assert.equal(r.GroupId, db.GroupId);
      assert.equal(r.IsEgress, false);
    }
    const ref = added.SecurityGroupRules!.find((r) => r.ReferencedGroupInfo);
    assert.deepEqual(ref!.ReferencedGroupInfo, { GroupId: app1.GroupId, UserId: "000000000000" });
    assert.equal(ref!.Description, "from app");
    const g = await describeGroup(db.GroupId!);
    const perms = g.IpPermissions!.map((p) => ({
      p: p.IpProtocol,
      from: p.FromPort,
      to: p.ToPort,
      v4: p.IpRanges!.map((x) => x.CidrIp),
      v6: p.Ipv6Ranges!.map((x) => x.CidrIpv6),
      groups: p.UserIdGroupPairs!.map((x) => x.GroupId),
      pl: p.PrefixListIds!.map((x) => x.PrefixListId),
    }));
    assert.deepEqual(perms, [
      { p: "tcp", from: 5432, to: 5432, v4: [], v6: [], groups: [app1.GroupId], pl: [] },
      { p: "tcp", from: 22, to: 22, v4: ["10.0.0.0/16"], v6: ["2600:1f18::/32"], groups: [], pl: [] },
      { p: "udp", from: 53, to: 53, v4: ["0.0.0.0/0"], v6: [], groups: [], pl: [] },
      { p: "icmp", from: 8, to: -1, v4: ["0.0.0.0/0"], v6: [], groups: [], pl: [] },
      { p: "icmpv6", from: -1, to: -1, v4: [], v6: ["::/0"], groups: [], pl: [] },
      { p: "50", from: undefined, to: undefined, v4: ["192.168.0.0/24"], v6: [], groups: [], pl: [] },
      { p: "-1", from: undefined, to: undefined, v4: [], v6: [], groups: [], pl: ["pl-63a5400a"] },
    ]);
    // Protocol names and numbers are the same thing: "6" is tcp.
    await fails(
      ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: db.GroupId, IpPermissions: [{ IpProtocol: "6", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/16" }] }] })),
      "InvalidPermission.Duplicate",
      'the specified rule "peer: 10.0.0.0/16, TCP, from port: 22, to port: 22, ALLOW" already exists',
    );
    const byFilter = (await ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: "ip-permission.group-id", Values: [app1.GroupId!] }] }))).SecurityGroups!;
    assert.deepEqual(
      byFilter.map((x) => x.GroupId),
      [db.GroupId],
    );
    const byPort = (await ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: "ip-permission.from-port", Values: ["5432"] }, { Name: "vpc-id", Values: [vpc.VpcId!] }] }))).SecurityGroups!;
    assert.deepEqual(
      byPort.map((x) => x.GroupId),
      [db.GroupId],
    );
  });

  test("bad rules get AWS's codes, and a request with one bad permission adds nothing", async () => {
    const g = await group("strict");
    const other = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!;
    const foreign = await group("foreign", other.VpcId);
    await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: g.GroupId, IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "0.0.0.0/0" }));
    const ingress = (perm: E.IpPermission) => () => ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: g.GroupId, IpPermissions: [perm] }));
    await unchanged(
      () => ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: g.GroupId, IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "0.0.0.0/0" })),
      "InvalidPermission.Duplicate",
      'the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists',
    );
    await unchanged(
      () =>
        ec2.send(
          new E.AuthorizeSecurityGroupIngressCommand({
            GroupId: g.GroupId,
            IpPermissions: [
              { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
              { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
            ],
          }),
        ),
      "InvalidPermission.Duplicate",
    );
    await unchanged(ingress({ IpProtocol: "foo", FromPort: 1, ToPort: 2, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }), "InvalidParameterValue", "Invalid value 'foo' for IP protocol. Unknown protocol.");
    await unchanged(ingress({ IpProtocol: "tcp", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }), "InvalidParameterValue", /Must specify both from and to ports with TCP\/UDP/);
    await unchanged(ingress({ IpProtocol: "tcp", FromPort: 1, ToPort: 70000, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }), "InvalidParameterValue");
    await unchanged(ingress({ IpProtocol: "udp", FromPort: 90, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }), "InvalidParameterValue");
    await unchanged(ingress({ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "10.0.0.0/33" }] }), "InvalidParameterValue", "CIDR block 10.0.0.0/33 is malformed");
    await unchanged(ingress({ IpProtocol: "tcp", FromPort: 80, ToPort: 80, Ipv6Ranges: [{ CidrIpv6: "0.0.0.0/0" }] }), "InvalidParameterValue", "CIDR block 0.0.0.0/0 is malformed");
    await unchanged(ingress({ IpProtocol: "tcp", FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: "sg-0123456789abcdef0" }] }), "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist");
    await unchanged(ingress({ IpProtocol: "tcp", FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: "x" }] }), "InvalidGroupId.Malformed", 'Invalid id: "x" (expecting "sg-...")');
    await unchanged(
      ingress({ IpProtocol: "tcp", FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: foreign.GroupId }] }),
      "InvalidGroup.NotFound",
      "You have specified two resources that belong to different networks.",
    );
    await unchanged(() => ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: "sg-0123456789abcdef0", IpProtocol: "-1", CidrIp: "0.0.0.0/0" })), "InvalidGroup.NotFound");
    await unchanged(() => ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: "x", IpProtocol: "-1", CidrIp: "0.0.0.0/0" })), "InvalidGroupId.Malformed", 'Invalid id: "x" (expecting "sg-...")');
  });

  test("revoke by permission and by rule id; InvalidPermission.NotFound; egress rules", async () => {
    const g = await group("revoke");
    const r = await ec2.send(
      new E.AuthorizeSecurityGroupIngressCommand({
        GroupId: g.GroupId,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }, { CidrIp: "10.0.0.0/8" }] },
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      }),
    );
    await unchanged(
      () => ec2.send(new E.RevokeSecurityGroupIngressCommand({ GroupId: g.GroupId, IpPermissions: [{ IpProtocol: "tcp", FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] })),
      "InvalidPermission.NotFound",
      "The specified rule does not exist in this security group.",
    );
    const partial = await ec2.send(
      new E.RevokeSecurityGroupIngressCommand({
        GroupId: g.GroupId,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "10.0.0.0/8" }, { CidrIp: "172.16.0.0/12" }] }],
      }),
    );
    assert.equal(partial.Return, true);
    assert.equal(partial.RevokedSecurityGroupRules!.length, 1);
    assert.deepEqual(partial.UnknownIpPermissions![0].IpRanges, [{ CidrIp: "172.16.0.0/12" }]);
    const https = r.SecurityGroupRules!.find((x) => x.FromPort === 443)!;
    await ec2.send(new E.RevokeSecurityGroupIngressCommand({ GroupId: g.GroupId, SecurityGroupRuleIds: [https.SecurityGroupRuleId!] }));
    const left = await describeGroup(g.GroupId!);
    assert.deepEqual(
      left.IpPermissions!.map((p) => [p.FromPort, p.IpRanges!.map((x) => x.CidrIp)]),
      [[80, ["0.0.0.0/0"]]],
    );
    await fails(ec2.send(new E.RevokeSecurityGroupIngressCommand({ GroupId: g.GroupId, SecurityGroupRuleIds: [https.SecurityGroupRuleId!] })), "InvalidSecurityGroupRuleId.NotFound");

    // Replace allow-all egress with HTTPS only.
    await ec2.send(new E.RevokeSecurityGroupEgressCommand({ GroupId: g.GroupId, IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }));
    const eg = await ec2.send(new E.AuthorizeSecurityGroupEgressCommand({ GroupId: g.GroupId, IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }));
    assert.equal(eg.SecurityGroupRules![0].IsEgress, true);
    const after = await describeGroup(g.GroupId!);
    assert.deepEqual(
      after.IpPermissionsEgress!.map((p) => [p.IpProtocol, p.FromPort, p.ToPort]),
      [["tcp", 443, 443]],
    );
    await unchanged(
      () => ec2.send(new E.AuthorizeSecurityGroupEgressCommand({ GroupId: g.GroupId, IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] })),
      "InvalidPermission.Duplicate",
    );
    const egressOnly = (await ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: "egress.ip-permission.to-port", Values: ["443"] }] }))).SecurityGroups!;
    assert.deepEqual(
      egressOnly.map((x) => x.GroupId),
      [g.GroupId],
    );
  });

  test("DescribeSecurityGroupRules and DescribeSecurityGroups pagination", async () => {
    const g = await group("rules");
    await ec2.send(
      new E.AuthorizeSecurityGroupIngressCommand({
        GroupId: g.GroupId,
        IpPermissions: [1, 2, 3, 4, 5, 6].map((i) => ({ IpProtocol: "tcp", FromPort: 1000 + i, ToPort: 1000 + i, IpRanges: [{ CidrIp: "10.0.0.0/16" }] })),
      }),
    );
    const rules = (await ec2.send(new E.DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [g.GroupId!] }] }))).SecurityGroupRules!;
    assert.equal(rules.length, 7, "six ingress rules and the default egress rule");
    const egress = rules.find((r) => r.IsEgress)!;
    assert.deepEqual([egress.IpProtocol, egress.FromPort, egress.ToPort, egress.CidrIpv4], ["-1", -1, -1, "0.0.0.0/0"]);
    const one = (await ec2.send(new E.DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [rules[2].SecurityGroupRuleId!] }))).SecurityGroupRules!;
    assert.equal(one[0].FromPort, rules[2].FromPort);
    const p1 = await ec2.send(new E.DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [g.GroupId!] }], MaxResults: 5 }));
    const p2 = await ec2.send(new E.DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [g.GroupId!] }], MaxResults: 5, NextToken: p1.NextToken }));
    assert.deepEqual([...p1.SecurityGroupRules!, ...p2.SecurityGroupRules!].map((r) => r.SecurityGroupRuleId), rules.map((r) => r.SecurityGroupRuleId));
    const all: string[] = [];
    for await (const page of E.paginateDescribeSecurityGroups({ client: ec2, pageSize: 5 }, {})) all.push(...page.SecurityGroups!.map((x) => x.GroupId!));
    const everything = (await ec2.send(new E.DescribeSecurityGroupsCommand({}))).SecurityGroups!.map((x) => x.GroupId);
    assert.ok(everything.length > 5);
    assert.deepEqual(all, everything);
    const byName = (await ec2.send(new E.DescribeSecurityGroupsCommand({ GroupNames: ["default"] }))).SecurityGroups!;
    assert.equal(byName.length, 1, "GroupName selects in the default VPC");
    await fails(ec2.send(new E.DescribeSecurityGroupsCommand({ GroupNames: ["nope"] })), "InvalidGroup.NotFound", /does not exist in default VPC/);
    await fails(ec2.send(new E.DescribeSecurityGroupsCommand({ GroupIds: ["sg-bad"] })), "InvalidGroupId.Malformed", 'Invalid id: "sg-bad" (expecting "sg-...")');
    await fails(ec2.send(new E.DescribeSecurityGroupsCommand({ GroupIds: ["sg-0123456789abcdef0"] })), "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist");
  });

  test("DeleteSecurityGroup: DependencyViolation while an interface uses it or another group's rule names it", async () => {
    const target = await group("target");
    const user = await group("user");
    await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: user.GroupId, IpPermissions: [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: target.GroupId }] }] }));
    await unchanged(() => ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: target.GroupId })), "DependencyViolation", `resource ${target.GroupId} has a dependent object`);
    await ec2.send(new E.RevokeSecurityGroupIngressCommand({ GroupId: user.GroupId, IpPermissions: [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: target.GroupId }] }] }));
    const eni = (await ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [target.GroupId!] }))).NetworkInterface!;
    await unchanged(() => ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: target.GroupId })), "DependencyViolation", `resource ${target.GroupId} has a dependent object`);
    await ec2.send(new E.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterfaceId }));
    const r = await ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: target.GroupId }));
    assert.equal(r.Return, true);
    assert.equal(r.GroupId, target.GroupId);
    await fails(ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: target.GroupId })), "InvalidGroup.NotFound");
    // A group whose only reference is to itself can go.
    await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: user.GroupId, IpPermissions: [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: user.GroupId }] }] }));
    await ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: user.GroupId }));
  });
});

describe("network ACLs", () => {
  test("a new ACL denies everything; entries with protocols, ports, ICMP, IPv4 and IPv6; ClientToken", async () => {
    const r = await ec2.send(new E.CreateNetworkAclCommand({ VpcId: vpc.VpcId, ClientToken: "acl-token-1", TagSpecifications: [{ ResourceType: "network-acl", Tags: [{ Key: "Name", Value: "private" }] }] }));
    const acl = r.NetworkAcl!;
    assert.match(acl.NetworkAclId!, /^acl-[0-9a-f]{17}$/);
    assert.equal(acl.IsDefault, false);
    assert.equal(r.ClientToken, "acl-token-1");
    assert.deepEqual(acl.Tags, [{ Key: "Name", Value: "private" }]);
    assert.deepEqual(
      acl.Entries!.map((e) => [e.Egress, e.RuleNumber, e.RuleAction, e.CidrBlock ?? e.Ipv6CidrBlock]),
      [
        [true, 32767, "deny", "0.0.0.0/0"],
        [true, 32768, "deny", "::/0"],
        [false, 32767, "deny", "0.0.0.0/0"],
        [false, 32768, "deny", "::/0"],
      ],
    );
    const again = await ec2.send(new E.CreateNetworkAclCommand({ VpcId: vpc.VpcId, ClientToken: "acl-token-1", TagSpecifications: [{ ResourceType: "network-acl", Tags: [{ Key: "Name", Value: "private" }] }] }));
    assert.equal(again.NetworkAcl!.NetworkAclId, acl.NetworkAclId, "same ClientToken, same ACL");

    const id = acl.NetworkAclId!;
    const entry = (e: Omit<E.CreateNetworkAclEntryCommandInput, "NetworkAclId">) => ec2.send(new E.CreateNetworkAclEntryCommand({ NetworkAclId: id, ...e }));
    await entry({ RuleNumber: 100, Egress: false, Protocol: "6", RuleAction: "allow", CidrBlock: "10.0.0.0/16", PortRange: { From: 5432, To: 5432 } });
    await entry({ RuleNumber: 110, Egress: false, Protocol: "tcp", RuleAction: "allow", CidrBlock: "0.0.0.0/0", PortRange: { From: 1024, To: 65535 } });
    await entry({ RuleNumber: 90, Egress: false, Protocol: "-1", RuleAction: "deny", CidrBlock: "10.0.99.0/24" });
    await entry({ RuleNumber: 100, Egress: true, Protocol: "6", RuleAction: "allow", CidrBlock: "10.0.0.0/16", PortRange: { From: 1024, To: 65535 } });
    await entry({ RuleNumber: 120, Egress: true, Protocol: "1", RuleAction: "allow", CidrBlock: "0.0.0.0/0", IcmpTypeCode: { Type: 8, Code: -1 } });
    await entry({ RuleNumber: 130, Egress: true, Protocol: "58", RuleAction: "allow", Ipv6CidrBlock: "::/0", IcmpTypeCode: { Type: -1, Code: -1 } });
    const described = (await ec2.send(new E.DescribeNetworkAclsCommand({ NetworkAclIds: [id] }))).NetworkAcls![0];
    assert.deepEqual(
      described.Entries!.map((e) => [e.Egress, e.RuleNumber, e.Protocol, e.RuleAction, e.CidrBlock ?? e.Ipv6CidrBlock, e.PortRange && [e.PortRange.From, e.PortRange.To], e.IcmpTypeCode && [e.IcmpTypeCode.Type, e.IcmpTypeCode.Code]]),
      [
        [true, 100, "6", "allow", "10.0.0.0/16", [1024, 65535], undefined],
        [true, 120, "1", "allow", "0.0.0.0/0", undefined, [8, -1]],
        [true, 130, "58", "allow", "::/0", undefined, [-1, -1]],
        [true, 32767, "-1", "deny", "0.0.0.0/0", undefined, undefined],
        [true, 32768, "-1", "deny", "::/0", undefined, undefined],
        [false, 90, "-1", "deny", "10.0.99.0/24", undefined, undefined],
        [false, 100, "6", "allow", "10.0.0.0/16", [5432, 5432], undefined],
        [false, 110, "6", "allow", "0.0.0.0/0", [1024, 65535], undefined],
        [false, 32767, "-1", "deny", "0.0.0.0/0", undefined, undefined],
        [false, 32768, "-1", "deny", "::/0", undefined, undefined],
      ],
    );

    await unchanged(
      () => entry({ RuleNumber: 100, Egress: false, Protocol: "-1", RuleAction: "allow", CidrBlock: "0.0.0.0/0" }),
      "NetworkAclEntryAlreadyExists",
      "The network acl entry identified by 100 already exists.",
    );
    await unchanged(() => entry({ RuleNumber: 0, Egress: false, Protocol: "-1", RuleAction: "allow", CidrBlock: "0.0.0.0/0" }), "InvalidParameterValue", /ruleNumber/);
    await unchanged(() => entry({ RuleNumber: 32767, Egress: false, Protocol: "-1", RuleAction: "allow", CidrBlock: "0.0.0.0/0" }), "InvalidParameterValue", /ruleNumber/);
    await unchanged(() => entry({ RuleNumber: 200, Egress: false, Protocol: "6", RuleAction: "allow", CidrBlock: "0.0.0.0/0" }), "MissingParameter");
    await unchanged(() => entry({ RuleNumber: 200, Egress: false, Protocol: "1", RuleAction: "allow", CidrBlock: "0.0.0.0/0" }), "MissingParameter");
    await unchanged(
      () => entry({ RuleNumber: 200, Egress: false, Protocol: "-1", RuleAction: "allow", CidrBlock: "::/0" }),
      "InvalidParameterValue",
      "Value (::/0) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
    );
    await unchanged(() => entry({ RuleNumber: 200, Egress: false, Protocol: "-1", RuleAction: "allow", CidrBlock: "0.0.0.0/0", Ipv6CidrBlock: "::/0" }), "InvalidParameterCombination");
    await unchanged(() => entry({ RuleNumber: 200, Egress: false, Protocol: "tcp", RuleAction: "allow", CidrBlock: "0.0.0.0/0", PortRange: { From: 90, To: 80 } }), "InvalidParameterValue");
    await unchanged(() => ec2.send(new E.CreateNetworkAclEntryCommand({ NetworkAclId: "acl-0123456789abcdef0", RuleNumber: 1, Egress: false, Protocol: "-1", RuleAction: "allow", CidrBlock: "0.0.0.0/0" })), "InvalidNetworkAclID.NotFound", "The networkAcl ID 'acl-0123456789abcdef0' does not exist");

    await ec2.send(new E.ReplaceNetworkAclEntryCommand({ NetworkAclId: id, RuleNumber: 90, Egress: false, Protocol: "-1", RuleAction: "allow", CidrBlock: "10.0.99.0/24" }));
    await unchanged(() => ec2.send(new E.ReplaceNetworkAclEntryCommand({ NetworkAclId: id, RuleNumber: 91, Egress: false, Protocol: "-1", RuleAction: "allow", CidrBlock: "10.0.99.0/24" })), "InvalidNetworkAclEntry.NotFound");
    await ec2.send(new E.DeleteNetworkAclEntryCommand({ NetworkAclId: id, RuleNumber: 90, Egress: false }));
    await unchanged(() => ec2.send(new E.DeleteNetworkAclEntryCommand({ NetworkAclId: id, RuleNumber: 90, Egress: false })), "InvalidNetworkAclEntry.NotFound");
    const final = (await ec2.send(new E.DescribeNetworkAclsCommand({ NetworkAclIds: [id] }))).NetworkAcls![0];
    assert.ok(!final.Entries!.some((e) => e.RuleNumber === 90));

    const byRule = (await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: "entry.port-range.from", Values: ["5432"] }] }))).NetworkAcls!;
    assert.deepEqual(
      byRule.map((a) => a.NetworkAclId),
      [id],
    );
  });

  test("ReplaceNetworkAclAssociation moves a subnet; DeleteNetworkAcl refuses the default and ACLs in use", async () => {
    const acl = (await ec2.send(new E.CreateNetworkAclCommand({ VpcId: vpc.VpcId }))).NetworkAcl!;
    const def = (await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }, { Name: "default", Values: ["true"] }] }))).NetworkAcls![0];
    const assoc = def.Associations!.find((a) => a.SubnetId === subnetId)!;
    assert.match(assoc.NetworkAclAssociationId!, /^aclassoc-[0-9a-f]{17}$/);
    const moved = await ec2.send(new E.ReplaceNetworkAclAssociationCommand({ AssociationId: assoc.NetworkAclAssociationId, NetworkAclId: acl.NetworkAclId }));
    assert.match(moved.NewAssociationId!, /^aclassoc-/);
    const now = (await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: "association.subnet-id", Values: [subnetId] }] }))).NetworkAcls!;
    assert.deepEqual(
      now.map((a) => a.NetworkAclId),
      [acl.NetworkAclId],
    );
    await unchanged(() => ec2.send(new E.DeleteNetworkAclCommand({ NetworkAclId: acl.NetworkAclId })), "DependencyViolation", `The networkAcl '${acl.NetworkAclId}' has dependencies and cannot be deleted.`);
    await unchanged(() => ec2.send(new E.DeleteNetworkAclCommand({ NetworkAclId: def.NetworkAclId })), "InvalidParameterValue");
    await unchanged(() => ec2.send(new E.ReplaceNetworkAclAssociationCommand({ AssociationId: "aclassoc-0123456789abcdef0", NetworkAclId: def.NetworkAclId })), "InvalidAssociationID.NotFound");
    const other = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.8.0.0/16" }))).Vpc!;
    const foreignAcl = (await ec2.send(new E.CreateNetworkAclCommand({ VpcId: other.VpcId }))).NetworkAcl!;
    await unchanged(() => ec2.send(new E.ReplaceNetworkAclAssociationCommand({ AssociationId: moved.NewAssociationId, NetworkAclId: foreignAcl.NetworkAclId })), "InvalidParameterValue");
    await ec2.send(new E.ReplaceNetworkAclAssociationCommand({ AssociationId: moved.NewAssociationId, NetworkAclId: def.NetworkAclId }));
    await ec2.send(new E.DeleteNetworkAclCommand({ NetworkAclId: acl.NetworkAclId }));
    await fails(ec2.send(new E.DescribeNetworkAclsCommand({ NetworkAclIds: [acl.NetworkAclId!] })), "InvalidNetworkAclID.NotFound");
    const paged: string[] = [];
    for await (const page of E.paginateDescribeNetworkAcls({ client: ec2, pageSize: 5 }, {})) paged.push(...page.NetworkAcls!.map((a) => a.NetworkAclId!));
    const all = (await ec2.send(new E.DescribeNetworkAclsCommand({}))).NetworkAcls!.map((a) => a.NetworkAclId);
    assert.deepEqual(paged, all);
  });
});
