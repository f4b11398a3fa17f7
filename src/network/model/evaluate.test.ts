// The reachability model against the issue's scenario table and the rules of each component,
// table-driven: each row edits a fresh copy of the fixture, evaluates one flow, and checks the
// verdict, the AWS explanation code and hyperlocal's check id (plus, for some, the path).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileSnapshot, evaluate } from "./index.ts";
import type { CheckId, ExplanationCode, Flow, NetSnapshot, Verdict, VerdictKind } from "./index.ts";
import { acl, dropRoute, fromEni, fromInternet, group, iface, nacl, natgw, rtb, scenario, setRoute, sg } from "./test-support.ts";

interface Row {
  name: string;
  edit?: (s: NetSnapshot) => void;
  flow: Flow;
  verdict: VerdictKind;
  code?: ExplanationCode;
  check?: CheckId;
  also?: (v: Verdict) => void;
}

const DB = "10.0.1.25";
const DB6 = "2600:1f18:1234:5601::25";
const NET = "203.0.113.10";
const NET6 = "2001:db8:ffff::10";

let rowCount = 0;

function run(rows: Row[]): void {
  rowCount += rows.length;
  for (const row of rows) {
    test(row.name, () => {
      const snap = scenario();
      row.edit?.(snap);
      const v = evaluate(compileSnapshot(snap), row.flow);
      const got = `${v.verdict} ${v.reasons[0]?.code ?? "-"} ${v.reasons[0]?.check ?? "-"}`;
      const want = `${row.verdict} ${row.code ?? "-"} ${row.check ?? "-"}`;
      assert.equal(got, want, `${v.reasons[0]?.message ?? "allowed"}\npath: ${v.path.map((h) => `${h.kind}:${h.id}`).join(" > ")}`);
      if (row.verdict === "allow") assert.equal(v.reasons.length, 0);
      else {
        assert.equal(v.reasons.length, 1);
        assert.ok(v.reasons[0].message.length > 20 && v.reasons[0].message.endsWith("."), v.reasons[0].message);
      }
      row.also?.(v);
    });
  }
}

const kinds = (v: Verdict): string => v.path.map((h) => h.kind).join(">");
const ids = (v: Verdict): string[] => v.path.map((h) => h.id);

