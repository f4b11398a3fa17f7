// Condition operators (IAM UG reference_policies_elements_condition_operators), compiled once
// into a ValueTest per condition: "does this one request value match any policy value?".
// Negation, IfExists, set operators and missing keys are applied uniformly in evaluateCondition.
import { compileArnPattern } from "./arn.ts";
import { cidrContains, parseCidr, parseIp, parseIpv4Word, type Cidr, type ParseOptions } from "../net-addr/ip.ts";
import { compileWholePattern } from "./pattern.ts";
import { hasVariables, hasWildcards, resolveTemplate, tokenize } from "./variables.ts";
import type { Token } from "./variables.ts";
import type { CompiledCondition, Context, ResolvedValue, ValueTest } from "./types.ts";

export const SET_NONE = 0;
export const SET_ALL = 1;
export const SET_ANY = 2;

type Family = "string" | "stringIc" | "stringLike" | "numeric" | "date" | "bool" | "binary" | "ip" | "arn" | "null";
type Cmp = "eq" | "lt" | "le" | "gt" | "ge";

interface BaseOperator {
  readonly name: string;
  readonly family: Family;
  readonly negated: boolean;
  readonly cmp: Cmp;
}

const BASE_LIST: readonly BaseOperator[] = [
  { name: "StringEquals", family: "string", negated: false, cmp: "eq" },
  { name: "StringNotEquals", family: "string", negated: true, cmp: "eq" },
  { name: "StringEqualsIgnoreCase", family: "stringIc", negated: false, cmp: "eq" },
  { name: "StringNotEqualsIgnoreCase", family: "stringIc", negated: true, cmp: "eq" },
  { name: "StringLike", family: "stringLike", negated: false, cmp: "eq" },
  { name: "StringNotLike", family: "stringLike", negated: true, cmp: "eq" },
  { name: "NumericEquals", family: "numeric", negated: false, cmp: "eq" },
  { name: "NumericNotEquals", family: "numeric", negated: true, cmp: "eq" },
  { name: "NumericLessThan", family: "numeric", negated: false, cmp: "lt" },
  { name: "NumericLessThanEquals", family: "numeric", negated: false, cmp: "le" },
  { name: "NumericGreaterThan", family: "numeric", negated: false, cmp: "gt" },
  { name: "NumericGreaterThanEquals", family: "numeric", negated: false, cmp: "ge" },
  { name: "DateEquals", family: "date", negated: false, cmp: "eq" },
  { name: "DateNotEquals", family: "date", negated: true, cmp: "eq" },
  { name: "DateLessThan", family: "date", negated: false, cmp: "lt" },
  { name: "DateLessThanEquals", family: "date", negated: false, cmp: "le" },
  { name: "DateGreaterThan", family: "date", negated: false, cmp: "gt" },
  { name: "DateGreaterThanEquals", family: "date", negated: false, cmp: "ge" },
  { name: "Bool", family: "bool", negated: false, cmp: "eq" },
  { name: "BinaryEquals", family: "binary", negated: false, cmp: "eq" },
  { name: "IpAddress", family: "ip", negated: false, cmp: "eq" },
  { name: "NotIpAddress", family: "ip", negated: true, cmp: "eq" },
  { name: "ArnEquals", family: "arn", negated: false, cmp: "eq" },
  { name: "ArnLike", family: "arn", negated: false, cmp: "eq" },
  { name: "ArnNotEquals", family: "arn", negated: true, cmp: "eq" },
  { name: "ArnNotLike", family: "arn", negated: true, cmp: "eq" },
  { name: "Null", family: "null", negated: false, cmp: "eq" },
];

const BASE = new Map(BASE_LIST.map((b) => [b.name.toLowerCase(), b]));

export interface OperatorSpec {
  readonly base: BaseOperator;
  readonly set: 0 | 1 | 2;
  readonly ifExists: boolean;
}

