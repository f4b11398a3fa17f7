// The figures the Test tab shows from an invocation's log tail, in either log format:
//   Text: REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\t...
//   JSON: {"time":"…","type":"platform.report","record":{"metrics":{"durationMs":1.23,"billedDurationMs":2,…}}}
// Absent when the log holds no report (SystemLogLevel WARN, or a tail cut before it).

export interface ReportFigures {
  duration: string;
  billed: string;
}

export function reportFigures(log: string): ReportFigures | undefined {
  const text = /Duration: ([\d.]+ ms)\s+Billed Duration: ([\d.]+ ms)/.exec(log);
  if (text) return { duration: text[1], billed: text[2] };
  for (const line of log.split("\n")) {
    if (!line.startsWith("{") || !line.includes('"platform.report"')) continue;
    try {
      const m = (JSON.parse(line) as { record?: { metrics?: { durationMs?: unknown; billedDurationMs?: unknown } } }).record?.metrics;
      if (typeof m?.durationMs === "number" && typeof m.billedDurationMs === "number") return { duration: `${m.durationMs.toFixed(2)} ms`, billed: `${m.billedDurationMs} ms` };
    } catch {
      // a line of the function's own that merely looks like it
    }
  }
  return undefined;
}
