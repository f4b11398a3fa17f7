// One execution environment: a runtime process, its Runtime API listener, its private /tmp, and
// the state machine of the Runtime API (init → next → response|error → next ...). It runs one
// invocation at a time and turns every ending (response, error, timeout, crash, out of memory,
// init failure) into the InvokeResult and log text Lambda would produce.
import { accessSync, chownSync, constants as fsConstants, mkdtempSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { randomFillSync } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { FunctionSpec, InvokeOptions, InvokeResult } from "./types.ts";
import type { RuntimeFamily } from "./runtime-families.ts";
import { BOOTSTRAP_DIR } from "./runtime-families.ts";
import { buildLambdaEnv, logStreamName } from "./lambda-env.ts";
import { interpreterDirs, planLaunch } from "./launch-plan.ts";
import type { LaunchContext } from "./launch-plan.ts";
import { ManagedChild } from "./managed-child.ts";
import type { ChildEnd, LaunchPlan } from "./managed-child.ts";
import type { SparePool } from "./spare-pool.ts";
import { json, listenRuntimeApi, MAX_RESPONSE_BYTES } from "./runtime-api-server.ts";
import type { ApiReply, NextRequest, RuntimeApiEndpoint, RuntimeApiHandler } from "./runtime-api-server.ts";
import {
  errorJson,
  exitError,
  invalidEntrypointError,
  outOfMemoryError,
  responseTooLargeError,
  timeoutError,
} from "./platform-errors.ts";
import type { PlatformError } from "./platform-errors.ts";
import { platformErrorLines, timeoutLine } from "./invocation-log.ts";
import type { ReportStatus } from "./invocation-log.ts";
import { invocationLog } from "./system-log.ts";
import { ProcessMemoryReader } from "./process-memory.ts";
import { precompilePython } from "./python-executable.ts";

export interface EnvironmentDeps {
  clock: Clock;
  logger?: Logger;
  workRoot: string;
  launch: LaunchContext;
  spares: SparePool;
  onIdle(env: ExecutionEnvironment): void;
  onGone(env: ExecutionEnvironment): void;
  onLog(functionName: string, text: string): void;
}

/** Lambda's init phase limit; past it the init is retried inside the invoke phase with the function's timeout. */
const INIT_LIMIT_MS = 10_000;
/** How often RSS is sampled against the memory limit while the function runs. */
const MEMORY_SAMPLE_MS = 25;
/** Log text kept per invocation, at most (the tail wins: that is what LogResult shows). */
const MAX_LOG_CHARS = 1024 * 1024;

interface Invocation {
  requestId: string;
  payload: Buffer;
  opts: InvokeOptions;
  invokedArn: string;
  /** undefined: the environment died before the invocation started; run it in another one. */
  resolve: (r: InvokeResult | undefined) => void;
  dispatched: boolean;
  /** The runtime answered (response, error or init error): a later exit is not this invocation's. */
  answered: boolean;
  done: boolean;
  output: string;
  startPerf: number;
  startOffset: number;
  /** Clock time the invocation started (the platform.start record's time). */
  startedAt: number;
  durationMs?: number;
  /** Clock time at which the invocation times out, once its timer runs. */
  timeoutAt?: number;
  cancelTimeout?: () => void;
}

interface Ending {
  payload: Buffer;
  failed: boolean;
  status?: ReportStatus;
  errorType?: string;
  /** Platform lines written after the function's output, before END. */
  trailer?: string;
  /** The init phase failed: an INIT_REPORT line, and no Init Duration on REPORT. */
  initFailure?: { status: ReportStatus; errorType?: string };
}

export class ExecutionEnvironment implements RuntimeApiHandler {
  readonly key: string;
  readonly spec: FunctionSpec;
  readonly family: RuntimeFamily;
  /** Unqualified function ARN + ":" + version: what stopFunction prefixes match. */
  readonly versionArn: string;
  /** Set by the manager: stop instead of going idle after the current invocation. */
  retired = false;
  /** Set by the manager while idle. */
  cancelKeepAlive: (() => void) | undefined;
  /** Which plan a spare for this function's kind would be started from (for refilling the pool). */
  sparePlan: LaunchPlan | undefined;
  prewarmed = false;

  private readonly deps: EnvironmentDeps;
  private child!: ManagedChild;
  private endpoint: RuntimeApiEndpoint | undefined;
  private tmpDir = "";
  private phase: "init" | "ready" | "stopped" = "init";
  private current: Invocation | undefined;
  private parked: NextRequest | undefined;
  private initStartPerf = 0;
  private initStartOffset = 0;
  private initStartedAt = 0;
  private initDurationMs: number | undefined;
  private invocations = 0;
  private initOutput = "";
  private orphanOutput = "";
  private cancelInitTimer: (() => void) | undefined;
  private memoryTimer: NodeJS.Timeout | undefined;
  private memory: ProcessMemoryReader | undefined;
  private peakKb = 0;
  private oomKilled = false;
  private dead = false;
  /** stop() was asked for: a death is then ours, not the runtime's. */
  private stopping = false;
  private stopped: Promise<void> | undefined;

  constructor(spec: FunctionSpec, key: string, family: RuntimeFamily, versionArn: string, deps: EnvironmentDeps) {
    this.spec = spec;
    this.key = key;
    this.family = family;
    this.versionArn = versionArn;
    this.deps = deps;
  }

  /** Started through confinement.ts's wrapper: the runtime is the wrapper's forked child. */
  private confined = false;

  /**
   * The confinement this environment starts under, if any. Not for a custom runtime whose bootstrap
   * cannot be executed: spawned directly, it fails as Lambda reports it (Runtime.InvalidEntrypoint)
   * and nothing runs. Not under rootless kernel mode, whose namespaces our setup cannot enter.
   */
  private confinement() {
    const c = this.deps.launch.confinement;
    if (!c) return undefined;
    if (this.spec.launch && process.getuid?.() !== 0) return undefined;
    if (this.family === "provided") {
      try {
        accessSync(join(this.spec.codeDir, "bootstrap"), fsConstants.X_OK);
      } catch {
        return undefined;
      }
    }
    return c;
  }

  /** The Runtime API port a launch wrapper prepared for (released when the environment stops). */
  private preparedPort: number | undefined;

  get busy(): boolean {
    return this.current !== undefined;
  }

  get alive(): boolean {
    return !this.dead && this.phase !== "stopped";
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Listen, then start the runtime process (or adopt a spare) and hand it the function. */
  async open(): Promise<void> {
    this.tmpDir = mkdtempSync(join(this.deps.workRoot, "env-"));
    this.endpoint = await listenRuntimeApi(this);
    const { spec } = this;
    const env = buildLambdaEnv(spec, {
      family: this.family,
      runtimeApi: this.endpoint.address,
      tmpDir: this.tmpDir,
      logStreamName: logStreamName(spec.version, this.deps.clock.now()),
      runtimeDir: BOOTSTRAP_DIR,
      pathDirs: interpreterDirs(this.deps.launch.python),
    });
    const python = this.deps.launch.python;
    // The platform's own Python directories (the network shim's), never the function's PYTHONPATH.
    const platformPath = spec.extraEnv?.PYTHONPATH;
    if (this.family === "python" && python && platformPath) await Promise.all(platformPath.split(":").filter(Boolean).map((d) => precompilePython(python, d)));
    const plan = planLaunch(spec, this.family, env, this.deps.launch);
    const confinement = this.confinement();
    if (spec.launch || confinement) {
      // A wrapped launch (inside a network namespace, confined): always a fresh process, never a spare.
      let prefix: string[] = [];
      if (spec.launch) {
        const port = this.endpoint.port;
        prefix = await spec.launch.prepare(port, { confined: confinement !== undefined });
        this.preparedPort = port;
      }
      let argv = [...prefix, plan.cold.command, ...plan.cold.args];
      if (confinement) {
        if (confinement.owner) chownSync(this.tmpDir, confinement.owner.uid, confinement.owner.gid);
        argv = confinement.wrap([plan.cold.command, ...plan.cold.args], { codeDir: spec.codeDir, tmpDir: this.tmpDir, hide: this.deps.launch.hide ?? [] }, prefix);
        this.confined = true;
      }
      plan.cold = { ...plan.cold, command: argv[0], args: argv.slice(1) };
      delete plan.spare;
      delete plan.spareSpec;
    }
    this.sparePlan = plan.spare;
    const spare = plan.spare ? this.deps.spares.take(plan.spare.key) : undefined;
    this.initStartPerf = performance.now();
    this.initStartOffset = this.deps.clock.offsetMs;
    this.initStartedAt = this.deps.clock.now();
    if (spare) {
      this.prewarmed = true;
      this.child = spare;
      spare.sendSpec(plan.spareSpec!);
    } else {
      this.child = new ManagedChild(plan.cold);
      if (plan.cold.readsSpec) this.child.sendSpec(plan.coldSpec);
    }
    this.child.unref();
    this.memory = new ProcessMemoryReader(this.child.pid, this.confined);
    this.child.setOutput((text) => this.onOutput(text));
    this.child.onEnd((end) => this.onChildEnd(end));
    this.cancelInitTimer = this.deps.clock.schedule(INIT_LIMIT_MS + spec.timeoutSec * 1000, () => this.onInitTimeout());
  }

  /**
   * Run one invocation. invokedArn: the qualified ARN this call came through (version or alias
   * ARN of this version). Resolves undefined when a warm environment turns out to have died
   * before the invocation reached it (a runtime may exit right after answering, as Node's does
   * after an uncaught exception): Lambda would not blame that invocation, so the caller runs it
   * in another environment.
   */
  invoke(payload: Buffer, opts: InvokeOptions, invokedArn = this.spec.functionArn): Promise<InvokeResult | undefined> {
    if (this.current) throw new Error("execution environment is busy");
    if (this.dead || this.phase === "stopped") return Promise.resolve(undefined);
    return new Promise<InvokeResult | undefined>((resolve) => {
      const inv: Invocation = {
        requestId: opts.requestId,
        payload,
        opts,
        invokedArn,
        resolve,
        dispatched: false,
        answered: false,
        done: false,
        output: this.orphanOutput,
        startPerf: performance.now(),
        startOffset: this.deps.clock.offsetMs,
        startedAt: this.deps.clock.now(),
      };
      this.orphanOutput = "";
      this.current = inv;
      this.invocations++;
      this.child.ref();
      this.startMemoryWatch();
      // A warm environment starts the timeout at once (the runtime's /next may be a moment away:
      // it is sent pipelined with the previous answer); a cold one when its init is done.
      if (this.phase === "ready") this.startTimeout(inv);
      const parked = this.parked;
      if (parked) {
        this.parked = undefined;
        this.dispatch(parked);
      }
    });
  }

  /** Kill the process and release everything; an invocation in flight ends as a runtime exit. */
  stop(): Promise<void> {
    if (this.stopped) return this.stopped;
    this.stopping = true;
    this.phase = "stopped";
    this.cancelInitTimer?.();
    this.cancelKeepAlive?.();
    this.stopMemoryWatch();
    this.parked?.destroy();
    this.parked = undefined;
    this.endpoint?.close();
    this.deps.onGone(this);
    this.stopped = new Promise<void>((resolve) => {
      const cleanup = () => {
        this.memory?.close();
        if (this.tmpDir) rmSync(this.tmpDir, { recursive: true, force: true, maxRetries: 2 });
        if (this.preparedPort !== undefined) this.spec.launch?.release?.(this.preparedPort);
        resolve();
      };
      if (!this.child) return cleanup();
      this.child.onEnd(cleanup);
      this.child.ref(); // whoever awaits this stop needs the exit to be seen
      this.child.kill();
    });
    return this.stopped;
  }

  // ---- Runtime API ----

  next(req: NextRequest): void {
    if (this.phase === "stopped") {
      req.destroy();
      return;
    }
    if (this.phase === "init") this.endInit();
    const inv = this.current;
    if ((inv && inv.dispatched && !inv.answered) || this.parked) {
      return req.answer(json(invalidState("next")));
    }
    if (inv && !inv.dispatched) return this.dispatch(req);
    this.parked = req;
    req.onClose(() => {
      if (this.parked === req) this.parked = undefined;
    });
  }

  response(requestId: string, body: Buffer): ApiReply {
    const inv = this.answerable(requestId);
    if ("status" in inv) return inv;
    this.answer(inv);
    setImmediate(() => this.finish(inv, { payload: body, failed: false }));
    return { status: 202, body: { status: "OK" } };
  }

  responseTooLarge(requestId: string, size: number): ApiReply {
    const inv = this.answerable(requestId);
    if ("status" in inv) return inv;
    this.answer(inv);
    const err = responseTooLargeError(size, MAX_RESPONSE_BYTES);
    setImmediate(() => this.finish(inv, { payload: errorJson(err), failed: true }));
    // unverified wording
    return { status: 413, body: { errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: "RequestEntityTooLarge" } };
  }

  error(requestId: string, errorType: string | undefined, body: Buffer): ApiReply {
    const inv = this.answerable(requestId);
    if ("status" in inv) return inv;
    this.answer(inv);
    const payload = errorBody(body, errorType);
    setImmediate(() => this.finish(inv, { payload, failed: true }));
    return { status: 202, body: { status: "OK" } };
  }

  initError(errorType: string | undefined, body: Buffer): ApiReply {
    if (this.phase !== "init") return invalidState("init/error");
    this.endInit();
    const inv = this.current;
    const payload = errorBody(body, errorType);
    const type = errorType ?? parseErrorType(payload) ?? "Runtime.Unknown";
    this.retired = true; // Lambda retries the init in a fresh environment on the next invoke
    if (inv) {
      inv.answered = true;
      setImmediate(() => {
        this.finish(inv, { payload, failed: true, status: "error", errorType: type, initFailure: { status: "error", errorType: type } });
      });
    } else {
      setImmediate(() => void this.stop());
    }
    return { status: 202, body: { status: "OK" } };
  }

  // ---- internals ----

  private answerable(requestId: string): Invocation | ApiReply {
    const inv = this.current;
    if (!inv || !inv.dispatched || inv.answered) return invalidState("response");
    // unverified wording
    if (requestId !== inv.requestId) return { status: 400, body: { errorMessage: "Invalid request ID", errorType: "InvalidRequestID" } };
    return inv;
  }

  private answer(inv: Invocation): void {
    inv.answered = true;
    inv.durationMs = this.elapsed(inv.startPerf, inv.startOffset);
    inv.cancelTimeout?.();
  }

  private endInit(): void {
    this.phase = "ready";
    this.initDurationMs = this.elapsed(this.initStartPerf, this.initStartOffset);
    this.cancelInitTimer?.();
    this.cancelInitTimer = undefined;
  }

  /** Real elapsed time plus any simulated jump of the clock meanwhile. */
  private elapsed(startPerf: number, startOffset: number): number {
    return performance.now() - startPerf + (this.deps.clock.offsetMs - startOffset);
  }

  private dispatch(req: NextRequest): void {
    const inv = this.current!;
    if (req.closed) return; // the runtime hung up; its exit will end the invocation
    inv.dispatched = true;
    if (inv.timeoutAt === undefined) {
      // Cold: duration and timeout count from here, after the init. (Warm: from invoke().)
      inv.startPerf = performance.now();
      inv.startOffset = this.deps.clock.offsetMs;
      this.startTimeout(inv);
    }
    const headers: Record<string, string | number> = {
      "Content-Type": "application/json",
      "Lambda-Runtime-Aws-Request-Id": inv.requestId,
      // The child compares the deadline with its own (real) clock, so it is given in real time.
      "Lambda-Runtime-Deadline-Ms": Date.now() + Math.max(0, inv.timeoutAt! - this.deps.clock.now()),
      "Lambda-Runtime-Invoked-Function-Arn": inv.invokedArn,
      "Lambda-Runtime-Trace-Id": inv.opts.traceId ?? newTraceId(this.deps.clock.now()),
    };
    const cc = clientContextHeader(inv.opts.clientContext);
    if (cc) headers["Lambda-Runtime-Client-Context"] = cc;
    req.answer({ status: 200, headers, body: inv.payload });
  }

  private startTimeout(inv: Invocation): void {
    const ms = this.spec.timeoutSec * 1000;
    inv.timeoutAt = this.deps.clock.now() + ms;
    inv.cancelTimeout = this.deps.clock.schedule(ms, () => this.onTimeout(inv));
  }

  private onTimeout(inv: Invocation): void {
    if (inv.done || inv.answered || this.current !== inv) return;
    // At least the timeout: the clock's millisecond steps and performance.now() disagree slightly.
    inv.durationMs = Math.max(this.elapsed(inv.startPerf, inv.startOffset), this.spec.timeoutSec * 1000);
    this.retired = true; // a timed-out environment is discarded
    this.finish(inv, {
      payload: errorJson(timeoutError(inv.requestId, this.spec.timeoutSec)),
      failed: true,
      status: "timeout",
      trailer: timeoutLine(this.deps.clock.now(), inv.requestId, this.spec.timeoutSec),
    });
  }

  private onInitTimeout(): void {
    if (this.phase !== "init") return;
    const inv = this.current;
    this.initDurationMs = this.elapsed(this.initStartPerf, this.initStartOffset);
    this.retired = true;
    if (inv && !inv.done) {
      inv.durationMs = this.elapsed(inv.startPerf, inv.startOffset);
      this.finish(inv, {
        payload: errorJson(timeoutError(inv.requestId, this.spec.timeoutSec)),
        failed: true,
        status: "timeout",
        trailer: timeoutLine(this.deps.clock.now(), inv.requestId, this.spec.timeoutSec),
        initFailure: { status: "timeout" },
      });
    }
    void this.stop();
  }

  private onChildEnd(end: ChildEnd): void {
    this.dead = true;
    this.stopMemoryWatch();
    const inv = this.current;
    if (inv && !inv.done && !inv.answered) {
      const wasWarm = this.invocations > 1 && !inv.dispatched;
      if (wasWarm && !this.stopping && !this.oomKilled) {
        // Died between invocations: this one never reached it.
        inv.done = true;
        inv.cancelTimeout?.();
        this.current = undefined;
        inv.resolve(undefined);
      } else {
        this.finish(inv, this.deathEnding(inv, end));
      }
    }
    void this.stop();
  }

  private deathEnding(inv: Invocation, end: ChildEnd): Ending {
    if (inv.durationMs === undefined) inv.durationMs = this.elapsed(inv.startPerf, inv.startOffset);
    let err: PlatformError;
    if (end.spawnError) err = invalidEntrypointError(inv.requestId, this.spawnFailure(end.spawnError));
    else if (this.oomKilled) err = outOfMemoryError(inv.requestId);
    else err = exitError(inv.requestId, end);
    const initFailure = this.phase === "init" || end.spawnError ? { status: "error" as const, errorType: err.errorType } : undefined;
    return {
      payload: errorJson(err),
      failed: true,
      status: "error",
      errorType: err.errorType,
      trailer: platformErrorLines(err.errorMessage, err.errorType),
      initFailure,
    };
  }

  /** RAPID's words when the bootstrap cannot be executed. */
  private spawnFailure(err: NodeJS.ErrnoException): string {
    const path = this.family === "provided" ? join(this.spec.codeDir, "bootstrap") : (err.path ?? "bootstrap");
    if (this.family === "provided" && err.code === "ENOENT" && !existsSync(path)) {
      return `Couldn't find valid bootstrap(s): [${path} /opt/bootstrap]`;
    }
    const reason = err.code === "EACCES" ? "permission denied" : err.code === "ENOENT" ? "no such file or directory" : err.message;
    return `fork/exec ${path}: ${reason}`;
  }

  private onOutput(text: string): void {
    if (this.phase === "init") {
      this.initOutput = capTail(this.initOutput + text);
      return;
    }
    const inv = this.current;
    if (inv && !inv.done) inv.output = capTail(inv.output + text);
    else this.orphanOutput = capTail(this.orphanOutput + text); // shows up in the next invocation, as after a thaw
  }

  private startMemoryWatch(): void {
    if (this.memoryTimer) return;
    const limitKb = this.spec.memorySizeMb * 1024;
    this.memoryTimer = setInterval(() => {
      if (this.oomKilled) return;
      const m = this.memory?.read();
      if (!m) return;
      if (m.peakKb > this.peakKb) this.peakKb = m.peakKb;
      if (m.rssKb > limitKb) {
        this.oomKilled = true;
        this.child.kill();
      }
    }, MEMORY_SAMPLE_MS);
    this.memoryTimer.unref();
  }

  private stopMemoryWatch(): void {
    if (this.memoryTimer) clearInterval(this.memoryTimer);
    this.memoryTimer = undefined;
  }

  private finish(inv: Invocation, e: Ending): void {
    if (inv.done) return;
    inv.done = true;
    inv.cancelTimeout?.();
    if (this.current === inv) this.current = undefined;
    const mem = this.dead ? undefined : this.memory?.read();
    if (mem && mem.peakKb > this.peakKb) this.peakKb = mem.peakKb;
    const maxMemoryUsedMb = Math.min(this.spec.memorySizeMb, Math.ceil(this.peakKb / 1024));
    const durationMs = inv.durationMs ?? this.elapsed(inv.startPerf, inv.startOffset);
    const cold = this.invocations === 1;
    const initDurationMs = cold ? (this.initDurationMs ?? this.elapsed(this.initStartPerf, this.initStartOffset)) : undefined;
    // Since August 2025 Lambda bills the init phase of on-demand functions too.
    const billedDurationMs = Math.max(1, Math.ceil(durationMs + (initDurationMs ?? 0)));

    const logs = invocationLog(this.spec.logging, {
      requestId: inv.requestId,
      version: this.spec.version,
      functionName: this.spec.functionName,
      runtime: this.spec.runtime,
      region: this.spec.region,
      ...(cold ? { init: { startedAt: this.initStartedAt, output: this.initOutput, durationMs: initDurationMs!, ...(e.initFailure ? { failure: e.initFailure } : {}) } } : {}),
      startedAt: inv.startedAt,
      endedAt: this.deps.clock.now(),
      output: inv.output,
      ...(e.trailer ? { trailer: e.trailer } : {}),
      producedBytes: e.payload.length,
      report: {
        requestId: inv.requestId,
        durationMs,
        billedDurationMs,
        memorySizeMb: this.spec.memorySizeMb,
        maxMemoryUsedMb,
        initDurationMs: e.initFailure ? undefined : initDurationMs,
        status: e.status,
        errorType: e.errorType,
      },
    });
    if (cold) this.initOutput = "";

    const result: InvokeResult = { payload: e.payload, logs, durationMs, billedDurationMs, maxMemoryUsedMb };
    if (e.failed) result.functionError = "Unhandled";
    if (initDurationMs !== undefined) result.initDurationMs = initDurationMs;

    if (this.alive) {
      this.stopMemoryWatch();
      this.child.unref();
    }
    inv.resolve(result);
    try {
      this.deps.onLog(this.spec.functionName, logs);
    } catch (err) {
      this.deps.logger?.warn(`runtime: onLog failed: ${(err as Error).message}`);
    }
    if (!this.alive) return;
    if (this.retired) void this.stop();
    else this.deps.onIdle(this);
  }
}

function invalidState(call: string): ApiReply {
  // unverified wording
  return {
    status: 403,
    body: { errorMessage: `State transition from the current state to ${call} failed for runtime. Error: State transition is not allowed`, errorType: "InvalidStateTransition" },
  };
}

/** The runtime's error body is the invoke's payload; an empty one is filled in from the header. */
function errorBody(body: Buffer, errorType: string | undefined): Buffer {
  if (body.length > 0) return body;
  return Buffer.from(JSON.stringify({ errorMessage: "", errorType: errorType ?? "Runtime.Unknown" })); // unverified wording
}

function parseErrorType(body: Buffer): string | undefined {
  try {
    const v = JSON.parse(body.toString("utf8")) as { errorType?: unknown };
    return typeof v.errorType === "string" ? v.errorType : undefined;
  } catch {
    return undefined;
  }
}

/** The Invoke API carries the client context as base64; the Runtime API hands the JSON to the runtime. */
function clientContextHeader(b64: string | undefined): string | undefined {
  if (!b64) return undefined;
  const text = Buffer.from(b64, "base64").toString("utf8");
  try {
    // Re-serialized: compact, and non-ASCII escaped so it is a legal header value.
    return JSON.stringify(JSON.parse(text)).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  } catch {
    return undefined;
  }
}

/** Random bytes for trace ids, drawn a few kilobytes at a time: a randomBytes(20) per invocation costs more than the id. */
const traceRandom = Buffer.alloc(4000);
let traceRandomUsed = traceRandom.length;

/** An X-Ray trace header like Lambda passes when the caller sent none. */
function newTraceId(nowMs: number): string {
  if (traceRandomUsed + 20 > traceRandom.length) {
    randomFillSync(traceRandom);
    traceRandomUsed = 0;
  }
  const r = traceRandom.toString("hex", traceRandomUsed, (traceRandomUsed += 20));
  const epoch = Math.floor(nowMs / 1000).toString(16).padStart(8, "0");
  return `Root=1-${epoch}-${r.slice(0, 24)};Parent=${r.slice(24)};Sampled=0`;
}

function capTail(s: string): string {
  return s.length > MAX_LOG_CHARS ? s.slice(s.length - MAX_LOG_CHARS) : s;
}
