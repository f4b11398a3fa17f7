import { createHash, randomBytes } from "node:crypto";
import { dict } from "../../core/dict.ts";
import { authorize, findBucket, header, documentResponse, type S3Call, type S3Output } from "./context.ts";
import { entityTooSmall, invalidArgument, invalidPart, invalidPartOrder, malformedXml, noSuchUpload } from "./errors.ts";
import { md5Etag, storeObject, userMetadata } from "./objects.ts";
import type { Bucket, MultipartUpload } from "./state.ts";
import { versionHeader } from "./versions.ts";
import { checksumProblem } from "../../sigv4/checksums.ts";
import { AwsError } from "../../core/aws-error.ts";

const MIN_PART = 5 * 1024 * 1024;
const objArn = (b: string, k: string) => `arn:aws:s3:::${b}/${k}`;

function findUpload(call: S3Call, b: Bucket): MultipartUpload {
  const id = call.req.query.get("uploadId") ?? "";
  const u = Object.hasOwn(b.uploads, id) ? b.uploads[id] : undefined;
  if (!u || u.key !== call.key) throw noSuchUpload(id);
  return u;
}

export function createMultipartUpload(call: S3Call): S3Output {
  call.ctx.operation = "CreateMultipartUpload";
  const b = findBucket(call);
  authorize(call, "s3:PutObject", objArn(b.name, call.key), b);
  const uploadId = randomBytes(32).toString("base64url");
  b.uploads[uploadId] = {
    uploadId,
    key: call.key,
    initiated: new Date(call.ctx.clock.now()).toISOString(),
    contentType: header(call.req, "content-type"),
    metadata: userMetadata(call.req),
    parts: dict(),
  };
  return documentResponse("InitiateMultipartUploadResult", { Bucket: b.name, Key: call.key, UploadId: uploadId });
}

export function uploadPart(call: S3Call): S3Output {
  call.ctx.operation = "UploadPart";
  const b = findBucket(call);
  authorize(call, "s3:PutObject", objArn(b.name, call.key), b);
  const u = findUpload(call, b);
  const raw = call.req.query.get("partNumber") ?? "";
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : 0;
  if (n < 1 || n > 10000) throw invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", raw);
  const data = call.req.body;
  const md5 = header(call.req, "content-md5");
  if (md5 !== undefined && md5 !== createHash("md5").update(data).digest("base64")) throw new AwsError("BadDigest", 400, "The Content-MD5 you specified did not match what we received.");
  const bad = checksumProblem(data, call.req.headers);
  if (bad) throw new AwsError("BadDigest", 400, bad);
  const previous = Object.hasOwn(u.parts, String(n)) ? u.parts[String(n)] : undefined;
  const etag = md5Etag(data);
  u.parts[String(n)] = { blob: call.blobs.write(data), size: data.length, etag, lastModified: new Date(call.ctx.clock.now()).toISOString() };
  if (previous) call.blobs.remove(previous.blob);
  return { status: 200, headers: { etag }, body: "" };
}

export function completeMultipartUpload(call: S3Call): S3Output {
  call.ctx.operation = "CompleteMultipartUpload";
  const b = findBucket(call);
  authorize(call, "s3:PutObject", objArn(b.name, call.key), b);
  const u = findUpload(call, b);
  const doc = call.document();
  if (!doc.has("CompleteMultipartUpload")) throw malformedXml();
  const listed = doc.all("Part").map((p) => ({ n: Number(p.text("PartNumber")), etag: p.text("ETag") ?? "" }));
  if (listed.length === 0) throw malformedXml();
  let prev = 0;
  for (const p of listed) {
    if (!Number.isInteger(p.n) || p.n <= prev) throw invalidPartOrder();
    prev = p.n;
  }
  const parts = listed.map((p, i) => {
    const part = Object.hasOwn(u.parts, String(p.n)) ? u.parts[String(p.n)] : undefined;
    // Clients send the ETag quoted or not.
    if (!part || part.etag.replace(/"/g, "") !== p.etag.replace(/&quot;|"/g, "")) throw invalidPart();
    if (i < listed.length - 1 && part.size < MIN_PART) throw entityTooSmall();
    return part;
  });
  const data = Buffer.concat(parts.map((p) => (p.size === 0 ? Buffer.alloc(0) : call.blobs.read(p.blob))));
  const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag.replace(/"/g, ""), "hex")));
  const etag = `"${createHash("md5").update(md5s).digest("hex")}-${parts.length}"`;
  const v = storeObject(call, b, data, u.contentType, u.metadata, etag);
  for (const p of Object.values(u.parts)) call.blobs.remove(p.blob);
  delete b.uploads[u.uploadId];
  return documentResponse("CompleteMultipartUploadResult", { Location: `/${b.name}/${encodeURIComponent(call.key)}`, Bucket: b.name, Key: call.key, ETag: etag },
  versionHeader(b, v.versionId));
}

export function abortMultipartUpload(call: S3Call): S3Output {
  call.ctx.operation = "AbortMultipartUpload";
  const b = findBucket(call);
  authorize(call, "s3:AbortMultipartUpload", objArn(b.name, call.key), b);
  const u = findUpload(call, b);
  for (const p of Object.values(u.parts)) call.blobs.remove(p.blob);
  delete b.uploads[u.uploadId];
  return { status: 204, body: "" };
}

export function listParts(call: S3Call): S3Output {
  call.ctx.operation = "ListParts";
  const b = findBucket(call);
  authorize(call, "s3:ListMultipartUploadParts", objArn(b.name, call.key), b);
  const u = findUpload(call, b);
  const marker = Number(call.req.query.get("part-number-marker") ?? "0") || 0;
  const maxRaw = call.req.query.get("max-parts");
  const max = maxRaw !== null && /^\d+$/.test(maxRaw) ? Math.min(Number(maxRaw), 1000) : 1000;
  const numbers = Object.keys(u.parts)
    .map(Number)
    .filter((n) => n > marker)
    .sort((a, c) => a - c);
  const page = numbers.slice(0, max);
  const truncated = numbers.length > page.length;
  return documentResponse("ListPartsResult", {
    Bucket: b.name,
    Key: call.key,
    UploadId: u.uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.length ? page[page.length - 1] : undefined,
    MaxParts: max,
    IsTruncated: truncated,
    Part: page.map((n) => {
      const p = u.parts[String(n)];
      return { PartNumber: n, LastModified: p.lastModified, ETag: p.etag, Size: p.size };
    }),
    StorageClass: "STANDARD",
  });
}
