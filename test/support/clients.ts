import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { STSClient } from "@aws-sdk/client-sts";

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const ROOT_CREDS: Creds = { accessKeyId: "test", secretAccessKey: "test" };

function common(url: string, creds: Creds, region: string) {
  // maxAttempts 1: a test sees exactly the answer the server gave, never a retry of it.
  return { endpoint: url, region, credentials: creds, maxAttempts: 1 };
}

/** AWS SDK v3 clients pointed at a test server. */
export function clients(url: string, creds: Creds = ROOT_CREDS, region = "us-east-1") {
  return {
    sts: new STSClient(common(url, creds, region)),
    iam: new IAMClient(common(url, creds, region)),
    ec2: new EC2Client(common(url, creds, region)),
    lambda: new LambdaClient(common(url, creds, region)),
  };
}

/** Await a promise that must reject; returns the error for assertions on name and status. */
export type SdkError = Error & { $metadata: { httpStatusCode?: number; requestId?: string }; $fault?: string; [k: string]: unknown };

export async function rejects(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
