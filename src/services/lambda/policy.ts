// AddPermission, RemovePermission, GetPolicy: the function's resource-based policy, one per
// qualifier ($LATEST/unqualified, each version, each alias). The document is kept as the exact
// text IAM evaluates when another principal invokes the function. Texts follow Lambda's
// (as LocalStack's snapshot tests against AWS record them).
import type { AddPermissionResponse, GetPolicyResponse } from "@aws-sdk/client-lambda";
import { uuid } from "../../core/ids.ts";
import { restOutput, type RestOutput } from "../../core/rest-model.ts";
import type { LambdaCall, LambdaEnv } from "./env.ts";
import { invalidParameter, lambdaError, preconditionFailed, resourceConflict, resourceNotFound, REVISION_MISMATCH } from "./errors.ts";
import { requireFunction, type Found } from "./lookup.ts";
import { functionArn, LATEST, LIMITS } from "./model.ts";
import { ADD_PERMISSION, NAMESPACED_WITH_QUALIFIER, REMOVE_PERMISSION, validate } from "./validation.ts";

interface Statement {
  Sid: string;
  Effect: "Allow";
  Principal: "*" | { AWS: string } | { Service: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

interface PolicyDocument {
  Version: "2012-10-17";
  Id: "default";
  Statement: Statement[];
}

function policyKey(qualifier: string | undefined): string {
  return qualifier === undefined || qualifier === LATEST ? "" : qualifier;
}

interface PolicyTarget {
  found: Found;
  key: string;
  resource: string;
  /** The RevisionId a policy shares with its version or alias (AddPermission/RemovePermission change it). */
  revision: { get(): string; bump(): void };
}

/** The function and the version or alias the policy belongs to, or AWS's 404 for a missing one. */
function policyTarget(env: LambdaEnv, call: LambdaCall, name: unknown, qualifier: string | undefined, action: string, notFound?: (arn: string) => Error): PolicyTarget {
  const found = requireFunction(env, call, name, qualifier, action, notFound ? { notFound } : {});
  const { fn, loc } = found;
  const key = policyKey(found.ref.qualifier);
  const resource = functionArn(loc.region, loc.account, loc.name, key || undefined);
  if (key === "") return { found, key, resource, revision: { get: () => fn.latest.revisionId, bump: () => void (fn.latest.revisionId = uuid()) } };
  if (/^\d+$/.test(key)) {
    const v = fn.versions[key];
    if (!v) throw resourceNotFound(`Function not found: ${resource}`);
    return { found, key, resource, revision: { get: () => v.revisionId, bump: () => void (v.revisionId = uuid()) } };
  }
  const a = fn.aliases[key];
  if (!a) throw resourceNotFound(`Cannot find alias arn: ${resource}`);
  return { found, key, resource, revision: { get: () => a.revisionId, bump: () => void (a.revisionId = uuid()) } };
}

/** "*", an account id, an IAM ARN or a service principal, in the form Lambda writes into the policy. */
function principalOf(p: string): Statement["Principal"] {
  if (p === "*") return "*";
  if (/^\d{12}$/.test(p)) return { AWS: `arn:aws:iam::${p}:root` };
  if (p.startsWith("arn:")) {
    if (!/^arn:aws[a-zA-Z-]*:(iam|sts)::\d{12}:/.test(p)) throw invalidParameter("The provided principal was invalid. Please check the principal and try again.");
    return { AWS: p };
  }
  if (/^[a-z0-9.-]+\.(amazonaws\.com|amazon\.com)$/.test(p)) return { Service: p };
  throw invalidParameter("The provided principal was invalid. Please check the principal and try again.");
}

export function addPermission(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "AddPermission";
  const input: Record<string, unknown> = {
    ...call.input(),
    FunctionName: call.labels.FunctionName,
    Qualifier: call.query.get("Qualifier") ?? undefined,
  };
  validate(ADD_PERMISSION, input);
  const { found, key, resource, revision } = policyTarget(env, call, input.FunctionName, input.Qualifier as string | undefined, "lambda:AddPermission");
  if (found.ref.qualifier === LATEST) throw invalidParameter("We currently do not support adding policies for $LATEST.");
  const existing = found.fn.policies[key];
  if (input.RevisionId !== undefined && input.RevisionId !== revision.get()) throw preconditionFailed(REVISION_MISMATCH);
  const doc: PolicyDocument = existing ? (JSON.parse(existing.document) as PolicyDocument) : { Version: "2012-10-17", Id: "default", Statement: [] };
  const sid = String(input.StatementId);
  if (doc.Statement.some((s) => s.Sid === sid)) {
    throw resourceConflict(`The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
  }
  const statement: Statement = { Sid: sid, Effect: "Allow", Principal: principalOf(String(input.Principal)), Action: String(input.Action), Resource: resource };
  const condition: Record<string, Record<string, string>> = {};
  const add = (op: string, k: string, v: unknown) => {
    if (v === undefined || v === "") return;
    (condition[op] ??= {})[k] = String(v);
  };
  add("StringEquals", "AWS:SourceAccount", input.SourceAccount);
  add("StringEquals", "lambda:EventSourceToken", input.EventSourceToken);
  add("StringEquals", "aws:PrincipalOrgID", input.PrincipalOrgID);
  add("StringEquals", "lambda:FunctionUrlAuthType", input.FunctionUrlAuthType);
  if (input.InvokedViaFunctionUrl === true) add("Bool", "lambda:InvokedViaFunctionUrl", "true");
  add("ArnLike", "AWS:SourceArn", input.SourceArn);
  if (Object.keys(condition).length > 0) statement.Condition = condition;
  doc.Statement.push(statement);
  const text = JSON.stringify(doc);
  if (Buffer.byteLength(text) > LIMITS.policyBytes) {
    // unverified wording
    throw lambdaError("PolicyLengthExceededException", 400, `The final policy size (${Buffer.byteLength(text)}) is bigger than the limit (${LIMITS.policyBytes}).`);
  }
  found.fn.policies[key] = { document: text };
  revision.bump();
  const out: AddPermissionResponse = { Statement: JSON.stringify(statement) };
  return restOutput(201, out);
}

export function removePermission(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "RemovePermission";
  const input = {
    FunctionName: call.labels.FunctionName,
    StatementId: call.labels.StatementId,
    Qualifier: call.query.get("Qualifier") ?? undefined,
    RevisionId: call.query.get("RevisionId") ?? undefined,
  };
  validate(REMOVE_PERMISSION, input);
  // AWS-validated wordings (LocalStack's test_permission_exceptions): a missing function has "no policy found".
  const { found, key, revision } = policyTarget(env, call, input.FunctionName, input.Qualifier, "lambda:RemovePermission", (arn) => resourceNotFound(`No policy found for: ${arn}`));
  const existing = found.fn.policies[key];
  if (!existing) throw resourceNotFound("No policy is associated with the given resource.");
  const doc = JSON.parse(existing.document) as PolicyDocument;
  const kept = doc.Statement.filter((s) => s.Sid !== input.StatementId);
  if (kept.length === doc.Statement.length) throw resourceNotFound(`Statement ${input.StatementId} is not found in resource policy.`);
  if (input.RevisionId !== undefined && input.RevisionId !== revision.get()) throw preconditionFailed(REVISION_MISMATCH);
  if (kept.length === 0) delete found.fn.policies[key];
  else found.fn.policies[key] = { document: JSON.stringify({ ...doc, Statement: kept }) };
  revision.bump();
  return { status: 204, headers: {}, body: "" };
}

export function getPolicy(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "GetPolicy";
  const input = { FunctionName: call.labels.FunctionName, Qualifier: call.query.get("Qualifier") ?? undefined };
  validate(NAMESPACED_WITH_QUALIFIER, input);
  const { found, key, revision } = policyTarget(env, call, input.FunctionName, input.Qualifier, "lambda:GetPolicy", () => resourceNotFound("The resource you requested does not exist."));
  const existing = found.fn.policies[key];
  if (!existing) throw resourceNotFound("The resource you requested does not exist.");
  const out: GetPolicyResponse = { Policy: existing.document, RevisionId: revision.get() };
  return restOutput(200, out);
}
