// Helpers shared by this folder's tests: build policies from objects and requests with defaults.
import { compilePolicy } from "./compile.ts";
import type { CompiledPolicy, ContextValue, EvaluationRequest, PolicyKind } from "./types.ts";

export const ACCT = "123456789012";
export const OTHER = "210987654321";
export const USER = `arn:aws:iam::${ACCT}:user/alice`;

/** version null leaves Version out of the document. */
export function policy(statement: unknown, kind: PolicyKind = "identity", version: string | null = "2012-10-17", id?: string): CompiledPolicy {
  const doc: Record<string, unknown> = { Statement: statement };
  if (version !== null) doc.Version = version;
  return compilePolicy(JSON.stringify(doc), kind, id);
}

export function request(over: Partial<EvaluationRequest> & { context?: Record<string, ContextValue> } = {}): EvaluationRequest {
  return {
    action: "svc:Act",
    resource: "*",
    principalArn: USER,
    context: {},
    ...over,
  };
}
