import type { OperationContext } from "../../../core/operation-context.ts";
import { str, type InputTree } from "../../../core/input-tree.ts";
import { own } from "../engine/plan.ts";
import { validationError } from "../template/errors.ts";
import { isObject, parseTemplate } from "../template/parse.ts";
import { processTemplate, type ProcessedTemplate } from "../template/pipeline.ts";
import { ChangeSetNotFound, findChangeSet } from "./change-sets.ts";
import { stackFor, stringsParam, type CfnEnv, type CfnOperation } from "./context.ts";
import { requiredCapabilities } from "./definition.ts";

/** GetTemplate: the template as sent (Original) or after transforms (Processed). */
const getTemplate: CfnOperation = (p, ctx, env) => {
  const stage = str(p.TemplateStage) ?? "Original";
  if (stage !== "Original" && stage !== "Processed") throw validationError(`1 validation error detected: Value '${stage}' at 'templateStage' failed to satisfy constraint: Member must satisfy enum value set: [Original, Processed]`);
  let def;
  if (str(p.ChangeSetName) !== undefined) {
    const cs = findChangeSet(env.state(ctx.accountId, ctx.region), str(p.ChangeSetName)!, str(p.StackName));
    ctx.authorize("cloudformation:GetTemplate", cs ? cs.stackId : "*");
    if (!cs) throw ChangeSetNotFound(str(p.ChangeSetName)!);
    def = cs.def;
  } else {
    def = stackFor(p, ctx, env).def;
  }
  const transformed = JSON.stringify(def.processed) !== JSON.stringify(processedOf(def.templateBody));
  const body = stage === "Processed" && transformed ? JSON.stringify(def.processed) : def.templateBody;
  return { TemplateBody: body, StagesAvailable: ["Original", "Processed"] };
};

/** The template as parsed, before any transform: what Processed equals when no transform ran. */
function processedOf(body: string): unknown {
  try {
    return parseTemplate(body);
  } catch {
    return undefined;
  }
}

/** A template from TemplateBody, or a stack's. */
function templateOf(p: InputTree, ctx: OperationContext, env: CfnEnv, action: string): ProcessedTemplate {
  let body = str(p.TemplateBody);
  if (str(p.StackName) !== undefined && body === undefined) body = stackFor(p, ctx, env).def.templateBody;
  else ctx.authorize(`cloudformation:${action}`, "*");
  if (str(p.TemplateURL) !== undefined && body === undefined) throw validationError("TemplateURL must be a supported URL."); // unverified wording: no S3 yet
  if (body === undefined || body === "") throw validationError("Either Template URL or Template Body must be specified.");
  return processTemplate(body, { account: ctx.accountId, region: ctx.region, capabilities: stringsParam(p, "Capabilities"), stackName: str(p.StackName) ?? "" });
}

function capabilityFields(t: ProcessedTemplate) {
  const need = requiredCapabilities(t.analyzed);
  // A declared transform (macro) needs CAPABILITY_AUTO_EXPAND to run from CreateStack/UpdateStack;
  // AWS has reported it here since aws/aws-cli#4747 (the order among the others is unverified).
  const expand = declaredTransforms(t).length ? ["CAPABILITY_AUTO_EXPAND"] : [];
  if (need.capabilities.length) return { Capabilities: [...need.capabilities, ...expand], CapabilitiesReason: `The following resource(s) require capabilities: [${need.types.join(", ")}]` };
  return { Capabilities: expand };
}

function declaredTransforms(t: ProcessedTemplate): string[] {
  const d = t.original.Transform;
  return d === undefined ? [] : (Array.isArray(d) ? d : [d]).map((x) => (isObject(x) ? String(x.Name) : String(x)));
}

const validateTemplate: CfnOperation = (p, ctx, env) => {
  const t = templateOf(p, ctx, env, "ValidateTemplate");
  return {
    Parameters: t.analyzed.parameters.map((d) => ({ ParameterKey: d.name, DefaultValue: d.default, NoEcho: d.noEcho, Description: d.description })),
    Description: t.analyzed.description,
    ...capabilityFields(t),
    DeclaredTransforms: declaredTransforms(t),
  };
};

const getTemplateSummary: CfnOperation = (p, ctx, env) => {
  const t = templateOf(p, ctx, env, "GetTemplateSummary");
  return {
    Parameters: t.analyzed.parameters.map((d) => ({
      ParameterKey: d.name,
      DefaultValue: d.default,
      ParameterType: d.type,
      NoEcho: d.noEcho,
      Description: d.description,
      ParameterConstraints: d.allowedValues ? { AllowedValues: d.allowedValues } : {},
    })),
    Description: t.analyzed.description,
    ...capabilityFields(t),
    ResourceTypes: [...new Set([...t.analyzed.resources.values()].map((r) => r.type))],
    Version: "2010-09-09",
    Metadata: t.original.Metadata === undefined ? undefined : JSON.stringify(t.original.Metadata),
    DeclaredTransforms: declaredTransforms(t),
    ResourceIdentifierSummaries: [],
  };
};

export const templateOperations: Record<string, CfnOperation> = {
  GetTemplate: getTemplate,
  ValidateTemplate: validateTemplate,
  GetTemplateSummary: getTemplateSummary,
};

export { own };
