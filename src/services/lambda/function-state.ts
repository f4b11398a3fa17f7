// THE state machine of Lambda functions: the one place that writes State, StateReason(Code),
// LastUpdateStatus and LastUpdateStatusReason(Code), and the one place that decides which
// operations a function's state refuses.
//
// A transition (create → Active, update → Successful) completes when every pending task is done and
// a minimum time has passed on the clock. Tasks are named steps registered by the service: "code"
// (the zip is unpacked and ready) now; the VPC issue adds its ENI steps by registering another task
// and naming it in begin*(). A task reports a failure with AWS's reason code, and the transition then
// ends Failed (State on create, LastUpdateStatus on update). A published version runs its own
// create-like transition (Pending → Active; versions never carry a LastUpdateStatus). Transitions
// are kept in the state (plain JSON), so after a restart resume() runs the remaining tasks and
// schedules the rest.
//
// VPC functions add two states: Inactive (Idle) after weeks without invocations, when Lambda has
// reclaimed the ENIs (deactivate()), and the way back: an invocation starts a "restore" transition,
// Pending (Restoring) until the ENIs exist again, then Active, or Failed when they cannot be made.
import { dict } from "../../core/dict.ts";
import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import type { AwsError } from "../../core/aws-error.ts";
import { lambdaError, resourceConflict } from "./errors.ts";
import type { LastUpdateStatusReasonCode } from "@aws-sdk/client-lambda";
import { LATEST, type FunctionRecord, type LambdaTimings, type TransitionRecord, type VersionConfig } from "./model.ts";

export interface FunctionLocation {
  account: string;
  region: string;
  name: string;
}

export type TaskOutcome = { ok: true } | { ok: false; reasonCode: NonNullable<TransitionRecord["failure"]>["reasonCode"]; reason: string };

export interface TaskInput {
  loc: FunctionLocation;
  fn: FunctionRecord;
  kind: TransitionRecord["kind"];
  /** The configurations the transition is for ("$LATEST" and/or version numbers). */
  versions: string[];
}

/** A step that must be done before the function is Active (or its update Successful). */
export type TaskRunner = (t: TaskInput) => TaskOutcome | Promise<TaskOutcome>;

export interface FunctionStatesDeps {
  clock: Clock;
  logger: Logger;
  timings: Pick<LambdaTimings, "createMs" | "updateMs">;
  /** The function as it is now (it may have been deleted, or deleted and created again). */
  find(loc: FunctionLocation): FunctionRecord | undefined;
  /** State changed outside a request: schedule a snapshot. */
  markDirty(): void;
  /** Called after a transition ended, e.g. to retire environments of the old configuration. */
  onSettled?(loc: FunctionLocation, fn: FunctionRecord, kind: TransitionRecord["kind"], ok: boolean): void;
}

const CREATING_REASON = "The function is being created.";
/**
 * What AWS shows during an update (as recorded by LocalStack's snapshot tests against AWS):
 * LastUpdateStatusReason "The function is being created." with LastUpdateStatusReasonCode
 * "Creating", a code the model's LastUpdateStatusReasonCode enum does not list.
 */
const UPDATING_REASON = "The function is being created.";
const UPDATING_CODE = "Creating" as LastUpdateStatusReasonCode;
/** As a recorded GetFunction of an idle function shows it. */
const IDLE_REASON = "The function is currently idle.";
const RESTORING_REASON = "The function is being restored."; // unverified wording

/** ResourceNotReadyException's documented meaning, as its message. */
export const NOT_READY_MESSAGE = "The function is inactive and its VPC connection is no longer available. Wait for the VPC connection to reestablish and try again.";

/**
 * Invoke on a function whose VPC set-up failed: the 502 error the model lists for the reason.
 * Texts from the model's documentation of each shape, or AWS's older wire texts where known.
 */
