import { createHmac, hash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/**
 * SigV4 verification on node:crypto, for the Authorization-header and presigned-query forms.
 * Non-S3 services sign the path encoded a second time: /functions/arn%3Aaws... is signed as arn%253Aaws...
 */

export interface SignedRequestInfo {
  accessKeyId: string;
  /** yyyymmdd of the credential scope */
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** X-Amz-Date, yyyymmddTHHMMSSZ */
  amzDate: string;
  sessionToken?: string;
  presigned: boolean;
  /** X-Amz-Expires for presigned requests, seconds */
  expiresSec?: number;
}

export type ParseOutcome =
  | { kind: "signed"; info: SignedRequestInfo }
  | { kind: "missing" }
  | { kind: "malformed"; message: string };

/** AWS's answer (IncompleteSignature) when the Host header is not among the signed ones, header or presigned form. */
export const HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";

/** Payload hashes that stand for "not hashed": only S3 takes them (ServiceDefinition.unsignedPayload). */
const UNHASHED_PAYLOADS = new Set([
  "UNSIGNED-PAYLOAD",
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
  "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
  "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
]);

/** A signature must cover the Host header, or a captured request could be replayed against another host. */
function hostSigned(signedHeaders: string[]): boolean {
  return signedHeaders.includes("host") || signedHeaders.includes(":authority");
}

const AUTH_RE =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]{64})\s*$/;

