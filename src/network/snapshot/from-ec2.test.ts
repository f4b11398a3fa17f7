import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluate } from "../model/index.ts";
import { emptyState, putRecord, type Ec2State, type EniRec, type NatGatewayRec, type RouteTableRec } from "../../services/ec2/state.ts";
import { SnapshotCache } from "./cache.ts";
import { convert, normalizeIp, snapshotFromEc2, syntheticInterfaceId } from "./from-ec2.ts";

// A hand-built EC2 state: only the fields the conversion reads are meaningful.
function state(): Ec2State {
  const s = emptyState("111111111111", "us-east-1");
  s.vpcs["vpc-1"] = {
    id: "vpc-1",
    cidrs: [{ associationId: "a", cidr: "10.0.0.0/16" }],
    ipv6: [{ associationId: "b", cidr: "2600:1f18::/56", pool: "Amazon", networkBorderGroup: "us-east-1" }],
    instanceTenancy: "default",
    enableDnsSupport: true,
  } as Ec2State["vpcs"][string];
  s.vpcs["vpc-2"] = { id: "vpc-2", cidrs: [{ associationId: "c", cidr: "10.1.0.0/16" }], ipv6: [], instanceTenancy: "dedicated", enableDnsSupport: false } as unknown as Ec2State["vpcs"][string];
  const subnet = (id: string, vpcId: string, cidr: string, ipv6: string[] = []) =>
    (s.subnets[id] = { id, vpcId, cidr, ipv6: ipv6.map((c) => ({ associationId: c, cidr: c })), ipv6Native: false } as Ec2State["subnets"][string]);
  subnet("subnet-pub", "vpc-1", "10.0.0.0/24");
  subnet("subnet-fn", "vpc-1", "10.0.3.0/24", ["2600:1f18:0:3::/64"]);
  subnet("subnet-db", "vpc-1", "10.0.1.0/24");
  subnet("subnet-peer", "vpc-2", "10.1.1.0/24");
  const rt = (id: string, vpcId: string, routes: RouteTableRec["routes"], associations: RouteTableRec["associations"]) => (s.routeTables[id] = { id, vpcId, ownerId: "", routes, associations, tags: {} });
  rt("rtb-main", "vpc-1", [{ destinationCidrBlock: "10.0.0.0/16", gatewayId: "local", origin: "CreateRouteTable" }], [{ associationId: "m", main: true }]);
  rt(
    "rtb-fn",
    "vpc-1",
    [
      { destinationCidrBlock: "10.0.0.0/16", gatewayId: "local", origin: "CreateRouteTable" },
      { destinationCidrBlock: "0.0.0.0/0", natGatewayId: "nat-1", origin: "CreateRoute" },
      { destinationCidrBlock: "192.0.2.0/24", natGatewayId: "nat-gone", origin: "CreateRoute" },
      { destinationCidrBlock: "10.1.0.0/16", vpcPeeringConnectionId: "pcx-1", origin: "CreateRoute" },
      { destinationPrefixListId: "pl-123", gatewayId: "igw-1", origin: "CreateRoute" },
    ],
    [{ associationId: "x", main: false, subnetId: "subnet-fn" }],
  );
  rt("rtb-pub", "vpc-1", [{ destinationCidrBlock: "0.0.0.0/0", gatewayId: "igw-1", origin: "CreateRoute" }], [{ associationId: "y", main: false, subnetId: "subnet-pub" }]);
  rt("rtb-peer", "vpc-2", [{ destinationCidrBlock: "10.0.0.0/16", vpcPeeringConnectionId: "pcx-1", origin: "CreateRoute" }], [{ associationId: "z", main: true }]);
  s.networkAcls["acl-1"] = {
    id: "acl-1",
    vpcId: "vpc-1",
    ownerId: "",
    isDefault: true,
    entries: [
      { ruleNumber: 100, egress: false, protocol: "-1", ruleAction: "allow", cidrBlock: "0.0.0.0/0" },
      { ruleNumber: 100, egress: true, protocol: "-1", ruleAction: "allow", cidrBlock: "0.0.0.0/0" },
      { ruleNumber: 90, egress: true, protocol: "6", ruleAction: "deny", cidrBlock: "10.0.1.0/24", portRange: { from: 22, to: 22 } },
      { ruleNumber: 101, egress: false, protocol: "58", ruleAction: "allow", ipv6CidrBlock: "::/0", icmp: { type: -1, code: -1 } },
    ],
    associations: [
      { associationId: "1", subnetId: "subnet-pub" },
      { associationId: "2", subnetId: "subnet-fn" },
      { associationId: "3", subnetId: "subnet-db" },
    ],
    tags: {},
  };
  s.securityGroups["sg-fn"] = {
    id: "sg-fn",
    vpcId: "vpc-1",
    rules: [{ id: "r1", egress: true, protocol: "-1", cidrIpv4: "0.0.0.0/0", tags: {} }],
  } as unknown as Ec2State["securityGroups"][string];
  s.securityGroups["sg-db"] = {
    id: "sg-db",
    vpcId: "vpc-1",
    rules: [
      { id: "r2", egress: false, protocol: "tcp", fromPort: 5432, toPort: 5432, refGroupId: "sg-fn", tags: {} },
      { id: "r3", egress: false, protocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "10.0.0.0/16", tags: {} },
      { id: "r4", egress: false, protocol: "udp", fromPort: 53, toPort: 53, prefixListId: "pl-1", tags: {} },
    ],
  } as unknown as Ec2State["securityGroups"][string];
  const eni = (id: string, subnetId: string, vpcId: string, ips: string[], groupIds: string[], extra: Partial<EniRec> = {}) =>
    putRecord(s.networkInterfaces, id, { id, subnetId, vpcId, privateIps: ips, ipv6: [], groupIds, interfaceType: "interface", sourceDestCheck: true, tags: {}, ...extra } as EniRec);
  eni("eni-fn", "subnet-fn", "vpc-1", ["10.0.3.10"], ["sg-fn"], { interfaceType: "lambda" });
  eni("eni-db", "subnet-db", "vpc-1", ["10.0.1.25"], ["sg-db"], { tags: { "hyperlocal:endpoint": "127.0.0.1:5432" } });
  eni("eni-nat", "subnet-pub", "vpc-1", ["10.0.0.5"], [], { interfaceType: "nat_gateway" });
  eni("eni-web", "subnet-pub", "vpc-1", ["10.0.0.40"], ["sg-fn"], { association: { allocationId: "eipalloc-1", associationId: "eipassoc-1", publicIp: "198.51.100.40", ipOwnerId: "" } });
  s.internetGateways["igw-1"] = { id: "igw-1", ownerId: "", attachments: [{ vpcId: "vpc-1" }], tags: {} };
  s.natGateways["nat-1"] = {
    id: "nat-1",
    vpcId: "vpc-1",
    subnetId: "subnet-pub",
    connectivityType: "public",
    publicIp: "198.51.100.5",
    privateIp: "10.0.0.5",
    networkInterfaceId: "eni-nat",
    state: "pending",
  } as NatGatewayRec;
  s.peerings["pcx-1"] = { id: "pcx-1", requesterVpcId: "vpc-1", accepterVpcId: "vpc-2", status: "pending-acceptance" } as Ec2State["peerings"][string];
  return s;
}

