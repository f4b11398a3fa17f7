// VPC endpoints in the model: gateway endpoint routes to a prefix list, interface endpoints'
// interfaces as destinations with their own security groups, the endpoint's state, the arrival an
// allowed AWS call carries (the IAM keys' source) and the advice on failures to AWS service addresses.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { awsServiceAddress, compileSnapshot, evaluate } from "./index.ts";
import type { NetSnapshot } from "./index.ts";
import { acl, fromEni, fromInternet, nacl, rtb, scenario, sg } from "./test-support.ts";

const STS = awsServiceAddress("us-east-1", "sts")!;
const S3 = awsServiceAddress("us-east-1", "s3")!;
const VPCE_IP = "10.0.1.99";

/** The fixture plus an STS interface endpoint in subnet-db (its group allows 443 from the VPC) and S3's prefix list. */
function withEndpoints(opts: { state?: string; ingress443?: boolean; gateway?: "rtb-main" | "rtb-private" } = {}): NetSnapshot {
  const s = scenario();
  s.vpcs[0].enableDnsHostnames = true;
  s.securityGroups.push({ groupId: "sg-vpce", vpcId: "vpc-main", ingress: opts.ingress443 === false ? [sg("tcp", [80, 80], { cidrs: ["10.0.0.0/16"] })] : [sg("tcp", [443, 443], { cidrs: ["10.0.0.0/16"] })], egress: [] });
  s.networkInterfaces.push({ networkInterfaceId: "eni-vpce", subnetId: "subnet-db", vpcId: "vpc-main", groupIds: ["sg-vpce"], privateIps: [VPCE_IP], ipv6Addresses: [], interfaceType: "vpc_endpoint" });
  s.prefixLists = [{ prefixListId: "pl-63a5400a", cidrs: [`${S3}/32`] }];
  s.vpcEndpoints = [
    {
      id: "vpce-sts",
      vpcId: "vpc-main",
      type: "Interface",
      serviceName: "com.amazonaws.us-east-1.sts",
      service: "sts",
      region: "us-east-1",
      state: opts.state ?? "available",
      networkInterfaceIds: ["eni-vpce"],
      dnsNames: ["vpce-sts-abcdefgh.sts.us-east-1.vpce.amazonaws.com"],
      privateDnsNames: ["sts.us-east-1.amazonaws.com"],
    },
    { id: "vpce-s3", vpcId: "vpc-main", type: "Gateway", serviceName: "com.amazonaws.us-east-1.s3", service: "s3", region: "us-east-1", state: "available", networkInterfaceIds: [] },
  ];
  if (opts.gateway) rtb(s, opts.gateway).routes.push({ destination: "pl-63a5400a", target: { kind: "vpce", id: "vpce-s3" } });
  return s;
}

describe("AWS service addresses without an endpoint", () => {
  test("local route only: no route, and the reason says to add a NAT gateway or an interface endpoint", () => {
    const v = evaluate(compileSnapshot(withEndpoints()), fromEni(STS, 443, "tcp", "eni-fn-isolated"));
    assert.equal(v.verdict, "unreachable");
    assert.equal(v.reasons[0].check, "no-route");
    assert.match(v.reasons[0].message, /add a NAT gateway or an interface endpoint for com\.amazonaws\.us-east-1\.sts\.$/);
    assert.equal(v.awsService, undefined);
  });

  test("S3 without a route: the advice names the gateway endpoint too", () => {
    const v = evaluate(compileSnapshot(withEndpoints()), fromEni(S3, 443, "tcp", "eni-fn-isolated"));
    assert.match(v.reasons[0].message, /interface endpoint for com\.amazonaws\.us-east-1\.s3, or a gateway endpoint for com\.amazonaws\.us-east-1\.s3/);
  });

  test("through the NAT gateway: allowed, the service sees the Elastic IP (aws:SourceIp), no VPC keys", () => {
    const v = evaluate(compileSnapshot(withEndpoints()), fromEni(STS, 443));
    assert.equal(v.verdict, "allow");
    assert.deepEqual(v.awsService, { service: "sts", region: "us-east-1", via: "nat-gateway", sourceIp: "198.51.100.5" });
  });

  test("a function without VPC: direct, no VPC keys", () => {
    const v = evaluate(compileSnapshot(withEndpoints()), fromInternet(STS, 443));
    assert.equal(v.verdict, "allow");
    assert.deepEqual(v.awsService, { service: "sts", region: "us-east-1", via: "direct", sourceIp: "198.51.100.1" });
  });

  test("an address that is not an AWS service's gets no advice", () => {
    const v = evaluate(compileSnapshot(withEndpoints()), fromEni("198.51.100.200", 443, "tcp", "eni-fn-isolated"));
    assert.equal(v.verdict, "unreachable");
    assert.doesNotMatch(v.reasons[0].message, /interface endpoint/);
  });
});

