// Stacks: the CloudFormation stacks (ListStacks), polled fast while one is *_IN_PROGRESS so its
// status moves on screen, as the functions list does. The AWS console's filter: Active hides the
// deleted stacks, Deleted shows only them.
import { ListStacksCommand, type StackSummary } from "@aws-sdk/client-cloudformation";
import { useState } from "preact/hooks";
import { Badge, ErrorBox, Field, Loading } from "../components.tsx";
import { pace, useLoad } from "../hooks.ts";
import type { Clients } from "../session.ts";
import { formatTime, isStackBusy, stackTone } from "../stack-status.ts";

type Filter = "Active" | "Deleted" | "All";

async function listAllStacks(clients: Clients): Promise<StackSummary[]> {
  const out: StackSummary[] = [];
  let NextToken: string | undefined;
  do {
    const page = await clients.cloudformation.send(new ListStacksCommand({ NextToken }));
    out.push(...(page.StackSummaries ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out.sort((a, b) => (b.CreationTime?.getTime() ?? 0) - (a.CreationTime?.getTime() ?? 0));
}

const shown = (filter: Filter) => (s: StackSummary) =>
  filter === "All" || (filter === "Deleted" ? s.StackStatus === "DELETE_COMPLETE" : s.StackStatus !== "DELETE_COMPLETE");

export const stackHref = (s: { StackId?: string; StackName?: string }) => `#/stacks/${encodeURIComponent(s.StackId ?? s.StackName ?? "")}`;

export function StacksPage({ clients }: { clients: Clients }) {
  const [busy, setBusy] = useState(true);
  const [filter, setFilter] = useState<Filter>("Active");
  const stacks = useLoad(() => listAllStacks(clients), [clients], pace(busy));
  const nowBusy = (stacks.data ?? []).some((s) => isStackBusy(s.StackStatus));
  if (stacks.data && nowBusy !== busy) setBusy(nowBusy);
  const rows = (stacks.data ?? []).filter(shown(filter));
  return (
    <section aria-labelledby="stacks-title">
      <h1 id="stacks-title">Stacks</h1>
      <p class="hint">
        Create stacks with the AWS CLI or an SDK (<code>aws cloudformation deploy</code>, CreateStack); here you follow them, their events and
        resources, and delete them.
      </p>
      <form class="inline" aria-label="Filter stacks" onSubmit={(e) => e.preventDefault()}>
        <Field label="Filter status" id="stack-filter">
          <select id="stack-filter" value={filter} onChange={(e) => setFilter(e.currentTarget.value as Filter)}>
            <option value="Active">Active</option>
            <option value="Deleted">Deleted</option>
            <option value="All">All</option>
          </select>
        </Field>
      </form>
      <ErrorBox error={stacks.error} />
      {stacks.loading && !stacks.data ? <Loading what="stacks" /> : null}
      {stacks.data ? (
        rows.length === 0 ? (
          <p>No stacks to display.</p>
        ) : (
          <table class="grid" aria-label="Stacks">
            <thead>
              <tr>
                <th scope="col">Stack name</th>
                <th scope="col">Status</th>
                <th scope="col">Created time</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.StackId} data-stack={s.StackName}>
                  <td>
                    <a href={stackHref(s)}>{s.StackName}</a>
                  </td>
                  <td>
                    <Badge label="Status" value={s.StackStatus} reason={s.StackStatusReason} tone={stackTone(s.StackStatus)} />
                    {s.StackStatusReason ? <span class="reason"> {s.StackStatusReason}</span> : null}
                  </td>
                  <td>{formatTime(s.CreationTime)}</td>
                  <td>{s.TemplateDescription ?? <span class="muted">–</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </section>
  );
}
