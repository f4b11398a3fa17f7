import { createHash } from "node:crypto";
import type { OperationContext } from "../../core/operation-context.ts";
import type { ServiceRequest } from "../../core/http-types.ts";
import type { OutputDocument } from "../../core/output-tree.ts";
import type { InputDocument, RestOutput } from "../../core/rest-model.ts";
import type { BlobStore } from "./blobs.ts";
import { noSuchBucket } from "./errors.ts";
import type { Bucket, S3State } from "./state.ts";

/** What every S3 operation works with. */
export interface S3Call {
  req: ServiceRequest;
  /** The request body as a document (CreateBucketConfiguration, Delete, CompleteMultipartUpload). */
  document(): InputDocument;
  ctx: OperationContext;
  state: S3State;
  blobs: BlobStore;
  bucketName: string;
  key: string;
}

export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

export function objectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}

export function findBucket(call: S3Call): Bucket {
  const b = Object.hasOwn(call.state.buckets, call.bucketName) ? call.state.buckets[call.bucketName] : undefined;
  if (!b) throw noSuchBucket(call.bucketName);
  return b;
}

/** IAM for an S3 action: the bucket policy is the resource policy, the bucket owner the resource account. */
export function authorize(call: S3Call, action: string, resource: string, bucket: Bucket | undefined, context?: Record<string, string>): void {
  call.ctx.authorize(action, resource, {
    ...(bucket?.policy ? { resourcePolicy: bucket.policy } : {}),
    ...(bucket && bucket.owner !== call.ctx.accountId ? { resourceAccount: bucket.owner } : {}),
    ...(context ? { context } : {}),
  });
}

export function allowed(call: S3Call, action: string, resource: string, bucket: Bucket): boolean {
  return call.ctx.decide(action, resource, {
    ...(bucket.policy ? { resourcePolicy: bucket.policy } : {}),
    ...(bucket.owner !== call.ctx.accountId ? { resourceAccount: bucket.owner } : {}),
  }).allowed;
}

/** S3's canonical user id for an account (64 hex digits). */
export function canonicalId(account: string): string {
  return createHash("sha256").update(`hyperlocal-s3-owner:${account}`).digest("hex");
}

export function header(req: ServiceRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** What S3's operations answer: a document (the codec writes it as S3's XML), or a body as it is. */
export type S3Output = RestOutput<OutputDocument>;

export function documentResponse(root: string, members: OutputDocument["members"], headers: Record<string, string> = {}, status = 200): S3Output {
  return { status, headers, output: { root, members } };
}
