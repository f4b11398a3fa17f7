// Invoke: RequestResponse (200, the function's answer), Event (202, queued; async-queue.ts runs it
// and retries failures), DryRun (204, the permission check only). The caller is authorized for
// lambda:InvokeFunction through its identity policies and the function's resource-based policy.
import type { RestOutput } from "../../core/rest-model.ts";
import type { InvokeResult } from "../../runtime/index.ts";
import { routeAlias } from "./aliases.ts";
import { unreservedPool } from "./concurrency.ts";
import type { LambdaCall, LambdaEnv } from "./env.ts";
import { functionNotFound, invalidRequestContent, requestTooLarge, serviceException } from "./errors.ts";
import { parseFunctionRef, refArn } from "./function-names.ts";
import type { FunctionLocation } from "./function-state.ts";
import { policyFor, resolveQualifier } from "./lookup.ts";
import { functionArn, LATEST, LIMITS, type FunctionRecord, type VersionConfig } from "./model.ts";
import { INVOKE, validate } from "./validation.ts";

/** What one execution needs: where the function is, which configuration runs, and as what ARN. */
export interface Execution {
  loc: FunctionLocation;
  fn: FunctionRecord;
  cfg: VersionConfig;
  /** "$LATEST" or the version number that runs. */
  version: string;
  /** The ARN the caller used (function, version or alias ARN): the context's invokedFunctionArn. */
  invokedArn: string;
}

const EMPTY_EVENT = Buffer.from("{}");

export async function invoke(env: LambdaEnv, call: LambdaCall): Promise<RestOutput> {
  const { ctx, headers } = call;
  ctx.operation = "Invoke";
  const input = {
    FunctionName: call.labels.FunctionName,
    InvocationType: header(headers["x-amz-invocation-type"]),
    LogType: header(headers["x-amz-log-type"]),
    ClientContext: header(headers["x-amz-client-context"]),
    Qualifier: call.query.get("Qualifier") ?? undefined,
  };
  validate(INVOKE, input);
  const type = input.InvocationType ?? "RequestResponse";
  const ref = parseFunctionRef(input.FunctionName, ctx, input.Qualifier);
  const state = env.state(ref.account, ref.region);
  const fn = state.functions[ref.name];
  const invokedArn = refArn(ref);
  const policy = fn ? policyFor(fn, ref.qualifier) : undefined;
  ctx.authorize("lambda:InvokeFunction", invokedArn, {
    ...(policy !== undefined ? { resourcePolicy: policy } : {}),
    ...(ref.crossAccount ? { resourceAccount: ref.account } : {}),
  });
  if (!fn) throw functionNotFound(functionArn(ref.region, ref.account, ref.name));
  const target = resolveQualifier(fn, ref.qualifier);
  if (!target) throw functionNotFound(invokedArn);
  if (type === "DryRun") return { status: 204, headers: {}, body: "" };

  const limit = type === "Event" ? LIMITS.asyncPayloadBytes : LIMITS.syncPayloadBytes;
  if (call.body.length > limit) throw requestTooLarge(limit, type === "Event" ? "InvokeAsync" : "InvokeFunction");
  const payload = call.body.length === 0 ? EMPTY_EVENT : call.body;
  checkJson(payload);

  const loc: FunctionLocation = { account: ref.account, region: ref.region, name: ref.name };
  if (type === "Event") {
    const conflict = env.states.invokeConflict(target.cfg);
    // An event for an Inactive function is kept: the function is restored and the queue retries.
    if (conflict && conflict.code !== "ResourceNotReadyException") throw conflict;
    if (conflict) env.vpc?.restore(loc, fn, target.version);
    env.queue.enqueue(loc, { id: ctx.requestId, qualifier: ref.qualifier, payload, clientContext: input.ClientContext });
    return { status: 202, headers: {}, body: "" };
  }

  const exec = chooseExecution(env, loc, fn, ref.qualifier, invokedArn);
  const release = env.concurrency.acquire(loc.account, loc.region, loc.name, fn.reservedConcurrency, unreservedPool(env, state));
  let result: InvokeResult;
  try {
    result = await execute(env, exec, payload, ctx.requestId, input.ClientContext);
  } finally {
    release();
  }
  const out: Record<string, string> = { "content-type": "application/json", "x-amz-executed-version": exec.version };
  if (result.functionError) out["x-amz-function-error"] = result.functionError;
  if (input.LogType === "Tail") out["x-amz-log-result"] = tail4k(result.logs);
  return { status: 200, headers: out, body: result.payload };
}

/**
 * The configuration an invocation runs: for $LATEST during an update the previous one (it keeps
 * serving until the update completes); for an alias with weights, one of its two versions.
 * Throws the state machine's 409 when the function cannot run now.
 */
