// Reading and validating query parameters against the IAM model's constraints (min, max, pattern),
// answering as AWS does: ValidationError "1 validation error detected: Value ... at 'userName' ...".
import { asList, str, sub, type InputNode, type InputTree } from "../../core/input-tree.ts";
import { constraintError } from "./errors.ts";
import type { Tag } from "./state.ts";

export interface StringShape {
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** The pattern as the model writes it, for the message. */
  patternText?: string;
}

// Shapes of the botocore IAM model (botocore/data/iam/2010-05-08/service-2.json).
export const NAME: StringShape = { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/, patternText: "[\\w+=,.@-]+" };
export const USER_NAME: StringShape = { ...NAME, max: 64 };
export const ROLE_NAME: StringShape = { ...NAME, max: 64 };
export const PATH: StringShape = {
  min: 1,
  max: 512,
  pattern: /^(?:\/|\/[\u0021-\u007E]+\/)$/,
  patternText: "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
};
export const POLICY_PATH: StringShape = {
  min: 1,
  max: 512,
  pattern: /^(?:\/[A-Za-z0-9.,+@=_-]+)*\/$/,
  patternText: "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/",
};
export const PATH_PREFIX: StringShape = { min: 1, max: 512, pattern: /^\/[\u0021-\u007F]*$/, patternText: "\\u002F[\\u0021-\\u007F]*" };
export const ARN: StringShape = { min: 20, max: 2048 };
export const POLICY_DOCUMENT: StringShape = {
  min: 1,
  max: 131072,
  pattern: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/,
  patternText: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
};
export const DESCRIPTION: StringShape = { max: 1000 };
export const ACCESS_KEY_ID: StringShape = { min: 16, max: 128, pattern: /^[\w]+$/, patternText: "[\\w]+" };
export const VERSION_ID: StringShape = { pattern: /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/, patternText: "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?" };
export const MARKER: StringShape = { min: 1, max: 320, pattern: /^[\u0020-\u00FF]+$/, patternText: "[\\u0020-\\u00FF]+" };
export const TAG_KEY: StringShape = { min: 1, max: 128, pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, patternText: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+" };
export const TAG_VALUE: StringShape = { min: 0, max: 256, pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, patternText: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*" };

/** The model's member name in messages is lowerCamel: UserName → userName. */
function memberName(param: string): string {
  return param.charAt(0).toLowerCase() + param.slice(1);
}

export function checkString(value: string, shape: StringShape, member: string): string {
  if (shape.min !== undefined && value.length < shape.min) {
    throw constraintError(value, member, `Member must have length greater than or equal to ${shape.min}`);
  }
  if (shape.max !== undefined && value.length > shape.max) {
    // AWS does not echo huge values back; a policy document is shortened in the message.
    throw constraintError(value.length > 256 ? `${value.slice(0, 64)}...` : value, member, `Member must have length less than or equal to ${shape.max}`);
  }
  if (shape.pattern && !shape.pattern.test(value)) {
    throw constraintError(value.length > 256 ? `${value.slice(0, 64)}...` : value, member, `Member must satisfy regular expression pattern: ${shape.patternText}`);
  }
  return value;
}

export function reqString(params: InputTree, name: string, shape: StringShape): string {
  const v = str(params[name]);
  if (v === undefined) throw constraintError(undefined, memberName(name), "Member must not be null");
  return checkString(v, shape, memberName(name));
}

export function optString(params: InputTree, name: string, shape: StringShape): string | undefined {
  const v = str(params[name]);
  return v === undefined ? undefined : checkString(v, shape, memberName(name));
}

export function optInt(params: InputTree, name: string, min: number, max: number): number | undefined {
  const v = str(params[name]);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw constraintError(v, memberName(name), "Member must be an integer"); // unverified wording
  if (n < min) throw constraintError(v, memberName(name), `Member must have value greater than or equal to ${min}`);
  if (n > max) throw constraintError(v, memberName(name), `Member must have value less than or equal to ${max}`);
  return n;
}

export function optBool(params: InputTree, name: string): boolean | undefined {
  const v = str(params[name]);
  if (v === undefined) return undefined;
  if (v.toLowerCase() === "true") return true;
  if (v.toLowerCase() === "false") return false;
  throw constraintError(v, memberName(name), "Member must be a boolean"); // unverified wording
}

export function optEnum<T extends string>(params: InputTree, name: string, values: readonly T[]): T | undefined {
  const v = str(params[name]);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) {
    throw constraintError(v, memberName(name), `Member must satisfy enum value set: [${values.join(", ")}]`);
  }
  return v as T;
}

/** `Name.member.N` string lists; an empty list arrives as `Name=`. */
export function stringList(params: InputTree, name: string, shape?: StringShape, member = memberName(name)): string[] {
  const out: string[] = [];
  for (const v of asList(params[name])) {
    if (typeof v !== "string") continue;
    out.push(shape ? checkString(v, shape, `${member}.member`) : v);
  }
  return out;
}

/** Tags.member.N.Key / Tags.member.N.Value */
export function tagList(params: InputTree, name = "Tags", max = 50): Tag[] {
  const tags: Tag[] = [];
  for (const node of asList(params[name])) {
    const k = str(sub(node, "Key"));
    const v = str(sub(node, "Value"));
    const at = `tags.${tags.length + 1}.member`;
    if (k === undefined) throw constraintError(undefined, `${at}.key`, "Member must not be null");
    if (v === undefined) throw constraintError(undefined, `${at}.value`, "Member must not be null");
    tags.push({ Key: checkString(k, TAG_KEY, `${at}.key`), Value: checkString(v, TAG_VALUE, `${at}.value`) });
  }
  if (tags.length > max) throw constraintError(undefined, "tags", `Member must have length less than or equal to ${max}`);
  return tags;
}

/** The members of a list of structures (ContextEntries.member.N.*, PolicyArns.member.N.arn). */
export function structList(params: InputTree, name: string): InputNode[] {
  return asList(params[name]);
}
