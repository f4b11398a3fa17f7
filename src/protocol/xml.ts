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

/**
 * Where the writer puts what it writes: text built by string concatenation (V8 joins the pieces
 * lazily, cheaper than an array and a join for thousands of small elements), and, when writing
 * bytes, the encoded parts before it.
 */
interface Out {
  text: string;
  /** Set when writing bytes: kept renderings go in as bytes, the text between them is encoded. */
  parts?: Buffer[];
}

export function writeXml(value: OutputValue, listItemName: "item" | "member"): string {
  const out: Out = { text: "" };
  writeChildren(out, value, listItemName);
  return out.text;
}

/**
 * `head`, the value and `tail` as UTF-8 bytes, or as text when nothing kept is in it. A large answer
 * (100 network interfaces of EC2's kept views) is then a copy of bytes rendered before: no text of
 * 100 KB to flatten, measure and encode again on every Describe.
 */
export function writeXmlBytes(head: string, value: OutputValue, listItemName: "item" | "member", tail: string): Buffer | string {
  const out: Out = { text: head, parts: [] };
  writeChildren(out, value, listItemName);
  out.text += tail;
  if (out.parts!.length === 0) return out.text;
  flush(out);
  return Buffer.concat(out.parts!);
}

function flush(out: Out): void {
  if (out.text !== "") out.parts!.push(Buffer.from(out.text, "utf8"));
  out.text = "";
}

function writeChildren(out: Out, value: OutputValue, item: string): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) writeElement(out, item, v, item);
    return;
  }
  if (typeof value === "object") {
    for (const key of Object.keys(value)) writeElement(out, key, value[key], item);
    return;
  }
  out.text += escapeXml(String(value));
}

/**
 * The rendered element of frozen objects, as bytes: a service that keeps a view while its record is
 * unchanged (EC2's network interfaces) freezes it, and it is rendered once, not on every Describe.
 */
const rendered = new WeakMap<object, { name: string; item: string; bytes: Buffer }>();

function writeElement(out: Out, name: string, value: OutputValue, item: string): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "object") {
    out.text += `<${name}>${escapeXml(String(value))}</${name}>`;
    return;
  }
  if (Array.isArray(value) && value.length === 0) {
    out.text += `<${name}/>`;
    return;
  }
  if (!Object.isFrozen(value)) {
    out.text += `<${name}>`;
    writeChildren(out, value, item);
    out.text += `</${name}>`;
    return;
  }
  let hit = rendered.get(value);
  if (hit?.name !== name || hit.item !== item) {
    const inner: Out = { text: "" };
    writeChildren(inner, value, item);
    rendered.set(value, (hit = { name, item, bytes: Buffer.from(`<${name}>${inner.text}</${name}>`, "utf8") }));
  }
  if (!out.parts) {
    out.text += hit.bytes.toString("utf8");
    return;
  }
  flush(out);
  out.parts.push(hit.bytes);
}
