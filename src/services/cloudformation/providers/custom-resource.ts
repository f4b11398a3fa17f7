import { uuid } from "../../../core/ids.ts";
import type { Json, JsonObject } from "../template/parse.ts";
import { s } from "./common.ts";
import type { ProviderContext, ResourceOutput, ResourceProvider } from "./types.ts";

/** CloudFormation waits an hour for a custom resource's answer. */
const RESPONSE_TIMEOUT_MS = 60 * 60_000;

async function request(ctx: ProviderContext, type: string, requestType: "Create" | "Update" | "Delete", props: JsonObject, old?: JsonObject, physicalId?: string): Promise<ResourceOutput> {
  const requestId = uuid();
  const channel = ctx.customResponse();
  const event: Record<string, unknown> = {
    RequestType: requestType,
    ServiceToken: s(props.ServiceToken),
    ResponseURL: channel.url,
    StackId: ctx.stackId,
    RequestId: requestId,
    LogicalResourceId: ctx.logicalId,
    ResourceType: type,
    ResourceProperties: props,
    ...(old ? { OldResourceProperties: old } : {}),
    ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
  };
  try {
    // Asynchronous, as CloudFormation invokes it; the answer comes through the ResponseURL.
    await ctx.call.lambda("POST", `/2015-03-31/functions/${encodeURIComponent(String(props.ServiceToken))}/invocations`, event, { "x-amz-invocation-type": "Event" });
    const r = await Promise.race([channel.response, ctx.sleep(RESPONSE_TIMEOUT_MS).then(() => undefined)]);
    if (!r) {
      throw new Error(
        `CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${requestId}]. If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.`,
      );
    }
    if (r.Status !== "SUCCESS") throw new Error(`Received response status [${r.Status ?? "FAILED"}] from custom resource. Message returned: ${r.Reason ?? "See the details in CloudWatch Log Stream"} (RequestId: ${requestId})`);
    const id = r.PhysicalResourceId ?? physicalId ?? `${ctx.stackName}-${ctx.logicalId}-${requestId.slice(0, 12)}`;
    const attributes: Record<string, Json> = Object.create(null);
    if (r.Data && typeof r.Data === "object") for (const [k, v] of Object.entries(r.Data)) attributes[k] = v === null || typeof v === "object" ? JSON.stringify(v) : (v as Json);
    return { physicalId: id, attributes };
  } finally {
    channel.close();
  }
}

/** Custom::Name and AWS::CloudFormation::CustomResource, backed by a Lambda function (ServiceToken). */
export function customResourceProvider(type: string): ResourceProvider {
  return {
    type,
    schema: { properties: { ServiceToken: { shape: "string", required: true, update: "Immutable" } }, attributes: [], open: true },
    create: (ctx, props) => request(ctx, type, "Create", props),
    update: (ctx, id, props, old) => request(ctx, type, "Update", props, old, id),
    async delete(ctx, id, props) {
      await request(ctx, type, "Delete", props, undefined, id);
    },
  };
}

export function isCustomType(type: string): boolean {
  return type === "AWS::CloudFormation::CustomResource" || /^Custom::[A-Za-z0-9_@-]{1,60}$/.test(type);
}