describe("the issue's scenarios", () => {
  run([
    {
      name: "1. function reaches the database its security group allows (tcp 5432)",
      flow: fromEni(DB, 5432),
      verdict: "allow",
      also: (v) => {
        assert.equal(kinds(v), "network-interface>subnet>route-table>security-group>network-acl>network-acl>subnet>security-group>network-interface");
        assert.deepEqual(ids(v), ["eni-fn", "subnet-private", "rtb-private", "sg-fn", "acl-default", "acl-db", "subnet-db", "sg-db", "eni-db"]);
        assert.equal(v.path[2].detail, "10.0.0.0/16 -> local");
        assert.equal(v.path[7].detail, "ingress tcp port 5432 from sg-fn");
        assert.deepEqual(v.target, { kind: "endpoint", networkInterfaceId: "eni-db", vpcId: "vpc-main", subnetId: "subnet-db", ip: DB, port: 5432, protocol: "tcp", seenSourceIp: "10.0.3.10" });
        assert.equal(v.sourceIp, "10.0.3.10");
        assert.equal(v.family, 4);
        // The reply: out of the db subnet, into the function's subnet, on ephemeral ports.
        assert.deepEqual(v.returnPath.map((h) => h.id), ["acl-db", "acl-default"]);
        assert.match(v.returnPath[0].detail!, /outbound rule 100 allow tcp ports 1024-65535/);
      },
    },
    {
      name: "2. port 22 on the same address is dropped by the database's security group",
      flow: fromEni(DB, 22),
      verdict: "drop",
      code: "ENI_SG_RULES_MISMATCH",
      check: "security-group-ingress",
      also: (v) => {
        assert.equal(v.reasons[0].component?.id, "sg-db");
        assert.match(v.reasons[0].message, /No inbound rule of security group sg-db on eni-db allows tcp port 22 from 10\.0\.3\.10/);
        assert.deepEqual(v.path.at(-1), { kind: "security-group", id: "sg-db", detail: "ingress: no rule matches" });
        assert.equal(v.target?.kind, "endpoint");
      },
    },
    {
      name: "3. db subnet's outbound ACL allows only 5432: the reply is dropped",
      edit: (s) => {
        nacl(s, "acl-db").entries = nacl(s, "acl-db").entries.filter((e) => !e.egress);
        nacl(s, "acl-db").entries.push(acl(100, true, "allow", "6", "10.0.0.0/16", [5432, 5432]));
      },
      flow: fromEni(DB, 5432),
      verdict: "drop",
      code: "SUBNET_ACL_RESTRICTION",
      check: "return-network-acl-outbound",
      also: (v) => {
        assert.equal(v.reasons[0].rule, "*");
        assert.match(v.reasons[0].message, /blocks the reply \(outbound tcp ports 1024-65535 to 10\.0\.3\.10\)/);
      },
    },
    {
      name: "4a. private subnet without a NAT route: an internet address has no route (ENETUNREACH)",
      edit: (s) => dropRoute(s, "rtb-private", "0.0.0.0/0"),
      flow: fromEni(NET, 443),
      verdict: "unreachable",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "no-route",
    },
    {
      name: "4b. with 0.0.0.0/0 -> NAT gateway (public subnet, IGW route, EIP): allowed, seen as the EIP",
      flow: fromEni(NET, 443),
      verdict: "allow",
      also: (v) => {
        assert.deepEqual(ids(v), ["eni-fn", "subnet-private", "rtb-private", "sg-fn", "acl-default", "acl-default", "nat-1", "rtb-public", "acl-default", "igw-1", NET]);
        // Replies: into the NAT's subnet from the internet (NAT ports), out of it to the function, into the function's subnet.
        assert.deepEqual(v.returnPath.map((h) => h.id), ["acl-default", "acl-default", "acl-default"]);
        assert.deepEqual(v.target, { kind: "internet", ip: NET, port: 443, protocol: "tcp", via: "internet-gateway", gatewayId: "igw-1", seenSourceIp: "198.51.100.5" });
      },
    },
    {
      name: "4c. NAT gateway in a subnet without an internet-gateway route: dropped",
      edit: (s) => dropRoute(s, "rtb-public", "0.0.0.0/0"),
      flow: fromEni(NET, 443),
      verdict: "drop",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "no-route",
      also: (v) => assert.equal(v.reasons[0].component?.id, "rtb-public"),
    },
    {
      name: "5. function in a 'public' subnet (0.0.0.0/0 -> igw), no NAT: no internet (no public IP)",
      flow: fromEni(NET, 443, "tcp", "eni-fn-public"),
      verdict: "drop",
      code: "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
      check: "igw-no-public-ip",
      also: (v) => assert.match(v.reasons[0].message, /Route 0\.0\.0\.0\/0 to a NAT gateway instead/),
    },
    {
      name: "5b. a Lambda ENI listed with a public IP still gets none",
      edit: (s) => (iface(s, "eni-fn-public").publicIp = "198.51.100.99"),
      flow: fromEni(NET, 443, "tcp", "eni-fn-public"),
      verdict: "drop",
      code: "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
      check: "igw-no-public-ip",
    },
    {
      name: "6a. a function outside any VPC reaches a public address",
      flow: fromInternet(NET, 443),
      verdict: "allow",
      also: (v) => assert.deepEqual(v.target, { kind: "internet", ip: NET, port: 443, protocol: "tcp", via: "direct", seenSourceIp: "198.51.100.1" }),
    },
    {
      name: "6b. a function outside any VPC cannot reach 10.0.1.25",
      flow: fromInternet(DB, 5432),
      verdict: "unreachable",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "private-from-internet",
    },
    {
      name: "7a. IPv6 with Ipv6AllowedForDualStack false: unreachable",
      flow: fromEni(NET6, 443, "tcp", "eni-fn", { ipv6Allowed: false }),
      verdict: "unreachable",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "address-family",
    },
    {
      name: "7b. IPv6 unset on a Lambda ENI means false",
      flow: fromEni(NET6, 443),
      verdict: "unreachable",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "address-family",
    },
    {
      name: "7c. IPv6 allowed, dual-stack subnet, ::/0 -> egress-only gateway: allowed",
      flow: fromEni(NET6, 443, "tcp", "eni-fn", { ipv6Allowed: true }),
      verdict: "allow",
      also: (v) => {
        assert.deepEqual(v.target, { kind: "internet", ip: NET6, port: 443, protocol: "tcp", via: "egress-only-internet-gateway", gatewayId: "eigw-1", seenSourceIp: "2600:1f18:1234:5603::10" });
        assert.equal(v.family, 6);
      },
    },
    {
      name: "7d. IPv6 allowed but the subnet is IPv4-only: unreachable",
      flow: fromEni(NET6, 443, "tcp", "eni-fn-isolated", { ipv6Allowed: true }),
      verdict: "unreachable",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "address-family",
      also: (v) => assert.match(v.reasons[0].message, /subnet-isolated is not a dual-stack subnet/),
    },
    {
      name: "7e. an IPv6-only (Ipv6Native) subnet is not dual-stack: no IPv6 for Lambda",
      flow: fromEni(NET6, 443, "tcp", "eni-fn-v6only", { ipv6Allowed: true }),
      verdict: "unreachable",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "address-family",
    },
    {
      name: "7f. an IPv6-only subnet has no IPv4 either",
      flow: fromEni(NET, 443, "tcp", "eni-fn-v6only"),
      verdict: "unreachable",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "address-family",
      also: (v) => assert.match(v.reasons[0].message, /subnet-v6only is IPv6-only/),
    },
    {
      name: "7g. IPv6 to the database inside the VPC",
      flow: fromEni(DB6, 5432, "tcp", "eni-fn", { ipv6Allowed: true }),
      verdict: "allow",
      also: (v) => assert.equal(v.target?.kind === "endpoint" && v.target.seenSourceIp, "2600:1f18:1234:5603::10"),
    },
    {
      name: "7g'. a dual-stack Lambda ENI listed without an IPv6 address gets one inside its subnet's block",
      edit: (s) => (iface(s, "eni-fn").ipv6Addresses = []),
      flow: fromEni(NET6, 443, "tcp", "eni-fn", { ipv6Allowed: true }),
      verdict: "allow",
      also: (v) => assert.equal(v.sourceIp, "2600:1f18:1234:5603::a00:30a"),
    },
    {
      name: "7h. IPv6 without an ::/0 route: unreachable",
      edit: (s) => dropRoute(s, "rtb-private", "::/0"),
      flow: fromEni(NET6, 443, "tcp", "eni-fn", { ipv6Allowed: true }),
      verdict: "unreachable",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "no-route",
    },
    {
      name: "8a. default-tenancy function reaches a server in the peered dedicated VPC",
      flow: fromEni("10.1.1.50", 8080),
      verdict: "allow",
      also: (v) => {
        assert.deepEqual(ids(v), ["eni-fn", "subnet-private", "rtb-private", "sg-fn", "acl-default", "pcx-1", "acl-ded", "subnet-ded", "sg-srv", "eni-srv"]);
        assert.deepEqual(v.returnPath.map((h) => h.id), ["rtb-ded", "acl-ded", "acl-default"]);
      },
    },
    {
      name: "8b. the dedicated side lacks the route back through the peering: dropped",
      edit: (s) => dropRoute(s, "rtb-ded", "10.0.0.0/16"),
      flow: fromEni("10.1.1.50", 8080),
      verdict: "drop",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "return-route",
    },
    {
      name: "8c. the function side lacks the peering route (and has no default route): unreachable",
      edit: (s) => {
        dropRoute(s, "rtb-private", "10.1.0.0/16");
        dropRoute(s, "rtb-private", "0.0.0.0/0");
      },
      flow: fromEni("10.1.1.50", 8080),
      verdict: "unreachable",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "no-route",
    },
    {
      name: "8d. without the peering route the NAT default route takes it, and the IGW drops a private destination",
      edit: (s) => dropRoute(s, "rtb-private", "10.1.0.0/16"),
      flow: fromEni("10.1.1.50", 8080),
      verdict: "drop",
      code: "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS",
      check: "igw-private-destination",
    },
    {
      name: "8e. peering pending acceptance: dropped",
      edit: (s) => (s.peerings[0].status = "pending-acceptance"),
      flow: fromEni("10.1.1.50", 8080),
      verdict: "drop",
      code: "BAD_STATE",
      check: "peering-state",
    },
    {
      name: "8f. not transitive: a route to the third VPC through the dedicated VPC's peering is dropped",
      edit: (s) => setRoute(s, "rtb-private", "10.2.0.0/16", { kind: "pcx", id: "pcx-1" }),
      flow: fromEni("10.2.1.70", 80),
      verdict: "drop",
      code: "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
      check: "peering-not-transitive",
    },
    {
      name: "8g. security group referencing a group in the peered VPC",
      edit: (s) => (group(s, "sg-srv").ingress = [sg("tcp", [8080, 8080], { groupIds: ["sg-fn"] })]),
      flow: fromEni("10.1.1.50", 8080),
      verdict: "allow",
    },
    {
      name: "8h. the dedicated VPC's server towards the database: the db subnet's ACL admits only the VPC",
      flow: fromEni(DB, 5432, "tcp", "eni-srv"),
      verdict: "drop",
      code: "SUBNET_ACL_RESTRICTION",
      check: "network-acl-inbound",
    },
    {
      name: "8i. ACL and group opened, but the db subnet has no route back to the dedicated VPC",
      edit: (s) => {
        group(s, "sg-db").ingress.push(sg("tcp", [5432, 5432], { cidrs: ["10.1.0.0/16"] }));
        nacl(s, "acl-db").entries.push(acl(110, false, "allow", "6", "10.1.0.0/16", [5432, 5432]), acl(110, true, "allow", "6", "10.1.0.0/16", [1024, 65535]));
      },
      flow: fromEni(DB, 5432, "tcp", "eni-srv"),
      verdict: "drop",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "return-route",
      also: (v) => assert.equal(v.reasons[0].component?.id, "rtb-db"),
    },
    {
      name: "8j. ... and with the route back through the peering: allowed",
      edit: (s) => {
        group(s, "sg-db").ingress.push(sg("tcp", [5432, 5432], { cidrs: ["10.1.0.0/16"] }));
        nacl(s, "acl-db").entries.push(acl(110, false, "allow", "6", "10.1.0.0/16", [5432, 5432]), acl(110, true, "allow", "6", "10.1.0.0/16", [1024, 65535]));
        setRoute(s, "rtb-db", "10.1.0.0/16", { kind: "pcx", id: "pcx-1" });
      },
      flow: fromEni(DB, 5432, "tcp", "eni-srv"),
      verdict: "allow",
    },
  ]);
});

