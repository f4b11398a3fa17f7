// The contract between the Lambda service and the execution environments it asks for.
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";

export interface FunctionSpec {
  functionName: string;
  /** Qualified ARN of what is invoked (function, version or alias ARN): the context's invokedFunctionArn. */
  functionArn: string;
  /** "$LATEST" or "3". */
  version: string;
  /** nodejs18.x|nodejs20.x|nodejs22.x|python3.9..python3.13|provided.al2|provided.al2023 */
  runtime: string;
  /** "index.handler", "src/app.handler", "app.lambda_handler"; ignored for provided.* */
  handler: string;
  memorySizeMb: number;
  timeoutSec: number;
  /** Directory holding the unpacked code; read-only for the runtime. */
  codeDir: string;
  /** With the unqualified ARN, version and revisionKey: environments are reused only when all match. */
  codeSha256: string;
  /** Changes whenever configuration changes, so old environments are not reused. */
  revisionKey: string;
  /** The user's variables (reserved names are ignored). */
  environment: Record<string, string>;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  region: string;
  /** AWS_ENDPOINT_URL for the function: points back at hyperlocal (absent for VPC functions: their SDKs go by the services' names). */
  endpointUrl?: string;
  /** /aws/lambda/<name> */
  logGroupName: string;
  /** LoggingConfig: the log format and levels (absent: Text, unfiltered). */
  logging?: LogConfig;
  /** Variables added by hyperlocal features (network shim etc.); they override everything. */
  extraEnv?: Record<string, string>;
  /** Extra NODE_OPTIONS entries, e.g. "--require=/path/preload.cjs". */
  nodeOptions?: string[];
  /**
   * Start the process through a wrapper (e.g. nsenter into a network namespace). When set, the
   * environment is always spawned fresh (never from a prewarmed spare): prepare(runtimeApiPort) is
   * awaited first and returns the argv prefix; the runtime's own argv follows it.
   */
  launch?: LaunchWrapper;
}

/** A function's LoggingConfig as the runtime applies it (AWS_LAMBDA_LOG_FORMAT / AWS_LAMBDA_LOG_LEVEL, system log lines). */
export interface LogConfig {
  format: "Text" | "JSON";
  /** TRACE|DEBUG|INFO|WARN|ERROR|FATAL; JSON format only. */
  applicationLogLevel?: string;
  /** DEBUG|INFO|WARN; JSON format only. */
  systemLogLevel?: string;
}

export interface LaunchWrapper {
  /** Distinguishes wrappers for environment reuse (e.g. the namespace it enters). */
  key: string;
  /**
   * confined: the process will also be confined (confinement.ts): its own user namespace already
   * takes every capability it could use on the network namespace, so the prefix need not drop them
   * (and must not: a process with an empty bounding set cannot map its uid in a new user namespace).
   */
  prepare(runtimeApiPort: number, opts?: { confined?: boolean }): Promise<string[]>;
  /** Awaited before every invocation, warm or cold (e.g. until network rule changes are in force). */
  beforeInvoke?(): Promise<void>;
  /** The environment that prepare() was called for has stopped: free what it set up. */
  release?(runtimeApiPort: number): void;
}

export interface InvokeOptions {
  requestId: string;
  /** Base64 of the client context JSON, as the Invoke API's X-Amz-Client-Context carries it. */
  clientContext?: string;
  /** X-Ray trace header value ("Root=1-...;Parent=...;Sampled=0"); generated when absent. */
  traceId?: string;
}

export interface InvokeResult {
  /** The response, or the error JSON exactly as Lambda returns it. */
  payload: Buffer;
  /** Set when the function failed (handler error, timeout, crash, init error). */
  functionError?: "Unhandled";
  /** This invocation's log text with Lambda's START/END/REPORT lines. */
  logs: string;
  durationMs: number;
  billedDurationMs: number;
  maxMemoryUsedMb: number;
  /** Present on the invocation that paid for a cold start. */
  initDurationMs?: number;
}

export interface RuntimeManagerOptions {
  clock: Clock;
  logger?: Logger;
  /** Idle environments stop after this long on the clock; default 5 minutes. */
  keepAliveMs?: number;
  /** Where the private /tmp directories go; default a fresh directory under the OS temp dir. */
  workRoot?: string;
  /** Keep a pre-spawned spare process per runtime family; default true. */
  prewarm?: boolean;
  /** Python interpreter for every python3.x runtime; default the `python3` found on PATH. */
  python?: string;
  /**
   * Confine function processes (src/runtime/confinement.ts) as far as this machine allows, and say
   * in the log which guarantees hold. Default false (in-process tests that compare pids); the
   * server turns it on. Confined environments never start from prewarmed spares.
   */
  confine?: boolean;
}
