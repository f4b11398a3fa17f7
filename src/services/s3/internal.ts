import { AwsError } from "../../core/aws-error.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import type { BlobStore } from "./blobs.ts";
import type { S3Call } from "./context.ts";
import { getObject } from "./objects.ts";
import type { S3State } from "./state.ts";

/** What other services may ask of S3 (through index.ts): reading an object as their caller. */
export interface S3Internal {
  /**
   * The bytes of bucket/key (a version when given), read with the caller's own permissions
   * (s3:GetObject or s3:GetObjectVersion, bucket policy included). Throws S3's errors: NoSuchBucket,
   * NoSuchKey, NoSuchVersion, PermanentRedirect (bucket in another region), and the caller's
   * service's access-denied error (status 403).
   */
  readObject(ctx: OperationContext, bucket: string, key: string, versionId?: string): Buffer;
}

export function createS3Internal(state: () => S3State, blobs: BlobStore): S3Internal {
  return {
    readObject(ctx, bucket, key, versionId) {
      const s = state();
      const b = Object.hasOwn(s.buckets, bucket) ? s.buckets[bucket] : undefined;
      if (b && b.region !== ctx.region) {
        throw new AwsError("PermanentRedirect", 301, `The bucket is in this region: ${b.region}. Please use this region to retry the request`);
      }
      const req = { method: "GET", rawPath: "", query: new URLSearchParams(versionId !== undefined ? { versionId } : {}), headers: {}, body: Buffer.alloc(0) };
      const operation = ctx.operation;
      const call: S3Call = {
        req,
        document: () => {
          throw new Error("GetObject reads no request document");
        },
        ctx,
        state: s,
        blobs,
        bucketName: bucket,
        key,
      };
      try {
        const res = getObject(call, false);
        return Buffer.isBuffer(res.body) ? res.body : Buffer.from(res.body ?? "");
      } finally {
        ctx.operation = operation;
      }
    },
  };
}
