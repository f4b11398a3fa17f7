// The stack engine: creates, updates and deletes a stack's resources in dependency order on the
// simulated clock, with AWS's events, rollback and cleanup. Each operation runs in the background
// (promises and clock timers); the API call that started it has already answered.
import { isAwsError } from "../../../core/aws-error.ts";
import type { Clock } from "../../../core/clock.ts";
import { uuid } from "../../../core/ids.ts";
import type { Logger } from "../../../core/logger.ts";
import { createCaller, handlerMessage, type CfnTargets } from "../caller.ts";
import type { CustomResponses } from "../custom-responses.ts";
import { isNotFound } from "../providers/common.ts";
import { providerFor } from "../providers/registry.ts";
import type { ProviderContext, ResourceProvider } from "../providers/types.ts";
import type { ResourceDecl } from "../template/analyze.ts";
import { literalImports } from "../template/imports.ts";
import { resolve } from "../template/intrinsics.ts";
import type { Json, JsonObject } from "../template/parse.ts";
import type { CfnState, JournalEntry, StackDefinition, StackRec, StackResourceRec, UpdateProgress } from "../state.ts";
import { cloneDocument } from "../../../store/documents.ts";
import { resourceEvent, stackEvent } from "./events.ts";
import { reverse, runGraph } from "./graph.ts";
import { needsReplacement, sorted } from "./diff.ts";
import { physicalName } from "./names.ts";
import { orderingHint, withOrderingTrap } from "./ordering-trap.ts";
import { buildPlan, makeScope, own, type Plan, type PlanEnv } from "./plan.ts";
import { addStackTags } from "./stack-tags.ts";
import { validateProperties } from "./validate-properties.ts";

export interface EngineDeps {
  clock: Clock;
  customResponses: CustomResponses;
  logger: Logger;
  targets: CfnTargets;
  planEnv: PlanEnv;
  markDirty(): void;
  /**
   * Keep the changes made from now on in one durable commit until the returned release is
   * called (store.hold): a resource's create call and the stack's record of its physical id.
   */
  hold(): () => void;
  /** The state of the stack's account and region (exports live there). */
  state(account: string, region: string): CfnState;
}

/** Thrown into running operations when the state was reset. */
class Stopped extends Error {}

/** Names that, when set, make a replacement impossible (AWS refuses to replace a custom-named resource). */
const NAME_PROPERTIES = ["RoleName", "FunctionName", "GroupName", "UserName", "ManagedPolicyName"];

const RETRY_LIMIT_MS = 60 * 60_000;

export class StackEngine {
  private generation = 0;
  private running = new Set<Promise<void>>();

  constructor(private readonly deps: EngineDeps) {}

  /** Forget running operations (reset): their next step stops. */
  stopAll(): void {
    this.generation++;
  }

  /** For tests and shutdown: wait for running operations. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  /**
   * The stack as the store hands it out now. With --state-dir that is a write-tracking view, and
   * only writes through it are saved: a record the caller has just created and stored is not it.
   */
  private stored(stack: StackRec): StackRec {
    return own(this.deps.state(stack.account, stack.region).stacks, stack.stackId) ?? stack;
  }

  private start(stack: StackRec, what: string, op: (alive: () => void) => Promise<void>): void {
    const gen = this.generation;
    const alive = () => {
      if (gen !== this.generation) throw new Stopped();
    };
    const p = op(alive)
      .catch((e) => {
        if (e instanceof Stopped) return;
        this.deps.logger.error(`cloudformation ${what} ${stack.stackName}: ${(e as Error)?.stack ?? e}`);
        stackEvent(this.deps.clock, stack, stack.status.replace(/_IN_PROGRESS$/, "_FAILED"), `Internal failure: ${(e as Error).message}`); // unverified wording
      })
      .finally(() => {
        this.running.delete(p);
        this.deps.markDirty();
      });
    this.running.add(p);
  }

  private sleep(ms: number, alive: () => void): Promise<void> {
    return new Promise<void>((res) => this.deps.clock.schedule(ms, res)).then(alive);
  }

  private context(stack: StackRec, logicalId: string, alive: () => void): ProviderContext {
    const principal = stack.def.roleArn ? this.deps.targets.roleSession(stack.account, stack.def.roleArn) : stack.principal;
    return {
      call: createCaller(this.deps.targets, this.deps.clock, principal, stack.region, stack.sourceIp),
      account: stack.account,
      region: stack.region,
      stackName: stack.stackName,
      stackId: stack.stackId,
      logicalId,
      stackTags: stack.def.tags,
      physicalName: (max) => physicalName(stack.stackName, logicalId, max),
      sleep: (ms) => this.sleep(ms, alive),
      created: () => {},
      customResponse: () => this.deps.customResponses.open(),
      progress: (reason) => {
        const r = own(stack.resources, logicalId);
        if (r) resourceEvent(this.deps.clock, stack, r, r.status, reason);
      },
    };
  }