describe("9. a security-group change applies to the next connection", () => {
  test("compiled again after the edit", () => {
    const snap = scenario();
    assert.equal(evaluate(compileSnapshot(snap), fromEni(DB, 22)).verdict, "drop");
    group(snap, "sg-db").ingress.push(sg("tcp", [22, 22], { groupIds: ["sg-fn"] }));
    assert.equal(evaluate(compileSnapshot(snap), fromEni(DB, 22)).verdict, "allow");
  });
  test("a raw snapshot is never cached: edits in place show at once", () => {
    const snap = scenario();
    assert.equal(evaluate(snap, fromEni(DB, 5432)).verdict, "allow");
    group(snap, "sg-db").ingress = [];
    assert.equal(evaluate(snap, fromEni(DB, 5432)).verdict, "drop");
  });
});

describe("routing", () => {
  run([
    {
      name: "longest prefix wins: 203.0.113.0/24 -> igw beats 0.0.0.0/0 -> nat",
      edit: (s) => setRoute(s, "rtb-private", "203.0.113.0/24", { kind: "igw", id: "igw-1" }),
      flow: fromEni(NET, 443),
      verdict: "drop",
      code: "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
      check: "igw-no-public-ip",
    },
    {
      name: "longest prefix wins: a /25 back to the NAT beats the /24 to the igw",
      edit: (s) => {
        setRoute(s, "rtb-private", "203.0.113.0/24", { kind: "igw", id: "igw-1" });
        setRoute(s, "rtb-private", "203.0.113.0/25", { kind: "nat", id: "nat-1" });
      },
      flow: fromEni(NET, 443),
      verdict: "allow",
    },
    {
      name: "a route more specific than the VPC CIDR overrides local (middlebox routing)",
      edit: (s) => setRoute(s, "rtb-private", "10.0.1.0/24", { kind: "blackhole" }),
      flow: fromEni(DB, 5432),
      verdict: "drop",
      code: "BAD_STATE_ROUTE",
      check: "blackhole-route",
    },
    {
      name: "blackhole default route",
      edit: (s) => setRoute(s, "rtb-private", "0.0.0.0/0", { kind: "blackhole", id: "nat-deleted" }),
      flow: fromEni(NET, 443),
      verdict: "drop",
      code: "BAD_STATE_ROUTE",
      check: "blackhole-route",
      also: (v) => assert.match(v.reasons[0].message, /blackhole/),
    },
    {
      name: "a route to a NAT gateway that no longer exists behaves as a blackhole",
      edit: (s) => (s.natGateways = []),
      flow: fromEni(NET, 443),
      verdict: "drop",
      code: "BAD_STATE_ROUTE",
      check: "blackhole-route",
    },
    {
      name: "a subnet without an explicit association uses the main route table (local only)",
      flow: fromEni(NET, 443, "tcp", "eni-fn-isolated"),
      verdict: "unreachable",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "no-route",
      also: (v) => assert.equal(v.reasons[0].component?.id, "rtb-main"),
    },
    {
      name: "local routes exist even when the snapshot omits them",
      edit: (s) => (rtb(s, "rtb-private").routes = rtb(s, "rtb-private").routes.filter((r) => r.target.kind !== "local")),
      flow: fromEni(DB, 5432),
      verdict: "allow",
    },
    {
      name: "private address outside every VPC, no route covers it: unreachable",
      flow: fromEni("192.168.7.7", 80, "tcp", "eni-app"),
      verdict: "unreachable",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "no-route",
    },
    {
      name: "shared address space through the NAT: the IGW refuses it",
      flow: fromEni("100.64.1.1", 80),
      verdict: "drop",
      code: "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS",
      check: "igw-shared-destination",
    },
    {
      name: "multicast through the NAT: not internet-routable",
      flow: fromEni("224.0.0.9", 520, "udp"),
      verdict: "drop",
      code: "NO_POSSIBLE_DESTINATION",
      check: "not-internet-routable",
    },
    {
      name: "an internet gateway attached to another VPC",
      edit: (s) => {
        s.internetGateways[0].vpcIds = ["vpc-ded"];
      },
      flow: fromEni(NET, 443),
      verdict: "drop",
      code: "BAD_STATE_ATTACHMENT",
      check: "igw-not-attached",
    },
    {
      name: "an egress-only gateway of another VPC",
      edit: (s) => (s.egressOnlyInternetGateways[0].vpcId = "vpc-ded"),
      flow: fromEni(NET6, 443, "tcp", "eni-fn", { ipv6Allowed: true }),
      verdict: "drop",
      code: "BAD_STATE_ATTACHMENT",
      check: "eigw-not-attached",
    },
    {
      name: "a routing loop (the NAT subnet routes the internet back to the NAT)",
      edit: (s) => setRoute(s, "rtb-public", "0.0.0.0/0", { kind: "nat", id: "nat-1" }),
      flow: fromEni(NET, 443),
      verdict: "drop",
      code: "NO_POSSIBLE_DESTINATION",
      check: "hop-limit",
    },
  ]);
});

