// CreateFunction, GetFunction, GetFunctionConfiguration, UpdateFunctionConfiguration,
// UpdateFunctionCode, DeleteFunction and ListFunctions. Every check runs before anything changes,
// so a refused request leaves the function exactly as it was.
import { AwsError, isAwsError } from "../../core/aws-error.ts";
import { dict } from "../../core/dict.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import { RESERVED_ENV_NAMES } from "../../runtime/index.ts";
import type { FunctionConfiguration, GetFunctionResponse, ListFunctionsResponse } from "@aws-sdk/client-lambda";
import { uuid } from "../../core/ids.ts";
import { restOutput, type RestOutput } from "../../core/rest-model.ts";
import { runtimeFamily } from "../../runtime/index.ts";
import type { LambdaCall, LambdaEnv } from "./env.ts";
import { functionNotFound, invalidParameter, preconditionFailed, resourceConflict, REVISION_MISMATCH } from "./errors.ts";
import { LAMBDA_SERVICE_PRINCIPAL } from "./execution-role.ts";
import { parseFunctionRef } from "./function-names.ts";
import type { FunctionLocation } from "./function-state.ts";
import { checkCodeStorage } from "./code-storage.ts";
import { requireFunction, requireQualifier } from "./lookup.ts";
import {
  DEPRECATED_RUNTIMES,
  functionArn,
  LATEST,
  LIMITS,
  lambdaTimestamp,
  SUPPORTED_RUNTIMES,
  type CodeRecord,
  type FunctionRecord,
  type VersionConfig,
} from "./model.ts";
import { toFunctionConfiguration } from "./render.ts";
import { checkTags } from "./tags.ts";
import { ENI_TASK } from "./vpc.ts";
import { checkCoexist, checkRoleCanManageEnis, currentVpcKeys, detachedVpc, hasVpc, resolveVpcConfig, vpcConditionKeys, type VpcInput } from "./vpc-config.ts";
import { publishVersion } from "./versions.ts";
import { applyLoggingConfig } from "./logging-config.ts";
import {
  CREATE_FUNCTION,
  LIST_FUNCTIONS,
  NAMESPACED_WITH_QUALIFIER,
  oneProblem,
  RUNTIME_ENUM,
  UPDATE_FUNCTION_CODE,
  UPDATE_FUNCTION_CONFIGURATION,
  validate,
} from "./validation.ts";

type Input = Record<string, unknown>;

/** Task names for function-state.ts: the code is unpacked and ready to run. */
export const CODE_TASK = "code";

// ---- CreateFunction ----

