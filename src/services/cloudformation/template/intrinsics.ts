import { isObject, type Json, type JsonObject } from "./parse.ts";
import { formatError, templateError, validationError } from "./errors.ts";

/** What a value may be once resolved: a list parameter or Fn::Split gives a list. */
export type Resolved = Json;

/** AWS::NoValue: a property (or list item) that resolves to it is left out. */
export const NO_VALUE: unique symbol = Symbol("AWS::NoValue");

/** Everything intrinsic functions can read, given by the engine for the moment it resolves. */
export interface ResolveScope {
  /** Parameters and pseudo parameters by name (null prototype). */
  refs: Record<string, Json>;
  /** Ref of a resource: its physical id (or what its type returns for Ref). */
  resourceRef(logicalId: string): Json | undefined;
  /** Fn::GetAtt: undefined for an unknown attribute. */
  resourceAttr(logicalId: string, attr: string): Json | undefined;
  conditions: Record<string, boolean>;
  mappings: JsonObject;
  region: string;
  /** Availability zones of the region, for Fn::GetAZs. */
  azs(region: string): string[];
  importValue(name: string): string | undefined;
}

const FN_KEYS = new Set(["Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Fn::FindInMap", "Fn::Base64", "Fn::Cidr", "Fn::GetAZs", "Fn::ImportValue", "Condition", "Fn::Transform"]);

/** {"Fn::X": args} with exactly one key: an intrinsic function call. */
export function fnCall(v: Json | undefined): { name: string; args: Json } | undefined {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1 || !FN_KEYS.has(keys[0])) return undefined;
  return { name: keys[0], args: v[keys[0]] };
}

/** Resolve every intrinsic function in a value; AWS::NoValue entries disappear. */
export function resolve(v: Json, scope: ResolveScope): Json {
  const r = resolveAny(v, scope);
  return r === NO_VALUE ? null : r;
}

function resolveAny(v: Json, scope: ResolveScope): Json | typeof NO_VALUE {
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const x of v) {
      const r = resolveAny(x, scope);
      if (r !== NO_VALUE) out.push(r);
    }
    return out;
  }
  if (!isObject(v)) return v;
  const fn = fnCall(v);
  if (fn && fn.name !== "Condition") return call(fn.name, fn.args, scope);
  const out: JsonObject = Object.create(null);
  for (const [k, x] of Object.entries(v)) {
    const r = resolveAny(x, scope);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}

function str(v: Json | typeof NO_VALUE, fn: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw templateError(`every ${fn} object requires a string value`); // unverified wording
}

