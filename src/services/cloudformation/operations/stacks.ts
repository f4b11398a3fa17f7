import { AwsError } from "../../../core/aws-error.ts";
import { uuid } from "../../../core/ids.ts";
import type { OperationContext } from "../../../core/operation-context.ts";
import { asList, str, type InputTree } from "../../../core/input-tree.ts";
import { stackEvent } from "../engine/events.ts";
import { own } from "../engine/plan.ts";
import { validationError } from "../template/errors.ts";
import { inProgress, type StackDefinition, type StackRec } from "../state.ts";
import { stackSummaryView, stackView } from "../render.ts";
import { readDefinition } from "./definition.ts";
import { boolParam, checkStackName, findStack, page, reqParam, stackArnPattern, stackFor, type CfnEnv, type CfnOperation } from "./context.ts";

const ON_FAILURE = new Set(["DO_NOTHING", "ROLLBACK", "DELETE"]);
/** Statuses from which UpdateStack may start. */
const UPDATABLE = new Set(["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"]);

export function newStack(ctx: OperationContext, env: CfnEnv, name: string, def: StackDefinition, status: string): StackRec {
  const stackId = `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${name}/${uuid()}`;
  const stack: StackRec = {
    stackId,
    stackName: name,
    account: ctx.accountId,
    region: ctx.region,
    status,
    creationTime: ctx.clock.now(),
    def,
    disableRollback: false,
    terminationProtection: false,
    outputs: [],
    resources: Object.create(null),
    replaced: [],
    events: [],
    principal: ctx.principal,
    sourceIp: ctx.sourceIp,
    imports: [],
  };
  const state = env.state(ctx.accountId, ctx.region);
  state.stacks[stackId] = stack;
  state.names[name] = stackId;
  // The stored record (with --state-dir a write-tracking view): later changes to it are saved.
  return state.stacks[stackId];
}

/** The engine acts as whoever started the latest operation (unless the stack has a role). */
export function actAs(stack: StackRec, ctx: OperationContext): void {
  stack.principal = ctx.principal;
  stack.sourceIp = ctx.sourceIp;
}

export function resourceTypeContext(def: StackDefinition): Record<string, string[]> {
  const types = new Set<string>();
  const res = def.processed.Resources;
  if (res && typeof res === "object" && !Array.isArray(res)) for (const r of Object.values(res)) if (r && typeof r === "object" && !Array.isArray(r) && typeof r.Type === "string") types.add(r.Type);
  return { "cloudformation:ResourceTypes": [...types] };
}

const createStack: CfnOperation = (p, ctx, env) => {
  const name = reqParam(p, "StackName");
  checkStackName(name);
  const state = env.state(ctx.accountId, ctx.region);
  const roleArn = str(p.RoleARN);
  ctx.authorize("cloudformation:CreateStack", stackArnPattern(ctx, name), { context: roleArn ? { "cloudformation:RoleArn": roleArn } : {} });
  if (findStack(state, name)) throw new AwsError("AlreadyExistsException", 400, `Stack [${name}] already exists`);
  const onFailure = str(p.OnFailure);
  if (onFailure !== undefined && !ON_FAILURE.has(onFailure)) throw validationError(`1 validation error detected: Value '${onFailure}' at 'onFailure' failed to satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]`);
  const disable = boolParam(p, "DisableRollback");
  if (disable !== undefined && onFailure !== undefined) throw validationError("You cannot specify both OnFailure and DisableRollback."); // unverified wording
  const placeholder = { stackId: `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${name}/pending`, stackName: name, account: ctx.accountId, region: ctx.region };
  const def = readDefinition(p, ctx, env, placeholder, undefined);
  const stack = newStack(ctx, env, name, def, "CREATE_IN_PROGRESS");
  stack.disableRollback = disable === true || onFailure === "DO_NOTHING";
  if (onFailure === "DELETE") stack.onFailure = "DELETE";
  stack.terminationProtection = boolParam(p, "EnableTerminationProtection") === true;
  stackEvent(ctx.clock, stack, "CREATE_IN_PROGRESS", "User Initiated");
  env.engine.create(stack);
  return { StackId: stack.stackId };
};

/** Changes nothing at all? AWS refuses such an update. */
function sameDefinition(a: StackDefinition, b: StackDefinition): boolean {
  return a.templateBody === b.templateBody && JSON.stringify(a.parameters) === JSON.stringify(b.parameters) && JSON.stringify(a.tags) === JSON.stringify(b.tags) && a.roleArn === b.roleArn && JSON.stringify(a.notificationArns) === JSON.stringify(b.notificationArns);
}

