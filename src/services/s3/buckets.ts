import { dict } from "../../core/dict.ts";
import type { BlobStore } from "./blobs.ts";
import { authorize, bucketArn, canonicalId, findBucket, documentResponse, type S3Call, type S3Output } from "./context.ts";
import { alreadyExists, alreadyOwnedByYou, bucketNotEmpty, invalidBucketName, malformedPolicy, malformedXml, noSuchBucketPolicy } from "./errors.ts";

/** The general purpose bucket naming rules of the S3 user guide. */
export function validBucketName(name: string): boolean {
  if (name.length < 3 || name.length > 63) return false;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return false;
  if (name.includes("..") || name.includes(".-") || name.includes("-.")) return false;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return false;
  if (name.startsWith("xn--") || name.startsWith("sthree-") || name.endsWith("-s3alias") || name.endsWith("--ol-s3")) return false;
  return true;
}

export function listBuckets(call: S3Call): S3Output {
  call.ctx.operation = "ListBuckets";
  authorize(call, "s3:ListAllMyBuckets", "*", undefined);
  const mine = Object.values(call.state.buckets)
    .filter((b) => b.owner === call.ctx.accountId)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return documentResponse("ListAllMyBucketsResult", {
    Owner: { ID: canonicalId(call.ctx.accountId), DisplayName: call.ctx.accountId },
    Buckets: { Bucket: mine.map((b) => ({ Name: b.name, CreationDate: b.created })) },
  });
}

export function createBucket(call: S3Call): S3Output {
  call.ctx.operation = "CreateBucket";
  const name = call.bucketName;
  if (!validBucketName(name)) throw invalidBucketName(name);
  authorize(call, "s3:CreateBucket", bucketArn(name), undefined);
  let region = call.ctx.region;
  const doc = call.document();
  if (!doc.empty) {
    if (!doc.has("CreateBucketConfiguration")) throw malformedXml();
    const constraint = doc.text("LocationConstraint");
    if (constraint) region = constraint;
  }
  const existing = Object.hasOwn(call.state.buckets, name) ? call.state.buckets[name] : undefined;
  if (existing) throw existing.owner === call.ctx.accountId ? alreadyOwnedByYou(name) : alreadyExists(name);
  call.state.buckets[name] = { name, owner: call.ctx.accountId, region, created: new Date(call.ctx.clock.now()).toISOString(), objects: dict(), uploads: dict() };
  return { status: 200, headers: { location: `/${name}` }, body: "" };
}

export function headBucket(call: S3Call): S3Output {
  call.ctx.operation = "HeadBucket";
  const b = findBucket(call);
  authorize(call, "s3:ListBucket", bucketArn(b.name), b);
  return { status: 200, headers: { "x-amz-bucket-region": b.region }, body: "" };
}

export function deleteBucket(call: S3Call, blobs: BlobStore): S3Output {
  call.ctx.operation = "DeleteBucket";
  const b = findBucket(call);
  authorize(call, "s3:DeleteBucket", bucketArn(b.name), b);
  if (Object.keys(b.objects).length > 0) throw bucketNotEmpty(b.name);
  // Uploads in progress go with the bucket.
  for (const u of Object.values(b.uploads)) for (const p of Object.values(u.parts)) blobs.remove(p.blob);
  delete call.state.buckets[b.name];
  return { status: 204, body: "" };
}

export function getBucketLocation(call: S3Call): S3Output {
  call.ctx.operation = "GetBucketLocation";
  const b = findBucket(call);
  authorize(call, "s3:GetBucketLocation", bucketArn(b.name), b);
  // us-east-1 is the empty constraint, as S3 answers.
  const region = b.region === "us-east-1" ? "" : b.region;
  return documentResponse("LocationConstraint", region);
}

export function putBucketVersioning(call: S3Call): S3Output {
  call.ctx.operation = "PutBucketVersioning";
  const b = findBucket(call);
  authorize(call, "s3:PutBucketVersioning", bucketArn(b.name), b);
  const doc = call.document();
  if (!doc.has("VersioningConfiguration")) throw malformedXml();
  const status = doc.text("Status");
  if (status !== undefined && status !== "Enabled" && status !== "Suspended") throw malformedXml();
  if (status) b.versioning = status;
  return { status: 200, body: "" };
}

export function getBucketVersioning(call: S3Call): S3Output {
  call.ctx.operation = "GetBucketVersioning";
  const b = findBucket(call);
  authorize(call, "s3:GetBucketVersioning", bucketArn(b.name), b);
  return documentResponse("VersioningConfiguration", { Status: b.versioning });
}

export function putBucketPolicy(call: S3Call): S3Output {
  call.ctx.operation = "PutBucketPolicy";
  const b = findBucket(call);
  authorize(call, "s3:PutBucketPolicy", bucketArn(b.name), b);
  const text = call.req.body.toString("utf8");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformedPolicy("Policies must be valid JSON and the first byte must be '{'");
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc) || !Object.hasOwn(doc, "Statement")) throw malformedPolicy("Missing required field Statement");
  b.policy = text;
  return { status: 204, body: "" };
}

export function getBucketPolicy(call: S3Call): S3Output {
  call.ctx.operation = "GetBucketPolicy";
  const b = findBucket(call);
  authorize(call, "s3:GetBucketPolicy", bucketArn(b.name), b);
  if (!b.policy) throw noSuchBucketPolicy(b.name);
  return { status: 200, headers: { "content-type": "application/json" }, body: b.policy };
}

export function deleteBucketPolicy(call: S3Call): S3Output {
  call.ctx.operation = "DeleteBucketPolicy";
  const b = findBucket(call);
  authorize(call, "s3:DeleteBucketPolicy", bucketArn(b.name), b);
  delete b.policy;
  return { status: 204, body: "" };
}
