// Case-insensitive condition-key lookup without building a lowercased copy of the context
// on every request: try the spelling the policy used, then lowercase, then scan.
import type { Context, ContextValue } from "./types.ts";

export function lookup(ctx: Context, key: string, lower: string): ContextValue | undefined {
  // Own keys only: a condition key named "constructor" is absent, not Object's constructor.
  let v: unknown = Object.hasOwn(ctx, key) ? ctx[key] : undefined;
  if (v === undefined) {
    v = Object.hasOwn(ctx, lower) ? ctx[lower] : undefined;
    if (v === undefined) {
      const len = key.length;
      for (const k of Object.keys(ctx)) {
        if (k.length === len && k.toLowerCase() === lower) {
          v = ctx[k];
          break;
        }
      }
    }
  }
  return typeof v === "string" || Array.isArray(v) ? (v as ContextValue) : undefined;
}
