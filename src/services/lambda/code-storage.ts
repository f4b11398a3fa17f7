// Lambda's code storage quota (75 GB per Region by default; --quota lambda.code-storage-bytes=N).
import type { LambdaEnv } from "./env.ts";
import { lambdaError } from "./errors.ts";
import { LIMITS, type LambdaState } from "./model.ts";
import { untracked } from "../../store/tracking.ts";

/** Bytes of code the Region's functions and versions keep; versions that share code count it once, as Lambda stores it once. */
export function codeStorageUsed(s: LambdaState): number {
  let total = 0;
  // A read over every function (10,000 of them on every CreateFunction at scale): through the plain
  // objects, as tracking is for writes (--state-dir), and without allocating per function. Code is
  // shared only between one function's versions, so that is where duplicates are looked for.
  const functions = untracked(s).functions;
  for (const name in functions) {
    const fn = functions[name];
    total += fn.latest.code.size;
    let seen: string[] | undefined;
    for (const v in fn.versions) {
      const code = fn.versions[v].code;
      if (code.sha256Hex === fn.latest.code.sha256Hex) continue;
      seen ??= [];
      if (seen.includes(code.sha256Hex)) continue;
      seen.push(code.sha256Hex);
      total += code.size;
    }
  }
  return total;
}

export function codeStorageQuota(env: LambdaEnv): number {
  return env.config.quotas?.["lambda.code-storage-bytes"] ?? LIMITS.totalCodeBytes;
}

/** Refuse new code that would take the Region past its quota: 400 CodeStorageExceededException. */
export function checkCodeStorage(env: LambdaEnv, s: LambdaState, adding: number): void {
  if (codeStorageUsed(s) + adding <= codeStorageQuota(env)) return;
  // As AWS answers it: "CodeStorageExceededException: Code storage limit exceeded."
  throw lambdaError("CodeStorageExceededException", 400, "Code storage limit exceeded.", { Type: "User" });
}