const FAILED_INVOKE_ERRORS: Partial<Record<string, { code: string; message: string }>> = {
  SubnetOutOfIPAddresses: {
    code: "SubnetIPAddressLimitReachedException",
    message: "Lambda was not able to set up VPC access for the Lambda function because one or more configured subnets has no available IP addresses.",
  },
  EniLimitExceeded: {
    code: "ENILimitReachedException",
    message: "Lambda was not able to create an ENI in the VPC of the Lambda function because the limit for Network Interfaces has been reached.",
  },
  InsufficientRolePermissions: {
    code: "EC2AccessDeniedException",
    message:
      "Your access has been denied by EC2, please make sure your function execution role have permission to CreateNetworkInterface. EC2 Error Code: UnauthorizedOperation. EC2 Error Message: You are not authorized to perform this operation.",
  },
  InvalidSubnet: { code: "InvalidSubnetIDException", message: "Lambda was not able to set up VPC access for the Lambda function because one or more configured subnets are invalid." }, // unverified wording
  InvalidSecurityGroup: { code: "InvalidSecurityGroupIDException", message: "Lambda was not able to set up VPC access for the Lambda function because one or more configured security groups are invalid." }, // unverified wording
  EC2RequestLimitExceeded: { code: "EC2ThrottledException", message: "Amazon EC2 throttled Lambda during Lambda function initialization using the execution role provided for the function." },
};

interface Running {
  token: number;
  fn: FunctionRecord;
  cancelTimer: () => void;
}

export class FunctionStates {
  private readonly runners = new Map<string, TaskRunner>();
  private readonly running = new Map<string, Running>();
  private tokens = 0;

  constructor(private readonly deps: FunctionStatesDeps) {}

  registerTask(name: string, runner: TaskRunner): void {
    this.runners.set(name, runner);
  }

  /**
   * A new function: State Pending (Creating), no LastUpdateStatus, until its tasks are done.
   * `versions` lists a version published with it (CreateFunction with Publish).
   */
  beginCreate(loc: FunctionLocation, fn: FunctionRecord, tasks: string[], versions: string[] = [LATEST]): void {
    for (const cfg of configs(fn, versions)) {
      cfg.state = "Pending";
      cfg.stateReason = CREATING_REASON;
      cfg.stateReasonCode = "Creating";
      delete cfg.lastUpdateStatus;
      delete cfg.lastUpdateStatusReason;
      delete cfg.lastUpdateStatusReasonCode;
    }
    this.start(loc, fn, { kind: "create", tasks: [...tasks], readyAt: this.deps.clock.now() + this.deps.timings.createMs, versions: [...versions] });
  }

  /** PublishVersion: the new version is Pending (Creating) until it is ready, then Active. */
  beginPublish(loc: FunctionLocation, fn: FunctionRecord, version: string, tasks: string[]): void {
    this.beginCreate(loc, fn, tasks, [version]);
  }

  /**
   * An update of $LATEST: LastUpdateStatus InProgress while State stays as it was; `previous`
   * (the configuration before the update) keeps serving invocations until the update completes.
   */
  beginUpdate(loc: FunctionLocation, fn: FunctionRecord, previous: VersionConfig, tasks: string[], opts: { reactivates?: boolean } = {}): void {
    fn.serving = previous;
    const cfg = fn.latest;
    cfg.lastUpdateStatus = "InProgress";
    cfg.lastUpdateStatusReason = UPDATING_REASON;
    cfg.lastUpdateStatusReasonCode = UPDATING_CODE;
    const t: TransitionRecord = { kind: "update", tasks: [...tasks], readyAt: this.deps.clock.now() + this.deps.timings.updateMs, versions: [LATEST] };
    if (opts.reactivates && cfg.state === "Inactive") t.reactivates = true;
    this.start(loc, fn, t);
  }

  /**
   * An Inactive configuration is being invoked: Pending (Restoring) until its tasks (the ENIs) are
   * done, then Active; Failed when they fail. Returns false when another transition already runs on it.
   */
  beginRestore(loc: FunctionLocation, fn: FunctionRecord, version: string, tasks: string[]): boolean {
    const cfg = version === LATEST ? fn.latest : fn.versions[version];
    if (!cfg || cfg.state !== "Inactive" || fn.transitions?.[version]) return false;
    cfg.state = "Pending";
    cfg.stateReason = RESTORING_REASON;
    cfg.stateReasonCode = "Restoring";
    this.start(loc, fn, { kind: "restore", tasks: [...tasks], readyAt: this.deps.clock.now() + this.deps.timings.createMs, versions: [version] });
    return true;
  }

  /** Idle for long: Lambda reclaimed the ENIs, the configuration is Inactive (Idle) until invoked. */
  deactivate(fn: FunctionRecord, version: string): boolean {
    const cfg = version === LATEST ? fn.latest : fn.versions[version];
    if (!cfg || cfg.state !== "Active" || fn.transitions?.[version]) return false;
    cfg.state = "Inactive";
    cfg.stateReason = IDLE_REASON;
    cfg.stateReasonCode = "Idle";
    this.deps.markDirty();
    return true;
  }

