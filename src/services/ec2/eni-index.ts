import { untracked } from "../../store/tracking.ts";
import { undoneCount } from "../../store/unit-of-work.ts";
import { isWildcard, matchesPattern, type Filter } from "./filters.ts";
import type { Ec2State, EniRec } from "./state.ts";

/**
 * Network interfaces by the attributes DescribeNetworkInterfaces filters on most (addresses,
 * subnet, VPC, type, requester, groups, zone, description, tags), so a filtered describe over
 * 10,000 interfaces touches only the interfaces that can match. The index only narrows: the
 * describe still applies every filter to what it returns, so it must never leave out an interface
 * that matches. Kept in step by whoever writes an indexed attribute (`reindexInterface`,
 * `unindexInterface`); a failed request's changes undone by the store (`undoneCount`) and a fresh
 * state (a restart, a reset) rebuild it from the table on the next use.
 */

/** Filter name → the field that answers it (a Map: filter names are the caller's). */
const FIELD_OF = new Map<string, string>([
  ["network-interface-id", "id"],
  ["private-ip-address", "ip"],
  ["addresses.private-ip-address", "ip"],
  ["subnet-id", "subnet"],
  ["vpc-id", "vpc"],
  ["interface-type", "type"],
  ["requester-id", "requester"],
  ["group-id", "group"],
  ["availability-zone", "az"],
  ["description", "description"],
  ["tag-key", "tag-key"],
  ["tag-value", "tag-value"],
]);

type Posting = [field: string, value: string];

function postingsOf(e: EniRec): Posting[] {
  const out: Posting[] = [
    ["id", e.id],
    ["subnet", e.subnetId],
    ["vpc", e.vpcId],
    ["type", e.interfaceType],
    ["az", e.availabilityZone],
    ["description", e.description],
  ];
  if (e.requesterId !== undefined) out.push(["requester", e.requesterId]);
  for (const ip of e.privateIps) out.push(["ip", ip]);
  for (const g of e.groupIds) out.push(["group", g]);
  for (const [k, v] of Object.entries(e.tags)) out.push(["tag-key", k], ["tag-value", v], [`tag:${k}`, v]);
  return out;
}

/** One field: value → ids holding it, and (once a wildcard asked) the values in sorted order. */
interface FieldIndex {
  byValue: Map<string, Set<string>>;
  sorted?: string[];
}

