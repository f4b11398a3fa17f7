import assert from "node:assert/strict";
import { test } from "node:test";
import type { Reachability } from "./admin-api.ts";
import { isPublicAddress, reachabilityHints } from "./reachability-hints.ts";

const answer = (over: Partial<Reachability>): Reachability => ({
  function: "f",
  verdict: "unreachable",
  reasons: [],
  path: [],
  returnPath: [],
  action: "unreachable",
  answer: "",
  source: { kind: "vpc", networkInterfaceId: "eni-1" },
  to: { host: "api.example.com", ip: "203.0.113.5", port: 443, protocol: "tcp" },
  ...over,
});

test("public and private addresses", () => {
  for (const ip of ["203.0.113.5", "8.8.8.8", "2600::1", "172.32.0.1"]) assert.equal(isPublicAddress(ip), true, ip);
  for (const ip of ["10.0.1.5", "172.16.0.1", "192.168.1.1", "127.0.0.1", "fd00::1", "fe80::1", "100.64.0.1"]) assert.equal(isPublicAddress(ip), false, ip);
});

test("no route from a VPC function to an internet address: a NAT gateway is needed", () => {
  const hints = reachabilityHints(answer({ reasons: [{ code: "NO_ROUTE_TO_DESTINATION", check: "no-route", message: "Route table rtb-1 has no route" }] }));
  assert.equal(hints.length, 1);
  assert.match(hints[0], /NAT gateway/);
});

test("no route to a private address is not about NAT", () => {
  const hints = reachabilityHints(answer({ to: { host: "10.1.0.5", ip: "10.1.0.5", port: 5432, protocol: "tcp" }, reasons: [{ code: "NO_ROUTE_TO_DESTINATION", check: "no-route", message: "" }] }));
  assert.deepEqual(hints, []);
});

test("the internet gateway route cannot help; a missing inbound rule names the group and port", () => {
  const igw = reachabilityHints(answer({ reasons: [{ code: "NO_ROUTE_TO_DESTINATION", check: "igw-no-public-ip", message: "" }] }));
  assert.match(igw[0], /cannot help a function.*NAT gateway/);
  const sg = reachabilityHints(
    answer({ verdict: "drop", to: { host: "10.0.2.10", port: 5432, protocol: "tcp" }, reasons: [{ code: "ENI_SG_RULES_MISMATCH", check: "security-group-ingress", message: "", component: { kind: "security-group", id: "sg-db" } }] }),
  );
  assert.match(sg[0], /sg-db has no inbound rule for tcp port 5432/);
});
