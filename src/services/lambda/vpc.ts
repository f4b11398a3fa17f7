// Lambda's side of the Hyperplane ENIs: the "eni" task of the state machine (attach each
// configuration's (subnet, group set) combinations and wait until their ENIs exist), giving them
// up again (delete, detach, move, version deleted), idle reclaim (Inactive after weeks without an
// invocation) and reactivation, and the ENI a function's connections leave from (vpcSource).
//
// Each configuration is one Hyperplane user: "<function ARN>:<version>" ($LATEST or a number), so
// published versions keep their own ENIs and every function using a combination shares it.
import { randomInt } from "node:crypto";
import { comboKey, type AttachRequest, type AttachStatus, type Hyperplane } from "../../hyperplane/index.ts";
import type { Ec2Internal } from "../ec2/index.ts";
import type { LambdaEnv } from "./env.ts";
import type { FunctionLocation, TaskInput, TaskOutcome } from "./function-state.ts";
import { resolveQualifier } from "./lookup.ts";
import { functionArn, LATEST, type FunctionRecord, type LambdaState, type TransitionRecord, type VersionConfig } from "./model.ts";
import { hasVpc, roleEniDenial, type VpcSettings } from "./vpc-config.ts";

/** Task name for function-state.ts: the configuration's Hyperplane ENIs exist. */
export const ENI_TASK = "eni";

/** The ENI a function's connections use, for the network module. */
export interface VpcSource {
  networkInterfaceId: string;
  /** Hyperplane's key of the (subnet, group set) combination: acquire/release take it. */
  comboKey: string;
  ipv6Allowed: boolean;
  subnetId: string;
  groupIds: string[];
}

/** The network module's view of a function (its NetSource): the ENI, or why it has none. */
export interface NetworkSource {
  account: string;
  region: string;
  functionName: string;
  vpc?: VpcSource;
  unavailable?: string;
}

export interface LambdaVpcDeps {
  ec2: Ec2Internal;
  hyperplane: Hyperplane;
}

/** A task waiting for ENIs: looked at again once the clock reaches readyAt; check() resolves it and returns true when done. */
interface Waiter {
  readyAt: number;
  check: () => boolean;
}

export class LambdaVpc {
  readonly ec2: Ec2Internal;
  readonly hyperplane: Hyperplane;
  /** Tasks waiting for ENIs, by account/region; each returns true once it has resolved. */
  private readonly waiters = new Map<string, Set<Waiter>>();
  private cancelIdle: (() => void) | undefined;

  constructor(
    private readonly env: LambdaEnv,
    deps: LambdaVpcDeps,
  ) {
    this.ec2 = deps.ec2;
    this.hyperplane = deps.hyperplane;
    this.hyperplane.onChange((account, region) => this.wake(account, region));
  }

  static user(loc: FunctionLocation, version: string): string {
    return `${functionArn(loc.region, loc.account, loc.name)}:${version}`;
  }

  // ---- the "eni" task ----

  /** Attach every configuration of the transition that has a VPC; resolves when all ENIs are ready or one failed. */
  runTask(t: TaskInput): TaskOutcome | Promise<TaskOutcome> {
    const reqs: AttachRequest[] = [];
    for (const version of t.versions) {
      const cfg = version === LATEST ? t.fn.latest : t.fn.versions[version];
      if (!hasVpc(cfg)) continue;
      const req = this.request(t.loc, cfg, version);
      // ENIs are about to be created: that is when Lambda uses the execution role's EC2 permissions
      // (reusing an existing one needs nothing from the role).
      if (this.hyperplane.missing(t.loc.account, t.loc.region, req).length > 0) {
        const denied = roleEniDenial(this.env.iam, t.loc, cfg.role, req.subnetIds, req.groupIds);
        if (denied) {
          return {
            ok: false,
            reasonCode: "InsufficientRolePermissions",
            reason: `The function's execution role does not have permissions to call ${denied} on EC2.`, // unverified wording
          };
        }
      }
      const st = this.hyperplane.attach(t.loc.account, t.loc.region, req);
      if (st.state === "failed") return failure(st);
      reqs.push(req);
    }
    const first = this.outcome(t.loc, reqs);
    if (typeof first !== "number") return first;
    return new Promise<TaskOutcome>((resolve) => {
      const w: Waiter = {
        readyAt: first,
        check: () => {
          const o = this.outcome(t.loc, reqs);
          if (typeof o === "number") {
            w.readyAt = o;
            return false;
          }
          resolve(o);
          return true;
        },
      };
      const k = `${t.loc.account}/${t.loc.region}`;
      let set = this.waiters.get(k);
      if (!set) this.waiters.set(k, (set = new Set()));
      set.add(w);
    });
  }

