import { dict } from "../../core/dict.ts";
import { asList, asStringList, str, sub, type InputNode, type InputTree } from "../../core/input-tree.ts";
import { invalidParameterValue, malformed, missingParameter, wellFormed, type IdKindName } from "./errors.ts";

/**
 * Reading EC2 query parameters: flattened lists (`SubnetId.1=...`), booleans sent as
 * `true`/`false`, integers, and the `X.Value=...` attribute wrappers of Modify* calls.
 */
export function optString(p: InputTree, key: string): string | undefined {
  return str(p[key]);
}

export function reqString(p: InputTree, key: string, wireName = lowerFirst(key)): string {
  const v = str(p[key]);
  if (v === undefined || v === "") throw missingParameter(wireName);
  return v;
}

export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

export function optBool(p: InputTree | InputNode | undefined, key: string): boolean | undefined {
  const v = typeof p === "object" ? str(p[key]) : undefined;
  if (v === undefined) return undefined;
  const l = v.toLowerCase();
  if (l === "true") return true;
  if (l === "false") return false;
  throw invalidParameterValue(`Value (${v}) for parameter ${lowerFirst(key)} is invalid. Expected: 'true' or 'false'.`); // unverified wording
}

export function optInt(p: InputTree | InputNode | undefined, key: string): number | undefined {
  const v = typeof p === "object" ? str(p[key]) : undefined;
  if (v === undefined || v === "") return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw invalidParameterValue(`Value (${v}) for parameter ${lowerFirst(key)} is invalid. Expected a number.`); // unverified wording
  return Number(v);
}

/** `Name.1=a&Name.2=b` */
export function stringList(p: InputTree, key: string): string[] {
  return asStringList(p[key]);
}

export function structList(p: InputTree, key: string): InputTree[] {
  return asList(p[key]).filter((x): x is InputTree => typeof x === "object");
}

/** `EnableDnsSupport.Value=true` (AttributeBooleanValue) */
export function attrBool(p: InputTree, key: string): boolean | undefined {
  const node = p[key];
  if (node === undefined) return undefined;
  if (typeof node === "string") return optBool({ [key]: node }, key);
  return optBool(node, "Value");
}

/** `Description.Value=...` (AttributeValue) */
export function attrString(p: InputTree, key: string): string | undefined {
  const node = p[key];
  if (node === undefined) return undefined;
  if (typeof node === "string") return node;
  return str(sub(node, "Value")) ?? "";
}

export function isDryRun(p: InputTree): boolean {
  return optBool(p, "DryRun") === true;
}

/** Check an id's shape before any lookup, as EC2 does while parsing the request. */
export function checkId(kind: IdKindName, prefix: string, id: string): string {
  if (!wellFormed(prefix, id)) throw malformed(kind, prefix, id);
  return id;
}

/** The request parameters that decide what a ClientToken retry must repeat. */
export function fingerprint(p: InputTree): string {
  const { ClientToken: _c, DryRun: _d, Action: _a, Version: _v, ...rest } = p;
  return JSON.stringify(sortKeys(rest));
}

function sortKeys(n: InputNode): unknown {
  if (typeof n === "string") return n;
  const out = dict<unknown>();
  for (const k of Object.keys(n).sort()) out[k] = sortKeys(n[k]);
  return out;
}
