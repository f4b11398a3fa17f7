// Finding the function (and version or alias) a request names, with IAM asked first: a caller
// without permission learns nothing about whether the function exists.
import type { ContextValue } from "../../core/authorization.ts";
import type { LambdaCall, LambdaEnv } from "./env.ts";
import { functionNotFound, invalidParameter } from "./errors.ts";
import { parseFunctionRef, refArn, type FunctionRef } from "./function-names.ts";
import type { FunctionLocation } from "./function-state.ts";
import { functionArn, LATEST, type AliasRecord, type FunctionRecord, type LambdaState, type VersionConfig } from "./model.ts";

export interface Found {
  ref: FunctionRef;
  loc: FunctionLocation;
  state: LambdaState;
  fn: FunctionRecord;
  /** Unqualified function ARN. */
  arn: string;
}

export interface LookupOptions {
  /**
   * The operation works on $LATEST only (a version or alias qualifier is refused); "function-only"
   * for the operations on the function as a whole (concurrency), with their own text.
   */
  noQualifier?: boolean | "function-only";
  /** The 404 a missing function gets, when the operation words it its own way (given the unqualified ARN). */
  notFound?: (arn: string) => Error;
  /** The resource-based policy to evaluate with the caller's (e.g. for cross-account GetFunction). */
  usePolicy?: boolean;
  /** Operation-specific condition keys, from the function as it is (undefined when it does not exist). */
  context?: (fn: FunctionRecord | undefined, loc: FunctionLocation) => Record<string, ContextValue>;
}

/** Parse, authorize `action` on the (qualified) ARN, then find the function or answer 404. */
export function requireFunction(
  env: LambdaEnv,
  call: LambdaCall,
  functionName: unknown,
  qualifierParam: string | undefined,
  action: string,
  opts: LookupOptions = {},
): Found {
  const ref = parseFunctionRef(String(functionName), call.ctx, qualifierParam);
  // Operations on the function as a whole refuse even $LATEST (AWS-validated: LocalStack's test_function_concurrency_exceptions).
  if (opts.noQualifier && ref.qualifier !== undefined && (ref.qualifier !== LATEST || opts.noQualifier === "function-only")) {
    throw invalidParameter(
      opts.noQualifier === "function-only"
        ? "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN."
        : // unverified wording
          "Current operation does not support versions other than $LATEST. Please set version to $LATEST or do not set a version",
    );
  }
  const state = env.state(ref.account, ref.region);
  const fn = state.functions[ref.name];
  const resourceArn = refArn(ref);
  const policy = fn && (opts.usePolicy || ref.crossAccount) ? policyFor(fn, ref.qualifier) : undefined;
  const context = opts.context?.(fn, { account: ref.account, region: ref.region, name: ref.name });
  call.ctx.authorize(action, resourceArn, {
    ...(policy !== undefined ? { resourcePolicy: policy } : {}),
    ...(ref.crossAccount ? { resourceAccount: ref.account } : {}),
    ...(context && Object.keys(context).length > 0 ? { context } : {}),
  });
  if (!fn) throw opts.notFound ? opts.notFound(functionArn(ref.region, ref.account, ref.name)) : functionNotFound(functionArn(ref.region, ref.account, ref.name));
  return { ref, loc: { account: ref.account, region: ref.region, name: ref.name }, state, fn, arn: functionArn(ref.region, ref.account, ref.name) };
}

/** The function policy that governs calls on this qualifier. */
export function policyFor(fn: FunctionRecord, qualifier: string | undefined): string | undefined {
  const q = qualifier === undefined || qualifier === LATEST ? "" : qualifier;
  return fn.policies[q]?.document;
}

export interface Target {
  /** The configuration that serves this qualifier (for $LATEST during an update: as GetFunction shows it). */
  cfg: VersionConfig;
  version: string;
  alias?: AliasRecord;
}

/** $LATEST, a version number or an alias; undefined when it does not exist. */
export function resolveQualifier(fn: FunctionRecord, qualifier: string | undefined): Target | undefined {
  if (qualifier === undefined || qualifier === LATEST) return { cfg: fn.latest, version: LATEST };
  if (/^\d+$/.test(qualifier)) {
    const cfg = fn.versions[qualifier];
    return cfg ? { cfg, version: qualifier } : undefined;
  }
  const alias = fn.aliases[qualifier];
  if (!alias) return undefined;
  const version = alias.functionVersion;
  const cfg = version === LATEST ? fn.latest : fn.versions[version];
  return cfg ? { cfg, version, alias } : undefined;
}

/** Like resolveQualifier, or AWS's 404 naming the qualified ARN. */
export function requireQualifier(found: Found, qualifier: string | undefined): Target {
  const t = resolveQualifier(found.fn, qualifier);
  if (!t) throw functionNotFound(functionArn(found.ref.region, found.ref.account, found.fn.name, qualifier));
  return t;
}
