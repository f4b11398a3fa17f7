import { AWS_REGIONS } from "../../core/aws-regions.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { describeAvailabilityZones } from "./availability-zones.ts";
import { gateDescribe, type Ec2Call } from "./context.ts";
import { invalidParameterValue } from "./errors.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { selectByIds } from "./lookup.ts";
import { BOUNDS_1000, paginate } from "./pagination.ts";
import { stringList } from "./request.ts";
import type { DhcpOptionsRec } from "./state.ts";
import { dhcpOptionsView } from "./dhcp-options.ts";

/** Region-wide, read-only calls: zones, regions, account attributes, DHCP option sets. */
const REGIONS = AWS_REGIONS.map((r) => r.name);

function describeRegions(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeRegions");
  const names = stringList(c.p, "RegionName");
  const all = REGIONS.includes(c.s.region) ? REGIONS : [...REGIONS, c.s.region];
  for (const n of names) if (!all.includes(n)) throw invalidParameterValue(`Invalid region: ${n}`); // unverified wording
  const rows = all.filter((r) => names.length === 0 || names.includes(r)).map((r) => ({ r }));
  const table: FilterTable<{ r: string }> = { endpoint: (x) => `ec2.${x.r}.amazonaws.com`, "region-name": (x) => x.r, "opt-in-status": () => "opt-in-not-required" };
  return {
    regionInfo: applyFilters(rows, parseFilters(c.p), table).map(({ r }) => ({ regionName: r, regionEndpoint: `ec2.${r}.amazonaws.com`, optInStatus: "opt-in-not-required" })),
  };
}

function describeAccountAttributes(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeAccountAttributes");
  const def = Object.values(c.s.vpcs).find((v) => v.isDefault);
  const attributes: Record<string, string[]> = {
    "supported-platforms": ["VPC"],
    "default-vpc": [def ? def.id : "none"],
    "max-instances": ["20"],
    "vpc-max-security-groups-per-interface": ["5"],
    "max-elastic-ips": ["5"],
    "vpc-max-elastic-ips": ["5"],
  };
  const wanted = stringList(c.p, "AttributeName");
  return {
    accountAttributeSet: Object.entries(attributes)
      .filter(([name]) => wanted.length === 0 || wanted.includes(name))
      .map(([attributeName, values]) => ({ attributeName, attributeValueSet: values.map((attributeValue) => ({ attributeValue })) })),
  };
}

const doptFilters: FilterTable<DhcpOptionsRec> = {
  "dhcp-options-id": (d) => d.id,
  key: (d) => d.configurations.map((x) => x.key),
  value: (d) => d.configurations.flatMap((x) => x.values),
  "owner-id": (d) => d.ownerId,
};

function describeDhcpOptions(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeDhcpOptions");
  const all = selectByIds(Object.values(c.s.dhcpOptions), stringList(c.p, "DhcpOptionsId"), (d) => d.id, "dopt", "dopt");
  const picked = applyFilters(all, parseFilters(c.p), doptFilters, (d) => d.tags);
  const page = paginate(picked, c.p, BOUNDS_1000, (d) => d.id);
  return {
    nextToken: page.nextToken,
    dhcpOptionsSet: page.items.map(dhcpOptionsView),
  };
}

export const accountOperations = {
  DescribeAvailabilityZones: (c: Ec2Call) => {
    gateDescribe(c, "DescribeAvailabilityZones");
    return describeAvailabilityZones(c.p, c.s.region);
  },
  DescribeRegions: describeRegions,
  DescribeAccountAttributes: describeAccountAttributes,
  DescribeDhcpOptions: describeDhcpOptions,
};