export async function createFunction(env: LambdaEnv, call: LambdaCall): Promise<RestOutput> {
  const { ctx } = call;
  ctx.operation = "CreateFunction";
  const input = call.input();
  validate(CREATE_FUNCTION, input);
  const ref = parseFunctionRef(String(input.FunctionName), ctx);
  if (ref.name.length > 64) throw oneProblem("functionName", input.FunctionName, "Member must have length less than or equal to 64"); // unverified wording
  // unverified wording
  if (ref.qualifier !== undefined) throw invalidParameter("Function name cannot include a version or alias qualifier when creating a function.");
  const loc: FunctionLocation = { account: ref.account, region: ref.region, name: ref.name };
  const arn = functionArn(loc.region, loc.account, loc.name);
  const vpcInput = input.VpcConfig as VpcInput | undefined;
  const vpcKeys = vpcConditionKeys(env.vpc?.ec2, loc, vpcInput);
  ctx.authorize("lambda:CreateFunction", arn, {
    ...(ref.crossAccount ? { resourceAccount: ref.account } : {}),
    ...(Object.keys(vpcKeys).length > 0 ? { context: vpcKeys } : {}),
  });
  const role = String(input.Role);
  ctx.authorize("iam:PassRole", role, { context: { "iam:PassedToService": LAMBDA_SERVICE_PRINCIPAL } });

  const code = (input.Code ?? {}) as Input;
  checkPackageType(input.PackageType, code);
  checkRuntimeAndHandler(input.Runtime, input.Handler, true);
  checkCommonConfig(input);
  const tags = (input.Tags ?? {}) as Record<string, string>;
  checkTags(tags, {});

  if (env.state(loc.account, loc.region).functions[loc.name]) throw resourceConflict(`Function already exist: ${loc.name}`);
  env.roles.check(loc.account, role);
  const vpc = vpcInput ? checkVpc(env, call, loc, vpcInput, role) : undefined;
  const codeRecord = (await storeCode(env, call.ctx, code, true))!;
  // The code was unpacked off the event loop: a request for the same name may have won meanwhile.
  const state = env.state(loc.account, loc.region);
  if (state.functions[loc.name]) throw resourceConflict(`Function already exist: ${loc.name}`);
  checkCodeStorage(env, state, codeRecord.size);

  const now = env.clock.now();
  const env0 = input.Environment as { Variables?: Record<string, string> } | undefined;
  const logging = (input.LoggingConfig ?? {}) as Input;
  const latest: VersionConfig = {
    version: LATEST,
    runtime: String(input.Runtime),
    handler: input.Handler === undefined ? undefined : String(input.Handler),
    role,
    description: (input.Description as string | undefined) ?? "",
    timeout: (input.Timeout as number | undefined) ?? 3,
    memorySize: (input.MemorySize as number | undefined) ?? 128,
    environment: env0 ? dict(env0.Variables ?? {}) : undefined,
    code: codeRecord,
    lastModified: lambdaTimestamp(now),
    revisionId: uuid(),
    internalRevision: uuid(),
    architectures: ((input.Architectures as string[] | undefined) ?? ["x86_64"]) as VersionConfig["architectures"],
    ephemeralStorage: ((input.EphemeralStorage as { Size?: number } | undefined)?.Size) ?? 512,
    tracingMode: (((input.TracingConfig as Input | undefined)?.Mode as string | undefined) ?? "PassThrough") as VersionConfig["tracingMode"],
    ...applyLoggingConfig({ logFormat: "Text" }, logging),
    logGroup: (logging.LogGroup as string | undefined) ?? `/aws/lambda/${loc.name}`,
    kmsKeyArn: (input.KMSKeyArn as string | undefined) || undefined,
    deadLetterTargetArn: ((input.DeadLetterConfig as Input | undefined)?.TargetArn as string | undefined) || undefined,
    vpcConfig: vpc && hasVpc({ vpcConfig: vpc }) ? vpc : undefined,
    lastActivityAt: now,
    state: "Pending", // function-state.ts sets the real state below
  };
  stripUndefined(latest);
  const fn: FunctionRecord = { name: loc.name, latest, versions: dict(), lastVersion: 0, aliases: dict(), tags: dict(tags), policies: dict() };
  state.functions[loc.name] = fn;
  const versions = [LATEST];
  let published: VersionConfig | undefined;
  if (input.Publish === true) {
    published = publishVersion(env, fn, undefined).cfg;
    versions.push(published.version);
  }
  env.states.beginCreate(loc, fn, hasVpc(latest) ? [CODE_TASK, ENI_TASK] : [CODE_TASK], versions);
  const shown = published ? toFunctionConfiguration(loc, published, { arnQualifier: published.version }) : toFunctionConfiguration(loc, fn.latest);
  return restOutput(201, shown);
}

// ---- GetFunction / GetFunctionConfiguration ----

export function getFunction(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "GetFunction";
  const input = { FunctionName: call.labels.FunctionName, Qualifier: call.query.get("Qualifier") ?? undefined };
  validate(NAMESPACED_WITH_QUALIFIER, input);
  const found = requireFunction(env, call, input.FunctionName, input.Qualifier, "lambda:GetFunction");
  const t = requireQualifier(found, found.ref.qualifier);
  const out: GetFunctionResponse = {
    Configuration: toFunctionConfiguration(found.loc, t.cfg, { arnQualifier: found.ref.qualifier }),
    Code: { RepositoryType: "S3", Location: codeLocation(env, found.loc, t.cfg.code, call.headers.host) },
  };
  if (Object.keys(found.fn.tags).length > 0) out.Tags = { ...found.fn.tags };
  if (found.fn.reservedConcurrency !== undefined) out.Concurrency = { ReservedConcurrentExecutions: found.fn.reservedConcurrency };
  return restOutput(200, out);
}

