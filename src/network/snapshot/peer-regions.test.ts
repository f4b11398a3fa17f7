import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluate } from "../model/index.ts";
import { emptyState, putRecord, type Ec2State, type EniRec, type PeeringRec, type RouteTableRec } from "../../services/ec2/state.ts";
import { SnapshotCache } from "./cache.ts";
import { peerRegionVpcs } from "./peer-regions.ts";

const ACCOUNT = "111111111111";

// One VPC per Region with a subnet, a main route table, an allow-all ACL, a group and an interface.
function region(name: string, vpcId: string, cidr: string, eniIp: string, sg: Ec2State["securityGroups"][string]["rules"]): Ec2State {
  const s = emptyState(ACCOUNT, name);
  s.vpcs[vpcId] = { id: vpcId, cidrs: [{ associationId: "a", cidr }], ipv6: [], instanceTenancy: "default", enableDnsSupport: true } as unknown as Ec2State["vpcs"][string];
  const subnetCidr = cidr.replace(/\.0\.0\/16$/, ".1.0/24");
  s.subnets[`subnet-${vpcId}`] = { id: `subnet-${vpcId}`, vpcId, cidr: subnetCidr, ipv6: [], ipv6Native: false } as unknown as Ec2State["subnets"][string];
  s.routeTables[`rtb-${vpcId}`] = { id: `rtb-${vpcId}`, vpcId, ownerId: "", routes: [{ destinationCidrBlock: cidr, gatewayId: "local", origin: "CreateRouteTable" }], associations: [{ associationId: "m", main: true }], tags: {} };
  s.networkAcls[`acl-${vpcId}`] = {
    id: `acl-${vpcId}`,
    vpcId,
    ownerId: "",
    isDefault: true,
    entries: [
      { ruleNumber: 100, egress: false, protocol: "-1", ruleAction: "allow", cidrBlock: "0.0.0.0/0" },
      { ruleNumber: 100, egress: true, protocol: "-1", ruleAction: "allow", cidrBlock: "0.0.0.0/0" },
    ],
    associations: [{ associationId: "1", subnetId: `subnet-${vpcId}` }],
    tags: {},
  };
  s.securityGroups[`sg-${vpcId}`] = { id: `sg-${vpcId}`, vpcId, rules: sg } as unknown as Ec2State["securityGroups"][string];
  putRecord(s.networkInterfaces, `eni-${vpcId}`, {
    id: `eni-${vpcId}`,
    subnetId: `subnet-${vpcId}`,
    vpcId,
    privateIps: [eniIp],
    ipv6: [],
    groupIds: [`sg-${vpcId}`],
    interfaceType: "interface",
    sourceDestCheck: true,
    tags: {},
  } as unknown as EniRec);
  return s;
}

function world() {
  const east = region("us-east-1", "vpc-east", "10.0.0.0/16", "10.0.1.10", [{ id: "r1", egress: true, protocol: "-1", cidrIpv4: "0.0.0.0/0", tags: {} }] as never);
  const west = region("eu-west-1", "vpc-west", "10.1.0.0/16", "10.1.1.20", [{ id: "r2", egress: false, protocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv4: "10.0.0.0/16", tags: {} }] as never);
  // EC2 keeps the connection in both Regions' states (the accepter's Region is `region`).
  const pcx = { id: "pcx-x", requesterVpcId: "vpc-east", requesterOwnerId: ACCOUNT, accepterVpcId: "vpc-west", accepterOwnerId: ACCOUNT, region: "eu-west-1", requesterRegion: "us-east-1", status: "active" } as PeeringRec;
  east.peerings["pcx-x"] = { ...pcx };
  west.peerings["pcx-x"] = { ...pcx };
  east.routeTables["rtb-vpc-east"].routes.push({ destinationCidrBlock: "10.1.0.0/16", vpcPeeringConnectionId: "pcx-x", origin: "CreateRoute" } as RouteTableRec["routes"][number]);
  west.routeTables["rtb-vpc-west"].routes.push({ destinationCidrBlock: "10.0.0.0/16", vpcPeeringConnectionId: "pcx-x", origin: "CreateRoute" } as RouteTableRec["routes"][number]);
  const states: Record<string, Ec2State> = { "us-east-1": east, "eu-west-1": west };
  const cache = new SnapshotCache({ stateFor: (_a, r) => states[r] });
  const from = { kind: "eni" as const, networkInterfaceId: "eni-vpc-east" };
  const reach = (port: number) => evaluate(cache.get(ACCOUNT, "us-east-1").compiled, { from, to: { ip: "10.1.1.20", port, protocol: "tcp" } });
  return { east, west, cache, reach };
}

