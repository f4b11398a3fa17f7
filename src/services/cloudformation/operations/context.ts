import { AwsError } from "../../../core/aws-error.ts";
import type { OperationContext } from "../../../core/operation-context.ts";
import { asList, str, sub, type InputNode, type InputTree } from "../../../core/input-tree.ts";
import type { StackEngine } from "../engine/engine.ts";
import { own, type PlanEnv } from "../engine/plan.ts";
import type { CfnTargets } from "../caller.ts";
import type { GivenParameter } from "../template/parameters.ts";
import { validationError } from "../template/errors.ts";
import type { CfnState, StackRec, Tag } from "../state.ts";

/** What every CloudFormation operation works with. */
export interface CfnEnv {
  state(account: string, region: string): CfnState;
  engine: StackEngine;
  targets: CfnTargets;
  planEnv: PlanEnv;
  /** Does an EC2 id of this parameter type exist for the caller? */
  exists(account: string, region: string, type: string, id: string): boolean;
  markDirty(): void;
}

export type CfnOperation = (p: InputTree, ctx: OperationContext, env: CfnEnv) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;

export const STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;

export function stackArnPattern(ctx: OperationContext, name: string): string {
  return `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${name}/*`;
}

export function reqParam(p: InputTree, name: string): string {
  const v = str(p[name]);
  if (v === undefined || v === "") throw validationError(`1 validation error detected: Value null at '${name[0].toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return v;
}

export function checkStackName(name: string): void {
  if (name.length > 128 || !STACK_NAME.test(name)) {
    throw validationError(`1 validation error detected: Value '${name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*`);
  }
}

/** A stack by name (live only) or by id (deleted ones too), as AWS finds them. */
export function findStack(state: CfnState, nameOrId: string): StackRec | undefined {
  if (nameOrId.startsWith("arn:")) return own(state.stacks, nameOrId);
  const id = own(state.names, nameOrId);
  return id ? own(state.stacks, id) : undefined;
}

export function stackNotFound(nameOrId: string): AwsError {
  return validationError(`Stack with id ${nameOrId} does not exist`);
}

/** Look up and authorize `cloudformation:<Action>` on the stack's ARN (a pattern when not found). */
export function stackFor(p: InputTree, ctx: OperationContext, env: CfnEnv, key = "StackName"): StackRec {
  const nameOrId = reqParam(p, key);
  const s = findStack(env.state(ctx.accountId, ctx.region), nameOrId);
  ctx.authorize(`cloudformation:${ctx.operation}`, s ? s.stackId : nameOrId.startsWith("arn:") ? nameOrId : stackArnPattern(ctx, nameOrId));
  if (!s) throw stackNotFound(nameOrId);
  return s;
}

export function parametersParam(p: InputTree): GivenParameter[] {
  return asList(p.Parameters).map((m: InputNode) => ({
    ParameterKey: str(sub(m, "ParameterKey")),
    ParameterValue: str(sub(m, "ParameterValue")),
    UsePreviousValue: str(sub(m, "UsePreviousValue")) === "true",
  }));
}

export function stringsParam(p: InputTree, name: string): string[] {
  return asList(p[name]).filter((v): v is string => typeof v === "string");
}

export function tagsParam(p: InputTree): Tag[] | undefined {
  if (p.Tags === undefined) return undefined;
  const tags = asList(p.Tags).map((m) => ({ Key: str(sub(m, "Key")) ?? "", Value: str(sub(m, "Value")) ?? "" }));
  if (tags.length > 50) throw validationError("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
  for (const t of tags) if (t.Key.toLowerCase().startsWith("aws:")) throw validationError(`Invalid tag key: ${t.Key}. Tag keys cannot start with 'aws:'`); // unverified wording
  return tags;
}

export function boolParam(p: InputTree, name: string): boolean | undefined {
  const v = str(p[name]);
  return v === undefined ? undefined : v === "true";
}

/** Paging over a list with NextToken as an offset. */
export function page<T>(items: T[], p: InputTree, size = 100): { items: T[]; next?: string } {
  const start = Number(str(p.NextToken) ?? "0");
  if (!Number.isInteger(start) || start < 0) throw validationError("Invalid NextToken"); // unverified wording
  const slice = items.slice(start, start + size);
  return { items: slice, ...(start + size < items.length ? { next: String(start + size) } : {}) };
}