  /** The outcome, or while some ENI is still being created the time it will be ready. */
  private outcome(loc: FunctionLocation, reqs: AttachRequest[]): TaskOutcome | number {
    let readyAt = 0;
    for (const req of reqs) {
      const st = this.hyperplane.status(loc.account, loc.region, req);
      if (st.state === "failed") return failure(st);
      if (st.state === "creating") readyAt = Math.max(readyAt, st.readyAt);
    }
    return readyAt > 0 ? readyAt : { ok: true };
  }

  private wake(account: string, region: string): void {
    const set = this.waiters.get(`${account}/${region}`);
    if (!set) return;
    const now = this.env.clock.now();
    for (const w of [...set]) if (now >= w.readyAt && w.check()) set.delete(w);
    if (set.size === 0) this.waiters.delete(`${account}/${region}`);
  }

  request(loc: FunctionLocation, cfg: VersionConfig & { vpcConfig: VpcSettings }, version: string): AttachRequest {
    return {
      user: LambdaVpc.user(loc, version),
      subnetIds: cfg.vpcConfig.subnetIds,
      groupIds: cfg.vpcConfig.securityGroupIds,
      ipv6: cfg.vpcConfig.ipv6AllowedForDualStack === true,
      functionName: loc.name,
      requesterId: this.requesterId(loc, cfg.role),
    };
  }

  /**
   * Hyperplane ENIs carry no documented requester id; legacy Lambda ENIs showed
   * "<role id>:awslambda_<n>_<timestamp>" (what scripts filter on with requester-id=*:awslambda_*).
   */
  private requesterId(loc: FunctionLocation, role: string): string {
    const roleId = this.env.iam.getRole(loc.account, role)?.roleId ?? "AROAHYPERLOCALLAMBDA";
    const stamp = new Date(this.env.clock.now()).toISOString().replace(/[-:TZ.]/g, "").slice(0, 17);
    return `${roleId}:awslambda_${randomInt(100, 1000)}_${stamp}`;
  }

  // ---- giving ENIs up ----

  /** After a transition: an update keeps only the combinations of $LATEST as it now is (moved, detached or reverted). */
  settled(loc: FunctionLocation, fn: FunctionRecord, kind: TransitionRecord["kind"]): void {
    if (hasVpc(fn.latest) || Object.values(fn.versions).some(hasVpc)) this.armIdle();
    if (kind !== "update") return;
    const user = LambdaVpc.user(loc, LATEST);
    const cfg = fn.latest;
    this.hyperplane.detach(loc.account, loc.region, user, hasVpc(cfg) ? { subnetIds: cfg.vpcConfig.subnetIds, groupIds: cfg.vpcConfig.securityGroupIds, ipv6: cfg.vpcConfig.ipv6AllowedForDualStack === true } : undefined);
  }

  /** DeleteFunction: every configuration stops using its ENIs (they go after the release delay). */
  forgetFunction(loc: FunctionLocation, fn: FunctionRecord): void {
    for (const v of [LATEST, ...Object.keys(fn.versions)]) this.hyperplane.detach(loc.account, loc.region, LambdaVpc.user(loc, v));
  }

  forgetVersion(loc: FunctionLocation, version: string): void {
    this.hyperplane.detach(loc.account, loc.region, LambdaVpc.user(loc, version));
  }

  // ---- idle and back ----

  /** An invocation (or a new configuration): the idle clock of this configuration starts again. */
  touch(cfg: VersionConfig): void {
    cfg.lastActivityAt = this.env.clock.now();
    if (hasVpc(cfg)) this.armIdle();
  }

  /** Invoked while Inactive: Pending (Restoring) until the ENIs are back. */
  restore(loc: FunctionLocation, fn: FunctionRecord, version: string): void {
    const cfg = version === LATEST ? fn.latest : fn.versions[version];
    if (!cfg) return;
    if (this.env.states.beginRestore(loc, fn, version, [ENI_TASK])) {
      cfg.lastActivityAt = this.env.clock.now();
      this.env.markDirty();
    }
  }

  /**
   * One clock timer for the whole service, at the earliest time a configuration may go idle
   * (rounded up to a second, so functions made in a burst are swept together).
   */
  armIdle(): void {
    if (this.cancelIdle) return;
    const now = this.env.clock.now();
    let earliest = Infinity;
    for (const { cfg } of this.vpcConfigs()) {
      if (cfg.state !== "Active") continue;
      cfg.lastActivityAt ??= now;
      earliest = Math.min(earliest, cfg.lastActivityAt + this.env.timings.idleMs);
    }
    if (earliest === Infinity) return;
    const at = Math.ceil(earliest / 1000) * 1000;
    this.cancelIdle = this.env.clock.schedule(Math.max(0, at - now), () => {
      this.cancelIdle = undefined;
      this.sweep();
      this.armIdle();
    });
  }

