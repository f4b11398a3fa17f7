// The environment variables a function sees. Built from nothing: the parent's environment never
// leaks into a function (hyperlocal's own settings and credentials live there).
import { randomBytes } from "node:crypto";
import type { FunctionSpec } from "./types.ts";
import type { RuntimeFamily } from "./runtime-families.ts";

/**
 * Names Lambda reserves (a user's value is ignored), plus AWS_ENDPOINT_URL: hyperlocal keeps the
 * function's SDK calls pointed at itself, never at real AWS.
 */
export const RESERVED_ENV_NAMES: ReadonlySet<string> = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
  "AWS_ENDPOINT_URL",
]);

export interface EnvPlacement {
  family: RuntimeFamily;
  /** "127.0.0.1:port/secret" of this environment's Runtime API. */
  runtimeApi: string;
  /** The environment's private temp directory (also HOME). */
  tmpDir: string;
  logStreamName: string;
  runtimeDir: string;
  /** Directories for PATH (the interpreters' own first). */
  pathDirs: string[];
}

export function buildLambdaEnv(spec: FunctionSpec, at: EnvPlacement): Record<string, string> {
  const env: Record<string, string> = {
    PATH: [...at.pathDirs, "/usr/local/bin", "/usr/bin", "/bin"].filter(unique).join(":"),
    LD_LIBRARY_PATH: ["/lib64", "/usr/lib64", spec.codeDir, `${spec.codeDir}/lib`].join(":"),
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    // Not a Lambda variable: a private writable home keeps tools from writing into the real one.
    HOME: at.tmpDir,
    TMPDIR: at.tmpDir,
    TMP: at.tmpDir,
    TEMP: at.tmpDir,
  };
  if (at.family === "node") env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  for (const [k, v] of Object.entries(spec.environment)) {
    // AWS_ENDPOINT_URL_<SERVICE>: hyperlocal's too (the network shim sets them), so function code cannot point its SDK off the machine.
    if (!RESERVED_ENV_NAMES.has(k) && !k.startsWith("AWS_ENDPOINT_URL_") && validName(k)) env[k] = String(v);
  }
  const userNodeOptions = env.NODE_OPTIONS;
  Object.assign(env, {
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySizeMb),
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: at.logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_RUNTIME_API: at.runtimeApi,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    LAMBDA_TASK_ROOT: spec.codeDir,
    LAMBDA_RUNTIME_DIR: at.runtimeDir,
    _HANDLER: spec.handler,
    AWS_ACCESS_KEY_ID: spec.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: spec.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: spec.credentials.sessionToken,
  });
  if (spec.endpointUrl !== undefined) env.AWS_ENDPOINT_URL = spec.endpointUrl;
  // LoggingConfig reaches the runtime through these two (the runtimes format and filter by them).
  // unverified: whether Lambda also sets AWS_LAMBDA_LOG_FORMAT=Text; the level only filters in JSON.
  const logging = spec.logging ?? { format: "Text" };
  env.AWS_LAMBDA_LOG_FORMAT = logging.format;
  if (logging.format === "JSON") env.AWS_LAMBDA_LOG_LEVEL = logging.applicationLogLevel ?? "INFO";
  for (const [k, v] of Object.entries(spec.extraEnv ?? {})) if (validName(k)) env[k] = String(v);
  // A custom runtime's bootstrap may be (or start) Node.js: it gets the same preloads as the node family.
  if ((at.family === "node" || at.family === "provided") && spec.nodeOptions?.length) {
    const base = spec.extraEnv?.NODE_OPTIONS ?? userNodeOptions;
    env.NODE_OPTIONS = [base, ...spec.nodeOptions.map(quoteNodeOption)].filter(Boolean).join(" ");
  }
  return env;
}

/**
 * Variables a process reads only while starting (the dynamic loader, the interpreters' startup,
 * the locale). A prewarmed spare started without them cannot honour them later, so a function that
 * sets one gets a process spawned for it.
 */
export function isStartupVariable(name: string): boolean {
  return /^(NODE_|PYTHON|LD_|LC_|MALLOC_|UV_)/.test(name) || name === "LANG" || name === "LANGUAGE";
}

/** yyyy/mm/dd/[$LATEST]<32 hex>, dated by the (simulated) clock. */
export function logStreamName(version: string, nowMs: number): string {
  const d = new Date(nowMs);
  const ymd = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
  return `${ymd}/[${version}]${randomBytes(16).toString("hex")}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function unique(v: string, i: number, all: string[]): boolean {
  return all.indexOf(v) === i;
}

function validName(k: string): boolean {
  return k.length > 0 && !k.includes("=") && !k.includes("\0");
}

/** NODE_OPTIONS splits on spaces unless quoted. */
function quoteNodeOption(opt: string): string {
  return /\s/.test(opt) ? `"${opt.replace(/(["\\])/g, "\\$1")}"` : opt;
}