  /** After a restart: run what is left of the transitions kept in the state. */
  resume(loc: FunctionLocation, fn: FunctionRecord): void {
    for (const k of Object.keys(fn.transitions ?? {})) this.run(loc, fn, k);
  }

  /** The function is gone (deleted): its transitions end without a trace. */
  cancel(loc: FunctionLocation): void {
    const prefix = `${key(loc)}/`;
    for (const [k, r] of [...this.running]) {
      if (!k.startsWith(prefix)) continue;
      r.cancelTimer();
      this.running.delete(k);
    }
  }

  /** One version is gone (DeleteFunction with a Qualifier). */
  cancelVersion(loc: FunctionLocation, fn: FunctionRecord, version: string): void {
    const k = `${key(loc)}/${version}`;
    this.running.get(k)?.cancelTimer();
    this.running.delete(k);
    if (fn.transitions) delete fn.transitions[version];
  }

  clear(): void {
    for (const r of this.running.values()) r.cancelTimer();
    this.running.clear();
  }

  /** UpdateFunctionCode, UpdateFunctionConfiguration, PublishVersion: refused while Pending or while an update runs. */
  modifyConflict(fn: FunctionRecord, unqualifiedArn: string): AwsError | undefined {
    if (fn.latest.state === "Pending") return stateConflict("Pending");
    if (fn.latest.lastUpdateStatus === "InProgress") {
      return resourceConflict(`The operation cannot be performed at this time. An update is in progress for resource: ${unqualifiedArn}`);
    }
    return undefined;
  }

  /**
   * Invoke: only an Active configuration runs. Inactive (and Pending while it is being restored)
   * gives ResourceNotReadyException (502), which the caller turns into a restore; a configuration
   * whose VPC set-up failed gives the 502 error of its reason.
   */
  invokeConflict(cfg: VersionConfig): AwsError | undefined {
    if (cfg.state === "Inactive" || (cfg.state === "Pending" && cfg.stateReasonCode === "Restoring")) {
      return lambdaError("ResourceNotReadyException", 502, NOT_READY_MESSAGE);
    }
    if (cfg.state === "Pending") return stateConflict("Pending");
    if (cfg.state === "Failed") {
      const vpc = cfg.stateReasonCode ? FAILED_INVOKE_ERRORS[cfg.stateReasonCode] : undefined;
      if (vpc) return lambdaError(vpc.code, 502, vpc.message);
      // unverified wording: AWS's text for invoking a Failed function
      return stateConflict("Failed");
    }
    return undefined;
  }

  // ---- internals ----

  private start(loc: FunctionLocation, fn: FunctionRecord, t: TransitionRecord): void {
    (fn.transitions ??= dict())[t.versions[0]] = t;
    this.run(loc, fn, t.versions[0]);
  }

  private run(loc: FunctionLocation, given: FunctionRecord, tk: string): void {
    // The record as the store hands it out now: with --state-dir that is a write-tracking view of
    // `given` (which a caller may have just created), and current() compares against it.
    const fn = this.deps.find(loc) ?? given;
    const t = fn.transitions![tk];
    const k = `${key(loc)}/${tk}`;
    this.running.get(k)?.cancelTimer();
    const token = ++this.tokens;
    const cancelTimer = this.deps.clock.schedule(Math.max(0, t.readyAt - this.deps.clock.now()), () => this.tryFinish(loc, tk, token));
    this.running.set(k, { token, fn, cancelTimer });
    for (const name of [...t.tasks]) {
      const runner = this.runners.get(name);
      if (!runner) {
        this.deps.logger.error(`lambda: no runner for the task '${name}' of ${loc.name}`);
        this.taskDone(loc, tk, token, name, { ok: false, reasonCode: "InternalError", reason: `Internal error: unknown preparation step ${name}` });
        continue;
      }
      let outcome: TaskOutcome | Promise<TaskOutcome>;
      try {
        outcome = runner({ loc, fn, kind: t.kind, versions: [...t.versions] });
      } catch (e) {
        outcome = { ok: false, reasonCode: "InternalError", reason: (e as Error).message };
      }
      if (outcome instanceof Promise) {
        outcome.then(
          (o) => this.taskDone(loc, tk, token, name, o),
          (e) => this.taskDone(loc, tk, token, name, { ok: false, reasonCode: "InternalError", reason: (e as Error)?.message ?? String(e) }),
        );
      } else {
        this.taskDone(loc, tk, token, name, outcome);
      }
    }
  }

