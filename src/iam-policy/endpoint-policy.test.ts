// The VPC endpoint policy layer: it only takes away (IAM UG "Policy evaluation logic"; VPC UG
// "Control access to VPC endpoints using endpoint policies").
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { withEndpointPolicy } from "./endpoint-policy.ts";
import { evaluate } from "./evaluate.ts";
import { ACCT, USER, policy, request } from "./test-support.ts";
import type { EvaluationResult } from "./types.ts";

const ALLOW_ALL = policy({ Effect: "Allow", Action: "*", Resource: "*" });
const req = request({ action: "sts:GetCallerIdentity", resource: "*", context: { "aws:SourceVpce": "vpce-1" } });
const allowed: EvaluationResult = evaluate({ request: req, identityPolicies: [ALLOW_ALL] });
const implicit: EvaluationResult = evaluate({ request: req, identityPolicies: [] });

describe("VPC endpoint policy layer", () => {
  const rows: [string, unknown, EvaluationResult, EvaluationResult["decision"], string | undefined][] = [
    ["the default policy (allow everything) keeps an allow", { Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }, allowed, "Allowed", undefined],
    ["an explicit deny there denies", [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }, { Effect: "Deny", Principal: "*", Action: "sts:GetCallerIdentity", Resource: "*" }], allowed, "ExplicitDeny", "VPC endpoint policy"],
    ["an action it does not allow is denied", { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Resource: "*" }, allowed, "ImplicitDeny", "VPC endpoint policy"],
    ["it names principals: another principal is not allowed", { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCT}:user/bob` }, Action: "*", Resource: "*" }, allowed, "ImplicitDeny", "VPC endpoint policy"],
    ["it names principals: this one is", { Effect: "Allow", Principal: { AWS: USER }, Action: "*", Resource: "*" }, allowed, "Allowed", undefined],
    ["its conditions see the request's keys", { Effect: "Allow", Principal: "*", Action: "*", Resource: "*", Condition: { StringEquals: { "aws:SourceVpce": "vpce-2" } } }, allowed, "ImplicitDeny", "VPC endpoint policy"],
    ["it grants nothing: the identity's implicit deny stays the identity's", { Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }, implicit, "ImplicitDeny", "identity-based policy"],
    ["its explicit deny wins over another layer's implicit deny", { Effect: "Deny", Principal: "*", Action: "*", Resource: "*" }, implicit, "ExplicitDeny", "VPC endpoint policy"],
  ];
  for (const [name, statement, before, decision, deniedBy] of rows) {
    test(name, () => {
      const out = withEndpointPolicy(before, policy(statement, "resource"), req);
      assert.equal(out.decision, decision);
      assert.equal(out.deniedBy, deniedBy);
    });
  }
  test("an explicit deny elsewhere is kept", () => {
    const denied = evaluate({ request: req, identityPolicies: [policy({ Effect: "Deny", Action: "*", Resource: "*" })] });
    const out = withEndpointPolicy(denied, policy({ Effect: "Deny", Principal: "*", Action: "*", Resource: "*" }, "resource"), req);
    assert.equal(out.deniedBy, "identity-based policy");
  });
});
