// The Globals section (samtranslator/plugins/globals): properties every resource of a type gets,
// merged under the resource's own. Only Function globals apply here: the other SAM types are
// refused by the transform anyway.
import { isObject, type Json, type JsonObject } from "../template/parse.ts";
import { globalsError } from "./errors.ts";
import { isIntrinsic } from "./intrinsics.ts";

/** What SAM accepts under Globals.Function (everything but Role, Policies, FunctionName, Events). */
export const FUNCTION_GLOBALS = [
  "Handler", "Runtime", "CodeUri", "DeadLetterQueue", "Description", "MemorySize", "Timeout", "VpcConfig", "Environment",
  "Tags", "PropagateTags", "Tracing", "KmsKeyArn", "AutoPublishAlias", "AutoPublishAliasAllProperties", "Layers",
  "DeploymentPreference", "RolePath", "PermissionsBoundary", "ReservedConcurrentExecutions", "ProvisionedConcurrencyConfig",
  "AssumeRolePolicyDocument", "EventInvokeConfig", "FileSystemConfigs", "CodeSigningConfigArn", "Architectures", "SnapStart",
  "EphemeralStorage", "FunctionUrlConfig", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop", "SourceKMSKeyArn",
  "TenancyConfig", "DurableConfig", "CapacityProviderConfig", "FunctionScalingConfig", "PublishToLatestPublished",
  "VersionDeletionPolicy",
];

/** The sections SAM knows, in the sorted order its error lists them. */
const SECTIONS = ["Api", "CapacityProvider", "Function", "HttpApi", "LayerVersion", "SimpleTable", "StateMachine", "WebSocketApi"];

/** Globals.Function, checked as SAM checks the section (its other sections are checked, not used). */
export function functionGlobals(template: JsonObject): JsonObject | undefined {
  const g = template.Globals;
  if (g === undefined) return undefined;
  if (!isObject(g)) throw globalsError("It must be a non-empty dictionary");
  for (const [section, props] of Object.entries(g)) {
    if (!SECTIONS.includes(section)) {
      throw globalsError(`'${section}' is not supported. Must be one of the following values - ${pyList(SECTIONS)}`);
    }
    if (!isObject(props)) throw globalsError("Value of ${section} must be a dictionary"); // sic: SAM's text has no f-string here
    if (section !== "Function") continue;
    for (const key of Object.keys(props)) {
      if (!FUNCTION_GLOBALS.includes(key)) {
        throw globalsError(`'${key}' is not a supported property of 'Function'. Must be one of the following values - ${pyList(FUNCTION_GLOBALS)}`);
      }
    }
  }
  return isObject(g.Function) ? g.Function : undefined;
}

/** Python's str() of a list of strings: ['a', 'b']. */
function pyList(items: string[]): string {
  return `[${items.map((i) => `'${i}'`).join(", ")}]`;
}

/**
 * SAM's merge: the resource's value wins over a global of another kind or a scalar (an intrinsic
 * function counts as a scalar), maps merge key by key, lists concatenate (global first).
 */
export function mergeGlobal(global: Json | undefined, local: Json | undefined): Json | undefined {
  if (global === undefined) return local;
  if (local === undefined) return global;
  const kg = kind(global);
  if (kg !== kind(local) || kg === "scalar") return local;
  if (kg === "list") return [...(global as Json[]), ...(local as Json[])];
  const out: JsonObject = Object.create(null);
  for (const [k, v] of Object.entries(global as JsonObject)) out[k] = v;
  for (const [k, v] of Object.entries(local as JsonObject)) out[k] = Object.hasOwn(out, k) ? mergeGlobal(out[k], v)! : v;
  return out;
}

function kind(v: Json): "scalar" | "list" | "map" {
  if (Array.isArray(v)) return "list";
  if (isObject(v) && !isIntrinsic(v)) return "map";
  return "scalar";
}

/** The resource's properties with the globals under them (IgnoreGlobals: "*" or a list of names). */
export function withGlobals(logicalId: string, props: JsonObject, globals: JsonObject | undefined, ignore: Json | undefined): JsonObject {
  if (!globals) return props;
  let g = globals;
  if (ignore !== undefined && ignore !== null) {
    if (ignore === "*") return props;
    if (!Array.isArray(ignore)) throw new IgnoreGlobalsError(`Resource ${logicalId} has invalid resource attribute 'IgnoreGlobals'.`);
    g = Object.create(null);
    for (const [k, v] of Object.entries(globals)) g[k] = v;
    for (const k of ignore) {
      if (typeof k !== "string" || !Object.hasOwn(g, k)) throw new IgnoreGlobalsError(`Resource ${logicalId} has invalid resource attribute 'IgnoreGlobals' on item '${String(k)}'.`);
      delete g[k];
    }
  }
  return mergeGlobal(g, props) as JsonObject;
}

/** A bad IgnoreGlobals attribute (SAM words it per resource). */
export class IgnoreGlobalsError extends Error {}