  /** Resolution for this stack: every Fn::ImportValue it resolves is remembered (ListImports, delete protection). */
  private envFor(stack: StackRec): PlanEnv {
    return {
      azs: this.deps.planEnv.azs,
      importValue: (account, region, name) => {
        if (!stack.imports.includes(name)) stack.imports.push(name);
        return this.deps.planEnv.importValue(account, region, name);
      },
    };
  }

  private plan(stack: StackRec, def: StackDefinition): Plan {
    return buildPlan(stack, def, this.envFor(stack));
  }

  // ---------------------------------------------------------------- create

  /**
   * `resumed`: after a restart, a create that was running goes on: resources complete stay, one
   * with a recorded physical id goes back to waiting for stability, the others are created.
   */
  create(given: StackRec, resumed = false): void {
    const stack = this.stored(given);
    this.start(stack, "create", async (alive) => {
      const plan = this.plan(stack, stack.def);
      const missing = literalImports(stack.def.processed).find((n) => this.deps.planEnv.importValue(stack.account, stack.region, n) === undefined);
      if (missing !== undefined) {
        stackEvent(this.deps.clock, stack, "ROLLBACK_IN_PROGRESS", `No export named ${missing} found. Rollback requested by user.`);
        stackEvent(this.deps.clock, stack, "ROLLBACK_COMPLETE");
        return;
      }
      const ids = [...plan.resources.keys()];
      const needs = withOrderingTrap(plan);
      const failures: string[] = [];
      const r = await runGraph(ids, needs, async (id) => {
        alive();
        const ok = resumed ? await this.resumeResource(stack, plan, id, alive, failures) : await this.createResource(stack, plan, id, alive, failures);
        if (!ok) failures.push(id);
        this.deps.markDirty();
        return ok;
      });
      alive();
      let outputError: string | undefined;
      if (r.failed.length === 0) {
        outputError = this.finishOutputs(stack, plan);
        if (!outputError) {
          stackEvent(this.deps.clock, stack, "CREATE_COMPLETE");
          return;
        }
      }
      const reason = r.failed.length ? `The following resource(s) failed to create: [${r.failed.join(", ")}]. ` : `${outputError} `;
      if (stack.disableRollback) {
        stackEvent(this.deps.clock, stack, "CREATE_FAILED", reason.trimEnd());
        return;
      }
      stackEvent(this.deps.clock, stack, "ROLLBACK_IN_PROGRESS", `${reason}Rollback requested by user.`);
      await this.rollbackCreate(stack, plan, alive, false);
    });
  }

  /** After a restart: the rollback of a failed create goes on where it was (ROLLBACK_IN_PROGRESS). */
  resumeCreateRollback(given: StackRec): void {
    const stack = this.stored(given);
    this.start(stack, "rollback", (alive) => this.rollbackCreate(stack, this.planOrNone(stack), alive, true));
  }

  private async rollbackCreate(stack: StackRec, plan: Plan | undefined, alive: () => void, resumed: boolean): Promise<void> {
    const ok = await this.deleteAll(stack, plan, "rollback", alive, resumed);
    stackEvent(this.deps.clock, stack, ok ? "ROLLBACK_COMPLETE" : "ROLLBACK_FAILED", ok ? undefined : "The following resource(s) failed to delete: [" + failedDeletes(stack).join(", ") + "]. ");
    if (ok && stack.onFailure === "DELETE") {
      stackEvent(this.deps.clock, stack, "DELETE_IN_PROGRESS");
      this.finishDelete(stack);
    }
  }

  private planOrNone(stack: StackRec): Plan | undefined {
    try {
      return this.plan(stack, stack.def);
    } catch {
      return undefined;
    }
  }

  /** After a restart: a resource of a create that was running, as its stored record left it. */
  private async resumeResource(stack: StackRec, plan: Plan, id: string, alive: () => void, failures: string[]): Promise<boolean> {
    const rec = own(stack.resources, id);
    if (rec?.status === "CREATE_COMPLETE") return true;
    if (rec?.status === "CREATE_FAILED") return false;
    if (!rec?.physicalId) return this.createResource(stack, plan, id, alive, failures);
    if (!(await this.adopt(stack, rec, alive, "CREATE_FAILED"))) return false;
    return this.completeCreate(stack, rec, failures);
  }

  /**
   * After a restart: a resource whose create call had returned (its physical id is recorded with
   * it) is taken as made; a provider that waits for stability waits again. Never made twice.
   */
  /**
   * After a restart: take over a resource whose create call had returned (the provider waits again
   * where it waits; the stack's tags are put on again). False when that fails: the resource is then
   * `failed`, with the handler's message and its event.
   */
  private async adopt(stack: StackRec, rec: StackResourceRec, alive: () => void, failed: "CREATE_FAILED" | "UPDATE_FAILED"): Promise<boolean> {
    const provider = providerFor(rec.type)!;
    try {
      if (provider.resume) {
        const out = await provider.resume(this.context(stack, rec.logicalId, alive), rec.physicalId!, rec.properties, rec.attributes);
        alive();
        rec.attributes = out.attributes;
      }
      addStackTags(this.deps.targets, provider, stack, rec.logicalId, rec.physicalId!, rec.attributes);
      return true;
    } catch (e) {
      if (e instanceof Stopped) throw e;
      rec.status = failed;
      rec.statusReason = handlerMessage(e, uuid());
      resourceEvent(this.deps.clock, stack, rec, failed, rec.statusReason);
      return false;
    }
  }