export function getFunctionConfiguration(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "GetFunctionConfiguration";
  const input = { FunctionName: call.labels.FunctionName, Qualifier: call.query.get("Qualifier") ?? undefined };
  validate(NAMESPACED_WITH_QUALIFIER, input);
  const found = requireFunction(env, call, input.FunctionName, input.Qualifier, "lambda:GetFunctionConfiguration");
  const t = requireQualifier(found, found.ref.qualifier);
  const out: FunctionConfiguration = toFunctionConfiguration(found.loc, t.cfg, { arnQualifier: found.ref.qualifier });
  return restOutput(200, out);
}

/**
 * A URL on this server that downloads the zip, presigned (SigV4, valid for 10 minutes) like S3's.
 * Its host is the one the caller reached (the gateway has already refused a Host that does not
 * name this server), so a client on another machine gets a URL it can use.
 */
export function codeLocation(env: LambdaEnv, loc: FunctionLocation, code: CodeRecord, host?: string): string {
  const path = `/_hyperlocal/lambda-code/${loc.account}/${loc.region}/${encodeURIComponent(loc.name)}/${code.sha256Hex}`;
  const base = host && /^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(host) ? `http://${host}` : env.serverUrl();
  return env.code.urls.presign(base, path, loc.region, env.clock.now());
}

// ---- UpdateFunctionConfiguration ----

export function updateFunctionConfiguration(env: LambdaEnv, call: LambdaCall): RestOutput {
  const { ctx } = call;
  ctx.operation = "UpdateFunctionConfiguration";
  const input: Record<string, unknown> = { ...call.input(), FunctionName: call.labels.FunctionName };
  validate(UPDATE_FUNCTION_CONFIGURATION, input);
  const vpcInput = input.VpcConfig as VpcInput | undefined;
  // Without VpcConfig the keys are the function's current values; with it, the requested ones.
  const found = requireFunction(env, call, input.FunctionName, undefined, "lambda:UpdateFunctionConfiguration", {
    noQualifier: true,
    context: (current, at) => (vpcInput !== undefined ? vpcConditionKeys(env.vpc?.ec2, at, vpcInput) : currentVpcKeys(current?.latest)),
  });
  const { fn, loc } = found;
  const previous = fn.latest;
  if (input.RevisionId !== undefined && input.RevisionId !== previous.revisionId) throw preconditionFailed(REVISION_MISMATCH);
  const conflict = env.states.modifyConflict(fn, found.arn);
  if (conflict) throw conflict;

  if (input.Role !== undefined && input.Role !== previous.role) {
    ctx.authorize("iam:PassRole", String(input.Role), { context: { "iam:PassedToService": LAMBDA_SERVICE_PRINCIPAL } });
  }
  checkRuntimeAndHandler(input.Runtime ?? previous.runtime, input.Handler ?? previous.handler, input.Runtime !== undefined);
  checkCommonConfig(input);
  if (input.Role !== undefined && input.Role !== previous.role) env.roles.check(loc.account, String(input.Role));
  const nextRole = input.Role !== undefined ? String(input.Role) : previous.role;
  let vpc: VersionConfig["vpcConfig"] | undefined;
  if (vpcInput !== undefined) vpc = checkVpc(env, call, loc, vpcInput, nextRole);
  else if (nextRole !== previous.role && hasVpc(previous) && env.vpc) {
    // The new role must be able to manage the function's ENIs too.
    checkRoleCanManageEnis(env.iam, loc, nextRole, previous.vpcConfig.subnetIds, previous.vpcConfig.securityGroupIds);
  }

  const next: VersionConfig = { ...previous, lastModified: lambdaTimestamp(env.clock.now()), revisionId: uuid(), internalRevision: uuid(), lastActivityAt: env.clock.now() };
  if (input.Role !== undefined) next.role = String(input.Role);
  if (input.Handler !== undefined) next.handler = String(input.Handler);
  if (input.Description !== undefined) next.description = String(input.Description);
  if (input.Timeout !== undefined) next.timeout = input.Timeout as number;
  if (input.MemorySize !== undefined) next.memorySize = input.MemorySize as number;
  if (input.Runtime !== undefined) next.runtime = String(input.Runtime);
  if (input.Environment !== undefined) {
    const vars = (input.Environment as { Variables?: Record<string, string> }).Variables;
    next.environment = dict(vars ?? {});
  }
  if (input.TracingConfig !== undefined) {
    const mode = (input.TracingConfig as Input).Mode as VersionConfig["tracingMode"] | undefined;
    if (mode) next.tracingMode = mode;
  }
  if (input.DeadLetterConfig !== undefined) {
    const target = (input.DeadLetterConfig as Input).TargetArn as string | undefined;
    if (target) next.deadLetterTargetArn = target;
    else delete next.deadLetterTargetArn;
  }
  if (input.KMSKeyArn !== undefined) {
    if (input.KMSKeyArn) next.kmsKeyArn = String(input.KMSKeyArn);
    else delete next.kmsKeyArn;
  }
  if (input.EphemeralStorage !== undefined) next.ephemeralStorage = (input.EphemeralStorage as { Size: number }).Size;
  if (input.LoggingConfig !== undefined) {
    const l = input.LoggingConfig as Input;
    if (l.LogGroup !== undefined) next.logGroup = String(l.LogGroup);
    const levels = applyLoggingConfig(next, l);
    delete next.applicationLogLevel;
    delete next.systemLogLevel;
    Object.assign(next, levels);
  }
  if (vpc !== undefined) {
    if (hasVpc({ vpcConfig: vpc })) next.vpcConfig = vpc;
    else if (next.vpcConfig) next.vpcConfig = detachedVpc();
  }
  fn.latest = next;
  // A configuration with a VPC needs its ENIs: new ones (moved) keep the update InProgress until they
  // exist, while the previous configuration serves; existing ones are reused at once.
  const needsEnis = hasVpc(next) && env.vpc !== undefined;
  env.states.beginUpdate(loc, fn, previous, needsEnis ? [ENI_TASK] : [], { reactivates: needsEnis });
  return restOutput(200, toFunctionConfiguration(loc, fn.latest));
}

