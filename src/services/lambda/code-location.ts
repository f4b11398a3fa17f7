// GetFunction's Code.Location: a SigV4 query-signed URL for the function's zip, shaped like the
// presigned S3 URL AWS answers with (X-Amz-Algorithm, -Credential with an s3 scope, -Date,
// -Expires=600, -SignedHeaders=host, -Signature), served by this server. The signing secret is the
// server's own; the URL expires 10 minutes after GetFunction on the simulated clock, and a changed
// path, query or host breaks the signature.
import { createHmac, randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { parseAmzDate, parseSignature, s3CanonicalPath, sha256Hex, SigningKeyCache, sigv4Encode, verifySignature } from "../../sigv4/verify.ts";

export const CODE_URL_EXPIRES_SECONDS = 600;

export type CodeUrlCheck = { ok: true } | { ok: false; code: "AccessDenied" | "SignatureDoesNotMatch" | "NoSuchKey"; message: string; expires?: number };

export class CodeUrlSigner {
  private readonly secret = randomBytes(32).toString("hex");
  /** The Lambda service's own key id, as AWS's URL carries one (theirs is a session key: ASIA...). */
  readonly accessKeyId = `ASIA${createHmac("sha256", this.secret).update("key id").digest("hex").slice(0, 16).toUpperCase()}`;
  private readonly keys = new SigningKeyCache(16);

  /** URLs signed within the current second (X-Amz-Date's resolution): the same inputs sign the same. */
  private recent = new Map<string, string>();
  private recentSecond = NaN;

  /** `base` + `path` + the signed query, valid from `now` for 600 seconds. */
  presign(base: string, path: string, region: string, now: number): string {
    const second = Math.floor(now / 1000);
    if (second !== this.recentSecond) {
      this.recent = new Map();
      this.recentSecond = second;
    }
    const key = `${base}\n${path}\n${region}`;
    let url = this.recent.get(key);
    if (url === undefined) {
      url = this.sign(base, path, region, now);
      if (this.recent.size < 1024) this.recent.set(key, url);
    }
    return url;
  }

  private sign(base: string, path: string, region: string, now: number): string {
    const host = new URL(base).host;
    const amzDate = new Date(now).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const date = amzDate.slice(0, 8);
    const params: Array<[string, string]> = [
      ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
      ["X-Amz-Credential", `${this.accessKeyId}/${date}/${region}/s3/aws4_request`],
      ["X-Amz-Date", amzDate],
      ["X-Amz-Expires", String(CODE_URL_EXPIRES_SECONDS)],
      ["X-Amz-SignedHeaders", "host"],
    ];
    const query = params.map(([k, v]) => `${sigv4Encode(k)}=${sigv4Encode(v)}`).join("&");
    const creq = ["GET", s3CanonicalPath(path), query, `host:${host}\n`, "host", "UNSIGNED-PAYLOAD"].join("\n");
    const sts = `AWS4-HMAC-SHA256\n${amzDate}\n${date}/${region}/s3/aws4_request\n${sha256Hex(creq)}`;
    const signature = createHmac("sha256", this.keys.get(this.secret, date, region, "s3")).update(sts).digest("hex");
    return `${base}${path}?${query}&X-Amz-Signature=${signature}`;
  }

  /** S3's answers to a presigned GET: signature first, then expiry on the simulated clock. */
  check(req: { rawPath: string; rawQuery: string; query: URLSearchParams; headers: IncomingHttpHeaders }, region: string, now: number): CodeUrlCheck {
    const parsed = parseSignature(req.query, {});
    const denied: CodeUrlCheck = { ok: false, code: "AccessDenied", message: "Access Denied" };
    if (parsed.kind !== "signed" || !parsed.info.presigned) return denied;
    const info = parsed.info;
    if (info.accessKeyId !== this.accessKeyId || info.service !== "s3" || info.region !== region || info.expiresSec === undefined) return denied;
    const verified = verifySignature(info, { method: "GET", rawPath: req.rawPath, rawQuery: req.rawQuery, headers: req.headers, body: Buffer.alloc(0) }, this.secret, this.keys, {
      unsignedPayload: true,
      singleEncodedPath: true,
    });
    if (!verified) {
      return { ok: false, code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match the signature you provided. Check your key and signing method." };
    }
    const expires = parseAmzDate(info.amzDate) + info.expiresSec * 1000;
    if (now > expires) return { ok: false, code: "AccessDenied", message: "Request has expired", expires };
    return { ok: true };
  }
}

/** S3's XML error document. */
export function s3ErrorXml(check: Extract<CodeUrlCheck, { ok: false }>, requestId: string, now: number): string {
  const extra = check.expires !== undefined
    ? `<X-Amz-Expires>${CODE_URL_EXPIRES_SECONDS}</X-Amz-Expires><Expires>${new Date(check.expires).toISOString().replace(/\.\d{3}/, "")}</Expires><ServerTime>${new Date(now).toISOString().replace(/\.\d{3}/, "")}</ServerTime>`
    : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${check.code}</Code><Message>${check.message}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`;
}
