// A VPC endpoint policy: one more layer on a request that came through an interface or gateway
// endpoint (IAM UG "Policy evaluation logic"; VPC UG "Control access to VPC endpoints using endpoint
// policies"). Like a resource policy it names principals; unlike one it grants nothing: an explicit
// deny there denies, and a request it does not allow is denied whatever the other policies say.
import { lowerAction, resetMissing, statementLevel, takeMissing } from "./match.ts";
import type { CompiledPolicy, EvaluationRequest, EvaluationResult } from "./types.ts";

/** The result of the other layers, with the endpoint's policy applied on top. */
export function withEndpointPolicy(result: EvaluationResult, policy: CompiledPolicy, request: EvaluationRequest): EvaluationResult {
  if (result.decision === "ExplicitDeny") return result;
  const action = lowerAction(request.action);
  resetMissing();
  for (const s of policy.denies) {
    if (statementLevel(s, action, request.resource, request, request.context) !== 0) {
      return { decision: "ExplicitDeny", deniedBy: "VPC endpoint policy", matched: [s.record], missingContextKeys: [...result.missingContextKeys, ...takeMissing()] };
    }
  }
  // The other layers' implicit deny stays theirs: AWS names the first layer that did not allow.
  if (result.decision !== "Allowed") return result;
  for (const s of policy.allows) {
    if (statementLevel(s, action, request.resource, request, request.context) !== 0) {
      return { ...result, matched: [...result.matched, s.record], missingContextKeys: [...result.missingContextKeys, ...takeMissing()] };
    }
  }
  return { decision: "ImplicitDeny", deniedBy: "VPC endpoint policy", matched: result.matched, missingContextKeys: [...result.missingContextKeys, ...takeMissing()] };
}
