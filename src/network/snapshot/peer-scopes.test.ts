import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluate } from "../model/index.ts";
import { emptyState, putRecord, type Ec2State, type EniRec, type PeeringRec, type RouteTableRec } from "../../services/ec2/state.ts";
import { SnapshotCache, type SnapshotCacheOptions } from "./cache.ts";
import { buildListenerIndex, findListener } from "../server/listeners.ts";
import type { EndpointRec } from "../server/registry.ts";
import { peerScopes } from "./peer-scopes.ts";

// Pure model tests: the 10.x addresses below are evaluated and looked up in hyperlocal's model and
// listener index only; nothing here opens a socket.
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

function world(extras?: SnapshotCacheOptions["extrasFor"]) {
  const east = region("us-east-1", "vpc-east", "10.0.0.0/16", "10.0.1.10", [{ id: "r1", egress: true, protocol: "-1", cidrIpv4: "0.0.0.0/0", tags: {} }] as never);
  const west = region("eu-west-1", "vpc-west", "10.1.0.0/16", "10.1.1.20", [{ id: "r2", egress: false, protocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv4: "10.0.0.0/16", tags: {} }] as never);
  // EC2 keeps the connection in both Regions' states (the accepter's Region is `region`).
  const pcx = { id: "pcx-x", requesterVpcId: "vpc-east", requesterOwnerId: ACCOUNT, accepterVpcId: "vpc-west", accepterOwnerId: ACCOUNT, region: "eu-west-1", requesterRegion: "us-east-1", status: "active" } as PeeringRec;
  east.peerings["pcx-x"] = { ...pcx };
  west.peerings["pcx-x"] = { ...pcx };
  east.routeTables["rtb-vpc-east"].routes.push({ destinationCidrBlock: "10.1.0.0/16", vpcPeeringConnectionId: "pcx-x", origin: "CreateRoute" } as RouteTableRec["routes"][number]);
  west.routeTables["rtb-vpc-west"].routes.push({ destinationCidrBlock: "10.0.0.0/16", vpcPeeringConnectionId: "pcx-x", origin: "CreateRoute" } as RouteTableRec["routes"][number]);
  const states: Record<string, Ec2State> = { "us-east-1": east, "eu-west-1": west };
  const cache = new SnapshotCache({ stateFor: (_a, r) => states[r], ...(extras ? { extrasFor: extras } : {}) });
  const from = { kind: "eni" as const, networkInterfaceId: "eni-vpc-east" };
  const reach = (port: number) => evaluate(cache.get(ACCOUNT, "us-east-1").compiled, { from, to: { ip: "10.1.1.20", port, protocol: "tcp" } });
  return { east, west, cache, reach };
}

const scopes = (s: Ec2State) => peerScopes(s).map((x) => [x.account, x.region, [...x.vpcIds]]);

test("peerScopes: the other side of each active cross-Region peering, seen from either Region", () => {
  const { east, west } = world();
  assert.deepEqual(scopes(east), [[ACCOUNT, "eu-west-1", ["vpc-west"]]]);
  assert.deepEqual(scopes(west), [[ACCOUNT, "us-east-1", ["vpc-east"]]]);
  east.peerings["pcx-x"].status = "pending-acceptance";
  assert.deepEqual(scopes(east), []);
});

