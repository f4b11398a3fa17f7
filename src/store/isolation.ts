import type { TrackedState } from "./tracking.ts";
import type { UnitOfWork } from "./unit-of-work.ts";

/**
 * Isolation between units of work that interleave at awaits (with a state directory).
 *
 * Undoing a failed unit puts back the values it replaced. If another unit wrote the same record
 * meanwhile, its change was made on top of the failed one's (an address allocated next to one the
 * failed unit took, a counter it had moved), so the two cannot be told apart any more. The rule:
 * a unit that writes a record which another unit still unsettled (running, or ended but not
 * committed) has written shares that unit's fate. It queues its commit only after that unit
 * queued its own (commits keep their order), and if that unit fails, it is undone with it: every
 * step of both, newest first, so the memory is exactly as before the first of them; it then
 * answers 503 (the SDKs retry it). Nothing waits when requests do not overlap on a record.
 * A record is a top-level entry of a state (`functions / my-fn`, `subnets / subnet-1`): what is
 * split out below it (a subnet's used addresses) belongs to it, so its counters conflict too.
 */
export class Ownership {
  /** per state: record key → the last unsettled unit that wrote it */
  private readonly owners = new Map<TrackedState, Map<string, UnitOfWork>>();

  /** Unit u wrote this record (`segs`: the path written; none: the whole state, just created). */
  claim(u: UnitOfWork, state: TrackedState, segs: readonly string[] | undefined): void {
    let byKey = this.owners.get(state);
    if (!byKey) this.owners.set(state, (byKey = new Map()));
    // A state created by a unit still unsettled: everything written into it depends on that unit.
    const creator = byKey.get(WHOLE);
    if (creator && creator !== u) follow(u, creator);
    const key = segs === undefined ? WHOLE : segs.length === 1 ? segs[0] : `${segs[0]}\u0000${segs[1]}`;
    const prev = byKey.get(key);
    if (prev === u) return;
    if (prev) follow(u, prev);
    byKey.set(key, u);
    u.claims.push([byKey, key]);
  }

  /** u is committed or undone: its records are free. */
  release(u: UnitOfWork): void {
    for (const [byKey, key] of u.claims) if (byKey.get(key) === u) byKey.delete(key);
    u.claims.length = 0;
    for (const d of u.before) d.after.delete(u);
    for (const a of u.after) a.before.delete(u);
    u.before.clear();
    u.after.clear();
  }

  /** u's commit is computed: records it holds that a later unit also changed carry that unit's changes. */
  committing(u: UnitOfWork): void {
    for (const [byKey, key] of u.claims) {
      const owner = byKey.get(key);
      if (owner && owner !== u) owner.leaked = true;
    }
  }

  /** The units that fall with u: u and every unit that came after it on a record, transitively. */
  fallWith(roots: Iterable<UnitOfWork>): UnitOfWork[] {
    const out = new Set<UnitOfWork>();
    const visit = (x: UnitOfWork) => {
      if (out.has(x)) return;
      out.add(x);
      for (const d of x.before) visit(d);
    };
    for (const r of roots) visit(r);
    return [...out];
  }

  clear(): void {
    this.owners.clear();
  }
}

const WHOLE = "\u0000";

/** u wrote after `prev`: u shares its fate. A cycle (prev already follows u) dooms u. */
function follow(u: UnitOfWork, prev: UnitOfWork): void {
  if (u.after.has(prev) || prev.aborted) return;
  if (reaches(prev, u)) {
    // Both wrote what the other had written: they cannot both stand. The later writer gives way
    // (and, as prev follows it, prev with it).
    u.doomed = true;
    return;
  }
  u.after.add(prev);
  prev.before.add(u);
}

/** Whether `from` follows `to`, directly or through others. */
function reaches(from: UnitOfWork, to: UnitOfWork): boolean {
  const seen = new Set<UnitOfWork>();
  const stack = [from];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x === to) return true;
    if (seen.has(x)) continue;
    seen.add(x);
    for (const a of x.after) stack.push(a);
  }
  return false;
}