test("VPCs, subnets, route tables (main flag, explicit associations) and route targets", () => {
  const snap = snapshotFromEc2(state());
  assert.deepEqual(snap.vpcs.find((v) => v.vpcId === "vpc-1"), { vpcId: "vpc-1", cidrBlocks: ["10.0.0.0/16"], ipv6CidrBlocks: ["2600:1f18::/56"], instanceTenancy: "default", enableDnsSupport: true });
  assert.equal(snap.vpcs.find((v) => v.vpcId === "vpc-2")?.enableDnsSupport, false);
  assert.deepEqual(snap.subnets.find((x) => x.subnetId === "subnet-fn"), { subnetId: "subnet-fn", vpcId: "vpc-1", cidrBlock: "10.0.3.0/24", ipv6CidrBlocks: ["2600:1f18:0:3::/64"], ipv6Native: false });
  const main = snap.routeTables.find((t) => t.routeTableId === "rtb-main")!;
  assert.equal(main.main, true);
  assert.deepEqual(main.subnetIds, []);
  const fn = snap.routeTables.find((t) => t.routeTableId === "rtb-fn")!;
  assert.equal(fn.main, false);
  assert.deepEqual(fn.subnetIds, ["subnet-fn"]);
  assert.deepEqual(fn.routes, [
    { destination: "10.0.0.0/16", target: { kind: "local" } },
    { destination: "0.0.0.0/0", target: { kind: "nat", id: "nat-1" } },
    // A route whose NAT gateway is gone: a blackhole, as EC2 shows the route's state.
    { destination: "192.0.2.0/24", target: { kind: "blackhole", id: "nat-gone" } },
    { destination: "10.1.0.0/16", target: { kind: "pcx", id: "pcx-1" } },
    // Prefix-list routes go to the model, which expands the lists it knows (pl-123 is none of them).
    { destination: "pl-123", target: { kind: "igw", id: "igw-1" } },
  ]);
  assert.deepEqual(snap.routeTables.find((t) => t.routeTableId === "rtb-pub")!.routes, [{ destination: "0.0.0.0/0", target: { kind: "igw", id: "igw-1" } }]);
});

