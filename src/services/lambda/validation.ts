// Field constraints from the Lambda model (botocore data/lambda/2015-03-31/service-2.json) and
// AWS's (Coral's) text for breaking them:
//   1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1
// A value of the wrong JSON type never reaches validation: it is a SerializationException, as the
// front end fails to deserialize it.
import { AwsError } from "../../core/aws-error.ts";

export type Rule =
  | { t: "string"; min?: number; max?: number; pattern?: string; enum?: readonly string[]; sensitive?: boolean; listsNotNull?: false }
  | { t: "int"; min?: number; max?: number }
  | { t: "double"; min?: number; max?: number }
  | { t: "bool" }
  | { t: "blob" }
  | { t: "list"; min?: number; max?: number; member?: Rule }
  | { t: "map"; key?: Rule; value?: Rule; sensitive?: boolean }
  | StructRule;

export interface StructRule {
  t: "struct";
  members: Record<string, Rule>;
  required?: readonly string[];
}

export interface Problem {
  path: string;
  value: unknown;
  /** The value is not shown (sensitive members). */
  hidden?: boolean;
  constraint: string;
}

// ---- shapes from the model ----

const FUNCTION_NAME_PATTERN =
  "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";
const NAMESPACED_FUNCTION_NAME_PATTERN =
  "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?";

export const FUNCTION_NAME: Rule = { t: "string", min: 1, max: 140, pattern: FUNCTION_NAME_PATTERN };
export const NAMESPACED_FUNCTION_NAME: Rule = { t: "string", min: 1, max: 256, pattern: NAMESPACED_FUNCTION_NAME_PATTERN };
export const QUALIFIER: Rule = { t: "string", min: 1, max: 128, pattern: "\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+" };
const ROLE: Rule = { t: "string", pattern: "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+" };
const HANDLER: Rule = { t: "string", min: 0, max: 128, pattern: "[^\\s]+" };
const DESCRIPTION: Rule = { t: "string", min: 0, max: 256 };
const TIMEOUT: Rule = { t: "int", min: 1 };
const MEMORY_SIZE: Rule = { t: "int", min: 128, max: 32768 };
const KMS_KEY_ARN: Rule = { t: "string", pattern: "(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()" };
const RESOURCE_ARN: Rule = { t: "string", pattern: "(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()" };

/** The model's Runtime enum, in the model's order (Coral lists it that way). */
export const RUNTIME_ENUM = [
  "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "java8", "java8.al2",
  "java11", "python2.7", "python3.6", "python3.7", "python3.8", "python3.9", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1",
  "dotnetcore3.1", "dotnet6", "dotnet8", "nodejs4.3-edge", "go1.x", "ruby2.5", "ruby2.7", "provided", "provided.al2", "nodejs18.x",
  "python3.10", "java17", "ruby3.2", "ruby3.3", "ruby3.4", "python3.11", "nodejs20.x", "provided.al2023", "python3.12", "java21",
  "python3.13", "nodejs22.x", "nodejs24.x", "python3.14", "java25", "dotnet10", "ruby4.0",
] as const;
/**
 * Runtime is not enum-checked by the front end: Lambda itself answers an unknown one with
 * InvalidParameterValueException "... or be a valid ARN" (functions.ts), since it also takes ARNs.
 */
const RUNTIME: Rule = { t: "string" };

