import { ec2Error } from "./errors.ts";
import { fingerprint, optString } from "./request.ts";
import type { Ec2Call } from "./context.ts";

/**
 * ClientToken idempotency: a retry with the same token and the same parameters answers with what
 * the first call created; the same token with other parameters is IdempotentParameterMismatch.
 */
export function priorResult(c: Ec2Call, operation: string): string | undefined {
  const token = optString(c.p, "ClientToken");
  if (!token) return undefined;
  const prior = c.s.clientTokens[`${operation}:${token}`];
  if (!prior) return undefined;
  if (prior.fingerprint !== fingerprint(c.p)) {
    throw ec2Error(
      "IdempotentParameterMismatch",
      `Client token already used before with different parameters. Please use a different client token to make a new request.`, // unverified wording
    );
  }
  return prior.id;
}

export function rememberResult(c: Ec2Call, operation: string, id: string): void {
  const token = optString(c.p, "ClientToken");
  if (!token) return;
  c.s.clientTokens[`${operation}:${token}`] = { fingerprint: fingerprint(c.p), id };
}
