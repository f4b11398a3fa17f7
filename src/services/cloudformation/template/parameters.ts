import { isObject, type Json, type JsonObject } from "./parse.ts";
import { formatError, validationError } from "./errors.ts";

/** A parameter as the template declares it. */
export interface ParameterDecl {
  name: string;
  type: string;
  default?: string;
  noEcho: boolean;
  description?: string;
  allowedValues?: string[];
  allowedPattern?: string;
  minLength?: number;
  maxLength?: number;
  minValue?: number;
  maxValue?: number;
  constraintDescription?: string;
}

const BASE_TYPES = new Set(["String", "Number", "List<Number>", "CommaDelimitedList"]);
/** AWS-specific types: values are ids, checked against EC2 where EC2 has them. */
export const AWS_TYPES: Record<string, { list: boolean; prefix?: string; describe?: string }> = {
  "AWS::EC2::VPC::Id": { list: false, prefix: "vpc-" },
  "AWS::EC2::Subnet::Id": { list: false, prefix: "subnet-" },
  "AWS::EC2::SecurityGroup::Id": { list: false, prefix: "sg-" },
  "AWS::EC2::AvailabilityZone::Name": { list: false },
  "AWS::EC2::SecurityGroup::GroupName": { list: false },
  "AWS::EC2::KeyPair::KeyName": { list: false },
  "AWS::EC2::Image::Id": { list: false },
  "AWS::EC2::Instance::Id": { list: false },
  "AWS::EC2::Volume::Id": { list: false },
  "AWS::Route53::HostedZone::Id": { list: false },
  "List<AWS::EC2::VPC::Id>": { list: true, prefix: "vpc-" },
  "List<AWS::EC2::Subnet::Id>": { list: true, prefix: "subnet-" },
  "List<AWS::EC2::SecurityGroup::Id>": { list: true, prefix: "sg-" },
  "List<AWS::EC2::AvailabilityZone::Name>": { list: true },
  "List<AWS::EC2::SecurityGroup::GroupName>": { list: true },
};

const PARAM_KEYS = new Set(["Type", "Default", "NoEcho", "Description", "AllowedValues", "AllowedPattern", "MinLength", "MaxLength", "MinValue", "MaxValue", "ConstraintDescription"]);

function scalarText(v: Json | undefined): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return v.map((x) => String(x)).join(",");
  return undefined;
}

function num(v: Json | undefined, what: string, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v === "boolean" || !Number.isFinite(n)) throw formatError(`Every ${what} member of parameter ${name} must be a number`); // unverified wording
  return n;
}

/** Parameters block → declarations, with AWS's format errors. */
export function parseParameterDecls(block: Json | undefined): ParameterDecl[] {
  if (block === undefined) return [];
  if (!isObject(block)) throw formatError("Parameters must be an object"); // unverified wording
  const out: ParameterDecl[] = [];
  if (Object.keys(block).length > 200) throw formatError("Parameter count 201 is greater than max value of 200"); // unverified wording
  for (const [name, raw] of Object.entries(block)) {
    if (!/^[A-Za-z0-9]+$/.test(name)) throw formatError(`Parameter name ${name} is non alphanumeric.`);
    if (!isObject(raw)) throw formatError(`Invalid parameter property: ${name}`); // unverified wording
    for (const k of Object.keys(raw)) if (!PARAM_KEYS.has(k)) throw formatError(`Invalid template parameter property '${k}'`);
    const type = raw.Type;
    if (typeof type !== "string") throw formatError(`Every Parameters object must contain a Type member.`);
    if (type.startsWith("AWS::SSM::Parameter")) {
      throw validationError(`Template format error: Unsupported parameter type ${type}: hyperlocal does not serve SSM Parameter Store.`); // unverified wording
    }
    if (!BASE_TYPES.has(type) && !Object.prototype.hasOwnProperty.call(AWS_TYPES, type)) throw formatError(`Unrecognized parameter type: ${type}`);
    const allowed = raw.AllowedValues;
    if (allowed !== undefined && !Array.isArray(allowed)) throw formatError(`Every AllowedValues member of parameter ${name} must be a list`); // unverified wording
    const d: ParameterDecl = {
      name,
      type,
      noEcho: raw.NoEcho === true || raw.NoEcho === "true",
      ...(raw.Default !== undefined ? { default: scalarText(raw.Default) ?? "" } : {}),
      ...(typeof raw.Description === "string" ? { description: raw.Description } : {}),
      ...(allowed ? { allowedValues: allowed.map((v) => scalarText(v) ?? "") } : {}),
      ...(typeof raw.AllowedPattern === "string" ? { allowedPattern: raw.AllowedPattern } : {}),
      ...(typeof raw.ConstraintDescription === "string" ? { constraintDescription: raw.ConstraintDescription } : {}),
    };
    const minLength = num(raw.MinLength, "MinLength", name);
    const maxLength = num(raw.MaxLength, "MaxLength", name);
    const minValue = num(raw.MinValue, "MinValue", name);
    const maxValue = num(raw.MaxValue, "MaxValue", name);
    if (minLength !== undefined) d.minLength = minLength;
    if (maxLength !== undefined) d.maxLength = maxLength;
    if (minValue !== undefined) d.minValue = minValue;
    if (maxValue !== undefined) d.maxValue = maxValue;
    if (d.allowedPattern !== undefined) {
      try {
        new RegExp(d.allowedPattern);
      } catch {
        throw formatError(`Parameter ${name} has an invalid AllowedPattern`); // unverified wording
      }
    }
    out.push(d);
  }
  return out;
}