test("network ACLs, security groups, interfaces, gateways and peerings", () => {
  const snap = snapshotFromEc2(state());
  const acl = snap.networkAcls[0];
  assert.deepEqual(acl.subnetIds, ["subnet-pub", "subnet-fn", "subnet-db"]);
  assert.deepEqual(acl.entries[2], { ruleNumber: 90, egress: true, action: "deny", protocol: "6", cidr: "10.0.1.0/24", fromPort: 22, toPort: 22 });
  assert.deepEqual(acl.entries[3], { ruleNumber: 101, egress: false, action: "allow", protocol: "58", cidr: "::/0", icmpType: -1, icmpCode: -1 });
  const db = snap.securityGroups.find((g) => g.groupId === "sg-db")!;
  assert.deepEqual(db.ingress, [
    { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrs: [], groupIds: ["sg-fn"] },
    { protocol: "tcp", fromPort: 22, toPort: 22, cidrs: ["10.0.0.0/16"], groupIds: [] },
    { protocol: "udp", fromPort: 53, toPort: 53, cidrs: [], groupIds: [], prefixListIds: ["pl-1"] },
  ]);
  assert.deepEqual(db.egress, []);
  const fn = snap.networkInterfaces.find((n) => n.networkInterfaceId === "eni-fn")!;
  assert.equal(fn.interfaceType, "lambda");
  assert.equal(snap.networkInterfaces.find((n) => n.networkInterfaceId === "eni-web")!.publicIp, "198.51.100.40");
  assert.equal(snap.networkInterfaces.find((n) => n.networkInterfaceId === "eni-nat")!.interfaceType, "nat_gateway");
  assert.deepEqual(snap.internetGateways, [{ id: "igw-1", vpcIds: ["vpc-1"] }]);
  assert.deepEqual(snap.natGateways, [
    { id: "nat-1", subnetId: "subnet-pub", vpcId: "vpc-1", connectivityType: "public", state: "pending", privateIp: "10.0.0.5", publicIp: "198.51.100.5", networkInterfaceId: "eni-nat" },
  ]);
  assert.deepEqual(snap.peerings, [{ id: "pcx-1", requesterVpcId: "vpc-1", accepterVpcId: "vpc-2", status: "pending-acceptance" }]);
});

test("the model answers over a converted state: group references, pending NAT, pending peering, ACL deny", () => {
  const snap = snapshotFromEc2(state());
  const from = { kind: "eni" as const, networkInterfaceId: "eni-fn" };
  assert.equal(evaluate(snap, { from, to: { ip: "10.0.1.25", port: 5432, protocol: "tcp" } }).verdict, "allow");
  const ssh = evaluate(snap, { from, to: { ip: "10.0.1.25", port: 22, protocol: "tcp" } });
  assert.equal(ssh.verdict, "drop");
  assert.equal(ssh.reasons[0].code, "SUBNET_ACL_RESTRICTION");
  assert.equal(ssh.reasons[0].rule, 90);
  const out = evaluate(snap, { from, to: { ip: "203.0.113.10", port: 443, protocol: "tcp" } });
  assert.equal(out.verdict, "drop");
  assert.equal(out.reasons[0].check, "nat-gateway-state");
  const peer = evaluate(snap, { from, to: { ip: "10.1.1.5", port: 443, protocol: "tcp" } });
  assert.equal(peer.reasons[0].check, "peering-state");
  const gone = evaluate(snap, { from, to: { ip: "192.0.2.1", port: 443, protocol: "tcp" } });
  assert.equal(gone.reasons[0].code, "BAD_STATE_ROUTE");
});

