// AWS::Serverless::Function → AWS::Lambda::Function (+ <Function>Role, and with AutoPublishAlias
// <Function>Version<hash> and <Function>Alias<Name>), after samtranslator/model/sam_resources.py.
import { isObject, type Json, type JsonObject } from "../template/parse.ts";
import { codeProperty } from "./code.ts";
import { eventError, resourceError } from "./errors.ts";
import { dict, resolveParameterRefs } from "./intrinsics.ts";
import { roleProperties } from "./role.ts";
import { versionLogicalId } from "./version-hash.ts";

/** Every property SAM defines for the type; another name is SAM's "not defined" error. */
const PROPERTIES = new Set([
  "FunctionName", "Handler", "Runtime", "CodeUri", "ImageUri", "PackageType", "InlineCode", "DeadLetterQueue", "Description",
  "MemorySize", "Timeout", "VpcConfig", "Role", "AssumeRolePolicyDocument", "Policies", "RolePath", "PermissionsBoundary",
  "Environment", "Events", "Tags", "PropagateTags", "Tracing", "KmsKeyArn", "DeploymentPreference", "ReservedConcurrentExecutions",
  "Layers", "EventInvokeConfig", "EphemeralStorage", "AutoPublishAlias", "AutoPublishCodeSha256", "AutoPublishAliasAllProperties",
  "VersionDescription", "ProvisionedConcurrencyConfig", "FileSystemConfigs", "ImageConfig", "CodeSigningConfigArn", "Architectures",
  "SnapStart", "FunctionUrlConfig", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop", "SourceKMSKeyArn",
  "CapacityProviderConfig", "FunctionScalingConfig", "VersionDeletionPolicy", "PublishToLatestPublished", "TenancyConfig", "DurableConfig",
]);

/** SAM properties whose generated resources need services hyperlocal does not serve. */
const UNSERVED_PROPERTIES = new Map([
  ["DeadLetterQueue", "Amazon SQS or Amazon SNS"],
  ["EventInvokeConfig", "AWS::Lambda::EventInvokeConfig"],
  ["DeploymentPreference", "AWS CodeDeploy"],
  ["FunctionUrlConfig", "AWS::Lambda::Url"],
  ["CapacityProviderConfig", "Lambda capacity providers"],
  ["ImageUri", "Amazon ECR"],
]);

/** SAM's event source types, each with the service it needs. */
const EVENT_SERVICES = new Map([
  ["Api", "Amazon API Gateway"], ["HttpApi", "Amazon API Gateway"], ["S3", "Amazon S3 event notifications"], ["SNS", "Amazon SNS"],
  ["SQS", "Amazon SQS"], ["Kinesis", "Amazon Kinesis"], ["DynamoDB", "Amazon DynamoDB Streams"], ["MSK", "Amazon MSK"], ["MQ", "Amazon MQ"],
  ["SelfManagedKafka", "Lambda event source mappings"], ["DocumentDB", "Amazon DocumentDB"], ["Schedule", "Amazon EventBridge"],
  ["ScheduleV2", "Amazon EventBridge Scheduler"], ["CloudWatchEvent", "Amazon EventBridge"], ["EventBridgeRule", "Amazon EventBridge"],
  ["CloudWatchLogs", "Amazon CloudWatch Logs"], ["IoTRule", "AWS IoT"], ["AlexaSkill", "Alexa Skills Kit"], ["Cognito", "Amazon Cognito"],
]);

/** Lambda properties SAM copies across unchanged. */
const PASS_THROUGH = [
  "FunctionName", "Handler", "Runtime", "Description", "MemorySize", "Timeout", "VpcConfig", "Role", "Environment", "KmsKeyArn",
  "ReservedConcurrentExecutions", "Layers", "FileSystemConfigs", "ImageConfig", "PackageType", "Architectures", "SnapStart",
  "EphemeralStorage", "CodeSigningConfigArn", "RuntimeManagementConfig", "LoggingConfig", "TenancyConfig", "RecursiveLoop", "DurableConfig",
];