describe("NAT gateways", () => {
  run([
    { name: "pending NAT gateway: dropped", edit: (s) => (natgw(s, "nat-1").state = "pending"), flow: fromEni(NET, 443), verdict: "drop", code: "BAD_STATE", check: "nat-gateway-state" },
    { name: "failed NAT gateway: dropped", edit: (s) => (natgw(s, "nat-1").state = "failed"), flow: fromEni(NET, 443), verdict: "drop", code: "BAD_STATE", check: "nat-gateway-state" },
    {
      name: "private NAT gateway cannot reach the internet",
      edit: (s) => {
        natgw(s, "nat-1").connectivityType = "private";
        delete natgw(s, "nat-1").publicIp;
      },
      flow: fromEni(NET, 443),
      verdict: "drop",
      code: "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
      check: "igw-no-public-ip",
    },
    {
      name: "private NAT gateway still reaches a private address in its VPC",
      edit: (s) => {
        natgw(s, "nat-1").connectivityType = "private";
        setRoute(s, "rtb-private", "10.0.1.0/24", { kind: "nat", id: "nat-1" });
        group(s, "sg-db").ingress.push(sg("tcp", [5432, 5432], { cidrs: ["10.0.0.5/32"] }));
      },
      flow: fromEni(DB, 5432),
      verdict: "allow",
      also: (v) => assert.equal(v.target?.kind === "endpoint" && v.target.seenSourceIp, "10.0.0.5"),
    },
    {
      name: "after the NAT, group references no longer match (the source is the NAT)",
      edit: (s) => {
        natgw(s, "nat-1").connectivityType = "private";
        setRoute(s, "rtb-private", "10.0.1.0/24", { kind: "nat", id: "nat-1" });
      },
      flow: fromEni(DB, 5432),
      verdict: "drop",
      code: "ENI_SG_RULES_MISMATCH",
      check: "security-group-ingress",
    },
    {
      name: "public NAT gateway without an Elastic IP",
      edit: (s) => delete natgw(s, "nat-1").publicIp,
      flow: fromEni(NET, 443),
      verdict: "drop",
      code: "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
      check: "nat-gateway-no-public-ip",
    },
    {
      name: "the NAT subnet's inbound ACL refuses the function's subnet",
      edit: (s) => {
        s.networkAcls.push({ networkAclId: "acl-public", vpcId: "vpc-main", isDefault: false, subnetIds: ["subnet-public"], entries: [acl(100, true, "allow", "-1", "0.0.0.0/0"), acl(100, false, "allow", "6", "0.0.0.0/0", [1024, 65535])] });
        nacl(s, "acl-default").subnetIds = ["subnet-private"];
      },
      flow: fromEni(NET, 443),
      verdict: "drop",
      code: "SUBNET_ACL_RESTRICTION",
      check: "network-acl-inbound",
      also: (v) => assert.equal(v.reasons[0].component?.id, "acl-public"),
    },
    {
      name: "the NAT subnet's ACL admits the function but not the internet's replies",
      edit: (s) => {
        s.networkAcls.push({ networkAclId: "acl-public", vpcId: "vpc-main", isDefault: false, subnetIds: ["subnet-public"], entries: [acl(100, true, "allow", "-1", "0.0.0.0/0"), acl(100, false, "allow", "-1", "10.0.0.0/16")] });
      },
      flow: fromEni(NET, 443),
      verdict: "drop",
      code: "SUBNET_ACL_RESTRICTION",
      check: "return-network-acl-inbound",
      also: (v) => assert.match(v.reasons[0].message, /inbound tcp ports 1024-65535 from 203\.0\.113\.10/),
    },
    {
      name: "NAT gateway's own address accepts no connections",
      flow: fromEni("10.0.0.5", 80),
      verdict: "drop",
      code: "NO_POSSIBLE_DESTINATION",
      check: "no-listener",
    },
    {
      name: "IPv6 routed to a NAT gateway (NAT64) is not modelled",
      edit: (s) => setRoute(s, "rtb-private", "64:ff9b::/96", { kind: "nat", id: "nat-1" }),
      flow: fromEni("64:ff9b::cb00:710a", 443, "tcp", "eni-fn", { ipv6Allowed: true }),
      verdict: "drop",
      code: "PROTOCOL_RESTRICTION",
      check: "nat64-not-modelled",
    },
  ]);
});

