import { isMap } from "./documents.ts";

/**
 * How one service state (for one account and region) is cut into records. A record is addressed by
 * `kind` (the path of the collection holding it) and `id` (its key there):
 * - the state's top-level keys are kinds' names: a top-level object is a keyed collection with one
 *   record per entry (`kind "networkInterfaces", id "eni-…"`); a top-level scalar or array is one
 *   record of its own (`kind "", id "format"`);
 * - a collection deeper inside a record that grows to SPLIT_AT entries (a subnet's used addresses,
 *   a function's versions) is split out the same way, so that changing one entry never rewrites a
 *   record that holds thousands (`kind "subnets/subnet-1/pool4/used", id "10.0.1.5"`). Once split,
 *   it stays split. Arrays are never split: their indices move.
 * A split collection is itself stored as a marker row (is_map), so an empty one survives.
 * Paths are `/`-joined segments, each escaped (`%` → %25, `/` → %2F, "" → %), so they are unambiguous.
 */
export const SPLIT_AT = 64;

export function segment(key: string): string {
  if (key === "") return "%";
  return key.includes("%") || key.includes("/") ? key.replace(/%/g, "%25").replace(/\//g, "%2F") : key;
}

export function unsegment(seg: string): string {
  if (seg === "%") return "";
  return seg.includes("%") ? seg.replace(/%2F/g, "/").replace(/%25/g, "%") : seg;
}

export function join(path: string, key: string): string {
  return path === "" ? segment(key) : `${path}/${segment(key)}`;
}

export function splitPath(path: string): string[] {
  return path === "" ? [] : path.split("/").map(unsegment);
}

export function depthOf(path: string): number {
  if (path === "") return 0;
  let n = 1;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) n++;
  return n;
}

/** Where a write at `segs` (keys from the state root) lands. */
export interface RowRef {
  kind: string;
  id: string;
  /** the record's own path (kind joined with id) */
  path: string;
  /** the write replaced the record itself (or added or removed it), not something inside it */
  whole: boolean;
}

export class Layout {
  /** paths of split collections ("" is the state itself) */
  readonly split = new Set<string>([""]);
  /** paths with a split collection somewhere below them */
  readonly above = new Set<string>();

  markSplit(path: string): void {
    this.split.add(path);
    let p = path;
    while (p !== "") {
      const i = p.lastIndexOf("/");
      p = i < 0 ? "" : p.slice(0, i);
      if (this.above.has(p)) break;
      this.above.add(p);
    }
  }

  /** Forget every split at or below path (its rows are being rewritten or removed). */
  forgetBelow(path: string): void {
    if (path === "") {
      this.split.clear();
      this.split.add("");
      this.above.clear();
      return;
    }
    const prefix = `${path}/`;
    this.split.delete(path);
    for (const p of this.split) if (p.startsWith(prefix)) this.split.delete(p);
    this.above.delete(path);
    for (const p of this.above) if (p.startsWith(prefix)) this.above.delete(p);
  }

  hasBelow(path: string): boolean {
    return this.split.has(path) || this.above.has(path);
  }

  /**
   * The record a write at this path changes: the entry of the deepest split collection on the
   * path. `segs` is never empty.
   */
  rowOf(segs: readonly string[]): RowRef {
    let kind = "";
    let k = 0;
    let path = "";
    for (let i = 0; i < segs.length - 1; i++) {
      path = join(path, segs[i]);
      if (this.split.has(path)) {
        kind = path;
        k = i + 1;
      } else if (!this.above.has(path)) break;
    }
    return { kind, id: segs[k], path: join(kind, segs[k]), whole: k === segs.length - 1 };
  }
}

/** A collection that must be stored as rows: the state, every top-level object, and large ones deeper. */
export function shouldSplit(value: unknown, depth: number): value is Record<string, unknown> {
  if (!isMap(value)) return false;
  if (depth <= 1) return true;
  let n = 0;
  for (const _ in value) if (++n >= SPLIT_AT) return true;
  return false;
}
