import assert from "node:assert/strict";
import { test } from "node:test";
import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import { layoutVpc } from "./map-layout.ts";
import { functionsOnEni, internetPaths, routeTableOf } from "./map-model.ts";
import type { VpcData } from "./vpc-data.ts";

const fn = (name: string, subnets: string[], groups: string[]): FunctionConfiguration => ({ FunctionName: name, VpcConfig: { VpcId: "vpc-1", SubnetIds: subnets, SecurityGroupIds: groups } });

function world(over: Partial<VpcData> = {}): VpcData {
  return {
    vpcId: "vpc-1",
    subnets: [
      { SubnetId: "subnet-a", AvailabilityZone: "us-east-1a", CidrBlock: "10.0.1.0/24", AvailableIpAddressCount: 250 },
      { SubnetId: "subnet-b", AvailabilityZone: "us-east-1b", CidrBlock: "10.0.2.0/24", AvailableIpAddressCount: 250 },
      { SubnetId: "subnet-pub", AvailabilityZone: "us-east-1a", CidrBlock: "10.0.0.0/24", AvailableIpAddressCount: 250 },
    ],
    routeTables: [
      { RouteTableId: "rtb-main", Associations: [{ Main: true }], Routes: [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local" }] },
      { RouteTableId: "rtb-pub", Associations: [{ SubnetId: "subnet-pub" }], Routes: [{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1" }] },
    ],
    internetGateways: [{ InternetGatewayId: "igw-1" }],
    egressOnlyGateways: [],
    natGateways: [],
    peerings: [],
    networkAcls: [{ NetworkAclId: "acl-1", Associations: [{ SubnetId: "subnet-a" }, { SubnetId: "subnet-b" }, { SubnetId: "subnet-pub" }] }],
    securityGroups: [{ GroupId: "sg-1", GroupName: "fn" }],
    networkInterfaces: [
      { NetworkInterfaceId: "eni-a", InterfaceType: "lambda", SubnetId: "subnet-a", Groups: [{ GroupId: "sg-1" }] },
      { NetworkInterfaceId: "eni-b", InterfaceType: "lambda", SubnetId: "subnet-b", Groups: [{ GroupId: "sg-1" }, { GroupId: "sg-2" }] },
    ],
    functions: [fn("one", ["subnet-a"], ["sg-1"]), fn("two", ["subnet-a", "subnet-b"], ["sg-1"]), fn("three", ["subnet-b"], ["sg-2", "sg-1"])],
    errors: {},
    ...over,
  };
}

test("a Hyperplane ENI is shared by every function with its subnet and exactly its group set", () => {
  const w = world();
  assert.deepEqual(functionsOnEni(w.networkInterfaces[0], w.functions), ["one", "two"]);
  assert.deepEqual(functionsOnEni(w.networkInterfaces[1], w.functions), ["three"]);
  assert.deepEqual(functionsOnEni({ ...w.networkInterfaces[0], InterfaceType: "interface" }, w.functions), []);
});

test("a subnet uses its explicit route table, else the main one", () => {
  const w = world();
  assert.equal(routeTableOf("subnet-pub", w.routeTables)?.RouteTableId, "rtb-pub");
  assert.equal(routeTableOf("subnet-a", w.routeTables)?.RouteTableId, "rtb-main");
});

test("internet path: no default route stops at the route table", () => {
  const [p] = internetPaths(world().functions[0], world());
  assert.equal(p.reaches, false);
  assert.deepEqual(p.ids, ["fn:one", "eni-a", "subnet-a", "rtb-main"]);
  assert.match(p.text, /no route for 0\.0\.0\.0\/0/);
});

test("internet path: a route to the internet gateway stops there (no public IP)", () => {
  const w = world();
  w.routeTables[0].Routes!.push({ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1" });
  const [p] = internetPaths(w.functions[0], w);
  assert.equal(p.reaches, false);
  assert.equal(p.ids.at(-1), "igw-1");
  assert.match(p.text, /no public IP address/);
});

test("internet path: through an available NAT gateway in a public subnet, it reaches the internet", () => {
  const w = world({ natGateways: [{ NatGatewayId: "nat-1", SubnetId: "subnet-pub", State: "available", ConnectivityType: "public" }] });
  w.routeTables[0].Routes!.push({ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-1" });
  const [p] = internetPaths(w.functions[0], w);
  assert.equal(p.reaches, true);
  assert.deepEqual(p.ids, ["fn:one", "eni-a", "subnet-a", "rtb-main", "nat-1", "subnet-pub", "rtb-pub", "igw-1", "internet"]);
  w.natGateways[0].State = "pending";
  assert.equal(internetPaths(w.functions[0], w)[0].reaches, false);
});

test("layout: zones are columns, subnets inside their zone without overlap, the ACL drawn once per subnet", () => {
  const { nodes } = layoutVpc(world());
  const zoneA = nodes.find((n) => n.id === "zone:us-east-1a")!;
  const zoneB = nodes.find((n) => n.id === "zone:us-east-1b")!;
  assert.ok(zoneB.x >= zoneA.x + zoneA.w, "zones side by side");
  const subnets = nodes.filter((n) => n.kind === "subnet");
  for (const s of subnets) {
    const zone = s.id === "subnet-b" ? zoneB : zoneA;
    assert.ok(s.x >= zone.x && s.y >= zone.y && s.y + s.h <= zone.y + zone.h, `${s.id} inside its zone`);
  }
  const [a, pub] = [subnets.find((s) => s.id === "subnet-a")!, subnets.find((s) => s.id === "subnet-pub")!];
  assert.ok(a.y + a.h <= pub.y || pub.y + pub.h <= a.y, "subnets of one zone do not overlap");
  assert.deepEqual(nodes.filter((n) => n.kind === "acl").map((n) => n.id).sort(), ["acl-1@subnet-a", "acl-1@subnet-b", "acl-1@subnet-pub"]);
  assert.match(nodes.find((n) => n.id === "eni-a")!.lines.join(" "), /shared by: one, two/);
  assert.equal(nodes.filter((n) => n.kind === "fn").length, 3);
});