const ENVIRONMENT: StructRule = {
  t: "struct",
  members: { Variables: { t: "map", key: { t: "string", pattern: "[a-zA-Z]([a-zA-Z0-9_])+", sensitive: true }, value: { t: "string", sensitive: true }, sensitive: true } },
};
const VPC_CONFIG: StructRule = {
  t: "struct",
  members: {
    // As AWS answered (LocalStack's AWS-validated test_invalid_vpc_config_subnet, 2025-11): "Member must
    // satisfy constraint: [Member must have length less than or equal to 1024, Member must have length
    // greater than or equal to 0, Member must satisfy regular expression pattern: subnet-[0-9a-z]*]"
    // (no anchors, and no "Member must not be null", unlike the architectures list).
    SubnetIds: { t: "list", min: 0, max: 16, member: { t: "string", max: 1024, min: 0, pattern: "subnet-[0-9a-z]*", listsNotNull: false } },
    SecurityGroupIds: { t: "list", min: 0, max: 5, member: { t: "string", max: 1024, min: 0, pattern: "sg-[0-9a-zA-Z]*", listsNotNull: false } },
    Ipv6AllowedForDualStack: { t: "bool" },
  },
};
const DEAD_LETTER: StructRule = { t: "struct", members: { TargetArn: RESOURCE_ARN } };
const TRACING: StructRule = { t: "struct", members: { Mode: { t: "string", enum: ["Active", "PassThrough"] } } };
const LAYERS: Rule = { t: "list", member: { t: "string", min: 1, max: 140, pattern: "arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+" } };
const FILE_SYSTEMS: Rule = { t: "list", min: 0, max: 1, member: { t: "struct", members: { Arn: { t: "string", max: 200 }, LocalMountPath: { t: "string", max: 160 } }, required: ["Arn", "LocalMountPath"] } };
const IMAGE_CONFIG: StructRule = {
  t: "struct",
  members: {
    EntryPoint: { t: "list", min: 0, max: 1500, member: { t: "string" } },
    Command: { t: "list", min: 0, max: 1500, member: { t: "string" } },
    WorkingDirectory: { t: "string", min: 0, max: 1000 },
  },
};
const ARCHITECTURES: Rule = { t: "list", min: 1, max: 1, member: { t: "string", enum: ["x86_64", "arm64"] } };
const EPHEMERAL_STORAGE: StructRule = { t: "struct", members: { Size: { t: "int", min: 512, max: 10240 } }, required: ["Size"] };
const SNAP_START: StructRule = { t: "struct", members: { ApplyOn: { t: "string", enum: ["PublishedVersions", "None"] } } };
const LOGGING_CONFIG: StructRule = {
  t: "struct",
  members: {
    LogFormat: { t: "string", enum: ["JSON", "Text"] },
    ApplicationLogLevel: { t: "string", enum: ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] },
    SystemLogLevel: { t: "string", enum: ["DEBUG", "INFO", "WARN"] },
    LogGroup: { t: "string", min: 1, max: 512, pattern: "[\\.\\-_/#A-Za-z0-9]+" },
  },
};
const S3_BUCKET: Rule = { t: "string", min: 3, max: 63, pattern: "[0-9A-Za-z\\.\\-_]*(?<!\\.)" };
const S3_KEY: Rule = { t: "string", min: 1, max: 1024 };
const CODE: StructRule = {
  t: "struct",
  members: { ZipFile: { t: "blob" }, S3Bucket: S3_BUCKET, S3Key: S3_KEY, S3ObjectVersion: S3_KEY, ImageUri: { t: "string" }, SourceKMSKeyArn: KMS_KEY_ARN },
};
const TAGS: Rule = { t: "map", key: { t: "string" }, value: { t: "string" } };
const CODE_SIGNING_CONFIG_ARN: Rule = {
  t: "string",
  min: 0,
  max: 200,
  pattern: "arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:code-signing-config:csc-[a-z0-9]{17}",
};

export const CREATE_FUNCTION: StructRule = {
  t: "struct",
  required: ["FunctionName", "Role", "Code"],
  members: {
    FunctionName: FUNCTION_NAME,
    Runtime: RUNTIME,
    Role: ROLE,
    Handler: HANDLER,
    Code: CODE,
    Description: DESCRIPTION,
    Timeout: TIMEOUT,
    MemorySize: MEMORY_SIZE,
    Publish: { t: "bool" },
    VpcConfig: VPC_CONFIG,
    PackageType: { t: "string", enum: ["Zip", "Image"] },
    DeadLetterConfig: DEAD_LETTER,
    Environment: ENVIRONMENT,
    KMSKeyArn: KMS_KEY_ARN,
    TracingConfig: TRACING,
    Tags: TAGS,
    Layers: LAYERS,
    FileSystemConfigs: FILE_SYSTEMS,
    ImageConfig: IMAGE_CONFIG,
    CodeSigningConfigArn: CODE_SIGNING_CONFIG_ARN,
    Architectures: ARCHITECTURES,
    EphemeralStorage: EPHEMERAL_STORAGE,
    SnapStart: SNAP_START,
    LoggingConfig: LOGGING_CONFIG,
  },
};