/**
 * "ForAnyValue:StringNotEqualsIfExists" -> its parts; undefined when IAM would refuse it.
 * Names are matched case-insensitively (an emulator should not refuse what AWS may accept).
 */
export function parseOperator(name: string): OperatorSpec | undefined {
  let rest = name.toLowerCase();
  let set: 0 | 1 | 2 = SET_NONE;
  if (rest.startsWith("forallvalues:")) {
    set = SET_ALL;
    rest = rest.slice("forallvalues:".length);
  } else if (rest.startsWith("foranyvalue:")) {
    set = SET_ANY;
    rest = rest.slice("foranyvalue:".length);
  }
  let ifExists = false;
  let base = BASE.get(rest);
  if (!base && rest.endsWith("ifexists")) {
    base = BASE.get(rest.slice(0, -"ifexists".length));
    ifExists = true;
  }
  if (!base) return undefined;
  if (base.family === "null" && ifExists) return undefined; // "NullIfExists" is meaningless and refused
  // A set prefix on Null is accepted and ignored: Null only asks whether the key is present.
  return { base, set: base.family === "null" ? SET_NONE : set, ifExists };
}

// ---- value parsing ----

function toNumber(v: string): number {
  // Number("") is 0, which would make an empty value equal to 0
  return v.trim() === "" ? NaN : Number(v);
}

/** Epoch seconds (digits, optionally fractional) or an ISO 8601 date/time, as epoch milliseconds. */
export function toDateMs(v: string): number {
  const s = v.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return NaN;
  // A time without a zone designator is UTC here; Date.parse would read it as local time.
  return Date.parse(/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s) ? `${s}Z` : s);
}

function normalizeBase64(v: string): string | undefined {
  const s = v.trim();
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(s)) return undefined;
  return Buffer.from(s, "base64").toString("base64");
}

function compare(cmp: Cmp, a: number, b: number): boolean {
  switch (cmp) {
    case "eq": return a === b;
    case "lt": return a < b;
    case "le": return a <= b;
    case "gt": return a > b;
    case "ge": return a >= b;
  }
}

function anyOf(tests: ValueTest[]): ValueTest {
  if (tests.length === 0) return () => false;
  if (tests.length === 1) return tests[0];
  return (v, ctx) => {
    for (let i = 0; i < tests.length; i++) if (tests[i](v, ctx)) return true;
    return false;
  };
}

/** Exact (optionally lowercased) string membership; static values go in a Set, variable templates resolve per request. */
function equalityTest(values: readonly string[], variables: boolean, ignoreCase: boolean): ValueTest {
  const statics: string[] = [];
  const dynamic: Token[][] = [];
  for (const raw of values) {
    const tokens = tokenize(raw, { variables, wildcards: false });
    if (hasVariables(tokens)) dynamic.push(tokens);
    else {
      const text = resolveTemplate(tokens, {})!; // applies the ${*} ${?} ${$} escapes
      statics.push(ignoreCase ? text.toLowerCase() : text);
    }
  }
  let staticTest: (v: string) => boolean;
  if (statics.length === 0) staticTest = () => false;
  else if (statics.length === 1) {
    const only = statics[0];
    staticTest = (v) => v === only;
  } else if (statics.length <= 4) {
    staticTest = (v) => statics.includes(v);
  } else {
    const set = new Set(statics);
    staticTest = (v) => set.has(v);
  }
  if (dynamic.length === 0) {
    return ignoreCase ? (v) => staticTest(v.toLowerCase()) : staticTest;
  }
  return (value, ctx) => {
    const v = ignoreCase ? value.toLowerCase() : value;
    if (staticTest(v)) return true;
    for (const tokens of dynamic) {
      const r = resolveTemplate(tokens, ctx);
      if (r !== undefined && (ignoreCase ? r.toLowerCase() : r) === v) return true;
    }
    return false;
  };
}