test("peerRegionVpcs: the other side of each active cross-Region peering of the account, seen from either Region", () => {
  const { east, west } = world();
  assert.deepEqual([...peerRegionVpcs(east, ACCOUNT)].map(([r, v]) => [r, [...v]]), [["eu-west-1", ["vpc-west"]]]);
  assert.deepEqual([...peerRegionVpcs(west, ACCOUNT)].map(([r, v]) => [r, [...v]]), [["us-east-1", ["vpc-east"]]]);
  east.peerings["pcx-x"].status = "pending-acceptance";
  assert.equal(peerRegionVpcs(east, ACCOUNT).size, 0);
  east.peerings["pcx-x"].status = "active";
  assert.equal(peerRegionVpcs(east, "222222222222").size, 0, "another account's peering is not merged");
});

test("a pcx route across Regions reaches the peer's interface through the peer's route table, ACL and groups", () => {
  const { reach } = world();
  const ok = reach(5432);
  assert.equal(ok.verdict, "allow", JSON.stringify(ok.reasons));
  const ids = ok.path.map((h) => h.id);
  assert.ok(ids.includes("pcx-x") && ids.includes("acl-vpc-west") && ids.includes("sg-vpc-west") && ids.at(-1) === "eni-vpc-west", ids.join(" "));
  const blocked = reach(22);
  assert.equal(blocked.verdict, "drop");
  assert.equal(blocked.reasons[0].component?.id, "sg-vpc-west");
});

test("a change in the peer Region rebuilds the snapshot: no route back, then a deleted peering", () => {
  const { east, west, cache, reach } = world();
  assert.equal(reach(5432).verdict, "allow");
  const before = cache.get(ACCOUNT, "us-east-1").version;
  west.routeTables["rtb-vpc-west"].routes.pop();
  assert.notEqual(reach(5432).verdict, "allow", "without the peer's route back the reply cannot return");
  assert.notEqual(cache.get(ACCOUNT, "us-east-1").version, before);
  west.routeTables["rtb-vpc-west"].routes.push({ destinationCidrBlock: "10.0.0.0/16", vpcPeeringConnectionId: "pcx-x", origin: "CreateRoute" } as RouteTableRec["routes"][number]);
  assert.equal(reach(5432).verdict, "allow");
  east.peerings["pcx-x"].status = "deleted";
  west.peerings["pcx-x"].status = "deleted";
  const gone = reach(5432);
  assert.notEqual(gone.verdict, "allow");
  assert.equal(gone.reasons[0].code, "BAD_STATE", "explained by the connection's state");
  assert.ok(!cache.get(ACCOUNT, "us-east-1").compiled.enis.has("eni-vpc-west"), "the peer Region is no longer merged");
});

test("a group reference never matches across Regions (AWS: no cross-Region security group references)", () => {
  const { west, reach } = world();
  // A rule naming the requester's group by id (EC2 refuses to create one; the merge drops it if present).
  west.securityGroups["sg-vpc-west"].rules = [{ id: "r3", egress: false, protocol: "tcp", fromPort: 5432, toPort: 5432, refGroupId: "sg-vpc-east", tags: {} }] as never;
  const r = reach(5432);
  assert.equal(r.verdict, "drop");
  assert.equal(r.reasons[0].component?.id, "sg-vpc-west");
});
