import { GetFunctionCommand } from "@aws-sdk/client-lambda";
import { useState } from "preact/hooks";
import { Badge, ErrorBox, Loading } from "../components.tsx";
import { pace, useLoad } from "../hooks.ts";
import type { Clients } from "../session.ts";
import { isChanging } from "./functions-list.tsx";
import { MonitorTab } from "./function-monitor.tsx";
import { TestTab } from "./function-test.tsx";
import { VersionsTab } from "./function-versions.tsx";
import { VpcConfigSection } from "./function-vpc.tsx";

const TABS = ["Test", "Monitor", "Configuration", "Versions and aliases"] as const;
type Tab = (typeof TABS)[number];

export function FunctionDetail({ clients, name }: { clients: Clients; name: string }) {
  const [tab, setTab] = useState<Tab>("Test");
  // Polled, so State and LastUpdateStatus move on screen.
  const [busy, setBusy] = useState(true);
  const fn = useLoad(() => clients.lambda.send(new GetFunctionCommand({ FunctionName: name })), [clients, name], pace(busy));
  const cfg = fn.data?.Configuration;
  if (cfg && isChanging(cfg) !== busy) setBusy(isChanging(cfg));
  return (
    <section aria-labelledby="fn-title">
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href="#/functions">Functions</a> › {name}
      </nav>
      <h1 id="fn-title">{name}</h1>
      <ErrorBox error={fn.error} />
      {!cfg ? (
        fn.loading ? <Loading what="the function" /> : null
      ) : (
        <>
          <dl class="summary">
            <dt>State</dt>
            <dd>
              <Badge label="State" value={cfg.State} reason={cfg.StateReason} />
              {cfg.StateReason ? <span class="reason"> {cfg.StateReasonCode}: {cfg.StateReason}</span> : null}
            </dd>
            <dt>Last update status</dt>
            <dd>
              <Badge label="Last update status" value={cfg.LastUpdateStatus} reason={cfg.LastUpdateStatusReason} />
              {cfg.LastUpdateStatusReason ? <span class="reason"> {cfg.LastUpdateStatusReasonCode}: {cfg.LastUpdateStatusReason}</span> : null}
            </dd>
            <dt>Runtime</dt>
            <dd>{cfg.Runtime ?? cfg.PackageType}</dd>
            <dt>Function ARN</dt>
            <dd>
              <code>{cfg.FunctionArn}</code>
            </dd>
            <dt>Execution role</dt>
            <dd>
              <code>{cfg.Role}</code>
            </dd>
          </dl>
          <div role="tablist" aria-label="Function tabs" class="tabs">
            {TABS.map((t) => (
              <button key={t} role="tab" id={`tab-${t}`} aria-selected={tab === t} aria-controls="fn-panel" onClick={() => setTab(t)}>
                {t}
              </button>
            ))}
          </div>
          <div role="tabpanel" id="fn-panel" aria-labelledby={`tab-${tab}`}>
            {tab === "Test" ? <TestTab clients={clients} name={name} /> : null}
            {tab === "Monitor" ? <MonitorTab name={name} /> : null}
            {tab === "Configuration" ? <VpcConfigSection clients={clients} cfg={cfg} onSaved={fn.reload} /> : null}
            {tab === "Versions and aliases" ? <VersionsTab clients={clients} name={name} /> : null}
          </div>
        </>
      )}
    </section>
  );
}
