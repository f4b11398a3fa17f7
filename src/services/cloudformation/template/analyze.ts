import { providerFor } from "../providers/registry.ts";
import { formatError, templateError } from "./errors.ts";
import { isObject, type Json, type JsonObject } from "./parse.ts";
import { parseParameterDecls, type ParameterDecl } from "./parameters.ts";
import { collectReferences } from "./references.ts";
import { checkFunctionShapes } from "./shapes.ts";

export const PSEUDO_PARAMETERS = ["AWS::AccountId", "AWS::Region", "AWS::StackName", "AWS::StackId", "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue", "AWS::NotificationARNs"];

const SECTIONS = new Set(["AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings", "Conditions", "Transform", "Resources", "Outputs", "Rules", "Hooks"]);
const RESOURCE_KEYS = new Set(["Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "Metadata", "CreationPolicy", "UpdatePolicy", "Version"]);
const POLICIES = new Set(["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"]);

export interface ResourceDecl {
  logicalId: string;
  type: string;
  properties: JsonObject;
  dependsOn: string[];
  condition?: string;
  deletionPolicy: string;
  updateReplacePolicy: string;
  metadata?: Json;
  /** Logical ids this resource needs first: Ref, GetAtt, Sub and DependsOn. */
  needs: string[];
}

export interface OutputDecl {
  name: string;
  value: Json;
  description?: string;
  exportName?: Json;
  condition?: string;
}

/** A template checked for everything that does not need parameter values. */
export interface AnalyzedTemplate {
  description?: string;
  parameters: ParameterDecl[];
  mappings: JsonObject;
  conditions: JsonObject;
  resources: Map<string, ResourceDecl>;
  outputs: OutputDecl[];
  /** Transform names declared (handled by a transform step before analysis). */
  transforms: string[];
}

function strings(v: Json | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map((x) => String(x)) : [String(v)];
}

/** Structural checks with AWS's texts, in the order AWS reports them. */
export function analyzeTemplate(t: JsonObject): AnalyzedTemplate {
  const extra = Object.keys(t).filter((k) => !SECTIONS.has(k));
  if (extra.length) throw formatError(`Invalid template property or properties [${extra.join(", ")}]`);
  if (t.AWSTemplateFormatVersion !== undefined && String(t.AWSTemplateFormatVersion) !== "2010-09-09") {
    throw formatError(`Unsupported template version ${String(t.AWSTemplateFormatVersion)}`); // unverified wording
  }
  if (t.Description !== undefined && typeof t.Description !== "string") throw formatError("Every Description member must be a string."); // unverified wording
  const parameters = parseParameterDecls(t.Parameters);
  const paramNames = new Set(parameters.map((p) => p.name));
  const mappings = t.Mappings === undefined ? (Object.create(null) as JsonObject) : t.Mappings;
  if (!isObject(mappings)) throw formatError("Mappings must be an object"); // unverified wording
  for (const [name, m] of Object.entries(mappings)) {
    if (!isObject(m) || Object.values(m).some((x) => !isObject(x))) throw formatError(`Mappings attribute ${name} must be a map of maps`); // unverified wording
  }
  const conditions = t.Conditions === undefined ? (Object.create(null) as JsonObject) : t.Conditions;
  if (!isObject(conditions)) throw formatError("Conditions must be an object"); // unverified wording

  checkFunctionShapes(t.Resources);
  checkFunctionShapes(t.Outputs);
  checkFunctionShapes(t.Conditions);
  const res = t.Resources;
  if (!isObject(res) || Object.keys(res).length === 0) throw formatError("At least one Resources member must be defined.");
  const resources = new Map<string, ResourceDecl>();
  const unknownTypes: string[] = [];
  for (const [id, raw] of Object.entries(res)) {
    if (!/^[A-Za-z0-9]+$/.test(id)) throw formatError(`Resource name ${id} is non alphanumeric.`);
    if (!isObject(raw)) throw formatError(`[/Resources/${id}] resource definition is malformed`);
    const bad = Object.keys(raw).filter((k) => !RESOURCE_KEYS.has(k));
    if (bad.length) throw formatError(`[/Resources/${id}] Invalid template resource property '${bad[0]}'`);
    if (typeof raw.Type !== "string") throw formatError(`[/Resources/${id}] Every Resources object must contain a Type member.`);
    if (raw.Properties !== undefined && !isObject(raw.Properties)) throw formatError(`[/Resources/${id}/Properties] properties must be an object`); // unverified wording
    if (!providerFor(raw.Type) && !unknownTypes.includes(raw.Type)) unknownTypes.push(raw.Type);
    for (const p of ["DeletionPolicy", "UpdateReplacePolicy"] as const) {
      if (raw[p] !== undefined && !POLICIES.has(String(raw[p]))) throw formatError(`Unrecognized ${p} ${String(raw[p])} for resource ${id}`);
    }
    if (raw.DependsOn !== undefined && typeof raw.DependsOn !== "string" && !(Array.isArray(raw.DependsOn) && raw.DependsOn.every((x) => typeof x === "string"))) {
      throw formatError(`[/Resources/${id}/DependsOn] DependsOn must be a string or a list of strings`); // unverified wording
    }
    if (raw.Condition !== undefined && typeof raw.Condition !== "string") throw formatError(`[/Resources/${id}/Condition] Condition must be a string`); // unverified wording
    resources.set(id, {
      logicalId: id,
      type: raw.Type,
      properties: isObject(raw.Properties) ? raw.Properties : Object.create(null),
      dependsOn: strings(raw.DependsOn),
      ...(typeof raw.Condition === "string" ? { condition: raw.Condition } : {}),
      deletionPolicy: raw.DeletionPolicy === undefined ? "Delete" : String(raw.DeletionPolicy),
      updateReplacePolicy: raw.UpdateReplacePolicy === undefined ? "Delete" : String(raw.UpdateReplacePolicy),
      ...(raw.Metadata !== undefined ? { metadata: raw.Metadata } : {}),
      needs: [],
    });
  }
  if (unknownTypes.length) throw formatError(`Unrecognized resource types: [${unknownTypes.join(", ")}]`);

  // Conditions may name parameters and other conditions only.
  for (const [name, body] of Object.entries(conditions)) {
    const conds: string[] = [];
    for (const r of collectReferences(body, [], conds)) {
      if (r.kind === "Ref" && (paramNames.has(r.target) || PSEUDO_PARAMETERS.includes(r.target))) continue;
      throw formatError(`Unresolved dependencies [${r.target}]. Cannot reference resources in the Conditions block of the template`);
    }
    for (const c of conds) if (!Object.prototype.hasOwnProperty.call(conditions, c)) throw templateError(`unresolved condition dependency ${c} in Fn::Condition`); // unverified wording
    void name;
  }

  // References between resources: unresolved names, attributes, conditions.
  const unresolved: string[] = [];
  for (const r of resources.values()) {
    const conds: string[] = [];
    const refs = collectReferences(r.properties, [], conds);
    collectReferences(r.metadata ?? null, refs, conds);
    if (r.condition !== undefined) conds.push(r.condition);
    for (const c of conds) {
      if (!Object.prototype.hasOwnProperty.call(conditions, c)) throw formatError(`Unresolved condition dependencies [${c}] in the Resources block of the template`); // unverified wording
    }
    const needs = new Set<string>();
    for (const ref of refs) {
      if (ref.kind !== "GetAtt" && (paramNames.has(ref.target) || PSEUDO_PARAMETERS.includes(ref.target))) continue;
      const target = resources.get(ref.target);
      if (!target) {
        if (ref.kind === "GetAtt") throw templateError(`instance of Fn::GetAtt references undefined resource ${ref.target}`);
        if (!unresolved.includes(ref.target)) unresolved.push(ref.target);
        continue;
      }
      if (ref.attr !== undefined) checkAttribute(target, ref.attr, ref.kind === "Sub" ? "Fn::Sub" : "Fn::GetAtt");
      needs.add(ref.target);
    }
    for (const d of r.dependsOn) {
      if (!resources.has(d)) {
        if (!unresolved.includes(d)) unresolved.push(d);
      } else needs.add(d);
    }
    r.needs = [...needs].filter((n) => n !== r.logicalId || true);
  }
  if (unresolved.length) throw formatError(`Unresolved resource dependencies [${unresolved.join(", ")}] in the Resources block of the template`);

  const outputs: OutputDecl[] = [];
  if (t.Outputs !== undefined) {
    if (!isObject(t.Outputs)) throw formatError("Outputs must be an object"); // unverified wording
    const outUnresolved: string[] = [];
    for (const [name, o] of Object.entries(t.Outputs)) {
      if (!/^[A-Za-z0-9]+$/.test(name)) throw formatError(`Output name ${name} is non alphanumeric.`);
      if (!isObject(o) || o.Value === undefined) throw formatError("Every Outputs member must contain a Value object");
      const conds: string[] = [];
      for (const ref of collectReferences(o.Value, [], conds).concat(collectReferences(isObject(o.Export) ? o.Export.Name : null))) {
        if (ref.kind !== "GetAtt" && (paramNames.has(ref.target) || PSEUDO_PARAMETERS.includes(ref.target))) continue;
        const target = resources.get(ref.target);
        if (!target) {
          if (ref.kind === "GetAtt") throw templateError(`instance of Fn::GetAtt references undefined resource ${ref.target}`);
          outUnresolved.push(ref.target);
        } else if (ref.attr !== undefined) checkAttribute(target, ref.attr, "Fn::GetAtt");
      }
      if (typeof o.Condition === "string") conds.push(o.Condition);
      for (const c of conds) if (!Object.prototype.hasOwnProperty.call(conditions, c)) throw formatError(`Unresolved condition dependencies [${c}] in the Outputs block of the template`); // unverified wording
      outputs.push({
        name,
        value: o.Value,
        ...(typeof o.Description === "string" ? { description: o.Description } : {}),
        ...(isObject(o.Export) && o.Export.Name !== undefined ? { exportName: o.Export.Name } : {}),
        ...(typeof o.Condition === "string" ? { condition: o.Condition } : {}),
      });
    }
    if (outUnresolved.length) throw formatError(`Unresolved resource dependencies [${outUnresolved.join(", ")}] in the Outputs block of the template`);
  }

  checkCycles(resources);
  return {
    ...(typeof t.Description === "string" ? { description: t.Description } : {}),
    parameters,
    mappings,
    conditions,
    resources,
    outputs,
    transforms: strings(t.Transform as Json | undefined),
  };
}

function checkAttribute(target: ResourceDecl, attr: string, fn: string): void {
  const p = providerFor(target.type);
  if (p && !p.schema.open && !p.schema.attributes.includes(attr)) throw templateError(`resource ${target.logicalId} does not support attribute type ${attr} in ${fn}`);
}

/** "Circular dependency between resources: [A, B]" naming every resource on a cycle. */
function checkCycles(resources: Map<string, ResourceDecl>): void {
  const state = new Map<string, 0 | 1 | 2>();
  const stack: string[] = [];
  const inCycle = new Set<string>();
  const visit = (id: string) => {
    state.set(id, 1);
    stack.push(id);
    for (const n of resources.get(id)!.needs) {
      const st = state.get(n) ?? 0;
      if (st === 1) for (const x of stack.slice(stack.indexOf(n))) inCycle.add(x);
      else if (st === 0) visit(n);
    }
    stack.pop();
    state.set(id, 2);
  };
  for (const id of resources.keys()) if (!state.get(id)) visit(id);
  if (inCycle.size) throw formatError(`Circular dependency between resources: [${[...inCycle].join(", ")}]`);
}
