import type { InputTree } from "../../core/input-tree.ts";
import { invalidParameterValue } from "./errors.ts";
import { stringList, structList } from "./request.ts";

/**
 * EC2 Describe* filters: `Filter.N.Name` with `Filter.N.Value.M`. Filters are ANDed, the values of
 * one filter are ORed, and a multi-valued attribute matches when any of its values matches.
 * Values may use `*` (any run of characters) and `?` (one character), `\*` and `\?` for the
 * characters themselves. Matching is case-sensitive. `tag:<Key>`, `tag-key` and `tag-value` work
 * on every resource that has tags.
 */
export interface Filter {
  name: string;
  values: string[];
}

export type FilterScalar = string | number | boolean | undefined | null;
export type FilterValue = FilterScalar | FilterScalar[];

/** Filter name → the values of that attribute on one resource. */
export type FilterTable<T> = Record<string, (r: T) => FilterValue>;

export function parseFilters(p: InputTree, key = "Filter"): Filter[] {
  return structList(p, key).map((f) => ({ name: typeof f.Name === "string" ? f.Name : "", values: stringList(f, "Value") }));
}

const patternCache = new Map<string, RegExp | string>();

/** A compiled value: a plain string when it has no wildcard, else a RegExp. */
function compile(value: string): RegExp | string {
  let hit = patternCache.get(value);
  if (hit !== undefined) return hit;
  if (!/[*?\\]/.test(value)) {
    hit = value;
  } else {
    let re = "^";
    for (let i = 0; i < value.length; i++) {
      const c = value[i];
      if (c === "\\" && i + 1 < value.length && (value[i + 1] === "*" || value[i + 1] === "?" || value[i + 1] === "\\")) {
        re += escapeRe(value[++i]);
      } else if (c === "*") re += "[\\s\\S]*";
      else if (c === "?") re += "[\\s\\S]";
      else re += escapeRe(c);
    }
    hit = new RegExp(`${re}$`);
  }
  if (patternCache.size > 5000) patternCache.clear();
  patternCache.set(value, hit);
  return hit;
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Whether a filter value uses `*`, `?` or an escape (else it matches one exact string). */
export function isWildcard(value: string): boolean {
  return typeof compile(value) !== "string";
}

export function matchesPattern(pattern: string, actual: string): boolean {
  const p = compile(pattern);
  return typeof p === "string" ? p === actual : p.test(actual);
}

type Test = (actual: string) => boolean;

/** One filter's values as a single test: a Set for exact values, RegExps for wildcards. */
function valueTest(values: string[]): Test {
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const v of values) {
    const c = compile(v);
    if (typeof c === "string") exact.add(c);
    else patterns.push(c);
  }
  if (patterns.length === 0) return (a) => exact.has(a);
  return (a) => exact.has(a) || patterns.some((p) => p.test(a));
}

function matchesValue(v: FilterValue, test: Test): boolean {
  if (Array.isArray(v)) {
    for (const x of v) if (x !== undefined && x !== null && test(String(x))) return true;
    return false;
  }
  return v !== undefined && v !== null && test(String(v));
}

/**
 * Keep the resources that pass every filter. Unknown filter names are refused as EC2 does:
 * InvalidParameterValue "The filter 'x' is invalid".
 */
export function applyFilters<T>(items: readonly T[], filters: Filter[], table: FilterTable<T>, tagsOf?: (r: T) => Record<string, string> | undefined): readonly T[] {
  if (filters.length === 0) return items;
  const checks = filters.map((f) => {
    const get = extractor(f.name, table, tagsOf);
    const test = valueTest(f.values);
    return (r: T) => matchesValue(get(r), test);
  });
  // Plain loops: this runs once per listed resource on every Describe.
  const out: T[] = [];
  next: for (const r of items) {
    for (const check of checks) if (!check(r)) continue next;
    out.push(r);
  }
  return out;
}

/** Check filter names without applying them (for callers that filter lazily). */
export function checkFilterNames<T>(filters: Filter[], table: FilterTable<T>, tagsOf?: (r: T) => Record<string, string> | undefined): void {
  for (const f of filters) extractor(f.name, table, tagsOf);
}

function extractor<T>(name: string, table: FilterTable<T>, tagsOf?: (r: T) => Record<string, string> | undefined): (r: T) => FilterValue {
  if (Object.prototype.hasOwnProperty.call(table, name)) return table[name];
  if (tagsOf) {
    if (name.startsWith("tag:") && name.length > 4) {
      const key = name.slice(4);
      return (r) => {
        const t = tagsOf(r);
        return t && Object.prototype.hasOwnProperty.call(t, key) ? t[key] : undefined;
      };
    }
    if (name === "tag-key") return (r) => Object.keys(tagsOf(r) ?? {});
    if (name === "tag-value") return (r) => Object.values(tagsOf(r) ?? {});
  }
  throw invalidParameterValue(`The filter '${name}' is invalid`);
}