function likeTest(values: readonly string[], variables: boolean): ValueTest {
  const tokenized = values.map((raw) => tokenize(raw, { variables, wildcards: true }));
  if (tokenized.every((t) => !hasVariables(t) && !hasWildcards(t))) {
    return equalityTest(values, variables, false);
  }
  return anyOf(tokenized.map((t) => compileWholePattern(t, false)));
}

function numericTest(values: readonly string[], cmp: Cmp, parseValue: (v: string) => number): ValueTest {
  const nums = values.map(parseValue).filter((n) => !Number.isNaN(n));
  // One-entry cache: the same request value (aws:CurrentTime, aws:EpochTime) recurs across requests.
  let lastText: string | undefined;
  let lastNum = NaN;
  const parse = (v: string): number => {
    if (v !== lastText) {
      lastText = v;
      lastNum = parseValue(v);
    }
    return lastNum;
  };
  if (nums.length === 1) {
    const p = nums[0];
    return (v) => {
      const n = parse(v);
      return !Number.isNaN(n) && compare(cmp, n, p);
    };
  }
  return (v) => {
    const n = parse(v);
    if (Number.isNaN(n)) return false;
    for (const p of nums) if (compare(cmp, n, p)) return true;
    return false;
  };
}

/** IpAddress values: octets with leading zeros are taken, and an IPv4-mapped block is IPv4. */
const IAM_IP: ParseOptions = { lenient: true, mappedCidrAsV4: true };

function ipTest(values: readonly string[]): ValueTest {
  const cidrs = values.map((v) => parseCidr(v.trim(), IAM_IP)).filter((c): c is Cidr => c !== undefined);
  // IPv4 blocks as (network, mask) pairs so the common IPv4 request needs no parsing allocation
  const v4: number[] = [];
  for (const c of cidrs) if (c.fam === 4) v4.push(c.w0, c.m0);
  return (v) => {
    const n = parseIpv4Word(v, 0, v.length, true);
    if (n !== undefined) {
      for (let i = 0; i < v4.length; i += 2) if ((n & v4[i + 1]) === v4[i]) return true;
      return false;
    }
    const ip = parseIp(v.trim(), IAM_IP);
    if (!ip) return false;
    for (const c of cidrs) if (cidrContains(c, ip)) return true;
    return false;
  };
}

function arnTest(values: readonly string[], variables: boolean): ValueTest {
  return anyOf(values.map((raw) => compileArnPattern(tokenize(raw, { variables, wildcards: true }))));
}

export function compileValueTest(base: BaseOperator, values: readonly string[], variables: boolean): ValueTest {
  switch (base.family) {
    case "string": return equalityTest(values, variables, false);
    case "stringIc": return equalityTest(values, variables, true);
    case "stringLike": return likeTest(values, variables);
    case "numeric": return numericTest(values, base.cmp, toNumber);
    case "date": return numericTest(values, base.cmp, toDateMs);
    case "bool": {
      const set = values.map((v) => v.toLowerCase());
      const wantTrue = set.includes("true");
      const wantFalse = set.includes("false");
      return (v) => {
        if (v === "true") return wantTrue;
        if (v === "false") return wantFalse;
        return set.includes(v.toLowerCase());
      };
    }
    case "binary": {
      const set = values.map(normalizeBase64).filter((v): v is string => v !== undefined);
      return (v) => {
        const n = normalizeBase64(v);
        return n !== undefined && set.includes(n);
      };
    }
    case "ip": return ipTest(values);
    case "arn": return arnTest(values, variables);
    case "null": return () => false; // Null is decided on presence alone
  }
}

/** Keys named by policy variables in this condition's values (only String* and Arn* substitute them). */
export function conditionVariableTokens(base: BaseOperator, values: readonly string[], variables: boolean): Token[][] {
  if (!variables) return [];
  const f = base.family;
  if (f !== "string" && f !== "stringIc" && f !== "stringLike" && f !== "arn") return [];
  return values.map((v) => tokenize(v, { variables: true, wildcards: false }));
}

