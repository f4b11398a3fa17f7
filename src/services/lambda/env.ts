// Everything the Lambda operations share: the deps from app.ts, IAM's internal API, the runtime,
// the code store, the state machine, logs, concurrency and the async queue.
import type { OperationContext } from "../../core/operation-context.ts";
import type { RestCall, RestOutput } from "../../core/rest-model.ts";
import type { LaunchWrapper, RuntimeManager } from "../../runtime/index.ts";
import type { IamInternal } from "../iam/index.ts";
import type { ServiceDeps } from "../service-deps.ts";
import type { AsyncQueue } from "./async-queue.ts";
import { CodeStore } from "./code-store.ts";
import { ConcurrencyTracker } from "./concurrency.ts";
import { ExecutionRoles } from "./execution-role.ts";
import { FunctionStates, type FunctionLocation } from "./function-state.ts";
import { FunctionLogs } from "./logs.ts";
import { emptyState, FAST_TIMINGS, REALISTIC_TIMINGS, type FunctionRecord, type LambdaState, type LambdaTimings } from "./model.ts";
import { LambdaVpc, type LambdaVpcDeps, type VpcSource } from "./vpc.ts";
import type { S3Internal } from "../s3/index.ts";

/** One request as the operations see it: the decoded request (core/rest-model.ts) and its context. */
export interface LambdaCall extends RestCall {
  ctx: OperationContext;
}

export type LambdaOperation = (env: LambdaEnv, call: LambdaCall) => RestOutput | Promise<RestOutput>;

/** What the network module learns about an execution environment it is asked to set up. */
export interface NetworkFunctionInfo {
  account: string;
  region: string;
  functionName: string;
  /** The ARN the caller invoked (function, version or alias ARN). */
  functionArn: string;
  /** "$LATEST" or the version number that runs. */
  version: string;
  runtime: string;
  /** The ENI its connections leave from; undefined for a function without VPC (it reaches the internet). */
  vpc: VpcSource | undefined;
  /** Set when the configuration is attached to a VPC but has no usable ENI now: why (refuse its connections). */
  unavailable?: string;
}

export interface NetworkEnv {
  extraEnv: Record<string, string>;
  nodeOptions: string[];
  /** Kernel mode: start the environment inside a network namespace (see FunctionSpec.launch). */
  launch?: LaunchWrapper;
}

export interface LambdaOptions {
  /** The server's own URL (http://127.0.0.1:PORT): Code.Location. */
  serverUrl?: () => string;
  /**
   * AWS_ENDPOINT_URL for function code outside a VPC (and every function's decision URL): the
   * function listener, which serves the AWS APIs but not the admin API. Unset: serverUrl.
   */
  functionUrl?: () => string;
  timings?: Partial<LambdaTimings>;
  /** EC2 and the Hyperplane ENI manager: without them VpcConfig is refused. */
  vpc?: LambdaVpcDeps;
  /** Variables and NODE_OPTIONS the network enforcement adds to each execution environment (unset: none). */
  networkEnv?: (fn: NetworkFunctionInfo) => NetworkEnv | undefined;
  /** S3, for Code.S3Bucket/S3Key/S3ObjectVersion (unset: every bucket is missing). */
  s3?: S3Internal;
}

export class LambdaEnv {
  readonly clock: ServiceDeps["clock"];
  readonly config: ServiceDeps["config"];
  readonly logger: ServiceDeps["logger"];
  readonly timings: LambdaTimings;
  readonly code: CodeStore;
  readonly states: FunctionStates;
  readonly logs = new FunctionLogs();
  readonly concurrency = new ConcurrencyTracker();
  readonly roles: ExecutionRoles;
  /** Set by index.ts right after construction (it needs the env itself). */
  queue!: AsyncQueue;
  /** VPC attachment (Hyperplane ENIs); undefined when the app has no EC2. */
  readonly vpc: LambdaVpc | undefined;
  readonly networkEnv: LambdaOptions["networkEnv"];
  readonly s3: S3Internal | undefined;
  private readonly urlGetter: (() => string) | undefined;
  private readonly functionUrlGetter: (() => string) | undefined;

  constructor(
    readonly deps: ServiceDeps,
    readonly iam: IamInternal,
    readonly runtime: RuntimeManager,
    opts: LambdaOptions = {},
  ) {
    this.clock = deps.clock;
    this.config = deps.config;
    this.logger = deps.logger;
    const idleDays = deps.config.lambdaIdleDays;
    this.timings = {
      ...(deps.config.realisticTiming ? REALISTIC_TIMINGS : FAST_TIMINGS),
      ...(typeof idleDays === "number" && idleDays > 0 ? { idleMs: idleDays * 86_400_000 } : {}),
      ...opts.timings,
    };
    this.networkEnv = opts.networkEnv;
    this.s3 = opts.s3;
    this.code = new CodeStore(deps.config.stateDir);
    // Every function's code (zips and trees) is out of function code's view; its own tree is put back read-only.
    runtime.protect(this.code.root);
    this.roles = new ExecutionRoles(iam, deps.clock);
    this.urlGetter = opts.serverUrl;
    this.functionUrlGetter = opts.functionUrl;
    this.states = new FunctionStates({
      clock: deps.clock,
      logger: deps.logger,
      timings: this.timings,
      find: (loc) => this.find(loc),
      markDirty: () => deps.store.markDirty(),
      onSettled: (loc, fn, kind) => {
        // The configuration that served during the update is gone: retire its environments.
        if (kind === "update") runtime.stopFunction(`arn:aws:lambda:${loc.region}:${loc.account}:function:${loc.name}:$LATEST`).catch(() => undefined);
        this.vpc?.settled(loc, fn, kind);
      },
    });
    this.vpc = opts.vpc ? new LambdaVpc(this, opts.vpc) : undefined;
  }

  /** Where function code reaches hyperlocal's AWS APIs (AWS_ENDPOINT_URL). */
  functionUrl(): string {
    const u = this.functionUrlGetter?.();
    return u ? u.replace(/\/+$/, "") : this.serverUrl();
  }

  serverUrl(): string {
    if (this.urlGetter) {
      const u = this.urlGetter();
      if (u) return u.replace(/\/+$/, "");
    }
    const host = this.config.host === "0.0.0.0" || this.config.host === "::" ? "127.0.0.1" : this.config.host;
    return `http://${host.includes(":") ? `[${host}]` : host}:${this.config.port}`;
  }

  state(account: string, region: string): LambdaState {
    const s = this.deps.store.state<LambdaState>("lambda", account, region, emptyState);
    // Snapshots from before a field existed.
    s.asyncEvents ??= [];
    return s;
  }

  find(loc: FunctionLocation): FunctionRecord | undefined {
    return this.state(loc.account, loc.region).functions[loc.name];
  }

  markDirty(): void {
    this.deps.store.markDirty();
  }

  /** Remove code no version of any function refers to any more. */
  collectCode(): void {
    const referenced = new Set<string>();
    for (const { state } of this.deps.store.all<LambdaState>("lambda")) {
      for (const fn of Object.values(state.functions)) {
        for (const cfg of [fn.latest, fn.serving, ...Object.values(fn.versions)]) if (cfg) referenced.add(cfg.code.sha256Hex);
      }
    }
    this.code.collect(referenced);
  }
}