const ALIAS_NAME = /^(?!^[0-9]+$)([a-zA-Z0-9\-_]+)$/;

export interface FunctionInput {
  logicalId: string;
  resource: JsonObject;
  props: JsonObject;
  partition: string;
  /** Template parameter and pseudo parameter values, for the version hash. */
  parameterValues: ReadonlyMap<string, Json>;
}

export function expandFunction({ logicalId, resource, props, partition, parameterValues }: FunctionInput): Array<[string, JsonObject]> {
  for (const key of Object.keys(props)) {
    if (!PROPERTIES.has(key)) throw resourceError(logicalId, `property ${key} not defined for resource of type AWS::Serverless::Function`);
  }
  for (const [key, service] of UNSERVED_PROPERTIES) {
    // unverified wording: SAM accepts these; hyperlocal cannot create what they expand to
    if (props[key] !== undefined) throw resourceError(logicalId, `Property '${key}' is not supported by hyperlocal: it needs ${service}, which hyperlocal does not serve.`);
  }
  checkEvents(logicalId, props.Events);
  if (props.ProvisionedConcurrencyConfig !== undefined && !props.AutoPublishAlias) {
    throw resourceError(logicalId, "To set ProvisionedConcurrencyConfig AutoPublishALias must be defined on the function");
  }
  if (props.VersionDeletionPolicy !== undefined && !props.AutoPublishAlias) {
    throw resourceError(logicalId, "'VersionDeletionPolicy' must be used with 'AutoPublishAlias'."); // unverified wording
  }

  const tags = tagList(logicalId, props.Tags);
  const fn = dict();
  for (const k of PASS_THROUGH) if (props[k] !== undefined) fn[k] = props[k];
  fn.Code = codeProperty(logicalId, props);
  if (props.SourceKMSKeyArn !== undefined) (fn.Code as JsonObject).SourceKMSKeyArn = props.SourceKMSKeyArn;
  fn.Tags = tags;
  if (props.Tracing !== undefined && props.Tracing !== "Disabled") fn.TracingConfig = dict([["Mode", props.Tracing]]);

  const out: Array<[string, JsonObject]> = [];
  const fnResource = dict([["Type", "AWS::Lambda::Function"], ["Properties", fn]]);
  for (const a of ["DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "Metadata", "UpdatePolicy"]) if (resource[a] !== undefined) fnResource[a] = resource[a];
  out.push([logicalId, fnResource]);
  const passAttrs = (): Array<[string, Json | undefined]> => ["Condition", "DeletionPolicy", "UpdateReplacePolicy"].map((a) => [a, resource[a]]);

  if (props.AutoPublishAlias !== undefined) out.push(...versionAndAlias(logicalId, props, fn, passAttrs(), parameterValues));

  if (props.Role === undefined) {
    fn.Role = dict([["Fn::GetAtt", [`${logicalId}Role`, "Arn"]]]);
    out.push([`${logicalId}Role`, dict([...passAttrs(), ["Type", "AWS::IAM::Role"], ["Properties", roleProperties({ logicalId, props, tags, partition })]])]);
  }
  return out;
}

function checkEvents(logicalId: string, events: Json | undefined): void {
  if (events === undefined) return;
  if (!isObject(events)) throw resourceError(logicalId, "Property 'Events' should be a map.");
  for (const [id, ev] of Object.entries(events)) {
    const type = isObject(ev) ? ev.Type : undefined;
    const service = typeof type === "string" ? EVENT_SERVICES.get(type) : undefined;
    if (!service) throw eventError(logicalId, id, `Resource dict has missing or invalid value for key Type. Event Type is: ${typeof type === "string" ? type : "None"}.`);
    // unverified wording: hyperlocal names the service the event source needs
    throw eventError(logicalId, id, `Event type '${type}' is not supported by hyperlocal: it needs ${service}, which hyperlocal does not serve.`);
  }
}

function versionAndAlias(
  logicalId: string,
  props: JsonObject,
  fn: JsonObject,
  passAttrs: Array<[string, Json | undefined]>,
  parameterValues: ReadonlyMap<string, Json>,
): Array<[string, JsonObject]> {
  const alias = resolveParameterRefs(props.AutoPublishAlias, parameterValues);
  if (typeof alias !== "string") throw resourceError(logicalId, "'AutoPublishAlias' must be a string or a Ref to a template parameter"); // unverified wording
  if (alias === "") throw resourceError(logicalId, "Alias name is required to create an alias");
  if (!ALIAS_NAME.test(alias)) {
    throw resourceError(logicalId, `AutoPublishAlias name ('${alias}') must contain only alphanumeric characters, hyphens, or underscores matching (?!^[0-9]+$)([a-zA-Z0-9-_]+) pattern.`);
  }
  let givenHash: string | undefined;
  if (props.AutoPublishCodeSha256 !== undefined) {
    const sha = resolveParameterRefs(props.AutoPublishCodeSha256, parameterValues);
    if (typeof sha !== "string") throw resourceError(logicalId, "AutoPublishCodeSha256 must be a string");
    givenHash = sha;
    // So that CloudFormation sees the function change when only the code behind the same key did.
    const d = resolveParameterRefs(fn.Description, parameterValues);
    fn.Description = d === undefined || d === "" ? sha : typeof d === "string" ? `${d} ${sha}` : { "Fn::Join": [" ", [fn.Description!, sha]] };
  }
  // What the hash covers (unless AutoPublishAliasAllProperties): the code, the environment's
  // keys merged in (Variables), and MemorySize; parameters resolved so a new value publishes anew.
  let data: JsonObject;
  if (props.AutoPublishAliasAllProperties === true) {
    data = fn;
  } else {
    data = dict(Object.entries(resolveParameterRefs(fn.Code, parameterValues) as JsonObject));
    if (isObject(fn.Environment)) for (const [k, v] of Object.entries(fn.Environment)) data[k] = v;
    if (fn.MemorySize !== undefined && fn.MemorySize !== 0 && fn.MemorySize !== null) data.MemorySize = fn.MemorySize;
    if (isObject(fn.SnapStart) && (fn.SnapStart.ApplyOn ?? "None") !== "None") data.SnapStart = fn.SnapStart;
  }
  const versionId = versionLogicalId(`${logicalId}Version`, data, givenHash);
  const attrs = dict(passAttrs);
  if (attrs.DeletionPolicy === undefined) attrs.DeletionPolicy = (props.VersionDeletionPolicy as string | undefined) ?? "Retain";
  const version = dict([...Object.entries(attrs), ["Type", "AWS::Lambda::Version"], ["Properties", dict([["FunctionName", { Ref: logicalId }], ["Description", props.VersionDescription]])]]);
  const aliasProps = dict([
    ["Name", alias],
    ["FunctionName", { Ref: logicalId }],
    ["FunctionVersion", { "Fn::GetAtt": [versionId, "Version"] }],
    ["ProvisionedConcurrencyConfig", props.ProvisionedConcurrencyConfig],
  ]);
  const aliasId = `${logicalId}Alias${alias.replace(/-/g, "D").replace(/_/g, "U")}`;
  return [[versionId, version], [aliasId, dict([...passAttrs, ["Type", "AWS::Lambda::Alias"], ["Properties", aliasProps]])]];
}

/** Tags as a list, SAM's own tag first. */
function tagList(logicalId: string, tags: Json | undefined): Json[] {
  const list: Json[] = [dict([["Key", "lambda:createdBy"], ["Value", "SAM"]])];
  if (tags === undefined || tags === null) return list;
  if (!isObject(tags)) throw resourceError(logicalId, "Type of property 'Tags' is invalid."); // unverified wording
  if (Object.hasOwn(tags, "lambda:createdBy")) {
    throw resourceError(logicalId, "lambda:createdBy is a reserved Tag key name and cannot be set on your resource. Please change the tag key in the input.");
  }
  for (const [k, v] of Object.entries(tags)) list.push(dict([["Key", k], ["Value", v]]));
  return list;
}
