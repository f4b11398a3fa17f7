// The little SAM needs to know about intrinsic functions before CloudFormation resolves them.
import { isObject, type Json, type JsonObject } from "../template/parse.ts";

/** {"Ref": ...} or {"Fn::X": ...}: a one-key map naming an intrinsic function. */
export function isIntrinsic(v: Json | undefined): v is JsonObject {
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === "Ref" || keys[0] === "Condition" || keys[0].startsWith("Fn::"));
}

/**
 * References to template parameters (and pseudo parameters) replaced by their values, everything
 * else kept: what SAM does before hashing a version, so that a new parameter value publishes a
 * new version.
 */
export function resolveParameterRefs(v: Json | undefined, values: ReadonlyMap<string, Json>): Json | undefined {
  if (v === undefined || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => resolveParameterRefs(x, values) as Json);
  if (isIntrinsic(v) && typeof v.Ref === "string" && values.has(v.Ref)) return values.get(v.Ref)!;
  const out: JsonObject = Object.create(null);
  for (const [k, x] of Object.entries(v)) out[k] = resolveParameterRefs(x, values) as Json;
  return out;
}

/** A map with no prototype: keys in it come from the template. */
export function dict(entries: Array<[string, Json | undefined]> = []): JsonObject {
  const out: JsonObject = Object.create(null);
  for (const [k, v] of entries) if (v !== undefined) out[k] = v;
  return out;
}
