import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { crc32 } from "node:zlib";
import { decodeStreamingBody } from "./streaming.ts";

const b64crc = (d: Buffer) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(d) >>> 0);
  return b.toString("base64");
};

describe("aws-chunked bodies", () => {
  it("unsigned with a trailer: decoded, the crc32 trailer checked", () => {
    const data = Buffer.from("hello, world");
    const body = (crc: string) => Buffer.from(`5\r\nhello\r\n7\r\n, world\r\n0\r\nx-amz-checksum-crc32:${crc}\r\n\r\n`);
    const ok = decodeStreamingBody("STREAMING-UNSIGNED-PAYLOAD-TRAILER", body(b64crc(data)), undefined);
    assert.ok(ok.ok);
    assert.equal(ok.payload.toString(), "hello, world");
    const bad = decodeStreamingBody("STREAMING-UNSIGNED-PAYLOAD-TRAILER", body(b64crc(Buffer.from("other"))), undefined);
    assert.deepEqual(bad.ok ? undefined : bad.problem, "checksum");
  });

  it("truncated or malformed framing is refused", () => {
    for (const text of ["5\r\nhel", "zz\r\nhello\r\n0\r\n\r\n", "5\r\nhelloXX0\r\n\r\n", ""]) {
      const out = decodeStreamingBody("STREAMING-UNSIGNED-PAYLOAD-TRAILER", Buffer.from(text), undefined);
      assert.equal(out.ok, false, text);
    }
  });

  it("signed chunks: the chain from the seed signature verifies; a reordered chain does not", () => {
    const key = Buffer.alloc(32, 7);
    const signing = { signingKey: key, amzDate: "20260101T000000Z", scope: "20260101/us-east-1/s3/aws4_request", seedSignature: "a".repeat(64) };
    const hex = (d: Buffer | string) => createHash("sha256").update(d).digest("hex");
    const sign = (prev: string, d: Buffer) => createHmac("sha256", key).update(`AWS4-HMAC-SHA256-PAYLOAD\n${signing.amzDate}\n${signing.scope}\n${prev}\n${hex("")}\n${hex(d)}`).digest("hex");
    const a = Buffer.from("first"), b = Buffer.from("second"), z = Buffer.alloc(0);
    const s1 = sign(signing.seedSignature, a), s2 = sign(s1, b), s3 = sign(s2, z);
    const frame = (d: Buffer, s: string) => Buffer.concat([Buffer.from(`${d.length.toString(16)};chunk-signature=${s}\r\n`), d, Buffer.from("\r\n")]);
    const good = decodeStreamingBody("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", Buffer.concat([frame(a, s1), frame(b, s2), frame(z, s3)]), signing);
    assert.ok(good.ok);
    assert.equal(good.payload.toString(), "firstsecond");
    // Each chunk's signature binds the previous one: the same chunks out of order fail.
    const swapped = decodeStreamingBody("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", Buffer.concat([frame(b, s2), frame(a, s1), frame(z, s3)]), signing);
    assert.deepEqual(swapped.ok ? undefined : swapped.problem, "signature");
  });
});
