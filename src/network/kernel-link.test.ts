import assert from "node:assert/strict";
import { test } from "node:test";
import type { NetSnapshot } from "./model/types.ts";
import { mergeSnapshots } from "./kernel-link.ts";

const empty = (): NetSnapshot => ({ vpcs: [], subnets: [], routeTables: [], networkAcls: [], securityGroups: [], networkInterfaces: [], internetGateways: [], egressOnlyInternetGateways: [], natGateways: [], peerings: [] });

test("mergeSnapshots: a peered VPC in two scopes' snapshots is built once; distinct entries of one VPC all stay", () => {
  const vpc = { vpcId: "vpc-west", cidrBlocks: ["10.1.0.0/16"], ipv6CidrBlocks: [] };
  const a = { ...empty(), vpcs: [{ vpcId: "vpc-east", cidrBlocks: ["10.0.0.0/16"], ipv6CidrBlocks: [] }, vpc], subnets: [{ subnetId: "subnet-1", vpcId: "vpc-west", ipv6CidrBlocks: [] }], peerings: [{ id: "pcx-1", requesterVpcId: "vpc-east", accepterVpcId: "vpc-west", status: "active" }] };
  const b = { ...empty(), vpcs: [vpc], subnets: [{ subnetId: "subnet-1", vpcId: "vpc-west", ipv6CidrBlocks: [] }, { subnetId: "subnet-2", vpcId: "vpc-west", ipv6CidrBlocks: [] }], peerings: [{ id: "pcx-1", requesterVpcId: "vpc-east", accepterVpcId: "vpc-west", status: "active" }] };
  const m = mergeSnapshots([a, b] as unknown as NetSnapshot[]);
  assert.deepEqual(m.vpcs.map((v) => v.vpcId), ["vpc-east", "vpc-west"]);
  assert.deepEqual(m.subnets.map((s) => s.subnetId), ["subnet-1", "subnet-2"]);
  assert.equal(m.peerings.length, 1);
});
