import { isObject } from "../template/parse.ts";
import { isNotFound, s } from "./common.ts";
import type { ResourceProvider } from "./types.ts";
import { specSchema } from "../spec/resource-spec.ts";

const F = "/2015-03-31/functions";

async function ignoreGone(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** Ref is the version's ARN. */
export const versionProvider: ResourceProvider = {
  type: "AWS::Lambda::Version",
  schema: specSchema("AWS::Lambda::Version", { unimplemented: ["FunctionScalingConfig"] }),
  async create(ctx, props) {
    const r = await ctx.call.lambda("POST", `${F}/${encodeURIComponent(String(props.FunctionName))}/versions`, { Description: s(props.Description), CodeSha256: s(props.CodeSha256) });
    return { physicalId: String(r.FunctionArn), attributes: { FunctionArn: String(r.FunctionArn).replace(/:[^:]+$/, ""), Version: r.Version } };
  },
  async update(_ctx, id, _props, _old, attrs) {
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id, props, attrs) {
    await ignoreGone(ctx.call.lambda("DELETE", `${F}/${encodeURIComponent(String(props.FunctionName))}?Qualifier=${encodeURIComponent(String(attrs.Version))}`));
    void id;
  },
};

/** Ref is the alias's ARN. */
export const aliasProvider: ResourceProvider = {
  type: "AWS::Lambda::Alias",
  schema: specSchema("AWS::Lambda::Alias"),
  async create(ctx, props) {
    const r = await ctx.call.lambda("POST", `${F}/${encodeURIComponent(String(props.FunctionName))}/aliases`, {
      Name: s(props.Name),
      FunctionVersion: s(props.FunctionVersion),
      Description: s(props.Description),
      ...(isObject(props.RoutingConfig) ? { RoutingConfig: props.RoutingConfig } : {}),
    });
    return { physicalId: String(r.AliasArn), attributes: { AliasArn: r.AliasArn } };
  },
  async update(ctx, id, props, _old, attrs) {
    await ctx.call.lambda("PUT", `${F}/${encodeURIComponent(String(props.FunctionName))}/aliases/${encodeURIComponent(String(props.Name))}`, {
      FunctionVersion: s(props.FunctionVersion),
      Description: s(props.Description) ?? "",
      RoutingConfig: isObject(props.RoutingConfig) ? props.RoutingConfig : { AdditionalVersionWeights: {} },
    });
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, _id, props) {
    await ignoreGone(ctx.call.lambda("DELETE", `${F}/${encodeURIComponent(String(props.FunctionName))}/aliases/${encodeURIComponent(String(props.Name))}`));
  },
};

/** The statement id is the physical id. */
export const permissionProvider: ResourceProvider = {
  type: "AWS::Lambda::Permission",
  schema: specSchema("AWS::Lambda::Permission", { unimplemented: ["InvokedViaFunctionUrl"] }),
  async create(ctx, props) {
    const sid = ctx.physicalName(100);
    const fn = String(props.FunctionName);
    await ctx.call.lambda("POST", `${F}/${encodeURIComponent(fn)}/policy`, {
      StatementId: sid,
      Action: s(props.Action),
      Principal: s(props.Principal),
      SourceArn: s(props.SourceArn),
      SourceAccount: s(props.SourceAccount),
      EventSourceToken: s(props.EventSourceToken),
      PrincipalOrgID: s(props.PrincipalOrgID),
    });
    return { physicalId: sid, attributes: { Id: sid } };
  },
  async delete(ctx, sid, props) {
    await ignoreGone(ctx.call.lambda("DELETE", `${F}/${encodeURIComponent(String(props.FunctionName))}/policy/${encodeURIComponent(sid)}`));
  },
};