export const UPDATE_FUNCTION_CONFIGURATION: StructRule = {
  t: "struct",
  required: ["FunctionName"],
  members: {
    FunctionName: FUNCTION_NAME,
    Role: ROLE,
    Handler: HANDLER,
    Description: DESCRIPTION,
    Timeout: TIMEOUT,
    MemorySize: MEMORY_SIZE,
    VpcConfig: VPC_CONFIG,
    Environment: ENVIRONMENT,
    Runtime: RUNTIME,
    DeadLetterConfig: DEAD_LETTER,
    KMSKeyArn: KMS_KEY_ARN,
    TracingConfig: TRACING,
    RevisionId: { t: "string" },
    Layers: LAYERS,
    FileSystemConfigs: FILE_SYSTEMS,
    ImageConfig: IMAGE_CONFIG,
    EphemeralStorage: EPHEMERAL_STORAGE,
    SnapStart: SNAP_START,
    LoggingConfig: LOGGING_CONFIG,
  },
};

export const UPDATE_FUNCTION_CODE: StructRule = {
  t: "struct",
  required: ["FunctionName"],
  members: {
    FunctionName: FUNCTION_NAME,
    ZipFile: { t: "blob" },
    S3Bucket: S3_BUCKET,
    S3Key: S3_KEY,
    S3ObjectVersion: S3_KEY,
    ImageUri: { t: "string" },
    Publish: { t: "bool" },
    DryRun: { t: "bool" },
    RevisionId: { t: "string" },
    Architectures: ARCHITECTURES,
    SourceKMSKeyArn: KMS_KEY_ARN,
  },
};

/** FunctionName (max 140) with an optional Qualifier. */
export const FUNCTION_ONLY: StructRule = { t: "struct", required: ["FunctionName"], members: { FunctionName: FUNCTION_NAME } };
export const NAMESPACED_WITH_QUALIFIER: StructRule = {
  t: "struct",
  required: ["FunctionName"],
  members: { FunctionName: NAMESPACED_FUNCTION_NAME, Qualifier: QUALIFIER },
};

const MAX_ITEMS: Rule = { t: "int", min: 1, max: 10000 };

export const LIST_FUNCTIONS: StructRule = {
  t: "struct",
  members: { MasterRegion: { t: "string", pattern: "ALL|[a-z]{2}(-gov)?-[a-z]+-\\d{1}" }, FunctionVersion: { t: "string", enum: ["ALL"] }, Marker: { t: "string" }, MaxItems: MAX_ITEMS },
};

export const LIST_VERSIONS: StructRule = {
  t: "struct",
  required: ["FunctionName"],
  members: { FunctionName: NAMESPACED_FUNCTION_NAME, Marker: { t: "string" }, MaxItems: MAX_ITEMS },
};

export const PUBLISH_VERSION: StructRule = {
  t: "struct",
  required: ["FunctionName"],
  members: { FunctionName: FUNCTION_NAME, CodeSha256: { t: "string" }, Description: DESCRIPTION, RevisionId: { t: "string" } },
};

const ALIAS_NAME: Rule = { t: "string", min: 1, max: 128, pattern: "(?!^[0-9]+$)([a-zA-Z0-9-_]+)" };
const VERSION_WITH_LATEST: Rule = { t: "string", min: 1, max: 1024, pattern: "(\\$LATEST(\\.PUBLISHED)?|[0-9]+)" };
const ROUTING_CONFIG: StructRule = {
  t: "struct",
  members: { AdditionalVersionWeights: { t: "map", key: { t: "string", min: 1, max: 1024, pattern: "[0-9]+" }, value: { t: "double", min: 0, max: 1 } } },
};

