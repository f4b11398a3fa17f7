// Chooses, starts, reuses and retires execution environments. An environment serves one function
// version with one code and configuration revision; concurrent invokes get more environments; idle
// ones stop after keepAliveMs on the clock (so tests advance the clock instead of waiting).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { FunctionSpec, InvokeOptions, InvokeResult, RuntimeManagerOptions } from "./types.ts";
import { BOOTSTRAP_DIR, runtimeFamily } from "./runtime-families.ts";
import { ExecutionEnvironment } from "./execution-environment.ts";
import { SparePool } from "./spare-pool.ts";
import { sparePlan } from "./launch-plan.ts";
import type { LaunchContext } from "./launch-plan.ts";
import { precompilePython, resolvePython } from "./python-executable.ts";
import { errorJson, unsupportedRuntimeError } from "./platform-errors.ts";
import { platformErrorLines } from "./invocation-log.ts";
import { invocationLog } from "./system-log.ts";
import { confinement, describeConfinement } from "./confinement.ts";

const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;
/** Lambda's default memory size: what the spares made ahead of any function are sized for. */
const DEFAULT_MEMORY_MB = 128;

export class RuntimeManager {
  /** Every invocation's log text is also handed here (the Lambda service keeps per-function logs). */
  onLog?: (functionName: string, text: string) => void;

  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly keepAliveMs: number;
  private readonly prewarm: boolean;
  private readonly pythonCommand: string;
  private readonly requestedWorkRoot: string | undefined;
  private readonly confine: boolean;
  /** Paths function processes never see when confined. */
  private readonly hidden: string[] = [];
  private readonly envs = new Set<ExecutionEnvironment>();
  private readonly idle = new Map<string, ExecutionEnvironment[]>();
  private readonly spares: SparePool;
  private workRoot: string | undefined;
  private confinedUid: number | undefined;
  private launch: Promise<LaunchContext> | undefined;
  private closed = false;

  constructor(opts: RuntimeManagerOptions) {
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.keepAliveMs = opts.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    this.prewarm = opts.prewarm ?? true;
    this.pythonCommand = opts.python ?? "python3";
    this.requestedWorkRoot = opts.workRoot;
    this.confine = opts.confine ?? false;
    this.spares = new SparePool(4, this.logger);
    if (this.prewarm) setImmediate(() => void this.prewarmDefaults());
  }

  async invoke(spec: FunctionSpec, payload: Buffer, opts: InvokeOptions): Promise<InvokeResult> {
    if (this.closed) throw new Error("RuntimeManager has been shut down");
    const family = runtimeFamily(spec.runtime);
    if (!family) return platformFailure(spec, opts.requestId, unsupportedRuntimeError(opts.requestId, spec.runtime), this.clock.now());
    const baseArn = unqualifiedArn(spec.functionArn);
    const key = `${baseArn}\n${spec.version}\n${spec.codeSha256}\n${spec.revisionKey}${spec.launch ? `\n${spec.launch.key}` : ""}`;
    if (spec.launch?.beforeInvoke) await spec.launch.beforeInvoke();
    // A warm environment that died before our invocation reached it hands it back (undefined);
    // the invocation then goes to another one, in the end to a fresh one, which always answers.
    for (;;) {
      const warm = this.takeIdle(key);
      if (!warm) break;
      const r = await warm.invoke(payload, opts, spec.functionArn);
      if (r) return r;
    }
    if (this.closed) throw new Error("RuntimeManager has been shut down");

    const env = new ExecutionEnvironment(spec, key, family, `${baseArn}:${spec.version}`, {
      clock: this.clock,
      logger: this.logger,
      workRoot: this.ensureWorkRoot(),
      launch: await this.launchContext(),
      spares: this.spares,
      onIdle: (e) => this.onIdle(e),
      onGone: (e) => this.forget(e),
      onLog: (name, text) => this.onLog?.(name, text),
    });
    this.retireSuperseded(env);
    this.envs.add(env);
    try {
      await env.open();
      if (this.closed) throw new Error("RuntimeManager has been shut down");
    } catch (e) {
      await env.stop();
      throw e;
    }
    const result = env.invoke(payload, opts, spec.functionArn) as Promise<InvokeResult>; // a fresh environment never hands back
    if (this.prewarm && env.sparePlan) {
      // Refill after this cold start rather than during it: both compete for the same 2 cores.
      const refill = () => setImmediate(() => this.refill(env));
      result.then(refill, refill);
    }
    return result;
  }

  /** Function processes must never see this path (the state directory, the code store): hidden when confined. */
  protect(path: string): void {
    if (!this.hidden.includes(path)) this.hidden.push(path);
  }

  /** The uid function processes run as on this machine, when it is not the server's own (confinement "uid" mode). */
  get functionUid(): number | undefined {
    return this.confinedUid;
  }

  /** Environments currently alive (for tests and the admin API). */
  stats(): { environments: number; busy: number } {
    let busy = 0;
    for (const e of this.envs) if (e.busy) busy++;
    return { environments: this.envs.size, busy };
  }