describe("security groups", () => {
  run([
    {
      name: "source egress allows only 443: the database is refused at the source",
      edit: (s) => (group(s, "sg-fn").egress = [sg("tcp", [443, 443], { cidrs: ["0.0.0.0/0"] })]),
      flow: fromEni(DB, 5432),
      verdict: "drop",
      code: "ENI_SG_RULES_MISMATCH",
      check: "security-group-egress",
      also: (v) => assert.equal(v.reasons[0].component?.id, "sg-fn"),
    },
    {
      name: "egress rule referencing the destination's group",
      edit: (s) => (group(s, "sg-fn").egress = [sg("tcp", [5432, 5432], { groupIds: ["sg-db"] })]),
      flow: fromEni(DB, 5432),
      verdict: "allow",
    },
    {
      name: "egress referencing a group does not cover the internet",
      edit: (s) => (group(s, "sg-fn").egress = [sg("-1", undefined, { groupIds: ["sg-db"] })]),
      flow: fromEni(NET, 443),
      verdict: "drop",
      code: "ENI_SG_RULES_MISMATCH",
      check: "security-group-egress",
    },
    {
      name: "ingress referencing a group the source is not in",
      edit: (s) => (group(s, "sg-db").ingress = [sg("tcp", [5432, 5432], { groupIds: ["sg-other"] })]),
      flow: fromEni(DB, 5432),
      verdict: "drop",
      code: "ENI_SG_RULES_MISMATCH",
      check: "security-group-ingress",
    },
    {
      name: "an ENI with two groups: the second one is referenced",
      edit: (s) => {
        group(s, "sg-db").ingress = [sg("tcp", [5432, 5432], { groupIds: ["sg-other"] })];
        iface(s, "eni-fn").groupIds = ["sg-fn", "sg-other"];
      },
      flow: fromEni(DB, 5432),
      verdict: "allow",
    },
    {
      name: "ingress by CIDR of the function's subnet",
      edit: (s) => (group(s, "sg-db").ingress = [sg("tcp", [5000, 6000], { cidrs: ["10.0.3.0/24"] })]),
      flow: fromEni(DB, 5432),
      verdict: "allow",
    },
    {
      name: "ingress by a CIDR that excludes the function",
      edit: (s) => (group(s, "sg-db").ingress = [sg("tcp", [5432, 5432], { cidrs: ["10.0.4.0/24"] })]),
      flow: fromEni(DB, 5432),
      verdict: "drop",
      code: "ENI_SG_RULES_MISMATCH",
      check: "security-group-ingress",
    },
    {
      name: "an IPv4 rule does not admit IPv6 traffic",
      edit: (s) => (group(s, "sg-db").ingress = [sg("tcp", [5432, 5432], { cidrs: ["0.0.0.0/0"] })]),
      flow: fromEni(DB6, 5432, "tcp", "eni-fn", { ipv6Allowed: true }),
      verdict: "drop",
      code: "ENI_SG_RULES_MISMATCH",
      check: "security-group-ingress",
    },
    {
      name: "prefix list described in the snapshot matches its CIDRs",
      edit: (s) => {
        s.prefixLists = [{ prefixListId: "pl-app", cidrs: ["10.0.3.0/24"] }];
        group(s, "sg-db").ingress = [sg("tcp", [5432, 5432], { prefixListIds: ["pl-app"] })];
      },
      flow: fromEni(DB, 5432),
      verdict: "allow",
      also: (v) => assert.equal(v.path.find((h) => h.id === "sg-db")?.detail, "ingress tcp port 5432 from pl-app (10.0.3.0/24)"),
    },
    {
      name: "an unknown prefix list matches nothing",
      edit: (s) => (group(s, "sg-db").ingress = [sg("tcp", [5432, 5432], { prefixListIds: ["pl-unknown"] })]),
      flow: fromEni(DB, 5432),
      verdict: "drop",
      code: "ENI_SG_RULES_MISMATCH",
      check: "security-group-ingress",
    },
    {
      name: "protocol -1 admits udp as well",
      edit: (s) => {
        group(s, "sg-db").ingress = [sg("-1", undefined, { groupIds: ["sg-fn"] })];
        nacl(s, "acl-db").entries = [acl(100, false, "allow", "-1", "0.0.0.0/0"), acl(100, true, "allow", "-1", "0.0.0.0/0")];
      },
      flow: fromEni(DB, 5353, "udp"),
      verdict: "allow",
    },
    {
      name: "a tcp rule does not admit udp on the same port",
      edit: (s) => (nacl(s, "acl-db").entries = [acl(100, false, "allow", "-1", "0.0.0.0/0"), acl(100, true, "allow", "-1", "0.0.0.0/0")]),
      flow: fromEni(DB, 5432, "udp"),
      verdict: "drop",
      code: "ENI_SG_RULES_MISMATCH",
      check: "security-group-ingress",
    },
  ]);
});

