import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CodeUrlSigner } from "./code-location.ts";

const T0 = Date.UTC(2026, 11, 5, 4, 0, 0);

function request(location: string, host?: string) {
  const u = new URL(location);
  return { rawPath: u.pathname, rawQuery: u.search.slice(1), query: u.searchParams, headers: { host: host ?? u.host } };
}

describe("Code.Location URLs", () => {
  const signer = new CodeUrlSigner();
  const url = signer.presign("http://127.0.0.1:4566", "/_hyperlocal/lambda-code/123456789012/us-east-1/fn/abc", "us-east-1", T0);

  it("carry S3's presigned query: SigV4, an s3 scope, 600 seconds, host signed", () => {
    const q = new URL(url).searchParams;
    assert.equal(q.get("X-Amz-Algorithm"), "AWS4-HMAC-SHA256");
    assert.match(q.get("X-Amz-Credential")!, /^ASIA[0-9A-F]{16}\/20261205\/us-east-1\/s3\/aws4_request$/);
    assert.equal(q.get("X-Amz-Date"), "20261205T040000Z");
    assert.equal(q.get("X-Amz-Expires"), "600");
    assert.equal(q.get("X-Amz-SignedHeaders"), "host");
    assert.match(q.get("X-Amz-Signature")!, /^[0-9a-f]{64}$/);
  });

  it("verify until 600 seconds have passed, then answer Request has expired", () => {
    assert.deepEqual(signer.check(request(url), "us-east-1", T0 + 600_000), { ok: true });
    const late = signer.check(request(url), "us-east-1", T0 + 600_001);
    assert.equal(late.ok, false);
    assert.equal(!late.ok && late.message, "Request has expired");
  });

  it("refuse a changed path, query, host, region or signer", () => {
    const mismatch = (r: ReturnType<typeof request>, region = "us-east-1") => {
      const c = signer.check(r, region, T0);
      return c.ok ? "ok" : c.code;
    };
    assert.equal(mismatch(request(url.replace("/fn/abc", "/fn/abd"))), "SignatureDoesNotMatch");
    assert.equal(mismatch(request(url.replace("X-Amz-Expires=600", "X-Amz-Expires=6000"))), "SignatureDoesNotMatch");
    assert.equal(mismatch(request(url, "localhost:4566")), "SignatureDoesNotMatch");
    assert.equal(mismatch(request(url), "eu-west-1"), "AccessDenied");
    assert.equal(mismatch(request(new CodeUrlSigner().presign("http://127.0.0.1:4566", "/_hyperlocal/lambda-code/123456789012/us-east-1/fn/abc", "us-east-1", T0))), "AccessDenied");
    assert.equal(mismatch(request(url.replace(/&X-Amz-Signature=[0-9a-f]+/, ""))), "AccessDenied");
  });
});
