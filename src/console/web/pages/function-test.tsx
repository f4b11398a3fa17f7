import { InvokeCommand } from "@aws-sdk/client-lambda";
import { useState } from "preact/hooks";
import { ErrorBox, Field } from "../components.tsx";
import { reportFigures } from "../invoke-report.ts";
import type { Clients } from "../session.ts";

interface Result {
  ok: boolean;
  payload: string;
  log: string;
  /** From the REPORT line (or platform.report record) Lambda writes, as the AWS console shows it. */
  duration?: string;
  billed?: string;
  requestId?: string;
}

export function TestTab({ clients, name }: { clients: Clients; name: string }) {
  const [event, setEvent] = useState('{\n  "key1": "value1",\n  "key2": "value2"\n}');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  async function run() {
    setError(undefined);
    setResult(undefined);
    try {
      JSON.parse(event);
    } catch (e) {
      setError(new Error(`The event is not valid JSON: ${(e as Error).message}`));
      return;
    }
    setBusy(true);
    try {
      const out = await clients.lambda.send(new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: new TextEncoder().encode(event) }));
      const log = out.LogResult ? new TextDecoder().decode(Uint8Array.from(atob(out.LogResult), (c) => c.charCodeAt(0))) : "";
      const report = reportFigures(log);
      setResult({
        ok: !out.FunctionError,
        payload: new TextDecoder().decode(out.Payload ?? new Uint8Array()),
        log,
        ...(report ?? {}),
        ...(out.$metadata.requestId ? { requestId: out.$metadata.requestId } : {}),
      });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div>
      <h2>Test event</h2>
      <Field label="Event JSON" id="test-event">
        <textarea id="test-event" class="code" rows={6} spellcheck={false} value={event} onInput={(e) => setEvent(e.currentTarget.value)} />
      </Field>
      <button class="primary" onClick={run} disabled={busy}>
        Test
      </button>
      {busy ? (
        <p role="status" class="muted">
          Invoking…
        </p>
      ) : null}
      <ErrorBox error={error} />
      {result ? (
        <div class={`result ${result.ok ? "ok" : "bad"}`} aria-live="polite" data-testid="test-result">
          <h3>Execution result: {result.ok ? "succeeded" : "failed"}</h3>
          <h4>Response</h4>
          <pre class="code">{result.payload}</pre>
          <h4>Summary</h4>
          <dl class="summary">
            <dt>Duration</dt>
            <dd data-testid="duration">{result.duration ?? "–"}</dd>
            <dt>Billed duration</dt>
            <dd>{result.billed ?? "–"}</dd>
            <dt>Request ID</dt>
            <dd>
              <code>{result.requestId}</code>
            </dd>
          </dl>
          <h4>Log output</h4>
          <pre class="code log" data-testid="log-tail">
            {result.log}
          </pre>
        </div>
      ) : null}
    </div>
  );
}
