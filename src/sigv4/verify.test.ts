import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SignatureV4 } from "@smithy/signature-v4";
import { HttpRequest } from "@smithy/protocol-http";
import { Hash } from "@smithy/hash-node";

const Sha256 = Hash.bind(null, "sha256");
import { canonicalPath, canonicalQuery, HOST_NOT_SIGNED, s3CanonicalPath, parseSignature, sha256Hex, SigningKeyCache, verifySignature, type VerifyInput } from "./verify.ts";

// The smithy signer (what the AWS SDK uses) is the reference: whatever it signs must verify.
const creds = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

function signer(service: string, region = "us-east-1", applyChecksum = true) {
  return new SignatureV4({ credentials: creds, region, service, sha256: Sha256, uriEscapePath: true, applyChecksum });
}

function toVerifyInput(r: HttpRequest, body: Buffer): VerifyInput {
  const qs = Object.entries(r.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v as string]]))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v ?? "")}`)
    .join("&");
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  return { method: r.method, rawPath: r.path, rawQuery: qs, headers, body };
}

async function signed(opts: { method: string; path: string; query?: Record<string, string>; body?: string; service?: string; headers?: Record<string, string>; checksum?: boolean }) {
  const body = Buffer.from(opts.body ?? "");
  const req = new HttpRequest({
    method: opts.method,
    protocol: "http:",
    hostname: "127.0.0.1",
    port: 4566,
    path: opts.path,
    query: opts.query ?? {},
    headers: { host: "127.0.0.1:4566", "content-type": "application/x-www-form-urlencoded", ...(opts.headers ?? {}) },
    body: opts.body,
  });
  const s = (await signer(opts.service ?? "sts", "us-east-1", opts.checksum ?? true).sign(req)) as HttpRequest;
  return { input: toVerifyInput(s, body), req: s };
}

describe("SigV4 verification against the SDK's signer", () => {
  const cache = new SigningKeyCache();
  const cases: { name: string; method: string; path: string; query?: Record<string, string>; body?: string; service?: string }[] = [
    { name: "STS POST form body", method: "POST", path: "/", body: "Action=GetCallerIdentity&Version=2011-06-15" },
    { name: "Lambda GET with an ARN in the path (double encoding)", method: "GET", path: "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af", query: { Qualifier: "$LATEST" }, service: "lambda" },
    { name: "query with space, plus and slash", method: "GET", path: "/2015-03-31/functions", query: { Marker: "a b+c/d", MaxItems: "5" }, service: "lambda" },
    { name: "UTF-8 body", method: "POST", path: "/", body: "Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=%C3%A9t%C3%A9", service: "ec2" },
    { name: "repeated query keys sorted by value", method: "GET", path: "/", query: { b: "2", a: "1" }, service: "ec2" },
  ];
  for (const c of cases) {
    it(`accepts: ${c.name}`, async () => {
      const { input } = await signed(c);
      const parsed = parseSignature(new URLSearchParams(input.rawQuery), input.headers);
      assert.equal(parsed.kind, "signed");
      if (parsed.kind !== "signed") return;
      assert.equal(verifySignature(parsed.info, input, creds.secretAccessKey, cache), true);
      assert.equal(verifySignature(parsed.info, input, "wrong-secret", cache), false);
    });
  }

  it("rejects a tampered body", async () => {
    const { input } = await signed({ method: "POST", path: "/", body: "Action=GetCallerIdentity&Version=2011-06-15" });
    const parsed = parseSignature(new URLSearchParams(), input.headers);
    assert.equal(parsed.kind, "signed");
    if (parsed.kind !== "signed") return;
    assert.equal(verifySignature(parsed.info, { ...input, body: Buffer.from("Action=GetCallerIdentity&Version=2011-06-16") }, creds.secretAccessKey, cache), false);
  });

  it("verifies and rejects a tampered body without x-amz-content-sha256 (as the AWS CLI signs)", async () => {
    const { input } = await signed({ method: "POST", path: "/", body: "Action=GetCallerIdentity&Version=2011-06-15", checksum: false });
    assert.equal(input.headers["x-amz-content-sha256"], undefined);
    const parsed = parseSignature(new URLSearchParams(), input.headers);
    if (parsed.kind !== "signed") return assert.fail("not parsed");
    assert.equal(verifySignature(parsed.info, input, creds.secretAccessKey, cache), true);
    assert.equal(verifySignature(parsed.info, { ...input, body: Buffer.from("Action=GetCallerIdentity&Version=2011-06-16") }, creds.secretAccessKey, cache), false);
  });

  it("rejects a changed signed header and ignores unsigned ones", async () => {
    const { input } = await signed({ method: "POST", path: "/", body: "Action=GetCallerIdentity&Version=2011-06-15" });
    const parsed = parseSignature(new URLSearchParams(), input.headers);
    if (parsed.kind !== "signed") return assert.fail("not parsed");
    assert.equal(verifySignature(parsed.info, { ...input, headers: { ...input.headers, "user-agent": "anything" } }, creds.secretAccessKey, cache), true);
    assert.equal(verifySignature(parsed.info, { ...input, headers: { ...input.headers, host: "evil:1" } }, creds.secretAccessKey, cache), false);
  });

  it("verifies presigned query requests", async () => {
    const req = new HttpRequest({ method: "GET", protocol: "http:", hostname: "127.0.0.1", port: 4566, path: "/", query: { Action: "GetCallerIdentity", Version: "2011-06-15" }, headers: { host: "127.0.0.1:4566" } });
    const p = (await signer("sts").presign(req, { expiresIn: 300 })) as HttpRequest;
    const input = toVerifyInput(p, Buffer.alloc(0));
    const parsed = parseSignature(new URLSearchParams(input.rawQuery), input.headers);
    assert.equal(parsed.kind, "signed");
    if (parsed.kind !== "signed") return;
    assert.equal(parsed.info.presigned, true);
    assert.equal(parsed.info.expiresSec, 300);
    assert.equal(verifySignature(parsed.info, input, creds.secretAccessKey, cache), true);
    assert.equal(verifySignature(parsed.info, { ...input, rawQuery: input.rawQuery.replace("GetCallerIdentity", "GetSessionToken") }, creds.secretAccessKey, cache), false);
  });

  it("canonicalises paths: plain ones as they are, encoded ones encoded again (S3: once)", () => {
    assert.equal(canonicalPath("/2015-03-31/functions/my-function_1.x~y"), "/2015-03-31/functions/my-function_1.x~y");
    assert.equal(canonicalPath("/2015-03-31/functions/arn%3Aaws%3Alambda/a b"), "/2015-03-31/functions/arn%253Aaws%253Alambda/a%20b");
    assert.equal(canonicalPath("/it's(*)!"), "/it%27s%28%2A%29%21");
    assert.equal(s3CanonicalPath("/bucket/plain-key.txt"), "/bucket/plain-key.txt");
    assert.equal(s3CanonicalPath("/bucket/a%20b/c d"), "/bucket/a%20b/c%20d");
  });

  it("hashes strings and bytes as SHA-256 in hex (FIPS 180-2 vectors)", () => {
    assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(sha256Hex(Buffer.from("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("parses missing and malformed authorization", () => {
    assert.equal(parseSignature(new URLSearchParams(), {}).kind, "missing");
    assert.equal(parseSignature(new URLSearchParams(), { authorization: "AWS4-HMAC-SHA256 Credential=x" }).kind, "malformed");
    assert.equal(parseSignature(new URLSearchParams(), { authorization: "Basic abc" }).kind, "malformed");
  });

  it("canonicalises the query: RFC 3986, sorted by key then value", () => {
    assert.equal(canonicalQuery("b=2&a=x%20y&a=1&c", false), "a=1&a=x%20y&b=2&c=");
    assert.equal(canonicalQuery("X-Amz-Signature=abc&A=1", true), "A=1");
    assert.equal(canonicalQuery("k=%2A%21", false), "k=%2A%21");
  });

  it("takes UNSIGNED-PAYLOAD and streaming hashes only where the service allows them (S3)", async () => {
    for (const declared of ["UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"]) {
      const { input } = await signed({ method: "POST", path: "/", body: "Action=GetCallerIdentity&Version=2011-06-15", headers: { "x-amz-content-sha256": declared } });
      assert.equal(input.headers["x-amz-content-sha256"], declared);
      const parsed = parseSignature(new URLSearchParams(), input.headers);
      if (parsed.kind !== "signed") return assert.fail("not parsed");
      assert.equal(verifySignature(parsed.info, input, creds.secretAccessKey, cache), false, `${declared} without the flag`);
      assert.equal(verifySignature(parsed.info, input, creds.secretAccessKey, cache, { unsignedPayload: true }), true, `${declared} with the flag`);
      // Without the flag, a body swapped under it fails too.
      assert.equal(verifySignature(parsed.info, { ...input, body: Buffer.from("Action=CreateUser&UserName=x&Version=2010-05-08") }, creds.secretAccessKey, cache), false);
    }
  });

  it("refuses a declared hash that is not the body's", async () => {
    const { input } = await signed({ method: "POST", path: "/", body: "Action=GetCallerIdentity&Version=2011-06-15", headers: { "x-amz-content-sha256": "0".repeat(64) } });
    const parsed = parseSignature(new URLSearchParams(), input.headers);
    if (parsed.kind !== "signed") return assert.fail("not parsed");
    assert.equal(verifySignature(parsed.info, input, creds.secretAccessKey, cache), false);
    assert.equal(verifySignature(parsed.info, input, creds.secretAccessKey, cache, { unsignedPayload: true }), false);
  });

  it("requires Host among the signed headers, in the header and the presigned form", () => {
    const auth = (signedHeaders: string) => `AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sts/aws4_request, SignedHeaders=${signedHeaders}, Signature=${"a".repeat(64)}`;
    const headers = { "x-amz-date": "20240101T000000Z" };
    assert.deepEqual(parseSignature(new URLSearchParams(), { ...headers, authorization: auth("content-type;x-amz-date") }), { kind: "malformed", message: HOST_NOT_SIGNED });
    assert.equal(parseSignature(new URLSearchParams(), { ...headers, authorization: auth("content-type;host;x-amz-date") }).kind, "signed");
    const q = (signedHeaders: string) =>
      new URLSearchParams({ "X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": "test/20240101/us-east-1/sts/aws4_request", "X-Amz-Date": "20240101T000000Z", "X-Amz-SignedHeaders": signedHeaders, "X-Amz-Signature": "a".repeat(64) });
    assert.deepEqual(parseSignature(q("x-amz-date"), {}), { kind: "malformed", message: HOST_NOT_SIGNED });
    assert.equal(parseSignature(q("host"), {}).kind, "signed");
  });

  it("a signed header named like an Object.prototype member is a missing header, not a crash", async () => {
    const { input } = await signed({ method: "POST", path: "/", body: "Action=GetCallerIdentity&Version=2011-06-15" });
    const parsed = parseSignature(new URLSearchParams(), input.headers);
    if (parsed.kind !== "signed") return assert.fail("not parsed");
    const headers = Object.assign({}, input.headers); // a node header map has Object.prototype
    for (const name of ["constructor", "__proto__", "tostring", "hasownproperty"]) {
      assert.equal(verifySignature({ ...parsed.info, signedHeaders: ["host", name] }, { ...input, headers }, creds.secretAccessKey, cache), false);
    }
  });
});

describe("S3's single-encoded path", () => {
  it("verifies what the S3 signer signs (uriEscapePath false) only under S3's rule", async () => {
    const cache = new SigningKeyCache();
    const path = "/bucket/dir/a%20b%2Bc%3D.zip";
    const req = new HttpRequest({ method: "GET", protocol: "http:", hostname: "127.0.0.1", port: 4566, path, headers: { host: "127.0.0.1:4566", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } });
    const s3Signer = new SignatureV4({ credentials: creds, region: "us-east-1", service: "s3", sha256: Sha256, uriEscapePath: false, applyChecksum: false });
    const input = toVerifyInput((await s3Signer.sign(req)) as HttpRequest, Buffer.alloc(0));
    const parsed = parseSignature(new URLSearchParams(), input.headers);
    if (parsed.kind !== "signed") return assert.fail("not parsed");
    assert.equal(verifySignature(parsed.info, input, creds.secretAccessKey, cache, { unsignedPayload: true, singleEncodedPath: true }), true);
    assert.equal(verifySignature(parsed.info, input, creds.secretAccessKey, cache, { unsignedPayload: true }), false);
    // UNSIGNED-PAYLOAD is S3's alone.
    assert.equal(verifySignature(parsed.info, input, creds.secretAccessKey, cache, { singleEncodedPath: true }), false);
  });
});
