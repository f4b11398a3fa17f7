// The kernel plan for gateway endpoints (pure, no namespaces): a prefix-list route becomes one
// route per CIDR of the list, to the endpoint's namespace when it carries the call, and a dead
// route otherwise; the subnet's ENI namespaces route those CIDRs to the VPC router.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { awsServiceAddress } from "../../core/aws-service-addresses.ts";
import type { NetSnapshot } from "../model/types.ts";
import { rtb, scenario } from "../model/test-support.ts";
import { plan, Slots } from "./plan.ts";
import type { Plan } from "./plan.ts";
import type { KernelEndpoint } from "./types.ts";

const S3 = awsServiceAddress("us-east-1", "s3")!;
const PL = "pl-63a5400a";

function withGateway(opts: { state?: string; vpcId?: string; route?: boolean } = {}): NetSnapshot {
  const s = scenario();
  s.prefixLists = [{ prefixListId: PL, cidrs: [`${S3}/32`] }];
  s.vpcEndpoints = [{ id: "vpce-s3", vpcId: opts.vpcId ?? "vpc-main", type: "Gateway", serviceName: "com.amazonaws.us-east-1.s3", service: "s3", region: "us-east-1", state: opts.state ?? "available", networkInterfaceIds: [] }];
  if (opts.route !== false) rtb(s, "rtb-private").routes.push({ destination: PL, target: { kind: "vpce", id: "vpce-s3" } });
  return s;
}

const listeners: KernelEndpoint[] = [443, 80].map((port) => ({ ip: S3, port, target: "aws:vpce-s3", protocol: "tcp", gatewayEndpointId: "vpce-s3" }));

function planOf(s: NetSnapshot, endpoints = listeners): Plan {
  const slots = { vpc: new Slots(), subnet: new Slots(), iface: new Slots(), rtb: new Slots() };
  return plan({ snapshot: s, endpoints, internet: [], lambdaEnis: [{ networkInterfaceId: "eni-fn", ipv6Allowed: false }], deadRoute: "blackhole" }, slots);
}

const privateTable = (p: Plan): string[] => p.tables.find((t) => t.table === p.subnets.find((x) => x.id === "subnet-private")!.table)!.routes4;

describe("kernel plan: gateway endpoints", () => {
  test("an available endpoint with listeners gets a namespace; its prefix list's CIDRs route to it", () => {
    const p = planOf(withGateway());
    assert.equal(p.gateways.length, 1);
    const g = p.gateways[0];
    assert.deepEqual([g.id, g.ips, g.listeners.map((l) => l.port)], ["vpce-s3", [S3], [443, 80]]);
    assert.ok(privateTable(p).includes(`${S3}/32 via inet6 fe80::2 dev ${g.ifname}`), privateTable(p).join("\n"));
    assert.ok(p.subnets.find((x) => x.id === "subnet-private")!.routed4.includes(`${S3}/32`), "the ENI namespace routes S3's address to the router");
    // The listeners are the endpoint's, not placed on an ENI.
    assert.deepEqual(p.warnings, []);
    assert.ok(p.enis.every((e) => e.listeners.length === 0));
  });

  test("without the route: nothing routes S3's address from the subnet", () => {
    const p = planOf(withGateway({ route: false }));
    assert.ok(!privateTable(p).some((r) => r.includes(S3)));
    assert.ok(!p.subnets.find((x) => x.id === "subnet-private")!.routed4.includes(`${S3}/32`));
  });

  for (const [what, opts] of [
    ["a pending endpoint", { state: "pending" }],
    ["another VPC's endpoint", { vpcId: "vpc-third" }],
  ] as const) {
    test(`${what}: the route is dead (the model drops it)`, () => {
      const p = planOf(withGateway(opts));
      assert.ok(privateTable(p).includes(`blackhole ${S3}/32`), privateTable(p).join("\n"));
      assert.ok(!privateTable(p).some((r) => r.includes(" dev w")));
    });
  }

  test("no listeners (a service hyperlocal does not serve): no namespace, a dead route", () => {
    const p = planOf(withGateway(), []);
    assert.deepEqual(p.gateways, []);
    assert.ok(privateTable(p).includes(`blackhole ${S3}/32`));
  });

  test("a CIDR route equal to a prefix list's CIDR: one kernel route, the first in the table's order", () => {
    const s = withGateway({ route: false });
    rtb(s, "rtb-private").routes.push({ destination: `${S3}/32`, target: { kind: "igw", id: "igw-none" } }, { destination: PL, target: { kind: "vpce", id: "vpce-s3" } });
    const routes = privateTable(planOf(s)).filter((r) => r.includes(S3));
    assert.deepEqual(routes, [`blackhole ${S3}/32`]);
  });
});