describe("interface endpoints", () => {
  test("allowed to the endpoint's interface: the path and the arrival name the endpoint", () => {
    const v = evaluate(compileSnapshot(withEndpoints()), fromEni(VPCE_IP, 443, "tcp", "eni-fn-isolated"));
    assert.equal(v.verdict, "allow", v.reasons[0]?.message);
    assert.ok(v.path.some((h) => h.kind === "vpc-endpoint" && h.id === "vpce-sts"));
    assert.equal(v.target?.kind, "endpoint");
    assert.equal(v.target?.kind === "endpoint" && v.target.vpcEndpointId, "vpce-sts");
    assert.deepEqual(v.awsService, { service: "sts", region: "us-east-1", via: "interface-endpoint", vpcEndpointId: "vpce-sts", vpcId: "vpc-main", vpcSourceIp: "10.0.4.10" });
  });

  test("the endpoint's security group without 443: dropped at its ingress", () => {
    const v = evaluate(compileSnapshot(withEndpoints({ ingress443: false })), fromEni(VPCE_IP, 443, "tcp", "eni-fn-isolated"));
    assert.equal(`${v.verdict} ${v.reasons[0].code} ${v.reasons[0].check}`, "drop ENI_SG_RULES_MISMATCH security-group-ingress");
  });

  test("a pending endpoint carries nothing yet", () => {
    const v = evaluate(compileSnapshot(withEndpoints({ state: "pending" })), fromEni(VPCE_IP, 443, "tcp", "eni-fn-isolated"));
    assert.equal(`${v.verdict} ${v.reasons[0].code} ${v.reasons[0].check}`, "drop BAD_STATE vpc-endpoint-state");
  });

  test("names: the vpce name always, the private DNS name only with both DNS attributes", () => {
    const on = compileSnapshot(withEndpoints()).vpcs.get("vpc-main")!;
    assert.deepEqual(on.endpointNames.get("sts.us-east-1.amazonaws.com"), [VPCE_IP]);
    assert.deepEqual(on.endpointNames.get("vpce-sts-abcdefgh.sts.us-east-1.vpce.amazonaws.com"), [VPCE_IP]);
    const snap = withEndpoints();
    snap.vpcs[0].enableDnsHostnames = false;
    const off = compileSnapshot(snap).vpcs.get("vpc-main")!;
    assert.equal(off.endpointNames.get("sts.us-east-1.amazonaws.com"), undefined);
    assert.deepEqual(off.endpointNames.get("vpce-sts-abcdefgh.sts.us-east-1.vpce.amazonaws.com"), [VPCE_IP]);
  });
});

describe("gateway endpoints", () => {
  test("a route to the prefix list reaches S3 without NAT; the arrival carries the endpoint and the private address", () => {
    const v = evaluate(compileSnapshot(withEndpoints({ gateway: "rtb-main" })), fromEni(S3, 443, "tcp", "eni-fn-isolated"));
    assert.equal(v.verdict, "allow", v.reasons[0]?.message);
    assert.ok(v.path.some((h) => h.kind === "route-table" && h.detail === `pl-63a5400a (${S3}/32) -> vpce-s3`));
    assert.ok(v.path.some((h) => h.kind === "vpc-endpoint" && h.id === "vpce-s3"));
    assert.deepEqual(v.awsService, { service: "s3", region: "us-east-1", via: "gateway-endpoint", vpcEndpointId: "vpce-s3", vpcId: "vpc-main", vpcSourceIp: "10.0.4.10" });
  });

  test("the prefix-list route is more specific than 0.0.0.0/0 to the NAT gateway", () => {
    const v = evaluate(compileSnapshot(withEndpoints({ gateway: "rtb-private" })), fromEni(S3, 443));
    assert.equal(v.awsService?.via, "gateway-endpoint");
  });

  test("other services do not take the S3 route", () => {
    const v = evaluate(compileSnapshot(withEndpoints({ gateway: "rtb-main" })), fromEni(STS, 443, "tcp", "eni-fn-isolated"));
    assert.equal(v.verdict, "unreachable");
  });

  test("the subnet's network ACL applies on the way out", () => {
    const s = withEndpoints({ gateway: "rtb-main" });
    nacl(s, "acl-default").entries.unshift(acl(50, true, "deny", "-1", `${S3}/32`));
    const v = evaluate(compileSnapshot(s), fromEni(S3, 443, "tcp", "eni-fn-isolated"));
    assert.equal(`${v.verdict} ${v.reasons[0].code} ${v.reasons[0].check}`, "drop SUBNET_ACL_RESTRICTION network-acl-outbound");
  });

  test("a route to an endpoint that no longer exists is a blackhole, with the advice", () => {
    const s = withEndpoints({ gateway: "rtb-main" });
    s.vpcEndpoints = s.vpcEndpoints!.filter((e) => e.id !== "vpce-s3");
    const v = evaluate(compileSnapshot(s), fromEni(S3, 443, "tcp", "eni-fn-isolated"));
    assert.equal(`${v.verdict} ${v.reasons[0].check}`, "drop blackhole-route");
    assert.match(v.reasons[0].message, /gateway endpoint for com\.amazonaws\.us-east-1\.s3/);
  });
});
