import { analyzeTemplate, type AnalyzedTemplate, type ResourceDecl } from "../template/analyze.ts";
import { evalCondition, resolve, type ResolveScope } from "../template/intrinsics.ts";
import type { Json, JsonObject } from "../template/parse.ts";
import { parameterRefValue } from "../template/parameters.ts";
import { collectReferences } from "../template/references.ts";
import { templateError } from "../template/errors.ts";
import type { StackDefinition, StackRec, StackResourceRec } from "../state.ts";

/** What the engine needs from outside to resolve a template: zones and exports. */
export interface PlanEnv {
  azs(region: string): string[];
  importValue(account: string, region: string, name: string): string | undefined;
}

/** A definition ready to run: the analysis, the conditions' values and the resources that exist under them. */
export interface Plan {
  template: AnalyzedTemplate;
  conditions: Record<string, boolean>;
  /** Resources whose Condition is true (or absent), with needs limited to those. */
  resources: Map<string, ResourceDecl>;
  refs: Record<string, Json>;
}

export function own<T>(o: Record<string, T>, k: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

export function pseudoRefs(stack: Pick<StackRec, "stackId" | "stackName" | "account" | "region">, def: StackDefinition): Record<string, Json> {
  const refs: Record<string, Json> = Object.create(null);
  refs["AWS::AccountId"] = stack.account;
  refs["AWS::Region"] = stack.region;
  refs["AWS::StackName"] = stack.stackName;
  refs["AWS::StackId"] = stack.stackId;
  refs["AWS::Partition"] = "aws";
  refs["AWS::URLSuffix"] = "amazonaws.com";
  refs["AWS::NotificationARNs"] = def.notificationArns;
  return refs;
}

export function buildPlan(stack: Pick<StackRec, "stackId" | "stackName" | "account" | "region">, def: StackDefinition, env: PlanEnv, template?: AnalyzedTemplate): Plan {
  const t = template ?? analyzeTemplate(def.processed);
  const refs = pseudoRefs(stack, def);
  for (const p of t.parameters) if (Object.prototype.hasOwnProperty.call(def.parameters, p.name)) refs[p.name] = parameterRefValue(p, def.parameters[p.name]);
  const conditions: Record<string, boolean> = Object.create(null);
  const scope = makeScope({ refs, conditions, mappings: t.mappings, region: stack.region, account: stack.account, env, resources: {} });
  // Conditions may use each other: evaluate those whose inputs are known, pass after pass.
  const pending = new Map(Object.entries(t.conditions).map(([name, body]) => {
    const used: string[] = [];
    collectReferences(body, [], used);
    return [name, used] as const;
  }));
  while (pending.size) {
    const ready = [...pending].filter(([, used]) => used.every((u) => Object.prototype.hasOwnProperty.call(conditions, u)));
    if (ready.length === 0) throw templateError(`Circular dependency between conditions: [${[...pending.keys()].join(", ")}]`); // unverified wording
    for (const [name] of ready) {
      conditions[name] = evalCondition(t.conditions[name], scope);
      pending.delete(name);
    }
  }
  const resources = new Map<string, ResourceDecl>();
  for (const [id, r] of t.resources) if (r.condition === undefined || conditions[r.condition]) resources.set(id, r);
  for (const [id, r] of resources) resources.set(id, { ...r, needs: r.needs.filter((n) => resources.has(n)) });
  return { template: t, conditions, resources, refs };
}

export function makeScope(o: {
  refs: Record<string, Json>;
  conditions: Record<string, boolean>;
  mappings: JsonObject;
  region: string;
  account: string;
  env: PlanEnv;
  resources: Record<string, StackResourceRec>;
}): ResolveScope {
  return {
    refs: o.refs,
    conditions: o.conditions,
    mappings: o.mappings,
    region: o.region,
    resourceRef: (id) => own(o.resources, id)?.physicalId,
    resourceAttr: (id, attr) => {
      const r = own(o.resources, id);
      if (!r) return undefined;
      const v = own(r.attributes, attr);
      return v === null ? "" : v;
    },
    azs: (region) => o.env.azs(region),
    importValue: (name) => o.env.importValue(o.account, o.region, name),
  };
}

export function resolveProperties(plan: Plan, decl: ResourceDecl, scope: ResolveScope): JsonObject {
  const r = resolve(decl.properties, scope);
  return (r ?? Object.create(null)) as JsonObject;
}
