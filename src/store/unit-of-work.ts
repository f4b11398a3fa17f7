import { isMap } from "./documents.ts";
import { emitWhole, rewrite, rewriteState, serialize, StateChanges, valueAt } from "./emit.ts";
import { depthOf, shouldSplit, splitPath } from "./layout.ts";
import { pathString, type TrackedState } from "./tracking.ts";

let undone = 0;
/** Every undo step gets the next number: steps of several units run back in the order they were made. */
let steps = 0;

/** How many units of work have been undone so far: caches of state-derived lists compare it. */
export function undoneCount(): number {
  return undone;
}

interface StateWrites {
  /** the state was created (or replaced) in this unit: all of it is written */
  whole: boolean;
  paths: string[][];
  grown: string[][];
}

/** One way back: `seq` orders the steps of every unit. */
export interface UndoStep {
  seq: number;
  undo: () => void;
}

/**
 * What one request (or one burst of clock-driven changes) did to the state: the paths it wrote,
 * and how to undo them. Committed as one transaction, or undone if the request fails.
 * `isolation.ts` keeps the fates of units that wrote the same record together.
 */
export class UnitOfWork {
  closed = false;
  /** every state was dropped (admin reset) */
  reset = false;
  /** its commit is queued (or done): units after it may queue theirs */
  queued = false;
  /** undone, with the units that wrote its records after it: it must not commit */
  aborted = false;
  /** unsettled units that wrote a record before this one did (it shares their fate) */
  readonly after = new Set<UnitOfWork>();
  /** unsettled units that wrote a record after this one did */
  readonly before = new Set<UnitOfWork>();
  /** records it claimed (isolation.ts), released when it settles */
  readonly claims: [Map<string, UnitOfWork>, string][] = [];
  /** another unit committed a record holding this unit's uncommitted changes */
  leaked = false;
  /** it wrote back a record a unit following it had written: it will be undone when it ends */
  doomed = false;
  private readonly undos: UndoStep[] = [];
  private readonly writes = new Map<TrackedState, StateWrites>();
  private readonly waiters: (() => void)[] = [];

  wrote(state: TrackedState, segs: string[], undo: () => void, grown: string[] | undefined): void {
    this.undos.push({ seq: ++steps, undo });
    const w = this.entry(state);
    if (w.whole) return;
    w.paths.push(segs);
    if (grown) w.grown.push(grown);
  }

  created(state: TrackedState, undo: () => void): void {
    this.undos.push({ seq: ++steps, undo });
    this.entry(state).whole = true;
  }

  onUndo(undo: () => void): void {
    this.undos.push({ seq: ++steps, undo });
  }

  /** Resolves once the unit's commit is queued, or it is aborted. */
  whenQueued(): Promise<void> {
    if (this.queued || this.aborted) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Its commit is queued, or it is aborted: units waiting for it go on. */
  wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The steps to undo it (taken: a unit is undone once); the writes stay known, for a repair. */
  takeUndos(): UndoStep[] {
    return this.undos.splice(0);
  }

  get dirty(): boolean {
    return this.reset || this.writes.size > 0;
  }

  /** Put every value this unit changed back as it was, newest first. */
  rollback(): void {
    runUndos(this.takeUndos());
    this.writes.clear();
    this.reset = false;
  }

  /** The records to write, read from the state as it is now (called once, when the unit ends). */
  changes(): StateChanges[] {
    const out: StateChanges[] = [];
    for (const [state, w] of this.writes) {
      if (state.detached) continue;
      const c = new StateChanges(state.service, state.account, state.region);
      if (w.whole) rewriteState(state.layout, c, state.root);
      else collect(state, w, c);
      if (!c.empty) out.push(c);
    }
    return out;
  }

  private entry(state: TrackedState): StateWrites {
    let w = this.writes.get(state);
    if (!w) {
      w = { whole: false, paths: [], grown: [] };
      this.writes.set(state, w);
    }
    return w;
  }
}

/** Run undo steps (of one or several units) newest first. */
export function runUndos(list: UndoStep[]): void {
  if (list.length === 0) return;
  undone++;
  list.sort((a, b) => b.seq - a.seq);
  for (const s of list) s.undo();
}

function collect(state: TrackedState, w: StateWrites, out: StateChanges): void {
  const { layout, root } = state;
  // 1. Records replaced, added or removed (or holding a replaced split collection): rewritten
  //    with their subtree, shallowest first, each once.
  const wholes = new Map<string, { kind: string; id: string }>();
  const interior: string[][] = [];
  for (const segs of w.paths) {
    const ref = layout.rowOf(segs);
    if (ref.whole || layout.hasBelow(pathString(segs))) wholes.set(ref.path, ref);
    else interior.push(segs);
  }
  const done = new Set<string>();
  for (const path of [...wholes.keys()].sort((a, b) => depthOf(a) - depthOf(b))) {
    if (covered(done, path)) continue;
    const ref = wholes.get(path)!;
    rewrite(layout, out, ref.kind, ref.id, path, valueAt(root, splitPath(path)));
    done.add(path);
  }
  // 2. Collections that grew large: split out, and the record holding them written without them.
  for (const segs of w.grown) {
    const path = pathString(segs);
    if (layout.split.has(path) || covered(done, path)) continue;
    if (!mapsAllTheWay(root, segs)) continue;
    const value = valueAt(root, segs);
    if (!shouldSplit(value, segs.length)) continue;
    const holder = layout.rowOf(segs);
    layout.markSplit(path);
    emitWhole(layout, out, pathString(segs.slice(0, -1)), segs[segs.length - 1], path, segs.length, value);
    out.put(holder.kind, holder.id, holder.path, serialize(layout, holder.path, valueAt(root, splitPath(holder.path))), false);
  }
  // 3. Records changed inside: their document again.
  const seen = new Set<string>();
  for (const segs of interior) {
    const ref = layout.rowOf(segs);
    if (seen.has(ref.path) || covered(done, ref.path)) continue;
    seen.add(ref.path);
    const value = valueAt(root, splitPath(ref.path));
    if (ref.whole || value === undefined || layout.hasBelow(pathString(segs))) rewrite(layout, out, ref.kind, ref.id, ref.path, value);
    else out.put(ref.kind, ref.id, ref.path, serialize(layout, ref.path, value), false);
  }
}

/** Whether path or one of its ancestors was rewritten already. */
function covered(done: Set<string>, path: string): boolean {
  if (done.size === 0) return false;
  for (let p = path; ; ) {
    if (done.has(p)) return true;
    const i = p.lastIndexOf("/");
    if (i < 0) return false;
    p = p.slice(0, i);
  }
}

/** Only objects from the root down to segs (a collection inside an array is never split: indices move). */
function mapsAllTheWay(root: unknown, segs: readonly string[]): boolean {
  let cur: unknown = root;
  for (const s of segs) {
    if (!isMap(cur) || !Object.hasOwn(cur, s)) return false;
    cur = cur[s];
  }
  return isMap(cur);
}
