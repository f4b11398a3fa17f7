// Route tables: longest-prefix match over routes sorted by prefix length, per family. A VPC's
// local routes are always there (AWS creates them and they cannot be deleted), so compile adds any
// the snapshot left out.
import { parseCidr } from "../../net-addr/ip.ts";
import type { Cidr, IpAddr } from "../../net-addr/ip.ts";
import type { CRoute, CRouteTable, CTarget } from "./compiled-types.ts";
import type { NetSnapshot, RouteTarget } from "./types.ts";

type RouteInput = NetSnapshot["routeTables"][number]["routes"][number];

function targetText(t: RouteTarget): string {
  return t.kind === "local" ? "local" : t.kind === "blackhole" ? `blackhole${t.id ? ` (${t.id})` : ""}` : t.id;
}

/**
 * `resolve` turns a snapshot target into a compiled one (gateways looked up by id; a missing one is
 * left unresolved and behaves as a blackhole). `vpcCidrs` are the VPC's blocks for the local routes.
 * A route to a prefix list (a gateway endpoint's) becomes one route per CIDR of the list, so the
 * longest-prefix match treats it like AWS does (more specific than 0.0.0.0/0); an unknown list adds none.
 */
export function compileRouteTable(id: string, routes: RouteInput[], vpcCidrs: Cidr[], resolve: (t: RouteTarget) => CTarget, prefixLists?: Map<string, string[]>): CRouteTable {
  const v4: CRoute[] = [];
  const v6: CRoute[] = [];
  const add = (cidr: Cidr, target: RouteTarget, list?: string): void => {
    const dest = list ? `${list} (${cidr.text})` : cidr.text;
    const route: CRoute = { cidr, target: resolve(target), hop: Object.freeze({ kind: "route-table", id, detail: `${dest} -> ${targetText(target)}` }) };
    (cidr.fam === 4 ? v4 : v6).push(route);
  };
  for (const r of routes) {
    if (r.destination.startsWith("pl-")) {
      for (const text of prefixLists?.get(r.destination) ?? []) {
        const cidr = parseCidr(text);
        if (cidr) add(cidr, r.target, r.destination);
      }
      continue;
    }
    const cidr = parseCidr(r.destination);
    if (cidr) add(cidr, r.target);
  }
  for (const c of vpcCidrs) {
    const present = (c.fam === 4 ? v4 : v6).some((r) => r.target.kind === "local" && r.cidr.prefix === c.prefix && r.cidr.w0 === c.w0 && r.cidr.w1 === c.w1 && r.cidr.w2 === c.w2 && r.cidr.w3 === c.w3);
    if (!present) add(c, { kind: "local" });
  }
  // Longest prefix first; among equal prefixes the local route wins (AWS refuses duplicates anyway).
  const order = (a: CRoute, b: CRoute): number => b.cidr.prefix - a.cidr.prefix || (a.target.kind === "local" ? -1 : b.target.kind === "local" ? 1 : 0);
  v4.sort(order);
  v6.sort(order);
  return { id, hop: Object.freeze({ kind: "route-table", id }), v4, v6 };
}

export function lookupRoute(table: CRouteTable, a: IpAddr): CRoute | undefined {
  if (a.fam === 4) {
    const routes = table.v4;
    const w = a.w0;
    for (let i = 0; i < routes.length; i++) {
      const c = routes[i].cidr;
      if ((w & c.m0) === c.w0) return routes[i];
    }
    return undefined;
  }
  const routes = table.v6;
  for (let i = 0; i < routes.length; i++) {
    const c = routes[i].cidr;
    if ((a.w0 & c.m0) === c.w0 && (a.w1 & c.m1) === c.w1 && (a.w2 & c.m2) === c.w2 && (a.w3 & c.m3) === c.w3) return routes[i];
  }
  return undefined;
}
