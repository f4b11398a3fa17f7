import { createHash } from "node:crypto";
import { dict, type Dict } from "../../core/dict.ts";
import type { ServiceRequest } from "../../core/http-types.ts";
import { checksumProblem } from "../../sigv4/checksums.ts";
import { allowed, authorize, bucketArn, findBucket, header, documentResponse, type S3Call, type S3Output } from "./context.ts";
import { badDigest, invalidArgument, invalidRange, malformedXml, methodNotAllowed, noSuchBucket, noSuchKey, noSuchVersion } from "./errors.ts";
import type { Bucket, ObjectVersion } from "./state.ts";
import { addVersion, newVersionId, removeVersion, versionHeader, versionsOf } from "./versions.ts";
import { AwsError } from "../../core/aws-error.ts";

const objArn = (b: string, k: string) => `arn:aws:s3:::${b}/${k}`;

export function md5Etag(data: Buffer): string {
  return `"${createHash("md5").update(data).digest("hex")}"`;
}

/** x-amz-meta-* request headers, names lower case as S3 keeps them. */
export function userMetadata(req: ServiceRequest): Dict<string> {
  const m = dict<string>();
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.startsWith("x-amz-meta-") && v !== undefined) m[k.slice(11)] = Array.isArray(v) ? v.join(",") : v;
  }
  return m;
}

function checkDigests(req: ServiceRequest, data: Buffer): void {
  const md5 = header(req, "content-md5");
  if (md5 !== undefined && md5 !== createHash("md5").update(data).digest("base64")) throw badDigest();
  const bad = checksumProblem(data, req.headers);
  if (bad) throw new AwsError("BadDigest", 400, bad);
}

export function putObject(call: S3Call): S3Output {
  call.ctx.operation = "PutObject";
  const b = findBucket(call);
  authorize(call, "s3:PutObject", objArn(b.name, call.key), b);
  const data = call.req.body;
  checkDigests(call.req, data);
  const v = storeObject(call, b, data, header(call.req, "content-type"), userMetadata(call.req));
  return { status: 200, headers: { etag: v.etag, ...versionHeader(b, v.versionId) }, body: "" };
}

export function storeObject(call: S3Call, b: Bucket, data: Buffer, contentType: string | undefined, metadata: Dict<string>, etag = md5Etag(data)): ObjectVersion {
  const v: ObjectVersion = {
    versionId: newVersionId(b),
    blob: call.blobs.write(data),
    size: data.length,
    etag,
    lastModified: new Date(call.ctx.clock.now()).toISOString(),
    contentType: contentType ?? "binary/octet-stream",
    metadata,
  };
  addVersion(b, call.key, v, call.blobs);
  return v;
}

/** The version a Get/Head/Copy reads: the latest, or the one named; a delete marker is not an object. */
function readable(call: S3Call, b: Bucket, key: string, versionId: string | null, forRead: boolean): ObjectVersion {
  const list = versionsOf(b, key);
  if (versionId !== null) {
    const v = list?.find((x) => x.versionId === versionId);
    if (!v) {
      if (!/^[A-Za-z0-9_.-]+$/.test(versionId) && versionId !== "null") throw invalidArgument("Invalid version id specified", "versionId", versionId);
      throw noSuchVersion(key, versionId);
    }
    if (v.deleteMarker) throw methodNotAllowed({ "x-amz-delete-marker": "true", "x-amz-version-id": v.versionId, allow: "DELETE" });
    return v;
  }
  const latest = list?.[0];
  if (!latest || latest.deleteMarker) {
    // Without s3:ListBucket a missing key is AccessDenied, so a caller cannot probe which keys exist.
    if (forRead && !allowed(call, "s3:ListBucket", bucketArn(b.name), b)) authorize(call, "s3:ListBucket", bucketArn(b.name), b);
    throw noSuchKey(key, latest?.deleteMarker ? { "x-amz-delete-marker": "true", "x-amz-version-id": latest.versionId } : {});
  }
  return latest;
}

function objectHeaders(b: Bucket, v: ObjectVersion): Record<string, string> {
  const h: Record<string, string> = {
    etag: v.etag,
    "last-modified": new Date(v.lastModified).toUTCString(),
    "content-type": v.contentType ?? "binary/octet-stream",
    "accept-ranges": "bytes",
    ...versionHeader(b, v.versionId),
  };
  for (const [k, val] of Object.entries(v.metadata)) h[`x-amz-meta-${k}`] = val;
  return h;
}

export function getObject(call: S3Call, head: boolean): S3Output {
  call.ctx.operation = head ? "HeadObject" : "GetObject";
  const b = findBucket(call);
  const versionId = call.req.query.get("versionId");
  authorize(call, versionId !== null ? "s3:GetObjectVersion" : "s3:GetObject", objArn(b.name, call.key), b);
  const v = readable(call, b, call.key, versionId, true);
  const headers = objectHeaders(b, v);
  const range = header(call.req, "range");
  let start = 0;
  let end = v.size - 1;
  let status = 200;
  if (range !== undefined) {
    const r = parseRange(range, v.size);
    if (r === "unsatisfiable") throw invalidRange(range, v.size);
    if (r) {
      [start, end] = r;
      status = 206;
      headers["content-range"] = `bytes ${start}-${end}/${v.size}`;
    }
  }
  const length = Math.max(0, end - start + 1);
  if (head) return { status, headers: { ...headers, "content-length": String(length) }, body: "" };
  if (v.size === 0) return { status, headers, body: Buffer.alloc(0) };
  return { status, headers, body: status === 206 ? call.blobs.readRange(v.blob!, start, length) : call.blobs.read(v.blob!) };
}

