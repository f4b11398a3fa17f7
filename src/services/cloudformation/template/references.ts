import { isObject, type Json } from "./parse.ts";
import { fnCall, getAttArgs, subParts, subVariables } from "./intrinsics.ts";

export interface Reference {
  kind: "Ref" | "GetAtt" | "Sub";
  target: string;
  attr?: string;
}

/** Every Ref, Fn::GetAtt and Fn::Sub variable in a value (both branches of Fn::If). */
export function collectReferences(v: Json | undefined, out: Reference[] = [], conditions?: string[]): Reference[] {
  if (Array.isArray(v)) {
    for (const x of v) collectReferences(x, out, conditions);
    return out;
  }
  if (!isObject(v)) return out;
  const fn = fnCall(v);
  if (fn?.name === "Ref" && typeof fn.args === "string") {
    out.push({ kind: "Ref", target: fn.args });
    return out;
  }
  if (fn?.name === "Fn::GetAtt") {
    const [target, attr] = getAttArgs(fn.args);
    out.push({ kind: "GetAtt", target, attr });
    if (Array.isArray(fn.args)) collectReferences(fn.args[1], out, conditions);
    return out;
  }
  if (fn?.name === "Fn::Sub") {
    const { text, vars } = subParts(fn.args);
    for (const name of subVariables(text)) {
      if (Object.prototype.hasOwnProperty.call(vars, name)) continue;
      const dot = name.indexOf(".");
      out.push(dot > 0 ? { kind: "Sub", target: name.slice(0, dot), attr: name.slice(dot + 1) } : { kind: "Sub", target: name });
    }
    for (const x of Object.values(vars)) collectReferences(x, out, conditions);
    return out;
  }
  if (fn?.name === "Fn::If" && Array.isArray(fn.args) && typeof fn.args[0] === "string") conditions?.push(fn.args[0]);
  if (fn?.name === "Condition" && typeof fn.args === "string") conditions?.push(fn.args);
  for (const x of Object.values(v)) collectReferences(x, out, conditions);
  return out;
}