export const CREATE_ALIAS: StructRule = {
  t: "struct",
  required: ["FunctionName", "Name", "FunctionVersion"],
  members: { FunctionName: FUNCTION_NAME, Name: ALIAS_NAME, FunctionVersion: VERSION_WITH_LATEST, Description: DESCRIPTION, RoutingConfig: ROUTING_CONFIG },
};
export const UPDATE_ALIAS: StructRule = {
  t: "struct",
  required: ["FunctionName", "Name"],
  members: { FunctionName: FUNCTION_NAME, Name: ALIAS_NAME, FunctionVersion: VERSION_WITH_LATEST, Description: DESCRIPTION, RoutingConfig: ROUTING_CONFIG, RevisionId: { t: "string" } },
};
export const ALIAS_REF: StructRule = { t: "struct", required: ["FunctionName", "Name"], members: { FunctionName: FUNCTION_NAME, Name: ALIAS_NAME } };
export const LIST_ALIASES: StructRule = {
  t: "struct",
  required: ["FunctionName"],
  members: { FunctionName: FUNCTION_NAME, FunctionVersion: VERSION_WITH_LATEST, Marker: { t: "string" }, MaxItems: MAX_ITEMS },
};

const TAGGABLE_RESOURCE: Rule = {
  t: "string",
  min: 1,
  max: 256,
  pattern:
    "arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)",
};
export const TAG_RESOURCE: StructRule = { t: "struct", required: ["Resource", "Tags"], members: { Resource: TAGGABLE_RESOURCE, Tags: TAGS } };
export const UNTAG_RESOURCE: StructRule = { t: "struct", required: ["Resource", "TagKeys"], members: { Resource: TAGGABLE_RESOURCE, TagKeys: { t: "list", member: { t: "string" } } } };
export const LIST_TAGS: StructRule = { t: "struct", required: ["Resource"], members: { Resource: TAGGABLE_RESOURCE } };

export const PUT_CONCURRENCY: StructRule = {
  t: "struct",
  required: ["FunctionName", "ReservedConcurrentExecutions"],
  members: { FunctionName: FUNCTION_NAME, ReservedConcurrentExecutions: { t: "int", min: 0 } },
};

export const ADD_PERMISSION: StructRule = {
  t: "struct",
  required: ["FunctionName", "StatementId", "Action", "Principal"],
  members: {
    FunctionName: NAMESPACED_FUNCTION_NAME,
    StatementId: { t: "string", min: 1, max: 100, pattern: "([a-zA-Z0-9-_]+)" },
    Action: { t: "string", pattern: "(lambda:[*]|lambda:[a-zA-Z]+|[*])" },
    Principal: { t: "string", pattern: "[^\\s]+" },
    SourceArn: { t: "string", pattern: "arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)" },
    SourceAccount: { t: "string", min: 0, max: 12, pattern: "\\d{12}" },
    EventSourceToken: { t: "string", min: 0, max: 256, pattern: "[a-zA-Z0-9._\\-]+" },
    Qualifier: QUALIFIER,
    RevisionId: { t: "string" },
    PrincipalOrgID: { t: "string", min: 12, max: 34, pattern: "o-[a-z0-9]{10,32}" },
    FunctionUrlAuthType: { t: "string", enum: ["NONE", "AWS_IAM"] },
    InvokedViaFunctionUrl: { t: "bool" },
  },
};
export const REMOVE_PERMISSION: StructRule = {
  t: "struct",
  required: ["FunctionName", "StatementId"],
  members: {
    FunctionName: NAMESPACED_FUNCTION_NAME,
    StatementId: { t: "string", min: 1, max: 100, pattern: "([a-zA-Z0-9-_.]+)" },
    Qualifier: QUALIFIER,
    RevisionId: { t: "string" },
  },
};

const DESTINATION: Rule = { t: "struct", members: { Destination: { t: "string", min: 0, max: 350 } } };

export const EVENT_INVOKE_CONFIG: StructRule = {
  t: "struct",
  required: ["FunctionName"],
  members: {
    FunctionName: NAMESPACED_FUNCTION_NAME,
    Qualifier: QUALIFIER,
    MaximumRetryAttempts: { t: "int", min: 0, max: 2 },
    MaximumEventAgeInSeconds: { t: "int", min: 60, max: 21600 },
    DestinationConfig: { t: "struct", members: { OnSuccess: DESTINATION, OnFailure: DESTINATION } },
  },
};

export const LIST_EVENT_INVOKE_CONFIGS: StructRule = {
  t: "struct",
  required: ["FunctionName"],
  members: { FunctionName: NAMESPACED_FUNCTION_NAME, Marker: { t: "string" }, MaxItems: { t: "int", min: 1, max: 50 } },
};

