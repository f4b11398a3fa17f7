// Helpers for the recorded-answer tests (test/e2e/recorded-*.test.ts): each case states one fact AWS
// answered (shape, default, state, error code and text) and names where that answer was recorded.
import assert from "node:assert/strict";
import { rejects, type SdkError } from "./clients.ts";

/** Where a fact was recorded against real AWS. */
export const LOCALSTACK = "localstack/localstack";

/** A recorded error: the code (the wire code; the SDK may add "Exception"), the status and the text. */
export async function recordedError(p: Promise<unknown>, code: string, status: number, message?: string | RegExp): Promise<SdkError> {
  const e = await rejects(p);
  assert.ok(e.name === code || e.name === `${code}Exception`, `expected ${code}, got ${e.name}: ${e.message}`);
  assert.equal(e.$metadata.httpStatusCode, status, `status of ${code}`);
  if (typeof message === "string") assert.equal(e.message, message);
  else if (message) assert.match(e.message, message);
  return e;
}
