import { GetFunctionConfigurationCommand, ListFunctionsCommand, type FunctionConfiguration } from "@aws-sdk/client-lambda";
import { useState } from "preact/hooks";
import { Badge, ErrorBox, Loading } from "../components.tsx";
import { pace, useLoad } from "../hooks.ts";
import type { Clients } from "../session.ts";

export async function listAllFunctions(clients: Clients): Promise<FunctionConfiguration[]> {
  const out: FunctionConfiguration[] = [];
  let Marker: string | undefined;
  do {
    const page = await clients.lambda.send(new ListFunctionsCommand({ Marker }));
    out.push(...(page.Functions ?? []));
    Marker = page.NextMarker;
  } while (Marker);
  return out;
}

export const isChanging = (f: FunctionConfiguration) => f.State === "Pending" || f.LastUpdateStatus === "InProgress";

/**
 * ListFunctions leaves out State and LastUpdateStatus (as AWS's does: "use GetFunction"), so the
 * list asks for each function's configuration, as the AWS console does. A denied call keeps the
 * listed fields.
 */
async function listWithStates(clients: Clients): Promise<FunctionConfiguration[]> {
  const fns = await listAllFunctions(clients);
  return Promise.all(fns.map((f) => clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: f.FunctionName })).catch(() => f)));
}

export function FunctionsList({ clients }: { clients: Clients }) {
  // Polled: State and LastUpdateStatus change on screen (Pending → Active) without a reload.
  const [busy, setBusy] = useState(true);
  const fns = useLoad(() => listWithStates(clients), [clients], pace(busy));
  const nowBusy = (fns.data ?? []).some(isChanging);
  if (fns.data && nowBusy !== busy) setBusy(nowBusy);
  return (
    <section aria-labelledby="functions-title">
      <div class="title-row">
        <h1 id="functions-title">Functions</h1>
        <a class="button primary" href="#/functions/new">
          Create function
        </a>
      </div>
      <ErrorBox error={fns.error} />
      {fns.loading && !fns.data ? <Loading what="functions" /> : null}
      {fns.data ? (
        fns.data.length === 0 ? (
          <p>There is no data to display. Choose "Create function" to make one.</p>
        ) : (
          <table class="grid" aria-label="Functions">
            <thead>
              <tr>
                <th scope="col">Function name</th>
                <th scope="col">Runtime</th>
                <th scope="col">State</th>
                <th scope="col">Last update status</th>
                <th scope="col">VPC</th>
              </tr>
            </thead>
            <tbody>
              {fns.data.map((f) => (
                <tr key={f.FunctionName} data-function={f.FunctionName}>
                  <td>
                    <a href={`#/functions/${encodeURIComponent(f.FunctionName!)}`}>{f.FunctionName}</a>
                  </td>
                  <td>{f.Runtime ?? f.PackageType}</td>
                  <td>
                    <Badge label="State" value={f.State} reason={f.StateReason} />
                    {f.State === "Failed" || f.State === "Inactive" ? <span class="reason"> {f.StateReasonCode}: {f.StateReason}</span> : null}
                  </td>
                  <td>
                    <Badge label="Last update status" value={f.LastUpdateStatus} reason={f.LastUpdateStatusReason} />
                    {f.LastUpdateStatus === "Failed" ? <span class="reason"> {f.LastUpdateStatusReasonCode}: {f.LastUpdateStatusReason}</span> : null}
                  </td>
                  <td>{f.VpcConfig?.VpcId ? <a href={`#/vpc/${f.VpcConfig.VpcId}`}>{f.VpcConfig.VpcId}</a> : <span class="muted">–</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </section>
  );
}
