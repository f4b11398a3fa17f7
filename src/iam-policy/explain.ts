// The explain path: every statement of every policy is evaluated in full (no short-circuit) and
// described, for the admin API's decision log and for SimulatePrincipalPolicy. Slower, same rules.
import { evaluateCondition, explainCondition } from "./conditions.ts";
import { lookup } from "./context.ts";
import { decideAllow } from "./decide.ts";
import { lowerAction, noteMissing, resetMissing, takeMissing } from "./match.ts";
import type {
  CompiledPolicy,
  CompiledStatement,
  EvaluationInput,
  EvaluationRequest,
  EvaluationResult,
  ExplainCondition,
  ExplainEntry,
  MatchedStatement,
  PolicyTypePhrase,
} from "./types.ts";

interface Outcome {
  entry: ExplainEntry;
  level: number;
}

function explainStatement(p: CompiledPolicy, s: CompiledStatement, action: string, req: EvaluationRequest): Outcome {
  const ctx = req.context;
  const actionMatched = s.matchAction(action);
  if (actionMatched) for (const k of s.variableKeys) if (lookup(ctx, k.key, k.lower) === undefined) noteMissing(k);
  const resourceMatched = s.matchResource(req.resource, ctx);
  const level = s.matchPrincipal === null ? 2 : s.matchPrincipal(req);
  const principalMatched = s.matchPrincipal === null ? null : level !== 0;
  const considered = actionMatched && resourceMatched && principalMatched !== false;
  const conditions: ExplainCondition[] = s.conditions.map((c) => {
    const key = s.keys[c.keyIndex];
    const raw = lookup(ctx, key.key, key.lower);
    if (raw === undefined && considered) noteMissing(key);
    const matched = evaluateCondition(c, raw, ctx);
    return { operator: c.operator, key: c.key, policyValues: c.values, requestValue: raw, matched, reason: explainCondition(c, raw, matched) };
  });
  const conditionsMatched = conditions.every((c) => c.matched);
  const matched = considered && conditionsMatched;
  const src = s.source;
  let reason: string;
  if (!actionMatched) reason = `${req.action} is ${src.notAction ? "listed in NotAction" : "not matched by Action"}`;
  else if (!resourceMatched) reason = `${req.resource} is ${src.notResource ? "listed in NotResource" : "not matched by Resource"}`;
  else if (principalMatched === false) reason = `${req.principalArn} is ${src.notPrincipal ? "listed in NotPrincipal" : "not matched by Principal"}`;
  else if (!conditionsMatched) reason = `condition not met: ${conditions.filter((c) => !c.matched).map((c) => `${c.operator} ${c.key} (${c.reason})`).join("; ")}`;
  else reason = `statement applies: ${s.effect}`;
  const entry: ExplainEntry = {
    policyId: p.id,
    policyType: p.type,
    index: s.index,
    effect: s.effect,
    matched,
    actionMatched,
    resourceMatched,
    principalMatched,
    conditions,
    reason,
    ...(s.sid !== undefined ? { sid: s.sid } : {}),
  };
  return { entry, level: matched ? level : 0 };
}

export function evaluateExplained(input: EvaluationInput): EvaluationResult {
  const req = input.request;
  const action = lowerAction(req.action);
  const boundaries = input.boundaryPolicies !== undefined && input.boundaryPolicies.length > 0 ? input.boundaryPolicies : undefined;
  const sessions = input.sessionPolicies !== undefined && input.sessionPolicies.length > 0 ? input.sessionPolicies : undefined;
  resetMissing();

  const explain: ExplainEntry[] = [];
  const matched: MatchedStatement[] = [];
  let deniedBy: PolicyTypePhrase | undefined;
  let firstDeny: MatchedStatement | undefined;

  const layer = (policies: readonly CompiledPolicy[], phrase: PolicyTypePhrase): { allow: boolean; level: number } => {
    let allow = false;
    let level = 0;
    for (const p of policies) {
      for (const s of p.statements) {
        const o = explainStatement(p, s, action, req);
        explain.push(o.entry);
        if (!o.entry.matched) continue;
        matched.push(s.record);
        if (s.effect === "Deny") {
          if (deniedBy === undefined) {
            deniedBy = phrase;
            firstDeny = s.record;
          }
        } else {
          allow = true;
          if (o.level > level) level = o.level;
        }
      }
    }
    return { allow, level };
  };

  const id = layer(input.identityPolicies, "identity-based policy");
  const b = boundaries ? layer(boundaries, "permissions boundary") : undefined;
  const s = sessions ? layer(sessions, "session policy") : undefined;
  const r = input.resourcePolicy ? layer([input.resourcePolicy], "resource-based policy") : undefined;
  const missingContextKeys = takeMissing();

  if (deniedBy !== undefined) {
    // The decisive deny first, then everything else that matched.
    const ordered = [firstDeny!, ...matched.filter((m) => m !== firstDeny)];
    return { decision: "ExplicitDeny", deniedBy, matched: ordered, missingContextKeys, explain };
  }
  const d = decideAllow({
    identityAllow: id.allow,
    resourceLevel: r ? r.level : 0,
    sameAccount: input.sameAccount !== false,
    boundaryAllow: b ? b.allow : undefined,
    sessionAllow: s ? s.allow : undefined,
  });
  if (d.decision === "Allowed") return { decision: "Allowed", matched, missingContextKeys, explain };
  return { decision: "ImplicitDeny", deniedBy: d.deniedBy, matched, missingContextKeys, explain };
}
