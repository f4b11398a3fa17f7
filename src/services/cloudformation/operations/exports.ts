import { validationError } from "../template/errors.ts";
import { exportView } from "../render.ts";
import { page, reqParam, type CfnOperation } from "./context.ts";

const listExports: CfnOperation = (p, ctx, env) => {
  ctx.authorize("cloudformation:ListExports", "*");
  const pg = page(Object.values(env.state(ctx.accountId, ctx.region).exports), p);
  return { Exports: pg.items.map(exportView), NextToken: pg.next };
};

const listImports: CfnOperation = (p, ctx, env) => {
  ctx.authorize("cloudformation:ListImports", "*");
  const name = reqParam(p, "ExportName");
  const state = env.state(ctx.accountId, ctx.region);
  const users = Object.values(state.stacks).filter((s) => s.status !== "DELETE_COMPLETE" && s.imports.includes(name)).map((s) => s.stackName);
  if (users.length === 0) throw validationError(`Export '${name}' is not imported by any stack.`);
  const pg = page(users, p);
  return { Imports: pg.items, NextToken: pg.next };
};

export const exportOperations: Record<string, CfnOperation> = { ListExports: listExports, ListImports: listImports };
