// Reachability: a function and a destination → the verdict at once, the reasons in plain words and
// the path drawn on the VPC map (hyperlocal's /_hyperlocal/reachability, the model that enforces).
import { DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import { useState } from "preact/hooks";
import { admin, type Reachability } from "../admin-api.ts";
import { ErrorBox, Field } from "../components.tsx";
import { useLoad } from "../hooks.ts";
import type { Clients } from "../session.ts";
import { reachabilityHints } from "../reachability-hints.ts";
import { loadVpcData, type VpcData } from "../vpc-data.ts";
import { VpcMapView } from "../vpc-map-view.tsx";
import { listAllFunctions } from "./functions-list.tsx";

interface Destinations {
  endpoints: { ip?: string; name?: string; port: number; target: string; placement?: { ip?: string } }[];
  mappings: { name?: string; address: string; port: number; target: string }[];
}

const VERDICT_TEXT: Record<Reachability["verdict"], string> = {
  allow: "Reachable",
  drop: "Not reachable: the connection is dropped (it times out)",
  unreachable: "Not reachable: no route (the connection fails at once)",
};

export function ReachabilityPage({ clients }: { clients: Clients }) {
  const fns = useLoad(() => listAllFunctions(clients), [clients]);
  const enis = useLoad(async () => (await clients.ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces ?? [], [clients]);
  const dests = useLoad(async (): Promise<Destinations> => {
    const [e, i] = await Promise.all([admin<{ endpoints: Destinations["endpoints"] }>("endpoints"), admin<{ mappings: Destinations["mappings"] }>("internet")]);
    return { endpoints: e.endpoints ?? [], mappings: i.mappings ?? [] };
  }, []);
  const [fn, setFn] = useState("");
  const [to, setTo] = useState("");
  const [protocol, setProtocol] = useState("tcp");
  const [result, setResult] = useState<{ r: Reachability; map?: VpcData } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  // "fn:NAME" or "eni:ID"
  const source = fn || (fns.data?.[0] ? `fn:${fns.data[0].FunctionName}` : "");

  async function check(e: Event) {
    e.preventDefault();
    setError(undefined);
    setResult(undefined);
    try {
      const [kind, id] = [source.slice(0, source.indexOf(":")), source.slice(source.indexOf(":") + 1)];
      const param = kind === "eni" ? "eni" : "function";
      const r = await admin<Reachability>(`reachability?${param}=${encodeURIComponent(id)}&to=${encodeURIComponent(to)}&protocol=${protocol}`);
      const vpcId = kind === "eni" ? enis.data?.find((n) => n.NetworkInterfaceId === id)?.VpcId : fns.data?.find((f) => f.FunctionName === id)?.VpcConfig?.VpcId;
      setResult({ r, ...(vpcId ? { map: await loadVpcData(clients, vpcId) } : {}) });
    } catch (err) {
      setError(err);
    }
  }

  const suggestions = [
    ...(dests.data?.endpoints ?? []).map((d) => `${d.name ?? d.ip ?? d.placement?.ip}:${d.port}`),
    ...(dests.data?.mappings ?? []).map((m) => `${m.name ?? m.address}:${m.port}`),
  ];
  const blocked = result?.r.reasons.find((x) => x.component)?.component?.id;

  return (
    <section aria-labelledby="reach-title">
      <h1 id="reach-title">Reachability</h1>
      <p class="hint">Can a function open a connection to a destination? The answer comes from the same model that enforces every connection a function opens.</p>
      <ErrorBox error={fns.error} />
      <form class="inline" onSubmit={check}>
        <Field label="Source" id="reach-fn">
          <select id="reach-fn" value={source} onChange={(e) => setFn(e.currentTarget.value)}>
            <optgroup label="Functions">
              {(fns.data ?? []).map((f) => (
                <option key={f.FunctionName} value={`fn:${f.FunctionName}`}>
                  {f.FunctionName}
                  {f.VpcConfig?.VpcId ? ` (${f.VpcConfig.VpcId})` : " (no VPC)"}
                </option>
              ))}
            </optgroup>
            <optgroup label="Network interfaces">
              {(enis.data ?? []).map((n) => (
                <option key={n.NetworkInterfaceId} value={`eni:${n.NetworkInterfaceId}`}>
                  {n.NetworkInterfaceId} ({n.InterfaceType}, {n.PrivateIpAddress}, {n.SubnetId})
                </option>
              ))}
            </optgroup>
          </select>
        </Field>
        <Field label="Destination (host:port)" id="reach-to" hint="An address, a placed local server or a mapped internet name.">
          <input id="reach-to" required list="reach-suggestions" value={to} placeholder="10.0.2.10:5432" onInput={(e) => setTo(e.currentTarget.value)} aria-describedby="reach-to-hint" />
          <datalist id="reach-suggestions">
            {suggestions.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </Field>
        <Field label="Protocol" id="reach-proto">
          <select id="reach-proto" value={protocol} onChange={(e) => setProtocol(e.currentTarget.value)}>
            <option value="tcp">TCP</option>
            <option value="udp">UDP</option>
          </select>
        </Field>
        <button type="submit" class="primary">
          Check
        </button>
      </form>
      <ErrorBox error={error} />
      {result ? (
        <div class={`verdict ${result.r.verdict === "allow" ? "ok" : "bad"}`} aria-live="polite" data-testid="verdict">
          <h2>{VERDICT_TEXT[result.r.verdict] ?? result.r.verdict}</h2>
          <p data-testid="answer">{result.r.answer}</p>
          {result.r.reasons.length ? (
            <>
              <h3>Why</h3>
              <ul data-testid="reasons">
                {result.r.reasons.map((x, i) => (
                  <li key={i}>
                    {x.message} <span class="muted">({x.code})</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {reachabilityHints(result.r).length ? (
            <>
              <h3>What to do</h3>
              <ul data-testid="hints">
                {reachabilityHints(result.r).map((h) => (
                  <li key={h}>{h}</li>
                ))}
              </ul>
            </>
          ) : null}
          <h3>Path</h3>
          <ol class="hops">
            {result.r.path.map((h, i) => (
              <li key={i}>
                {h.kind} <code>{h.id}</code>
                {h.detail ? ` (${h.detail})` : ""}
              </li>
            ))}
          </ol>
          {result.map ? (
            <div class="map-scroll">
              <VpcMapView data={result.map} paths={[[...(result.r.function ? [`fn:${result.r.function}`] : []), ...result.r.path.map((h) => h.id)]]} {...(blocked ? { blocked } : {})} />
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
