// The CloudFormation service: its query API (version 2010-05-15, XML answers), the stack engine
// that runs in the background on the simulated clock, and the resource providers that call EC2,
// IAM and Lambda through their own operation handlers as the caller (or the stack's role).
import { AwsError } from "../../core/aws-error.ts";
import { denialMessage } from "../../core/authorization.ts";
import type { Operation, QueryServiceModel } from "../../core/service-model.ts";
import type { ServiceDeps } from "../service-deps.ts";
import type { CfnTargets } from "./caller.ts";
import { CustomResponses } from "./custom-responses.ts";
import type { AdminRoutes } from "../../core/admin.ts";
import { StackEngine } from "./engine/engine.ts";
import { own, type PlanEnv } from "./engine/plan.ts";
import { changeSetOperations } from "./operations/change-sets.ts";
import type { CfnEnv, CfnOperation } from "./operations/context.ts";
import { exportOperations } from "./operations/exports.ts";
import { resourceOperations } from "./operations/resources.ts";
import { stackOperations } from "./operations/stacks.ts";
import { templateOperations } from "./operations/templates.ts";
import { initialCfnState, inProgress, type CfnState, type StackRec } from "./state.ts";
import { samTransform } from "./sam/index.ts";
import { registerTransform } from "./template/pipeline.ts";

registerTransform(samTransform);

export type { CfnTargets, QueryTarget } from "./caller.ts";
export { registerTransform, type TemplateTransform } from "./template/pipeline.ts";

export const CFN_XMLNS = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

export interface CloudFormationOptions {
  targets: CfnTargets;
  /** The server's own URL, for custom resources' ResponseURL. */
  serverUrl(): string;
  /** Availability zones of a region (Fn::GetAZs). */
  azs(region: string): string[];
  /** Does an id of an AWS-specific parameter type (AWS::EC2::VPC::Id, ...) exist? */
  exists(account: string, region: string, type: string, id: string): boolean;
}

export interface CloudFormationModule {
  /** The service model; the query codec binds it to the wire (bindQueryService, in app.ts). */
  model: QueryServiceModel;
  /** PUT /_hyperlocal/cloudformation/custom-resource-responses/{token}: custom resources' ResponseURL. */
  registerAdminRoutes(admin: AdminRoutes): void;
  /** Resolves when no stack operation is running (tests, shutdown). */
  idle(): Promise<void>;
}

/** The operations that resume after a restart. */
const RESUMABLE = new Set(["CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "DELETE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"]);

function resume(engine: StackEngine, stack: StackRec): void {
  if (stack.status === "DELETE_IN_PROGRESS") engine.delete(stack, true);
  else if (stack.status === "CREATE_IN_PROGRESS") engine.create(stack, true);
  else if (stack.status === "ROLLBACK_IN_PROGRESS") engine.resumeCreateRollback(stack);
  else engine.resumeUpdate(stack);
}

export function createCloudFormationService(deps: ServiceDeps, opts: CloudFormationOptions): CloudFormationModule {
  const state = (account: string, region: string): CfnState => deps.store.state<CfnState>("cloudformation", account, region, initialCfnState);
  const planEnv: PlanEnv = {
    azs: opts.azs,
    importValue: (account, region, name) => own(state(account, region).exports, name)?.value,
  };
  const customResponses = new CustomResponses(opts.serverUrl);
  const engine = new StackEngine({ customResponses, clock: deps.clock, logger: deps.logger, targets: opts.targets, planEnv, markDirty: () => deps.store.markDirty(), hold: () => deps.store.hold(), state });
  const env: CfnEnv = { state, engine, targets: opts.targets, planEnv, exists: opts.exists, markDirty: () => deps.store.markDirty() };

  // Operations that were running when the server stopped go on where they were: their progress is
  // in the stored stack records (a resource's physical id is saved with its create call, so it is
  // waited for again or taken as made, never made twice; an update's journal is saved with each
  // step). REVIEW_IN_PROGRESS is not an operation; anything else running ends failed.
  const resuming: StackRec[] = [];
  for (const { state: s } of deps.store.all<CfnState>("cloudformation")) {
    for (const stack of Object.values(s.stacks)) {
      if (RESUMABLE.has(stack.status)) resuming.push(stack);
      else if (inProgress(stack.status) && stack.status !== "REVIEW_IN_PROGRESS") {
        stack.status = stack.status.replace(/_IN_PROGRESS$/, "_FAILED").replace("_CLEANUP_FAILED", "");
        stack.statusReason = "The operation was interrupted by a restart of hyperlocal"; // unverified wording
      }
    }
  }
  // Once every service is up (the engine calls them).
  if (resuming.length > 0) setImmediate(() => resuming.forEach((stack) => resume(engine, stack)));

  const table: Record<string, CfnOperation> = { ...stackOperations, ...resourceOperations, ...templateOperations, ...changeSetOperations, ...exportOperations };
  const operations: Record<string, Operation> = {};
  for (const [name, op] of Object.entries(table)) operations[name] = (p, ctx) => op(p, ctx, env);

  return {
    model: {
      signingName: "cloudformation",
      protocol: "query",
      version: "2010-05-15",
      xmlns: CFN_XMLNS,
      maxBodyBytes: 1024 * 1024,
      operations,
      accessDenied: (p, a, r, d) => new AwsError("AccessDenied", 403, denialMessage(p, a, r, d)),
      onReset: () => {
        engine.stopAll();
        customResponses.clear();
      },
      onShutdown: () => engine.stopAll(),
    },
    registerAdminRoutes: (admin) => customResponses.registerAdminRoutes(admin),
    idle: () => engine.idle(),
  };
}
