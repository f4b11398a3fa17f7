import { randomBytes } from "node:crypto";
import type { BlobStore } from "./blobs.ts";
import type { Bucket, ObjectVersion } from "./state.ts";

/** A new version id, or "null" where the bucket does not keep versions. */
export function newVersionId(bucket: Bucket): string {
  if (bucket.versioning !== "Enabled") return "null";
  return randomBytes(24).toString("base64url");
}

export function versionsOf(bucket: Bucket, key: string): ObjectVersion[] | undefined {
  return Object.hasOwn(bucket.objects, key) ? bucket.objects[key] : undefined;
}

/**
 * Store a version as the newest: with versioning Enabled it is added; otherwise it replaces the
 * "null" version (whose body is removed), as S3 does for unversioned and suspended buckets.
 */
export function addVersion(bucket: Bucket, key: string, v: ObjectVersion, blobs: BlobStore): void {
  const list = versionsOf(bucket, key) ?? [];
  if (v.versionId === "null") {
    const i = list.findIndex((x) => x.versionId === "null");
    if (i >= 0) {
      blobs.remove(list[i].blob);
      list.splice(i, 1);
    }
  }
  list.unshift(v);
  bucket.objects[key] = list;
}

export function removeVersion(bucket: Bucket, key: string, versionId: string, blobs: BlobStore): ObjectVersion | undefined {
  const list = versionsOf(bucket, key);
  if (!list) return undefined;
  const i = list.findIndex((x) => x.versionId === versionId);
  if (i < 0) return undefined;
  const [gone] = list.splice(i, 1);
  blobs.remove(gone.blob);
  if (list.length === 0) delete bucket.objects[key];
  return gone;
}

/** The version id header, left out for "null" versions of a never-versioned bucket. */
export function versionHeader(bucket: Bucket, versionId: string): Record<string, string> {
  return bucket.versioning || versionId !== "null" ? { "x-amz-version-id": versionId } : {};
}
