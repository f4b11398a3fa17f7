// Route lookup on its own: longest prefix per family, implicit local routes, unresolved targets.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseCidr, parseIp } from "../../net-addr/ip.ts";
import type { CTarget } from "./compiled-types.ts";
import { compileRouteTable, lookupRoute } from "./routing.ts";
import type { RouteTarget } from "./types.ts";

const resolve = (t: RouteTarget): CTarget => (t.kind === "local" ? { kind: "local" } : t.kind === "blackhole" ? { kind: "blackhole", id: t.id } : { kind: t.kind, id: t.id });

const table = compileRouteTable(
  "rtb-t",
  [
    { destination: "0.0.0.0/0", target: { kind: "nat", id: "nat-1" } },
    { destination: "203.0.113.0/24", target: { kind: "igw", id: "igw-1" } },
    { destination: "203.0.113.128/25", target: { kind: "pcx", id: "pcx-1" } },
    { destination: "10.0.1.0/24", target: { kind: "eni", id: "eni-fw" } },
    { destination: "::/0", target: { kind: "eigw", id: "eigw-1" } },
    { destination: "2001:db8:1::/48", target: { kind: "blackhole" } },
    { destination: "bogus", target: { kind: "igw", id: "igw-x" } },
  ],
  [parseCidr("10.0.0.0/16")!, parseCidr("2600:1f18:1234:5600::/56")!],
  resolve,
);

describe("longest prefix match", () => {
  const rows: [string, string][] = [
    ["203.0.113.200", "203.0.113.128/25 -> pcx-1"],
    ["203.0.113.10", "203.0.113.0/24 -> igw-1"],
    ["8.8.8.8", "0.0.0.0/0 -> nat-1"],
    ["10.0.1.25", "10.0.1.0/24 -> eni-fw"], // more specific than the local route
    ["10.0.3.10", "10.0.0.0/16 -> local"], // implicit local route
    ["2600:1f18:1234:56aa::1", "2600:1f18:1234:5600::/56 -> local"],
    ["2001:db8:1:2::1", "2001:db8:1::/48 -> blackhole"],
    ["2001:db8:2::1", "::/0 -> eigw-1"],
  ];
  for (const [ip, want] of rows) test(ip, () => assert.equal(lookupRoute(table, parseIp(ip)!)?.hop.detail, want));

  test("no route", () => {
    const t = compileRouteTable("rtb-local", [], [parseCidr("10.0.0.0/16")!], resolve);
    assert.equal(lookupRoute(t, parseIp("10.1.0.1")!), undefined);
    assert.equal(lookupRoute(t, parseIp("2001:db8::1")!), undefined);
  });

  test("an explicit local route is not duplicated", () => {
    const t = compileRouteTable("rtb-dup", [{ destination: "10.0.0.0/16", target: { kind: "local" } }], [parseCidr("10.0.0.0/16")!], resolve);
    assert.equal(t.v4.length, 1);
  });
});
