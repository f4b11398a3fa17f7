// The Lambda service: its REST API (rest-json, apiVersion 2015-03-31 and the dated paths beside it),
// function states, execution through the runtime, logs, and hyperlocal's own admin routes for it
// (/_hyperlocal/logs/<function>, /_hyperlocal/lambda-code/... for GetFunction's Code.Location).
import { randomUUID } from "node:crypto";
import { AwsError } from "../../core/aws-error.ts";
import { denialMessage } from "../../core/authorization.ts";
import { adminCount, adminError, adminScope, isAdminResponse, type AdminRoutes } from "../../core/admin.ts";
import type { RestOperation, RestServiceModel } from "../../core/rest-model.ts";
import type { RuntimeManager } from "../../runtime/index.ts";
import type { IamInternal } from "../iam/index.ts";
import type { ServiceDeps } from "../service-deps.ts";
import { createAlias, deleteAlias, getAlias, listAliases, updateAlias } from "./aliases.ts";
import { AsyncQueue } from "./async-queue.ts";
import { s3ErrorXml } from "./code-location.ts";
import { UNZIP_FAILED } from "./code-store.ts";
import { deleteFunctionConcurrency, getAccountSettings, getFunctionConcurrency, putFunctionConcurrency } from "./concurrency.ts";
import {
  deleteFunctionEventInvokeConfig,
  getFunctionEventInvokeConfig,
  listFunctionEventInvokeConfigs,
  putFunctionEventInvokeConfig,
  updateFunctionEventInvokeConfig,
} from "./event-invoke-config.ts";
import { LambdaEnv, type LambdaCall, type LambdaOperation, type LambdaOptions } from "./env.ts";
import { parseFunctionRef } from "./function-names.ts";
import {
  CODE_TASK,
  createFunction,
  deleteFunction,
  getFunction,
  getFunctionConfiguration,
  listFunctions,
  updateFunctionCode,
  updateFunctionConfiguration,
} from "./functions.ts";
import { invoke } from "./invoke.ts";
import type { LambdaState } from "./model.ts";
import { addPermission, getPolicy, removePermission } from "./policy.ts";
import { LAMBDA_ROUTES, type LambdaOperationName } from "./routes.ts";
import { listTags, tagResource, untagResource } from "./tags.ts";
import { listVersionsByFunction, publishVersionOperation } from "./versions.ts";
import { ENI_TASK, type NetworkSource, type VpcSource } from "./vpc.ts";

export type { LambdaOptions, NetworkEnv, NetworkFunctionInfo } from "./env.ts";
export type { NetworkSource, VpcSource } from "./vpc.ts";

/** Lambda accepts zipped code up to 50 MB, which is about 70 MB once base64-encoded in JSON. */
export const LAMBDA_MAX_BODY = 69_905_067;

export interface LambdaModule {
  /** The service model; the rest-json codec binds it to the wire (bindRestJsonService, in app.ts). */
  model: RestServiceModel<LambdaOperationName>;
  /** GET /_hyperlocal/logs/{function}, GET /_hyperlocal/lambda-code/..., GET /_hyperlocal/lambda/runtime */
  registerAdminRoutes(admin: AdminRoutes): void;
  /**
   * The Hyperplane ENI a function's connections leave from (the configuration serving `qualifier`
   * now; with several subnets the first whose ENI is ready); undefined without VPC or before its ENIs exist.
   */
  vpcSource(account: string, region: string, functionName: string, qualifier?: string): VpcSource | undefined;
  /**
   * The same as the network module's NetSource: the ENI, or `unavailable` with the reason when the
   * function is attached but has no usable ENI now (Pending, Inactive, Failed); undefined when the
   * function does not exist. Fits NetworkModuleDeps.functionSource.
   */
  networkSource(account: string, region: string, functionName: string, qualifier?: string): NetworkSource | undefined;
  /** Tags an AWS service adds (CloudFormation's aws:cloudformation:*), which no caller may add; false when there is no such function. */
  addServiceTags(account: string, region: string, functionName: string, tags: Record<string, string>): boolean;
}

