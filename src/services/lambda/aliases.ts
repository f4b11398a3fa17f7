// CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases. An alias points at a version and,
// with RoutingConfig, sends a weighted share of invocations to one other version.
import { dict } from "../../core/dict.ts";
import type { AliasConfiguration, ListAliasesResponse } from "@aws-sdk/client-lambda";
import { uuid } from "../../core/ids.ts";
import { restOutput, type RestOutput } from "../../core/rest-model.ts";
import type { LambdaCall, LambdaEnv } from "./env.ts";
import { functionNotFound, invalidParameter, preconditionFailed, resourceConflict, resourceNotFound, REVISION_MISMATCH } from "./errors.ts";
import { paginate, queryInt } from "./functions.ts";
import { requireFunction, type Found } from "./lookup.ts";
import { functionArn, LATEST, type AliasRecord, type FunctionRecord } from "./model.ts";
import { toAliasConfiguration } from "./render.ts";
import { ALIAS_REF, CREATE_ALIAS, LIST_ALIASES, UPDATE_ALIAS, validate } from "./validation.ts";

type Input = Record<string, unknown>;

function aliasArn(found: Found, name: string): string {
  return functionArn(found.loc.region, found.loc.account, found.loc.name, name);
}

/** The version and the weights must name versions that exist, and make sense together. */
function checkTargets(found: Found, version: string, weights: Record<string, number> | undefined): void {
  const fn: FunctionRecord = found.fn;
  if (version !== LATEST && !fn.versions[version]) throw functionNotFound(functionArn(found.loc.region, found.loc.account, fn.name, version));
  // unverified wording
  if (version === "$LATEST.PUBLISHED") throw invalidParameter("hyperlocal does not support $LATEST.PUBLISHED.");
  if (!weights) return;
  const entries = Object.entries(weights);
  if (entries.length > 1) throw invalidParameter("Number of items in AdditionalVersionWeights cannot be greater than 1");
  if (entries.length === 0) return;
  if (version === LATEST) throw invalidParameter("$LATEST is not supported for an alias pointing to more than 1 version");
  for (const [v] of entries) {
    if (v === version) throw invalidParameter(`Invalid function version ${v}. Function version ${v} is already included in routing configuration.`);
    if (!fn.versions[v]) throw functionNotFound(functionArn(found.loc.region, found.loc.account, fn.name, v));
  }
}

function weightsFrom(routing: unknown): Record<string, number> | undefined {
  const w = (routing as { AdditionalVersionWeights?: Record<string, number> } | undefined)?.AdditionalVersionWeights;
  return w ? dict(w) : undefined;
}

export function createAlias(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "CreateAlias";
  const input: Input = { ...call.input(), FunctionName: call.labels.FunctionName };
  validate(CREATE_ALIAS, input);
  const found = requireFunction(env, call, input.FunctionName, undefined, "lambda:CreateAlias", { noQualifier: true });
  const name = String(input.Name);
  const version = String(input.FunctionVersion);
  const weights = weightsFrom(input.RoutingConfig);
  if (found.fn.aliases[name]) throw resourceConflict(`Alias already exists: ${aliasArn(found, name)}`);
  checkTargets(found, version, weights);
  const alias: AliasRecord = { name, functionVersion: version, description: (input.Description as string | undefined) ?? "", revisionId: uuid() };
  if (weights && Object.keys(weights).length > 0) alias.additionalVersionWeights = weights;
  found.fn.aliases[name] = alias;
  const out: AliasConfiguration = toAliasConfiguration(found.loc, alias);
  return restOutput(201, out);
}

export function getAlias(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "GetAlias";
  const input = { FunctionName: call.labels.FunctionName, Name: call.labels.Name };
  validate(ALIAS_REF, input);
  const found = requireFunction(env, call, input.FunctionName, undefined, "lambda:GetAlias", { noQualifier: true });
  const alias = found.fn.aliases[input.Name];
  if (!alias) throw resourceNotFound(`Cannot find alias arn: ${aliasArn(found, input.Name)}`);
  return restOutput(200, toAliasConfiguration(found.loc, alias));
}

export function updateAlias(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "UpdateAlias";
  const input: Input = { ...call.input(), FunctionName: call.labels.FunctionName, Name: call.labels.Name };
  validate(UPDATE_ALIAS, input);
  const found = requireFunction(env, call, input.FunctionName, undefined, "lambda:UpdateAlias", { noQualifier: true });
  const name = String(input.Name);
  const alias = found.fn.aliases[name];
  // UpdateAlias words it apart from GetAlias (AWS-validated: LocalStack's test_non_existent_alias_update).
  if (!alias) throw resourceNotFound(`Alias not found: ${aliasArn(found, name)}`);
  if (input.RevisionId !== undefined && input.RevisionId !== alias.revisionId) throw preconditionFailed(REVISION_MISMATCH);
  const version = input.FunctionVersion !== undefined ? String(input.FunctionVersion) : alias.functionVersion;
  const weights = input.RoutingConfig !== undefined ? weightsFrom(input.RoutingConfig) ?? dict() : alias.additionalVersionWeights;
  checkTargets(found, version, weights);
  const next: AliasRecord = {
    name,
    functionVersion: version,
    description: input.Description !== undefined ? String(input.Description) : alias.description,
    revisionId: uuid(),
  };
  if (weights && Object.keys(weights).length > 0) next.additionalVersionWeights = weights;
  found.fn.aliases[name] = next;
  return restOutput(200, toAliasConfiguration(found.loc, next));
}

export function deleteAlias(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "DeleteAlias";
  const input = { FunctionName: call.labels.FunctionName, Name: call.labels.Name };
  validate(ALIAS_REF, input);
  const found = requireFunction(env, call, input.FunctionName, undefined, "lambda:DeleteAlias", { noQualifier: true });
  // DeleteAlias has no ResourceNotFoundException in the model: deleting a missing alias succeeds.
  delete found.fn.aliases[input.Name];
  delete found.fn.policies[input.Name];
  return { status: 204, headers: {}, body: "" };
}

export function listAliases(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "ListAliases";
  const input = {
    FunctionName: call.labels.FunctionName,
    FunctionVersion: call.query.get("FunctionVersion") ?? undefined,
    Marker: call.query.get("Marker") ?? undefined,
    MaxItems: queryInt(call.query.get("MaxItems")),
  };
  validate(LIST_ALIASES, input);
  const found = requireFunction(env, call, input.FunctionName, undefined, "lambda:ListAliases", { noQualifier: true });
  const aliases = Object.values(found.fn.aliases)
    .filter((a) => input.FunctionVersion === undefined || a.functionVersion === input.FunctionVersion || (a.additionalVersionWeights && input.FunctionVersion in a.additionalVersionWeights))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((a) => toAliasConfiguration(found.loc, a));
  const page = paginate(aliases, input.Marker, (input.MaxItems as number | undefined) ?? 50);
  const out: ListAliasesResponse = { Aliases: page.items };
  if (page.nextMarker) out.NextMarker = page.nextMarker;
  return restOutput(200, out);
}

/** Pick the version an invocation through this alias runs: the additional one with its weight's probability. */
export function routeAlias(alias: AliasRecord, random: () => number = Math.random): string {
  const w = alias.additionalVersionWeights;
  if (w) {
    let r = random();
    for (const [version, weight] of Object.entries(w)) {
      if (r < weight) return version;
      r -= weight;
    }
  }
  return alias.functionVersion;
}
