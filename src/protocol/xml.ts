/**
 * A tiny XML writer for AWS's response shapes: objects become elements, arrays become lists of
 * <item> (EC2) or <member> (query) children, undefined and null are left out.
 */
import type { OutputValue } from "../core/output-tree.ts";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
const SPECIAL = /[&<>"']/;

export function escapeXml(s: string): string {
  // Most values (ids, addresses, states) have nothing to escape: a test is cheaper than a replace.
  return SPECIAL.test(s) ? s.replace(/[&<>"']/g, (c) => ESCAPES[c]) : s;
}

// Built by string concatenation (V8 joins the pieces lazily): cheaper than an array and a join
// for answers of thousands of small elements (100 network interfaces).
export function writeXml(value: OutputValue, listItemName: "item" | "member"): string {
  return writeChildren(value, listItemName);
}

function writeChildren(value: OutputValue, item: string): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) {
    let out = "";
    for (const v of value) out += writeElement(item, v, item);
    return out;
  }
  if (typeof value === "object") {
    let out = "";
    for (const key of Object.keys(value)) out += writeElement(key, value[key], item);
    return out;
  }
  return escapeXml(String(value));
}

/**
 * The rendered children of frozen objects: a service that keeps a view while its record is
 * unchanged (EC2's network interfaces) freezes it, and it is rendered once, not on every Describe.
 */
const rendered = new WeakMap<object, { item: string; xml: string }>();

/** A kept text as one flat string (not a tree of the pieces it was joined from), so reuse is a copy. */
function flat(s: string): string {
  return Buffer.from(s, "utf8").toString("utf8");
}

function writeElement(name: string, value: OutputValue, item: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "object") return `<${name}>${escapeXml(String(value))}</${name}>`;
  if (Array.isArray(value) && value.length === 0) return `<${name}/>`;
  if (!Object.isFrozen(value)) return `<${name}>${writeChildren(value, item)}</${name}>`;
  let hit = rendered.get(value);
  if (hit?.item !== item) rendered.set(value, (hit = { item, xml: flat(writeChildren(value, item)) }));
  return `<${name}>${hit.xml}</${name}>`;
}
