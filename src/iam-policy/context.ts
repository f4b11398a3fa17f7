// Case-insensitive condition-key lookup without building a lowercased copy of the context
// on every request: try the spelling the policy used, then lowercase, then scan.
import type { Context, ContextValue } from "./types.ts";

export function lookup(ctx: Context, key: string, lower: string): ContextValue | undefined {
  let v: unknown = ctx[key];
  if (v === undefined) {
    v = ctx[lower];
    if (v === undefined) {
      const len = key.length;
      for (const k in ctx) {
        if (k.length === len && k.toLowerCase() === lower) {
          v = ctx[k];
          break;
        }
      }
    }
  }
  return typeof v === "string" || Array.isArray(v) ? (v as ContextValue) : undefined;
}
