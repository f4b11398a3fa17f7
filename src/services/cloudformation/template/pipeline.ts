import { AwsError } from "../../../core/aws-error.ts";
import { analyzeTemplate, type AnalyzedTemplate } from "./analyze.ts";
import { validationError } from "./errors.ts";
import { isObject, parseTemplate, type JsonObject } from "./parse.ts";

/**
 * A transform (the Transform section: AWS::Serverless-2016-10-31, ...) turns the template as sent
 * into the processed template that the engine runs. GetTemplate shows both stages.
 */
export interface TransformContext {
  account: string;
  region: string;
  capabilities: string[];
  stackName: string;
  /** Parameter values given with the call (SAM resolves them before hashing versions). */
  parameters?: ReadonlyMap<string, string>;
  /**
   * CreateStack and UpdateStack run macros only with CAPABILITY_AUTO_EXPAND; CreateChangeSet
   * (whose changes are reviewed before they run) and the read-only calls do not need it.
   */
  requireAutoExpand?: boolean;
}

export interface TemplateTransform {
  name: string;
  /** Throws an AwsError as it is, or an Error whose message follows "Transform NAME failed with: ". */
  apply(template: JsonObject, ctx: TransformContext): JsonObject;
}

/** A transform refused the template: a change set records it as its FAILED status reason. */
export class TransformError extends AwsError {
  constructor(message: string) {
    super("ValidationError", 400, message);
  }
}

const TRANSFORMS = new Map<string, TemplateTransform>();

/** Where another module (the SAM issue) adds a transform. */
export function registerTransform(t: TemplateTransform): void {
  TRANSFORMS.set(t.name, t);
}

export interface ProcessedTemplate {
  original: JsonObject;
  processed: JsonObject;
  analyzed: AnalyzedTemplate;
  transformed: boolean;
}

export const MAX_TEMPLATE_BODY = 51_200;

/** Template body → parsed → transformed → analyzed; errors are AWS's ValidationError texts. */
export function processTemplate(body: string, ctx: TransformContext): ProcessedTemplate {
  if (Buffer.byteLength(body, "utf8") > MAX_TEMPLATE_BODY) {
    throw validationError(`1 validation error detected: Value '${body.slice(0, 40)}...' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TEMPLATE_BODY}`);
  }
  try {
    return process(body, ctx);
  } catch (e) {
    if (e instanceof AwsError) throw e;
    // A template nested past the parser's stack (or otherwise unreadable) is the client's fault, never a 500.
    throw validationError("Template format error: the template is nested too deeply or cannot be read."); // unverified wording
  }
}

function process(body: string, ctx: TransformContext): ProcessedTemplate {
  const original = parseTemplate(body);
  let processed = original;
  const declared = original.Transform === undefined ? [] : Array.isArray(original.Transform) ? original.Transform : [original.Transform];
  if (declared.length && ctx.requireAutoExpand && !ctx.capabilities.includes("CAPABILITY_AUTO_EXPAND")) {
    throw new AwsError("InsufficientCapabilitiesException", 400, "Requires capabilities : [CAPABILITY_AUTO_EXPAND]");
  }
  for (const d of declared) {
    const name = typeof d === "string" ? d : isObject(d) && typeof d.Name === "string" ? d.Name : undefined;
    const t = name ? TRANSFORMS.get(name) : undefined;
    if (!t) throw validationError(`Template format error: Unsupported transform: ${name ?? JSON.stringify(d)}. hyperlocal has no handler for it.`); // unverified wording
    try {
      processed = t.apply(processed, ctx);
    } catch (e) {
      if (e instanceof AwsError) throw e;
      throw new TransformError(`Transform ${name} failed with: ${(e as Error).message}`);
    }
  }
  if (processed !== original) {
    const { Transform: _, ...rest } = processed;
    processed = rest as JsonObject;
  }
  return { original, processed, analyzed: analyzeTemplate(processed), transformed: processed !== original };
}
