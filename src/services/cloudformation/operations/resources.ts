import { str } from "../../../core/input-tree.ts";
import { own } from "../engine/plan.ts";
import { validationError } from "../template/errors.ts";
import { eventView, resourceDetailView, resourceSummaryView, resourceView } from "../render.ts";
import { findStack, page, reqParam, stackFor, type CfnOperation } from "./context.ts";

const describeStackEvents: CfnOperation = (p, ctx, env) => {
  const stack = stackFor(p, ctx, env);
  const pg = page([...stack.events].reverse(), p);
  return { StackEvents: pg.items.map((e) => eventView(stack, e)), NextToken: pg.next };
};

const describeStackResource: CfnOperation = (p, ctx, env) => {
  const stack = stackFor(p, ctx, env);
  const id = reqParam(p, "LogicalResourceId");
  const r = own(stack.resources, id);
  if (!r) throw validationError(`Resource ${id} does not exist for stack ${stack.stackName}`);
  return { StackResourceDetail: resourceDetailView(stack, r) };
};

/** By stack, or by a physical id (the stack that holds it). */
const describeStackResources: CfnOperation = (p, ctx, env) => {
  const physical = str(p.PhysicalResourceId);
  let stack;
  if (str(p.StackName) !== undefined) stack = stackFor(p, ctx, env);
  else if (physical !== undefined) {
    const state = env.state(ctx.accountId, ctx.region);
    stack = Object.values(state.stacks).find((s) => s.status !== "DELETE_COMPLETE" && Object.values(s.resources).some((r) => r.physicalId === physical));
    ctx.authorize("cloudformation:DescribeStackResources", stack ? stack.stackId : "*");
    if (!stack) throw validationError(`Stack for ${physical} does not exist`);
  } else {
    throw validationError("Either StackName or PhysicalResourceId must be specified.");
  }
  const logical = str(p.LogicalResourceId);
  const rs = Object.values(stack.resources).filter((r) => (logical === undefined || r.logicalId === logical) && (physical === undefined || r.physicalId === physical));
  return { StackResources: rs.map((r) => resourceView(stack, r)) };
};

const listStackResources: CfnOperation = (p, ctx, env) => {
  const stack = stackFor(p, ctx, env);
  const pg = page(Object.values(stack.resources), p);
  return { StackResourceSummaries: pg.items.map(resourceSummaryView), NextToken: pg.next };
};

export const resourceOperations: Record<string, CfnOperation> = {
  DescribeStackEvents: describeStackEvents,
  DescribeStackResource: describeStackResource,
  DescribeStackResources: describeStackResources,
  ListStackResources: listStackResources,
};

export { findStack };