describe("network ACLs", () => {
  run([
    {
      name: "deny at 100 before allow at 200: denied",
      edit: (s) => {
        const a = nacl(s, "acl-db");
        a.entries = a.entries.filter((e) => e.egress);
        a.entries.push(acl(200, false, "allow", "6", "10.0.0.0/16", [1, 65535]), acl(100, false, "deny", "6", "10.0.3.0/24", [5432, 5432]));
      },
      flow: fromEni(DB, 5432),
      verdict: "drop",
      code: "SUBNET_ACL_RESTRICTION",
      check: "network-acl-inbound",
      also: (v) => assert.equal(v.reasons[0].rule, 100),
    },
    {
      name: "allow at 100 before deny at 200: allowed",
      edit: (s) => nacl(s, "acl-db").entries.push(acl(200, false, "deny", "-1", "0.0.0.0/0")),
      flow: fromEni(DB, 5432),
      verdict: "allow",
    },
    {
      name: "an ACL with no entries denies everything (the * rule)",
      edit: (s) => (nacl(s, "acl-db").entries = []),
      flow: fromEni(DB, 5432),
      verdict: "drop",
      code: "SUBNET_ACL_RESTRICTION",
      check: "network-acl-inbound",
      also: (v) => {
        assert.equal(v.reasons[0].rule, "*");
        assert.equal(v.path.at(-1)?.detail, "inbound rule * deny all traffic");
      },
    },
    {
      name: "the source subnet's outbound ACL denies",
      edit: (s) => nacl(s, "acl-default").entries.push(acl(50, true, "deny", "6", "10.0.1.0/24", [5432, 5432])),
      flow: fromEni(DB, 5432),
      verdict: "drop",
      code: "SUBNET_ACL_RESTRICTION",
      check: "network-acl-outbound",
    },
    {
      name: "the source subnet's inbound ACL lacks the reply's ephemeral ports",
      edit: (s) => nacl(s, "acl-default").entries.push(acl(50, false, "deny", "6", "10.0.1.0/24", [1024, 65535])),
      flow: fromEni(DB, 5432),
      verdict: "drop",
      code: "SUBNET_ACL_RESTRICTION",
      check: "return-network-acl-inbound",
      also: (v) => assert.equal(v.reasons[0].rule, 50),
    },
    {
      name: "reply ACL allows only 32768-65535: Lambda's 1024-65535 is not fully covered",
      edit: (s) => {
        const a = nacl(s, "acl-db");
        a.entries = a.entries.filter((e) => !e.egress);
        a.entries.push(acl(100, true, "allow", "6", "10.0.0.0/16", [32768, 65535]));
      },
      flow: fromEni(DB, 5432),
      verdict: "drop",
      code: "SUBNET_ACL_RESTRICTION",
      check: "return-network-acl-outbound",
    },
    {
      name: "... but a known client port inside that range is fine",
      edit: (s) => {
        const a = nacl(s, "acl-db");
        a.entries = a.entries.filter((e) => !e.egress);
        a.entries.push(acl(100, true, "allow", "6", "10.0.0.0/16", [32768, 65535]));
      },
      flow: fromEni(DB, 5432, "tcp", "eni-fn", { sourcePort: 40000 }),
      verdict: "allow",
    },
    {
      name: "two allow rules together cover the ephemeral range",
      edit: (s) => {
        const a = nacl(s, "acl-db");
        a.entries = a.entries.filter((e) => !e.egress);
        a.entries.push(acl(100, true, "allow", "6", "10.0.0.0/16", [32768, 65535]), acl(110, true, "allow", "6", "10.0.3.0/24", [1024, 32767]));
      },
      flow: fromEni(DB, 5432),
      verdict: "allow",
    },
    {
      name: "a deny inside the ephemeral range before the allow",
      edit: (s) => nacl(s, "acl-db").entries.push(acl(90, true, "deny", "6", "10.0.3.0/24", [8000, 8000])),
      flow: fromEni(DB, 5432),
      verdict: "drop",
      code: "SUBNET_ACL_RESTRICTION",
      check: "return-network-acl-outbound",
      also: (v) => assert.equal(v.reasons[0].rule, 90),
    },
    {
      name: "traffic within one subnet crosses no ACL",
      edit: (s) => (nacl(s, "acl-db").entries = []),
      flow: fromEni(DB, 5432, "tcp", "eni-app"),
      verdict: "allow",
      also: (v) => {
        assert.ok(!v.path.some((h) => h.kind === "network-acl"));
        assert.deepEqual(v.returnPath, []);
      },
    },
    {
      name: "... but security groups still apply within a subnet",
      flow: fromEni(DB, 22, "tcp", "eni-app"),
      verdict: "drop",
      code: "ENI_SG_RULES_MISMATCH",
      check: "security-group-ingress",
    },
    {
      name: "an IPv4 ACL rule does not match IPv6 traffic",
      edit: (s) => (nacl(s, "acl-db").entries = nacl(s, "acl-db").entries.filter((e) => !e.cidr.includes(":"))),
      flow: fromEni(DB6, 5432, "tcp", "eni-fn", { ipv6Allowed: true }),
      verdict: "drop",
      code: "SUBNET_ACL_RESTRICTION",
      check: "network-acl-inbound",
    },
  ]);
});

