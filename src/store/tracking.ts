import { isMap } from "./documents.ts";
import { join, SPLIT_AT, type Layout } from "./layout.ts";

/** One service state (one service, account and region) as the durable store keeps it. */
export interface TrackedState {
  readonly service: string;
  readonly account: string;
  readonly region: string;
  /** the plain objects themselves; never handed to services (they get `proxy`) */
  root: Record<string, unknown>;
  readonly layout: Layout;
  proxy: Record<string, unknown>;
  /** dropped by a reset: late writes through old references are ignored */
  detached: boolean;
}

/** Receives every write made through a tracked state. */
export interface WriteSink {
  /**
   * `segs`: the keys from the state's root to what was written. `undo` puts the old value back.
   * `grown`: the keys of a collection that has just reached SPLIT_AT entries and is not split yet.
   */
  wrote(state: TrackedState, segs: string[], undo: () => void, grown: string[] | undefined): void;
}

/**
 * Write tracking, used only with a state directory: services get proxies over their plain state
 * objects; reads go straight through (nested objects come back as proxies, one per object), and
 * every write or delete reports its path, so a request costs the records it changed, not the size
 * of the state. Objects stored are always the plain ones (proxies are unwrapped on the way in).
 */
const nodes = new WeakMap<object, Node>();
const targets = new WeakMap<object, object>();
const sizes = new WeakMap<object, number>();

class Node implements ProxyHandler<Record<string, unknown>> {
  readonly proxy: Record<string, unknown>;

  constructor(
    public sink: WriteSink,
    public state: TrackedState,
    public parent: Node | undefined,
    public key: string,
    readonly target: Record<string, unknown>,
  ) {
    this.proxy = new Proxy(target, this);
    nodes.set(target, this);
    targets.set(this.proxy, target);
  }

  get(t: Record<string, unknown>, k: string | symbol): unknown {
    const v = (t as Record<string | symbol, unknown>)[k];
    if (typeof v !== "object" || v === null || typeof k !== "string") return v;
    // What a target holds is plain (set() unwraps): its node, if it has one, is all there is to find.
    const n = nodes.get(v);
    if (n !== undefined && n.parent === this && n.key === k) return n.proxy;
    return childOf(this, k, v);
  }

  set(t: Record<string, unknown>, k: string | symbol, v: unknown): boolean {
    if (typeof k !== "string") return Reflect.set(t, k, v);
    const raw = unwrapDeep(v);
    const had = Object.hasOwn(t, k);
    const old = t[k];
    if (had && old === raw) return true;
    const undo = Array.isArray(t) ? restoreArray(t) : had ? () => void (t[k] = old) : () => void delete t[k];
    t[k] = raw;
    this.wrote(k, undo, had ? 0 : 1);
    return true;
  }

  deleteProperty(t: Record<string, unknown>, k: string | symbol): boolean {
    if (typeof k !== "string" || !Object.hasOwn(t, k)) return Reflect.deleteProperty(t, k);
    const old = t[k];
    const undo = Array.isArray(t) ? restoreArray(t) : () => void (t[k] = old);
    delete t[k];
    this.wrote(k, undo, -1);
    return true;
  }

  defineProperty(t: Record<string, unknown>, k: string | symbol, d: PropertyDescriptor): boolean {
    if (typeof k !== "string") return Reflect.defineProperty(t, k, d);
    const before = Object.getOwnPropertyDescriptor(t, k);
    const ok = Reflect.defineProperty(t, k, "value" in d ? { ...d, value: unwrapDeep(d.value) } : d);
    if (ok) {
      this.wrote(k, () => {
        if (before) Reflect.defineProperty(t, k, before);
        else delete t[k];
      }, before ? 0 : 1);
    }
    return ok;
  }

  private wrote(k: string, undo: () => void, grew: number): void {
    const segs = this.path();
    const mapPath = segs.slice();
    segs.push(k);
    let grown: string[] | undefined;
    if (grew !== 0 && isMap(this.target) && mapPath.length >= 2) {
      const known = sizes.get(this.target);
      const n = known === undefined ? Object.keys(this.target).length : known + grew;
      sizes.set(this.target, n);
      if (grew > 0 && n >= SPLIT_AT && !this.state.layout.split.has(pathString(mapPath))) grown = mapPath;
    }
    this.sink.wrote(this.state, segs, undo, grown);
  }

  private path(): string[] {
    const out: string[] = [];
    for (let n: Node | undefined = this; n && n.parent; n = n.parent) out.push(n.key);
    return out.reverse();
  }
}

/** An array is put back whole (setting `length` drops elements without a trap per element). */
function restoreArray(t: object): () => void {
  const a = t as unknown[];
  const before = a.slice();
  return () => {
    a.length = 0;
    for (let i = 0; i < before.length; i++) a[i] = before[i];
  };
}

function childOf(parent: Node, key: string, v: object): object {
  const raw = (targets.get(v) ?? v) as Record<string, unknown>;
  let n = nodes.get(raw);
  if (n === undefined) return new Node(parent.sink, parent.state, parent, key, raw).proxy;
  // The same object reached another way (moved, or a state restored): writes follow where it is now.
  if (n.parent !== parent || n.key !== key) {
    n.parent = parent;
    n.key = key;
    n.state = parent.state;
    n.sink = parent.sink;
  }
  return n.proxy;
}

/** The proxy services use for a state's root. */
export function track(sink: WriteSink, state: TrackedState): Record<string, unknown> {
  const existing = nodes.get(state.root);
  if (existing && existing.state === state && !existing.parent) return existing.proxy;
  return new Node(sink, state, undefined, "", state.root).proxy;
}

/**
 * The plain object behind a tracked one (itself when it is not tracked): for read-only paths, so
 * reads do not pay for tracking. Nothing written through it is saved or undone: never write to it.
 */
export function untracked<T>(v: T): T {
  if (typeof v !== "object" || v === null) return v;
  return (targets.get(v) as T | undefined) ?? v;
}

/** The plain value, with any proxies inside replaced by their objects. */
export function unwrapDeep<T>(v: T): T {
  if (typeof v !== "object" || v === null) return v;
  const t = targets.get(v);
  if (t) return t as T;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const c = v[i];
      if (typeof c === "object" && c !== null) {
        const u = unwrapDeep(c);
        if (u !== c) v[i] = u;
      }
    }
  } else if (isMap(v)) {
    for (const k of Object.keys(v)) {
      const c = v[k];
      if (typeof c === "object" && c !== null) {
        const u = unwrapDeep(c);
        if (u !== c) (v as Record<string, unknown>)[k] = u;
      }
    }
  }
  return v;
}

export function pathString(segs: readonly string[]): string {
  let p = "";
  for (const s of segs) p = join(p, s);
  return p;
}
