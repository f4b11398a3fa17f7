import { dict } from "../../core/dict.ts";
import type { InputTree } from "../../core/input-tree.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { arnOf, gate, gateDescribe, requestTagContext, resourceTagContext, type ArnType, type AuthTarget, type Ec2Call } from "./context.ts";
import { ec2Error, invalidParameterValue, missingParameter, notFound, type IdKindName } from "./errors.ts";
import { reindexInterface } from "./eni-index.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { BOUNDS_1000, paginate } from "./pagination.ts";
import { stringList, structList } from "./request.ts";
import { type Ec2State, type Tags, valuesOf } from "./state.ts";

/** Tags on create (TagSpecification.N), CreateTags, DeleteTags and DescribeTags. */
export const MAX_TAGS = 50;

/** TagSpecification ResourceType values, by the id prefix of the resources they name. */
const TAGGABLE: { prefix: string; type: ArnType; kind: IdKindName; find: (s: Ec2State, id: string) => { tags: Tags } | undefined; list: (s: Ec2State) => readonly { id: string; tags: Tags }[] }[] = [
  { prefix: "vpc", type: "vpc", kind: "vpc", find: (s, id) => s.vpcs[id], list: (s) => Object.values(s.vpcs) },
  { prefix: "subnet", type: "subnet", kind: "subnet", find: (s, id) => s.subnets[id], list: (s) => Object.values(s.subnets) },
  { prefix: "sg", type: "security-group", kind: "sg", find: (s, id) => s.securityGroups[id], list: (s) => Object.values(s.securityGroups) },
  {
    prefix: "sgr",
    type: "security-group-rule",
    kind: "sgr",
    find: (s, id) => findRule(s, id),
    list: (s) => Object.values(s.securityGroups).flatMap((g) => g.rules),
  },
  { prefix: "acl", type: "network-acl", kind: "acl", find: (s, id) => s.networkAcls[id], list: (s) => Object.values(s.networkAcls) },
  { prefix: "rtb", type: "route-table", kind: "rtb", find: (s, id) => s.routeTables[id], list: (s) => Object.values(s.routeTables) },
  { prefix: "igw", type: "internet-gateway", kind: "igw", find: (s, id) => s.internetGateways[id], list: (s) => Object.values(s.internetGateways) },
  { prefix: "eigw", type: "egress-only-internet-gateway", kind: "eigw", find: (s, id) => s.egressOnlyInternetGateways[id], list: (s) => Object.values(s.egressOnlyInternetGateways) },
  {
    prefix: "nat",
    type: "natgateway",
    kind: "nat",
    find: (s, id) => (s.natGateways[id]?.state === "deleted" ? undefined : s.natGateways[id]),
    list: (s) => Object.values(s.natGateways).filter((n) => n.state !== "deleted"),
  },
  {
    prefix: "eipalloc",
    type: "elastic-ip",
    kind: "eipalloc",
    find: (s, id) => s.addresses[id],
    list: (s) => Object.values(s.addresses).map((a) => ({ id: a.allocationId, tags: a.tags })),
  },
  { prefix: "pcx", type: "vpc-peering-connection", kind: "pcx", find: (s, id) => s.peerings[id], list: (s) => Object.values(s.peerings) },
  { prefix: "eni", type: "network-interface", kind: "eni", find: (s, id) => s.networkInterfaces[id], list: (s) => valuesOf(s.networkInterfaces) },
  {
    prefix: "vpce",
    type: "vpc-endpoint",
    kind: "vpce",
    find: (s, id) => (s.vpcEndpoints && Object.prototype.hasOwnProperty.call(s.vpcEndpoints, id) ? s.vpcEndpoints[id] : undefined),
    list: (s) => Object.values(s.vpcEndpoints ?? {}),
  },
  { prefix: "dopt", type: "dhcp-options", kind: "dopt", find: (s, id) => s.dhcpOptions[id], list: (s) => Object.values(s.dhcpOptions) },
];

function findRule(s: Ec2State, id: string) {
  for (const g of Object.values(s.securityGroups)) {
    const r = g.rules.find((x) => x.id === id);
    if (r) return r;
  }
  return undefined;
}

function taggableOf(id: string) {
  const dash = id.indexOf("-");
  const prefix = dash > 0 ? id.slice(0, dash) : "";
  return TAGGABLE.find((t) => t.prefix === prefix);
}

/** The type and tags of any taggable resource, by id; EC2's NotFound error when it is not there. */
export function taggable(s: Ec2State, id: string): { type: ArnType; tags: Tags } {
  const t = taggableOf(id);
  if (!t) throw ec2Error("InvalidID", `The ID '${id}' is not valid`);
  const r = t.find(s, id);
  if (!r) throw notFound(t.kind, id);
  return { type: t.type, tags: r.tags };
}

const isReservedKey = (key: string) => key.toLowerCase().startsWith("aws:");

export function validateTags(tags: { key: string; value: string }[]): void {
  for (const { key, value } of tags) {
    if (isReservedKey(key)) throw invalidParameterValue("Tag keys starting with 'aws:' are reserved for internal use");
    if (key.length > 128) throw invalidParameterValue(`Tag key exceeds the maximum length of 128 characters`); // unverified wording
    if (value.length > 256) throw invalidParameterValue(`Tag value exceeds the maximum length of 256 characters`); // unverified wording
  }
}

function readTags(list: InputTree[]): { key: string; value: string }[] {
  return list.map((t) => {
    const key = typeof t.Key === "string" ? t.Key : "";
    if (key === "") throw missingParameter("Tag.Key"); // unverified wording
    return { key, value: typeof t.Value === "string" ? t.Value : "" };
  });
}

