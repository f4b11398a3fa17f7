// The tabs of a stack's page, with the AWS console's labels: Stack info, Events (newest first,
// each retry's reason shown), Resources (linking to the console's pages for functions and VPCs),
// Outputs, Parameters and Template (the original text). Each tab asks only for what it shows.
import {
  DescribeStackEventsCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type Stack,
  type StackEvent,
  type StackResourceSummary,
} from "@aws-sdk/client-cloudformation";
import type { ComponentChildren } from "preact";
import { Badge, ErrorBox, Loading } from "../components.tsx";
import { pace, useLoad } from "../hooks.ts";
import type { Clients } from "../session.ts";
import { formatTime, resourceHref, stackTone } from "../stack-status.ts";

interface TabProps {
  clients: Clients;
  stackId: string;
  busy: boolean;
}

const none = <span class="muted">–</span>;

function Table({ label, heads, empty, children }: { label: string; heads: string[]; empty: boolean; children: ComponentChildren }) {
  if (empty) return <p>No {label.toLowerCase()} to display.</p>;
  return (
    <table class="grid" aria-label={label}>
      <thead>
        <tr>
          {heads.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

export function StackInfoTab({ stack }: { stack: Stack }) {
  const rows: [string, ComponentChildren][] = [
    ["Stack ID", <code>{stack.StackId}</code>],
    ["Description", stack.Description ?? none],
    ["Status", <Badge label="Status" value={stack.StackStatus} tone={stackTone(stack.StackStatus)} />],
    ["Status reason", stack.StackStatusReason ?? none],
    ["Created time", formatTime(stack.CreationTime)],
    ["Updated time", formatTime(stack.LastUpdatedTime)],
    ["Deleted time", formatTime(stack.DeletionTime)],
    ["Termination protection", stack.EnableTerminationProtection ? "Activated" : "Deactivated"],
    ["IAM role", stack.RoleARN ? <code>{stack.RoleARN}</code> : none],
  ];
  return (
    <dl class="summary" aria-label="Overview">
      {rows.map(([k, v]) => [<dt key={`${k}-t`}>{k}</dt>, <dd key={`${k}-d`}>{v}</dd>])}
    </dl>
  );
}

async function allEvents(clients: Clients, StackName: string): Promise<StackEvent[]> {
  const out: StackEvent[] = [];
  let NextToken: string | undefined;
  do {
    const page = await clients.cloudformation.send(new DescribeStackEventsCommand({ StackName, NextToken }));
    out.push(...(page.StackEvents ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  // Newest first, as AWS answers; sorted again so it holds whatever the pages did.
  return out.sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0));
}

export function EventsTab({ clients, stackId, busy }: TabProps) {
  const events = useLoad(() => allEvents(clients, stackId), [clients, stackId], pace(busy));
  return (
    <>
      <ErrorBox error={events.error} />
      {events.loading && !events.data ? <Loading what="events" /> : null}
      {events.data ? (
        <Table label="Events" heads={["Timestamp", "Logical ID", "Status", "Status reason"]} empty={events.data.length === 0}>
          {events.data.map((e) => (
            <tr key={e.EventId} data-event={e.LogicalResourceId}>
              <td>{formatTime(e.Timestamp)}</td>
              <td>{e.LogicalResourceId}</td>
              <td>
                <Badge label="Status" value={e.ResourceStatus} tone={stackTone(e.ResourceStatus)} />
              </td>
              <td class="status-reason">{e.ResourceStatusReason ?? none}</td>
            </tr>
          ))}
        </Table>
      ) : null}
    </>
  );
}

async function allResources(clients: Clients, StackName: string): Promise<StackResourceSummary[]> {
  const out: StackResourceSummary[] = [];
  let NextToken: string | undefined;
  do {
    const page = await clients.cloudformation.send(new ListStackResourcesCommand({ StackName, NextToken }));
    out.push(...(page.StackResourceSummaries ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

export function ResourcesTab({ clients, stackId, busy }: TabProps) {
  const resources = useLoad(() => allResources(clients, stackId), [clients, stackId], pace(busy));
  return (
    <>
      <ErrorBox error={resources.error} />
      {resources.loading && !resources.data ? <Loading what="resources" /> : null}
      {resources.data ? (
        <Table label="Resources" heads={["Logical ID", "Physical ID", "Type", "Status"]} empty={resources.data.length === 0}>
          {resources.data.map((r) => {
            const href = resourceHref(r.ResourceType, r.PhysicalResourceId, r.ResourceStatus);
            return (
              <tr key={r.LogicalResourceId} data-resource={r.LogicalResourceId}>
                <td>{r.LogicalResourceId}</td>
                <td>{href ? <a href={href}>{r.PhysicalResourceId}</a> : (r.PhysicalResourceId ?? none)}</td>
                <td>{r.ResourceType}</td>
                <td>
                  <Badge label="Status" value={r.ResourceStatus} reason={r.ResourceStatusReason} tone={stackTone(r.ResourceStatus)} />
                  {r.ResourceStatusReason ? <span class="reason"> {r.ResourceStatusReason}</span> : null}
                </td>
              </tr>
            );
          })}
        </Table>
      ) : null}
    </>
  );
}

export function OutputsTab({ stack }: { stack: Stack }) {
  const outputs = stack.Outputs ?? [];
  return (
    <Table label="Outputs" heads={["Key", "Value", "Description", "Export name"]} empty={outputs.length === 0}>
      {outputs.map((o) => (
        <tr key={o.OutputKey} data-output={o.OutputKey}>
          <td>{o.OutputKey}</td>
          <td>{o.OutputValue}</td>
          <td>{o.Description ?? none}</td>
          <td>{o.ExportName ?? none}</td>
        </tr>
      ))}
    </Table>
  );
}

export function ParametersTab({ stack }: { stack: Stack }) {
  const params = stack.Parameters ?? [];
  return (
    <Table label="Parameters" heads={["Key", "Value", "Resolved value"]} empty={params.length === 0}>
      {params.map((p) => (
        <tr key={p.ParameterKey} data-parameter={p.ParameterKey}>
          <td>{p.ParameterKey}</td>
          <td>{p.ParameterValue}</td>
          <td>{p.ResolvedValue ?? none}</td>
        </tr>
      ))}
    </Table>
  );
}

export function TemplateTab({ clients, stackId }: Omit<TabProps, "busy">) {
  const template = useLoad(() => clients.cloudformation.send(new GetTemplateCommand({ StackName: stackId, TemplateStage: "Original" })), [clients, stackId]);
  return (
    <>
      <ErrorBox error={template.error} />
      {template.loading && !template.data ? <Loading what="the template" /> : null}
      {template.data ? (
        <pre class="code" aria-label="Template body" tabIndex={0}>
          {template.data.TemplateBody}
        </pre>
      ) : null}
    </>
  );
}