  /** `failures`: resources of this operation that failed so far (a success after one is cancelled). */
  private async createResource(stack: StackRec, plan: Plan, id: string, alive: () => void, failures: string[]): Promise<boolean> {
    const decl = plan.resources.get(id)!;
    const provider = providerFor(decl.type)!;
    const draft: StackResourceRec = {
      logicalId: id,
      type: decl.type,
      status: "CREATE_IN_PROGRESS",
      properties: Object.create(null),
      attributes: Object.create(null),
      lastUpdated: this.deps.clock.now(),
      deletionPolicy: decl.deletionPolicy,
      updateReplacePolicy: decl.updateReplacePolicy,
      ...(decl.metadata !== undefined ? { metadata: decl.metadata } : {}),
    };
    stack.resources[id] = draft;
    // Changed below across awaits: through the stored record (a tracked view with --state-dir).
    const rec = stack.resources[id];
    const out = await this.createPhysical(stack, plan, decl, provider, rec, alive);
    if (!out) return false;
    return this.completeCreate(stack, rec, failures);
  }

  private completeCreate(stack: StackRec, rec: StackResourceRec, failures: string[]): boolean {
    if (failures.length) {
      // Another resource failed meanwhile: AWS cancels what is still in progress (the rollback deletes it).
      rec.status = "CREATE_FAILED";
      rec.statusReason = "Resource creation cancelled";
      resourceEvent(this.deps.clock, stack, rec, "CREATE_FAILED", rec.statusReason);
      return false;
    }
    rec.status = "CREATE_COMPLETE";
    rec.lastUpdated = this.deps.clock.now();
    resourceEvent(this.deps.clock, stack, rec, "CREATE_COMPLETE");
    return true;
  }

  /** Resolve, validate and create one physical resource; on failure the record is CREATE_FAILED. */
  private async createPhysical(stack: StackRec, plan: Plan, decl: ResourceDecl, provider: ResourceProvider, rec: StackResourceRec, alive: () => void, replacing = false): Promise<boolean> {
    const clock = this.deps.clock;
    const props = this.resolveFor(stack, plan, decl);
    if (!replacing) resourceEvent(clock, stack, rec, "CREATE_IN_PROGRESS", undefined, typeof props === "string" ? undefined : props);
    const fail = (reason: string) => {
      rec.status = replacing ? "UPDATE_FAILED" : "CREATE_FAILED";
      rec.statusReason = reason;
      resourceEvent(clock, stack, rec, rec.status, reason);
      return false;
    };
    if (typeof props === "string") return fail(props);
    const invalid = validateProperties(decl.logicalId, provider, props);
    if (invalid) return fail(invalid);
    if (!replacing) resourceEvent(clock, stack, rec, "CREATE_IN_PROGRESS", "Resource creation Initiated");
    const token = uuid();
    // Every provider: the create call(s) and the record of the physical id are saved together, so
    // a crash never leaves a resource the stack does not know (a restart would make it twice). A
    // provider that waits records it first (ctx.created); no wait on the clock is ever held.
    const release = this.deps.hold();
    const record = (physicalId: string, attributes: Record<string, Json>) => {
      rec.physicalId = physicalId;
      rec.attributes = attributes;
      rec.properties = props;
    };
    try {
      const ctx = this.context(stack, decl.logicalId, alive);
      const sleep = ctx.sleep;
      ctx.sleep = (ms) => {
        release();
        return sleep(ms);
      };
      ctx.created = (physicalId, attributes) => {
        record(physicalId, attributes);
        release();
        alive();
        this.deps.markDirty();
      };
      const out = await provider.create(ctx, props);
      record(out.physicalId, out.attributes);
      addStackTags(this.deps.targets, provider, stack, decl.logicalId, out.physicalId, out.attributes);
      release();
      alive();
      delete rec.statusReason;
      return true;
    } catch (e) {
      release();
      if (e instanceof Stopped) throw e;
      if (!isAwsError(e)) this.deps.logger.debug(`cloudformation: ${decl.type} ${decl.logicalId}: ${(e as Error)?.stack ?? e}`);
      return fail(handlerMessage(e, token) + orderingHint(plan, decl, e));
    }
  }