function call(name: string, args: Json, scope: ResolveScope): Json | typeof NO_VALUE {
  switch (name) {
    case "Ref": {
      if (typeof args !== "string") throw templateError("Unresolved dependencies. Ref must be a string"); // unverified wording
      if (args === "AWS::NoValue") return NO_VALUE;
      if (Object.prototype.hasOwnProperty.call(scope.refs, args)) return scope.refs[args];
      const r = scope.resourceRef(args);
      if (r === undefined) throw formatError(`Unresolved resource dependencies [${args}] in the Resources block of the template`);
      return r;
    }
    case "Fn::GetAtt": {
      const [res, attr] = getAttArgs(args, scope);
      const r = scope.resourceAttr(res, attr);
      if (r === undefined) throw templateError(`resource ${res} does not support attribute type ${attr} in Fn::GetAtt`);
      return r;
    }
    case "Fn::Join": {
      if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== "string") throw joinError();
      const list = resolveAny(args[1], scope);
      if (!Array.isArray(list)) throw joinError();
      return list.map((x) => (typeof x === "string" || typeof x === "number" || typeof x === "boolean" ? String(x) : (() => { throw joinError(); })())).join(args[0]);
    }
    case "Fn::Select": {
      if (!Array.isArray(args) || args.length !== 2) throw templateError("Fn::Select requires a list argument with two elements: an integer index and a list");
      const idx = Number(resolveAny(args[0], scope));
      const list = resolveAny(args[1], scope);
      if (!Number.isInteger(idx) || !Array.isArray(list)) throw templateError("Fn::Select requires a list argument with two elements: an integer index and a list");
      if (idx < 0 || idx >= list.length) throw templateError(`Fn::Select cannot select nonexistent value at index ${idx}`);
      return list[idx];
    }
    case "Fn::Split": {
      if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== "string") throw templateError("Fn::Split requires a list argument with two elements: a delimiter and a source string"); // unverified wording
      const source = resolveAny(args[1], scope);
      if (typeof source !== "string") throw templateError("Fn::Split requires a list argument with two elements: a delimiter and a source string"); // unverified wording
      return source.split(args[0]);
    }
    case "Fn::Sub":
      return sub(args, scope);
    case "Fn::If": {
      if (!Array.isArray(args) || args.length !== 3 || typeof args[0] !== "string") throw templateError("Fn::If requires a list argument with three elements"); // unverified wording
      if (!Object.prototype.hasOwnProperty.call(scope.conditions, args[0])) throw templateError(`unresolved condition dependency ${args[0]} in Fn::If`);
      return resolveAny(scope.conditions[args[0]] ? args[1] : args[2], scope);
    }
    case "Fn::Equals":
    case "Fn::And":
    case "Fn::Or":
    case "Fn::Not":
      return evalCondition({ [name]: args }, scope);
    case "Fn::FindInMap": {
      if (!Array.isArray(args) || args.length !== 3) throw templateError("Fn::FindInMap requires 3 arguments"); // unverified wording
      const [m, k1, k2] = args.map((a) => str(resolveAny(a, scope), "Fn::FindInMap"));
      // Keys are user-given and the mappings may be plain objects (restored from the store): own properties only.
      const at = (o: Json | undefined, k: string) => (isObject(o) && Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
      const val = at(at(scope.mappings, m), k1) === undefined ? undefined : at(at(at(scope.mappings, m), k1), k2);
      if (val === undefined) throw templateError(`Unable to get mapping for ${m}::${k1}::${k2}`);
      return val;
    }
    case "Fn::Base64":
      return Buffer.from(str(resolveAny(args, scope), "Fn::Base64"), "utf8").toString("base64");
    case "Fn::GetAZs": {
      const r = resolveAny(args, scope);
      const region = r === "" || r === null ? scope.region : str(r, "Fn::GetAZs");
      return scope.azs(region);
    }
    case "Fn::ImportValue": {
      const n = str(resolveAny(args, scope), "Fn::ImportValue");
      const v = scope.importValue(n);
      if (v === undefined) throw validationError(`No export named ${n} found.`);
      return v;
    }
    case "Fn::Cidr":
      return cidr(args, scope);
    default:
      throw templateError(`Unsupported function ${name}`); // unverified wording
  }
}

function joinError() {
  return templateError(
    "every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.",
  );
}

/** ["A", "B.C"], "A.B" or a list whose attribute name is itself a Ref. */
export function getAttArgs(args: Json, scope?: ResolveScope): [string, string] {
  if (typeof args === "string") {
    const dot = args.indexOf(".");
    if (dot > 0) return [args.slice(0, dot), args.slice(dot + 1)];
  }
  if (Array.isArray(args) && args.length === 2 && typeof args[0] === "string") {
    const attr = scope && typeof args[1] !== "string" ? resolveAny(args[1], scope) : args[1];
    if (typeof attr === "string") return [args[0], attr];
  }
  throw templateError("Fn::GetAtt requires a list argument with two elements: a resource name and an attribute name"); // unverified wording
}

const SUB_VAR = /\$\{([^}!][^}]*)\}/g;

/** The variables a Fn::Sub string names: ${Param}, ${Resource}, ${Resource.Attr}; ${!Literal} is not one. */
export function subVariables(text: string): string[] {
  return [...text.matchAll(SUB_VAR)].map((m) => m[1].trim());
}

function subArgs(args: Json): { text: string; vars: JsonObject } {
  if (typeof args === "string") return { text: args, vars: Object.create(null) };
  if (Array.isArray(args) && args.length === 2 && typeof args[0] === "string" && isObject(args[1])) return { text: args[0], vars: args[1] };
  throw templateError(
    "One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string",
  );
}

export function subParts(args: Json): { text: string; vars: JsonObject } {
  return subArgs(args);
}

