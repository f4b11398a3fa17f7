import assert from "node:assert/strict";
import * as cfn from "@aws-sdk/client-cloudformation";
import * as ec2 from "@aws-sdk/client-ec2";
import * as iam from "@aws-sdk/client-iam";
import * as lambda from "@aws-sdk/client-lambda";
import * as sts from "@aws-sdk/client-sts";
import * as s3 from "@aws-sdk/client-s3";
import type { SdkError } from "../clients.ts";

const MODULES: Record<string, Record<string, unknown>> = { ec2, iam, lambda, sts, cloudformation: cfn, s3 };

interface Sender {
  send(command: unknown): Promise<unknown>;
}

// The SDK's commands by operation name, so a scenario reads as a list of AWS calls.
// eslint-disable-next-line
type Answer = Record<string, any>;

/** Call `operation` of `service` with `input` through `client`; the answer as the SDK gives it. */
export async function call(client: Sender, service: string, operation: string, input: object = {}): Promise<Answer> {
  const Command = MODULES[service]?.[`${operation}Command`] as (new (i: object) => unknown) | undefined;
  if (!Command) throw new Error(`the ${service} SDK has no command ${operation}`);
  return (await client.send(new Command(input))) as Answer;
}

/** The same, for a call that must fail with AWS error `code`; returns the error. */
export async function callFails(client: Sender, service: string, operation: string, input: object, code: string): Promise<SdkError> {
  try {
    await call(client, service, operation, input);
  } catch (e) {
    const err = e as SdkError;
    // The SDK names modeled errors by their shape (EntityAlreadyExistsException for EntityAlreadyExists).
    assert.ok(err.name === code || err.name === `${code}Exception`, `${operation}: expected ${code}, got ${err.name}: ${err.message}`);
    return err;
  }
  throw new Error(`${operation}: expected ${code}, but the call succeeded`);
}
