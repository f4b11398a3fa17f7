import { isMap } from "./documents.ts";
import { depthOf, join, shouldSplit, splitPath, type Layout } from "./layout.ts";

/** One record to write: a JSON document, a split collection's marker, or (neither) a deletion. */
export interface RowWrite {
  kind: string;
  id: string;
  doc?: string;
  map: boolean;
}

/** What one state's records need after a unit of work: subtrees to clear first, then rows to write. */
export class StateChanges {
  /** paths whose rows below are deleted before the writes ("" = every row of the state) */
  readonly dropBelow: string[] = [];
  /** by record path, in write order (a parent before what is split out of it) */
  readonly rows = new Map<string, RowWrite>();

  constructor(
    readonly service: string,
    readonly account: string,
    readonly region: string,
  ) {}

  get empty(): boolean {
    return this.dropBelow.length === 0 && this.rows.size === 0;
  }

  put(kind: string, id: string, path: string, doc: string | undefined, map: boolean): void {
    this.rows.set(path, doc === undefined ? { kind, id, map } : { kind, id, doc, map });
  }
}

/** The value at a path of the raw tree, or undefined (own properties only). */
export function valueAt(root: unknown, segs: readonly string[]): unknown {
  let cur: unknown = root;
  for (const s of segs) {
    if (typeof cur !== "object" || cur === null || !Object.hasOwn(cur, s)) return undefined;
    cur = (cur as Record<string, unknown>)[s];
  }
  return cur;
}

/** A record's document: its value without the collections split out below it. */
export function serialize(layout: Layout, path: string, value: unknown): string {
  return JSON.stringify(layout.above.has(path) ? strip(layout, path, value) : value);
}

function strip(layout: Layout, path: string, value: unknown): unknown {
  if (!isMap(value)) return value;
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(value)) {
    const p = join(path, k);
    if (layout.split.has(p)) continue;
    out[k] = layout.above.has(p) ? strip(layout, p, value[k]) : value[k];
  }
  return out;
}

/**
 * Write a record and everything split out below it, from scratch (the caller has cleared what was
 * below it). Decides anew which collections inside it are large enough to split.
 */
export function emitWhole(layout: Layout, out: StateChanges, kind: string, id: string, path: string, depth: number, value: unknown): void {
  if (value === undefined) {
    out.put(kind, id, path, undefined, false);
    return;
  }
  if (isMap(value) && (layout.split.has(path) || shouldSplit(value, depth))) {
    layout.markSplit(path);
    out.put(kind, id, path, undefined, true);
    for (const k of Object.keys(value)) emitWhole(layout, out, path, k, join(path, k), depth + 1, value[k]);
    return;
  }
  if (isMap(value)) markNested(layout, path, value, depth);
  out.put(kind, id, path, serialize(layout, path, value), false);
  if (layout.above.has(path)) emitSplitBelow(layout, out, path, value, depth);
}

/** Mark the large collections inside a record (through objects only: arrays are never split). */
function markNested(layout: Layout, path: string, value: Record<string, unknown>, depth: number): void {
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (!isMap(v)) continue;
    const p = join(path, k);
    if (shouldSplit(v, depth + 1)) layout.markSplit(p);
    else markNested(layout, p, v, depth + 1);
  }
}

function emitSplitBelow(layout: Layout, out: StateChanges, path: string, value: unknown, depth: number): void {
  if (!isMap(value)) return;
  for (const k of Object.keys(value)) {
    const p = join(path, k);
    if (layout.split.has(p)) emitWhole(layout, out, path, k, p, depth + 1, value[k]);
    else if (layout.above.has(p)) emitSplitBelow(layout, out, p, value[k], depth + 1);
  }
}

/** Clear a record's subtree and write it again. */
export function rewrite(layout: Layout, out: StateChanges, kind: string, id: string, path: string, value: unknown): void {
  if (layout.hasBelow(path)) {
    out.dropBelow.push(path);
    layout.forgetBelow(path);
  }
  emitWhole(layout, out, kind, id, path, depthOf(path), value);
}

/** The whole state from scratch: every row it had is deleted first. */
export function rewriteState(layout: Layout, out: StateChanges, root: unknown): void {
  out.dropBelow.push("");
  layout.forgetBelow("");
  if (!isMap(root)) return;
  for (const k of Object.keys(root)) emitWhole(layout, out, "", k, join("", k), 1, root[k]);
}

export { splitPath };
