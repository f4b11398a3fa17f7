// Statement-level matching shared by the fast evaluator and the explain path, plus the
// bookkeeping of condition keys the request did not carry (SimulatePrincipalPolicy's
// MissingContextValues). Module state is safe: evaluation is synchronous and never re-enters.
import { lookup } from "./context.ts";
import { evaluateCondition } from "./conditions.ts";
import type { CompiledStatement, ConditionKeyRef, Context, PrincipalLevel, PrincipalRequest, ResolvedValue } from "./types.ts";

let missing: string[] | null = null;
let missingLower: string[] | null = null;

export function resetMissing(): void {
  missing = null;
  missingLower = null;
}

export function takeMissing(): string[] {
  const m = missing ?? [];
  missing = null;
  missingLower = null;
  return m;
}

export function noteMissing(k: ConditionKeyRef): void {
  if (missing === null || missingLower === null) {
    missing = [k.key];
    missingLower = [k.lower];
  } else if (!missingLower.includes(k.lower)) {
    missing.push(k.key);
    missingLower.push(k.lower);
  }
}

function noteVariableKeys(s: CompiledStatement, ctx: Context): void {
  const vk = s.variableKeys;
  for (let i = 0; i < vk.length; i++) if (lookup(ctx, vk[i].key, vk[i].lower) === undefined) noteMissing(vk[i]);
}

const scratch: ResolvedValue[] = [];

/** All conditions hold (AND). Every key is looked up first so missing ones are recorded even after an early false. */
export function conditionsHold(s: CompiledStatement, ctx: Context): boolean {
  const keys = s.keys;
  if (keys.length === 0) return true;
  for (let i = 0; i < keys.length; i++) {
    const v = lookup(ctx, keys[i].key, keys[i].lower);
    if (v === undefined) noteMissing(keys[i]);
    scratch[i] = v;
  }
  const conds = s.conditions;
  let ok = true;
  for (let i = 0; i < conds.length; i++) {
    const c = conds[i];
    if (!evaluateCondition(c, scratch[c.keyIndex], ctx)) {
      ok = false;
      break;
    }
  }
  for (let i = 0; i < keys.length; i++) scratch[i] = undefined; // do not keep request values alive
  return ok;
}

/** Action, resource and conditions of a statement without Principal. */
export function statementApplies(s: CompiledStatement, lowerAction: string, resource: string, ctx: Context): boolean {
  if (!s.matchAction(lowerAction)) return false;
  if (s.variableKeys.length !== 0) noteVariableKeys(s, ctx);
  if (!s.matchResource(resource, ctx)) return false;
  return conditionsHold(s, ctx);
}

/** Like statementApplies for resource/trust statements: the principal level (0 when the statement does not apply). */
export function statementLevel(s: CompiledStatement, lowerAction: string, resource: string, req: PrincipalRequest, ctx: Context): PrincipalLevel {
  if (!s.matchAction(lowerAction)) return 0;
  if (s.variableKeys.length !== 0) noteVariableKeys(s, ctx);
  if (!s.matchResource(resource, ctx)) return 0;
  const level = s.matchPrincipal === null ? 2 : s.matchPrincipal(req);
  if (level === 0) return 0;
  return conditionsHold(s, ctx) ? level : 0;
}

let lastAction = "";
let lastLower = "";

/** Lowercases the request action, remembering the last one (callers repeat the same action a lot). */
export function lowerAction(action: string): string {
  if (action !== lastAction) {
    lastAction = action;
    lastLower = action.toLowerCase();
  }
  return lastLower;
}
