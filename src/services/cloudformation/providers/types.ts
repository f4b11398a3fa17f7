import type { Json, JsonObject } from "../template/parse.ts";
import type { ServiceCaller } from "../caller.ts";

/**
 * How a property changes on update, as the CloudFormation resource specification names it:
 * Mutable (no interruption), Conditional (some interruption), Immutable (replacement).
 */
export type UpdateBehaviour = "Mutable" | "Conditional" | "Immutable";

export interface PropSpec {
  /** The specification's type expression: string, integer, number, boolean, json, tag, [T], {T}, #Def, a|b, any. */
  shape: string;
  required?: boolean;
  update: UpdateBehaviour;
}

/** A resource's schema (from AWS's specification, see spec/resource-spec.ts): its properties and the attributes Fn::GetAtt may read. */
export interface ResourceSchema {
  properties: Record<string, PropSpec>;
  attributes: string[];
  /** The type takes tags (so CloudFormation adds its aws:cloudformation:* tags and the stack's tags). */
  tagged?: boolean;
  /** Properties AWS takes that hyperlocal does not carry out: refused, never silently ignored. */
  unimplemented?: string[];
  /** Custom resources: any property and any attribute (the function's Data). */
  open?: boolean;
}

/** What a provider gets for each call. */
export interface ProviderContext {
  call: ServiceCaller;
  account: string;
  region: string;
  stackName: string;
  stackId: string;
  logicalId: string;
  /** Stack-level tags, propagated to resources that take tags. */
  stackTags: Array<{ Key: string; Value: string }>;
  /** A name AWS would generate: <stack>-<logical>-<RANDOM>, at most maxLength. */
  physicalName(maxLength: number): string;
  /** Wait on the simulated clock. */
  sleep(ms: number): Promise<void>;
  /** Add an IN_PROGRESS event with a reason (e.g. a retry), as AWS shows progress. */
  progress(reason: string): void;
  /**
   * Record the physical id (and attributes so far) as soon as the create call returns, before
   * waiting for the resource to be stable: after a restart the engine then resumes the wait
   * (ResourceProvider.resume) rather than creating a second one. A provider that does not wait
   * needs no call: what its create does is saved together with the id it returns. A no-op
   * outside creates.
   */
  created(physicalId: string, attributes: Record<string, Json>): void;
  /** A one-use ResponseURL for a custom resource's function, and its answer. */
  customResponse(): { url: string; response: Promise<import("../custom-responses.ts").CustomResponse>; close(): void };
}

export interface ResourceOutput {
  physicalId: string;
  /** Attributes for Fn::GetAtt. */
  attributes: Record<string, Json>;
  /** What Ref returns when it is not the physical id (rare). */
  ref?: string;
}

export interface ResourceProvider {
  type: string;
  schema: ResourceSchema;
  /** IAM resources need CAPABILITY_IAM; a custom name (e.g. RoleName) CAPABILITY_NAMED_IAM. */
  iam?: { nameProperty?: string };
  create(ctx: ProviderContext, props: JsonObject): Promise<ResourceOutput>;
  /**
   * After a restart: finish a create that had recorded its physical id (ctx.created) but was not
   * stable yet: wait for it again. Only providers that call ctx.created have it.
   */
  resume?(ctx: ProviderContext, physicalId: string, props: JsonObject, attributes: Record<string, Json>): Promise<ResourceOutput>;
  /** In-place update (no replacement); absent when every property is immutable. */
  update?(ctx: ProviderContext, physicalId: string, props: JsonObject, old: JsonObject, oldAttributes: Record<string, Json>): Promise<ResourceOutput>;
  delete(ctx: ProviderContext, physicalId: string, props: JsonObject, attributes: Record<string, Json>): Promise<void>;
}

const HAND_SHAPES: Record<string, string> = { String: "string", Integer: "integer", Boolean: "boolean", List: "[any]", Map: "{any}", Json: "json", Any: "any" };

/**
 * Hand-written schema, only for types AWS's specification does not carry (the specification is the
 * rule: spec/resource-spec.ts). "String!" is required; the update behaviour per property after a colon.
 */
export function schema(props: Record<string, string>, attributes: string[] = []): ResourceSchema {
  const properties: Record<string, PropSpec> = Object.create(null);
  for (const [name, spec] of Object.entries(props)) {
    const [t, u = "Mutable"] = spec.split(":");
    const required = t.endsWith("!");
    properties[name] = { shape: HAND_SHAPES[t.replace("!", "")] ?? "any", required, update: u === "replace" ? "Immutable" : u === "interrupt" ? "Conditional" : "Mutable" };
  }
  return { properties, attributes };
}