test("endpoint addresses: held by an interface, synthetic in their subnet, or nowhere", () => {
  const { snapshot, placements } = convert(state(), { endpoints: [{ ip: "10.0.1.25" }, { ip: "10.0.1.99" }, { ip: "10.9.9.9" }, { ip: "198.51.100.40" }] });
  assert.deepEqual(placements.get("10.0.1.25|"), { ip: "10.0.1.25", networkInterfaceId: "eni-db", subnetId: "subnet-db", vpcId: "vpc-1", synthetic: false });
  assert.deepEqual(placements.get("10.0.1.99|"), { ip: "10.0.1.99", networkInterfaceId: "eni-hyperlocal-10-0-1-99", subnetId: "subnet-db", vpcId: "vpc-1", synthetic: true });
  assert.match(placements.get("10.9.9.9|")!.problem!, /no subnet contains 10.9.9.9/);
  assert.equal(placements.get("198.51.100.40|")!.networkInterfaceId, "eni-web");
  const synthetic = snapshot.networkInterfaces.find((n) => n.networkInterfaceId === syntheticInterfaceId("10.0.1.99"))!;
  assert.deepEqual(synthetic.privateIps, ["10.0.1.99"]);
  const group = snapshot.securityGroups.find((g) => g.groupId === synthetic.groupIds[0])!;
  assert.equal(group.ingress[0].protocol, "-1");
  // The synthetic host takes any port from the function (its group allows all inbound).
  assert.equal(evaluate(snapshot, { from: { kind: "eni", networkInterfaceId: "eni-fn" }, to: { ip: "10.0.1.99", port: 8080, protocol: "tcp" } }).verdict, "allow");
  assert.equal(normalizeIp("2600:1f18:0:3:0:0:0:10"), "2600:1f18:0:3::10");
  assert.equal(normalizeIp("::ffff:10.0.0.1"), "10.0.0.1");
});

test("the cache recompiles on invalidate(), on new interfaces, on clock-driven state changes and on a reset", () => {
  let s = state();
  let extras = 0;
  const cache = new SnapshotCache({ stateFor: () => s, extrasFor: () => (extras++, {}) });
  const a = cache.get("111111111111", "us-east-1");
  assert.equal(cache.get("111111111111", "us-east-1"), a, "unchanged state: the same compiled view");
  // In place, shape unchanged: only invalidate() shows it.
  s.securityGroups["sg-db"].rules[0].fromPort = 6000;
  s.securityGroups["sg-db"].rules[0].toPort = 6000;
  assert.equal(cache.get("111111111111", "us-east-1"), a);
  cache.invalidate();
  const b = cache.get("111111111111", "us-east-1");
  assert.notEqual(b, a);
  assert.equal(evaluate(b.compiled, { from: { kind: "eni", networkInterfaceId: "eni-fn" }, to: { ip: "10.0.1.25", port: 6000, protocol: "tcp" } }).verdict, "allow");
  // NAT pending → available (the clock moved; no request).
  s.natGateways["nat-1"].state = "available";
  const c = cache.get("111111111111", "us-east-1");
  assert.notEqual(c, b);
  // A Hyperplane ENI created through EC2's internal API.
  putRecord(s.networkInterfaces, "eni-fn2", { ...s.networkInterfaces["eni-fn"], id: "eni-fn2", privateIps: ["10.0.3.11"] });
  const d = cache.get("111111111111", "us-east-1");
  assert.notEqual(d, c);
  assert.ok(d.compiled.enis.has("eni-fn2"));
  // A reset: a new state object.
  s = state();
  assert.notEqual(cache.get("111111111111", "us-east-1"), d);
  assert.ok(extras >= 4);
});