export const INVOKE: StructRule = {
  t: "struct",
  required: ["FunctionName"],
  members: {
    FunctionName: NAMESPACED_FUNCTION_NAME,
    InvocationType: { t: "string", enum: ["Event", "RequestResponse", "DryRun"] },
    LogType: { t: "string", enum: ["None", "Tail"] },
    ClientContext: { t: "string" },
    Qualifier: QUALIFIER,
  },
};

// ---- the checker ----

/** Type-check (SerializationException) and then constraint-check (ValidationException) an input. */
export function validate(shape: StructRule, input: Record<string, unknown>): void {
  typeCheck(shape, input);
  const problems: Problem[] = [];
  checkStruct(shape, input, "", problems);
  if (problems.length > 0) throw validationException(problems);
}

export function validationException(problems: Problem[]): AwsError {
  const parts = problems.map((p) => `Value ${p.hidden ? "" : `${show(p.value)} `}at '${p.path}' failed to satisfy constraint: ${p.constraint}`);
  const n = problems.length;
  return new AwsError("ValidationException", 400, `${n} validation error${n === 1 ? "" : "s"} detected: ${parts.join("; ")}`);
}

/** One problem, for checks the model cannot express (e.g. Timeout ≤ 900). */
export function oneProblem(path: string, value: unknown, constraint: string): AwsError {
  return validationException([{ path, value, constraint }]);
}

function serialization(message: string): AwsError {
  // unverified wording: Coral's deserializer texts
  return new AwsError("SerializationException", 400, message);
}

function typeCheck(rule: Rule, v: unknown): void {
  if (v === undefined || v === null) return;
  switch (rule.t) {
    case "string":
    case "blob":
      if (typeof v !== "string") throw serialization(typeof v === "object" ? "Start of structure or map found where not expected." : `${jsonKind(v)} can not be converted to a String`);
      return;
    case "int":
      if (typeof v !== "number" || !Number.isInteger(v)) throw serialization(`${jsonKind(v)} can not be converted to an Integer`);
      return;
    case "double":
      if (typeof v !== "number") throw serialization(`${jsonKind(v)} can not be converted to a Double`);
      return;
    case "bool":
      if (typeof v !== "boolean") throw serialization(`${jsonKind(v)} can not be converted to a Boolean`);
      return;
    case "list":
      if (!Array.isArray(v)) throw serialization("Expected list or an array");
      if (rule.member) for (const x of v) typeCheck(rule.member, x);
      return;
    case "map":
      if (typeof v !== "object" || Array.isArray(v)) throw serialization("Expected map or an object");
      for (const x of Object.values(v as Record<string, unknown>)) if (rule.value) typeCheck(rule.value, x);
      return;
    case "struct":
      if (typeof v !== "object" || Array.isArray(v)) throw serialization("Start of list found where not expected");
      for (const [k, m] of Object.entries(rule.members)) typeCheck(m, (v as Record<string, unknown>)[k]);
      return;
  }
}

function jsonKind(v: unknown): string {
  if (typeof v === "string") return "STRING_VALUE";
  if (typeof v === "number") return "NUMBER_VALUE";
  if (typeof v === "boolean") return v ? "TRUE_VALUE" : "FALSE_VALUE";
  if (Array.isArray(v)) return "START_ARRAY";
  return "START_OBJECT";
}

function checkStruct(rule: StructRule, v: Record<string, unknown>, prefix: string, out: Problem[]): void {
  for (const [name, m] of Object.entries(rule.members)) {
    const path = prefix + lowerFirst(name);
    const value = v[name];
    if (value === undefined || value === null) {
      if (rule.required?.includes(name)) out.push({ path, value: null, constraint: "Member must not be null" });
      continue;
    }
    check(m, value, path, out);
  }
}

