// Lambda's errors as data. The message member's casing follows each shape in the model:
// ResourceNotFoundException and the 5xx shapes carry "Message", the rest "message".
//   HTTP/1.1 404  X-Amzn-ErrorType: ResourceNotFoundException
//   {"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:f"}
import { AwsError } from "../../core/aws-error.ts";

/** Shapes whose message member is "Message" (botocore lambda/2015-03-31). */
const CAPITAL_MESSAGE = new Set([
  "ResourceNotFoundException",
  "ResourceInUseException",
  "ServiceException",
  "ServiceQuotaExceededException",
  "InvalidZipFileException",
  "InvalidRuntimeException",
  "EC2ThrottledException",
  "EC2AccessDeniedException",
  "EC2UnexpectedException",
  "ENILimitReachedException",
  "SubnetIPAddressLimitReachedException",
  "InvalidSubnetIDException",
  "InvalidSecurityGroupIDException",
  "ENINotReadyException",
]);

export function lambdaError(code: string, status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): AwsError {
  const member = CAPITAL_MESSAGE.has(code) ? "Message" : "message";
  return new AwsError(code, status, message, { [member]: message, ...extra }, headers);
}

export function invalidParameter(message: string): AwsError {
  return lambdaError("InvalidParameterValueException", 400, message);
}

export function resourceNotFound(message: string): AwsError {
  return lambdaError("ResourceNotFoundException", 404, message);
}

export function functionNotFound(arn: string): AwsError {
  return resourceNotFound(`Function not found: ${arn}`);
}

export function resourceConflict(message: string): AwsError {
  return lambdaError("ResourceConflictException", 409, message);
}

export function preconditionFailed(message: string): AwsError {
  return lambdaError("PreconditionFailedException", 412, message);
}

export const REVISION_MISMATCH = "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id";

export function tooManyRequests(reason: string): AwsError {
  return lambdaError("TooManyRequestsException", 429, "Rate Exceeded.", { Reason: reason });
}

export function requestTooLarge(limit: number, operation: string): AwsError {
  return lambdaError("RequestTooLargeException", 413, `Request must be smaller than ${limit} bytes for the ${operation} operation`);
}

export function invalidRequestContent(message: string): AwsError {
  return lambdaError("InvalidRequestContentException", 400, message);
}

export function serviceException(message: string): AwsError {
  return lambdaError("ServiceException", 500, message);
}

/** The role check at CreateFunction / UpdateFunctionConfiguration. */
export const ROLE_NOT_ASSUMABLE = "The role defined for the function cannot be assumed by Lambda.";
