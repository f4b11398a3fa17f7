/**
 * A tiny XML writer for AWS's response shapes: objects become elements, arrays become lists of
 * <item> (EC2) or <member> (query) children, undefined and null are left out.
 */
export type XmlValue = string | number | boolean | null | undefined | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export function writeXml(value: XmlValue, listItemName: "item" | "member"): string {
  const out: string[] = [];
  writeChildren(value, listItemName, out);
  return out.join("");
}

function writeChildren(value: XmlValue, item: string, out: string[]): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) writeElement(item, v, item, out);
    return;
  }
  if (typeof value === "object") {
    for (const key of Object.keys(value)) writeElement(key, value[key], item, out);
    return;
  }
  out.push(escapeXml(String(value)));
}

function writeElement(name: string, value: XmlValue, item: string, out: string[]): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "object") {
    out.push(`<${name}>${escapeXml(String(value))}</${name}>`);
    return;
  }
  if (Array.isArray(value) && value.length === 0) {
    out.push(`<${name}/>`);
    return;
  }
  out.push(`<${name}>`);
  writeChildren(value, item, out);
  out.push(`</${name}>`);
}
