import { AwsError } from "../core/aws-error.ts";
import type { Protocol } from "./service-definition.ts";

/**
 * Authentication failures as each protocol answers them:
 * Lambda (rest-json) UnrecognizedClientException / InvalidSignatureException,
 * EC2 AuthFailure / SignatureDoesNotMatch / RequestExpired, IAM and STS InvalidClientTokenId / SignatureDoesNotMatch.
 */
export type AuthProblem =
  | { kind: "unknown-key" }
  | { kind: "bad-signature" }
  | { kind: "skew"; message: string }
  | { kind: "expired-token" }
  | { kind: "missing" }
  | { kind: "malformed"; message: string }
  | { kind: "bad-token" };

const SIG_MESSAGE =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const TOKEN_INVALID = "The security token included in the request is invalid.";
const TOKEN_EXPIRED = "The security token included in the request is expired";

export function authError(protocol: Protocol, p: AuthProblem): AwsError {
  if (protocol === "rest-json") {
    switch (p.kind) {
      case "unknown-key":
      case "bad-token":
        return new AwsError("UnrecognizedClientException", 403, TOKEN_INVALID);
      case "bad-signature":
        return new AwsError("InvalidSignatureException", 403, SIG_MESSAGE);
      case "skew":
        return new AwsError("InvalidSignatureException", 403, p.message);
      case "expired-token":
        return new AwsError("ExpiredTokenException", 403, TOKEN_EXPIRED);
      case "missing":
        return new AwsError("MissingAuthenticationTokenException", 403, "Missing Authentication Token");
      case "malformed":
        return new AwsError("IncompleteSignatureException", 403, p.message);
    }
  }
  if (protocol === "rest-xml") {
    // S3's own codes (S3 API reference, error responses).
    switch (p.kind) {
      case "unknown-key":
        return new AwsError("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.");
      case "bad-token":
        return new AwsError("InvalidToken", 400, "The provided token is malformed or otherwise invalid.");
      case "bad-signature":
        return new AwsError("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
      case "skew":
        return new AwsError("RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large.");
      case "expired-token":
        return new AwsError("ExpiredToken", 400, "The provided token has expired.");
      case "missing":
        return new AwsError("AccessDenied", 403, "Access Denied");
      case "malformed":
        return new AwsError("AuthorizationHeaderMalformed", 400, p.message);
    }
  }
  if (protocol === "ec2-query") {
    switch (p.kind) {
      case "unknown-key":
      case "bad-token":
        return new AwsError("AuthFailure", 401, "AWS was not able to validate the provided access credentials");
      case "bad-signature":
        return new AwsError("SignatureDoesNotMatch", 403, SIG_MESSAGE);
      case "skew":
        return new AwsError("RequestExpired", 400, `Request has expired. ${p.message}`);
      case "expired-token":
        return new AwsError("RequestExpired", 400, "Request has expired.");
      case "missing":
        return new AwsError("MissingAuthenticationToken", 401, "Request is missing Authentication Token");
      case "malformed":
        return new AwsError("IncompleteSignature", 400, p.message);
    }
  }
  switch (p.kind) {
    case "unknown-key":
    case "bad-token":
      return new AwsError("InvalidClientTokenId", 403, TOKEN_INVALID);
    case "bad-signature":
      return new AwsError("SignatureDoesNotMatch", 403, SIG_MESSAGE);
    case "skew":
      return new AwsError("SignatureDoesNotMatch", 403, p.message);
    case "expired-token":
      return new AwsError("ExpiredToken", 403, TOKEN_EXPIRED);
    case "missing":
      return new AwsError("MissingAuthenticationToken", 403, "Request is missing Authentication Token");
    case "malformed":
      return new AwsError("IncompleteSignature", 400, p.message);
  }
}

/**
 * A request refused before authentication because a web page could have sent it (Host, Origin,
 * Content-Type): 403 in each protocol's access-denied shape.
 */
export function refusalError(protocol: Protocol, message: string): AwsError {
  if (protocol === "rest-json") return new AwsError("AccessDeniedException", 403, message); // unverified wording
  if (protocol === "ec2-query") return new AwsError("UnauthorizedOperation", 403, message); // unverified wording
  return new AwsError("AccessDenied", 403, message); // unverified wording
}
