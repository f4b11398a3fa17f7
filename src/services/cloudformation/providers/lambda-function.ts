import { writeZip } from "../../../runtime/zip.ts";
import { isObject, type Json, type JsonObject } from "../template/parse.ts";
import { isNotFound, list, mergedTags, s, waitUntil } from "./common.ts";
import type { ProviderContext, ResourceOutput, ResourceProvider } from "./types.ts";
import { specSchema } from "../spec/resource-spec.ts";

const F = "/2015-03-31/functions";

/** Code.ZipFile: CloudFormation zips the text as index.py / index.js (index.mjs is not used). */
function code(props: JsonObject): Record<string, unknown> {
  const c = isObject(props.Code) ? props.Code : {};
  if (c.ZipFile !== undefined) {
    const runtime = s(props.Runtime) ?? "";
    const file = runtime.startsWith("python") ? "index.py" : "index.js";
    return { ZipFile: writeZip([{ name: file, data: Buffer.from(String(c.ZipFile), "utf8") }]).toString("base64") };
  }
  const out: Record<string, unknown> = {};
  for (const k of ["S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri"]) if (c[k] !== undefined) out[k] = s(c[k]);
  return out;
}

/** The configuration members UpdateFunctionConfiguration takes, from the template. */
function configuration(props: JsonObject): Record<string, unknown> {
  const vpc = isObject(props.VpcConfig) ? props.VpcConfig : undefined;
  const env = isObject(props.Environment) ? props.Environment : undefined;
  const out: Record<string, unknown> = {
    Role: s(props.Role),
    Handler: s(props.Handler),
    Runtime: s(props.Runtime),
    Description: s(props.Description) ?? "",
    Timeout: props.Timeout !== undefined ? Number(props.Timeout) : 3,
    MemorySize: props.MemorySize !== undefined ? Number(props.MemorySize) : 128,
    Environment: { Variables: isObject(env?.Variables) ? Object.fromEntries(Object.entries(env.Variables).map(([k, v]) => [k, s(v) ?? ""])) : {} },
    VpcConfig: vpc
      ? { SubnetIds: list(vpc.SubnetIds).map(String), SecurityGroupIds: list(vpc.SecurityGroupIds).map(String), ...(vpc.Ipv6AllowedForDualStack !== undefined ? { Ipv6AllowedForDualStack: s(vpc.Ipv6AllowedForDualStack) === "true" } : {}) }
      : { SubnetIds: [], SecurityGroupIds: [] },
    Layers: list(props.Layers).map(String),
  };
  for (const k of ["TracingConfig", "DeadLetterConfig", "EphemeralStorage", "LoggingConfig", "SnapStart", "FileSystemConfigs", "ImageConfig"]) if (props[k] !== undefined) out[k] = props[k];
  if (props.KmsKeyArn !== undefined) out.KMSKeyArn = s(props.KmsKeyArn);
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** Active (CREATE_COMPLETE) or LastUpdateStatus Successful, on the clock; Failed is the handler's error. */
async function stabilize(ctx: ProviderContext, name: string, update: boolean): Promise<any> {
  let cfg: any;
  await waitUntil(ctx, async () => {
    cfg = await ctx.call.lambda("GET", `${F}/${encodeURIComponent(name)}/configuration`);
    if (cfg.State === "Failed") throw new Error(`The function's state is Failed. ${cfg.StateReasonCode}: ${cfg.StateReason}`); // unverified wording
    if (update && cfg.LastUpdateStatus === "Failed") throw new Error(`The function's last update failed. ${cfg.LastUpdateStatusReasonCode}: ${cfg.LastUpdateStatusReason}`); // unverified wording
    return cfg.State === "Active" && (!update || cfg.LastUpdateStatus !== "InProgress");
  });
  return cfg;
}

/** No update in progress (Lambda refuses another meanwhile), whatever its outcome. */
function settled(ctx: ProviderContext, name: string): Promise<void> {
  return waitUntil(ctx, async () => (await ctx.call.lambda("GET", `${F}/${encodeURIComponent(name)}/configuration`)).LastUpdateStatus !== "InProgress");
}

/** After CreateFunction: reserved concurrency, then Active; on a failure the function is deleted. */
async function finishCreate(ctx: ProviderContext, name: string, props: JsonObject, attrs: Record<string, Json>): Promise<ResourceOutput> {
  try {
    if (props.ReservedConcurrentExecutions !== undefined) {
      await ctx.call.lambda("PUT", `/2017-10-31/functions/${encodeURIComponent(name)}/concurrency`, { ReservedConcurrentExecutions: Number(props.ReservedConcurrentExecutions) });
    }
    await stabilize(ctx, name, false);
  } catch (e) {
    await ctx.call.lambda("DELETE", `${F}/${encodeURIComponent(name)}`).catch(() => {});
    throw e;
  }
  return { physicalId: name, attributes: attrs };
}

export const functionProvider: ResourceProvider = {
  type: "AWS::Lambda::Function",
  schema: specSchema("AWS::Lambda::Function", { unimplemented: ["CapacityProviderConfig", "DurableConfig", "FunctionScalingConfig", "PublishToLatestPublished", "RecursiveLoop", "TenancyConfig"] }),
  async create(ctx, props) {
    const name = s(props.FunctionName) ?? ctx.physicalName(64);
    const tags = Object.fromEntries(mergedTags(ctx, props).map((t) => [t.Key, t.Value]));
    const body = { FunctionName: name, ...configuration(props), Code: code(props), PackageType: s(props.PackageType), Architectures: props.Architectures, Tags: tags };
    const created = await ctx.call.lambda("POST", F, body);
    ctx.created(name, { Arn: created.FunctionArn });
    return finishCreate(ctx, name, props, { Arn: created.FunctionArn });
  },
  // Setting the reserved concurrency again is harmless: it is a put.
  resume: (ctx, name, props, attrs) => finishCreate(ctx, name, props, attrs),
  async update(ctx, name, props, old, attrs) {
    const path = `${F}/${encodeURIComponent(name)}`;
    // An update made again after a restart finds the one made before still going: it waits for it.
    await settled(ctx, name);
    const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (!same(props.Code, old.Code)) {
      await ctx.call.lambda("PUT", `${path}/code`, code(props));
      await stabilize(ctx, name, true);
    }
    const cfgNow = configuration(props);
    if (JSON.stringify(cfgNow) !== JSON.stringify(configuration(old))) {
      await ctx.call.lambda("PUT", `${path}/configuration`, cfgNow);
      await stabilize(ctx, name, true);
    }
    if (!same(props.ReservedConcurrentExecutions, old.ReservedConcurrentExecutions)) {
      const c = `/2017-10-31/functions/${encodeURIComponent(name)}/concurrency`;
      if (props.ReservedConcurrentExecutions === undefined) await ctx.call.lambda("DELETE", c);
      else await ctx.call.lambda("PUT", c, { ReservedConcurrentExecutions: Number(props.ReservedConcurrentExecutions) });
    }
    const tagsNow = mergedTags(ctx, props);
    const tagsOld = mergedTags(ctx, old);
    if (JSON.stringify(tagsNow) !== JSON.stringify(tagsOld)) {
      const arn = encodeURIComponent(String(attrs.Arn));
      const gone = tagsOld.filter((t) => !tagsNow.some((n) => n.Key === t.Key)).map((t) => `tagKeys=${encodeURIComponent(t.Key)}`);
      if (gone.length) await ctx.call.lambda("DELETE", `/2017-03-31/tags/${arn}?${gone.join("&")}`);
      if (tagsNow.length) await ctx.call.lambda("POST", `/2017-03-31/tags/${arn}`, { Tags: Object.fromEntries(tagsNow.map((t) => [t.Key, t.Value])) });
    }
    return { physicalId: name, attributes: attrs };
  },
  async delete(ctx, name) {
    try {
      await ctx.call.lambda("DELETE", `${F}/${encodeURIComponent(name)}`);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
};
