import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { checksumProblem } from "./checksums.ts";

/**
 * S3's aws-chunked request bodies (Content-Encoding: aws-chunked):
 *   STREAMING-AWS4-HMAC-SHA256-PAYLOAD   `<hex size>;chunk-signature=<sig>\r\n<data>\r\n`, each chunk signed,
 *                                         chained from the seed signature of the request, a last chunk of size 0;
 *   STREAMING-UNSIGNED-PAYLOAD-TRAILER    `<hex size>\r\n<data>\r\n`, then trailer headers such as
 *                                         x-amz-checksum-crc32 after the last chunk.
 * The decoder returns the payload, or why it is refused: "signature" (S3's SignatureDoesNotMatch) or "malformed".
 */
export interface ChunkSigning {
  signingKey: Buffer;
  amzDate: string;
  /** yyyymmdd/region/service/aws4_request */
  scope: string;
  seedSignature: string;
}

export type DecodeOutcome = { ok: true; payload: Buffer; trailers: Record<string, string> } | { ok: false; problem: "signature" | "malformed" | "checksum"; message: string };

const EMPTY_SHA256 = createHash("sha256").digest("hex");

export function isStreamingPayload(declared: string | undefined): boolean {
  return declared === "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" || declared === "STREAMING-UNSIGNED-PAYLOAD-TRAILER" || declared === "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
}

/** Decode an aws-chunked body; without `signing` (no secret known: --accept-any-credentials) chunk signatures are read, not checked. */
export function decodeStreamingBody(declared: string, body: Buffer, signing: ChunkSigning | undefined): DecodeOutcome {
  const signed = declared.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  const parts: Buffer[] = [];
  let pos = 0;
  let prev = signing?.seedSignature ?? "";
  for (;;) {
    const eol = body.indexOf("\r\n", pos);
    if (eol < 0) return malformed();
    const header = body.subarray(pos, eol).toString("latin1");
    const semi = header.indexOf(";");
    const sizeText = semi < 0 ? header : header.slice(0, semi);
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) return malformed();
    const size = parseInt(sizeText, 16);
    const start = eol + 2;
    if (start + size > body.length) return malformed();
    const data = body.subarray(start, start + size);
    if (signed) {
      const m = /^chunk-signature=([0-9a-f]{64})$/.exec(semi < 0 ? "" : header.slice(semi + 1));
      if (!m) return malformed();
      if (!signing) {
        prev = m[1];
      } else {
      const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${signing.amzDate}\n${signing.scope}\n${prev}\n${EMPTY_SHA256}\n${createHash("sha256").update(data).digest("hex")}`;
      const expected = createHmac("sha256", signing.signingKey).update(sts).digest();
      const given = Buffer.from(m[1], "hex");
      if (!timingSafeEqual(given, expected)) {
        return { ok: false, problem: "signature", message: "The request signature we calculated does not match the signature you provided. Check your key and signing method." };
      }
      prev = m[1];
      }
    }
    pos = start + size;
    if (size === 0) break;
    parts.push(data);
    if (body.subarray(pos, pos + 2).toString("latin1") !== "\r\n") return malformed();
    pos += 2;
  }
  const trailers: Record<string, string> = Object.create(null);
  // After the last chunk: either "\r\n" (no trailers) or trailer lines, then an empty line.
  const rest = body.subarray(pos).toString("latin1");
  for (const line of rest.split("\r\n")) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return malformed();
    const name = line.slice(0, colon).trim().toLowerCase();
    // The signed trailer variant's own signature line: its chain is not checked (no client here sends it).
    if (name === "x-amz-trailer-signature") continue;
    trailers[name] = line.slice(colon + 1).trim();
  }
  const payload = Buffer.concat(parts);
  const bad = checksumProblem(payload, trailers);
  if (bad) return { ok: false, problem: "checksum", message: bad };
  return { ok: true, payload, trailers };
}

function malformed(): DecodeOutcome {
  return { ok: false, problem: "malformed", message: "An error occurred when parsing the HTTP request." }; // unverified wording
}
