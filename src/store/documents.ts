// Every document the store reads back (a database row, a migrated snapshot, a copy) is parsed here,
// and every map it rebuilds from rows is made here: the one place that decides their prototypes.
// Keys in state come from users (a function named "constructor", a tag key "__proto__"), so every
// object comes back prototype-free, as state built with core/dict.ts#dict is.
import { dict, parseState } from "../core/dict.ts";

/** A stored JSON document back into state. */
export function parseDocument(text: string): unknown {
  return parseState(text);
}

/** An empty keyed collection, for a map rebuilt from its rows. */
export function newMap(): Record<string, unknown> {
  return dict();
}

/** A deep copy of part of the state (state objects may be write-tracking proxies, which structuredClone refuses). */
export function cloneDocument<T>(value: T): T {
  return value === undefined ? value : (parseDocument(JSON.stringify(value)) as T);
}

/** A keyed collection: a plain object, with the ordinary prototype or none. */
export function isMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
