/** A policy document IAM would refuse; the API layer maps it to MalformedPolicyDocument (HTTP 400). */
export class PolicyParseError extends Error {
  readonly code = "MalformedPolicyDocument" as const;
  /** Extra detail for logs when AWS's own message is terse (e.g. "Syntax errors in policy."). */
  readonly detail?: string;

  constructor(message: string, detail?: string) {
    super(message);
    this.name = "PolicyParseError";
    if (detail !== undefined) this.detail = detail;
  }
}

export const SYNTAX_ERROR = "Syntax errors in policy.";
