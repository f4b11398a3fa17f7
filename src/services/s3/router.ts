import { AwsError } from "../../core/aws-error.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import type { RestXmlCall } from "../../core/rest-model.ts";
import type { BlobStore } from "./blobs.ts";
import * as buckets from "./buckets.ts";
import { bucketFromHost } from "./addressing.ts";
import { header, type S3Call, type S3Output } from "./context.ts";
import { invalidArgument, invalidBucketName, notImplemented } from "./errors.ts";
import { listObjects, listObjectVersions } from "./list.ts";
import * as mp from "./multipart.ts";
import * as objects from "./objects.ts";
import type { S3State } from "./state.ts";

/**
 * Path style: / (the account's buckets), /bucket (bucket operations), /bucket/key (object operations);
 * virtual-hosted style (Host: bucket.s3.<region>.amazonaws.com): / (the bucket), /key (its objects).
 */
export function route({ req, document }: RestXmlCall, ctx: OperationContext, state: S3State, blobs: BlobStore): S3Output {
  const path = req.rawPath.startsWith("/") ? req.rawPath.slice(1) : req.rawPath;
  const hosted = bucketFromHost(header(req, "host"));
  const slash = hosted !== undefined ? -1 : path.indexOf("/");
  const bucketName = hosted ?? decode(slash < 0 ? path : path.slice(0, slash));
  const key = hosted !== undefined ? decode(path) : slash < 0 ? "" : decode(path.slice(slash + 1));
  const call: S3Call = { req, document, ctx, state, blobs, bucketName, key };
  const q = req.query;
  const m = req.method;
  if (bucketName === "") {
    if (key === "" && m === "GET") return buckets.listBuckets(call);
    if (key !== "") throw invalidBucketName("");
    throw notImplemented();
  }
  if (key === "") {
    if (q.has("versioning")) {
      if (m === "PUT") return buckets.putBucketVersioning(call);
      if (m === "GET") return buckets.getBucketVersioning(call);
    } else if (q.has("policy")) {
      if (m === "PUT") return buckets.putBucketPolicy(call);
      if (m === "GET") return buckets.getBucketPolicy(call);
      if (m === "DELETE") return buckets.deleteBucketPolicy(call);
    } else if (q.has("location")) {
      if (m === "GET") return buckets.getBucketLocation(call);
    } else if (q.has("versions")) {
      if (m === "GET") return listObjectVersions(call);
    } else if (q.has("delete")) {
      if (m === "POST") return objects.deleteObjects(call);
    } else if (onlyKnownBucketParams(q)) {
      if (m === "PUT") return buckets.createBucket(call);
      if (m === "HEAD") return buckets.headBucket(call);
      if (m === "DELETE") return buckets.deleteBucket(call, blobs);
      if (m === "GET") return listObjects(call, q.get("list-type") === "2");
    }
    throw notImplemented();
  }
  if (Buffer.byteLength(key) > 1024) throw new AwsError("KeyTooLongError", 400, "Your key is too long");
  if (q.has("uploads")) {
    if (m === "POST") return mp.createMultipartUpload(call);
  } else if (q.has("uploadId")) {
    // UploadPartCopy (a part copied from x-amz-copy-source) is not served: never mistaken for an empty UploadPart.
    if (m === "PUT" && q.has("partNumber") && header(req, "x-amz-copy-source") === undefined) return mp.uploadPart(call);
    if (m === "POST") return mp.completeMultipartUpload(call);
    if (m === "DELETE") return mp.abortMultipartUpload(call);
    if (m === "GET") return mp.listParts(call);
  } else if (onlyKnownObjectParams(q)) {
    if (m === "PUT") return header(req, "x-amz-copy-source") !== undefined ? objects.copyObject(call) : objects.putObject(call);
    if (m === "GET") return objects.getObject(call, false);
    if (m === "HEAD") return objects.getObject(call, true);
    if (m === "DELETE") return objects.deleteObject(call);
  }
  throw notImplemented();
}

/** Sub-resources this emulator does not serve (?acl, ?tagging, ?cors ...) are refused, never mistaken for a plain call. */
const BUCKET_PARAMS = new Set(["list-type", "prefix", "delimiter", "max-keys", "continuation-token", "start-after", "encoding-type", "fetch-owner", "marker", "x-id"]);
const OBJECT_PARAMS = new Set(["versionId", "x-id"]);

function onlyKnownBucketParams(q: URLSearchParams): boolean {
  for (const k of q.keys()) if (!BUCKET_PARAMS.has(k) && !k.startsWith("X-Amz-") && !k.startsWith("response-")) return false;
  return true;
}

function onlyKnownObjectParams(q: URLSearchParams): boolean {
  for (const k of q.keys()) if (!OBJECT_PARAMS.has(k) && !k.startsWith("X-Amz-") && !k.startsWith("response-")) return false;
  return true;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw invalidArgument("The request path is not valid URL encoding", "path", s.slice(0, 100)); // unverified wording
  }
}