/** The first index in `sorted` whose value is not below `v`. */
function lowerBound(sorted: readonly string[], v: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The literal text a wildcard pattern starts with ("bench 99*" → "bench 99"). */
function literalPrefix(pattern: string): string {
  let i = 0;
  while (i < pattern.length && pattern[i] !== "*" && pattern[i] !== "?" && pattern[i] !== "\\") i++;
  return pattern.slice(0, i);
}

export class EniIndex {
  private readonly fields = new Map<string, FieldIndex>();
  /** id → its creation rank (the order Describe lists in) and what it is indexed under */
  private readonly entries = new Map<string, { rank: number; postings: Posting[] }>();
  private ranks = 0;

  /** How many interfaces the table holds. */
  get size(): number {
    return this.entries.size;
  }

  /** Index a new interface, or index an existing one again after a change. */
  put(e: EniRec): void {
    const old = this.entries.get(e.id);
    if (old) this.unlink(e.id, old.postings);
    const postings = postingsOf(e);
    for (const [field, value] of postings) {
      let f = this.fields.get(field);
      if (!f) this.fields.set(field, (f = { byValue: new Map() }));
      let ids = f.byValue.get(value);
      if (!ids) {
        f.byValue.set(value, (ids = new Set()));
        if (f.sorted) f.sorted.splice(lowerBound(f.sorted, value), 0, value);
      }
      ids.add(e.id);
    }
    this.entries.set(e.id, { rank: old?.rank ?? this.ranks++, postings });
  }

  drop(id: string): void {
    const old = this.entries.get(id);
    if (!old) return;
    this.unlink(id, old.postings);
    this.entries.delete(id);
  }

  /** The ids holding `value` in `field` (exact), in creation order: for dependency checks. */
  idsWith(field: "subnet" | "vpc" | "group" | "ip", value: string): string[] {
    const ids = this.fields.get(field)?.byValue.get(value);
    return ids ? this.inOrder([...ids]) : [];
  }

  /**
   * The ids that may pass `filters`, in creation order: those of the most selective indexed
   * filter. Undefined when no filter is indexed (the caller lists everything).
   */
  candidates(filters: readonly Filter[]): string[] | undefined {
    let best: ReadonlySet<string>[] | undefined;
    let bestSize = Infinity;
    for (const f of filters) {
      const field = f.name.startsWith("tag:") && f.name.length > 4 ? f.name : FIELD_OF.get(f.name);
      if (field === undefined) continue;
      const sets = this.matching(field, f.values);
      let size = 0;
      for (const s of sets) size += s.size;
      if (size < bestSize) {
        best = sets;
        bestSize = size;
      }
    }
    if (!best) return undefined;
    if (best.length === 1) return this.inOrder([...best[0]]);
    const ids = new Set<string>();
    for (const s of best) for (const id of s) ids.add(id);
    return this.inOrder([...ids]);
  }

  private matching(field: string, values: readonly string[]): ReadonlySet<string>[] {
    const f = this.fields.get(field);
    if (!f) return [];
    const byValue = f.byValue;
    const out: ReadonlySet<string>[] = [];
    const seen = new Set<string>();
    for (const v of values) {
      if (!isWildcard(v)) {
        const ids = byValue.get(v);
        if (ids && !seen.has(v)) out.push(ids);
        seen.add(v);
        continue;
      }
      // A wildcard is tested against the distinct values of the field that start with its
      // literal prefix (a range of the sorted values), not against every interface.
      const sorted = (f.sorted ??= [...byValue.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      const prefix = literalPrefix(v);
      for (let i = lowerBound(sorted, prefix); i < sorted.length && sorted[i].startsWith(prefix); i++) {
        const value = sorted[i];
        if (!seen.has(value) && matchesPattern(v, value)) {
          out.push(byValue.get(value)!);
          seen.add(value);
        }
      }
    }
    return out;
  }

  /** Sorted by creation rank; a set's ids are mostly in that order already (only a re-index moves one). */
  private inOrder(ids: string[]): string[] {
    const ranks = new Float64Array(ids.length);
    let sorted = true;
    for (let i = 0; i < ids.length; i++) {
      ranks[i] = this.entries.get(ids[i])?.rank ?? 0;
      if (i > 0 && ranks[i] < ranks[i - 1]) sorted = false;
    }
    if (sorted) return ids;
    const order = Array.from(ids.keys()).sort((a, b) => ranks[a] - ranks[b]);
    return order.map((i) => ids[i]);
  }

  private unlink(id: string, postings: Posting[]): void {
    for (const [field, value] of postings) {
      const f = this.fields.get(field);
      const ids = f?.byValue.get(value);
      if (!f || !ids) continue;
      ids.delete(id);
      if (ids.size > 0) continue;
      f.byValue.delete(value);
      if (f.sorted) f.sorted.splice(lowerBound(f.sorted, value), 1);
      if (f.byValue.size === 0) this.fields.delete(field);
    }
  }
}

/**
 * Keyed by the state's plain interface table (with --state-dir the same table is also reached through
 * tracking proxies, and Describe calls get the plain one): a reset or a restart brings a new table,
 * hence a new index.
 */
const indexes = new WeakMap<object, { index: EniIndex; undone: number }>();

function fresh(s: Ec2State): EniIndex | undefined {
  const hit = indexes.get(untracked(s.networkInterfaces));
  return hit && hit.undone === undoneCount() ? hit.index : undefined;
}

/** The index of this state's interfaces, built from the table when absent or when a rollback happened since. */
export function interfaceIndex(s: Ec2State): EniIndex {
  const known = fresh(s);
  if (known) return known;
  const index = new EniIndex();
  const table = untracked(s.networkInterfaces);
  for (const e of Object.values(table)) index.put(e);
  indexes.set(table, { index, undone: undoneCount() });
  return index;
}

/** After an interface was added or an indexed attribute of it changed (addresses, description, groups, tags). */
export function reindexInterface(s: Ec2State, e: EniRec): void {
  fresh(s)?.put(e);
}

/** After an interface was removed from the table. */
export function unindexInterface(s: Ec2State, id: string): void {
  fresh(s)?.drop(id);
}
