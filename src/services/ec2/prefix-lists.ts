import type { OutputObject } from "../../core/output-tree.ts";
import { awsServiceAddress } from "../../core/aws-service-addresses.ts";
import { gate, gateDescribe, type Ec2Call } from "./context.ts";
import { ec2Error, wellFormed } from "./errors.ts";
import { stableHex } from "./endpoint-services.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { BOUNDS_1000, paginate } from "./pagination.ts";
import { optInt, reqString, stringList } from "./request.ts";

/**
 * The AWS-managed prefix lists of the gateway endpoint services (com.amazonaws.<region>.s3 and
 * .dynamodb), owned by AWS, the same in every account. Their CIDRs are the service's public
 * addresses in hyperlocal's model (core/aws-service-addresses.ts). Customer-managed prefix lists
 * are not served.
 */
export interface AwsPrefixList {
  id: string;
  name: string;
  service: string;
  cidrs: string[];
}

// us-east-1's real ids (DescribePrefixLists on AWS); other regions get a stable id of the same shape.
const KNOWN_IDS: Record<string, string> = { "us-east-1|s3": "pl-63a5400a", "us-east-1|dynamodb": "pl-02cd2c6b" };

export const PREFIX_LIST_SERVICES = ["dynamodb", "s3"];

export function awsPrefixListsOf(region: string): AwsPrefixList[] {
  return PREFIX_LIST_SERVICES.map((service) => {
    const key = `${region}|${service}`;
    const id = Object.prototype.hasOwnProperty.call(KNOWN_IDS, key) ? KNOWN_IDS[key] : `pl-${stableHex(key).slice(0, 8)}`;
    const address = awsServiceAddress(region, service);
    return { id, name: `com.amazonaws.${region}.${service}`, service, cidrs: address ? [`${address}/32`] : [] };
  });
}

export function awsPrefixListFor(region: string, service: string): AwsPrefixList | undefined {
  return awsPrefixListsOf(region).find((p) => p.service === service);
}

export function prefixListArn(region: string, id: string): string {
  return `arn:aws:ec2:${region}:aws:prefix-list/${id}`;
}

function checkIds(region: string, ids: string[]): void {
  const all = awsPrefixListsOf(region);
  for (const id of ids) {
    if (!wellFormed("pl", id)) throw ec2Error("InvalidPrefixListId.Malformed", `Invalid id: "${id}" (expecting "pl-...")`); // unverified wording
    if (!all.some((p) => p.id === id)) throw prefixListNotFound(id);
  }
}

function prefixListNotFound(id: string) {
  return ec2Error("InvalidPrefixListID.NotFound", `The prefix list ID '${id}' does not exist`); // unverified wording
}

const plFilters: FilterTable<AwsPrefixList> = {
  "prefix-list-id": (p) => p.id,
  "prefix-list-name": (p) => p.name,
};

const managedFilters: FilterTable<AwsPrefixList> = { ...plFilters, "owner-id": () => "AWS" };

function describePrefixLists(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribePrefixLists");
  const ids = stringList(c.p, "PrefixListId");
  checkIds(c.ctx.region, ids);
  const all = awsPrefixListsOf(c.ctx.region).filter((p) => ids.length === 0 || ids.includes(p.id));
  const page = paginate(applyFilters(all, parseFilters(c.p), plFilters), c.p, BOUNDS_1000, (p) => p.id);
  return { prefixListSet: page.items.map((p) => ({ cidrSet: p.cidrs, prefixListId: p.id, prefixListName: p.name })), nextToken: page.nextToken };
}

function managedView(region: string, p: AwsPrefixList): OutputObject {
  return {
    prefixListId: p.id,
    addressFamily: "IPv4",
    state: "create-complete",
    prefixListArn: prefixListArn(region, p.id),
    prefixListName: p.name,
    maxEntries: p.cidrs.length,
    version: 1,
    tagSet: [],
    ownerId: "AWS",
  };
}

function describeManagedPrefixLists(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeManagedPrefixLists");
  const ids = stringList(c.p, "PrefixListId");
  checkIds(c.ctx.region, ids);
  const all = awsPrefixListsOf(c.ctx.region).filter((p) => ids.length === 0 || ids.includes(p.id));
  const page = paginate(applyFilters(all, parseFilters(c.p), managedFilters), c.p, { min: 1, max: 100 }, (p) => p.id);
  return { prefixListSet: page.items.map((p) => managedView(c.ctx.region, p)), nextToken: page.nextToken };
}

function getManagedPrefixListEntries(c: Ec2Call): OutputObject {
  const id = reqString(c.p, "PrefixListId");
  checkIds(c.ctx.region, [id]);
  const list = awsPrefixListsOf(c.ctx.region).find((p) => p.id === id)!;
  gate(c, "GetManagedPrefixListEntries", { arn: prefixListArn(c.ctx.region, id) });
  const version = optInt(c.p, "TargetVersion");
  if (version !== undefined && version !== 1) throw ec2Error("InvalidPrefixListVersion", `The prefix list version '${version}' does not exist for prefix list '${id}'.`); // unverified wording
  const page = paginate(list.cidrs, c.p, { min: 1, max: 100 }, (cidr) => cidr);
  return { entrySet: page.items.map((cidr) => ({ cidr })), nextToken: page.nextToken };
}

export const prefixListOperations = {
  DescribePrefixLists: describePrefixLists,
  DescribeManagedPrefixLists: describeManagedPrefixLists,
  GetManagedPrefixListEntries: getManagedPrefixListEntries,
};
