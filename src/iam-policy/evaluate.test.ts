// Action/Resource matching and the decision logic across policy types, table-driven.
// Rules: IAM UG reference_policies_evaluation-logic (deny overrides; same vs cross account),
// reference_policies_elements_action / _resource / _principal, access_policies_boundaries,
// access_policies (session policies).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compilePolicy } from "./compile.ts";
import { evaluate } from "./evaluate.ts";
import { evaluateTrust } from "./index.ts";
import { ACCT, OTHER, USER, policy, request } from "./test-support.ts";
import type { CompiledPolicy, EvaluationInput, EvaluationResult } from "./types.ts";

const FN = `arn:aws:lambda:us-east-1:${ACCT}:function:my-fn`;

describe("Action and NotAction (actions are case-insensitive)", () => {
  const rows: [string, unknown, string, boolean, boolean?][] = [
    ["exact name", "lambda:CreateFunction", "lambda:CreateFunction", true],
    ["policy in another case", "LAMBDA:createfunction", "lambda:CreateFunction", true],
    ["request in another case", "lambda:CreateFunction", "Lambda:CREATEFUNCTION", true],
    ["other action", "lambda:CreateFunction", "lambda:DeleteFunction", false],
    ["service wildcard", "lambda:*", "lambda:InvokeFunction", true],
    ["service wildcard, other service", "lambda:*", "ec2:RunInstances", false],
    ["prefix wildcard", "lambda:Get*", "lambda:GetFunctionConfiguration", true],
    ["prefix wildcard, case-insensitive", "lambda:get*", "lambda:GetFunction", true],
    ["prefix wildcard, no match", "lambda:Get*", "lambda:ListFunctions", false],
    ["infix wildcard", "lambda:*Function", "lambda:DeleteFunction", true],
    ["? wildcard", "s3:?etObject", "s3:GetObject", true],
    ["? needs exactly one character", "s3:?etObject", "s3:etObject", false],
    ["* matches every action", "*", "iam:CreateUser", true],
    ["a list is OR", ["ec2:DescribeVpcs", "lambda:CreateFunction"], "lambda:CreateFunction", true],
    ["a list with wildcards", ["ec2:Describe*", "lambda:Get*"], "ec2:DescribeSubnets", true],
    ["a long list (set path)", ["a:1", "a:2", "a:3", "a:4", "a:5", "lambda:CreateFunction"], "lambda:createfunction", true],
    ["NotAction: listed action does not apply", "lambda:CreateFunction", "lambda:CreateFunction", false, true],
    ["NotAction: other action applies", "lambda:CreateFunction", "lambda:DeleteFunction", true, true],
    ["NotAction: wildcard", "iam:*", "lambda:DeleteFunction", true, true],
    ["NotAction: wildcard excludes the service", "iam:*", "iam:CreateUser", false, true],
  ];
  for (const [name, action, requested, expected, not] of rows) {
    test(name, () => {
      const p = policy({ Effect: "Allow", [not ? "NotAction" : "Action"]: action, Resource: "*" });
      assert.equal(evaluate({ request: request({ action: requested }), identityPolicies: [p] }).decision === "Allowed", expected);
    });
  }
});