test("peerScopes: a peering to another account's VPC (same Region or not) is a peer scope; one within this account and Region is not", () => {
  const { east } = world();
  const other = "222222222222";
  east.peerings["pcx-y"] = { ...east.peerings["pcx-x"], id: "pcx-y", accepterOwnerId: other, accepterVpcId: "vpc-b", region: "us-east-1" };
  east.peerings["pcx-z"] = { ...east.peerings["pcx-x"], id: "pcx-z", accepterVpcId: "vpc-east2", region: "us-east-1" };
  assert.deepEqual(scopes(east), [
    [ACCOUNT, "eu-west-1", ["vpc-west"]],
    [other, "us-east-1", ["vpc-b"]],
  ]);
  // Seen from the accepter's account, the requester's account is the peer scope.
  const b = emptyState(other, "us-east-1");
  b.peerings["pcx-y"] = { ...east.peerings["pcx-y"] };
  assert.deepEqual(scopes(b), [[ACCOUNT, "us-east-1", ["vpc-east"]]]);
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

test("the listener index delivers to the peer Region's endpoints in the merged VPC (by address and by interface), not to its other VPCs", () => {
  const ep = (id: string, x: Partial<EndpointRec>): EndpointRec => ({ id, account: ACCOUNT, region: "eu-west-1", port: 5432, protocol: "tcp", target: "127.0.0.1:4000", createdAt: "", ...x });
  const westEndpoints = [ep("ep-byip", { ip: "10.1.1.30" }), ep("ep-byeni", { networkInterfaceId: "eni-vpc-west", port: 6000 }), ep("ep-elsewhere", { ip: "10.9.1.5" })];
  const { west, cache } = world((_a, r) => ({ endpoints: r === "eu-west-1" ? westEndpoints.filter((e) => e.ip).map((e) => ({ ip: e.ip! })) : [] }));
  // A VPC of the peer Region that no peering joins: its endpoint stays out of reach.
  Object.assign(west, { vpcs: { ...west.vpcs, "vpc-other": { id: "vpc-other", cidrs: [{ associationId: "o", cidr: "10.9.0.0/16" }], ipv6: [], instanceTenancy: "default", enableDnsSupport: true } } });
  west.subnets["subnet-other"] = { id: "subnet-other", vpcId: "vpc-other", cidr: "10.9.1.0/24", ipv6: [], ipv6Native: false } as unknown as Ec2State["subnets"][string];
  const view = cache.get(ACCOUNT, "us-east-1");
  const idx = buildListenerIndex(view, [], (a, r) => (a === ACCOUNT && r === "eu-west-1" ? westEndpoints : []));
  const byIp = findListener(idx, "eni-hyperlocal-10-1-1-30", "10.1.1.30", 5432, "tcp");
  assert.equal(byIp?.endpointId, "ep-byip");
  assert.equal(byIp?.vpcId, "vpc-west");
  assert.equal(findListener(idx, "eni-vpc-west", "10.1.1.20", 6000, "tcp")?.endpointId, "ep-byeni");
  assert.ok(![...idx.byKey.values()].some((l) => l.endpointId === "ep-elsewhere"), "a VPC no peering joins is not merged");
  assert.equal(idx.problems.size, 0, "a peer's endpoints are explained in their own scope, not here");
  // A peer interface tagged hyperlocal:endpoint listens too (and is listed in its own scope only).
  west.networkInterfaces["eni-vpc-west"].tags["hyperlocal:endpoint"] = "8080=127.0.0.1:4001";
  const tagged = buildListenerIndex(view, []);
  assert.equal(findListener(tagged, "eni-vpc-west", "10.1.1.20", 8080, "tcp")?.endpointId, "tag:eni-vpc-west:8080");
  assert.deepEqual(tagged.tagged, []);
  // The synthetic interface of the address is in the model: the walk reaches it through the peering.
  const r = evaluate(view.compiled, { from: { kind: "eni", networkInterfaceId: "eni-vpc-east" }, to: { ip: "10.1.1.30", port: 5432, protocol: "tcp" } });
  assert.equal(r.verdict, "allow", JSON.stringify(r.reasons));
  assert.deepEqual(r.target && "networkInterfaceId" in r.target ? r.target.networkInterfaceId : undefined, "eni-hyperlocal-10-1-1-30");
});

test("a peer in another account of the same Region: merged, and its group references across the peering kept (AWS: account/sg-id)", () => {
  const other = "222222222222";
  const a = region("us-east-1", "vpc-a", "10.0.0.0/16", "10.0.1.10", [{ id: "r1", egress: true, protocol: "-1", cidrIpv4: "0.0.0.0/0", tags: {} }] as never);
  const b = region("us-east-1", "vpc-b", "10.1.0.0/16", "10.1.1.20", [{ id: "r2", egress: false, protocol: "tcp", fromPort: 5432, toPort: 5432, refGroupId: "sg-vpc-a", refUserId: ACCOUNT, tags: {} }] as never);
  (b as { account: string }).account = other;
  const pcx = { id: "pcx-c", requesterVpcId: "vpc-a", requesterOwnerId: ACCOUNT, accepterVpcId: "vpc-b", accepterOwnerId: other, region: "us-east-1", requesterRegion: "us-east-1", status: "active" } as PeeringRec;
  a.peerings["pcx-c"] = { ...pcx };
  b.peerings["pcx-c"] = { ...pcx };
  a.routeTables["rtb-vpc-a"].routes.push({ destinationCidrBlock: "10.1.0.0/16", vpcPeeringConnectionId: "pcx-c", origin: "CreateRoute" } as RouteTableRec["routes"][number]);
  b.routeTables["rtb-vpc-b"].routes.push({ destinationCidrBlock: "10.0.0.0/16", vpcPeeringConnectionId: "pcx-c", origin: "CreateRoute" } as RouteTableRec["routes"][number]);
  const cache = new SnapshotCache({ stateFor: (acct) => (acct === other ? b : a) });
  const reach = (port: number) => evaluate(cache.get(ACCOUNT, "us-east-1").compiled, { from: { kind: "eni", networkInterfaceId: "eni-vpc-a" }, to: { ip: "10.1.1.20", port, protocol: "tcp" } });
  assert.equal(reach(5432).verdict, "allow", JSON.stringify(reach(5432).reasons));
  assert.equal(reach(22).verdict, "drop");
  // From the other account the same peering brings this account's VPC in.
  assert.ok(cache.get(other, "us-east-1").compiled.enis.has("eni-vpc-a"));
  b.peerings["pcx-c"].status = "deleted";
  a.peerings["pcx-c"].status = "deleted";
  const gone = reach(5432);
  assert.equal(gone.reasons[0].code, "BAD_STATE", JSON.stringify(gone.reasons));
});

test("an address this side placed in an overlapping VPC of its own keeps its synthetic interface; the peer's endpoint there is not merged", () => {
  const { east, cache } = world((_a, r) => ({ endpoints: [{ ip: "10.1.1.30", ...(r === "us-east-1" ? { vpcId: "vpc-overlap" } : {}) }] }));
  Object.assign(east, { vpcs: { ...east.vpcs, "vpc-overlap": { id: "vpc-overlap", cidrs: [{ associationId: "o", cidr: "10.1.0.0/16" }], ipv6: [], instanceTenancy: "default", enableDnsSupport: true } } });
  east.subnets["subnet-overlap"] = { id: "subnet-overlap", vpcId: "vpc-overlap", cidr: "10.1.1.0/24", ipv6: [], ipv6Native: false } as unknown as Ec2State["subnets"][string];
  const view = cache.get(ACCOUNT, "us-east-1");
  const synthetic = view.snapshot.networkInterfaces.filter((e) => e.networkInterfaceId === "eni-hyperlocal-10-1-1-30");
  assert.deepEqual(synthetic.map((e) => e.vpcId), ["vpc-overlap"]);
  const idx = buildListenerIndex(view, [], () => [{ id: "ep-peer", account: ACCOUNT, region: "eu-west-1", ip: "10.1.1.30", port: 5432, protocol: "tcp", target: "127.0.0.1:4000", createdAt: "" }]);
  assert.equal(idx.byKey.size, 0);
});