// ---- UpdateFunctionCode ----

export async function updateFunctionCode(env: LambdaEnv, call: LambdaCall): Promise<RestOutput> {
  const { ctx } = call;
  ctx.operation = "UpdateFunctionCode";
  const input: Record<string, unknown> = { ...call.input(), FunctionName: call.labels.FunctionName };
  validate(UPDATE_FUNCTION_CODE, input);
  const found = requireFunction(env, call, input.FunctionName, undefined, "lambda:UpdateFunctionCode", { noQualifier: true });
  const { fn, loc } = found;
  const canUpdate = () => {
    if (env.state(loc.account, loc.region).functions[loc.name] !== fn) throw functionNotFound(found.arn);
    if (input.RevisionId !== undefined && input.RevisionId !== fn.latest.revisionId) throw preconditionFailed(REVISION_MISMATCH);
    const conflict = env.states.modifyConflict(fn, found.arn);
    if (conflict) throw conflict;
  };
  canUpdate();
  const code = await storeCode(env, call.ctx, input, false);
  if (!code) throw invalidParameter("Please provide a source for function code."); // unverified wording
  // The code was unpacked off the event loop: the function may have changed or gone meanwhile.
  canUpdate();
  const previous = fn.latest;
  // The new code counts unless $LATEST's present code is kept by a published version.
  const keptByVersion = Object.values(fn.versions).some((v) => v.code.sha256Hex === previous.code.sha256Hex);
  if (code.sha256Hex !== previous.code.sha256Hex) checkCodeStorage(env, found.state, code.size - (keptByVersion ? 0 : previous.code.size));

  const next: VersionConfig = { ...previous, code, lastModified: lambdaTimestamp(env.clock.now()), revisionId: uuid(), internalRevision: uuid(), lastActivityAt: env.clock.now() };
  if (input.Architectures !== undefined) next.architectures = input.Architectures as VersionConfig["architectures"];
  if (input.DryRun === true) {
    // Nothing changes: the answer shows what the update would give.
    return restOutput(200, toFunctionConfiguration(loc, { ...next, revisionId: previous.revisionId }));
  }
  fn.latest = next;
  env.states.beginUpdate(loc, fn, previous, [CODE_TASK]);
  let published: VersionConfig | undefined;
  if (input.Publish === true) {
    const p = publishVersion(env, fn, undefined);
    published = p.cfg;
    if (p.created) env.states.beginPublish(loc, fn, published.version, publishTasks(env, published));
  }
  const shown = published ? toFunctionConfiguration(loc, published, { arnQualifier: published.version }) : toFunctionConfiguration(loc, fn.latest);
  return restOutput(200, shown);
}