export function chooseExecution(env: LambdaEnv, loc: FunctionLocation, fn: FunctionRecord, qualifier: string | undefined, invokedArn: string): Execution {
  const target = resolveQualifier(fn, qualifier);
  if (!target) throw functionNotFound(invokedArn);
  let version = target.version;
  if (target.alias) version = routeAlias(target.alias);
  const cfg = version === LATEST ? fn.latest : fn.versions[version];
  if (!cfg) throw functionNotFound(functionArn(loc.region, loc.account, loc.name, version));
  const conflict = env.states.invokeConflict(cfg);
  if (conflict) {
    // Inactive: this invocation fails, and Lambda starts bringing the ENIs back.
    if (conflict.code === "ResourceNotReadyException") env.vpc?.restore(loc, fn, version);
    throw conflict;
  }
  env.vpc?.touch(cfg);
  const serving = version === LATEST && fn.serving ? fn.serving : cfg;
  return { loc, fn, cfg: serving, version, invokedArn };
}

/** Run once in an execution environment and keep the logs. */
export async function execute(env: LambdaEnv, exec: Execution, payload: Buffer, requestId: string, clientContext?: string): Promise<InvokeResult> {
  const { loc, cfg } = exec;
  const unqualified = functionArn(loc.region, loc.account, loc.name);
  const creds = env.roles.credentials(loc.account, cfg.role, loc.name, unqualified);
  const attachment = env.networkEnv ? (env.vpc?.attachment(loc.account, loc.region, cfg) ?? {}) : {};
  const net = env.networkEnv?.({
    account: loc.account,
    region: loc.region,
    functionName: loc.name,
    functionArn: exec.invokedArn,
    version: exec.version,
    runtime: cfg.runtime,
    vpc: attachment.vpc,
    ...(attachment.unavailable ? { unavailable: attachment.unavailable } : {}),
  });
  let result: InvokeResult;
  try {
    result = await env.runtime.invoke(
      {
        functionName: loc.name,
        functionArn: exec.invokedArn,
        version: exec.version,
        runtime: cfg.runtime,
        handler: cfg.handler ?? "",
        memorySizeMb: cfg.memorySize,
        timeoutSec: cfg.timeout,
        codeDir: await env.code.codeDir(cfg.code),
        codeSha256: cfg.code.sha256,
        // Not RevisionId: tags and policies move it, and they do not change what runs.
        revisionKey: `${cfg.internalRevision}/${creds.generation}`,
        environment: cfg.environment ?? {},
        credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken },
        region: loc.region,
        // A VPC function in kernel mode gets no AWS_ENDPOINT_URL: every served service has its own
        // AWS_ENDPOINT_URL_<SERVICE> (by name, through the VPC), and an SDK client for any other
        // service goes to its AWS name, which the VPC decides too. In shim mode the shims remove it
        // from their processes (HYPERLOCAL_AWS_NAMES_ONLY); a process without a shim keeps it.
        ...(net?.launch && attachment.vpc ? {} : { endpointUrl: env.functionUrl() }),
        logGroupName: cfg.logGroup,
        logging: {
          format: cfg.logFormat,
          ...(cfg.applicationLogLevel ? { applicationLogLevel: cfg.applicationLogLevel } : {}),
          ...(cfg.systemLogLevel ? { systemLogLevel: cfg.systemLogLevel } : {}),
        },
        ...(net ? { extraEnv: net.extraEnv, nodeOptions: net.nodeOptions } : {}),
        ...(net?.launch ? { launch: net.launch } : {}),
      },
      payload,
      clientContext !== undefined ? { requestId, clientContext } : { requestId },
    );
  } catch (e) {
    env.logger.error(`lambda: invoking ${loc.name} failed in the runtime: ${(e as Error)?.stack ?? e}`);
    throw serviceException("An internal error occurred while running the function.");
  }
  env.logs.append(loc.account, loc.region, loc.name, result.logs, env.clock.now());
  return result;
}

/** X-Amz-Log-Result: base64 of the last 4 KB of the log. */
export function tail4k(logs: string): string {
  const b = Buffer.from(logs, "utf8");
  return (b.length > 4096 ? b.subarray(b.length - 4096) : b).toString("base64");
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Lambda refuses a payload that is not JSON, with Jackson's words after its own prefix. */
function checkJson(payload: Buffer): void {
  const text = payload.toString("utf8");
  try {
    JSON.parse(text);
    return;
  } catch {
    // fall through
  }
  throw invalidRequestContent(`Could not parse request body into json: Could not parse payload into json: ${jacksonProblem(text)}`);
}

// unverified wording: the Jackson parser texts after the prefix, modelled on real answers.
function jacksonProblem(text: string): string {
  const source = `\n at [Source: (byte[])"${text.slice(0, 500)}"; line: 1, column: ${Math.min(text.length, 500) + 1}]`;
  const trimmed = text.trimStart();
  if (trimmed === "") return `No content to map due to end-of-input${source}`;
  const c = trimmed[0];
  if (/[A-Za-z]/.test(c)) {
    const token = /^[A-Za-z0-9_]+/.exec(trimmed)![0];
    return `Unrecognized token '${token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')${source}`;
  }
  if (c === "{" || c === "[") return `Unexpected end-of-input: expected close marker for ${c === "{" ? "Object" : "Array"}${source}`;
  return `Unexpected character ('${c}' (code ${c.charCodeAt(0)})): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')${source}`;
}
