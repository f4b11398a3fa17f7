import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";

// S3's flexible checksums (x-amz-checksum-*), sent as headers or as aws-chunked trailers: S3 checks
// the headers of PutObject and UploadPart, the streaming decoder checks the trailers.

/** A x-amz-checksum-* value (header or trailer) that does not match the payload, as S3 words it; undefined when it matches or cannot be computed here. */
export function checksumProblem(payload: Buffer, values: Record<string, string | string[] | undefined>): string | undefined {
  const check = (name: string, algorithm: string, actual: () => string) => {
    const v = Object.hasOwn(values, name) ? values[name] : undefined;
    if (typeof v !== "string") return undefined;
    return v === actual() ? undefined : `Value for x-amz-checksum-${algorithm} header is invalid.`;
  };
  return (
    check("x-amz-checksum-crc32", "crc32", () => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(crc32(payload) >>> 0);
      return b.toString("base64");
    }) ??
    check("x-amz-checksum-sha256", "sha256", () => createHash("sha256").update(payload).digest("base64")) ??
    check("x-amz-checksum-sha1", "sha1", () => createHash("sha1").update(payload).digest("base64"))
    // crc32c and crc64nvme have no implementation in node:zlib: they are accepted unchecked.
  );
}