// ---- DeleteFunction ----

export async function deleteFunction(env: LambdaEnv, call: LambdaCall): Promise<RestOutput> {
  call.ctx.operation = "DeleteFunction";
  const input = { FunctionName: call.labels.FunctionName, Qualifier: call.query.get("Qualifier") ?? undefined };
  validate(NAMESPACED_WITH_QUALIFIER, input);
  const found = requireFunction(env, call, input.FunctionName, input.Qualifier, "lambda:DeleteFunction");
  const { fn, loc, state, arn } = found;
  const q = found.ref.qualifier;
  if (q !== undefined) {
    if (q === LATEST) throw invalidParameter("$LATEST version cannot be deleted without deleting the function.");
    // unverified wording
    if (!/^\d+$/.test(q)) throw invalidParameter("Deletion of aliases is not supported by DeleteFunction. Use DeleteAlias.");
    if (!fn.versions[q]) throw functionNotFound(functionArn(loc.region, loc.account, loc.name, q));
    const users = Object.values(fn.aliases)
      .filter((a) => a.functionVersion === q || (a.additionalVersionWeights && q in a.additionalVersionWeights))
      .map((a) => a.name);
    if (users.length > 0) throw resourceConflict(`Unable to delete version because the following aliases reference it: [${users.join(", ")}]`);
    delete fn.versions[q];
    delete fn.policies[q];
    env.states.cancelVersion(loc, fn, q);
    env.vpc?.forgetVersion(loc, q);
    await env.runtime.stopFunction(`${arn}:${q}`);
    env.collectCode();
    return { status: 204, headers: {}, body: "" };
  }
  env.vpc?.forgetFunction(loc, fn);
  delete state.functions[loc.name];
  env.states.cancel(loc);
  state.asyncEvents = state.asyncEvents.filter((e) => e.functionName !== loc.name);
  env.roles.forget(arn);
  await env.runtime.stopFunction(`${arn}:`);
  env.collectCode();
  return { status: 204, headers: {}, body: "" };
}

// ---- ListFunctions ----

export function listFunctions(env: LambdaEnv, call: LambdaCall): RestOutput {
  call.ctx.operation = "ListFunctions";
  const input: Input = {
    MasterRegion: call.query.get("MasterRegion") ?? undefined,
    FunctionVersion: call.query.get("FunctionVersion") ?? undefined,
    Marker: call.query.get("Marker") ?? undefined,
    MaxItems: queryInt(call.query.get("MaxItems")),
  };
  validate(LIST_FUNCTIONS, input);
  call.ctx.authorize("lambda:ListFunctions", "*");
  const loc0 = { account: call.ctx.accountId, region: call.ctx.region };
  const state = env.state(loc0.account, loc0.region);
  const all = input.FunctionVersion === "ALL";
  const items: FunctionConfiguration[] = [];
  for (const name of Object.keys(state.functions).sort()) {
    const fn = state.functions[name];
    const loc = { ...loc0, name };
    items.push(toFunctionConfiguration(loc, fn.latest, { listing: true, arnQualifier: all ? LATEST : undefined }));
    if (all) {
      for (const v of Object.keys(fn.versions).sort((a, b) => Number(a) - Number(b))) {
        items.push(toFunctionConfiguration(loc, fn.versions[v], { listing: true, arnQualifier: v }));
      }
    }
  }
  const page = paginate(items, input.Marker as string | undefined, (input.MaxItems as number | undefined) ?? 50);
  const out: ListFunctionsResponse = { Functions: page.items };
  if (page.nextMarker) out.NextMarker = page.nextMarker;
  return restOutput(200, out);
}