export function compileCondition(
  operator: string,
  key: string,
  keyIndex: number,
  values: readonly string[],
  variables: boolean,
): CompiledCondition {
  const spec = parseOperator(operator);
  if (!spec) throw new Error(`unknown condition operator ${operator}`); // parse.ts refuses these first
  let nullCheck = 0;
  if (spec.base.family === "null") {
    for (const v of values) {
      const l = v.toLowerCase();
      if (l === "true") nullCheck |= 1;
      else if (l === "false") nullCheck |= 2;
    }
    nullCheck |= 4; // marks "is a Null condition" even when no value was usable
  }
  return {
    operator,
    key,
    lowerKey: key.toLowerCase(),
    keyIndex,
    values,
    set: spec.set,
    ifExists: spec.ifExists,
    negated: spec.base.negated,
    nullCheck,
    test: compileValueTest(spec.base, values, variables),
  };
}

/**
 * One condition against the request's value for its key (undefined = absent).
 * Rules (IAM UG condition operators and multi-value conditions):
 * - An empty list is a null data set: treated as absent everywhere (Null, IfExists, set operators).
 * - Null: "true" matches an absent key, "false" a present one.
 * - Absent key: IfExists -> true; ForAllValues -> true; ForAnyValue -> false; otherwise negated
 *   operators -> true, positive ones -> false.
 * - A single-valued operator given a multi-valued (array) key: positive -> no match, negated ->
 *   match. AWS requires a set operator for multi-valued keys (re:Inforce 2025 IAM431); we do not
 *   guess "any value matches".
 * - Set operators treat a single string as a one-element set, and "" as a null data set.
 *   ForAllValues: every request value satisfies the (possibly negated) test; ForAnyValue: one does.
 */
export function evaluateCondition(c: CompiledCondition, raw: ResolvedValue, ctx: Context): boolean {
  let value = raw;
  if (value !== undefined && typeof value !== "string" && value.length === 0) value = undefined;
  else if (value === "" && c.set !== SET_NONE) value = undefined;
  if (c.nullCheck !== 0) return value === undefined ? (c.nullCheck & 1) !== 0 : (c.nullCheck & 2) !== 0;
  if (value === undefined) {
    if (c.ifExists || c.set === SET_ALL) return true;
    if (c.set === SET_ANY) return false;
    return c.negated;
  }
  const negated = c.negated;
  if (typeof value === "string") return c.test(value, ctx) !== negated;
  if (c.set === SET_NONE) return negated;
  if (c.set === SET_ALL) {
    for (let i = 0; i < value.length; i++) if (c.test(value[i], ctx) === negated) return false;
    return true;
  }
  for (let i = 0; i < value.length; i++) if (c.test(value[i], ctx) !== negated) return true;
  return false;
}

/** Human reason for explain output; mirrors evaluateCondition's branches. */
export function explainCondition(c: CompiledCondition, raw: ResolvedValue, matched: boolean): string {
  const empty = raw !== undefined && (typeof raw === "string" ? raw === "" && c.set !== SET_NONE : raw.length === 0);
  if (c.nullCheck !== 0) {
    return raw === undefined || empty ? `key ${c.key} is absent (null)` : `key ${c.key} is present`;
  }
  if (raw === undefined || empty) {
    const what = raw === undefined ? "absent" : "an empty set";
    if (c.ifExists) return `key ${c.key} is ${what}; ...IfExists matches`;
    if (c.set === SET_ALL) return `key ${c.key} is ${what}; ForAllValues matches`;
    if (c.set === SET_ANY) return `key ${c.key} is ${what}; ForAnyValue does not match`;
    return `key ${c.key} is ${what}; ${c.negated ? "a negated operator matches" : "no match"}`;
  }
  if (typeof raw !== "string" && c.set === SET_NONE) {
    return `key ${c.key} is multi-valued and ${c.operator} is single-valued (use ForAllValues:/ForAnyValue:); ${matched ? "negated operator matches" : "no match"}`;
  }
  return matched ? `${c.operator} matched` : `${c.operator} did not match`;
}
