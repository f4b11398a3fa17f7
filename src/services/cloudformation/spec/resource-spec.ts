import type { PropSpec, ResourceSchema, UpdateBehaviour } from "../providers/types.ts";
import { SPEC, SPEC_SOURCE } from "./resource-spec.generated.ts";
import type { SpecProperty } from "./resource-spec-types.ts";

export { SPEC_SOURCE };

const UPDATE: Record<string, UpdateBehaviour> = { I: "Immutable", C: "Conditional" };

function propSpec(p: SpecProperty): PropSpec {
  return { shape: p.t, ...(p.r ? { required: true } : {}), update: UPDATE[p.u ?? ""] ?? "Mutable" };
}

export interface SpecOptions {
  /** Properties AWS takes that hyperlocal's provider does not carry out: refused rather than ignored. */
  unimplemented?: string[];
  /** Attributes the provider answers beyond the specification's. */
  extraAttributes?: string[];
}

/** A resource type's schema from AWS's published specification. */
export function specSchema(type: string, opts: SpecOptions = {}): ResourceSchema {
  const t = Object.prototype.hasOwnProperty.call(SPEC.types, type) ? SPEC.types[type] : undefined;
  if (!t) throw new Error(`${type} is not in the generated resource specification: add it to scripts/generate-cfn-resource-spec.mjs`);
  const properties: Record<string, PropSpec> = Object.create(null);
  for (const [name, p] of Object.entries(t.properties)) properties[name] = propSpec(p);
  return {
    properties,
    attributes: [...t.attributes, ...(opts.extraAttributes ?? [])],
    ...(t.tagged ? { tagged: true } : {}),
    ...(opts.unimplemented?.length ? { unimplemented: opts.unimplemented } : {}),
  };
}

/** The properties of a nested structure ("#AWS::Lambda::Function.VpcConfig"), or undefined. */
export function specDefinition(ref: string): Record<string, PropSpec> | undefined {
  const name = ref.startsWith("#") ? ref.slice(1) : ref;
  if (!Object.prototype.hasOwnProperty.call(SPEC.definitions, name)) return undefined;
  const out: Record<string, PropSpec> = Object.create(null);
  for (const [k, p] of Object.entries(SPEC.definitions[name])) out[k] = propSpec(p);
  return out;
}

export function specTypes(): string[] {
  return Object.keys(SPEC.types);
}
