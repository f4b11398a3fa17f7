// Each invocation's log text (the function's output between Lambda's START, END and REPORT lines),
// kept per function in memory, newest last, for GET /_hyperlocal/logs/<function> and
// `hyperlocal logs <function> [--follow]`. Logs outlive the function, as a CloudWatch log group does.
export interface LogEvent {
  /** Increasing per function: ?since=<seq> returns the events after it. */
  seq: number;
  /** Clock time (ms) the invocation ended. */
  timestamp: number;
  message: string;
}

const MAX_EVENTS_PER_FUNCTION = 5000;
/** Kept beyond the limit before trimming; never returned by read. */
const TRIM_STEP = 1000;

interface FunctionLog {
  events: LogEvent[];
  next: number;
}

export class FunctionLogs {
  private readonly byFunction = new Map<string, FunctionLog>();

  /** Split one invocation's text into lines and keep them. */
  append(account: string, region: string, name: string, text: string, timestamp: number): void {
    const k = key(account, region, name);
    let log = this.byFunction.get(k);
    if (!log) this.byFunction.set(k, (log = { events: [], next: 1 }));
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    for (const message of lines) log.events.push({ seq: log.next++, timestamp, message });
    // Trimmed in steps, not on every append: a splice moves the whole array each time.
    if (log.events.length > MAX_EVENTS_PER_FUNCTION + TRIM_STEP) log.events.splice(0, log.events.length - MAX_EVENTS_PER_FUNCTION);
  }

  has(account: string, region: string, name: string): boolean {
    return this.byFunction.has(key(account, region, name));
  }

  /** Events after `since`, at most `limit` of the newest. */
  read(account: string, region: string, name: string, since = 0, limit = MAX_EVENTS_PER_FUNCTION): { events: LogEvent[]; next: number } {
    const log = this.byFunction.get(key(account, region, name));
    if (!log) return { events: [], next: since };
    let events = log.events.filter((e) => e.seq > since);
    if (events.length > MAX_EVENTS_PER_FUNCTION) events = events.slice(events.length - MAX_EVENTS_PER_FUNCTION);
    if (events.length > limit) events = events.slice(events.length - limit);
    return { events, next: log.next - 1 };
  }

  clear(): void {
    this.byFunction.clear();
  }
}

function key(account: string, region: string, name: string): string {
  return `${account}/${region}/${name}`;
}
