// One stack: its status (polled fast while *_IN_PROGRESS), Delete with the AWS console's
// confirmation, and the tabs. The route carries the stack ID, so a deleted stack stays viewable.
import { DeleteStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { useRef, useState } from "preact/hooks";
import { Badge, ErrorBox, Loading } from "../components.tsx";
import { pace, useLoad } from "../hooks.ts";
import type { Clients } from "../session.ts";
import { isStackBusy, stackTone } from "../stack-status.ts";
import { ClockButtons } from "./clock.tsx";
import { EventsTab, OutputsTab, ParametersTab, ResourcesTab, StackInfoTab, TemplateTab } from "./stack-tabs.tsx";
import { stackHref } from "./stacks.tsx";

const TABS = ["Stack info", "Events", "Resources", "Outputs", "Parameters", "Template"] as const;
type Tab = (typeof TABS)[number];

export function StackDetail({ clients, stackId }: { clients: Clients; stackId: string }) {
  const [tab, setTab] = useState<Tab>("Stack info");
  const [busy, setBusy] = useState(true);
  const described = useLoad(() => clients.cloudformation.send(new DescribeStacksCommand({ StackName: stackId })), [clients, stackId], pace(busy));
  const stack = described.data?.Stacks?.[0];
  if (stack && isStackBusy(stack.StackStatus) !== busy) setBusy(isStackBusy(stack.StackStatus));
  const id = stack?.StackId ?? stackId;
  return (
    <section aria-labelledby="stack-title">
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href="#/stacks">Stacks</a> › {stack?.StackName ?? stackId}
      </nav>
      <div class="title-row">
        <h1 id="stack-title">
          {stack?.StackName ?? stackId}{" "}
          {stack ? <Badge label="Status" value={stack.StackStatus} reason={stack.StackStatusReason} tone={stackTone(stack.StackStatus)} /> : null}
        </h1>
        {stack ? (
          <DeleteStack
            clients={clients}
            stackId={id}
            name={stack.StackName!}
            disabled={stack.StackStatus === "DELETE_COMPLETE" || isStackBusy(stack.StackStatus)}
            onDeleted={() => (id !== stackId ? (location.hash = stackHref(stack)) : described.reload())}
          />
        ) : null}
      </div>
      <ErrorBox error={described.error} />
      {!stack ? (
        described.loading ? <Loading what="the stack" /> : null
      ) : (
        <>
          {stack.StackStatus === "DELETE_IN_PROGRESS" ? (
            <div class="warning" data-testid="delete-wait">
              <p>
                Deleting a stack with VPC functions waits while Lambda releases their network interfaces (20 minutes on the simulated clock); the events
                say "Retrying". Advance the clock to end the wait:
              </p>
              <ClockButtons onAdvanced={described.reload} />
            </div>
          ) : null}
          <div role="tablist" aria-label="Stack tabs" class="tabs">
            {TABS.map((t) => (
              <button key={t} role="tab" id={`tab-${t}`} aria-selected={tab === t} aria-controls="stack-panel" onClick={() => setTab(t)}>
                {t}
              </button>
            ))}
          </div>
          <div role="tabpanel" id="stack-panel" aria-labelledby={`tab-${tab}`}>
            {tab === "Stack info" ? <StackInfoTab stack={stack} /> : null}
            {tab === "Events" ? <EventsTab clients={clients} stackId={id} busy={busy} /> : null}
            {tab === "Resources" ? <ResourcesTab clients={clients} stackId={id} busy={busy} /> : null}
            {tab === "Outputs" ? <OutputsTab stack={stack} /> : null}
            {tab === "Parameters" ? <ParametersTab stack={stack} /> : null}
            {tab === "Template" ? <TemplateTab clients={clients} stackId={id} /> : null}
          </div>
        </>
      )}
    </section>
  );
}

interface DeleteProps {
  clients: Clients;
  stackId: string;
  name: string;
  disabled: boolean;
  onDeleted: () => void;
}

/** Delete, confirmed in a modal dialog (native <dialog>: it keeps focus inside and Escape cancels). */
function DeleteStack({ clients, stackId, name, disabled, onDeleted }: DeleteProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [sending, setSending] = useState(false);
  const confirm = () => {
    setSending(true);
    clients.cloudformation.send(new DeleteStackCommand({ StackName: stackId })).then(
      () => {
        setSending(false);
        dialog.current?.close();
        onDeleted();
      },
      (e) => (setSending(false), setError(e)),
    );
  };
  return (
    <>
      <button disabled={disabled} onClick={() => (setError(undefined), dialog.current?.showModal())}>
        Delete
      </button>
      <dialog ref={dialog} aria-labelledby="delete-title" aria-describedby="delete-text">
        <h2 id="delete-title">Delete stack?</h2>
        <p id="delete-text">
          Deleting this stack will delete all stack resources. Resources will be deleted according to their DeletionPolicy. Stack: <strong>{name}</strong>
        </p>
        <ErrorBox error={error} />
        <div class="actions">
          <button autoFocus onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button class="primary" disabled={sending} onClick={confirm}>
            Delete
          </button>
        </div>
      </dialog>
    </>
  );
}