function sub(args: Json, scope: ResolveScope): string {
  const { text, vars } = subArgs(args);
  const values: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(vars)) values[k] = str(resolveAny(v, scope), "Fn::Sub");
  return text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    if (inner.startsWith("!")) return "${" + inner.slice(1) + "}";
    const name = inner.trim();
    if (Object.prototype.hasOwnProperty.call(values, name)) return values[name];
    if (Object.prototype.hasOwnProperty.call(scope.refs, name)) {
      const v = scope.refs[name];
      return Array.isArray(v) ? v.join(",") : str(v, "Fn::Sub");
    }
    const dot = name.indexOf(".");
    if (dot > 0) {
      const v = scope.resourceAttr(name.slice(0, dot), name.slice(dot + 1));
      if (v === undefined) throw templateError(`resource ${name.slice(0, dot)} does not support attribute type ${name.slice(dot + 1)} in Fn::Sub`);
      return str(v, "Fn::Sub");
    }
    const r = scope.resourceRef(name);
    if (r === undefined) throw formatError(`Unresolved resource dependencies [${name}] in the Resources block of the template`);
    return str(r, "Fn::Sub");
  });
}

/** Conditions: Fn::Equals / And / Or / Not / Condition, to a boolean. */
export function evalCondition(v: Json, scope: ResolveScope): boolean {
  const fn = fnCall(v);
  if (!fn) {
    if (typeof v === "boolean") return v;
    if (v === "true" || v === "false") return v === "true";
    throw templateError("Conditions can only be boolean operations on parameters and other conditions"); // unverified wording
  }
  const list = (n: number | [number, number]) => {
    const [min, max] = typeof n === "number" ? [n, n] : n;
    if (!Array.isArray(fn.args) || fn.args.length < min || fn.args.length > max) {
      throw templateError(`${fn.name} requires a list of ${typeof n === "number" ? n : `${min} to ${max}`} elements`); // unverified wording
    }
    return fn.args;
  };
  switch (fn.name) {
    case "Condition":
      if (typeof fn.args !== "string" || !Object.prototype.hasOwnProperty.call(scope.conditions, fn.args)) throw templateError(`unresolved condition dependency ${String(fn.args)} in Fn::Condition`); // unverified wording
      return scope.conditions[fn.args];
    case "Fn::Equals": {
      const [a, b] = list(2).map((x) => resolveAny(x, scope));
      return JSON.stringify(a) === JSON.stringify(b) || (scalar(a) && scalar(b) && String(a) === String(b));
    }
    case "Fn::And":
      return list([2, 10]).every((x) => evalCondition(x, scope));
    case "Fn::Or":
      return list([2, 10]).some((x) => evalCondition(x, scope));
    case "Fn::Not":
      return !evalCondition(list(1)[0], scope);
    case "Fn::If": {
      const r = resolveAny(v, scope);
      return evalCondition(r === NO_VALUE ? false : r, scope);
    }
    default:
      throw templateError(`${fn.name} is not supported in a condition`); // unverified wording
  }
}

function scalar(v: Json | typeof NO_VALUE): boolean {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

/** Fn::Cidr [ipBlock, count, cidrBits]: count subnets of /(32 - cidrBits) from the start of the block. */
function cidr(args: Json, scope: ResolveScope): string[] {
  const bad = () => templateError("Fn::Cidr requires a list argument with three elements: an IP block, a count and the CIDR bits"); // unverified wording
  if (!Array.isArray(args) || args.length !== 3) throw bad();
  const block = resolveAny(args[0], scope);
  const count = Number(resolveAny(args[1], scope));
  const bits = Number(resolveAny(args[2], scope));
  if (typeof block !== "string" || !Number.isInteger(count) || !Number.isInteger(bits) || count < 1 || count > 256) throw bad();
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(block);
  if (m) {
    const base = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
    const prefix = 32 - bits;
    if (bits < 1 || bits > 32 || prefix < Number(m[5])) throw bad();
    const size = 2 ** bits;
    if (count * size > 2 ** (32 - Number(m[5]))) throw templateError(`Fn::Cidr cannot produce ${count} subnets of /${prefix} from ${block}`); // unverified wording
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const a = (base + i * size) >>> 0;
      out.push(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${prefix}`);
    }
    return out;
  }
  const v6 = /^([0-9a-fA-F:]+)\/(\d+)$/.exec(block);
  if (!v6) throw bad();
  const big = ipv6ToBig(v6[1]);
  const prefix = 128 - bits;
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(`${bigToIpv6(big + BigInt(i) * (1n << BigInt(bits)))}/${prefix}`);
  return out;
}

function ipv6ToBig(text: string): bigint {
  const [head, tail] = text.split("::");
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || "0", 16)), 0n);
}

function bigToIpv6(v: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
}
