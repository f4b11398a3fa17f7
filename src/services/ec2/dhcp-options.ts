import { ec2Id } from "../../core/ids.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { arnOf, gate, requestTagContext, resourceTagContext, type Ec2Call } from "./context.ts";
import { dependencyViolation, ec2Error, invalidParameterValue, missingParameter } from "./errors.ts";
import { getDhcpOptions, getVpc } from "./lookup.ts";
import { reqString, stringList, structList } from "./request.ts";
import type { DhcpOptionsRec } from "./state.ts";
import { tagSetView, tagSpecifications } from "./tags.ts";
import { defaultDhcpOptions } from "./vpcs.ts";

/** DHCP option sets: CreateDhcpOptions, AssociateDhcpOptions (or "default"), DeleteDhcpOptions. DescribeDhcpOptions lives in account.ts. */
const KEYS = ["domain-name-servers", "domain-name", "ntp-servers", "netbios-name-servers", "netbios-node-type", "ipv6-address-preferred-lease-time"];

export function dhcpOptionsView(d: DhcpOptionsRec): OutputObject {
  return {
    ownerId: d.ownerId,
    tagSet: tagSetView(d.tags, true),
    dhcpOptionsId: d.id,
    dhcpConfigurationSet: d.configurations.map((x) => ({ key: x.key, valueSet: x.values.map((value) => ({ value })) })),
  };
}

function createDhcpOptions(c: Ec2Call): OutputObject {
  const configurations = structList(c.p, "DhcpConfiguration").map((x) => ({ key: reqString(x, "Key"), values: stringList(x, "Value") }));
  if (configurations.length === 0) throw missingParameter("dhcpConfiguration"); // unverified wording
  for (const { key, values } of configurations) {
    if (!KEYS.includes(key)) throw invalidParameterValue(`Value (${key}) for parameter key is invalid. Unknown DHCP option`); // unverified wording
    if (values.length === 0) throw missingParameter(`dhcpConfiguration.${key}.value`); // unverified wording
    if (key === "domain-name-servers" && values.length > 4) throw invalidParameterValue("Value of domain-name-servers may contain at most 4 addresses."); // unverified wording
  }
  if (new Set(configurations.map((x) => x.key)).size !== configurations.length) throw ec2Error("InvalidParameterValue", "Each DHCP option may be given once."); // unverified wording
  const tags = tagSpecifications(c.p, ["dhcp-options"])["dhcp-options"];
  gate(c, "CreateDhcpOptions", { arn: arnOf(c.s, "dhcp-options", "*"), context: requestTagContext(tags) });
  const d: DhcpOptionsRec = { id: ec2Id("dopt"), ownerId: c.s.account, configurations, tags: tags ?? {}, custom: true };
  c.s.dhcpOptions[d.id] = d;
  return { dhcpOptions: dhcpOptionsView(d) };
}

function associateDhcpOptions(c: Ec2Call): OutputObject {
  const id = reqString(c.p, "DhcpOptionsId", "dhcpOptionsId");
  const vpc = getVpc(c.s, reqString(c.p, "VpcId", "vpcId"));
  // "default": the Region's own set, as a new VPC gets it.
  const d = id === "default" ? getDhcpOptions(c.s, defaultDhcpOptions(c.s)) : getDhcpOptions(c.s, id);
  gate(c, "AssociateDhcpOptions", [
    { arn: arnOf(c.s, "dhcp-options", d.id), context: resourceTagContext(d.tags) },
    { arn: arnOf(c.s, "vpc", vpc.id), context: resourceTagContext(vpc.tags) },
  ]);
  vpc.dhcpOptionsId = d.id;
  return { return: true };
}

function deleteDhcpOptions(c: Ec2Call): OutputObject {
  const d = getDhcpOptions(c.s, reqString(c.p, "DhcpOptionsId", "dhcpOptionsId"));
  gate(c, "DeleteDhcpOptions", { arn: arnOf(c.s, "dhcp-options", d.id), context: resourceTagContext(d.tags) });
  if (Object.values(c.s.vpcs).some((v) => v.dhcpOptionsId === d.id)) throw dependencyViolation(`The dhcpOptions '${d.id}' has dependencies and cannot be deleted.`);
  delete c.s.dhcpOptions[d.id];
  return { return: true };
}

export const dhcpOptionsOperations = {
  CreateDhcpOptions: createDhcpOptions,
  AssociateDhcpOptions: associateDhcpOptions,
  DeleteDhcpOptions: deleteDhcpOptions,
};
