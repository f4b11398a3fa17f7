/**
 * Keyed collections whose keys come from users (function names, user names, regions, tag keys, ids).
 * A plain `{}` answers `constructor`, `toString` or `__proto__` from Object.prototype, so a function
 * named `constructor` would "already exist" and `x["__proto__"] = v` would change a prototype.
 * A Dict has no prototype: every key is just a key. It stays plain JSON, so service state that holds
 * Dicts is still saved as a snapshot; `parseState` / `reviveDicts` restore them without a prototype.
 */
export type Dict<T> = Record<string, T>;

/** An empty Dict, or one filled from entries or from another object's own enumerable keys. */
export function dict<T>(from?: Iterable<readonly [string, T]> | Readonly<Record<string, T>>): Dict<T> {
  const d = Object.create(null) as Dict<T>;
  if (from === undefined) return d;
  const entries = Symbol.iterator in from ? (from as Iterable<readonly [string, T]>) : Object.entries(from as Record<string, T>);
  for (const [k, v] of entries) d[k] = v;
  return d;
}

/** Own key test that also works on objects that do have a prototype (a header map, a parsed body). */
export function hasKey(o: object, key: string): boolean {
  return Object.hasOwn(o, key);
}

/** The value under an own key, never one inherited from a prototype. */
export function own<T>(o: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return o !== undefined && Object.hasOwn(o, key) ? o[key] : undefined;
}

/**
 * Every plain object inside `value` (in place where possible) made prototype-free, so state restored
 * from JSON behaves as state built with dict(). Arrays stay arrays.
 */
export function reviveDicts<T>(value: T): T {
  return revive(value) as T;
}

function revive(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = revive(v[i]);
    return v;
  }
  if (v === null || typeof v !== "object") return v;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out = Object.create(null) as Record<string, unknown>;
  // JSON.parse makes "__proto__" an own property; assigning it on a prototype-free object keeps it one.
  for (const k of Object.keys(v)) out[k] = revive((v as Record<string, unknown>)[k]);
  return out;
}

/** JSON.parse for saved state: every object comes back prototype-free. */
export function parseState(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? reviveShallow(v as Record<string, unknown>) : v));
}

function reviveShallow(v: Record<string, unknown>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(v)) out[k] = v[k];
  return out;
}
