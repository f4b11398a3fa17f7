// The platform lines Lambda writes around a function's own output, in its exact text format:
//   START RequestId: <id> Version: $LATEST
//   END RequestId: <id>
//   REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 95.12 ms\t
import { createHash } from "node:crypto";
import { runtimeVersionLabel } from "./runtime-families.ts";

export type ReportStatus = "timeout" | "error";

export interface ReportFields {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  /** Only platform failures (timeout, crash, out of memory, init failure) carry a status. */
  status?: ReportStatus;
  errorType?: string;
}

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}\n`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}\n`;
}

export function reportLine(r: ReportFields): string {
  let s =
    `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\tBilled Duration: ${r.billedDurationMs} ms\t` +
    `Memory Size: ${r.memorySizeMb} MB\tMax Memory Used: ${r.maxMemoryUsedMb} MB\t`;
  if (r.initDurationMs !== undefined) s += `Init Duration: ${r.initDurationMs.toFixed(2)} ms\t`;
  if (r.status) s += `Status: ${r.status}\t`;
  if (r.errorType) s += `Error Type: ${r.errorType}\t`;
  return s + "\n";
}

/** INIT_START opens a cold start. The version ARN is a stable stand-in for Lambda's runtime build hash. */
export function initStartLine(runtime: string, region: string): string {
  return `INIT_START Runtime Version: ${runtimeVersion(runtime)}\tRuntime Version ARN: ${runtimeVersionArn(runtime, region)}\n`;
}

/** "nodejs:20.v1" */
export function runtimeVersion(runtime: string): string {
  return `${runtimeVersionLabel(runtime)}.v1`;
}

/** Also GetFunction's RuntimeVersionConfig: asked on every call, so each runtime's hash is made once. */
export function runtimeVersionArn(runtime: string, region: string): string {
  let hash = runtimeHashes.get(runtime);
  if (hash === undefined) {
    hash = createHash("sha256").update(`hyperlocal:${runtime}`).digest("hex");
    if (runtimeHashes.size >= 64) runtimeHashes.clear(); // a few dozen runtimes exist: this only bounds it
    runtimeHashes.set(runtime, hash);
  }
  return `arn:aws:lambda:${region}::runtime:${hash}`;
}

const runtimeHashes = new Map<string, string>();

/** Written when the init phase failed or timed out. */
export function initReportLine(initDurationMs: number, status: ReportStatus, errorType?: string): string {
  let s = `INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: ${status}\t`;
  if (errorType) s += `Error Type: ${errorType}\t`;
  return s + "\n";
}

/** "2024-01-01T00:00:00.000Z <id> Task timed out after 3.00 seconds" */
export function timeoutLine(nowMs: number, requestId: string, timeoutSec: number): string {
  return `${new Date(nowMs).toISOString()} ${requestId} Task timed out after ${timeoutSec.toFixed(2)} seconds\n`;
}

/** The two lines Lambda writes when the runtime process dies: the message, then the error type. */
export function platformErrorLines(message: string, errorType: string): string {
  return `${message}\n${errorType}\n`;
}
