import type { PropSpec, ResourceProvider } from "../providers/types.ts";
import { specDefinition } from "../spec/resource-spec.ts";
import { isObject, type Json, type JsonObject } from "../template/parse.ts";

function jsonType(v: Json): string {
  if (Array.isArray(v)) return "JSONArray";
  if (v === null) return "null";
  if (typeof v === "object") return "JSONObject";
  if (typeof v === "number") return Number.isInteger(v) ? "Integer" : "Number";
  if (typeof v === "boolean") return "Boolean";
  return "String";
}

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** The problems of one value against a type expression of the specification, at a JSON-pointer-like path. */
function check(shape: string, v: Json, path: string, out: string[]): void {
  if (v === null) return;
  const alternatives = splitUnion(shape);
  if (alternatives.length > 1) {
    const all = alternatives.map((a) => {
      const p: string[] = [];
      check(a, v, path, p);
      return p;
    });
    if (!all.some((p) => p.length === 0)) out.push(...all[0]);
    return;
  }
  const t = jsonType(v);
  const expected = (name: string) => out.push(`${path}: expected type: ${name}, found: ${t}`);
  if (shape === "any") return;
  if (shape === "string" || shape === "date-time") {
    if (t === "JSONArray" || t === "JSONObject") expected("String");
  } else if (shape === "integer") {
    if (!(t === "Integer" || (t === "String" && /^-?\d+$/.test(String(v))))) expected("Integer");
  } else if (shape === "number") {
    if (!(t === "Integer" || t === "Number" || (t === "String" && String(v).trim() !== "" && Number.isFinite(Number(v))))) expected("Number");
  } else if (shape === "boolean") {
    if (!(t === "Boolean" || v === "true" || v === "false")) expected("Boolean");
  } else if (shape === "json") {
    if (!(t === "JSONObject" || t === "String")) expected("JSONObject");
  } else if (shape === "tag") {
    checkObject({ Key: { shape: "string", required: true, update: "Mutable" }, Value: { shape: "string", required: true, update: "Mutable" } }, v, path, out);
  } else if (shape.startsWith("[")) {
    if (!Array.isArray(v)) return void expected("JSONArray");
    v.forEach((x, i) => check(shape.slice(1, -1), x, `${path}/${i}`, out));
  } else if (shape.startsWith("{")) {
    if (!isObject(v)) return void expected("JSONObject");
    for (const [k, x] of Object.entries(v)) check(shape.slice(1, -1), x, `${path}/${k}`, out);
  } else if (shape.startsWith("#")) {
    const def = specDefinition(shape);
    if (def) checkObject(def, v, path, out);
  }
}

/** Nested structures, with the registry's texts ("extraneous key [X] is not permitted", "required key [K] not found"). */
function checkObject(def: Record<string, PropSpec>, v: Json, path: string, out: string[]): void {
  if (!isObject(v)) return void out.push(`${path}: expected type: JSONObject, found: ${jsonType(v)}`);
  for (const k of Object.keys(v)) if (!has(def, k)) out.push(`${path}: extraneous key [${k}] is not permitted`);
  for (const [k, spec] of Object.entries(def)) {
    if (v[k] === undefined) {
      if (spec.required) out.push(`${path}: required key [${k}] not found`);
    } else if (has(def, k)) check(spec.shape, v[k], `${path}/${k}`, out);
  }
}

/** "a|b" at the top level only (brackets nest). */
function splitUnion(shape: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < shape.length; i++) {
    const c = shape[i];
    if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
    else if (c === "|" && depth === 0) {
      parts.push(shape.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(shape.slice(start));
  return parts;
}

/**
 * Resolved properties against the type's schema (AWS's resource specification), with AWS's texts:
 * "Encountered unsupported property X", and the registry's
 * "Properties validation failed for resource R with message: #: required key [K] not found",
 * "#/VpcConfig: extraneous key [X] is not permitted", "#/Timeout: expected type: Integer, found: String".
 */
export function validateProperties(logicalId: string, p: ResourceProvider, props: JsonObject): string | undefined {
  if (p.schema.open) return undefined;
  for (const k of Object.keys(props)) if (!has(p.schema.properties, k)) return `Encountered unsupported property ${k}`;
  const problems: string[] = [];
  for (const [k, spec] of Object.entries(p.schema.properties)) {
    const v = props[k];
    if (v === undefined) {
      if (spec.required) problems.push(`#: required key [${k}] not found`);
      continue;
    }
    check(spec.shape, v, `#/${k}`, problems);
  }
  if (problems.length) return `Properties validation failed for resource ${logicalId} with message: ${problems.length === 1 ? problems[0] : `[${problems.join(", ")}]`}`;
  const unimplemented = (p.schema.unimplemented ?? []).filter((k) => props[k] !== undefined);
  // Not an AWS text: AWS would carry these out; hyperlocal refuses rather than ignore them silently.
  if (unimplemented.length) return `hyperlocal does not implement ${unimplemented.length === 1 ? "property" : "properties"} ${unimplemented.join(", ")} of ${p.type}`;
  return undefined;
}

export { isObject };