  /**
   * Stop the environments of one function (after an update or delete): the prefix is matched
   * against "<unqualified function ARN>:<version>" on ARN segment boundaries, so
   * "arn:…:function:f" means every version of f (not f2), "arn:…:function:f:$LATEST" one version,
   * "arn:…:function:" every function of that account and region, and "" everything. Idle ones stop
   * now; busy ones finish their invocation first, as in Lambda, and are then discarded.
   */
  async stopFunction(functionArnPrefix: string): Promise<void> {
    const stopping: Promise<void>[] = [];
    for (const env of [...this.envs]) {
      if (!arnPrefixMatches(env.versionArn, functionArnPrefix)) continue;
      if (env.busy) env.retired = true;
      else stopping.push(env.stop());
    }
    await Promise.all(stopping);
  }

  /**
   * A new environment of a function version with another key (code, configuration or credentials
   * changed) supersedes the older ones: they are never picked again, so they stop now, or after
   * the invocation they are running.
   */
  private retireSuperseded(fresh: ExecutionEnvironment): void {
    for (const env of this.envs) {
      if (env.versionArn !== fresh.versionArn || env.key === fresh.key) continue;
      if (env.busy) env.retired = true;
      else void env.stop();
    }
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    this.spares.shutdown();
    await Promise.all([...this.envs].map((e) => e.stop()));
    if (this.workRoot && !this.requestedWorkRoot) rmSync(this.workRoot, { recursive: true, force: true });
  }

  private takeIdle(key: string): ExecutionEnvironment | undefined {
    const list = this.idle.get(key);
    while (list && list.length > 0) {
      const env = list.pop()!; // the most recently used is the warmest
      if (list.length === 0) this.idle.delete(key);
      env.cancelKeepAlive?.();
      env.cancelKeepAlive = undefined;
      if (env.alive) return env;
    }
    return undefined;
  }

  private onIdle(env: ExecutionEnvironment): void {
    if (this.closed) return void env.stop();
    let list = this.idle.get(env.key);
    if (!list) this.idle.set(env.key, (list = []));
    list.push(env);
    env.cancelKeepAlive = this.clock.schedule(this.keepAliveMs, () => void env.stop());
  }

  private forget(env: ExecutionEnvironment): void {
    this.envs.delete(env);
    const list = this.idle.get(env.key);
    if (!list) return;
    const i = list.indexOf(env);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.idle.delete(env.key);
  }

  private refill(env: ExecutionEnvironment): void {
    if (!this.closed && env.sparePlan) this.spares.fill(env.sparePlan);
  }

  private ensureWorkRoot(): string {
    if (!this.workRoot) {
      if (this.requestedWorkRoot) {
        mkdirSync(this.requestedWorkRoot, { recursive: true });
        this.workRoot = this.requestedWorkRoot;
      } else {
        this.workRoot = mkdtempSync(join(tmpdir(), "hyperlocal-runtime-"));
      }
    }
    return this.workRoot;
  }

  private launchContext(): Promise<LaunchContext> {
    if (!this.launch) {
      const workRoot = this.ensureWorkRoot();
      this.launch = resolvePython(this.pythonCommand).then(async (python) => {
        if (!python) this.logger?.warn(`runtime: no python interpreter found as ${this.pythonCommand}; python functions will fail to start`);
        else await precompilePython(python, BOOTSTRAP_DIR);
        // The hidden list is shared: paths protected later still apply to later launches.
        const hide = this.hidden;
        if (!hide.includes(workRoot)) hide.unshift(workRoot);
        if (!this.confine) return { python, workRoot, hide };
        const c = await confinement(python);
        this.confinedUid = c.owner?.uid;
        const line = describeConfinement(c);
        if (c.mode === "off") this.logger?.warn(line);
        else this.logger?.info(line);
        return { python, workRoot, hide, ...(c.mode !== "off" ? { confinement: c } : {}) };
      });
    }
    return this.launch;
  }

  private async prewarmDefaults(): Promise<void> {
    const ctx = await this.launchContext();
    if (this.closed || ctx.confinement) return; // confined environments never start from spares
    for (const family of ["node", "python"] as const) {
      const plan = sparePlan(family, DEFAULT_MEMORY_MB, [], {}, ctx);
      if (plan) this.spares.fill(plan);
    }
  }
}

function arnPrefixMatches(versionArn: string, prefix: string): boolean {
  if (prefix === "" || versionArn === prefix) return true;
  return versionArn.startsWith(prefix.endsWith(":") ? prefix : `${prefix}:`);
}

/** arn:aws:lambda:r:a:function:name[:qualifier] → arn:aws:lambda:r:a:function:name */
function unqualifiedArn(arn: string): string {
  const parts = arn.split(":");
  return parts.length > 7 ? parts.slice(0, 7).join(":") : arn;
}

/** A failure before any environment exists (Lambda still writes START/END/REPORT). */
function platformFailure(spec: FunctionSpec, requestId: string, err: { errorType: string; errorMessage: string }, now: number): InvokeResult {
  const payload = errorJson(err);
  const logs = invocationLog(spec.logging, {
    requestId,
    version: spec.version,
    functionName: spec.functionName,
    runtime: spec.runtime,
    region: spec.region,
    startedAt: now,
    endedAt: now,
    output: "",
    trailer: platformErrorLines(err.errorMessage, err.errorType),
    producedBytes: payload.length,
    report: { requestId, durationMs: 0, billedDurationMs: 0, memorySizeMb: spec.memorySizeMb, maxMemoryUsedMb: 0, status: "error", errorType: err.errorType },
  });
  return { payload, functionError: "Unhandled", logs, durationMs: 0, billedDurationMs: 0, maxMemoryUsedMb: 0 };
}
