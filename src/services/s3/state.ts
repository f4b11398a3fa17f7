import { dict, type Dict } from "../../core/dict.ts";
import type { Store } from "../../store/store.ts";

/** One stored version of a key (versionId "null" when the bucket was never versioned), or a delete marker. */
export interface ObjectVersion {
  versionId: string;
  deleteMarker?: boolean;
  /** File name of the body under the blob directory (none for a delete marker). */
  blob?: string;
  size: number;
  /** Quoted, as S3 returns it. */
  etag: string;
  lastModified: string;
  contentType?: string;
  metadata: Dict<string>;
}

export interface UploadPart {
  blob: string;
  size: number;
  etag: string;
  lastModified: string;
}

export interface MultipartUpload {
  uploadId: string;
  key: string;
  initiated: string;
  contentType?: string;
  metadata: Dict<string>;
  /** By part number. */
  parts: Dict<UploadPart>;
}

export interface Bucket {
  name: string;
  /** The owning account. */
  owner: string;
  region: string;
  created: string;
  versioning?: "Enabled" | "Suspended";
  policy?: string;
  /** Versions of each key, newest first. */
  objects: Dict<ObjectVersion[]>;
  uploads: Dict<MultipartUpload>;
}

/** Bucket names are global in S3, so one state holds every account's buckets, each with its owner. */
export interface S3State {
  buckets: Dict<Bucket>;
}

export function s3State(store: Store): S3State {
  return store.state<S3State>("s3", "global", "global", () => ({ buckets: dict() }));
}
