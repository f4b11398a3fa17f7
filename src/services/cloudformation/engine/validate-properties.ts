import type { ResourceProvider } from "../providers/types.ts";
import { isObject, type Json, type JsonObject } from "../template/parse.ts";

function jsonType(v: Json): string {
  if (Array.isArray(v)) return "JSONArray";
  if (v === null) return "null";
  if (typeof v === "object") return "JSONObject";
  if (typeof v === "number") return Number.isInteger(v) ? "Integer" : "Number";
  if (typeof v === "boolean") return "Boolean";
  return "String";
}

/**
 * Resolved properties against the provider's schema, with AWS's texts:
 * "Encountered unsupported property X", and the registry's
 * "Properties validation failed for resource R with message: #: required key [K] not found".
 */
export function validateProperties(logicalId: string, p: ResourceProvider, props: JsonObject): string | undefined {
  if (!p.schema.open) for (const k of Object.keys(props)) if (!Object.prototype.hasOwnProperty.call(p.schema.properties, k)) return `Encountered unsupported property ${k}`;
  const problems: string[] = [];
  for (const [k, spec] of Object.entries(p.schema.properties)) {
    const v = props[k];
    if (v === undefined) {
      if (spec.required) problems.push(`#: required key [${k}] not found`);
      continue;
    }
    const t = jsonType(v);
    const ok =
      spec.type === "Any" ||
      (spec.type === "String" && (t === "String" || t === "Integer" || t === "Number" || t === "Boolean")) ||
      (spec.type === "Integer" && (t === "Integer" || (t === "String" && /^-?\d+$/.test(String(v))))) ||
      (spec.type === "Boolean" && (t === "Boolean" || v === "true" || v === "false")) ||
      (spec.type === "List" && t === "JSONArray") ||
      (spec.type === "Map" && t === "JSONObject") ||
      (spec.type === "Json" && (t === "JSONObject" || t === "String"));
    if (!ok) problems.push(`#/${k}: expected type: ${spec.type === "List" ? "JSONArray" : spec.type === "Map" || spec.type === "Json" ? "JSONObject" : spec.type}, found: ${t}`);
  }
  if (problems.length) return `Properties validation failed for resource ${logicalId} with message: ${problems.length === 1 ? problems[0] : `[${problems.join(", ")}]`}`;
  return undefined;
}

export { isObject };
