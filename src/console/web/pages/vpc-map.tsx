import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { useState } from "preact/hooks";
import { ErrorBox, Field, Loading } from "../components.tsx";
import { useLoad } from "../hooks.ts";
import { internetPaths } from "../map-model.ts";
import type { Clients } from "../session.ts";
import { loadVpcData } from "../vpc-data.ts";
import { VpcMapView, VpcTables } from "../vpc-map-view.tsx";

export function VpcMapPage({ clients, vpcId, go }: { clients: Clients; vpcId?: string; go: (hash: string) => void }) {
  const vpcs = useLoad(async () => (await clients.ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? [], [clients]);
  const chosen = vpcId ?? vpcs.data?.find((v) => !v.IsDefault)?.VpcId ?? vpcs.data?.[0]?.VpcId;
  const data = useLoad(async () => (chosen ? loadVpcData(clients, chosen) : undefined), [clients, chosen], 5000);
  const [fn, setFn] = useState<string | undefined>(undefined);
  const fnConfig = data.data?.functions.find((f) => f.FunctionName === fn);
  const paths = fnConfig && data.data ? internetPaths(fnConfig, data.data) : [];
  // Where the way out stops is marked in red.
  const stop = paths.find((p) => !p.reaches)?.ids.at(-1);

  return (
    <section aria-labelledby="map-title">
      <h1 id="map-title">VPC map</h1>
      <ErrorBox error={vpcs.error} />
      <Field label="VPC" id="map-vpc">
        <select id="map-vpc" value={chosen ?? ""} onChange={(e) => (setFn(undefined), go(`#/vpc/${e.currentTarget.value}`))}>
          {(vpcs.data ?? []).map((v) => (
            <option key={v.VpcId} value={v.VpcId}>
              {v.VpcId} ({v.CidrBlock}){v.IsDefault ? " (default)" : ""}
            </option>
          ))}
        </select>
      </Field>
      <ErrorBox error={data.error} />
      {data.loading && !data.data ? <Loading what="the VPC" /> : null}
      {data.data ? (
        <>
          {Object.entries(data.data.errors).map(([what, e]) => (
            <ErrorBox key={what} label={what} error={e} />
          ))}
          <p class="hint">Choose a function (λ) to see its path to the internet, or where it stops.</p>
          {fn ? (
            <div class="path-summary" role="status" data-testid="path-summary">
              <strong>{fn}:</strong>
              <ul>
                {paths.map((p) => (
                  <li key={p.subnetId} class={p.reaches ? "ok" : "bad"}>
                    In {p.subnetId}: {p.text}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <div class="map-scroll">
            <VpcMapView data={data.data} paths={paths.map((p) => p.ids)} {...(stop ? { blocked: stop } : {})} onFunction={setFn} />
          </div>
          <h2>Functions in this VPC</h2>
          <ul>
            {data.data.functions.map((f) => (
              <li key={f.FunctionName}>
                <button onClick={() => setFn(f.FunctionName)}>Show the path of {f.FunctionName}</button>
              </li>
            ))}
          </ul>
          <VpcTables data={data.data} />
        </>
      ) : null}
    </section>
  );
}