/** Markers are opaque to clients: the position of the next item, base64url. */
export function paginate<T>(items: T[], marker: string | undefined, maxItems: number): { items: T[]; nextMarker?: string } {
  let start = 0;
  if (marker !== undefined && marker !== "") {
    const n = Number(Buffer.from(marker, "base64url").toString("utf8").replace(/^p:/, ""));
    // unverified wording
    if (!Number.isInteger(n) || n < 0 || !Buffer.from(marker, "base64url").toString("utf8").startsWith("p:")) throw invalidParameter("Invalid marker.");
    start = n;
  }
  const slice = items.slice(start, start + maxItems);
  const next = start + maxItems < items.length ? Buffer.from(`p:${start + maxItems}`).toString("base64url") : undefined;
  return next ? { items: slice, nextMarker: next } : { items: slice };
}

/** A querystring integer; a non-number is what Coral's deserializer refuses. */
export function queryInt(v: string | null): number | string | undefined {
  if (v === null) return undefined;
  return /^-?\d+$/.test(v) ? Number(v) : v;
}

// ---- shared checks ----

function checkPackageType(packageType: unknown, code: Input): void {
  // unverified wording
  if (packageType === "Image" || code.ImageUri !== undefined) {
    throw invalidParameter("hyperlocal runs .zip deployment packages only: PackageType Image (container images) is not supported.");
  }
}

const RUNTIME_SUCCESSOR: [RegExp, string][] = [
  [/^nodejs/, "nodejs22.x"],
  [/^python/, "python3.13"],
  [/^java/, "java21"],
  [/^dotnet/, "dotnet8"],
  [/^ruby/, "ruby3.3"],
  [/^(go1\.x|provided)$/, "provided.al2023"],
];

function checkRuntimeAndHandler(runtime: unknown, handler: unknown, runtimeGiven: boolean): void {
  if (runtime === undefined) {
    throw invalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.");
  }
  const rt = String(runtime);
  if (runtimeGiven && DEPRECATED_RUNTIMES.has(rt)) {
    const successor = RUNTIME_SUCCESSOR.find(([re]) => re.test(rt))?.[1] ?? "nodejs22.x";
    throw invalidParameter(
      `The runtime parameter of ${rt} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (${successor}) while creating or updating functions.`,
    );
  }
  if (!(RUNTIME_ENUM as readonly string[]).includes(rt)) {
    const accepted = RUNTIME_ENUM.filter((r) => !DEPRECATED_RUNTIMES.has(r));
    throw invalidParameter(`Value ${rt} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${accepted.join(", ")}] or be a valid ARN`);
  }
  if (!(SUPPORTED_RUNTIMES as readonly string[]).includes(rt) || !runtimeFamily(rt)) {
    // unverified wording: a runtime AWS has but hyperlocal cannot run
    throw invalidParameter(`The runtime parameter of ${rt} is not supported by hyperlocal. Supported runtimes: ${SUPPORTED_RUNTIMES.join(", ")}.`);
  }
  if (handler === undefined && runtimeFamily(rt) !== "provided") {
    throw invalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.");
  }
}

/**
 * Lambda's reserved variable names (a user may not set them): the runtime's list, less
 * AWS_ENDPOINT_URL, which only hyperlocal reserves (it keeps function code talking to this server)
 * and so is dropped at run time rather than refused here.
 */
const RESERVED_VARIABLES: ReadonlySet<string> = new Set([...RESERVED_ENV_NAMES].filter((n) => n !== "AWS_ENDPOINT_URL"));