/** InvokeAsync (2014-11-13), deprecated but still routed: queue like an Event invoke. */
const invokeAsync: LambdaOperation = async (env, call) => {
  const r = await invoke(env, { ...call, headers: { ...call.headers, "x-amz-invocation-type": "Event", "x-amz-log-type": undefined } });
  if (r.status === 202) return { status: 202, headers: { "content-type": "application/json" }, body: JSON.stringify({ Status: 202 }) };
  return r;
};

const OPERATIONS: Record<LambdaOperationName, LambdaOperation> = {
  CreateFunction: createFunction,
  ListFunctions: listFunctions,
  GetFunction: getFunction,
  DeleteFunction: deleteFunction,
  GetFunctionConfiguration: getFunctionConfiguration,
  UpdateFunctionConfiguration: updateFunctionConfiguration,
  UpdateFunctionCode: updateFunctionCode,
  Invoke: invoke,
  InvokeAsync: invokeAsync,
  PublishVersion: publishVersionOperation,
  ListVersionsByFunction: listVersionsByFunction,
  CreateAlias: createAlias,
  ListAliases: listAliases,
  GetAlias: getAlias,
  UpdateAlias: updateAlias,
  DeleteAlias: deleteAlias,
  AddPermission: addPermission,
  GetPolicy: getPolicy,
  RemovePermission: removePermission,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTags: listTags,
  PutFunctionConcurrency: putFunctionConcurrency,
  DeleteFunctionConcurrency: deleteFunctionConcurrency,
  GetFunctionConcurrency: getFunctionConcurrency,
  GetAccountSettings: getAccountSettings,
  PutFunctionEventInvokeConfig: putFunctionEventInvokeConfig,
  GetFunctionEventInvokeConfig: getFunctionEventInvokeConfig,
  UpdateFunctionEventInvokeConfig: updateFunctionEventInvokeConfig,
  DeleteFunctionEventInvokeConfig: deleteFunctionEventInvokeConfig,
  ListFunctionEventInvokeConfigs: listFunctionEventInvokeConfigs,
};