  /** Configurations idle for long go Inactive; their ENIs go at once when nobody else uses them. */
  sweep(): void {
    const now = this.env.clock.now();
    for (const { loc, fn, version, cfg } of this.vpcConfigs()) {
      if (cfg.state !== "Active" || (cfg.lastActivityAt ?? now) + this.env.timings.idleMs > now) continue;
      if (!this.env.states.deactivate(fn, version)) continue;
      this.hyperplane.reclaim(loc.account, loc.region, LambdaVpc.user(loc, version));
    }
  }

  private *vpcConfigs(): Generator<{ loc: FunctionLocation; fn: FunctionRecord; version: string; cfg: VersionConfig }> {
    for (const { account, region, state } of this.env.deps.store.all<LambdaState>("lambda")) {
      for (const fn of Object.values(state.functions)) {
        const loc = { account, region, name: fn.name };
        if (hasVpc(fn.latest)) yield { loc, fn, version: LATEST, cfg: fn.latest };
        for (const [v, cfg] of Object.entries(fn.versions)) if (hasVpc(cfg)) yield { loc, fn, version: v, cfg };
      }
    }
  }

  // ---- for the network module ----

  /**
   * The ENI the connections of a function (qualifier: $LATEST, a version or an alias) leave from:
   * the configuration that serves invocations now, its first subnet whose ENI is ready.
   */
  vpcSource(account: string, region: string, functionName: string, qualifier?: string): VpcSource | undefined {
    const fn = this.env.state(account, region).functions[functionName];
    if (!fn) return undefined;
    const target = resolveQualifier(fn, qualifier);
    if (!target) return undefined;
    const version = target.version;
    const cfg = version === LATEST ? (fn.serving ?? fn.latest) : fn.versions[version];
    return this.sourceOf(account, region, cfg);
  }

  /**
   * A function as the network module sees a source of connections: its ENI, or why a function
   * attached to a VPC has no usable one now (its connections are then refused). undefined when the
   * function (or qualifier) does not exist.
   */
  networkSource(account: string, region: string, functionName: string, qualifier?: string): NetworkSource | undefined {
    const fn = this.env.state(account, region).functions[functionName];
    if (!fn) return undefined;
    const target = resolveQualifier(fn, qualifier);
    if (!target) return undefined;
    const cfg = target.version === LATEST ? (fn.serving ?? fn.latest) : fn.versions[target.version];
    return { account, region, functionName, ...this.attachment(account, region, cfg) };
  }

  /** The ENI of a configuration, or why an attached one has none now; {} without VPC. */
  attachment(account: string, region: string, cfg: VersionConfig | undefined): { vpc?: VpcSource; unavailable?: string } {
    if (!hasVpc(cfg)) return {};
    const vpc = this.sourceOf(account, region, cfg);
    if (vpc) return { vpc };
    const why =
      cfg.state === "Pending"
        ? "The function's VPC network interfaces are being created."
        : cfg.state === "Inactive"
          ? "The function is inactive and its VPC connection is no longer available."
          : cfg.state === "Failed"
            ? `The function's VPC set-up failed: ${cfg.stateReason ?? cfg.stateReasonCode ?? "unknown reason"}`
            : "The function's VPC network interface is not available.";
    return { unavailable: why };
  }

  sourceOf(account: string, region: string, cfg: VersionConfig | undefined): VpcSource | undefined {
    if (!hasVpc(cfg)) return undefined;
    const ipv6 = cfg.vpcConfig.ipv6AllowedForDualStack === true;
    for (const subnetId of cfg.vpcConfig.subnetIds) {
      const key = comboKey(subnetId, cfg.vpcConfig.securityGroupIds, ipv6);
      const combo = this.hyperplane.combo(account, region, key);
      if (combo?.status !== "ready" || combo.enis.length === 0) continue;
      return { networkInterfaceId: combo.enis[0].eniId, comboKey: key, ipv6Allowed: ipv6, subnetId, groupIds: [...combo.groupIds] };
    }
    return undefined;
  }

  clear(): void {
    this.waiters.clear();
    this.cancelIdle?.();
    this.cancelIdle = undefined;
  }
}

function failure(st: Extract<AttachStatus, { state: "failed" }>): TaskOutcome {
  return { ok: false, reasonCode: st.reasonCode, reason: st.message };
}
