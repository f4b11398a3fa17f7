import type { ResourceDecl } from "../template/analyze.ts";
import type { Json, JsonObject } from "../template/parse.ts";
import { ancestors } from "./graph.ts";
import type { Plan } from "./plan.ts";

/**
 * Beyond AWS: where nothing orders an IAM policy against a Lambda function, the function goes
 * first, so a function that needs the policy's permissions fails every time rather than sometimes.
 */
export function withOrderingTrap(plan: Plan): (id: string) => string[] {
  const needs = (id: string) => plan.resources.get(id)?.needs ?? [];
  const functions = [...plan.resources.values()].filter((r) => r.type === "AWS::Lambda::Function").map((r) => r.logicalId);
  const policies = [...plan.resources.values()].filter((r) => r.type === "AWS::IAM::Policy" || r.type === "AWS::IAM::ManagedPolicy").map((r) => r.logicalId);
  const extra = new Map<string, string[]>();
  for (const p of policies) {
    const pAnc = ancestors(p, needs);
    for (const f of functions) {
      if (pAnc.has(f) || ancestors(f, needs).has(p)) continue;
      extra.set(p, [...(extra.get(p) ?? []), f]);
    }
  }
  const combined = (id: string) => [...needs(id), ...(extra.get(id) ?? [])];
  // Soft orderings must not make a cycle; if they would, drop them.
  for (const id of plan.resources.keys()) if (ancestors(id, combined).has(id)) return needs;
  return combined;
}

/** The hint in the function's failure event: which DependsOn would have ordered it after the policy. */
export function orderingHint(plan: Plan, fn: ResourceDecl, e: unknown): string {
  if (fn.type !== "AWS::Lambda::Function" || !/execution role does not have permissions/.test((e as Error)?.message ?? "")) return "";
  const role = roleLogicalId(fn.properties.Role);
  if (!role) return "";
  const fixes = [...plan.resources.values()].filter((r) => (r.type === "AWS::IAM::Policy" || r.type === "AWS::IAM::ManagedPolicy") && JSON.stringify(r.properties.Roles ?? []).includes(`"${role}"`) && !ancestors(fn.logicalId, (id) => plan.resources.get(id)?.needs ?? []).has(r.logicalId));
  if (!fixes.length) return "";
  const names = fixes.map((f) => f.logicalId);
  // hyperlocal's own note: on AWS this order is arbitrary and the failure comes and goes.
  return ` [hyperlocal: ${fn.logicalId} was created before ${names.map((n) => `${plan.resources.get(n)!.type} ${n}`).join(", ")}, which gives its role ${role} permissions, because nothing in the template orders them; add "DependsOn: ${names.length === 1 ? names[0] : `[${names.join(", ")}]`}" to ${fn.logicalId}]`;
}

function roleLogicalId(v: Json | undefined): string | undefined {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const ga = (v as JsonObject)["Fn::GetAtt"];
    if (Array.isArray(ga) && typeof ga[0] === "string") return ga[0];
    if (typeof ga === "string") return ga.split(".")[0];
    const ref = (v as JsonObject).Ref;
    if (typeof ref === "string") return ref;
  }
  return undefined;
}

