import type { ResourceProvider } from "../providers/types.ts";
import type { Json, JsonObject } from "../template/parse.ts";

/** A property change that AWS's specification marks Immutable means a new physical resource. */
export function needsReplacement(provider: ResourceProvider, old: JsonObject, now: JsonObject): boolean {
  if (!provider.update) return true;
  for (const [k, spec] of Object.entries(provider.schema.properties)) {
    if (spec.update !== "Immutable") continue;
    if (JSON.stringify(sorted(old[k] ?? null)) !== JSON.stringify(sorted(now[k] ?? null))) return true;
  }
  return false;
}

/** Properties whose values differ, for change sets. */
export function changedProperties(old: JsonObject, now: JsonObject): string[] {
  const keys = new Set([...Object.keys(old), ...Object.keys(now)]);
  return [...keys].filter((k) => JSON.stringify(sorted(old[k] ?? null)) !== JSON.stringify(sorted(now[k] ?? null)));
}

export function sorted(v: Json | undefined): Json | undefined {
  if (Array.isArray(v)) return v.map((x) => sorted(x) as Json);
  if (v && typeof v === "object") {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) out[k] = sorted(v[k]) as Json;
    return out;
  }
  return v;
}

