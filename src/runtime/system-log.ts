// One invocation's log as Lambda writes it, in the function's log format (LoggingConfig):
//  - Text: the platform lines of invocation-log.ts (START, END, REPORT, INIT_START ...), unfiltered;
//  - JSON: one object per platform event, {"time","type","record"}, kept only when the event's level
//    reaches SystemLogLevel (default INFO), as AWS's "Event mapping for system log level" has them:
//      platform.initStart INFO, platform.initReport INFO, platform.start INFO,
//      platform.runtimeDone DEBUG, platform.report INFO
//    {"time":"2024-05-09T12:38:42.140Z","type":"platform.start","record":{"requestId":"…","version":"$LATEST"}}
// The function's own output sits between them unchanged: the runtime already formatted it.
import { endLine, initReportLine, initStartLine, reportLine, runtimeVersion, runtimeVersionArn, startLine } from "./invocation-log.ts";
import type { ReportFields, ReportStatus } from "./invocation-log.ts";
import type { LogConfig } from "./types.ts";

export type { LogConfig };

const SYSTEM_LEVELS = ["DEBUG", "INFO", "WARN"] as const;
type SystemLevel = (typeof SYSTEM_LEVELS)[number];

export interface InvocationLogParts {
  requestId: string;
  /** "$LATEST" or "3". */
  version: string;
  functionName: string;
  runtime: string;
  region: string;
  /** Present on a cold start: the init phase's output and how it ended. */
  init?: { startedAt: number; output: string; durationMs: number; failure?: { status: ReportStatus; errorType?: string } };
  startedAt: number;
  endedAt: number;
  /** The function's output during the invocation. */
  output: string;
  /** Platform lines after the function's output (a timeout, a runtime exit), before END. */
  trailer?: string;
  /** Bytes of the function's answer (platform.runtimeDone). */
  producedBytes: number;
  report: ReportFields;
}

export function invocationLog(config: LogConfig | undefined, p: InvocationLogParts): string {
  return config?.format === "JSON" ? jsonLog(config, p) : textLog(p);
}

function textLog(p: InvocationLogParts): string {
  let logs = "";
  if (p.init) {
    logs += initStartLine(p.runtime, p.region) + p.init.output;
    if (p.init.failure) logs += initReportLine(p.init.durationMs, p.init.failure.status, p.init.failure.errorType);
  }
  logs += startLine(p.requestId, p.version) + withNewline(p.output);
  if (p.trailer) logs += p.trailer;
  return logs + endLine(p.requestId) + reportLine(p.report);
}

function jsonLog(config: LogConfig, p: InvocationLogParts): string {
  const min = levelRank(config.systemLogLevel);
  const event = (level: SystemLevel, time: number, type: string, record: Record<string, unknown>): string =>
    levelRank(level) >= min ? `${JSON.stringify({ time: new Date(time).toISOString(), type, record })}\n` : "";
  const r = p.report;
  let logs = "";
  if (p.init) {
    logs += event("INFO", p.init.startedAt, "platform.initStart", {
      initializationType: "on-demand",
      phase: "init",
      runtimeVersion: runtimeVersion(p.runtime),
      runtimeVersionArn: runtimeVersionArn(p.runtime, p.region),
      functionName: p.functionName,
      functionVersion: p.version,
    });
    logs += p.init.output;
    if (p.init.failure) {
      logs += event("INFO", p.startedAt, "platform.initReport", {
        initializationType: "on-demand",
        phase: "init",
        status: p.init.failure.status,
        ...(p.init.failure.errorType ? { errorType: p.init.failure.errorType } : {}),
        metrics: { durationMs: round2(p.init.durationMs) },
      });
    }
  }
  logs += event("INFO", p.startedAt, "platform.start", { requestId: p.requestId, version: p.version });
  logs += withNewline(p.output);
  if (p.trailer) logs += p.trailer;
  const status = r.status ?? "success";
  logs += event("DEBUG", p.endedAt, "platform.runtimeDone", {
    requestId: p.requestId,
    status, // unverified: the Telemetry API's runtimeDone status for a handled function error
    metrics: { durationMs: round2(r.durationMs), producedBytes: p.producedBytes },
  });
  logs += event("INFO", p.endedAt, "platform.report", {
    requestId: p.requestId,
    metrics: {
      durationMs: round2(r.durationMs),
      billedDurationMs: r.billedDurationMs,
      memorySizeMB: r.memorySizeMb,
      maxMemoryUsedMB: r.maxMemoryUsedMb,
      ...(r.initDurationMs !== undefined ? { initDurationMs: round2(r.initDurationMs) } : {}),
    },
    status,
    ...(r.errorType ? { errorType: r.errorType } : {}),
  });
  return logs;
}

/** SystemLogLevel DEBUG < INFO < WARN; anything unknown counts as INFO, Lambda's default. */
function levelRank(level: string | undefined): number {
  const i = SYSTEM_LEVELS.indexOf((level ?? "INFO") as SystemLevel);
  return i < 0 ? 1 : i;
}

function withNewline(s: string): string {
  return s && !s.endsWith("\n") ? `${s}\n` : s;
}

function round2(ms: number): number {
  return Math.round(ms * 100) / 100;
}
