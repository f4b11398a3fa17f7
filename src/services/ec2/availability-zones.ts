import { awsRegion } from "../../core/aws-regions.ts";
import { own } from "../../core/dict.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import type { InputTree } from "../../core/input-tree.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { invalidParameterValue } from "./errors.ts";
import { stringList } from "./request.ts";

/**
 * The zones of a region with their zone ids. AWS maps zone names to zone ids per account
 * (us-east-1a is use1-az6 in one account and use1-az2 in another); hyperlocal uses one fixed,
 * AWS-looking mapping per region.
 */
export interface Zone {
  name: string;
  id: string;
}

const SUFFIXES: Record<string, [string, number][]> = {
  "us-east-1": [["a", 6], ["b", 1], ["c", 2], ["d", 4], ["e", 3], ["f", 5]],
  "us-east-2": [["a", 1], ["b", 2], ["c", 3]],
  "us-west-1": [["a", 3], ["c", 1]],
  "us-west-2": [["a", 2], ["b", 1], ["c", 3], ["d", 4]],
  "eu-west-1": [["a", 3], ["b", 1], ["c", 2]],
  "eu-west-2": [["a", 2], ["b", 3], ["c", 1]],
  "eu-central-1": [["a", 2], ["b", 3], ["c", 1]],
  "eu-north-1": [["a", 1], ["b", 2], ["c", 3]],
  "ap-northeast-1": [["a", 4], ["c", 1], ["d", 2]],
  "ap-southeast-1": [["a", 2], ["b", 1], ["c", 3]],
  "ap-southeast-2": [["a", 1], ["b", 3], ["c", 2]],
  "ap-south-1": [["a", 1], ["b", 3], ["c", 2]],
  "ca-central-1": [["a", 1], ["b", 2], ["d", 4]],
  "sa-east-1": [["a", 1], ["b", 2], ["c", 3]],
};

const DIRECTIONS: Record<string, string> = {
  east: "e",
  west: "w",
  north: "n",
  south: "s",
  central: "c",
  northeast: "ne",
  northwest: "nw",
  southeast: "se",
  southwest: "sw",
};

/** us-east-1 → use1, ap-southeast-2 → apse2, eu-central-1 → euc1 */
export function regionCode(region: string): string {
  const m = /^([a-z]{2})-(?:gov-)?([a-z]+)-(\d+)$/.exec(region);
  if (!m) return region.replace(/[^a-z0-9]/g, "").slice(0, 6);
  return `${m[1]}${own(DIRECTIONS, m[2]) ?? m[2].slice(0, 2)}${m[3]}`;
}

export function zonesOf(region: string): Zone[] {
  const code = regionCode(region);
  const suffixes = own(SUFFIXES, region) ?? [["a", 1], ["b", 2], ["c", 3]];
  return suffixes.map(([s, n]) => ({ name: `${region}${s}`, id: `${code}-az${n}` }));
}

const zoneFilters: FilterTable<Zone & { region: string }> = {
  "group-name": (z) => z.region,
  "group-long-name": (z) => z.region,
  message: () => [],
  "opt-in-status": () => "opt-in-not-required",
  "parent-zone-id": () => undefined,
  "parent-zone-name": () => undefined,
  "region-name": (z) => z.region,
  state: () => "available",
  "zone-id": (z) => z.id,
  "zone-name": (z) => z.name,
  "zone-type": () => "availability-zone",
};

export function describeAvailabilityZones(p: InputTree, region: string): OutputObject {
  const all = zonesOf(region).map((z) => ({ ...z, region }));
  const names = stringList(p, "ZoneName");
  const ids = stringList(p, "ZoneId");
  for (const n of names) {
    if (!all.some((z) => z.name === n)) throw invalidParameterValue(`The zone '${n}' does not exist.`); // unverified wording
  }
  for (const n of ids) {
    if (!all.some((z) => z.id === n)) throw invalidParameterValue(`The zone '${n}' does not exist.`); // unverified wording
  }
  let zones: readonly (Zone & { region: string })[] = all.filter((z) => (names.length === 0 || names.includes(z.name)) && (ids.length === 0 || ids.includes(z.id)));
  zones = applyFilters(zones, parseFilters(p), zoneFilters);
  return {
    availabilityZoneInfo: zones.map((z) => ({
      optInStatus: "opt-in-not-required",
      messageSet: [],
      regionName: region,
      zoneName: z.name,
      zoneId: z.id,
      // "us-east-1-zg-1", "US East (N. Virginia) 1" (AWS-validated: LocalStack's test_describe_availability_zones_*).
      groupName: `${region}-zg-1`,
      networkBorderGroup: region,
      zoneType: "availability-zone",
      groupLongName: `${awsRegion(region)?.longName ?? region} 1`,
      zoneState: "available",
    })),
  };
}

