// Marker/MaxItems pagination (IsTruncated + Marker). The marker names the next item's sort key, so
// a page boundary survives items being added or removed between calls.
import type { InputTree } from "../../core/input-tree.ts";
import { validationError } from "./errors.ts";
import { MARKER, optInt, optString } from "./input.ts";

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

export function paginate<T>(all: readonly T[], sortKey: (t: T) => string, params: InputTree, defaultMax = 100): Page<T> {
  const max = optInt(params, "MaxItems", 1, 1000) ?? defaultMax;
  const marker = optString(params, "Marker", MARKER);
  const sorted = [...all].sort((a, b) => cmp(sortKey(a), sortKey(b)));
  let start = 0;
  if (marker !== undefined) {
    const from = decodeMarker(marker);
    start = sorted.findIndex((t) => cmp(sortKey(t), from) >= 0);
    if (start < 0) start = sorted.length;
  }
  const items = sorted.slice(start, start + max);
  const truncated = start + max < sorted.length;
  return truncated ? { items, IsTruncated: true, Marker: encodeMarker(sortKey(sorted[start + max])) } : { items, IsTruncated: false };
}

/** For results that have no natural key (simulation results): the marker is an offset. */
export function paginateByOffset<T>(all: readonly T[], params: InputTree, defaultMax = 100): Page<T> {
  const max = optInt(params, "MaxItems", 1, 1000) ?? defaultMax;
  const marker = optString(params, "Marker", MARKER);
  let start = 0;
  if (marker !== undefined) {
    const n = Number(decodeMarker(marker));
    if (!Number.isInteger(n) || n < 0) throw badMarker();
    start = n;
  }
  const items = all.slice(start, start + max);
  const truncated = start + max < all.length;
  return truncated ? { items, IsTruncated: true, Marker: encodeMarker(String(start + max)) } : { items, IsTruncated: false };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeMarker(k: string): string {
  return Buffer.from(`hl1:${k}`, "utf8").toString("base64");
}

function decodeMarker(m: string): string {
  const s = Buffer.from(m, "base64").toString("utf8");
  if (!s.startsWith("hl1:")) throw badMarker();
  return s.slice(4);
}

function badMarker() {
  return validationError("Invalid Marker."); // unverified wording
}
