// Asynchronous invocation settings (Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s)) per
// qualifier: MaximumRetryAttempts and MaximumEventAgeInSeconds, which the async queue obeys.
// Destinations are refused: hyperlocal has nothing (SQS, SNS, EventBridge) to deliver to yet.
import type { FunctionEventInvokeConfig, ListFunctionEventInvokeConfigsResponse } from "@aws-sdk/client-lambda";
import { dict } from "../../core/dict.ts";
import { restOutput, type RestOutput } from "../../core/rest-model.ts";
import type { LambdaCall, LambdaEnv } from "./env.ts";
import { invalidParameter, resourceNotFound } from "./errors.ts";
import { requireFunction, requireQualifier, type Found } from "./lookup.ts";
import { functionArn, LATEST, type EventInvokeConfigRecord, type FunctionRecord } from "./model.ts";
import { EVENT_INVOKE_CONFIG, LIST_EVENT_INVOKE_CONFIGS, validate } from "./validation.ts";

/** Lambda's defaults for asynchronous invocation: two retries, six hours. */
export const DEFAULT_RETRY_ATTEMPTS = 2;
export const DEFAULT_EVENT_AGE_SECONDS = 21_600;

/** The settings that govern an event sent to `qualifier` (undefined: $LATEST). */
export function asyncSettings(fn: FunctionRecord, qualifier: string | undefined): { retries: number; maxAgeMs: number } {
  const q = qualifier ?? LATEST;
  const c = fn.eventInvokeConfigs && Object.hasOwn(fn.eventInvokeConfigs, q) ? fn.eventInvokeConfigs[q] : undefined;
  return { retries: c?.maximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS, maxAgeMs: (c?.maximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_SECONDS) * 1000 };
}

function shape(found: Found, qualifier: string, c: EventInvokeConfigRecord): FunctionEventInvokeConfig {
  return {
    // rest-json timestamps are epoch seconds on the wire
    LastModified: (c.lastModified / 1000) as unknown as Date,
    FunctionArn: functionArn(found.ref.region, found.ref.account, found.fn.name, qualifier),
    ...(c.maximumRetryAttempts !== undefined ? { MaximumRetryAttempts: c.maximumRetryAttempts } : {}),
    ...(c.maximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: c.maximumEventAgeInSeconds } : {}),
    DestinationConfig: { OnSuccess: {}, OnFailure: {} },
  };
}

/** Read and check the input; the function, the qualifier ($LATEST by default) and the body. */
function target(env: LambdaEnv, call: LambdaCall, op: string, withBody: boolean) {
  call.ctx.operation = op;
  const body = withBody ? call.input() : {};
  const qualifierParam = call.query.get("Qualifier") ?? undefined;
  const input: Record<string, unknown> = { ...body, FunctionName: call.labels.FunctionName, ...(qualifierParam !== undefined ? { Qualifier: qualifierParam } : {}) };
  validate(EVENT_INVOKE_CONFIG, input);
  const found = requireFunction(env, call, input.FunctionName, qualifierParam, `lambda:${op}`);
  const qualifier = found.ref.qualifier ?? LATEST;
  requireQualifier(found, qualifier);
  const dest = input.DestinationConfig as { OnSuccess?: { Destination?: string }; OnFailure?: { Destination?: string } } | undefined;
  // Not AWS's text: AWS would deliver there; hyperlocal refuses rather than accept and drop.
  if (dest?.OnSuccess?.Destination || dest?.OnFailure?.Destination) throw invalidParameter("hyperlocal does not deliver asynchronous invocation records to destinations yet.");
  return { found, qualifier, input, configs: (found.fn.eventInvokeConfigs ??= dict()) };
}

function noConfig(found: Found, qualifier: string): Error {
  return resourceNotFound(`The function ${functionArn(found.ref.region, found.ref.account, found.fn.name, qualifier)} doesn't have an EventInvokeConfig`);
}

function write(env: LambdaEnv, call: LambdaCall, op: "PutFunctionEventInvokeConfig" | "UpdateFunctionEventInvokeConfig"): RestOutput {
  const { found, qualifier, input, configs } = target(env, call, op, true);
  const retries = input.MaximumRetryAttempts as number | undefined;
  const age = input.MaximumEventAgeInSeconds as number | undefined;
  if (retries === undefined && age === undefined && input.DestinationConfig === undefined) {
    throw invalidParameter("You must specify at least one of error handling or destination setting."); // unverified wording
  }
  const before = Object.hasOwn(configs, qualifier) ? configs[qualifier] : undefined;
  if (op === "UpdateFunctionEventInvokeConfig" && !before) throw noConfig(found, qualifier);
  // Put replaces every setting; Update changes only those given.
  const base = op === "PutFunctionEventInvokeConfig" ? {} : { ...before };
  const next: EventInvokeConfigRecord = {
    ...base,
    ...(retries !== undefined ? { maximumRetryAttempts: retries } : {}),
    ...(age !== undefined ? { maximumEventAgeInSeconds: age } : {}),
    lastModified: env.clock.now(),
  };
  configs[qualifier] = next;
  return restOutput(200, shape(found, qualifier, next));
}

export const putFunctionEventInvokeConfig = (env: LambdaEnv, call: LambdaCall) => write(env, call, "PutFunctionEventInvokeConfig");
export const updateFunctionEventInvokeConfig = (env: LambdaEnv, call: LambdaCall) => write(env, call, "UpdateFunctionEventInvokeConfig");

export function getFunctionEventInvokeConfig(env: LambdaEnv, call: LambdaCall): RestOutput {
  const { found, qualifier, configs } = target(env, call, "GetFunctionEventInvokeConfig", false);
  if (!Object.hasOwn(configs, qualifier)) throw noConfig(found, qualifier);
  return restOutput(200, shape(found, qualifier, configs[qualifier]));
}

export function deleteFunctionEventInvokeConfig(env: LambdaEnv, call: LambdaCall): RestOutput {
  const { found, qualifier, configs } = target(env, call, "DeleteFunctionEventInvokeConfig", false);
  if (!Object.hasOwn(configs, qualifier)) throw noConfig(found, qualifier);
  delete configs[qualifier];
  return { status: 204, headers: {}, body: "" };
}

export function listFunctionEventInvokeConfigs(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "ListFunctionEventInvokeConfigs";
  const maxItems = call.query.get("MaxItems");
  const input: Record<string, unknown> = {
    FunctionName: call.labels.FunctionName,
    ...(call.query.has("Marker") ? { Marker: call.query.get("Marker") } : {}),
    ...(maxItems !== null ? { MaxItems: /^\d+$/.test(maxItems) ? Number(maxItems) : maxItems } : {}),
  };
  validate(LIST_EVENT_INVOKE_CONFIGS, input);
  const found = requireFunction(env, call, input.FunctionName, undefined, "lambda:ListFunctionEventInvokeConfigs", { noQualifier: true });
  const all = Object.keys(found.fn.eventInvokeConfigs ?? {}).sort();
  const start = typeof input.Marker === "string" ? Math.max(0, all.indexOf(input.Marker)) : 0;
  const size = (input.MaxItems as number | undefined) ?? 50;
  const page = all.slice(start, start + size);
  const out: ListFunctionEventInvokeConfigsResponse = {
    FunctionEventInvokeConfigs: page.map((q) => shape(found, q, found.fn.eventInvokeConfigs![q])),
    ...(start + size < all.length ? { NextMarker: all[start + size] } : {}),
  };
  return restOutput(200, out);
}
