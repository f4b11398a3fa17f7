// Concurrency: PutFunctionConcurrency / GetFunctionConcurrency / DeleteFunctionConcurrency,
// GetAccountSettings, and the counter every invocation passes. A function with reserved concurrency
// R runs at most R at once (ReservedFunctionConcurrentInvocationLimitExceeded); the others share
// what the account limit leaves unreserved (ConcurrentInvocationLimitExceeded).
import type { Concurrency, GetAccountSettingsResponse, GetFunctionConcurrencyResponse } from "@aws-sdk/client-lambda";
import { restOutput, type RestOutput } from "../../core/rest-model.ts";
import type { LambdaCall, LambdaEnv } from "./env.ts";
import { functionNotFound, invalidParameter, tooManyRequests } from "./errors.ts";
import { codeStorageQuota, codeStorageUsed } from "./code-storage.ts";
import { requireFunction } from "./lookup.ts";
import { LIMITS, type LambdaState } from "./model.ts";
import { FUNCTION_ONLY, PUT_CONCURRENCY, validate } from "./validation.ts";

export class ConcurrencyTracker {
  private readonly perFunction = new Map<string, number>();
  private readonly unreserved = new Map<string, number>();

  /**
   * Take one slot or throw 429. Returns the release function (call it exactly once).
   * `reserved` is the function's reservation; `unreservedPool` what the account leaves to the rest.
   */
  acquire(account: string, region: string, name: string, reserved: number | undefined, unreservedPool: number): () => void {
    const fk = `${account}/${region}/${name}`;
    const running = this.perFunction.get(fk) ?? 0;
    const rk = `${account}/${region}`;
    if (reserved !== undefined) {
      if (running >= reserved) throw tooManyRequests("ReservedFunctionConcurrentInvocationLimitExceeded");
    } else {
      const shared = this.unreserved.get(rk) ?? 0;
      if (shared >= unreservedPool) throw tooManyRequests("ConcurrentInvocationLimitExceeded");
      this.unreserved.set(rk, shared + 1);
    }
    this.perFunction.set(fk, running + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.perFunction.get(fk) ?? 1) - 1;
      if (n <= 0) this.perFunction.delete(fk);
      else this.perFunction.set(fk, n);
      if (reserved === undefined) {
        const s = (this.unreserved.get(rk) ?? 1) - 1;
        if (s <= 0) this.unreserved.delete(rk);
        else this.unreserved.set(rk, s);
      }
    };
  }

  clear(): void {
    this.perFunction.clear();
    this.unreserved.clear();
  }
}

export function reservedTotal(s: LambdaState, except?: string): number {
  let total = 0;
  for (const fn of Object.values(s.functions)) if (fn.name !== except && fn.reservedConcurrency !== undefined) total += fn.reservedConcurrency;
  return total;
}

/** What must stay unreserved: AWS keeps 100 of the default 1000; a smaller configured limit keeps a tenth. */
export function minimumUnreserved(limit: number): number {
  return Math.min(LIMITS.minUnreservedConcurrency, Math.floor(limit / 10));
}

export function unreservedPool(env: LambdaEnv, s: LambdaState): number {
  return Math.max(0, env.config.concurrencyLimit - reservedTotal(s));
}

export function putFunctionConcurrency(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "PutFunctionConcurrency";
  const body = call.input();
  const input: Record<string, unknown> = { ...body, FunctionName: call.labels.FunctionName };
  validate(PUT_CONCURRENCY, input);
  const { fn, ref, state, arn } = requireFunction(env, call, input.FunctionName, undefined, "lambda:PutFunctionConcurrency", {
    noQualifier: "function-only",
    // As AWS words it for this operation: "Function not found: arn:aws:lambda:...:function:doesnotexist:$LATEST"
    notFound: (arn) => functionNotFound(`${arn}:$LATEST`),
  });
  void ref;
  void arn;
  const n = input.ReservedConcurrentExecutions as number;
  const limit = env.config.concurrencyLimit;
  const min = minimumUnreserved(limit);
  if (limit - reservedTotal(state, fn.name) - n < min) {
    throw invalidParameter(
      `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${min}].`,
    );
  }
  fn.reservedConcurrency = n;
  const out: Concurrency = { ReservedConcurrentExecutions: n };
  return restOutput(200, out);
}

export function getFunctionConcurrency(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "GetFunctionConcurrency";
  const input = { FunctionName: call.labels.FunctionName };
  validate(FUNCTION_ONLY, input);
  const { fn } = requireFunction(env, call, input.FunctionName, undefined, "lambda:GetFunctionConcurrency", { noQualifier: "function-only" });
  const out: GetFunctionConcurrencyResponse = fn.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: fn.reservedConcurrency };
  return restOutput(200, out);
}

export function deleteFunctionConcurrency(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "DeleteFunctionConcurrency";
  const input = { FunctionName: call.labels.FunctionName };
  validate(FUNCTION_ONLY, input);
  const { fn } = requireFunction(env, call, input.FunctionName, undefined, "lambda:DeleteFunctionConcurrency", { noQualifier: "function-only" });
  delete fn.reservedConcurrency;
  return { status: 204, headers: {}, body: "" };
}

export function getAccountSettings(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "GetAccountSettings";
  call.ctx.authorize("lambda:GetAccountSettings", "*");
  const s = env.state(call.ctx.accountId, call.ctx.region);
  const totalCodeSize = codeStorageUsed(s);
  const out: GetAccountSettingsResponse = {
    AccountLimit: {
      TotalCodeSize: codeStorageQuota(env),
      CodeSizeUnzipped: LIMITS.unzippedCodeBytes,
      CodeSizeZipped: LIMITS.zippedCodeBytes,
      ConcurrentExecutions: env.config.concurrencyLimit,
      UnreservedConcurrentExecutions: unreservedPool(env, s),
    },
    AccountUsage: { TotalCodeSize: totalCodeSize, FunctionCount: Object.keys(s.functions).length },
  };
  return restOutput(200, out);
}