export function isListType(type: string): boolean {
  return type === "List<Number>" || type === "CommaDelimitedList" || (AWS_TYPES[type]?.list ?? false);
}

export interface GivenParameter {
  ParameterKey?: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean;
}

/**
 * The value of each parameter: given, previous (UsePreviousValue) or default; every constraint
 * checked with AWS's texts. `exists(type, id)` answers for AWS-specific id types.
 */
export function resolveParameterValues(
  decls: ParameterDecl[],
  given: GivenParameter[],
  previous: Record<string, string> | undefined,
  exists: (type: string, id: string) => boolean,
): Record<string, string> {
  const byName = new Map(decls.map((d) => [d.name, d]));
  const unknown = given.filter((g) => g.ParameterKey === undefined || !byName.has(g.ParameterKey)).map((g) => g.ParameterKey ?? "");
  if (unknown.length > 0) throw validationError(`Parameters: [${unknown.join(", ")}] do not exist in the template`);
  const values: Record<string, string> = Object.create(null);
  const missing: string[] = [];
  for (const d of decls) {
    const g = given.find((x) => x.ParameterKey === d.name);
    let v: string | undefined;
    if (g?.UsePreviousValue) {
      if (!previous || !Object.prototype.hasOwnProperty.call(previous, d.name)) throw validationError(`Invalid input for parameter key ${d.name}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`);
      v = previous[d.name];
    } else v = g?.ParameterValue ?? d.default;
    if (v === undefined) {
      missing.push(d.name);
      continue;
    }
    checkConstraints(d, v, exists);
    values[d.name] = v;
  }
  if (missing.length > 0) throw validationError(`Parameters: [${missing.join(", ")}] must have values`);
  return values;
}

function checkConstraints(d: ParameterDecl, v: string, exists: (type: string, id: string) => boolean): void {
  const fail = (what: string) => {
    // With a ConstraintDescription, AWS says it instead of the constraint.
    throw validationError(d.constraintDescription ? `Parameter '${d.name}' failed to satisfy constraint: ${d.constraintDescription}` : `Parameter '${d.name}' ${what}`);
  };
  const items = isListType(d.type) ? (v === "" ? [] : v.split(",").map((x) => x.trim())) : [v];
  for (const item of items) {
    if (d.type === "Number" || d.type === "List<Number>") {
      if (item.trim() === "" || !Number.isFinite(Number(item))) fail("must be a number");
      const n = Number(item);
      if (d.minValue !== undefined && n < d.minValue) fail(`must be a number not less than ${d.minValue}`);
      if (d.maxValue !== undefined && n > d.maxValue) fail(`must be a number not greater than ${d.maxValue}`);
    }
    if (d.allowedValues && !d.allowedValues.includes(item)) fail("must be one of AllowedValues");
    if (d.allowedPattern !== undefined && !new RegExp(`^(?:${d.allowedPattern})$`).test(item)) fail(`must match pattern ${d.allowedPattern}`);
    if (d.minLength !== undefined && item.length < d.minLength) fail(`must contain at least ${d.minLength} characters`);
    if (d.maxLength !== undefined && item.length > d.maxLength) fail(`must contain at most ${d.maxLength} characters`);
    const aws = AWS_TYPES[d.type];
    if (aws?.prefix && !exists(d.type, item)) {
      throw validationError(`Parameter validation failed: parameter value ${item} for parameter name ${d.name} does not exist. Rephrase your request and try again.`);
    }
  }
}

/** The value a Ref to the parameter gives: a list for list types. */
export function parameterRefValue(d: ParameterDecl, v: string): Json {
  if (!isListType(d.type)) return v;
  return v === "" ? [] : v.split(",").map((x) => x.trim());
}

export type { JsonObject };