describe("ICMP and UDP", () => {
  const icmpDb = (s: NetSnapshot): void => {
    group(s, "sg-db").ingress.push(sg("icmp", [8, -1], { groupIds: ["sg-fn"] }));
    nacl(s, "acl-db").entries.push(acl(120, false, "allow", "1", "10.0.0.0/16", undefined, [8, -1]));
  };
  run([
    {
      name: "ping: security group and ACLs allow echo request and echo reply",
      edit: (s) => {
        icmpDb(s);
        nacl(s, "acl-db").entries.push(acl(120, true, "allow", "1", "10.0.0.0/16", undefined, [0, -1]));
      },
      flow: fromEni(DB, 8, "icmp"),
      verdict: "allow",
    },
    {
      name: "ping: the db ACL has no rule for the echo reply",
      edit: icmpDb,
      flow: fromEni(DB, 8, "icmp"),
      verdict: "drop",
      code: "SUBNET_ACL_RESTRICTION",
      check: "return-network-acl-outbound",
      also: (v) => assert.match(v.reasons[0].message, /icmp type 0/),
    },
    {
      name: "ping: no ICMP rule in the db ACL at all",
      flow: fromEni(DB, 8, "icmp"),
      verdict: "drop",
      code: "SUBNET_ACL_RESTRICTION",
      check: "network-acl-inbound",
    },
    {
      name: "ICMP rule for another type does not match",
      edit: (s) => {
        icmpDb(s);
        group(s, "sg-db").ingress = [sg("icmp", [13, -1], { groupIds: ["sg-fn"] })];
      },
      flow: fromEni(DB, 8, "icmp"),
      verdict: "drop",
      code: "ENI_SG_RULES_MISMATCH",
      check: "security-group-ingress",
    },
    {
      name: "udp to the internet through the NAT",
      flow: fromEni("203.0.113.53", 53, "udp"),
      verdict: "allow",
    },
    {
      name: "udp needs its own ACL reply rule (tcp-only ephemeral rule)",
      edit: (s) => {
        group(s, "sg-db").ingress.push(sg("udp", [514, 514], { groupIds: ["sg-fn"] }));
        nacl(s, "acl-db").entries.push(acl(130, false, "allow", "17", "10.0.0.0/16", [514, 514]));
      },
      flow: fromEni(DB, 514, "udp"),
      verdict: "drop",
      code: "SUBNET_ACL_RESTRICTION",
      check: "return-network-acl-outbound",
    },
  ]);
});

describe("destinations", () => {
  run([
    {
      name: "a VPC address with nothing there: times out",
      flow: fromEni("10.0.1.99", 5432),
      verdict: "drop",
      code: "NO_POSSIBLE_DESTINATION",
      check: "no-host",
    },
    {
      name: "a VPC address outside every subnet: times out",
      flow: fromEni("10.0.200.1", 80),
      verdict: "drop",
      code: "NO_POSSIBLE_DESTINATION",
      check: "no-host",
    },
    {
      name: "a peered VPC address with nothing there",
      flow: fromEni("10.1.1.99", 8080),
      verdict: "drop",
      code: "NO_POSSIBLE_DESTINATION",
      check: "no-host",
    },
    {
      name: "the Amazon DNS server (VPC base + 2) is never filtered",
      edit: (s) => (group(s, "sg-fn").egress = []),
      flow: fromEni("10.0.0.2", 53, "udp"),
      verdict: "allow",
      also: (v) => assert.deepEqual(v.target, { kind: "vpc-resolver", ip: "10.0.0.2", port: 53, protocol: "udp", vpcId: "vpc-main" }),
    },
    { name: "169.254.169.253 also answers DNS", flow: fromEni("169.254.169.253", 53, "udp", "eni-fn-isolated"), verdict: "allow" },
    {
      name: "DNS support off: nothing answers",
      edit: (s) => (s.vpcs[0].enableDnsSupport = false),
      flow: fromEni("10.0.0.2", 53, "udp"),
      verdict: "drop",
      code: "NO_POSSIBLE_DESTINATION",
      check: "no-host",
    },
    { name: "loopback stays inside the execution environment", flow: fromEni("127.0.0.1", 9001), verdict: "allow", also: (v) => assert.equal(v.target?.kind, "loopback") },
    {
      name: "an IPv4-mapped IPv6 address is the IPv4 address",
      flow: fromEni("::ffff:10.0.1.25", 5432),
      verdict: "allow",
      also: (v) => assert.equal(v.family, 4),
    },
    { name: "a malformed address", flow: fromEni("10.0.1", 5432), verdict: "unreachable", code: "UNKNOWN_DESTINATION", check: "invalid-address" },
    { name: "an unknown source interface", flow: fromEni(DB, 5432, "tcp", "eni-nope"), verdict: "unreachable", code: "NO_SOURCE_OR_DESTINATION", check: "source-not-found" },
    {
      name: "an interface reaching its own address",
      flow: fromEni(DB, 5432, "tcp", "eni-db"),
      verdict: "allow",
      also: (v) => assert.equal(v.target?.kind === "endpoint" && v.target.networkInterfaceId, "eni-db"),
    },
    {
      name: "connections to a Lambda ENI are never accepted",
      edit: (s) => (group(s, "sg-fn").ingress = [sg("-1", undefined, { cidrs: ["0.0.0.0/0"] })]),
      flow: fromEni("10.0.3.10", 8080, "tcp", "eni-db"),
      verdict: "drop",
      code: "NO_POSSIBLE_DESTINATION",
      check: "lambda-inbound",
    },
    {
      name: "an EC2 instance with a public IP in the public subnet reaches the internet",
      flow: fromEni(NET, 443, "tcp", "eni-web"),
      verdict: "allow",
      also: (v) => assert.equal(v.target?.kind === "internet" && v.target.seenSourceIp, "198.51.100.40"),
    },
    {
      name: "an instance's IPv6 through the internet gateway (no public IP needed)",
      flow: fromEni(NET6, 443, "tcp", "eni-web"),
      verdict: "allow",
      also: (v) => assert.equal(v.target?.kind === "internet" && v.target.seenSourceIp, "2600:1f18:1234:5600::40"),
    },
    {
      name: "a unique-local IPv6 destination through the egress-only gateway",
      flow: fromEni("fd12:3456::1", 443, "tcp", "eni-fn", { ipv6Allowed: true }),
      verdict: "drop",
      code: "NO_POSSIBLE_DESTINATION",
      check: "not-internet-routable",
    },
  ]);
});

