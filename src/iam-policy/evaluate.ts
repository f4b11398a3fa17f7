// The fast evaluator: explicit Deny statements of every applicable policy first (the first hit
// decides, identity policies first), then the first Allow per layer. Nothing is compiled here.
import { decideAllow } from "./decide.ts";
import { evaluateExplained } from "./explain.ts";
import { lowerAction, resetMissing, statementApplies, statementLevel, takeMissing } from "./match.ts";
import { P_EXACT } from "./principal.ts";
import type {
  CompiledPolicy,
  CompiledStatement,
  Context,
  EvaluationInput,
  EvaluationRequest,
  EvaluationResult,
  MatchedStatement,
  PolicyTypePhrase,
} from "./types.ts";

function firstApplying(policies: readonly CompiledPolicy[], deny: boolean, action: string, resource: string, ctx: Context): CompiledStatement | undefined {
  for (let p = 0; p < policies.length; p++) {
    const list = deny ? policies[p].denies : policies[p].allows;
    for (let i = 0; i < list.length; i++) if (statementApplies(list[i], action, resource, ctx)) return list[i];
  }
  return undefined;
}

function explicitDeny(s: CompiledStatement, by: PolicyTypePhrase): EvaluationResult {
  return { decision: "ExplicitDeny", deniedBy: by, matched: [s.record], missingContextKeys: takeMissing() };
}

export function evaluate(input: EvaluationInput): EvaluationResult {
  if (input.explain === true) return evaluateExplained(input);
  const req: EvaluationRequest = input.request;
  const action = lowerAction(req.action);
  const resource = req.resource;
  const ctx = req.context;
  const identity = input.identityPolicies;
  const boundaries = input.boundaryPolicies !== undefined && input.boundaryPolicies.length > 0 ? input.boundaryPolicies : undefined;
  const sessions = input.sessionPolicies !== undefined && input.sessionPolicies.length > 0 ? input.sessionPolicies : undefined;
  const rp = input.resourcePolicy;
  resetMissing();

  // 1. Any explicit deny wins (IAM UG: "An explicit deny in any policy overrides any allows").
  let hit = firstApplying(identity, true, action, resource, ctx);
  if (hit) return explicitDeny(hit, "identity-based policy");
  if (boundaries && (hit = firstApplying(boundaries, true, action, resource, ctx))) return explicitDeny(hit, "permissions boundary");
  if (sessions && (hit = firstApplying(sessions, true, action, resource, ctx))) return explicitDeny(hit, "session policy");
  if (rp) {
    const list = rp.denies;
    for (let i = 0; i < list.length; i++) {
      if (statementLevel(list[i], action, resource, req, ctx) !== 0) return explicitDeny(list[i], "resource-based policy");
    }
  }

  // 2. Allows per layer.
  const idAllow = firstApplying(identity, false, action, resource, ctx);
  let resAllow: CompiledStatement | undefined;
  let resLevel = 0;
  if (rp) {
    const list = rp.allows;
    for (let i = 0; i < list.length && resLevel < P_EXACT; i++) {
      const level = statementLevel(list[i], action, resource, req, ctx);
      if (level > resLevel) {
        resLevel = level;
        resAllow = list[i];
      }
    }
  }
  const bAllow = boundaries ? firstApplying(boundaries, false, action, resource, ctx) : undefined;
  const sAllow = sessions ? firstApplying(sessions, false, action, resource, ctx) : undefined;
  const d = decideAllow({
    identityAllow: idAllow !== undefined,
    resourceLevel: resLevel,
    sameAccount: input.sameAccount !== false,
    boundaryAllow: boundaries ? bAllow !== undefined : undefined,
    sessionAllow: sessions ? sAllow !== undefined : undefined,
  });
  const matched: MatchedStatement[] = [];
  if (idAllow) matched.push(idAllow.record);
  if (resAllow) matched.push(resAllow.record);
  if (bAllow) matched.push(bAllow.record);
  if (sAllow) matched.push(sAllow.record);
  const missingContextKeys = takeMissing();
  if (d.decision === "Allowed") return { decision: "Allowed", matched, missingContextKeys };
  return { decision: "ImplicitDeny", deniedBy: d.deniedBy, matched, missingContextKeys };
}