export function parseSignature(query: URLSearchParams, headers: IncomingHttpHeaders): ParseOutcome {
  const auth = headers.authorization;
  if (typeof auth === "string" && auth.length > 0) {
    const m = AUTH_RE.exec(auth);
    if (!m) {
      if (!auth.startsWith("AWS4-HMAC-SHA256")) return { kind: "malformed", message: `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${auth.split(" ")[0]}` };
      return { kind: "malformed", message: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter." };
    }
    const amzDate = headerValue(headers, "x-amz-date");
    if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate)) return { kind: "malformed", message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header." };
    const signedHeaders = m[5].toLowerCase().split(";");
    if (!hostSigned(signedHeaders)) return { kind: "malformed", message: HOST_NOT_SIGNED };
    return {
      kind: "signed",
      info: {
        accessKeyId: m[1],
        scopeDate: m[2],
        region: m[3],
        service: m[4],
        signedHeaders,
        signature: m[6].toLowerCase(),
        amzDate,
        sessionToken: headerValue(headers, "x-amz-security-token"),
        presigned: false,
      },
    };
  }
  if (query.get("X-Amz-Algorithm") === "AWS4-HMAC-SHA256") {
    const cred = query.get("X-Amz-Credential") ?? "";
    const cm = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(cred);
    const sig = query.get("X-Amz-Signature") ?? "";
    const amzDate = query.get("X-Amz-Date") ?? "";
    const signed = query.get("X-Amz-SignedHeaders") ?? "";
    if (!cm || !/^[0-9a-fA-F]{64}$/.test(sig) || !/^\d{8}T\d{6}Z$/.test(amzDate) || !signed) {
      return { kind: "malformed", message: "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date' and 'X-Amz-SignedHeaders'." };
    }
    const signedHeaders = signed.toLowerCase().split(";");
    if (!hostSigned(signedHeaders)) return { kind: "malformed", message: HOST_NOT_SIGNED };
    const expires = query.get("X-Amz-Expires");
    return {
      kind: "signed",
      info: {
        accessKeyId: cm[1],
        scopeDate: cm[2],
        region: cm[3],
        service: cm[4],
        signedHeaders,
        signature: sig.toLowerCase(),
        amzDate,
        sessionToken: query.get("X-Amz-Security-Token") ?? undefined,
        presigned: true,
        expiresSec: expires !== null && /^\d+$/.test(expires) ? Number(expires) : undefined,
      },
    };
  }
  return { kind: "missing" };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ */
export function sigv4Encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A path of unreserved characters only: encoding (once or twice) leaves it as it is. */
const PLAIN_PATH = /^[A-Za-z0-9\-_.~/]*$/;

export function canonicalPath(rawPath: string): string {
  if (rawPath === "" || rawPath === "/") return "/";
  if (PLAIN_PATH.test(rawPath)) return rawPath; // most paths: /2015-03-31/functions/my-function
  return rawPath
    .split("/")
    .map((seg) => sigv4Encode(seg))
    .join("/");
}

/** S3's canonical path: each segment decoded then encoded once, so "%2F" and "a b"/"a%20b" agree with the signer. */
export function s3CanonicalPath(rawPath: string): string {
  if (rawPath === "") return "/";
  if (PLAIN_PATH.test(rawPath)) return rawPath;
  return rawPath
    .split("/")
    .map((seg) => sigv4Encode(safeDecode(seg)))
    .join("/");
}

export function canonicalQuery(rawQuery: string, dropSignature: boolean): string {
  if (!rawQuery) return "";
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const k = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const v = safeDecode(eq < 0 ? "" : part.slice(eq + 1));
    if (dropSignature && k === "X-Amz-Signature") continue;
    pairs.push([sigv4Encode(k), sigv4Encode(v)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

/** One-shot crypto.hash: about half the cost of createHash().update().digest() (two per request). */
export function sha256Hex(data: Buffer | string): string {
  return hash("sha256", data, "hex");
}

/** Derived signing keys, cached per secret/date/region/service (they change once a day). */
export class SigningKeyCache {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly max = 4096) {}

  get(secret: string, date: string, region: string, service: string): Buffer {
    const id = `${secret}\n${date}\n${region}\n${service}`;
    let key = this.keys.get(id);
    if (!key) {
      const kDate = createHmac("sha256", "AWS4" + secret).update(date).digest();
      const kRegion = createHmac("sha256", kDate).update(region).digest();
      const kService = createHmac("sha256", kRegion).update(service).digest();
      key = createHmac("sha256", kService).update("aws4_request").digest();
      if (this.keys.size >= this.max) this.keys.clear();
      this.keys.set(id, key);
    }
    return key;
  }
}

export interface VerifyInput {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface VerifyOptions {
  /**
   * S3 only: x-amz-content-sha256 may say UNSIGNED-PAYLOAD or a streaming payload (and a presigned
   * URL signs UNSIGNED-PAYLOAD). Elsewhere the body is always hashed, so a body swapped under a
   * signature made for another one never verifies.
   */
  unsignedPayload?: boolean;
  /** S3: the canonical path is the request path encoded once (other services encode it a second time). */
  singleEncodedPath?: boolean;
}

/** True when the signature matches the request under this secret. */
export function verifySignature(info: SignedRequestInfo, req: VerifyInput, secret: string, cache: SigningKeyCache, opts: VerifyOptions = {}): boolean {
  const canonHeaders: string[] = [];
  for (const name of info.signedHeaders) {
    // node's headers object has Object.prototype: a signed header named "constructor" is not a header.
    const raw = Object.hasOwn(req.headers, name) ? req.headers[name] : undefined;
    if (raw === undefined) return false;
    const value = Array.isArray(raw) ? raw.join(",") : raw;
    canonHeaders.push(`${name}:${value.trim().replace(/\s+/g, " ")}\n`);
  }
  const declared = headerValue(req.headers, "x-amz-content-sha256");
  let payloadHash: string;
  if (opts.unsignedPayload && declared !== undefined && UNHASHED_PAYLOADS.has(declared)) {
    // S3 verifies a streaming payload's chunk signatures itself, as it reads them.
    payloadHash = declared;
  } else if (opts.unsignedPayload && info.presigned && declared === undefined) {
    payloadHash = "UNSIGNED-PAYLOAD";
  } else {
    payloadHash = sha256Hex(req.body);
    // Signers put the hash they signed in this header; one that is not the body's means the body was
    // changed (or is UNSIGNED-PAYLOAD where the service hashes every body): the signature cannot hold.
    if (declared !== undefined && declared !== payloadHash) return false;
  }
  const creq = [
    req.method,
    opts.singleEncodedPath ? s3CanonicalPath(req.rawPath) : canonicalPath(req.rawPath),
    canonicalQuery(req.rawQuery, info.presigned),
    canonHeaders.join(""),
    info.signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${info.scopeDate}/${info.region}/${info.service}/aws4_request`;
  const sts = `AWS4-HMAC-SHA256\n${info.amzDate}\n${scope}\n${sha256Hex(creq)}`;
  const key = cache.get(secret, info.scopeDate, info.region, info.service);
  const expected = createHmac("sha256", key).update(sts).digest();
  const given = Buffer.from(info.signature, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Parse yyyymmddTHHMMSSZ to epoch ms. */
export function parseAmzDate(s: string): number {
  return Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13), +s.slice(13, 15));
}
