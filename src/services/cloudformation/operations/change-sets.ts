import { AwsError } from "../../../core/aws-error.ts";
import { uuid } from "../../../core/ids.ts";
import { str } from "../../../core/input-tree.ts";
import { changedProperties, needsReplacement } from "../engine/diff.ts";
import { stackEvent } from "../engine/events.ts";
import { buildPlan, own, type PlanEnv } from "../engine/plan.ts";
import { providerFor } from "../providers/registry.ts";
import { literalImports } from "../template/imports.ts";
import { resolve, type ResolveScope } from "../template/intrinsics.ts";
import { validationError } from "../template/errors.ts";
import type { JsonObject } from "../template/parse.ts";
import type { CfnState, ChangeRec, ChangeSetRec, StackDefinition, StackRec } from "../state.ts";
import { changeSetSummaryView, changeView, iso, parametersView } from "../render.ts";
import { parseTemplate } from "../template/parse.ts";
import { TransformError } from "../template/pipeline.ts";
import { boolParam, checkStackName, findStack, page, reqParam, stackArnPattern, stringsParam, tagsParam, type CfnOperation } from "./context.ts";
import { readDefinition } from "./definition.ts";
import { actAs, checkUpdatable, newStack } from "./stacks.ts";

const CHANGE_SET_NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;
const UNKNOWN = "{{changeSet:KNOWN_AFTER_APPLY}}";
export const NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set.";

export function ChangeSetNotFound(name: string): AwsError {
  return new AwsError("ChangeSetNotFound", 404, `ChangeSet [${name}] does not exist`);
}

export function findChangeSet(state: CfnState, nameOrArn: string, stackName: string | undefined): ChangeSetRec | undefined {
  if (nameOrArn.startsWith("arn:")) return own(state.changeSets, nameOrArn);
  if (stackName === undefined) return undefined;
  const stack = findStack(state, stackName);
  return Object.values(state.changeSets).find((c) => c.name === nameOrArn && (stack ? c.stackId === stack.stackId : c.stackName === stackName));
}

/** What executing the definition would do to the stack's resources. */
export function computeChanges(stack: StackRec, def: StackDefinition, env: PlanEnv): ChangeRec[] {
  const plan = buildPlan(stack, def, env);
  for (const name of literalImports(def.processed)) if (env.importValue(stack.account, stack.region, name) === undefined) throw validationError(`No export named ${name} found.`);
  const live = (id: string) => {
    const r = own(stack.resources, id);
    return r && r.status !== "DELETE_COMPLETE" && r.physicalId ? r : undefined;
  };
  const scope: ResolveScope = {
    refs: plan.refs,
    conditions: plan.conditions,
    mappings: plan.template.mappings,
    region: stack.region,
    resourceRef: (id) => (plan.resources.has(id) ? (live(id)?.physicalId ?? UNKNOWN) : undefined),
    resourceAttr: (id, attr) => (plan.resources.has(id) ? (live(id) ? (own(live(id)!.attributes, attr) ?? UNKNOWN) : UNKNOWN) : undefined),
    azs: env.azs,
    importValue: (name) => env.importValue(stack.account, stack.region, name) ?? UNKNOWN,
  };
  const changes: ChangeRec[] = [];
  for (const [id, decl] of plan.resources) {
    const cur = live(id);
    if (!cur) {
      changes.push({ action: "Add", logicalId: id, type: decl.type, scope: [], details: [] });
      continue;
    }
    const props = (resolve(decl.properties, scope) ?? {}) as JsonObject;
    const changed = changedProperties(cur.properties, props);
    if (changed.length === 0 && cur.type === decl.type) continue;
    const provider = providerFor(decl.type)!;
    const dynamic = (k: string) => JSON.stringify(props[k] ?? null).includes(UNKNOWN);
    const replace = cur.type !== decl.type || needsReplacement(provider, cur.properties, props);
    changes.push({
      action: "Modify",
      logicalId: id,
      physicalId: cur.physicalId,
      type: decl.type,
      replacement: replace ? (changed.every(dynamic) ? "Conditional" : "True") : "False",
      scope: ["Properties"],
      details: changed.map((k) => ({
        name: k,
        requiresRecreation: provider.schema.properties[k]?.update === "Immutable" ? "Always" : provider.schema.properties[k]?.update === "Conditional" ? "Conditionally" : "Never",
        changeSource: dynamic(k) ? "ResourceAttribute" : "DirectModification",
        evaluation: dynamic(k) ? "Dynamic" : "Static",
      })),
    });
  }
  for (const r of Object.values(stack.resources)) {
    if (!plan.resources.has(r.logicalId) && r.status !== "DELETE_COMPLETE" && r.physicalId) changes.push({ action: "Remove", logicalId: r.logicalId, physicalId: r.physicalId, type: r.type, scope: [], details: [] });
  }
  return changes;
}