  /** Properties resolved against the resources so far, or the error text. */
  private resolveFor(stack: StackRec, plan: Plan, decl: ResourceDecl): JsonObject | string {
    try {
      const scope = makeScope({ refs: plan.refs, conditions: plan.conditions, mappings: plan.template.mappings, region: stack.region, account: stack.account, env: this.envFor(stack), resources: stack.resources });
      return (resolve(decl.properties, scope) ?? Object.create(null)) as JsonObject;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** Outputs and exports, once every resource exists; an error text when they cannot be. */
  private finishOutputs(stack: StackRec, plan: Plan): string | undefined {
    const scope = makeScope({ refs: plan.refs, conditions: plan.conditions, mappings: plan.template.mappings, region: stack.region, account: stack.account, env: this.envFor(stack), resources: stack.resources });
    const outputs: StackRec["outputs"] = [];
    try {
      for (const o of plan.template.outputs) {
        if (o.condition !== undefined && !plan.conditions[o.condition]) continue;
        const v = resolve(o.value, scope);
        const exportName = o.exportName !== undefined ? String(resolve(o.exportName, scope)) : undefined;
        outputs.push({ key: o.name, value: Array.isArray(v) ? v.join(",") : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v), ...(o.description ? { description: o.description } : {}), ...(exportName ? { exportName } : {}) });
      }
    } catch (e) {
      return (e as Error).message;
    }
    for (const o of outputs) {
      // Export names are keys of the export table: AWS's character set keeps them plain.
      if (o.exportName !== undefined && !/^[A-Za-z0-9:-]{1,255}$/.test(o.exportName)) return `Template format error: Export name ${o.exportName} is invalid: it may contain only alphanumeric characters, colons and hyphens`; // unverified wording
    }
    const state = this.deps.state(stack.account, stack.region);
    const mine = new Set(outputs.flatMap((o) => (o.exportName ? [o.exportName] : [])));
    for (const o of outputs) {
      const ex = o.exportName ? own(state.exports, o.exportName) : undefined;
      if (ex && ex.stackId !== stack.stackId) return `Export with name ${o.exportName} is already exported by stack ${state.stacks[ex.stackId]?.stackName ?? ex.stackId}`;
    }
    for (const [name, ex] of Object.entries(state.exports)) {
      if (ex.stackId !== stack.stackId) continue;
      const now = outputs.find((o) => o.exportName === name);
      const users = importersOf(state, name, stack.stackId);
      if (users.length && (!now || now.value !== ex.value)) return `Cannot update export ${name} as it is in use by ${users.join(", ")}`;
      if (!mine.has(name)) delete state.exports[name];
    }
    for (const o of outputs) if (o.exportName) state.exports[o.exportName] = { name: o.exportName, value: o.value, stackId: stack.stackId };
    stack.outputs = outputs;
    return undefined;
  }

  // ---------------------------------------------------------------- delete

  /**
   * `resumed`: after a restart, a delete that was running goes on where it was (its progress is in
   * the stored stack record): resources deleted stay deleted, the others are deleted again, and one
   * found gone already (deleted just before the restart) counts as deleted.
   */
  delete(given: StackRec, resumed = false): void {
    const stack = this.stored(given);
    this.start(stack, "delete", async (alive) => {
      const state = this.deps.state(stack.account, stack.region);
      for (const o of stack.outputs) {
        const users = o.exportName ? importersOf(state, o.exportName, stack.stackId) : [];
        if (users.length) {
          stackEvent(this.deps.clock, stack, "DELETE_FAILED", `Export ${o.exportName} cannot be deleted as it is in use by ${users.join(", ")}`);
          return;
        }
      }
      const ok = await this.deleteAll(stack, this.planOrNone(stack), "delete", alive, resumed);
      if (!ok) {
        stackEvent(this.deps.clock, stack, "DELETE_FAILED", `The following resource(s) failed to delete: [${failedDeletes(stack).join(", ")}]. `);
        return;
      }
      for (const o of stack.outputs) if (o.exportName && own(state.exports, o.exportName)?.stackId === stack.stackId) delete state.exports[o.exportName];
      this.finishDelete(stack);
    });
  }

  /** DELETE_COMPLETE: the name is free again; the stack stays visible by its id. */
  finishDelete(stack: StackRec): void {
    const state = this.deps.state(stack.account, stack.region);
    stack.deletionTime = this.deps.clock.now();
    stackEvent(this.deps.clock, stack, "DELETE_COMPLETE");
    if (own(state.names, stack.stackName) === stack.stackId) delete state.names[stack.stackName];
    for (const [id, cs] of Object.entries(state.changeSets)) if (cs.stackId === stack.stackId) delete state.changeSets[id];
  }

  /** Every resource of the stack, users before what they use; true when nothing failed. */
  private async deleteAll(stack: StackRec, plan: Plan | undefined, mode: "delete" | "rollback", alive: () => void, resumed = false): Promise<boolean> {
    const ids = Object.keys(stack.resources).filter((id) => !deleted(stack.resources[id], resumed));
    const needs = (id: string) => plan?.resources.get(id)?.needs ?? plan?.template.resources.get(id)?.needs ?? [];
    const users = reverse(ids, needs);
    const r = await runGraph(ids, users, (id) => this.deleteResource(stack, stack.resources[id], mode, alive, resumed), true);
    return r.failed.length === 0 && r.notStarted.length === 0;
  }

  private async deleteResource(stack: StackRec, rec: StackResourceRec, mode: "delete" | "rollback" | "cleanup", alive: () => void, resumed = false): Promise<boolean> {
    const clock = this.deps.clock;
    alive();
    const policy = mode === "cleanup" ? rec.updateReplacePolicy : rec.deletionPolicy;
    if (policy === "Retain" || (policy === "RetainExceptOnCreate" && mode !== "rollback") || policy === "Snapshot") {
      if (rec.physicalId) {
        rec.status = "DELETE_SKIPPED";
        resourceEvent(clock, stack, rec, "DELETE_SKIPPED");
        return true;
      }
    }
    // After a restart, a delete that was under way goes on; its events are written already.
    const again = resumed && rec.status === "DELETE_IN_PROGRESS";
    if (!again) {
      rec.status = "DELETE_IN_PROGRESS";
      resourceEvent(clock, stack, rec, "DELETE_IN_PROGRESS");
    }
    if (rec.physicalId) {
      const provider = providerFor(rec.type)!;
      const ctx = this.context(stack, rec.logicalId, alive);
      let waited = 0;
      let delay = 10_000;
      for (;;) {
        const token = uuid();
        try {
          await provider.delete(ctx, rec.physicalId, rec.properties, rec.attributes);
          break;
        } catch (e) {
          if (e instanceof Stopped) throw e;
          // Deleted before the restart, its record not updated yet.
          if (again && isNotFound(e)) break;
          const code = (e as { code?: string }).code;
          if (code === "DependencyViolation" && waited < RETRY_LIMIT_MS) {
            // AWS keeps retrying while Lambda releases its Hyperplane ENIs (20 to 45 minutes).
            resourceEvent(
              clock,
              stack,
              rec,
              "DELETE_IN_PROGRESS",
              `${handlerMessage(e, token)}. Retrying in ${delay / 1000} seconds: network interfaces that Lambda created for VPC functions are released some time after the functions are deleted or detached`, // unverified wording
            );
            this.deps.markDirty();
            await this.sleep(delay, alive);
            waited += delay;
            delay = Math.min(delay * 2, 120_000);
            continue;
          }
          rec.status = "DELETE_FAILED";
          rec.statusReason = handlerMessage(e, token);
          resourceEvent(clock, stack, rec, "DELETE_FAILED", rec.statusReason);
          return false;
        }
      }
    }
    rec.status = "DELETE_COMPLETE";
    rec.lastUpdated = clock.now();
    resourceEvent(clock, stack, rec, "DELETE_COMPLETE");
    this.deps.markDirty();
    return true;
  }

  // ---------------------------------------------------------------- update
  //
  // An update keeps its progress in the stack record (stack.updating, then stack.pendingRollback),
  // written with each step, so that after a restart each phase goes on where it was: the forward
  // pass (UPDATE_IN_PROGRESS), its cleanup, the rollback and the rollback's cleanup.

  /** stack.previous is the definition before the update, stack.def the new one. `resumed`: after a restart. */
  update(given: StackRec, resumed = false): void {
    const stack = this.stored(given);
    this.start(stack, "update", async (alive) => {
      const clock = this.deps.clock;
      if (!resumed || !stack.updating) {
        // Every resource is resolved again below, so the imports are those of the new definition.
        stack.updating = { journal: [], failed: [], oldImports: stack.imports };
        stack.imports = [];
      }
      const progress = stack.updating!;
      const oldPlan = this.plan(stack, stack.previous!);
      const plan = this.plan(stack, stack.def);
      const ids = [...plan.resources.keys()];
      const r = await runGraph(ids, withOrderingTrap(plan), async (id) => {
        alive();
        const ok = await this.updateOrCreate(stack, plan, id, progress, alive, resumed);
        if (!ok && !progress.failed.includes(id)) progress.failed.push(id);
        this.deps.markDirty();
        return ok;
      });
      alive();
      let failure = r.failed.length ? undefined : this.finishOutputs(stack, plan);
      if (!r.failed.length && !failure && stack.cancelRequested) failure = "Stack update cancelled";
      if (!r.failed.length && !failure) {
        stackEvent(clock, stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS");
        delete stack.updating;
        await this.cleanup(stack, plan, oldPlan, alive, false);
        return;
      }
      // Roll back: undo the journal, newest first, then delete what the update created.
      const journal = progress.journal;
      const failedCreate = r.failed.filter((id) => journal.some((j) => j.id === id && j.kind === "created") || stack.resources[id]?.status === "CREATE_FAILED");
      const reason = stack.cancelRequested
        ? "Stack update cancelled"
        : r.failed.length
          ? `The following resource(s) failed to ${failedCreate.length === r.failed.length ? "create" : "update"}: [${r.failed.join(", ")}]. `
          : (failure ?? "");
      stackEvent(clock, stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason);
      stack.def = stack.previous!;
      stack.imports = [...new Set([...progress.oldImports, ...stack.imports])];
      stack.pendingRollback = { steps: cloneDocument([...journal].reverse()), toDelete: [], failed: [...r.failed] };
      delete stack.updating;
      await this.undo(stack, oldPlan, alive, false);
    });
  }

  /**
   * After a restart: an update, its cleanup or its rollback that was running goes on where it
   * was, from the progress stored with the stack.
   */
  resumeUpdate(given: StackRec): void {
    const stack = this.stored(given);
    switch (stack.status) {
      case "UPDATE_IN_PROGRESS":
        this.update(stack, true);
        return;
      case "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":
        this.start(stack, "update-cleanup", (alive) => this.cleanup(stack, this.plan(stack, stack.def), this.plan(stack, stack.previous ?? stack.def), alive, true));
        return;
      case "UPDATE_ROLLBACK_IN_PROGRESS":
      case "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS":
        if (!stack.pendingRollback) stack.pendingRollback = { steps: [], toDelete: [], failed: [] };
        this.start(stack, "update-rollback", (alive) => this.undo(stack, this.plan(stack, stack.def), alive, true));
    }
  }

  /** UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: what the new template dropped, then the old resources replaced, are deleted. */
  private async cleanup(stack: StackRec, plan: Plan, oldPlan: Plan, alive: () => void, resumed: boolean): Promise<void> {
    const clock = this.deps.clock;
    const removed = Object.values(stack.resources).filter((x) => !plan.resources.has(x.logicalId) && !deleted(x, resumed));
    const oldNeeds = (id: string) => oldPlan.resources.get(id)?.needs ?? [];
    const users = reverse(removed.map((x) => x.logicalId), oldNeeds);
    await runGraph(removed.map((x) => x.logicalId), users, (id) => this.deleteResource(stack, stack.resources[id], "delete", alive, resumed), true);
    for (const x of removed) if (stack.resources[x.logicalId]?.status === "DELETE_COMPLETE") delete stack.resources[x.logicalId];
    for (const old of [...stack.replaced].reverse()) if (!deleted(old, resumed)) await this.deleteResource(stack, old, "cleanup", alive, resumed);
    stack.replaced = [];
    delete stack.previous;
    delete stack.cancelRequested;
    stack.lastUpdatedTime = clock.now();
    stackEvent(clock, stack, "UPDATE_COMPLETE");
  }

  /**
   * ContinueUpdateRollback: retry the undo that failed; resources named in `skip` are left as they
   * are and taken as rolled back (UPDATE_COMPLETE, "Resource skipped during UPDATE_ROLLBACK").
   */
  continueRollback(given: StackRec, skip: string[]): void {
    const stack = this.stored(given);
    if (!stack.pendingRollback) stack.pendingRollback = { steps: [], toDelete: [], failed: [] };
    stack.pendingRollback.skip = skip;
    this.start(stack, "continue-update-rollback", (alive) => this.undo(stack, this.plan(stack, stack.def), alive, false));
  }

  /**
   * Undo an update's changes (stack.pendingRollback), then delete what it created; on a failure
   * keep the rest for ContinueUpdateRollback. `resumed`: after a restart, where it stopped.
   */
  private async undo(stack: StackRec, oldPlan: Plan, alive: () => void, resumed: boolean): Promise<void> {
    const clock = this.deps.clock;
    const work = stack.pendingRollback!;
    const skip = new Set(work.skip ?? []);
    while (work.steps.length) {
      alive();
      const j = work.steps[0];
      const cur = own(stack.resources, j.id);
      if (skip.has(j.id)) {
        // The physical resource stays as it is; the stack records it with its old properties.
        if (cur) {
          stack.resources[j.id] = { ...cur, properties: j.before.properties, status: "UPDATE_COMPLETE", lastUpdated: clock.now() };
          resourceEvent(clock, stack, stack.resources[j.id], "UPDATE_COMPLETE", "Resource skipped during UPDATE_ROLLBACK");
        }
      } else if (j.kind === "created") {
        if (cur) work.toDelete.push(cur);
        delete stack.resources[j.id];
      } else if (j.kind === "replaced") {
        if (cur && cur.physicalId && cur.physicalId !== j.before.physicalId) work.toDelete.push({ ...cur, deletionPolicy: "Delete" });
        // A replacement still being made when the update stopped: what it made goes too.
        else if (j.fresh?.physicalId) work.toDelete.push({ ...j.fresh, deletionPolicy: "Delete" });
        stack.resources[j.id] = { ...j.before, status: "UPDATE_COMPLETE", lastUpdated: clock.now() };
        stack.replaced = stack.replaced.filter((x) => x.physicalId !== j.before.physicalId);
        resourceEvent(clock, stack, stack.resources[j.id], "UPDATE_COMPLETE");
      } else if (cur) {
        // After a restart, the update back that was under way is made again; its event is written already.
        if (!(resumed && cur.status === "UPDATE_IN_PROGRESS")) {
          cur.status = "UPDATE_IN_PROGRESS";
          resourceEvent(clock, stack, cur, "UPDATE_IN_PROGRESS");
        }
        const token = uuid();
        try {
          const out = await providerFor(cur.type)!.update!(this.context(stack, j.id, alive), cur.physicalId!, j.before.properties, cur.properties, cur.attributes);
          stack.resources[j.id] = { ...j.before, attributes: out.attributes, status: "UPDATE_COMPLETE", lastUpdated: clock.now() };
          resourceEvent(clock, stack, stack.resources[j.id], "UPDATE_COMPLETE");
        } catch (e) {
          if (e instanceof Stopped) throw e;
          cur.status = "UPDATE_FAILED";
          resourceEvent(clock, stack, cur, "UPDATE_FAILED", handlerMessage(e, token));
          // stack.pendingRollback keeps what is left, for ContinueUpdateRollback.
          stackEvent(clock, stack, "UPDATE_ROLLBACK_FAILED", `The following resource(s) failed to update: [${j.id}]. `);
          return;
        }
      }
      work.steps.shift();
      this.deps.markDirty();
    }
    // Resources whose update failed before changing anything go back to their old status.
    for (const id of work.failed) {
      const cur = own(stack.resources, id);
      if (cur && cur.status === "UPDATE_FAILED") {
        cur.status = "UPDATE_COMPLETE";
        resourceEvent(clock, stack, cur, "UPDATE_COMPLETE", skip.has(id) ? "Resource skipped during UPDATE_ROLLBACK" : undefined);
      }
    }
    if (!(resumed && stack.status === "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")) stackEvent(clock, stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS");
    for (const x of work.toDelete) if (!deleted(x, resumed)) await this.deleteResource(stack, x, "rollback", alive, resumed);
    this.finishOutputs(stack, oldPlan);
    delete stack.pendingRollback;
    delete stack.previous;
    delete stack.cancelRequested;
    stack.lastUpdatedTime = clock.now();
    stackEvent(clock, stack, "UPDATE_ROLLBACK_COMPLETE");
  }

  /**
   * One resource of the new template: unchanged, updated in place, replaced or created. Each change
   * is in the journal before it is made. `resumed`: after a restart, the journal says where it was.
   */
  private async updateOrCreate(stack: StackRec, plan: Plan, id: string, progress: UpdateProgress, alive: () => void, resumed: boolean): Promise<boolean> {
    const clock = this.deps.clock;
    const decl = plan.resources.get(id)!;
    const entry = progress.journal.find((j) => j.id === id);
    if (resumed) {
      if (progress.failed.includes(id)) return false;
      if (entry?.kind === "created") return this.resumeResource(stack, plan, id, alive, []);
      if (entry?.kind === "replaced" && entry.pending) return this.resumeReplacement(stack, plan, entry, progress, alive);
      if (entry && !entry.pending) return true;
      // After a failure nothing new starts: this one had not started before the restart.
      if (!entry && progress.failed.length) return true;
    }
    const cur = own(stack.resources, id);
    if (stack.cancelRequested) return false;
    if (!cur || cur.status === "DELETE_COMPLETE" || !cur.physicalId) {
      progress.journal.push({ id, kind: "created", before: cur as StackResourceRec });
      return this.createResource(stack, plan, id, alive, []);
    }
    const provider = providerFor(decl.type)!;
    const props = this.resolveFor(stack, plan, decl);
    const before: StackResourceRec = cloneDocument(entry ? entry.before : cur);
    if (typeof props === "string") {
      cur.status = "UPDATE_FAILED";
      resourceEvent(clock, stack, cur, "UPDATE_FAILED", props);
      return false;
    }
    cur.deletionPolicy = decl.deletionPolicy;
    cur.updateReplacePolicy = decl.updateReplacePolicy;
    if (cur.type === decl.type && JSON.stringify(sorted(props)) === JSON.stringify(sorted(cur.properties))) return true;
    const invalid = validateProperties(id, provider, props);
    if (invalid) {
      cur.status = "UPDATE_FAILED";
      resourceEvent(clock, stack, cur, "UPDATE_FAILED", invalid);
      return false;
    }
    const replace = cur.type !== decl.type || needsReplacement(provider, cur.properties, props);
    // An in-place update under way when the server stopped is made again; its event is written already.
    if (!entry) {
      cur.status = "UPDATE_IN_PROGRESS";
      resourceEvent(clock, stack, cur, "UPDATE_IN_PROGRESS", undefined, props);
    }
    if (replace) {
      const named = NAME_PROPERTIES.find((n) => props[n] !== undefined && cur.properties[n] !== undefined && String(props[n]) === String(cur.properties[n]));
      if (named) {
        cur.status = "UPDATE_FAILED";
        resourceEvent(clock, stack, cur, "UPDATE_FAILED", `CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename ${props[named]} and update the stack again.`);
        return false;
      }
      resourceEvent(clock, stack, cur, "UPDATE_IN_PROGRESS", "Requested update requires the creation of a new physical resource; hence creating one.");
      const fresh: StackResourceRec = { ...cloneDocument(cur), attributes: Object.create(null), properties: Object.create(null) };
      delete fresh.physicalId;
      progress.journal.push({ id, kind: "replaced", before, pending: true, fresh });
      return this.replaceResource(stack, plan, progress.journal[progress.journal.length - 1], progress, alive);
    }
    if (!entry) progress.journal.push({ id, kind: "updated", before, pending: true });
    const step = progress.journal.find((j) => j.id === id)!;
    const token = uuid();
    try {
      const out = await provider.update!(this.context(stack, id, alive), cur.physicalId, props, cur.properties, cur.attributes);
      alive();
      delete step.pending;
      cur.properties = props;
      cur.attributes = out.attributes;
      if (out.physicalId !== cur.physicalId) {
        // A custom resource answered with a new physical id: the old one goes in the cleanup, as on AWS.
        stack.replaced.push({ ...before });
        cur.physicalId = out.physicalId;
      }
      cur.status = "UPDATE_COMPLETE";
      cur.lastUpdated = clock.now();
      resourceEvent(clock, stack, cur, "UPDATE_COMPLETE");
      return true;
    } catch (e) {
      if (e instanceof Stopped) throw e;
      // A partial in-place change is undone by the rollback's update back to the old properties.
      delete step.pending;
      cur.status = "UPDATE_FAILED";
      resourceEvent(clock, stack, cur, "UPDATE_FAILED", handlerMessage(e, token));
      return false;
    }
  }

  /** Make the new physical resource of a replacement (step.fresh); once made, it takes the old one's place. */
  private async replaceResource(stack: StackRec, plan: Plan, step: JournalEntry, progress: UpdateProgress, alive: () => void): Promise<boolean> {
    const decl = plan.resources.get(step.id)!;
    const ok = await this.createPhysical(stack, plan, decl, providerFor(decl.type)!, step.fresh!, alive, true);
    if (!ok) {
      const cur = own(stack.resources, step.id);
      if (cur) cur.status = "UPDATE_FAILED";
      // Nothing made, nothing to undo; something made (then failed) is deleted by the rollback.
      if (!step.fresh!.physicalId) progress.journal.splice(progress.journal.findIndex((j) => j.id === step.id), 1);
      return false;
    }
    return this.installReplacement(stack, decl, step);
  }

  /** After a restart: a replacement being made goes on; one whose create call had returned is adopted. */
  private async resumeReplacement(stack: StackRec, plan: Plan, step: JournalEntry, progress: UpdateProgress, alive: () => void): Promise<boolean> {
    const fresh = step.fresh!;
    if (!fresh.physicalId) return this.replaceResource(stack, plan, step, progress, alive);
    if (!(await this.adopt(stack, fresh, alive, "UPDATE_FAILED"))) {
      const cur = own(stack.resources, step.id);
      if (cur) cur.status = "UPDATE_FAILED";
      return false;
    }
    return this.installReplacement(stack, plan.resources.get(step.id)!, step);
  }

  /** The new resource takes the old one's place; the old one waits for the cleanup. */
  private installReplacement(stack: StackRec, decl: ResourceDecl, step: JournalEntry): boolean {
    const clock = this.deps.clock;
    const fresh = cloneDocument(step.fresh!);
    stack.replaced.push(cloneDocument(step.before));
    fresh.status = "UPDATE_COMPLETE";
    fresh.type = decl.type;
    fresh.lastUpdated = clock.now();
    delete fresh.statusReason;
    stack.resources[step.id] = fresh;
    delete step.fresh;
    delete step.pending;
    resourceEvent(clock, stack, stack.resources[step.id], "UPDATE_COMPLETE");
    return true;
  }
}

function importersOf(state: CfnState, exportName: string, except: string): string[] {
  return Object.values(state.stacks)
    .filter((s) => s.stackId !== except && s.status !== "DELETE_COMPLETE" && !s.status.startsWith("REVIEW") && s.imports.includes(exportName))
    .map((s) => s.stackName);
}

/** Deleted already (or, after a restart, retained already: its DELETE_SKIPPED is written). */
function deleted(r: StackResourceRec, resumed: boolean): boolean {
  return r.status === "DELETE_COMPLETE" || (resumed && r.status === "DELETE_SKIPPED");
}

function failedDeletes(stack: StackRec): string[] {
  return Object.values(stack.resources)
    .filter((r) => r.status === "DELETE_FAILED")
    .map((r) => r.logicalId);
}