describe("from the internet into a VPC", () => {
  run([
    {
      name: "a web server's public IP, port 443",
      flow: fromInternet("198.51.100.40", 443),
      verdict: "allow",
      also: (v) => {
        assert.deepEqual(ids(v), ["internet", "igw-1", "acl-default", "subnet-public", "sg-web", "eni-web"]);
        assert.deepEqual(v.returnPath.map((h) => h.id), ["rtb-public", "acl-default"]);
      },
    },
    { name: "the web server's port 22", flow: fromInternet("198.51.100.40", 22), verdict: "drop", code: "ENI_SG_RULES_MISMATCH", check: "security-group-ingress" },
    {
      name: "the web server's subnet does not route replies to the internet",
      edit: (s) => dropRoute(s, "rtb-public", "0.0.0.0/0"),
      flow: fromInternet("198.51.100.40", 443),
      verdict: "drop",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "return-route",
    },
    {
      name: "an egress-only gateway admits no connection from the internet",
      edit: (s) => {
        iface(s, "eni-web").subnetId = "subnet-private";
        iface(s, "eni-web").ipv6Addresses = ["2600:1f18:1234:5603::40"];
      },
      flow: fromInternet("2600:1f18:1234:5603::40", 443),
      verdict: "drop",
      code: "NO_ROUTE_TO_DESTINATION",
      check: "egress-only-inbound",
    },
    {
      name: "a NAT gateway's Elastic IP accepts no connections",
      flow: fromInternet("198.51.100.5", 443),
      verdict: "drop",
      code: "NO_POSSIBLE_DESTINATION",
      check: "no-listener",
    },
    {
      name: "the function's IPv6 address is not reachable from outside",
      flow: fromInternet("2600:1f18:1234:5603::10", 443),
      verdict: "drop",
      code: "NO_POSSIBLE_DESTINATION",
      check: "lambda-inbound",
    },
    {
      name: "the function reaches the web server's public IP through the NAT (hairpin)",
      flow: fromEni("198.51.100.40", 443),
      verdict: "allow",
      also: (v) => assert.equal(v.target?.kind === "endpoint" && v.target.seenSourceIp, "198.51.100.5"),
    },
  ]);
});

describe("appliances (routes to a network interface)", () => {
  const natInstance = (s: NetSnapshot): void => {
    s.securityGroups.push({ groupId: "sg-nat-instance", vpcId: "vpc-main", ingress: [sg("-1", undefined, { cidrs: ["10.0.0.0/16"] })], egress: [sg("-1", undefined, { cidrs: ["0.0.0.0/0"] })] });
    s.networkInterfaces.push({
      networkInterfaceId: "eni-natinst",
      subnetId: "subnet-public",
      vpcId: "vpc-main",
      groupIds: ["sg-nat-instance"],
      privateIps: ["10.0.0.77"],
      ipv6Addresses: [],
      publicIp: "198.51.100.77",
      sourceDestCheck: false,
    });
    setRoute(s, "rtb-private", "0.0.0.0/0", { kind: "eni", id: "eni-natinst" });
  };
  run([
    {
      name: "a NAT instance with source/destination check off forwards to the internet",
      edit: natInstance,
      flow: fromEni(NET, 443),
      verdict: "allow",
      also: (v) => assert.equal(v.target?.kind === "internet" && v.target.seenSourceIp, "198.51.100.77"),
    },
    {
      name: "with source/destination check on it drops the traffic",
      edit: (s) => {
        natInstance(s);
        iface(s, "eni-natinst").sourceDestCheck = true;
      },
      flow: fromEni(NET, 443),
      verdict: "drop",
      code: "ENI_SOURCE_DEST_CHECK_RESTRICTION",
      check: "source-dest-check",
    },
    {
      name: "the appliance's own security group must admit the traffic",
      edit: (s) => {
        natInstance(s);
        group(s, "sg-nat-instance").ingress = [];
      },
      flow: fromEni(NET, 443),
      verdict: "drop",
      code: "ENI_SG_RULES_MISMATCH",
      check: "security-group-ingress",
    },
  ]);
});

test("the scenario table has at least 60 rows", () => {
  assert.ok(rowCount >= 60, `${rowCount} rows`);
});