const createChangeSet: CfnOperation = (p, ctx, env) => {
  const stackName = reqParam(p, "StackName");
  const name = reqParam(p, "ChangeSetName");
  if (!CHANGE_SET_NAME.test(name) || name.length > 128) {
    throw validationError(`1 validation error detected: Value '${name}' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`);
  }
  const type = str(p.ChangeSetType) ?? "UPDATE";
  if (type !== "CREATE" && type !== "UPDATE") throw validationError(`1 validation error detected: Value '${type}' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [UPDATE, IMPORT, CREATE]`);
  const state = env.state(ctx.accountId, ctx.region);
  let stack = findStack(state, stackName);
  ctx.authorize("cloudformation:CreateChangeSet", stack ? stack.stackId : stackArnPattern(ctx, stackName));
  if (type === "CREATE") {
    checkStackName(stackName);
    if (stack && stack.status !== "REVIEW_IN_PROGRESS") throw validationError(`Stack [${stackName}] already exists and cannot be created again with the changeSet [${name}].`);
  } else {
    if (!stack) throw validationError(`Stack [${stackName}] does not exist`);
    checkUpdatable(stack);
  }
  if (stack && Object.values(state.changeSets).some((c) => c.stackId === stack!.stackId && c.name === name)) {
    throw new AwsError("AlreadyExistsException", 400, `ChangeSet ${name} already exists`); // unverified wording
  }
  const target = stack ?? { stackId: `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${stackName}/pending`, stackName, account: ctx.accountId, region: ctx.region };
  const previous = type === "UPDATE" ? stack!.def : undefined;
  let def: StackDefinition;
  let transformFailure: string | undefined;
  try {
    def = readDefinition(p, ctx, env, target, previous, "changeSet");
  } catch (e) {
    // A macro's failure is the change set's, as on AWS: it is created, then FAILED with the reason.
    if (!(e instanceof TransformError)) throw e;
    transformFailure = e.message;
    def = unprocessedDefinition(p, previous);
  }
  if (!stack) {
    stack = newStack(ctx, env, stackName, def, "REVIEW_IN_PROGRESS");
    stackEvent(ctx.clock, stack, "REVIEW_IN_PROGRESS", "User Initiated");
  }
  const draft: ChangeSetRec = {
    id: `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:changeSet/${name}/${uuid()}`,
    name,
    stackId: stack.stackId,
    stackName,
    type,
    status: "CREATE_PENDING",
    executionStatus: "UNAVAILABLE",
    creationTime: ctx.clock.now(),
    def,
    changes: [],
    ...(str(p.Description) !== undefined ? { description: str(p.Description) } : {}),
  };
  state.changeSets[draft.id] = draft;
  // The stored record (with --state-dir a write-tracking view, not `draft`): the timer below compares
  // against it and changes it.
  const cs = state.changeSets[draft.id];
  const s = stack;
  // Change sets are computed in the background, as on AWS; clients wait with DescribeChangeSet.
  ctx.clock.schedule(0, () => {
    if (own(state.changeSets, cs.id) !== cs) return;
    if (transformFailure !== undefined) {
      cs.status = "FAILED";
      cs.statusReason = transformFailure;
      env.markDirty();
      return;
    }
    try {
      cs.changes = computeChanges(s, def, env.planEnv);
      const same = type === "UPDATE" && cs.changes.length === 0 && JSON.stringify(def.parameters) === JSON.stringify(s.def.parameters) && JSON.stringify(def.tags) === JSON.stringify(s.def.tags);
      if (same || (type === "UPDATE" && cs.changes.length === 0 && def.templateBody === s.def.templateBody && JSON.stringify(def.parameters) === JSON.stringify(s.def.parameters))) {
        cs.status = "FAILED";
        cs.statusReason = NO_CHANGES;
      } else {
        cs.status = "CREATE_COMPLETE";
        cs.executionStatus = "AVAILABLE";
      }
    } catch (e) {
      cs.status = "FAILED";
      cs.statusReason = (e as Error).message;
    }
    env.markDirty();
  });
  return { Id: cs.id, StackId: stack.stackId };
};

/** The definition of a change set whose template a transform refused: the template as sent, nothing resolved. */
function unprocessedDefinition(p: Parameters<CfnOperation>[0], previous: StackDefinition | undefined): StackDefinition {
  const body = str(p.TemplateBody) ?? previous?.templateBody ?? "";
  return {
    templateBody: body,
    processed: parseTemplate(body),
    parameters: Object.create(null),
    noEcho: [],
    capabilities: stringsParam(p, "Capabilities"),
    tags: tagsParam(p) ?? previous?.tags ?? [],
    notificationArns: stringsParam(p, "NotificationARNs"),
  };
}