  private current(loc: FunctionLocation, tk: string, token: number): FunctionRecord | undefined {
    const r = this.running.get(`${key(loc)}/${tk}`);
    if (!r || r.token !== token) return undefined;
    // Deleted, or deleted and created again under the same name: this transition is over.
    const fn = this.deps.find(loc);
    if (fn !== r.fn || !fn.transitions?.[tk]) return undefined;
    return fn;
  }

  private taskDone(loc: FunctionLocation, tk: string, token: number, name: string, outcome: TaskOutcome): void {
    const fn = this.current(loc, tk, token);
    if (!fn) return;
    const t = fn.transitions![tk];
    t.tasks = t.tasks.filter((x) => x !== name);
    if (!outcome.ok && !t.failure) t.failure = { reasonCode: outcome.reasonCode, reason: outcome.reason };
    this.deps.markDirty();
    this.tryFinish(loc, tk, token);
  }

  private tryFinish(loc: FunctionLocation, tk: string, token: number): void {
    const fn = this.current(loc, tk, token);
    if (!fn) return;
    const t = fn.transitions![tk];
    if (this.deps.clock.now() < t.readyAt) return;
    if (t.tasks.length > 0 && !t.failure) return;
    this.running.get(`${key(loc)}/${tk}`)?.cancelTimer();
    this.running.delete(`${key(loc)}/${tk}`);
    delete fn.transitions![tk];
    if (Object.keys(fn.transitions!).length === 0) delete fn.transitions;
    if (t.kind === "restore") {
      for (const cfg of configs(fn, t.versions)) endState(cfg, t.failure);
    } else if (t.kind === "create") {
      for (const cfg of configs(fn, t.versions)) {
        endState(cfg, t.failure);
        // Only $LATEST has a LastUpdateStatus; published versions never do.
        if (cfg === fn.latest) {
          cfg.lastUpdateStatus = t.failure ? "Failed" : "Successful";
          if (t.failure) {
            cfg.lastUpdateStatusReason = t.failure.reason;
            cfg.lastUpdateStatusReasonCode = t.failure.reasonCode;
          } else {
            delete cfg.lastUpdateStatusReason;
            delete cfg.lastUpdateStatusReasonCode;
          }
        }
      }
    } else {
      // The update is aborted on failure: the previous configuration stays.
      if (t.failure && fn.serving) fn.latest = { ...fn.serving };
      const cfg = fn.latest;
      if (t.failure) {
        cfg.lastUpdateStatus = "Failed";
        cfg.lastUpdateStatusReason = t.failure.reason;
        cfg.lastUpdateStatusReasonCode = t.failure.reasonCode;
      } else {
        cfg.lastUpdateStatus = "Successful";
        delete cfg.lastUpdateStatusReason;
        delete cfg.lastUpdateStatusReasonCode;
        // Its ENIs were made again: an Inactive function is Active after the update.
        if (t.reactivates && cfg.state === "Inactive") {
          cfg.state = "Active";
          delete cfg.stateReason;
          delete cfg.stateReasonCode;
        }
      }
      fn.serving = undefined;
    }
    this.deps.markDirty();
    try {
      this.deps.onSettled?.(loc, fn, t.kind, !t.failure);
    } catch (e) {
      this.deps.logger.warn(`lambda: after the ${t.kind} of ${loc.name}: ${(e as Error).message}`);
    }
  }
}

function stateConflict(state: string): AwsError {
  return resourceConflict(`The operation cannot be performed at this time. The function is currently in the following state: ${state}`);
}

/** A create or restore ended: Active, or Failed with the task's reason. */
function endState(cfg: VersionConfig, failure: TransitionRecord["failure"]): void {
  if (failure) {
    cfg.state = "Failed";
    cfg.stateReason = failure.reason;
    cfg.stateReasonCode = failure.reasonCode;
  } else {
    cfg.state = "Active";
    delete cfg.stateReason;
    delete cfg.stateReasonCode;
  }
}

function configs(fn: FunctionRecord, versions: string[]): VersionConfig[] {
  const out: VersionConfig[] = [];
  for (const v of versions) {
    const cfg = v === LATEST ? fn.latest : fn.versions[v];
    if (cfg) out.push(cfg);
  }
  return out;
}

function key(loc: FunctionLocation): string {
  return `${loc.account}/${loc.region}/${loc.name}`;
}
