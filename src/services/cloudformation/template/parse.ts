import { parseDocument, type Tags, type ScalarTag, type CollectionTag, YAMLMap, YAMLSeq } from "yaml";
import { formatError } from "./errors.ts";

/** A template as plain JSON: short-form YAML tags are already their long forms ({"Fn::Sub": ...}). */
export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

const FN_NAMES = ["Base64", "Cidr", "FindInMap", "GetAZs", "ImportValue", "Join", "Select", "Split", "Sub", "If", "Equals", "And", "Or", "Not", "Transform"];

function long(tag: string): string {
  return tag === "Ref" || tag === "Condition" ? tag : `Fn::${tag}`;
}

/** `!GetAtt A.B` is ["A", "B"]; the list form passes through. */
function getAttScalar(v: string): Json {
  const dot = v.indexOf(".");
  return { "Fn::GetAtt": dot < 0 ? [v] : [v.slice(0, dot), v.slice(dot + 1)] };
}

function shortTags(): Tags {
  const tags: Array<ScalarTag | CollectionTag> = [];
  for (const name of ["Ref", "Condition", "GetAtt", ...FN_NAMES]) {
    const key = long(name);
    tags.push({
      tag: `!${name}`,
      resolve: (v: string) => (name === "GetAtt" ? getAttScalar(v) : { [key]: v }),
    } as ScalarTag);
    for (const collection of ["seq", "map"] as const) {
      tags.push({
        tag: `!${name}`,
        collection,
        resolve: (node: YAMLSeq | YAMLMap) => ({ [key]: node.toJSON() }),
      } as unknown as CollectionTag);
    }
  }
  return tags;
}

const TAGS = shortTags();

/**
 * JSON when the body starts with "{", else YAML (a superset of JSON, as CloudFormation treats it).
 * Errors carry AWS's texts: "Template format error: JSON not well-formed. (line 3,  column 5)".
 */
export function parseTemplate(body: string): JsonObject {
  const text = body.replace(/^\uFEFF/, "");
  let doc: unknown;
  if (text.trimStart().startsWith("{")) {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      const pos = /position (\d+)/.exec((e as Error).message);
      const at = pos ? lineCol(text, Number(pos[1])) : lineCol(text, text.length);
      throw formatError(`JSON not well-formed. (line ${at.line},  column ${at.col})`); // unverified wording: the double space is AWS's
    }
  } else {
    const parsed = parseDocument(text, { customTags: TAGS, uniqueKeys: true, prettyErrors: false, intAsBigInt: false });
    const err = parsed.errors[0];
    if (err) {
      const at = lineCol(text, err.pos[0]);
      throw formatError(`YAML not well-formed. (line ${at.line}, column ${at.col})`);
    }
    for (const w of parsed.warnings) {
      if (/tag/i.test(w.message)) {
        const at = lineCol(text, w.pos[0]);
        throw formatError(`YAML not well-formed. (line ${at.line}, column ${at.col})`);
      }
    }
    try {
      doc = parsed.toJS({ maxAliasCount: 100 });
    } catch {
      throw formatError("YAML not well-formed.");
    }
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw formatError("unsupported structure.");
  }
  return normalize(doc) as JsonObject;
}

/** YAML dates and other non-JSON values become strings; objects get a null prototype (user-given keys). */
function normalize(v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (Array.isArray(v)) return v.map(normalize);
  if (typeof v === "object") {
    const out: JsonObject = Object.create(null);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = normalize(x);
    return out;
  }
  return String(v);
}

function lineCol(text: string, pos: number): { line: number; col: number } {
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  const col = pos - before.lastIndexOf("\n");
  return { line, col };
}

export function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v);
}
