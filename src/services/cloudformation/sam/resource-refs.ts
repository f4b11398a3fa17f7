// `!Ref Fn.Alias` / `!Ref Fn.Version` (and `!GetAtt Fn.Alias.X`, `${Fn.Alias}` in Fn::Sub): SAM
// lets a template name the resources it generates for a function through these properties, and
// rewrites them to the generated logical ids (samtranslator/intrinsics/resource_refs.py).
import { isObject, type Json } from "../template/parse.ts";
import { dict } from "./intrinsics.ts";

/** "Fn.Alias" → "FnAliaslive", "Fn.Version" → "FnVersion0123456789". */
export type ResourceRefs = Map<string, string>;

export function replaceResourceRefs(v: Json, refs: ResourceRefs): Json {
  if (refs.size === 0 || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => replaceResourceRefs(x, refs));
  const keys = Object.keys(v);
  if (keys.length === 1) {
    const [k] = keys;
    const arg = v[k];
    if (k === "Ref" && typeof arg === "string" && refs.has(arg)) return dict([["Ref", refs.get(arg)!]]);
    if (k === "Fn::GetAtt") {
      const parts = typeof arg === "string" ? arg.split(".") : Array.isArray(arg) && arg.every((a) => typeof a === "string") ? (arg as string[]).join(".").split(".") : undefined;
      if (parts && parts.length >= 3 && refs.has(`${parts[0]}.${parts[1]}`)) return dict([["Fn::GetAtt", [refs.get(`${parts[0]}.${parts[1]}`)!, parts.slice(2).join(".")]]]);
    }
    if (k === "Fn::Sub") {
      const sub = (s: string) => s.replace(/\$\{([^}!.]+\.[^}.]+)(\.[^}]+)?\}/g, (m, name: string, rest: string | undefined) => (refs.has(name) ? `\${${refs.get(name)}${rest ?? ""}}` : m));
      if (typeof arg === "string") return dict([["Fn::Sub", sub(arg)]]);
      if (Array.isArray(arg) && typeof arg[0] === "string") return dict([["Fn::Sub", [sub(arg[0]), ...arg.slice(1).map((x) => replaceResourceRefs(x, refs))]]]);
    }
  }
  if (!isObject(v)) return v;
  return dict(Object.entries(v).map(([k, x]) => [k, replaceResourceRefs(x, refs)]));
}
