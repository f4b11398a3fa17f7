// IAM: the decision log, each decision explained, and the policy simulator (IAM's own
// SimulatePrincipalPolicy, with the Lambda VPC condition keys).
import { SimulatePrincipalPolicyCommand, type ContextEntry, type EvaluationResult } from "@aws-sdk/client-iam";
import { useState } from "preact/hooks";
import { admin, type Decision } from "../admin-api.ts";
import { ErrorBox, Field } from "../components.tsx";
import { explainDecision } from "../decision-text.ts";
import { useLoad } from "../hooks.ts";
import type { Clients, Session } from "../session.ts";

const CONTEXT_KEYS: { key: string; list: boolean; hint: string }[] = [
  { key: "lambda:VpcIds", list: false, hint: "vpc-0abc…" },
  { key: "lambda:SubnetIds", list: true, hint: "subnet-1…, subnet-2…" },
  { key: "lambda:SecurityGroupIds", list: true, hint: "sg-1…, sg-2…" },
  { key: "lambda:SourceFunctionArn", list: false, hint: "arn:aws:lambda:…:function:name" },
];

export function IamPage({ clients, session }: { clients: Clients; session: Session }) {
  return (
    <section aria-labelledby="iam-title">
      <h1 id="iam-title">IAM</h1>
      <Simulator clients={clients} session={session} />
      <DecisionLog />
    </section>
  );
}

function DecisionLog() {
  const [onlyDenied, setOnlyDenied] = useState(true);
  const log = useLoad(() => admin<{ decisions: Decision[] }>("iam/decisions?limit=200"), [], 2000);
  const rows = (log.data?.decisions ?? []).filter((d) => !onlyDenied || d.result !== "Allowed");
  return (
    <div>
      <h2>Decision log</h2>
      <label class="check">
        <input type="checkbox" checked={onlyDenied} onChange={(e) => setOnlyDenied(e.currentTarget.checked)} /> <span>Show denials only</span>
      </label>
      <ErrorBox error={log.error} />
      <table class="grid" aria-label="IAM decisions">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Principal</th>
            <th scope="col">Action</th>
            <th scope="col">Resource</th>
            <th scope="col">Decision</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d, i) => (
            <tr key={i} class={d.result === "Allowed" ? "" : "denied"}>
              <td>{d.time}</td>
              <td>
                <code>{d.principal}</code>
              </td>
              <td>{d.action}</td>
              <td>
                <code>{d.resource}</code>
              </td>
              <td>{d.result}</td>
              <td>
                {explainDecision(d)}
                {Object.keys(d.context).some((k) => k.startsWith("lambda:")) ? (
                  <span class="muted">
                    {" "}
                    Context:{" "}
                    {Object.entries(d.context)
                      .filter(([k]) => k.startsWith("lambda:"))
                      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
                      .join(", ")}
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Simulator({ clients, session }: { clients: Clients; session: Session }) {
  const [principal, setPrincipal] = useState(session.kind === "root" ? "" : session.arn);
  const [action, setAction] = useState("lambda:CreateFunction");
  const [resource, setResource] = useState("*");
  const [values, setValues] = useState<Record<string, string>>({});
  const [results, setResults] = useState<EvaluationResult[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  async function simulate(e: Event) {
    e.preventDefault();
    setError(undefined);
    setResults(undefined);
    const entries: ContextEntry[] = CONTEXT_KEYS.filter((k) => values[k.key]?.trim()).map((k) => ({
      ContextKeyName: k.key,
      ContextKeyType: k.list ? "stringList" : "string",
      ContextKeyValues: k.list ? values[k.key].split(",").map((v) => v.trim()).filter(Boolean) : [values[k.key].trim()],
    }));
    try {
      const out = await clients.iam.send(
        new SimulatePrincipalPolicyCommand({ PolicySourceArn: principal, ActionNames: [action], ResourceArns: [resource], ...(entries.length ? { ContextEntries: entries } : {}) }),
      );
      setResults(out.EvaluationResults ?? []);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <form onSubmit={simulate} aria-labelledby="sim-title">
      <h2 id="sim-title">Policy simulator</h2>
      <Field label="Principal ARN (user, group or role)" id="sim-principal">
        <input id="sim-principal" class="wide" required value={principal} placeholder="arn:aws:iam::000000000000:user/alice" onInput={(e) => setPrincipal(e.currentTarget.value)} />
      </Field>
      <Field label="Action" id="sim-action">
        <input id="sim-action" required value={action} onInput={(e) => setAction(e.currentTarget.value)} />
      </Field>
      <Field label="Resource ARN" id="sim-resource">
        <input id="sim-resource" class="wide" required value={resource} onInput={(e) => setResource(e.currentTarget.value)} />
      </Field>
      <fieldset class="field">
        <legend>Context keys</legend>
        {CONTEXT_KEYS.map((k) => (
          <Field key={k.key} label={`${k.key}${k.list ? " (comma-separated)" : ""}`} id={`sim-${k.key}`}>
            <input id={`sim-${k.key}`} class="wide" value={values[k.key] ?? ""} placeholder={k.hint} onInput={(e) => setValues({ ...values, [k.key]: e.currentTarget.value })} />
          </Field>
        ))}
      </fieldset>
      <button type="submit" class="primary">
        Simulate
      </button>
      <ErrorBox error={error} />
      {results?.map((r) => (
        <div key={r.EvalActionName} class={`verdict ${r.EvalDecision === "allowed" ? "ok" : "bad"}`} aria-live="polite" data-testid="sim-result">
          <h3>
            {r.EvalActionName} on {r.EvalResourceName}: {r.EvalDecision}
          </h3>
          {r.MatchedStatements?.length ? (
            <ul>
              {r.MatchedStatements.map((m, i) => (
                <li key={i}>
                  Matched {m.SourcePolicyType} policy {m.SourcePolicyId}
                  {m.StartPosition ? ` at line ${m.StartPosition.Line}, column ${m.StartPosition.Column}` : ""}
                </li>
              ))}
            </ul>
          ) : (
            <p>No statement matched{r.EvalDecision === "implicitDeny" ? ": nothing allows this action (implicit deny)." : "."}</p>
          )}
          {r.MissingContextValues?.length ? <p>Context keys the policies use but were not given: {r.MissingContextValues.join(", ")}</p> : null}
        </div>
      ))}
    </form>
  );
}
