// Public surface of the IAM policy engine: compile once, evaluate many times. Pure: no I/O.
import { evaluate } from "./evaluate.ts";
import type { CompiledPolicy, EvaluationRequest, EvaluationResult } from "./types.ts";

export { compilePolicy } from "./compile.ts";
export { evaluate } from "./evaluate.ts";
export { withEndpointPolicy } from "./endpoint-policy.ts";
export { PolicyParseError } from "./errors.ts";
export type {
  CompiledPolicy,
  CompiledStatement,
  ContextValue,
  Effect,
  EvaluationInput,
  EvaluationRequest,
  EvaluationResult,
  ExplainCondition,
  ExplainEntry,
  MatchedStatement,
  PolicyKind,
  PolicyTypePhrase,
  Position,
} from "./types.ts";

export interface TrustEvaluationOptions {
  /** The caller's identity policies; needed when the trust policy names only the caller's account, and cross-account. */
  identityPolicies?: CompiledPolicy[];
  /** Whether the caller is in the role's account (default true). */
  sameAccount?: boolean;
  explain?: boolean;
}

/**
 * sts:AssumeRole trust evaluation: the role's trust policy acts as the resource policy.
 * Same account, a trust policy Allow naming the caller (its ARN, its role, "*", or the service)
 * is enough; naming only the account ("123456789012" / ":root") also needs an identity Allow.
 * Cross account, the caller's identity policies must allow too: pass them with sameAccount false.
 * A Deny in the trust policy reports deniedBy "resource-based policy".
 */
export function evaluateTrust(trustPolicy: CompiledPolicy, request: EvaluationRequest, options: TrustEvaluationOptions = {}): EvaluationResult {
  return evaluate({
    request,
    identityPolicies: options.identityPolicies ?? [],
    resourcePolicy: trustPolicy,
    sameAccount: options.sameAccount ?? true,
    ...(options.explain ? { explain: true } : {}),
  });
}
