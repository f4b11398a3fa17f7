import { AwsError } from "../../../core/aws-error.ts";

/** CloudFormation's one error code for template and parameter problems. */
export function validationError(message: string): AwsError {
  return new AwsError("ValidationError", 400, message);
}

/** "Template format error: ..." — AWS's prefix for structural problems found before anything runs. */
export function formatError(detail: string): AwsError {
  return validationError(`Template format error: ${detail}`);
}

/** "Template error: ..." — AWS's prefix for a misused intrinsic function. */
export function templateError(detail: string): AwsError {
  return validationError(`Template error: ${detail}`);
}
