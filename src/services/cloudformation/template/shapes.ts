import { isObject, type Json } from "./parse.ts";
import { fnCall } from "./intrinsics.ts";
import { templateError } from "./errors.ts";

const JOIN =
  "every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.";
const SUB =
  "One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string";

/** Argument shapes of intrinsic functions, checked before anything runs (as ValidateTemplate does). */
export function checkFunctionShapes(v: Json | undefined): void {
  if (Array.isArray(v)) {
    for (const x of v) checkFunctionShapes(x);
    return;
  }
  if (!isObject(v)) return;
  const fn = fnCall(v);
  if (fn) {
    const a = fn.args;
    const list = (n: number) => Array.isArray(a) && a.length === n;
    switch (fn.name) {
      case "Ref":
        if (typeof a !== "string") throw templateError("Ref must be a string"); // unverified wording
        break;
      case "Fn::Join":
        if (!list(2) || typeof (a as Json[])[0] !== "string" || (!Array.isArray((a as Json[])[1]) && !fnCall((a as Json[])[1]))) throw templateError(JOIN);
        break;
      case "Fn::Select":
        if (!list(2)) throw templateError("Fn::Select requires a list argument with two elements: an integer index and a list");
        break;
      case "Fn::Split":
        if (!list(2) || typeof (a as Json[])[0] !== "string") throw templateError("Fn::Split requires a list argument with two elements: a delimiter and a source string"); // unverified wording
        break;
      case "Fn::Sub":
        if (!(typeof a === "string" || (list(2) && typeof (a as Json[])[0] === "string" && isObject((a as Json[])[1])))) throw templateError(SUB);
        break;
      case "Fn::If":
        if (!list(3) || typeof (a as Json[])[0] !== "string") throw templateError("Fn::If requires a list argument with three elements"); // unverified wording
        break;
      case "Fn::FindInMap":
        if (!list(3)) throw templateError("Fn::FindInMap requires a list argument with three elements"); // unverified wording
        break;
      case "Fn::Cidr":
        if (!list(3)) throw templateError("Fn::Cidr requires a list argument with three elements: an IP block, a count and the CIDR bits"); // unverified wording
        break;
      case "Fn::GetAtt":
        if (!(typeof a === "string" ? a.includes(".") : list(2) && typeof (a as Json[])[0] === "string")) {
          throw templateError("Fn::GetAtt requires a list argument with two elements: a resource name and an attribute name"); // unverified wording
        }
        break;
      case "Fn::Equals":
        if (!list(2)) throw templateError("Fn::Equals requires a list argument with two elements"); // unverified wording
        break;
      case "Fn::Not":
        if (!list(1)) throw templateError("Fn::Not requires a list argument with one element"); // unverified wording
        break;
      case "Fn::And":
      case "Fn::Or":
        if (!Array.isArray(a) || a.length < 2 || a.length > 10) throw templateError(`${fn.name} requires a list argument with between 2 and 10 elements`); // unverified wording
        break;
    }
  }
  for (const x of Object.values(v)) checkFunctionShapes(x);
}
