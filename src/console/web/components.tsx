import type { ComponentChildren } from "preact";
import { AdminError } from "./admin-api.ts";

/** An AWS SDK error as AWS said it: the error code and AWS's own message. */
export function errorText(e: unknown): string {
  if (e instanceof AdminError) return e.message;
  const err = e as { name?: string; Code?: string; message?: string };
  const code = err?.Code ?? err?.name;
  const message = err?.message ?? String(e);
  return code && code !== "Error" && !message.startsWith(code) ? `${code}: ${message}` : message;
}

/** Where the data would be, AWS's answer when it said no. */
export function ErrorBox({ error, label }: { error: unknown; label?: string }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      {label ? <strong>{label}: </strong> : null}
      {errorText(error)}
    </div>
  );
}

const BADGE_CLASS: Record<string, string> = {
  Active: "ok",
  Successful: "ok",
  Pending: "busy",
  InProgress: "busy",
  Inactive: "idle",
  Failed: "bad",
};

/**
 * A State or LastUpdateStatus badge (or a stack's or resource's status, with its `tone`), its
 * reason on hover and for screen readers.
 */
export function Badge({ value, reason, label, tone }: { value?: string; reason?: string; label: string; tone?: string }) {
  if (!value) return <span class="muted">–</span>;
  return (
    <span class={`badge ${tone ?? (Object.hasOwn(BADGE_CLASS, value) ? BADGE_CLASS[value] : "")}`} data-badge={label} title={reason} aria-label={`${label}: ${value}${reason ? ` (${reason})` : ""}`}>
      {value}
    </span>
  );
}

export function Field({ label, id, children, hint }: { label: string; id: string; children: ComponentChildren; hint?: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}