describe("Resource and NotResource (ARNs are case-sensitive)", () => {
  const rows: [string, unknown, string, boolean, Record<string, string>?, boolean?, (string | null)?][] = [
    ["exact ARN", FN, FN, true],
    ["ARN in another case", FN.replace("my-fn", "My-Fn"), FN, false],
    ["* matches anything", "*", FN, true],
    ["* matches a resource-less action", "*", "*", true],
    ["an ARN does not match the request resource *", FN, "*", false],
    ["trailing * in the resource part", `arn:aws:lambda:us-east-1:${ACCT}:function:*`, FN, true],
    ["trailing * covers qualifiers with colons", `arn:aws:lambda:us-east-1:${ACCT}:function:*`, `${FN}:prod`, true],
    ["without * a qualified ARN does not match", FN, `${FN}:prod`, false],
    ["* in the region", `arn:aws:lambda:*:${ACCT}:function:my-fn`, FN, true],
    ["* in region and account", "arn:aws:lambda:*:*:function:my-*", FN, true],
    ["? in the name", `arn:aws:lambda:us-east-1:${ACCT}:function:my-f?`, FN, true],
    ["other account", `arn:aws:lambda:us-east-1:${OTHER}:function:*`, FN, false],
    ["other service", `arn:aws:s3:::my-fn`, FN, false],
    ["S3 object wildcard", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt", true],
    ["S3 bucket ARN is not an object ARN", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false],
    ["wildcard in a middle component does not cross colons", "arn:aws:lambda:*:function:my-fn", FN, false],
    ["list is OR", ["arn:aws:s3:::x", FN], FN, true],
    ["${aws:username} in Resource", `arn:aws:lambda:us-east-1:${ACCT}:function:\${aws:username}-*`, `arn:aws:lambda:us-east-1:${ACCT}:function:alice-api`, true, { "aws:username": "alice" }],
    ["${aws:username} resolves to someone else", `arn:aws:lambda:us-east-1:${ACCT}:function:\${aws:username}-*`, `arn:aws:lambda:us-east-1:${ACCT}:function:bob-api`, false, { "aws:username": "alice" }],
    ["unresolved variable in Resource never matches", `arn:aws:lambda:us-east-1:${ACCT}:function:\${aws:username}`, `arn:aws:lambda:us-east-1:${ACCT}:function:`, false],
    ["variable default in Resource", "arn:aws:s3:::home/${aws:PrincipalTag/team, 'shared'}/*", "arn:aws:s3:::home/shared/x", true],
    ["${*} in Resource is a literal asterisk", "arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/*", true],
    ["${*} in Resource is not a wildcard", "arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/x", false],
    ["a variable's value is literal, not a wildcard", "arn:aws:s3:::bucket/${aws:username}", "arn:aws:s3:::bucket/x", false, { "aws:username": "*" }],
    ["2008-10-17 leaves ${...} literal in Resource", "arn:aws:s3:::bucket/${aws:username}", "arn:aws:s3:::bucket/alice", false, { "aws:username": "alice" }, false, "2008-10-17"],
    ["NotResource: listed ARN does not apply", FN, FN, false, undefined, true],
    ["NotResource: other ARN applies", FN, `${FN}2`, true, undefined, true],
    ["NotResource with wildcard", "arn:aws:s3:::*", FN, true, undefined, true],
    ["NotResource with a variable", "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/bob/x", true, { "aws:username": "alice" }, true],
  ];
  for (const [name, resource, requested, expected, context, not, version] of rows) {
    test(name, () => {
      const p = policy({ Effect: "Allow", Action: "*", [not ? "NotResource" : "Resource"]: resource }, "identity", version ?? "2012-10-17");
      assert.equal(evaluate({ request: request({ resource: requested, context: context ?? {} }), identityPolicies: [p] }).decision === "Allowed", expected);
    });
  }
});

// Shorthand policies for decision tables.
const allowAll = (kind: "identity" | "boundary" | "session" = "identity", id?: string): CompiledPolicy => policy({ Sid: "AllowAll", Effect: "Allow", Action: "*", Resource: "*" }, kind, "2012-10-17", id);
const allowLambda = (kind: "identity" | "boundary" | "session" = "identity"): CompiledPolicy => policy({ Effect: "Allow", Action: "lambda:*", Resource: "*" }, kind);
const allowEc2 = (kind: "identity" | "boundary" | "session" = "identity"): CompiledPolicy => policy({ Effect: "Allow", Action: "ec2:*", Resource: "*" }, kind);
const denyLambda = (kind: "identity" | "boundary" | "session" = "identity"): CompiledPolicy => policy({ Sid: "DenyLambda", Effect: "Deny", Action: "lambda:*", Resource: "*" }, kind);
const resourcePolicy = (effect: "Allow" | "Deny", principal: unknown, extra: Record<string, unknown> = {}): CompiledPolicy =>
  policy({ Sid: "rp", Effect: effect, Principal: principal, Action: "lambda:*", Resource: FN, ...extra }, "resource");

const SESSION = `arn:aws:sts::${ACCT}:assumed-role/app-role/sess-1`;
const ROLE = `arn:aws:iam::${ACCT}:role/app-role`;
const lambdaCall = (principalArn = USER) => request({ action: "lambda:InvokeFunction", resource: FN, principalArn });

interface Case {
  name: string;
  input: Omit<EvaluationInput, "request"> & { request?: EvaluationInput["request"] };
  decision: EvaluationResult["decision"];
  deniedBy?: string;
}

function runCases(cases: Case[]): void {
  for (const c of cases) {
    test(c.name, () => {
      const r = evaluate({ ...c.input, request: c.input.request ?? lambdaCall() });
      assert.equal(r.decision, c.decision);
      assert.equal(r.deniedBy, c.deniedBy);
      // the explain path must reach the same decision
      const e = evaluate({ ...c.input, request: c.input.request ?? lambdaCall(), explain: true });
      assert.equal(e.decision, c.decision);
      assert.equal(e.deniedBy, c.deniedBy);
    });
  }
}

describe("identity policies: deny overrides allow, default deny", () => {
  runCases([
    { name: "no policies: implicit deny by identity-based policy", input: { identityPolicies: [] }, decision: "ImplicitDeny", deniedBy: "identity-based policy" },
    { name: "allow", input: { identityPolicies: [allowLambda()] }, decision: "Allowed" },
    { name: "allow for another service only", input: { identityPolicies: [allowEc2()] }, decision: "ImplicitDeny", deniedBy: "identity-based policy" },
    { name: "deny beats allow in another policy", input: { identityPolicies: [allowAll(), denyLambda()] }, decision: "ExplicitDeny", deniedBy: "identity-based policy" },
    { name: "deny beats allow in the same policy", input: { identityPolicies: [policy([{ Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Deny", Action: "lambda:Invoke*", Resource: "*" }])] }, decision: "ExplicitDeny", deniedBy: "identity-based policy" },
    { name: "deny alone", input: { identityPolicies: [denyLambda()] }, decision: "ExplicitDeny", deniedBy: "identity-based policy" },
    { name: "deny with NotResource not covering the resource", input: { identityPolicies: [allowAll(), policy({ Effect: "Deny", Action: "*", NotResource: FN })] }, decision: "Allowed" },
  ]);
});

describe("permissions boundaries", () => {
  runCases([
    { name: "identity and boundary allow", input: { identityPolicies: [allowLambda()], boundaryPolicies: [allowAll("boundary")] }, decision: "Allowed" },
    { name: "boundary allows, identity does not: identity-based policy", input: { identityPolicies: [], boundaryPolicies: [allowAll("boundary")] }, decision: "ImplicitDeny", deniedBy: "identity-based policy" },
    { name: "identity allows, boundary does not: permissions boundary", input: { identityPolicies: [allowLambda()], boundaryPolicies: [allowEc2("boundary")] }, decision: "ImplicitDeny", deniedBy: "permissions boundary" },
    { name: "deny in the boundary: explicit deny by permissions boundary", input: { identityPolicies: [allowAll()], boundaryPolicies: [allowAll("boundary"), denyLambda("boundary")] }, decision: "ExplicitDeny", deniedBy: "permissions boundary" },
    { name: "deny in both: identity-based policy is reported first", input: { identityPolicies: [denyLambda()], boundaryPolicies: [denyLambda("boundary")] }, decision: "ExplicitDeny", deniedBy: "identity-based policy" },
    { name: "empty boundary list means no boundary", input: { identityPolicies: [allowLambda()], boundaryPolicies: [] }, decision: "Allowed" },
    { name: "several boundary policies: any allow is enough", input: { identityPolicies: [allowLambda()], boundaryPolicies: [allowEc2("boundary"), allowLambda("boundary")] }, decision: "Allowed" },
  ]);
});

describe("session policies", () => {
  runCases([
    { name: "identity and session allow", input: { request: lambdaCall(SESSION), identityPolicies: [allowAll()], sessionPolicies: [allowLambda("session")] }, decision: "Allowed" },
    { name: "session policy does not allow", input: { request: lambdaCall(SESSION), identityPolicies: [allowAll()], sessionPolicies: [allowEc2("session")] }, decision: "ImplicitDeny", deniedBy: "session policy" },
    { name: "session policy cannot add permissions", input: { request: lambdaCall(SESSION), identityPolicies: [allowEc2()], sessionPolicies: [allowAll("session")] }, decision: "ImplicitDeny", deniedBy: "identity-based policy" },
    { name: "deny in the session policy", input: { request: lambdaCall(SESSION), identityPolicies: [allowAll()], sessionPolicies: [allowAll("session"), denyLambda("session")] }, decision: "ExplicitDeny", deniedBy: "session policy" },
    { name: "boundary fails before session policy", input: { request: lambdaCall(SESSION), identityPolicies: [allowAll()], boundaryPolicies: [allowEc2("boundary")], sessionPolicies: [allowEc2("session")] }, decision: "ImplicitDeny", deniedBy: "permissions boundary" },
    { name: "empty session list means no session policy", input: { request: lambdaCall(SESSION), identityPolicies: [allowAll()], sessionPolicies: [] }, decision: "Allowed" },
  ]);
});

describe("resource-based policies, same account", () => {
  runCases([
    { name: "naming the user grants without an identity policy", input: { identityPolicies: [], resourcePolicy: resourcePolicy("Allow", { AWS: USER }) }, decision: "Allowed" },
    { name: "naming another user does not", input: { identityPolicies: [], resourcePolicy: resourcePolicy("Allow", { AWS: `arn:aws:iam::${ACCT}:user/bob` }) }, decision: "ImplicitDeny", deniedBy: "identity-based policy" },
    { name: "Principal * grants", input: { identityPolicies: [], resourcePolicy: resourcePolicy("Allow", "*") }, decision: "Allowed" },
    { name: "AWS * grants", input: { identityPolicies: [], resourcePolicy: resourcePolicy("Allow", { AWS: "*" }) }, decision: "Allowed" },
    { name: "naming the role grants its sessions", input: { request: lambdaCall(SESSION), identityPolicies: [], resourcePolicy: resourcePolicy("Allow", { AWS: ROLE }) }, decision: "Allowed" },
    { name: "role ARN with a path matches its sessions", input: { request: lambdaCall(SESSION), identityPolicies: [], resourcePolicy: resourcePolicy("Allow", { AWS: `arn:aws:iam::${ACCT}:role/team/app-role` }) }, decision: "Allowed" },
    { name: "another role's ARN does not match", input: { request: lambdaCall(SESSION), identityPolicies: [], resourcePolicy: resourcePolicy("Allow", { AWS: `arn:aws:iam::${ACCT}:role/other` }) }, decision: "ImplicitDeny", deniedBy: "identity-based policy" },
    { name: "naming the session ARN grants", input: { request: lambdaCall(SESSION), identityPolicies: [], resourcePolicy: resourcePolicy("Allow", { AWS: SESSION }) }, decision: "Allowed" },
    { name: "naming the account delegates: identity policy still needed", input: { identityPolicies: [], resourcePolicy: resourcePolicy("Allow", { AWS: ACCT }) }, decision: "ImplicitDeny", deniedBy: "identity-based policy" },
    { name: "naming the account root delegates too", input: { identityPolicies: [], resourcePolicy: resourcePolicy("Allow", { AWS: `arn:aws:iam::${ACCT}:root` }) }, decision: "ImplicitDeny", deniedBy: "identity-based policy" },
    { name: "account delegation plus identity allow", input: { identityPolicies: [allowLambda()], resourcePolicy: resourcePolicy("Allow", { AWS: ACCT }) }, decision: "Allowed" },
    { name: "the account root itself is named directly", input: { request: lambdaCall(`arn:aws:iam::${ACCT}:root`), identityPolicies: [], resourcePolicy: resourcePolicy("Allow", { AWS: ACCT }) }, decision: "Allowed" },
    { name: "identity allow alone (resource policy silent)", input: { identityPolicies: [allowLambda()], resourcePolicy: resourcePolicy("Allow", { AWS: `arn:aws:iam::${ACCT}:user/bob` }) }, decision: "Allowed" },
    { name: "resource policy deny beats identity allow", input: { identityPolicies: [allowAll()], resourcePolicy: resourcePolicy("Deny", "*") }, decision: "ExplicitDeny", deniedBy: "resource-based policy" },
    { name: "resource policy deny for someone else does not apply", input: { identityPolicies: [allowAll()], resourcePolicy: resourcePolicy("Deny", { AWS: `arn:aws:iam::${ACCT}:user/bob` }) }, decision: "Allowed" },
    { name: "identity deny is reported before a resource deny", input: { identityPolicies: [denyLambda()], resourcePolicy: resourcePolicy("Deny", "*") }, decision: "ExplicitDeny", deniedBy: "identity-based policy" },
    { name: "NotPrincipal deny hits everyone else", input: { identityPolicies: [allowAll()], resourcePolicy: resourcePolicy("Deny", undefined, { Principal: undefined, NotPrincipal: { AWS: `arn:aws:iam::${ACCT}:user/bob` } }) }, decision: "ExplicitDeny", deniedBy: "resource-based policy" },
    { name: "NotPrincipal deny spares the listed user", input: { identityPolicies: [allowAll()], resourcePolicy: resourcePolicy("Deny", undefined, { Principal: undefined, NotPrincipal: { AWS: USER } }) }, decision: "Allowed" },
    { name: "resource policy for another resource", input: { request: request({ action: "lambda:InvokeFunction", resource: `${FN}-other` }), identityPolicies: [], resourcePolicy: resourcePolicy("Allow", "*") }, decision: "ImplicitDeny", deniedBy: "identity-based policy" },
    { name: "resource policy with a condition that fails", input: { identityPolicies: [], resourcePolicy: resourcePolicy("Allow", "*", { Condition: { ArnLike: { "aws:SourceArn": "arn:aws:s3:::b" } } }) }, decision: "ImplicitDeny", deniedBy: "identity-based policy" },
    { name: "a service principal (Lambda function policy for S3)", input: { request: { ...lambdaCall("s3.amazonaws.com"), principalService: "s3.amazonaws.com", context: { "aws:SourceArn": "arn:aws:s3:::b" } }, identityPolicies: [], resourcePolicy: resourcePolicy("Allow", { Service: "s3.amazonaws.com" }, { Condition: { ArnLike: { "aws:SourceArn": "arn:aws:s3:::b" } } }) }, decision: "Allowed" },
  ]);
});

describe("resource-based policies and boundaries / session policies", () => {
  runCases([
    { name: "naming the user ARN is not limited by the boundary", input: { identityPolicies: [], boundaryPolicies: [allowEc2("boundary")], resourcePolicy: resourcePolicy("Allow", { AWS: USER }) }, decision: "Allowed" },
    { name: "naming the role ARN is limited by the role's boundary", input: { request: lambdaCall(SESSION), identityPolicies: [], boundaryPolicies: [allowEc2("boundary")], resourcePolicy: resourcePolicy("Allow", { AWS: ROLE }) }, decision: "ImplicitDeny", deniedBy: "permissions boundary" },
    { name: "naming the session ARN is not limited by the session policy", input: { request: lambdaCall(SESSION), identityPolicies: [], sessionPolicies: [allowEc2("session")], resourcePolicy: resourcePolicy("Allow", { AWS: SESSION }) }, decision: "Allowed" },
    { name: "naming the role ARN is limited by the session policy", input: { request: lambdaCall(SESSION), identityPolicies: [], sessionPolicies: [allowEc2("session")], resourcePolicy: resourcePolicy("Allow", { AWS: ROLE }) }, decision: "ImplicitDeny", deniedBy: "session policy" },
    { name: "a boundary deny still wins over a resource policy naming the user", input: { identityPolicies: [], boundaryPolicies: [denyLambda("boundary")], resourcePolicy: resourcePolicy("Allow", { AWS: USER }) }, decision: "ExplicitDeny", deniedBy: "permissions boundary" },
  ]);
});

describe("resource-based policies, cross account (both sides must allow)", () => {
  const caller = `arn:aws:iam::${OTHER}:user/carol`;
  runCases([
    { name: "identity and resource policy allow", input: { request: lambdaCall(caller), sameAccount: false, identityPolicies: [allowLambda()], resourcePolicy: resourcePolicy("Allow", { AWS: caller }) }, decision: "Allowed" },
    { name: "resource policy names the caller's account", input: { request: lambdaCall(caller), sameAccount: false, identityPolicies: [allowLambda()], resourcePolicy: resourcePolicy("Allow", { AWS: OTHER }) }, decision: "Allowed" },
    { name: "resource policy alone is not enough", input: { request: lambdaCall(caller), sameAccount: false, identityPolicies: [], resourcePolicy: resourcePolicy("Allow", { AWS: caller }) }, decision: "ImplicitDeny", deniedBy: "identity-based policy" },
    { name: "identity policy alone is not enough", input: { request: lambdaCall(caller), sameAccount: false, identityPolicies: [allowLambda()], resourcePolicy: resourcePolicy("Allow", { AWS: USER }) }, decision: "ImplicitDeny", deniedBy: "resource-based policy" },
    { name: "no resource policy at all", input: { request: lambdaCall(caller), sameAccount: false, identityPolicies: [allowLambda()] }, decision: "ImplicitDeny", deniedBy: "resource-based policy" },
    { name: "boundary still applies cross account", input: { request: lambdaCall(caller), sameAccount: false, identityPolicies: [allowLambda()], boundaryPolicies: [allowEc2("boundary")], resourcePolicy: resourcePolicy("Allow", { AWS: caller }) }, decision: "ImplicitDeny", deniedBy: "permissions boundary" },
    { name: "principalAccount given explicitly", input: { request: { ...lambdaCall(`arn:aws:sts::${OTHER}:assumed-role/r/s`), principalAccount: OTHER }, sameAccount: false, identityPolicies: [allowLambda()], resourcePolicy: resourcePolicy("Allow", { AWS: [ACCT, OTHER] }) }, decision: "Allowed" },
  ]);
});

describe("trust policies (sts:AssumeRole)", () => {
  const trust = (principal: unknown, extra: Record<string, unknown> = {}): CompiledPolicy => policy({ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra }, "trust");
  const assume = (principalArn: string, principalService?: string) => request({ action: "sts:AssumeRole", resource: ROLE, principalArn, ...(principalService ? { principalService } : {}) });
  const rows: [string, () => EvaluationResult, string][] = [
    ["Lambda service principal", () => evaluateTrust(trust({ Service: "lambda.amazonaws.com" }), assume("lambda.amazonaws.com", "lambda.amazonaws.com")), "Allowed"],
    ["service principal list", () => evaluateTrust(trust({ Service: ["ec2.amazonaws.com", "lambda.amazonaws.com"] }), assume("lambda.amazonaws.com", "lambda.amazonaws.com")), "Allowed"],
    ["another service is refused", () => evaluateTrust(trust({ Service: "ec2.amazonaws.com" }), assume("lambda.amazonaws.com", "lambda.amazonaws.com")), "ImplicitDeny"],
    ["an IAM user in the same account, named", () => evaluateTrust(trust({ AWS: USER }), assume(USER)), "Allowed"],
    ["the account root only: the user also needs an identity allow", () => evaluateTrust(trust({ AWS: `arn:aws:iam::${ACCT}:root` }), assume(USER)), "ImplicitDeny"],
    ["the account root plus identity allow", () => evaluateTrust(trust({ AWS: `arn:aws:iam::${ACCT}:root` }), assume(USER), { identityPolicies: [policy({ Effect: "Allow", Action: "sts:AssumeRole", Resource: ROLE })] }), "Allowed"],
    ["cross account: trust plus identity", () => evaluateTrust(trust({ AWS: OTHER }), assume(`arn:aws:iam::${OTHER}:user/carol`), { sameAccount: false, identityPolicies: [policy({ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" })] }), "Allowed"],
    ["cross account: trust alone", () => evaluateTrust(trust({ AWS: OTHER }), assume(`arn:aws:iam::${OTHER}:user/carol`), { sameAccount: false }), "ImplicitDeny"],
    ["trust policy for another action", () => evaluateTrust(trust({ Service: "lambda.amazonaws.com" }, { Action: "sts:TagSession" }), assume("lambda.amazonaws.com", "lambda.amazonaws.com")), "ImplicitDeny"],
    ["trust policy with a condition", () => evaluateTrust(trust({ Service: "lambda.amazonaws.com" }, { Condition: { StringEquals: { "aws:SourceAccount": ACCT } } }), { ...assume("lambda.amazonaws.com", "lambda.amazonaws.com"), context: { "aws:SourceAccount": ACCT } }), "Allowed"],
    ["trust policy deny", () => evaluateTrust(policy([{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }, { Effect: "Deny", Principal: { AWS: USER }, Action: "sts:AssumeRole" }], "trust"), assume(USER)), "ExplicitDeny"],
  ];
  for (const [name, run, expected] of rows) test(name, () => assert.equal(run().decision, expected));
});

describe("matched statements and missing context keys", () => {
  test("the deciding deny is reported with its position", () => {
    const text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"},\n    {"Sid": "D", "Effect": "Deny", "Action": "lambda:*", "Resource": "*"}\n  ]\n}';
    const compiled = compilePolicy(text, "identity", "mine");
    const r = evaluate({ request: lambdaCall(), identityPolicies: [compiled] });
    assert.equal(r.decision, "ExplicitDeny");
    assert.deepEqual(r.matched, [{ policyId: "mine", policyType: "identity", index: 1, effect: "Deny", sid: "D", start: { line: 5, column: 5 }, end: { line: 5, column: 74 } }]);
  });
  test("an allow reports identity and boundary statements", () => {
    const r = evaluate({ request: lambdaCall(), identityPolicies: [allowAll("identity", "id")], boundaryPolicies: [allowAll("boundary", "pb")] });
    assert.deepEqual(r.matched.map((m) => [m.policyId, m.policyType, m.sid]), [["id", "identity", "AllowAll"], ["pb", "boundary", "AllowAll"]]);
  });
  test("missing condition keys of evaluated statements are listed once", () => {
    const p = policy([
      { Effect: "Allow", Action: "lambda:*", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "x" } } },
      { Effect: "Allow", Action: "lambda:*", Resource: "*", Condition: { StringEquals: { "AWS:PRINCIPALTAG/TEAM": "y" }, Bool: { "aws:SecureTransport": "true" } } },
    ]);
    const r = evaluate({ request: request({ action: "lambda:GetFunction", context: { "aws:SecureTransport": "true" } }), identityPolicies: [p] });
    assert.deepEqual(r.missingContextKeys, ["aws:PrincipalTag/team"]);
  });
  test("keys of statements whose action does not match are not listed", () => {
    const p = policy({ Effect: "Allow", Action: "ec2:*", Resource: "*", Condition: { StringEquals: { "ec2:Vpc": "x" } } });
    assert.deepEqual(evaluate({ request: lambdaCall(), identityPolicies: [p] }).missingContextKeys, []);
  });
  test("variables in Resource count as context keys", () => {
    const p = policy({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::home/${aws:username}/*" });
    assert.deepEqual(evaluate({ request: request({ resource: "arn:aws:s3:::home/x/y" }), identityPolicies: [p] }).missingContextKeys, ["aws:username"]);
  });
  test("explain lists every statement with reasons", () => {
    const p = policy([
      { Sid: "A", Effect: "Allow", Action: "ec2:*", Resource: "*" },
      { Sid: "B", Effect: "Allow", Action: "lambda:*", Resource: "*", Condition: { StringEquals: { "aws:username": "bob" } } },
      { Sid: "C", Effect: "Allow", Action: "lambda:*", Resource: FN },
    ], "identity", "2012-10-17", "p1");
    const r = evaluate({ request: { ...lambdaCall(), context: { "aws:username": "alice" } }, identityPolicies: [p], explain: true });
    assert.equal(r.decision, "Allowed");
    assert.ok(r.explain);
    assert.deepEqual(r.explain.map((e) => [e.sid, e.matched, e.actionMatched, e.resourceMatched]), [["A", false, false, true], ["B", false, true, true], ["C", true, true, true]]);
    assert.match(r.explain[0].reason, /not matched by Action/);
    assert.equal(r.explain[1].conditions[0].matched, false);
    assert.equal(r.explain[1].conditions[0].requestValue, "alice");
    assert.match(r.explain[1].reason, /condition not met: StringEquals aws:username/);
  });
});
