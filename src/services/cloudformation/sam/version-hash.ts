import { createHash } from "node:crypto";
import type { Json } from "../template/parse.ts";

/**
 * The text SAM hashes for AutoPublishAlias version ids: Python's
 * `json.dumps(data, separators=(",", ":"), sort_keys=True)`: compact, keys sorted at every level,
 * every non-ASCII character escaped as \uXXXX (ensure_ascii). A string is hashed as it is.
 */
export function pythonJson(data: Json): string {
  if (typeof data === "string") return data;
  return dump(data);
}

function dump(v: Json): string {
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(dump).join(",")}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${dump(k)}:${dump(v[k])}`).join(",")}}`;
}

/** LogicalIdGenerator: prefix + the first 10 hex digits of the SHA-1 of the data (or of a given hash). */
export function versionLogicalId(prefix: string, data: Json | undefined, givenHash?: string): string {
  if (givenHash) return prefix + givenHash.slice(0, 10);
  const empty = data === undefined || data === null || data === "" || (typeof data === "object" && Object.keys(data).length === 0);
  if (empty) return prefix;
  return prefix + createHash("sha1").update(pythonJson(data), "utf8").digest("hex").slice(0, 10);
}
