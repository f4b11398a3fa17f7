// Shared bits of every IAM operation: its type, and authorization with IAM's action names.
import type { ContextValue } from "../../core/authorization.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import type { Operation } from "../../core/service-model.ts";

export type Op = Operation<OperationContext>;
export type Ops = Record<string, Op>;

/** ctx.authorize("iam:<action>", resource); denial is AccessDenied 403 with AWS's text. */
export function authorizeIam(ctx: OperationContext, action: string, resource: string, context?: Record<string, ContextValue>): void {
  ctx.authorize(`iam:${action}`, resource, context ? { context } : undefined);
}

/** aws:RequestTag/K and aws:TagKeys for operations that set tags. */
export function tagContext(tags: readonly { Key: string; Value: string }[], base: Record<string, ContextValue> = {}): Record<string, ContextValue> {
  if (tags.length === 0) return base;
  const c: Record<string, ContextValue> = { ...base, "aws:TagKeys": tags.map((t) => t.Key) };
  for (const t of tags) c[`aws:RequestTag/${t.Key}`] = t.Value;
  return c;
}

/** aws:ResourceTag/K and iam:ResourceTag/K of an existing user or role. */
export function resourceTagContext(tags: readonly { Key: string; Value: string }[], base: Record<string, ContextValue> = {}): Record<string, ContextValue> {
  if (tags.length === 0) return base;
  const c: Record<string, ContextValue> = { ...base };
  for (const t of tags) {
    c[`aws:ResourceTag/${t.Key}`] = t.Value;
    c[`iam:ResourceTag/${t.Key}`] = t.Value;
  }
  return c;
}
