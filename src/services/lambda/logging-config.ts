// LoggingConfig as Lambda stores it across CreateFunction and UpdateFunctionConfiguration.
import type { VersionConfig } from "./model.ts";

export type LogSettings = Pick<VersionConfig, "logFormat" | "applicationLogLevel" | "systemLogLevel">;

/**
 * LoggingConfig over the current settings, as Lambda keeps it: asking for JSON brings both levels
 * at INFO unless given, the other members keep their values, and going from JSON back to Text
 * drops the levels. (LocalStack's provider, whose tests run against AWS, does the same; no AWS
 * recording here says it.)
 */
export function applyLoggingConfig(current: LogSettings, input: Record<string, unknown>): LogSettings {
  const str = (v: unknown) => (v === undefined ? undefined : String(v));
  const json = input.LogFormat === "JSON";
  const next: LogSettings = {
    logFormat: ((input.LogFormat as string | undefined) ?? current.logFormat) as VersionConfig["logFormat"],
    applicationLogLevel: str(input.ApplicationLogLevel) ?? (json ? "INFO" : current.applicationLogLevel),
    systemLogLevel: str(input.SystemLogLevel) ?? (json ? "INFO" : current.systemLogLevel),
  };
  if (next.logFormat === "Text" && current.logFormat === "JSON") {
    delete next.applicationLogLevel;
    delete next.systemLogLevel;
  }
  if (next.applicationLogLevel === undefined) delete next.applicationLogLevel;
  if (next.systemLogLevel === undefined) delete next.systemLogLevel;
  return next;
}
