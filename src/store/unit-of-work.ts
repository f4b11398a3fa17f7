import { isMap } from "./documents.ts";
import { emitWhole, rewrite, rewriteState, serialize, StateChanges, valueAt } from "./emit.ts";
import { depthOf, shouldSplit, splitPath } from "./layout.ts";
import { pathString, type TrackedState } from "./tracking.ts";

let undone = 0;

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

/**
 * What one request (or one burst of clock-driven changes) did to the state: the paths it wrote,
 * and how to undo them. Committed as one transaction, or undone if the request fails.
 */
export class UnitOfWork {
  closed = false;
  /** every state was dropped (admin reset) */
  reset = false;
  private readonly undos: (() => void)[] = [];
  private readonly writes = new Map<TrackedState, StateWrites>();

  wrote(state: TrackedState, segs: string[], undo: () => void, grown: string[] | undefined): void {
    this.undos.push(undo);
    const w = this.entry(state);
    if (w.whole) return;
    w.paths.push(segs);
    if (grown) w.grown.push(grown);
  }

  created(state: TrackedState, undo: () => void): void {
    this.undos.push(undo);
    this.entry(state).whole = true;
  }

  onUndo(undo: () => void): void {
    this.undos.push(undo);
  }

  get dirty(): boolean {
    return this.reset || this.writes.size > 0;
  }

  /** Put every value this unit changed back as it was, newest first. */
  rollback(): void {
    if (this.undos.length > 0) undone++;
    for (let i = this.undos.length - 1; i >= 0; i--) this.undos[i]();
    this.undos.length = 0;
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