function checkCommonConfig(input: Input): void {
  if (typeof input.Timeout === "number" && input.Timeout > LIMITS.maxTimeoutSec) {
    throw oneProblem("timeout", input.Timeout, `Member must have value less than or equal to ${LIMITS.maxTimeoutSec}`);
  }
  if (typeof input.MemorySize === "number" && input.MemorySize > LIMITS.maxMemoryMb) {
    // The model allows 32768 for Lambda Managed Instances; on-demand functions stop at 10240. unverified wording
    throw oneProblem("memorySize", input.MemorySize, `Member must have value less than or equal to ${LIMITS.maxMemoryMb}`);
  }
  const vars = (input.Environment as { Variables?: Record<string, string> } | undefined)?.Variables;
  if (vars) {
    const reserved = Object.keys(vars).filter((k) => RESERVED_VARIABLES.has(k));
    if (reserved.length > 0) {
      throw invalidParameter(
        `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`,
      );
    }
    const measured = JSON.stringify(vars);
    if (Buffer.byteLength(measured) > LIMITS.envVarsBytes) {
      throw invalidParameter(
        `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
      );
    }
  }
  const layers = input.Layers as string[] | undefined;
  // unverified wording: hyperlocal has no layers yet, so no layer version exists
  if (layers && layers.length > 0) throw invalidParameter(`Layer version ${layers[0]} does not exist.`);
  const fs = input.FileSystemConfigs as unknown[] | undefined;
  // unverified wording
  if (fs && fs.length > 0) throw invalidParameter("hyperlocal does not support EFS file systems (FileSystemConfigs).");
  // unverified wording
  if (input.CodeSigningConfigArn) throw invalidParameter("hyperlocal does not support code signing (CodeSigningConfigArn).");
  // unverified wording
  if ((input.SnapStart as Input | undefined)?.ApplyOn === "PublishedVersions") throw invalidParameter("hyperlocal does not support SnapStart.");
  checkCoexist(input.VpcConfig as VpcInput | undefined);
}

/** VpcConfig's checks (vpc-config.ts), or hyperlocal's refusal when it runs without EC2. */
function checkVpc(env: LambdaEnv, call: LambdaCall, loc: FunctionLocation, vpc: VpcInput, role: string): NonNullable<VersionConfig["vpcConfig"]> {
  if (!env.vpc) {
    checkCoexist(vpc);
    // unverified wording: only an app built without EC2 (unit tests) says this
    if ((vpc.SubnetIds ?? []).length > 0) throw invalidParameter("hyperlocal runs without EC2 here: functions cannot be attached to a VPC.");
    return detachedVpc();
  }
  return resolveVpcConfig({ ec2: env.vpc.ec2, iam: env.iam }, call.ctx, loc, vpc, role);
}

/** A version being published needs its code, and its ENIs when it has a VPC. */
export function publishTasks(env: LambdaEnv, cfg: VersionConfig): string[] {
  return hasVpc(cfg) && env.vpc ? [CODE_TASK, ENI_TASK] : [CODE_TASK];
}

/** ZipFile or an S3 object → the code store; images are not here (yet). Returns undefined when no source was given. */
async function storeCode(env: LambdaEnv, ctx: OperationContext, code: Input, required: boolean): Promise<CodeRecord | undefined> {
  const hasS3 = code.S3Bucket !== undefined || code.S3Key !== undefined || code.S3ObjectVersion !== undefined;
  if (code.ZipFile !== undefined && hasS3) {
    // unverified wording
    throw invalidParameter("Please do not provide other FunctionCode parameters when providing a ZipFile.");
  }
  if (hasS3) return env.code.put(codeFromS3(env, ctx, code));
  if (code.ImageUri !== undefined) checkPackageType("Image", code);
  if (code.ZipFile === undefined) {
    // unverified wording
    if (required) throw invalidParameter("Please provide a source for function code.");
    return undefined;
  }
  const zip = Buffer.from(String(code.ZipFile), "base64");
  return env.code.put(zip);
}

/** The zip named by S3Bucket, S3Key and S3ObjectVersion, read with the caller's permissions; S3's errors in Lambda's words. */
function codeFromS3(env: LambdaEnv, ctx: OperationContext, code: Input): Buffer {
  if (code.S3Bucket === undefined || code.S3Key === undefined) throw invalidParameter("Please provide both S3Bucket and S3Key for the function code."); // unverified wording
  const bucket = String(code.S3Bucket);
  const key = String(code.S3Key);
  if (!env.s3) throw invalidParameter("Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist");
  try {
    return env.s3.readObject(ctx, bucket, key, code.S3ObjectVersion === undefined ? undefined : String(code.S3ObjectVersion));
  } catch (e) {
    if (!isAwsError(e)) throw e;
    if (e.status === 403) {
      throw new AwsError(
        "AccessDeniedException",
        403,
        `Your access has been denied by S3, please make sure your request credentials have permission to GetObject for ${bucket}/${key}. S3 Error Code: AccessDenied. S3 Error Message: Access Denied`,
      );
    }
    throw invalidParameter(`Error occurred while GetObject. S3 Error Code: ${e.code}. S3 Error Message: ${e.message}`);
  }
}

function stripUndefined(o: object): void {
  for (const [k, v] of Object.entries(o)) if (v === undefined) delete (o as Record<string, unknown>)[k];
}
