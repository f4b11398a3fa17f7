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

/**
 * What an interface is indexed under, flat: field, value, field, value, ... (one array per
 * interface rather than one per pair: a create indexes ten or more).
 */
type Postings = string[];

function postingsOf(e: EniRec): Postings {
  const out: Postings = ["id", e.id, "subnet", e.subnetId, "vpc", e.vpcId, "type", e.interfaceType, "az", e.availabilityZone, "description", e.description];
  if (e.requesterId !== undefined) out.push("requester", e.requesterId);
  for (const ip of e.privateIps) out.push("ip", ip);
  for (const g of e.groupIds) out.push("group", g);
  for (const [k, v] of Object.entries(e.tags)) out.push("tag-key", k, "tag-value", v, `tag:${k}`, v);
  return out;
}

/**
 * One field: value → the ids holding it with their creation rank (so ordering them needs no other
 * lookup), and (once a wildcard asked) the values in sorted order. A value only one interface holds
 * (its id, its address: most values) is kept as that one holder, not as a map.
 */
type Holders = Map<string, number>;
interface Single {
  id: string;
  rank: number;
}
interface FieldIndex {
  byValue: Map<string, Holders | Single>;
  sorted?: string[];
}

function asHolders(h: Holders | Single): Holders {
  return h instanceof Map ? h : new Map([[h.id, h.rank]]);
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
  private readonly entries = new Map<string, { rank: number; postings: Postings }>();
  private ranks = 0;

  /** How many interfaces the table holds. */
  get size(): number {
    return this.entries.size;
  }

  /** Index a new interface, or index an existing one again after a change. */
  put(e: EniRec): void {
    const old = this.entries.get(e.id);
    const postings = postingsOf(e);
    if (old) {
      // Only what changed is unlinked: an id keeps its place (creation order) under the values it still has.
      const kept = new Set<string>();
      for (let i = 0; i < postings.length; i += 2) kept.add(`${postings[i]}\u0000${postings[i + 1]}`);
      const gone: Postings = [];
      for (let i = 0; i < old.postings.length; i += 2) {
        if (!kept.has(`${old.postings[i]}\u0000${old.postings[i + 1]}`)) gone.push(old.postings[i], old.postings[i + 1]);
      }
      this.unlink(e.id, gone);
    }
    const rank = old?.rank ?? this.ranks++;
    for (let i = 0; i < postings.length; i += 2) {
      const field = postings[i];
      const value = postings[i + 1];
      let f = this.fields.get(field);
      if (!f) this.fields.set(field, (f = { byValue: new Map() }));
      const held = f.byValue.get(value);
      if (held === undefined) {
        f.byValue.set(value, { id: e.id, rank });
        if (f.sorted) f.sorted.splice(lowerBound(f.sorted, value), 0, value);
      } else if (held instanceof Map) {
        held.set(e.id, rank);
      } else if (held.id !== e.id) {
        f.byValue.set(value, new Map([[held.id, held.rank], [e.id, rank]]));
      }
    }
    this.entries.set(e.id, { rank, postings });
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
    return ids ? inOrder([asHolders(ids)]) : [];
  }

  /**
   * The ids that may pass `filters`, in creation order: those of the most selective indexed
   * filter. Undefined when no filter is indexed (the caller lists everything).
   */
  candidates(filters: readonly Filter[]): string[] | undefined {
    let best: ReadonlyMap<string, number>[] | undefined;
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
    return best ? inOrder(best) : undefined;
  }

  private matching(field: string, values: readonly string[]): ReadonlyMap<string, number>[] {
    const f = this.fields.get(field);
    if (!f) return [];
    const byValue = f.byValue;
    const out: ReadonlyMap<string, number>[] = [];
    const seen = new Set<string>();
    for (const v of values) {
      if (!isWildcard(v)) {
        const ids = byValue.get(v);
        if (ids && !seen.has(v)) out.push(asHolders(ids));
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
          out.push(asHolders(byValue.get(value)!));
          seen.add(value);
        }
      }
    }
    return out;
  }

  private unlink(id: string, postings: Postings): void {
    for (let i = 0; i < postings.length; i += 2) {
      const field = postings[i];
      const value = postings[i + 1];
      const f = this.fields.get(field);
      const ids = f?.byValue.get(value);
      if (!f || !ids) continue;
      if (ids instanceof Map) {
        ids.delete(id);
        if (ids.size > 0) continue;
      } else if (ids.id !== id) {
        continue;
      }
      f.byValue.delete(value);
      if (f.sorted) f.sorted.splice(lowerBound(f.sorted, value), 1);
      if (f.byValue.size === 0) this.fields.delete(field);
    }
  }
}

/**
 * The ids of these holders (an id in several counted once), in creation order. A holder map is
 * mostly in that order already: only a re-index that gives an interface a new value appends it.
 */
function inOrder(holders: readonly ReadonlyMap<string, number>[]): string[] {
  const ids: string[] = [];
  const ranks: number[] = [];
  let sorted = true;
  const seen = holders.length > 1 ? new Set<string>() : undefined;
  for (const h of holders) {
    for (const [id, rank] of h) {
      if (seen) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      if (ranks.length > 0 && rank < ranks[ranks.length - 1]) sorted = false;
      ids.push(id);
      ranks.push(rank);
    }
  }
  if (sorted) return ids;
  const order = Array.from(ids.keys()).sort((a, b) => ranks[a] - ranks[b]);
  return order.map((i) => ids[i]);
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
