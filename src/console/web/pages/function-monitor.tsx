import { useEffect, useRef, useState } from "preact/hooks";
import { admin, type LogEvent } from "../admin-api.ts";
import { ErrorBox } from "../components.tsx";

/** The function's log lines, followed live (hyperlocal's /_hyperlocal/logs, the same lines CloudWatch Logs would hold). */
export function MonitorTab({ name }: { name: string }) {
  const [events, setEvents] = useState<LogEvent[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const next = useRef(0);
  useEffect(() => {
    let stopped = false;
    next.current = 0;
    setEvents([]);
    const pull = async () => {
      try {
        const r = await admin<{ events: LogEvent[]; next: number }>(`logs/${encodeURIComponent(name)}?since=${next.current}`);
        if (stopped) return;
        next.current = r.next;
        if (r.events.length) setEvents((old) => [...old, ...r.events].slice(-2000));
        setError(undefined);
      } catch (e) {
        if (!stopped) setError(e);
      }
    };
    void pull();
    const timer = setInterval(pull, 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [name]);
  return (
    <div>
      <h2>Logs</h2>
      <p class="hint">Log group /aws/lambda/{name}, followed live.</p>
      <ErrorBox error={error} />
      {events.length === 0 ? (
        <p class="muted">No log events yet. Invoke the function from the Test tab.</p>
      ) : (
        <pre class="code log" aria-live="polite" data-testid="monitor-log">
          {events.map((e) => `${e.timestamp}  ${e.message}`).join("\n")}
        </pre>
      )}
    </div>
  );
}
