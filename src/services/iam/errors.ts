// IAM's error codes and AWS's wording for them (codes and statuses from the botocore IAM model).
import { AwsError } from "../../core/aws-error.ts";
import { PolicyParseError } from "../../iam-policy/index.ts";

export const noSuchEntity = (message: string) => new AwsError("NoSuchEntity", 404, message);
export const entityAlreadyExists = (message: string) => new AwsError("EntityAlreadyExists", 409, message);
export const deleteConflict = (message: string) => new AwsError("DeleteConflict", 409, message);
export const limitExceeded = (message: string) => new AwsError("LimitExceeded", 409, message);
export const malformedPolicy = (message: string) => new AwsError("MalformedPolicyDocument", 400, message);
export const validationError = (message: string) => new AwsError("ValidationError", 400, message);
export const invalidInput = (message: string) => new AwsError("InvalidInput", 400, message);
export const policyNotAttachable = (message: string) => new AwsError("PolicyNotAttachable", 400, message);

export const noSuchUser = (name: string) => noSuchEntity(`The user with name ${name} cannot be found.`);
export const noSuchGroup = (name: string) => noSuchEntity(`The group with name ${name} cannot be found.`);
export const noSuchRole = (name: string) => noSuchEntity(`The role with name ${name} cannot be found.`);
export const noSuchPolicy = (arn: string) => noSuchEntity(`Policy ${arn} was not found.`);
export const notAttachable = (arn: string) => noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);

/**
 * AWS's model-constraint failure, e.g.
 * "1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+"
 */
export function constraintError(value: string | undefined, member: string, constraint: string): AwsError {
  const shown = value === undefined ? "null" : `'${value}'`;
  return validationError(`1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
}

/** A PolicyParseError becomes MalformedPolicyDocument; the engine's detail is kept, since AWS's own text is often just "Syntax errors in policy.". */
export function asMalformed(e: unknown): never {
  if (e instanceof PolicyParseError) {
    const detail = e.detail && !e.message.includes(e.detail) ? ` (${e.detail})` : "";
    throw malformedPolicy(`${e.message}${detail}`);
  }
  throw e;
}
