export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  level: LogLevel;
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

let stderrLines: ((line: string) => void) | undefined;
/** The default destination: stderr, batched (one writer for every logger of the process). */
function toStderr(line: string): void {
  stderrLines ??= batchedWriter((text) => process.stderr.write(text));
  stderrLines(line);
}

export function createLogger(level: LogLevel, write: (line: string) => void = toStderr): Logger {
  const log = (lvl: LogLevel, msg: string) => {
    if (ORDER[lvl] >= ORDER[logger.level]) write(`${isoNow()} ${lvl.toUpperCase().padEnd(5)} ${msg}`);
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

/**
 * Lines gathered and written once per turn of the event loop: at the default level every request
 * logs a line, and a write to stderr (a pipe or a file: synchronous) per line costs more than the
 * line. What is pending is written when the process exits, however it exits short of SIGKILL.
 */
export function batchedWriter(out: (text: string) => void): (line: string) => void {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join("\n") + "\n";
    pending = [];
    out(text);
  };
  process.once("exit", flush);
  return (line) => {
    pending.push(line);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush).unref();
    }
  };
}

// Log lines in one millisecond share one timestamp string: formatting it is most of a line's cost.
let lastMs = -1;
let lastIso = "";
function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