function changeSetFor(p: Parameters<CfnOperation>[0], ctx: Parameters<CfnOperation>[1], env: Parameters<CfnOperation>[2]): ChangeSetRec {
  const name = reqParam(p, "ChangeSetName");
  const stackName = str(p.StackName);
  if (!name.startsWith("arn:") && stackName === undefined) throw validationError("StackName must be specified if ChangeSetName is not specified as an ARN.");
  const state = env.state(ctx.accountId, ctx.region);
  const cs = findChangeSet(state, name, stackName);
  ctx.authorize(`cloudformation:${ctx.operation}`, cs ? cs.stackId : stackName ? (findStack(state, stackName)?.stackId ?? stackArnPattern(ctx, stackName)) : "*");
  if (!cs) throw ChangeSetNotFound(name);
  return cs;
}

const describeChangeSet: CfnOperation = (p, ctx, env) => {
  const cs = changeSetFor(p, ctx, env);
  const pg = page(cs.changes, p);
  return {
    ChangeSetName: cs.name,
    ChangeSetId: cs.id,
    StackId: cs.stackId,
    StackName: cs.stackName,
    Description: cs.description,
    Parameters: parametersView(cs.def),
    CreationTime: iso(cs.creationTime),
    ExecutionStatus: cs.executionStatus,
    Status: cs.status,
    StatusReason: cs.statusReason,
    NotificationARNs: cs.def.notificationArns,
    RollbackConfiguration: {},
    Capabilities: cs.def.capabilities,
    Tags: cs.def.tags,
    Changes: pg.items.map(changeView),
    NextToken: pg.next,
    IncludeNestedStacks: false,
  };
};

const executeChangeSet: CfnOperation = (p, ctx, env) => {
  const cs = changeSetFor(p, ctx, env);
  const state = env.state(ctx.accountId, ctx.region);
  const stack = own(state.stacks, cs.stackId);
  if (!stack) throw ChangeSetNotFound(cs.name);
  if (cs.status !== "CREATE_COMPLETE" || cs.executionStatus !== "AVAILABLE") {
    throw new AwsError("InvalidChangeSetStatus", 400, `ChangeSet [${cs.id}] cannot be executed in its current execution status of [${cs.executionStatus}]`); // unverified wording
  }
  actAs(stack, ctx);
  const disable = boolParam(p, "DisableRollback");
  stack.changeSetId = cs.id;
  cs.executionStatus = "EXECUTE_COMPLETE";
  // Executing a change set deletes the stack's other change sets, as AWS does.
  for (const [id, other] of Object.entries(state.changeSets)) if (other.stackId === stack.stackId && other !== cs) delete state.changeSets[id];
  if (cs.type === "CREATE") {
    if (stack.status !== "REVIEW_IN_PROGRESS") throw validationError(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
    stack.def = cs.def;
    if (disable !== undefined) stack.disableRollback = disable;
    stackEvent(ctx.clock, stack, "CREATE_IN_PROGRESS", "User Initiated");
    env.engine.create(stack);
  } else {
    checkUpdatable(stack);
    if (disable !== undefined) stack.disableRollback = disable;
    stack.previous = stack.def;
    stack.def = cs.def;
    stackEvent(ctx.clock, stack, "UPDATE_IN_PROGRESS", "User Initiated");
    env.engine.update(stack);
  }
  return {};
};

const deleteChangeSet: CfnOperation = (p, ctx, env) => {
  const cs = changeSetFor(p, ctx, env);
  if (cs.executionStatus === "EXECUTE_IN_PROGRESS") throw new AwsError("InvalidChangeSetStatus", 400, `Cannot delete ChangeSet in status ${cs.executionStatus}`); // unverified wording
  delete env.state(ctx.accountId, ctx.region).changeSets[cs.id];
  return {};
};

const listChangeSets: CfnOperation = (p, ctx, env) => {
  const stackName = reqParam(p, "StackName");
  const state = env.state(ctx.accountId, ctx.region);
  const stack = findStack(state, stackName);
  ctx.authorize("cloudformation:ListChangeSets", stack ? stack.stackId : stackArnPattern(ctx, stackName));
  if (!stack) throw validationError(`Stack [${stackName}] does not exist`);
  const all = Object.values(state.changeSets).filter((c) => c.stackId === stack.stackId);
  const pg = page(all, p);
  return { Summaries: pg.items.map(changeSetSummaryView), NextToken: pg.next };
};

export const changeSetOperations: Record<string, CfnOperation> = {
  CreateChangeSet: createChangeSet,
  DescribeChangeSet: describeChangeSet,
  ExecuteChangeSet: executeChangeSet,
  DeleteChangeSet: deleteChangeSet,
  ListChangeSets: listChangeSets,
};