export function checkUpdatable(stack: StackRec): void {
  if (!UPDATABLE.has(stack.status)) throw validationError(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
}

const updateStack: CfnOperation = (p, ctx, env) => {
  const stack = stackFor(p, ctx, env);
  checkUpdatable(stack);
  const def = readDefinition(p, ctx, env, stack, stack.def);
  if (sameDefinition(def, stack.def)) throw validationError("No updates are to be performed.");
  actAs(stack, ctx);
  stack.previous = stack.def;
  stack.def = def;
  const disable = boolParam(p, "DisableRollback");
  if (disable !== undefined) stack.disableRollback = disable;
  stackEvent(ctx.clock, stack, "UPDATE_IN_PROGRESS", "User Initiated");
  env.engine.update(stack);
  return { StackId: stack.stackId };
};

const deleteStack: CfnOperation = (p, ctx, env) => {
  const nameOrId = reqParam(p, "StackName");
  const state = env.state(ctx.accountId, ctx.region);
  const stack = findStack(state, nameOrId);
  ctx.authorize("cloudformation:DeleteStack", stack ? stack.stackId : nameOrId.startsWith("arn:") ? nameOrId : stackArnPattern(ctx, nameOrId));
  // Deleting a stack that does not exist (or is gone) succeeds, as on AWS.
  if (!stack || stack.status === "DELETE_COMPLETE" || stack.status === "DELETE_IN_PROGRESS") return undefined;
  if (stack.terminationProtection) throw validationError(`Stack [${stack.stackName}] cannot be deleted while TerminationProtection is enabled`);
  if (inProgress(stack.status) && stack.status !== "REVIEW_IN_PROGRESS") {
    throw validationError(`Stack [${stack.stackName}] cannot be deleted while in status ${stack.status}`); // unverified wording
  }
  actAs(stack, ctx);
  const role = str(p.RoleARN);
  if (role !== undefined) {
    ctx.authorize("iam:PassRole", role, { context: { "iam:PassedToService": "cloudformation.amazonaws.com" } });
    stack.def = { ...stack.def, roleArn: role };
  }
  stackEvent(ctx.clock, stack, "DELETE_IN_PROGRESS", "User Initiated");
  env.engine.delete(stack);
  return undefined;
};

const describeStacks: CfnOperation = (p, ctx, env) => {
  const state = env.state(ctx.accountId, ctx.region);
  const nameOrId = str(p.StackName);
  if (nameOrId !== undefined) {
    const s = stackFor(p, ctx, env);
    return { Stacks: [stackView(s)] };
  }
  ctx.authorize("cloudformation:DescribeStacks", "*");
  const live = Object.values(state.stacks).filter((s) => s.status !== "DELETE_COMPLETE" && own(state.names, s.stackName) === s.stackId);
  const pg = page(live.sort((a, b) => b.creationTime - a.creationTime), p);
  return { Stacks: pg.items.map(stackView), NextToken: pg.next };
};

const listStacks: CfnOperation = (p, ctx, env) => {
  ctx.authorize("cloudformation:ListStacks", "*");
  const filter = asList(p.StackStatusFilter).filter((v): v is string => typeof v === "string");
  const all = Object.values(env.state(ctx.accountId, ctx.region).stacks).filter((s) => s.status !== "REVIEW_IN_PROGRESS" && (filter.length === 0 || filter.includes(s.status)));
  const pg = page(all.sort((a, b) => b.creationTime - a.creationTime), p);
  return { StackSummaries: pg.items.map(stackSummaryView), NextToken: pg.next };
};

const updateTerminationProtection: CfnOperation = (p, ctx, env) => {
  const stack = stackFor(p, ctx, env);
  const v = str(p.EnableTerminationProtection);
  if (v === undefined) throw validationError("1 validation error detected: Value null at 'enableTerminationProtection' failed to satisfy constraint: Member must not be null");
  stack.terminationProtection = v === "true";
  return { StackId: stack.stackId };
};

const cancelUpdateStack: CfnOperation = (p, ctx, env) => {
  const stack = stackFor(p, ctx, env);
  if (stack.status !== "UPDATE_IN_PROGRESS") throw validationError(`CancelUpdateStack cannot be called from current stack status`);
  stack.cancelRequested = true;
  return undefined;
};

/**
 * ContinueUpdateRollback: the rollback that failed is tried again; resources named in ResourcesToSkip
 * (each UPDATE_FAILED) are left as they are and taken as rolled back.
 */
const continueUpdateRollback: CfnOperation = (p, ctx, env) => {
  const stack = stackFor(p, ctx, env);
  if (stack.status !== "UPDATE_ROLLBACK_FAILED") throw validationError(`Stack:${stack.stackId} is in ${stack.status} state and can not continue update rollback.`); // unverified wording
  const skip = asList(p.ResourcesToSkip).filter((v): v is string => typeof v === "string");
  for (const id of skip) {
    const r = Object.prototype.hasOwnProperty.call(stack.resources, id) ? stack.resources[id] : undefined;
    if (!r) throw validationError(`Resource ${id} does not exist in stack ${stack.stackName}`); // unverified wording
    if (r.status !== "UPDATE_FAILED") throw validationError(`Resource ${id} is in ${r.status} state and cannot be skipped; only resources in UPDATE_FAILED state can be skipped`); // unverified wording
  }
  stackEvent(ctx.clock, stack, "UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated");
  env.engine.continueRollback(stack, skip);
  return {}; // an empty <ContinueUpdateRollbackResult/>: the CLI requires the element
};

export const stackOperations: Record<string, CfnOperation> = {
  CreateStack: createStack,
  UpdateStack: updateStack,
  DeleteStack: deleteStack,
  DescribeStacks: describeStacks,
  ListStacks: listStacks,
  UpdateTerminationProtection: updateTerminationProtection,
  CancelUpdateStack: cancelUpdateStack,
  ContinueUpdateRollback: continueUpdateRollback,
};

export type { InputTree };
