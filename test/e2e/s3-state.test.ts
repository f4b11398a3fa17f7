// S3 state: bodies on disk outside the state database and kept across a restart, accounts sharing the
// bucket namespace, keys that are JavaScript property names or look like paths, presigned URLs.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketPolicyCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { rejects, ROOT_CREDS, type Creds } from "../support/clients.ts";
import { startChildServer, startTestServer, tempDir } from "../support/server.ts";

const s3Client = (url: string, creds: Creds = ROOT_CREDS) => new S3Client({ endpoint: url, region: "us-east-1", credentials: creds, forcePathStyle: true, maxAttempts: 1 });
/** An account key (--account-keys): the root of account 111111111111. */
const OTHER: Creds = { accessKeyId: "111111111111", secretAccessKey: "test" };

describe("S3 state", () => {
  it("keeps bodies as files under the state directory, never in the state database, across a restart", async () => {
    const dir = tempDir();
    const marker = "body-marker-" + "z".repeat(40);
    const first = await startChildServer(["--state-dir", dir]);
    const c1 = s3Client(first.url);
    await c1.send(new CreateBucketCommand({ Bucket: "kept" }));
    await c1.send(new PutObjectCommand({ Bucket: "kept", Key: "a.txt", Body: marker }));
    c1.destroy();
    assert.equal(await first.stop("SIGTERM"), 0);
    // The state database (every file under db/) holds the metadata only, never the body.
    const dbFiles = readdirSync(join(dir, "db"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.ok(dbFiles.length > 0, "the state database exists");
    for (const e of dbFiles) assert.ok(!readFileSync(join(e.parentPath, e.name)).includes(marker), `the body is not in ${e.name}`);
    const files = readdirSync(join(dir, "s3-objects"));
    assert.equal(files.length, 1);
    assert.equal(readFileSync(join(dir, "s3-objects", files[0]), "utf8"), marker);

    const second = await startChildServer(["--state-dir", dir]);
    try {
      const c2 = s3Client(second.url);
      const got = await c2.send(new GetObjectCommand({ Bucket: "kept", Key: "a.txt" }));
      assert.equal(await got.Body!.transformToString(), marker);
      c2.destroy();
    } finally {
      await second.stop();
    }
  });

  it("bucket names are shared by all accounts; another account reads only what a bucket policy grants", async () => {
    const app = await startTestServer();
    try {
      const mine = s3Client(app.url);
      const theirs = s3Client(app.url, OTHER);
      await mine.send(new CreateBucketCommand({ Bucket: "shared-name" }));
      await mine.send(new PutObjectCommand({ Bucket: "shared-name", Key: "k", Body: "v" }));
      const taken = await rejects(theirs.send(new CreateBucketCommand({ Bucket: "shared-name" })));
      assert.equal(taken.name, "BucketAlreadyExists");
      assert.equal(taken.$metadata.httpStatusCode, 409);
      assert.equal((await rejects(theirs.send(new GetObjectCommand({ Bucket: "shared-name", Key: "k" })))).name, "AccessDenied");
      await mine.send(
        new PutBucketPolicyCommand({
          Bucket: "shared-name",
          Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::shared-name/*" }] }),
        }),
      );
      assert.equal(await (await theirs.send(new GetObjectCommand({ Bucket: "shared-name", Key: "k" }))).Body!.transformToString(), "v");
      assert.equal((await rejects(theirs.send(new PutObjectCommand({ Bucket: "shared-name", Key: "k", Body: "x" })))).name, "AccessDenied");
    } finally {
      await app.close();
    }
  });

  it("keys named __proto__, constructor or ../../etc/passwd are plain keys", async () => {
    const app = await startTestServer();
    try {
      const s3 = s3Client(app.url);
      await s3.send(new CreateBucketCommand({ Bucket: "constructor" }));
      const keys = ["__proto__", "constructor", "../../etc/passwd", "hasOwnProperty"];
      for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: "constructor", Key: k, Body: `body of ${k}` }));
      for (const k of keys) assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: "constructor", Key: k }))).Body!.transformToString(), `body of ${k}`);
      const listed = (await s3.send(new ListObjectsV2Command({ Bucket: "constructor" }))).Contents!.map((c) => c.Key);
      assert.deepEqual(listed, [...keys].sort());
      assert.equal((await rejects(s3.send(new GetObjectCommand({ Bucket: "constructor", Key: "toString" })))).name, "NoSuchKey");
      assert.equal((await rejects(s3.send(new GetObjectCommand({ Bucket: "__proto__", Key: "x" })))).name, "NoSuchBucket");
    } finally {
      await app.close();
    }
  });

  it("a request from a web page of another origin is refused: a presigned URL, a text/plain PUT", { skip: !hasAwsCli() && "needs /usr/bin/aws" }, async () => {
    const app = await startTestServer();
    try {
      const s3 = s3Client(app.url);
      await s3.send(new CreateBucketCommand({ Bucket: "guarded" }));
      // A presigned URL carries its signature in the query string: a page could send it as a simple request.
      await s3.send(new PutObjectCommand({ Bucket: "guarded", Key: "secret.txt", Body: "s" }));
      const signed = await aws(app.url, ["s3", "presign", "s3://guarded/secret.txt"]);
      const url = signed.stdout.trim();
      for (const origin of ["http://evil.example", "null"]) {
        const res = await fetch(url, { method: "GET", headers: { origin, "content-type": "text/plain" } });
        assert.equal(res.status, 403);
        assert.match(await res.text(), /<Code>AccessDenied<\/Code>/);
      }
      const post = await fetch(`${app.url}/guarded/planted.txt`, { method: "PUT", headers: { origin: "http://evil.example", "content-type": "text/plain" }, body: "x" });
      assert.equal(post.status, 403);
      assert.equal((await rejects(s3.send(new GetObjectCommand({ Bucket: "guarded", Key: "planted.txt" })))).name, "NoSuchKey");
    } finally {
      await app.close();
    }
  });

  it("a URL from `aws s3 presign` downloads the object; a changed one is refused", { skip: !hasAwsCli() && "needs /usr/bin/aws" }, async () => {
    const app = await startTestServer();
    try {
      const s3 = s3Client(app.url);
      await s3.send(new CreateBucketCommand({ Bucket: "presigned" }));
      await s3.send(new PutObjectCommand({ Bucket: "presigned", Key: "dir/file name.txt", Body: "downloadable" }));
      const signed = await aws(app.url, ["s3", "presign", "s3://presigned/dir/file name.txt"]);
      assert.equal(signed.code, 0, signed.stderr);
      const url = signed.stdout.trim();
      const ok = await fetch(url);
      assert.equal(ok.status, 200);
      assert.equal(await ok.text(), "downloadable");
      const bad = await fetch(url.replace("file%20name", "other%20name"));
      assert.equal(bad.status, 403);
      assert.match(await bad.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
    } finally {
      await app.close();
    }
  });
});