export function createLambdaService(deps: ServiceDeps, iam: IamInternal, runtime: RuntimeManager, opts: LambdaOptions = {}): LambdaModule {
  const env = new LambdaEnv(deps, iam, runtime, opts);
  env.queue = new AsyncQueue(env);

  // What must be done before a function is Active: its code unpacked (the VPC issue adds ENIs).
  // Usually the tree is already there (put unpacked it) and the task is done at once.
  env.states.registerTask(CODE_TASK, ({ fn }) => {
    const missing = [fn.latest, ...Object.values(fn.versions)].filter((cfg) => !env.code.isUnpacked(cfg.code));
    if (missing.length === 0) return { ok: true };
    return Promise.all(missing.map((cfg) => env.code.codeDir(cfg.code))).then(
      () => ({ ok: true as const }),
      (e: Error) => {
        deps.logger.warn(`lambda: preparing the code of ${fn.name}: ${e.message}`);
        return { ok: false as const, reasonCode: "InvalidZipFileException", reason: UNZIP_FAILED };
      },
    );
  });

  // A VPC configuration is ready once its Hyperplane ENIs exist (created, or shared and reused).
  env.states.registerTask(ENI_TASK, (t) => {
    if (!env.vpc) return { ok: true };
    return env.vpc.runTask(t);
  });

  // After a restart: transitions and queued events continue where the snapshot left them.
  const restored = deps.store.all<LambdaState>("lambda");
  for (const { account, region, state } of restored) {
    state.asyncEvents ??= [];
    for (const fn of Object.values(state.functions)) env.states.resume({ account, region, name: fn.name }, fn);
  }
  env.queue.restore(restored);
  env.vpc?.armIdle();

  const operations = {} as Record<LambdaOperationName, RestOperation>;
  for (const name of Object.keys(OPERATIONS) as LambdaOperationName[]) {
    const op = OPERATIONS[name];
    operations[name] = (call, ctx) => op(env, { ...call, ctx });
  }

  const stopEverything = async () => {
    env.states.clear();
    env.queue.clear();
    env.concurrency.clear();
    env.roles.clear();
    env.vpc?.clear();
  };

  return {
    model: {
      signingName: "lambda",
      protocol: "rest-json",
      maxBodyBytes: LAMBDA_MAX_BODY,
      routes: LAMBDA_ROUTES,
      operations,
      accessDenied: (p, a, r, d) => new AwsError("AccessDeniedException", 403, denialMessage(p, a, r, d)),
      onReset: async () => {
        await stopEverything();
        env.logs.clear();
        await runtime.stopFunction("arn:");
        env.collectCode();
      },
      onShutdown: async () => {
        await stopEverything();
        await runtime.shutdown();
        await env.code.close();
      },
    },
    registerAdminRoutes(admin: AdminRoutes) {
      admin.add("GET", "logs/{function}", (req, params) => {
        const scope = adminScope(req.query, deps.config);
        if (isAdminResponse(scope)) return scope;
        const { account, region } = scope;
        const since = adminCount(req.query, "since", 0, 0, Number.MAX_SAFE_INTEGER);
        if (isAdminResponse(since)) return since;
        const limit = adminCount(req.query, "limit", 1000, 1, 10_000);
        if (isAdminResponse(limit)) return limit;
        let name: string;
        try {
          name = parseFunctionRef(params.function, { accountId: account, region }).name;
        } catch (e) {
          return adminError(400, (e as Error).message);
        }
        const state = env.state(account, region);
        // A name from the URL: "constructor" or "__proto__" is no function.
        const fn = Object.hasOwn(state.functions, name) ? state.functions[name] : undefined;
        if (!fn && !env.logs.has(account, region, name)) {
          return adminError(404, `Function not found: arn:aws:lambda:${region}:${account}:function:${name}`);
        }
        const { events, next } = env.logs.read(account, region, name, since, limit);
        if (req.query.get("format") === "text") {
          return { status: 200, body: events.map((e) => e.message + "\n").join(""), headers: { "content-type": "text/plain; charset=utf-8" } };
        }
        return {
          status: 200,
          body: {
            functionName: name,
            account,
            region,
            logGroupName: fn?.latest.logGroup ?? `/aws/lambda/${name}`,
            events: events.map((e) => ({ seq: e.seq, timestamp: new Date(e.timestamp).toISOString(), message: e.message })),
            next,
          },
        };
      });

      admin.add("GET", "lambda-code/{account}/{region}/{name}/{sha}", (req, params) => {
        // A presigned URL (Code.Location): its signature is the credential, as for S3.
        const url = req.raw.url ?? "";
        const q = url.indexOf("?");
        const now = env.clock.now();
        const check = env.code.urls.check({ rawPath: q < 0 ? url : url.slice(0, q), rawQuery: q < 0 ? "" : url.slice(q + 1), query: req.query, headers: req.raw.headers }, params.region, now);
        const xml = { "content-type": "application/xml" };
        if (!check.ok) return { status: 403, body: s3ErrorXml(check, randomUUID(), now), headers: xml };
        const fn = Object.hasOwn(env.state(params.account, params.region).functions, params.name) ? env.state(params.account, params.region).functions[params.name] : undefined;
        const uses = fn && [fn.latest, fn.serving, ...Object.values(fn.versions)].some((c) => c?.code.sha256Hex === params.sha);
        const zip = uses ? env.code.read(params.sha) : undefined;
        if (!zip) return { status: 404, body: s3ErrorXml({ ok: false, code: "NoSuchKey", message: "The specified key does not exist." }, randomUUID(), now), headers: xml };
        return { status: 200, body: zip, headers: { "content-type": "application/zip" } };
      }, { ownCredential: true });

      admin.add("GET", "lambda/runtime", () => ({ status: 200, body: runtime.stats() }));
    },
    vpcSource: (account, region, functionName, qualifier) => env.vpc?.vpcSource(account, region, functionName, qualifier),
    networkSource: (account, region, functionName, qualifier) => {
      // The reachability route passes a name from its query string.
      if (!Object.hasOwn(env.state(account, region).functions, functionName)) return undefined;
      if (env.vpc) return env.vpc.networkSource(account, region, functionName, qualifier);
      return { account, region, functionName };
    },
    addServiceTags: (account, region, functionName, tags) => {
      const functions = env.state(account, region).functions;
      if (!Object.hasOwn(functions, functionName)) return false;
      Object.assign(functions[functionName].tags, tags);
      env.markDirty();
      return true;
    },
  };
}

