import { AwsError } from "../../../core/aws-error.ts";
import type { OperationContext } from "../../../core/operation-context.ts";
import { str, type InputTree } from "../../../core/input-tree.ts";
import { buildPlan } from "../engine/plan.ts";
import { providerFor } from "../providers/registry.ts";
import type { AnalyzedTemplate } from "../template/analyze.ts";
import { validationError } from "../template/errors.ts";
import { resolveParameterValues } from "../template/parameters.ts";
import { processTemplate } from "../template/pipeline.ts";
import type { StackDefinition, StackRec } from "../state.ts";
import { boolParam, parametersParam, stringsParam, tagsParam, type CfnEnv } from "./context.ts";

const CAPABILITIES = new Set(["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]);

/** IAM resources need CAPABILITY_IAM; custom-named ones CAPABILITY_NAMED_IAM. */
export function requiredCapabilities(t: AnalyzedTemplate): { capabilities: string[]; types: string[] } {
  let named = false;
  const types = new Set<string>();
  for (const r of t.resources.values()) {
    const iam = providerFor(r.type)?.iam;
    if (!iam) continue;
    types.add(r.type);
    if (iam.nameProperty && r.properties[iam.nameProperty] !== undefined) named = true;
  }
  if (types.size === 0) return { capabilities: [], types: [] };
  return { capabilities: [named ? "CAPABILITY_NAMED_IAM" : "CAPABILITY_IAM"], types: [...types] };
}

/**
 * Everything a CreateStack, UpdateStack or CreateChangeSet call defines, checked as AWS checks it
 * before answering: template, parameters, capabilities, role, imports.
 */
export function readDefinition(
  p: InputTree,
  ctx: OperationContext,
  env: CfnEnv,
  stack: Pick<StackRec, "stackId" | "stackName" | "account" | "region">,
  previous: StackDefinition | undefined,
  call: "stack" | "changeSet" = "stack",
): StackDefinition {
  let body = str(p.TemplateBody);
  const usePrevious = str(p.UsePreviousTemplate) === "true";
  if (str(p.TemplateURL) !== undefined && body === undefined) {
    throw validationError("TemplateURL must be a supported URL."); // unverified wording: hyperlocal has no S3 yet
  }
  if (usePrevious) {
    if (!previous) throw validationError("UsePreviousTemplate can only be used with an existing stack"); // unverified wording
    if (body !== undefined) throw validationError("You cannot specify both usePreviousTemplate and Template Body/Template URL."); // unverified wording
    body = previous.templateBody;
  }
  if (body === undefined || body === "") throw validationError("Either Template URL or Template Body must be specified.");
  const capabilities = stringsParam(p, "Capabilities");
  for (const c of capabilities) {
    if (!CAPABILITIES.has(c)) throw validationError(`1 validation error detected: Value '[${c}]' at 'capabilities' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [CAPABILITY_AUTO_EXPAND, CAPABILITY_NAMED_IAM, CAPABILITY_IAM]]`);
  }
  const given = new Map<string, string>();
  for (const g of parametersParam(p)) {
    const value = g.UsePreviousValue && g.ParameterKey !== undefined && previous && Object.hasOwn(previous.parameters, g.ParameterKey) ? previous.parameters[g.ParameterKey] : g.ParameterValue;
    if (g.ParameterKey !== undefined && value !== undefined) given.set(g.ParameterKey, value);
  }
  const t = processTemplate(body, { account: ctx.accountId, region: ctx.region, capabilities, stackName: stack.stackName, parameters: given, requireAutoExpand: call === "stack" });
  const need = requiredCapabilities(t.analyzed);
  const has = (c: string) => capabilities.includes(c) || (c === "CAPABILITY_IAM" && capabilities.includes("CAPABILITY_NAMED_IAM"));
  const missing = need.capabilities.filter((c) => !has(c));
  if (missing.length) throw new AwsError("InsufficientCapabilitiesException", 400, `Requires capabilities : [${missing.join(", ")}]`);

  const parameters = resolveParameterValues(t.analyzed.parameters, parametersParam(p), previous?.parameters, (type, id) => env.exists(ctx.accountId, ctx.region, type, id));
  const roleArn = str(p.RoleARN) ?? previous?.roleArn;
  if (str(p.RoleARN) !== undefined) {
    const role = roleArn!;
    if (!/^arn:aws:iam::\d{12}:role\/.+/.test(role)) throw validationError(`1 validation error detected: Value '${role}' at 'roleARN' failed to satisfy constraint: Member must have length greater than or equal to 20`); // unverified wording
    ctx.authorize("iam:PassRole", role, { context: { "iam:PassedToService": "cloudformation.amazonaws.com" } });
    if (!env.targets.roleTrustsCloudFormation(ctx.accountId, role)) {
      throw validationError(`Role ${role} is invalid or cannot be assumed`);
    }
  }
  const def: StackDefinition = {
    templateBody: body,
    processed: t.processed,
    parameters,
    noEcho: t.analyzed.parameters.filter((d) => d.noEcho).map((d) => d.name),
    capabilities,
    tags: tagsParam(p) ?? previous?.tags ?? [],
    notificationArns: stringsParam(p, "NotificationARNs"),
    ...(roleArn ? { roleArn } : {}),
    ...(t.analyzed.description ? { description: t.analyzed.description } : {}),
  };
  // Conditions and mappings resolve now, so their errors come back with the call.
  buildPlan(stack, def, env.planEnv, t.analyzed);
  void boolParam;
  return def;
}