/** bytes=a-b, bytes=a-, bytes=-n; undefined for a header S3 ignores (not one byte range). */
export function parseRange(range: string, size: number): [number, number] | "unsatisfiable" | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0) return "unsatisfiable";
    return size === 0 ? "unsatisfiable" : [Math.max(0, size - n), size - 1];
  }
  const a = Number(m[1]);
  if (a >= size) return "unsatisfiable";
  const b = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (b < a) return undefined;
  return [a, b];
}

export function deleteObject(call: S3Call): S3Output {
  call.ctx.operation = "DeleteObject";
  const b = findBucket(call);
  const versionId = call.req.query.get("versionId");
  authorize(call, versionId !== null ? "s3:DeleteObjectVersion" : "s3:DeleteObject", objArn(b.name, call.key), b);
  return { status: 204, headers: deleteOne(call, b, call.key, versionId).headers, body: "" };
}

interface DeleteOutcome {
  headers: Record<string, string>;
  deleteMarker: boolean;
  versionId?: string;
}

function deleteOne(call: S3Call, b: Bucket, key: string, versionId: string | null): DeleteOutcome {
  if (versionId !== null) {
    const gone = removeVersion(b, key, versionId, call.blobs);
    const marker = gone?.deleteMarker === true;
    // Deleting a version that does not exist succeeds, as on S3.
    return { headers: { "x-amz-version-id": versionId, ...(marker ? { "x-amz-delete-marker": "true" } : {}) }, deleteMarker: marker, versionId };
  }
  if (!b.versioning) {
    removeVersion(b, key, "null", call.blobs);
    return { headers: {}, deleteMarker: false };
  }
  // Versioned: a delete marker becomes the newest version.
  const marker: ObjectVersion = { versionId: newVersionId(b), deleteMarker: true, size: 0, etag: "", lastModified: new Date(call.ctx.clock.now()).toISOString(), metadata: dict() };
  if (versionsOf(b, key) || b.versioning === "Enabled") addVersion(b, key, marker, call.blobs);
  return { headers: { "x-amz-delete-marker": "true", "x-amz-version-id": marker.versionId }, deleteMarker: true, versionId: marker.versionId };
}

export function deleteObjects(call: S3Call): S3Output {
  call.ctx.operation = "DeleteObjects";
  const b = findBucket(call);
  checkDigests(call.req, call.req.body);
  const doc = call.document();
  if (!doc.has("Delete")) throw malformedXml();
  const quiet = doc.text("Quiet") === "true";
  const objects = doc.all("Object");
  if (objects.length === 0 || objects.length > 1000) throw malformedXml();
  const deleted: Record<string, string | boolean | undefined>[] = [];
  const errors: Record<string, string | undefined>[] = [];
  for (const o of objects) {
    const key = o.text("Key");
    if (key === undefined) throw malformedXml();
    const versionId = o.text("VersionId") ?? null;
    const action = versionId !== null ? "s3:DeleteObjectVersion" : "s3:DeleteObject";
    if (!allowed(call, action, objArn(b.name, key), b)) {
      errors.push({ Key: key, VersionId: versionId ?? undefined, Code: "AccessDenied", Message: "Access Denied" });
      continue;
    }
    const out = deleteOne(call, b, key, versionId);
    if (quiet) continue;
    deleted.push({
      Key: key,
      VersionId: versionId ?? undefined,
      DeleteMarker: out.deleteMarker ? true : undefined,
      DeleteMarkerVersionId: out.deleteMarker && versionId === null ? out.versionId : undefined,
    });
  }
  return documentResponse("DeleteResult", { Deleted: deleted, Error: errors });
}

export function copyObject(call: S3Call): S3Output {
  call.ctx.operation = "CopyObject";
  const b = findBucket(call);
  const source = header(call.req, "x-amz-copy-source")!;
  const q = source.indexOf("?");
  const path = decodeURIComponentSafe(q < 0 ? source : source.slice(0, q)).replace(/^\//, "");
  const sourceVersion = q < 0 ? null : new URLSearchParams(source.slice(q + 1)).get("versionId");
  const slash = path.indexOf("/");
  if (slash <= 0 || slash === path.length - 1) throw invalidArgument("Invalid copy source object key", "x-amz-copy-source", source);
  const srcBucketName = path.slice(0, slash);
  const srcKey = path.slice(slash + 1);
  const src = Object.hasOwn(call.state.buckets, srcBucketName) ? call.state.buckets[srcBucketName] : undefined;
  if (!src) throw noSuchBucket(srcBucketName);
  authorize({ ...call, bucketName: srcBucketName }, sourceVersion !== null ? "s3:GetObjectVersion" : "s3:GetObject", objArn(srcBucketName, srcKey), src);
  authorize(call, "s3:PutObject", objArn(b.name, call.key), b);
  const v = readable({ ...call, bucketName: srcBucketName }, src, srcKey, sourceVersion, true);
  const replace = header(call.req, "x-amz-metadata-directive") === "REPLACE";
  if (src === b && srcKey === call.key && !replace && sourceVersion === null) {
    throw new AwsError(
      "InvalidRequest",
      400,
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const data = v.size === 0 ? Buffer.alloc(0) : call.blobs.read(v.blob!);
  const stored = storeObject(call, b, data, replace ? header(call.req, "content-type") : v.contentType, replace ? userMetadata(call.req) : dict(v.metadata), v.etag);
  return documentResponse("CopyObjectResult", { ETag: stored.etag, LastModified: stored.lastModified }, {
    ...(src.versioning ? { "x-amz-copy-source-version-id": v.versionId } : {}),
    ...versionHeader(b, stored.versionId),
  });
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw invalidArgument("Invalid copy source encoding", "x-amz-copy-source", s);
  }
}
