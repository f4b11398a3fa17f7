// Turns a parsed policy into closures, once, when the policy is created or attached, so that
// evaluation does no parsing, lowercasing of policy text, or RegExp construction.
import { compileArnPattern } from "./arn.ts";
import type { ArnMatcher } from "./arn.ts";
import { compileCondition, conditionVariableTokens, parseOperator } from "./conditions.ts";
import { parsePolicy } from "./parse.ts";
import { compilePrincipal } from "./principal.ts";
import { collectVariableKeys, tokenize } from "./variables.ts";
import { compileWildcard, hasWildcard } from "./wildcard.ts";
import type {
  CompiledCondition,
  CompiledPolicy,
  CompiledStatement,
  ConditionKeyRef,
  Context,
  MatchedStatement,
  ParsedStatement,
  PolicyKind,
} from "./types.ts";

let counter = 0;

/** Matcher over lowercased actions: a set of exact names plus wildcard patterns (IAM: actions are case-insensitive). */
export function compileActions(patterns: readonly string[]): (lowerAction: string) => boolean {
  const exact: string[] = [];
  const globs: ((s: string) => boolean)[] = [];
  for (const p of patterns) {
    if (p === "*") return () => true;
    if (hasWildcard(p)) globs.push(compileWildcard(p, true));
    else exact.push(p.toLowerCase());
  }
  const set = exact.length > 4 ? new Set(exact) : undefined;
  if (globs.length === 0) {
    if (exact.length === 1) {
      const only = exact[0];
      return (a) => a === only;
    }
    return set ? (a) => set.has(a) : (a) => exact.includes(a);
  }
  return (a) => {
    if (set ? set.has(a) : exact.includes(a)) return true;
    for (let i = 0; i < globs.length; i++) if (globs[i](a)) return true;
    return false;
  };
}

/** Matcher over resource ARNs (case-sensitive, component-wise, with policy variables in 2012-10-17). */
export function compileResources(patterns: readonly string[], variables: boolean): (resource: string, ctx: Context) => boolean {
  const matchers: ArnMatcher[] = [];
  for (const p of patterns) {
    if (p === "*") return () => true;
    matchers.push(compileArnPattern(tokenize(p, { variables, wildcards: true })));
  }
  if (matchers.length === 1) return matchers[0];
  return (r, ctx) => {
    for (let i = 0; i < matchers.length; i++) if (matchers[i](r, ctx)) return true;
    return false;
  };
}

function compileStatement(s: ParsedStatement, policyId: string, kind: PolicyKind, variables: boolean): CompiledStatement {
  const actions = compileActions(s.action ?? s.notAction ?? []);
  const matchAction = s.notAction ? (a: string) => !actions(a) : actions;

  let matchResource: (r: string, ctx: Context) => boolean;
  if (s.resource) matchResource = compileResources(s.resource, variables);
  else if (s.notResource) {
    const inner = compileResources(s.notResource, variables);
    matchResource = (r, ctx) => !inner(r, ctx);
  } else matchResource = () => true; // resource and trust policies may omit Resource

  const matchPrincipal = s.principal ? compilePrincipal(s.principal, false) : s.notPrincipal ? compilePrincipal(s.notPrincipal, true) : null;

  const keyIndex = new Map<string, number>();
  const keys: ConditionKeyRef[] = [];
  const varKeys = new Map<string, string>();
  const conditions: CompiledCondition[] = [];
  for (const c of s.conditions) {
    const lower = c.key.toLowerCase();
    let idx = keyIndex.get(lower);
    if (idx === undefined) {
      idx = keys.length;
      keyIndex.set(lower, idx);
      keys.push({ key: c.key, lower });
    }
    conditions.push(compileCondition(c.operator, c.key, idx, c.values, variables));
    const spec = parseOperator(c.operator);
    if (spec) for (const t of conditionVariableTokens(spec.base, c.values, variables)) collectVariableKeys(t, varKeys);
  }
  if (variables) {
    for (const r of s.resource ?? s.notResource ?? []) collectVariableKeys(tokenize(r, { variables: true, wildcards: true }), varKeys);
  }

  const record: MatchedStatement = Object.freeze({
    policyId,
    policyType: kind,
    index: s.index,
    effect: s.effect,
    ...(s.sid !== undefined ? { sid: s.sid } : {}),
    ...(s.start ? { start: Object.freeze({ ...s.start }) } : {}),
    ...(s.end ? { end: Object.freeze({ ...s.end }) } : {}),
  }) as MatchedStatement;

  return {
    index: s.index,
    effect: s.effect,
    ...(s.sid !== undefined ? { sid: s.sid } : {}),
    matchAction,
    matchResource,
    matchPrincipal,
    conditions,
    keys,
    variableKeys: [...varKeys].map(([lower, key]) => ({ key, lower })),
    record,
    source: s,
  };
}

/** Parses, validates and compiles a policy document once; throws PolicyParseError. */
export function compilePolicy(json: string, kind: PolicyKind, id?: string): CompiledPolicy {
  const parsed = parsePolicy(json, kind);
  const policyId = id ?? parsed.id ?? `policy-${++counter}`;
  const variables = parsed.version === "2012-10-17";
  const statements = parsed.statements.map((s) => compileStatement(s, policyId, kind, variables));
  return {
    id: policyId,
    type: kind,
    document: parsed.document,
    version: parsed.version,
    statements,
    denies: statements.filter((s) => s.effect === "Deny"),
    allows: statements.filter((s) => s.effect === "Allow"),
  };
}
