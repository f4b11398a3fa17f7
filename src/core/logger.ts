export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  level: LogLevel;
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l + "\n")): Logger {
  const log = (lvl: LogLevel, msg: string) => {
    if (ORDER[lvl] >= ORDER[logger.level]) write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${msg}`);
  };
  const logger: Logger = {
    level,
    debug: (m) => log("debug", m),
    info: (m) => log("info", m),
    warn: (m) => log("warn", m),
    error: (m) => log("error", m),
  };
  return logger;
}
