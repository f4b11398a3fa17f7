import { specSchema } from "../spec/resource-spec.ts";
import type { JsonObject } from "../template/parse.ts";
import { isNotFound, s } from "./common.ts";
import type { ProviderContext, ResourceProvider } from "./types.ts";

function path(props: JsonObject): string {
  return `/2019-09-25/functions/${encodeURIComponent(String(props.FunctionName))}/event-invoke-config?Qualifier=${encodeURIComponent(String(props.Qualifier))}`;
}

function body(props: JsonObject) {
  const n = (v: unknown) => (v === undefined ? undefined : Number(s(v as string)));
  return { MaximumRetryAttempts: n(props.MaximumRetryAttempts), MaximumEventAgeInSeconds: n(props.MaximumEventAgeInSeconds) };
}

async function put(ctx: ProviderContext, props: JsonObject) {
  await ctx.call.lambda("PUT", path(props), body(props));
}

/** AWS::Lambda::EventInvokeConfig: asynchronous invocation settings of a function's qualifier. */
export const eventInvokeConfigProvider: ResourceProvider = {
  type: "AWS::Lambda::EventInvokeConfig",
  // Destinations: hyperlocal has nothing to deliver to yet (see lambda/event-invoke-config.ts).
  schema: specSchema("AWS::Lambda::EventInvokeConfig", { unimplemented: ["DestinationConfig"] }),
  async create(ctx, props) {
    await put(ctx, props);
    // unverified: AWS's Ref for this type is an id of its own; function name and qualifier identify it here
    return { physicalId: `${s(props.FunctionName)}|${s(props.Qualifier)}`, attributes: {} };
  },
  async update(ctx, id, props) {
    await put(ctx, props);
    return { physicalId: id, attributes: {} };
  },
  async delete(ctx, _id, props) {
    try {
      await ctx.call.lambda("DELETE", path(props));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
};
