// The AWS::Serverless-2016-10-31 transform: SAM resources expanded into CloudFormation ones, the
// Globals section applied and removed; any problem fails the whole transform with SAM's message.
import { isObject, type Json, type JsonObject } from "../template/parse.ts";
import type { TemplateTransform, TransformContext } from "../template/pipeline.ts";
import { documentMessage, resourceError, SamError, structureError } from "./errors.ts";
import { expandFunction } from "./function.ts";
import { functionGlobals, IgnoreGlobalsError, withGlobals } from "./globals.ts";
import { dict } from "./intrinsics.ts";
import { replaceResourceRefs, type ResourceRefs } from "./resource-refs.ts";

export const SAM_TRANSFORM = "AWS::Serverless-2016-10-31";

/** SAM resource types hyperlocal does not expand, each with what it would need. */
const UNSERVED_TYPES = new Map([
  ["AWS::Serverless::Api", "Amazon API Gateway"],
  ["AWS::Serverless::HttpApi", "Amazon API Gateway"],
  ["AWS::Serverless::WebSocketApi", "Amazon API Gateway"],
  ["AWS::Serverless::SimpleTable", "Amazon DynamoDB"],
  ["AWS::Serverless::StateMachine", "AWS Step Functions"],
  ["AWS::Serverless::Application", "the AWS Serverless Application Repository"],
  ["AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"],
  ["AWS::Serverless::GraphQLApi", "AWS AppSync"],
  ["AWS::Serverless::Connector", "the resources it connects"],
  ["AWS::Serverless::CapacityProvider", "Lambda capacity providers"],
]);

export const samTransform: TemplateTransform = {
  name: SAM_TRANSFORM,
  apply(template, ctx) {
    const causes: SamError[] = [];
    const out = expand(template, ctx, causes);
    // The pipeline puts "Transform AWS::Serverless-2016-10-31 failed with: " before it.
    if (causes.length) throw new Error(documentMessage(causes));
    return out!;
  },
};

function expand(template: JsonObject, ctx: TransformContext, causes: SamError[]): JsonObject | undefined {
  const resources = template.Resources;
  if (!isObject(resources) || Object.keys(resources).length === 0) {
    causes.push(structureError("'Resources' section is required"));
    return undefined;
  }
  let globals: JsonObject | undefined;
  try {
    globals = functionGlobals(template);
  } catch (e) {
    if (!(e instanceof SamError)) throw e;
    causes.push(e);
    return undefined;
  }
  const partition = ctx.region.startsWith("cn-") ? "aws-cn" : ctx.region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  const parameterValues = parameterValuesOf(template, ctx, partition);
  const expanded = dict();
  const refs: ResourceRefs = new Map();
  for (const [id, r] of Object.entries(resources)) {
    if (!isObject(r) || typeof r.Type !== "string" || !r.Type.startsWith("AWS::Serverless::")) {
      expanded[id] = r;
      continue;
    }
    try {
      if (r.Type !== "AWS::Serverless::Function") {
        const service = UNSERVED_TYPES.get(r.Type);
        // unverified wording: SAM itself would expand these types
        if (service) throw resourceError(id, `Resource type '${r.Type}' is not supported by hyperlocal: it needs ${service}, which hyperlocal does not serve.`);
        expanded[id] = r; // not a SAM type: CloudFormation's own analysis refuses it
        continue;
      }
      if (r.Properties !== undefined && !isObject(r.Properties)) throw resourceError(id, "Properties of a resource must be an object.");
      const props = withGlobals(id, isObject(r.Properties) ? r.Properties : dict(), globals, r.IgnoreGlobals);
      for (const [newId, res] of expandFunction({ logicalId: id, resource: r, props, partition, parameterValues })) {
        if (newId !== id && (Object.hasOwn(resources, newId) || Object.hasOwn(expanded, newId))) {
          throw new SamError(`Transforming resource with id [${id}] attempts to create a new resource with id [${newId}] and type "${String(res.Type)}". A resource with that id already exists within this template. Please use a different id for that resource.`, id);
        }
        expanded[newId] = res;
        if (res.Type === "AWS::Lambda::Alias") refs.set(`${id}.Alias`, newId);
        if (res.Type === "AWS::Lambda::Version") refs.set(`${id}.Version`, newId);
      }
    } catch (e) {
      if (e instanceof SamError) causes.push(e);
      else if (e instanceof IgnoreGlobalsError) causes.push(resourceError(id, e.message));
      else throw e;
    }
  }
  const out = dict();
  for (const [k, v] of Object.entries(template)) if (k !== "Globals") out[k] = v;
  out.Resources = expanded;
  for (const section of ["Resources", "Outputs"]) if (out[section] !== undefined) out[section] = replaceResourceRefs(out[section], refs);
  return out;
}

/** Parameter values SAM resolves before hashing: given or default, and the pseudo parameters. */
function parameterValuesOf(template: JsonObject, ctx: TransformContext, partition: string): Map<string, Json> {
  const values = new Map<string, Json>([
    ["AWS::Region", ctx.region],
    ["AWS::AccountId", ctx.account],
    ["AWS::Partition", partition],
    ["AWS::StackName", ctx.stackName],
    ["AWS::URLSuffix", partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com"],
  ]);
  const declared = isObject(template.Parameters) ? template.Parameters : dict();
  for (const [name, decl] of Object.entries(declared)) {
    const given = ctx.parameters?.get(name);
    if (given !== undefined) values.set(name, given);
    else if (isObject(decl) && decl.Default !== undefined) values.set(name, decl.Default);
  }
  return values;
}
