// The allow half of AWS's evaluation logic (IAM UG reference_policies_evaluation-logic and
// "policy-eval-denyallow"), after explicit denies have been ruled out.
import { P_ACCOUNT, P_BROAD, P_EXACT } from "./principal.ts";
import type { PolicyTypePhrase } from "./types.ts";

export interface AllowFacts {
  identityAllow: boolean;
  /** Best principal level among matching resource-policy Allow statements (0 if none). */
  resourceLevel: number;
  sameAccount: boolean;
  /** undefined: no permissions boundary applies. */
  boundaryAllow: boolean | undefined;
  /** undefined: no session policy applies. */
  sessionAllow: boolean | undefined;
}

export type AllowDecision = { decision: "Allowed" } | { decision: "ImplicitDeny"; deniedBy: PolicyTypePhrase };

/**
 * Same account: an identity Allow, or a resource-policy Allow naming the principal, grants.
 * A resource policy naming only the account delegates to identity policies. A resource policy
 * naming the caller's exact ARN (user or session) is not limited by boundary or session policy.
 * Cross account: both the identity policy and the resource policy must allow.
 * Then a boundary, when present, must allow, then a session policy, when present.
 */
export function decideAllow(f: AllowFacts): AllowDecision {
  if (f.sameAccount && f.resourceLevel === P_EXACT) return { decision: "Allowed" };
  const granted = f.sameAccount ? f.identityAllow || f.resourceLevel >= P_BROAD : f.identityAllow && f.resourceLevel >= P_ACCOUNT;
  if (!granted) {
    return { decision: "ImplicitDeny", deniedBy: !f.sameAccount && f.identityAllow ? "resource-based policy" : "identity-based policy" };
  }
  if (f.boundaryAllow === false) return { decision: "ImplicitDeny", deniedBy: "permissions boundary" };
  if (f.sessionAllow === false) return { decision: "ImplicitDeny", deniedBy: "session policy" };
  return { decision: "Allowed" };
}