/**
 * TagSpecification.N.ResourceType / .Tag.M.Key / .Tag.M.Value: the tags a create call asks for,
 * by resource type. A type the call does not create is refused.
 */
export function tagSpecifications(p: InputTree, allowed: ArnType[]): Partial<Record<ArnType, Tags>> {
  const out: Partial<Record<ArnType, Tags>> = {};
  for (const spec of structList(p, "TagSpecification")) {
    const type = typeof spec.ResourceType === "string" ? spec.ResourceType : "";
    if (!allowed.includes(type as ArnType)) throw invalidParameterValue(`'${type}' is not a valid taggable resource type for this operation.`);
    const tags = readTags(structList(spec, "Tag"));
    if (tags.length === 0) throw invalidParameterValue("Tag specification must have at least one tag");
    validateTags(tags);
    const into = (out[type as ArnType] ??= dict());
    for (const t of tags) into[t.key] = t.value;
    if (Object.keys(into).length > MAX_TAGS) throw ec2Error("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.");
  }
  return out;
}

/** tagSet: absent when empty (AWS leaves it out for most resources), or [] when `always`. */
export function tagSetView(tags: Tags, always = false): OutputObject[] | undefined {
  const entries = Object.entries(tags);
  if (entries.length === 0 && !always) return undefined;
  return entries.map(([key, value]) => ({ key, value }));
}

export function createTags(c: Ec2Call): OutputObject {
  const ids = stringList(c.p, "ResourceId");
  if (ids.length === 0) throw missingParameter("resourceIdSet");
  const tags = readTags(structList(c.p, "Tag"));
  validateTags(tags);
  const found = ids.map((id) => ({ id, ...taggable(c.s, id) }));
  const targets: AuthTarget[] = found.map((f) => ({
    arn: arnOf(c.s, f.type, f.id),
    context: { ...resourceTagContext(f.tags), ...requestTagContext(Object.fromEntries(tags.map((t) => [t.key, t.value]))) },
  }));
  gate(c, "CreateTags", targets);
  for (const f of found) {
    const keys = new Set([...Object.keys(f.tags), ...tags.map((t) => t.key)]);
    if (keys.size > MAX_TAGS) throw ec2Error("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.");
  }
  for (const f of found) for (const t of tags) f.tags[t.key] = t.value;
  reindexTagged(c.s, found);
  return { return: true };
}

export function deleteTags(c: Ec2Call): OutputObject {
  const ids = stringList(c.p, "ResourceId");
  if (ids.length === 0) throw missingParameter("resourceIdSet");
  // Tag.N.Key alone deletes the key whatever its value; with Tag.N.Value only when it matches.
  const wanted = structList(c.p, "Tag").map((t) => ({ key: typeof t.Key === "string" ? t.Key : "", value: typeof t.Value === "string" ? t.Value : undefined }));
  // Tags AWS set (aws:cloudformation:*) cannot be deleted by anyone.
  if (wanted.some((w) => isReservedKey(w.key))) throw invalidParameterValue("Tag keys starting with 'aws:' are reserved for internal use");
  const found = ids.map((id) => ({ id, ...taggable(c.s, id) }));
  gate(
    c,
    "DeleteTags",
    found.map((f) => ({ arn: arnOf(c.s, f.type, f.id), context: { ...resourceTagContext(f.tags), ...(wanted.length ? { "aws:TagKeys": wanted.map((w) => w.key) } : {}) } })),
  );
  for (const f of found) {
    if (wanted.length === 0) {
      for (const k of Object.keys(f.tags)) if (!isReservedKey(k)) delete f.tags[k];
      continue;
    }
    for (const w of wanted) {
      if (!Object.prototype.hasOwnProperty.call(f.tags, w.key)) continue;
      if (w.value === undefined || f.tags[w.key] === w.value) delete f.tags[w.key];
    }
  }
  reindexTagged(c.s, found);
  return { return: true };
}

/** Interfaces are indexed by their tags. */
function reindexTagged(s: Ec2State, found: { id: string }[]): void {
  for (const f of found) {
    const eni = f.id.startsWith("eni-") && Object.prototype.hasOwnProperty.call(s.networkInterfaces, f.id) ? s.networkInterfaces[f.id] : undefined;
    if (eni) reindexInterface(s, eni);
  }
}

interface TagRow {
  resourceId: string;
  resourceType: ArnType;
  key: string;
  value: string;
}

const tagFilters: FilterTable<TagRow> = {
  key: (t) => t.key,
  "resource-id": (t) => t.resourceId,
  "resource-type": (t) => t.resourceType,
  value: (t) => t.value,
};

export function describeTags(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeTags");
  const rows: TagRow[] = [];
  for (const t of TAGGABLE) {
    for (const r of t.list(c.s)) for (const [key, value] of Object.entries(r.tags)) rows.push({ resourceId: r.id, resourceType: t.type, key, value });
  }
  const filters = parseFilters(c.p);
  // tag:<key> filters on DescribeTags select the rows with that key and value.
  const plain = filters.filter((f) => !f.name.startsWith("tag:"));
  let picked = applyFilters(rows, plain, tagFilters);
  for (const f of filters.filter((x) => x.name.startsWith("tag:"))) {
    const key = f.name.slice(4);
    picked = applyFilters(picked, [{ name: "key", values: [key] }, { name: "value", values: f.values }], tagFilters);
  }
  const page = paginate(picked, c.p, BOUNDS_1000, (t) => `${t.resourceId}|${t.key}`);
  return { nextToken: page.nextToken, tagSet: page.items.map((t) => ({ resourceId: t.resourceId, resourceType: t.resourceType, key: t.key, value: t.value })) };
}