function check(rule: Rule, v: unknown, path: string, out: Problem[]): void {
  const hidden = "sensitive" in rule && rule.sensitive === true;
  for (const c of constraintsBroken(rule, v)) out.push({ path, value: v, constraint: c, hidden });
  if (rule.t === "struct") checkStruct(rule, v as Record<string, unknown>, `${path}.`, out);
  if (rule.t === "list" && rule.member) {
    const member = rule.member;
    // Coral names every constraint of the member shape once any member breaks one.
    if ((v as unknown[]).some((x) => constraintsBroken(member, x).length > 0)) {
      out.push({ path, value: v, constraint: `Member must satisfy constraint: [${allConstraints(member).join(", ")}]` });
    }
    if (rule.member.t === "struct") (v as Record<string, unknown>[]).forEach((x, i) => checkStruct(rule.member as StructRule, x, `${path}.${i + 1}.member.`, out));
  }
  if (rule.t === "map") {
    const entries = Object.entries(v as Record<string, unknown>);
    const { key, value } = rule;
    if (key && entries.some(([k]) => constraintsBroken(key, k).length > 0)) {
      out.push({ path, value: v, hidden, constraint: `Map keys must satisfy constraint: [${allConstraints(key).join(", ")}]` });
    }
    if (value && entries.some(([, x]) => constraintsBroken(value, x).length > 0)) {
      out.push({ path, value: v, hidden, constraint: `Map value must satisfy constraint: [${allConstraints(value).join(", ")}]` });
    }
  }
}

const compiled = new Map<string, RegExp>();

export function fullMatch(pattern: string, s: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`);
    compiled.set(pattern, re);
  }
  return re.test(s);
}

function constraintsBroken(rule: Rule, v: unknown): string[] {
  const out: string[] = [];
  switch (rule.t) {
    case "string": {
      const s = v as string;
      if (rule.max !== undefined && s.length > rule.max) out.push(`Member must have length less than or equal to ${rule.max}`);
      if (rule.min !== undefined && s.length < rule.min) out.push(`Member must have length greater than or equal to ${rule.min}`);
      if (rule.pattern !== undefined && !fullMatch(rule.pattern, s)) out.push(`Member must satisfy regular expression pattern: ${rule.pattern}`);
      if (rule.enum && !rule.enum.includes(s)) out.push(`Member must satisfy enum value set: [${rule.enum.join(", ")}]`);
      break;
    }
    case "int":
    case "double": {
      const n = v as number;
      const fmt = (x: number) => (rule.t === "double" && Number.isInteger(x) ? x.toFixed(1) : String(x));
      if (rule.max !== undefined && n > rule.max) out.push(`Member must have value less than or equal to ${fmt(rule.max)}`);
      if (rule.min !== undefined && n < rule.min) out.push(`Member must have value greater than or equal to ${fmt(rule.min)}`);
      break;
    }
    case "list": {
      const a = v as unknown[];
      if (rule.max !== undefined && a.length > rule.max) out.push(`Member must have length less than or equal to ${rule.max}`);
      if (rule.min !== undefined && a.length < rule.min) out.push(`Member must have length greater than or equal to ${rule.min}`);
      break;
    }
  }
  return out;
}

/** Every constraint of a shape, as Coral lists them for members of lists and maps. */
function allConstraints(rule: Rule): string[] {
  const out: string[] = [];
  if (rule.t === "string") {
    if (rule.max !== undefined) out.push(`Member must have length less than or equal to ${rule.max}`);
    if (rule.min !== undefined) out.push(`Member must have length greater than or equal to ${rule.min}`);
    if (rule.pattern !== undefined) out.push(`Member must satisfy regular expression pattern: ${rule.pattern}`);
    if (rule.enum) out.push(`Member must satisfy enum value set: [${rule.enum.join(", ")}]`);
  } else if (rule.t === "int" || rule.t === "double") {
    const fmt = (x: number) => (rule.t === "double" && Number.isInteger(x) ? x.toFixed(1) : String(x));
    if (rule.max !== undefined) out.push(`Member must have value less than or equal to ${fmt(rule.max)}`);
    if (rule.min !== undefined) out.push(`Member must have value greater than or equal to ${fmt(rule.min)}`);
  }
  if (!(rule.t === "string" && rule.listsNotNull === false)) out.push("Member must not be null");
  return out;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** Values as Java's toString shows them: lists [a, b], maps {k=v}. */
function show(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return `'[${v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(", ")}]'`;
  if (typeof v === "object") return `'{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${String(x)}`).join(", ")}}'`;
  return `'${String(v)}'`;
}
