// Lambda's code storage quota (75 GB per Region by default; --quota lambda.code-storage-bytes=N).
import type { LambdaEnv } from "./env.ts";
import { lambdaError } from "./errors.ts";
import { LIMITS, type LambdaState } from "./model.ts";
import { untracked } from "../../store/tracking.ts";

/** Bytes of code the Region's functions and versions keep; versions that share code count it once, as Lambda stores it once. */
export function codeStorageUsed(s: LambdaState): number {
  let total = 0;
  const seen = new Set<string>();
  // A read over every function: through the plain objects, as tracking is for writes (--state-dir).
  for (const fn of Object.values(untracked(s).functions)) {
    for (const cfg of [fn.latest, ...Object.values(fn.versions)]) {
      const k = `${fn.name}/${cfg.code.sha256Hex}`;
      if (seen.has(k)) continue;
      seen.add(k);
      total += cfg.code.size;
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
