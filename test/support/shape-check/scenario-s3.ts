import type { S3Client } from "@aws-sdk/client-s3";
import { call, callFails } from "./call.ts";

const POLICY = (bucket: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` }] });

/** Every S3 operation hyperlocal serves, once or more, successes and the usual errors. */
export async function s3Scenario(s3: S3Client): Promise<void> {
  const x = (op: string, input: object = {}) => call(s3, "s3", op, input);
  const no = (op: string, input: object, code: string) => callFails(s3, "s3", op, input, code);
  const Bucket = "parity-bucket";

  await x("CreateBucket", { Bucket });
  await no("CreateBucket", { Bucket: "Bad_Name" }, "InvalidBucketName");
  await x("HeadBucket", { Bucket });
  await no("HeadBucket", { Bucket: "parity-none" }, "NotFound");
  await x("ListBuckets");
  await x("GetBucketLocation", { Bucket });
  await no("GetBucketLocation", { Bucket: "parity-none" }, "NoSuchBucket");
  await x("GetBucketVersioning", { Bucket });
  await x("PutBucketVersioning", { Bucket, VersioningConfiguration: { Status: "Enabled" } });
  await x("GetBucketVersioning", { Bucket });
  await no("GetBucketPolicy", { Bucket }, "NoSuchBucketPolicy");
  await x("PutBucketPolicy", { Bucket, Policy: POLICY(Bucket) });
  await x("GetBucketPolicy", { Bucket });
  await x("DeleteBucketPolicy", { Bucket });

  await x("PutObject", { Bucket, Key: "a/one.txt", Body: "hello", ContentType: "text/plain", Metadata: { team: "parity" } });
  await x("PutObject", { Bucket, Key: "a/two.txt", Body: "world" });
  await x("HeadObject", { Bucket, Key: "a/one.txt" });
  await no("HeadObject", { Bucket, Key: "nope" }, "NotFound");
  await x("GetObject", { Bucket, Key: "a/one.txt" });
  await x("GetObject", { Bucket, Key: "a/one.txt", Range: "bytes=0-1" });
  await no("GetObject", { Bucket, Key: "nope" }, "NoSuchKey");
  await x("CopyObject", { Bucket, Key: "b/copy.txt", CopySource: `${Bucket}/a/one.txt` });
  await x("ListObjects", { Bucket, Prefix: "a/" });
  await x("ListObjectsV2", { Bucket, Delimiter: "/" });
  await x("ListObjectsV2", { Bucket, MaxKeys: 1 });
  await no("ListObjectsV2", { Bucket: "parity-none" }, "NoSuchBucket");
  await x("ListObjectVersions", { Bucket });
  await x("DeleteObject", { Bucket, Key: "b/copy.txt" });

  const up = await x("CreateMultipartUpload", { Bucket, Key: "big.bin" });
  const part = await x("UploadPart", { Bucket, Key: "big.bin", UploadId: up.UploadId, PartNumber: 1, Body: Buffer.alloc(16, 1) });
  await x("ListParts", { Bucket, Key: "big.bin", UploadId: up.UploadId });
  await no("ListParts", { Bucket, Key: "big.bin", UploadId: "nope" }, "NoSuchUpload");
  await x("CompleteMultipartUpload", { Bucket, Key: "big.bin", UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } });
  const up2 = await x("CreateMultipartUpload", { Bucket, Key: "gone.bin" });
  await x("AbortMultipartUpload", { Bucket, Key: "gone.bin", UploadId: up2.UploadId });

  await no("DeleteBucket", { Bucket }, "BucketNotEmpty");
  const versions = await x("ListObjectVersions", { Bucket });
  const all = [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])].map((v: { Key: string; VersionId: string }) => ({ Key: v.Key, VersionId: v.VersionId }));
  await x("DeleteObjects", { Bucket, Delete: { Objects: all } });
  await x("DeleteBucket", { Bucket });
}
