// S3 through Debian's AWS CLI v2: mb/cp/ls/rm (a 20 MB file goes up as a multipart upload and comes
// back byte for byte), s3api for versioned objects, and S3's error shapes.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { startTestServer } from "../support/server.ts";

describe("S3 through the AWS CLI", { skip: !hasAwsCli() && "needs /usr/bin/aws" }, () => {
  let app: App;
  let dir: string;
  before(async () => {
    app = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), "hl-s3-cli-"));
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("mb, cp of a 20 MB file up and down (multipart) with identical bytes, ls, rm, rb", async () => {
    const mb = await aws(app.url, ["s3", "mb", "s3://code-packages"]);
    assert.equal(mb.code, 0, mb.stderr);
    const big = randomBytes(20 * 1024 * 1024);
    const up = join(dir, "up.bin");
    const down = join(dir, "down.bin");
    writeFileSync(up, big);
    const cp = await aws(app.url, ["s3", "cp", up, "s3://code-packages/pkg/app.zip"]);
    assert.equal(cp.code, 0, cp.stderr);
    // The CLI switched to a multipart upload: the ETag says how many parts.
    const head = await aws(app.url, ["s3api", "head-object", "--bucket", "code-packages", "--key", "pkg/app.zip"]);
    assert.equal(head.code, 0, head.stderr);
    assert.equal(head.json.ContentLength, big.length);
    assert.match(head.json.ETag, /^"[0-9a-f]{32}-3"$/);
    const get = await aws(app.url, ["s3", "cp", "s3://code-packages/pkg/app.zip", down]);
    assert.equal(get.code, 0, get.stderr);
    assert.ok(readFileSync(down).equals(big), "the downloaded bytes are the uploaded ones");

    writeFileSync(join(dir, "small.txt"), "hello s3");
    assert.equal((await aws(app.url, ["s3", "cp", join(dir, "small.txt"), "s3://code-packages/readme.txt"])).code, 0);
    const ls = await aws(app.url, ["s3", "ls", "s3://code-packages/"]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /PRE pkg\//);
    assert.match(ls.stdout, /\s8 readme\.txt/);
    // The CLI lists with encoding-type=url and decodes the keys it gets back.
    assert.equal((await aws(app.url, ["s3", "cp", join(dir, "small.txt"), "s3://code-packages/with space/ä+1.txt"])).code, 0);
    const lsr = await aws(app.url, ["s3", "ls", "--recursive", "s3://code-packages"]);
    assert.match(lsr.stdout, new RegExp(`${big.length} pkg/app.zip`));
    assert.match(lsr.stdout, / 8 with space\/ä\+1\.txt/);
    const buckets = await aws(app.url, ["s3", "ls"]);
    assert.match(buckets.stdout, /code-packages/);

    const rb = await aws(app.url, ["s3", "rb", "s3://code-packages"]);
    assert.notEqual(rb.code, 0);
    assert.match(rb.stderr, /BucketNotEmpty/);
    const rm = await aws(app.url, ["s3", "rm", "--recursive", "s3://code-packages/"]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal((await aws(app.url, ["s3", "ls", "--recursive", "s3://code-packages"])).stdout.trim(), "");
    assert.equal((await aws(app.url, ["s3", "rb", "s3://code-packages"])).code, 0);
    const gone = await aws(app.url, ["s3", "ls", "s3://code-packages"]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NoSuchBucket/);
  });

  it("s3api: versioned objects, get by version, delete markers, list-object-versions", async () => {
    const b = "versioned-code";
    assert.equal((await aws(app.url, ["s3api", "create-bucket", "--bucket", b])).code, 0);
    const ver = await aws(app.url, ["s3api", "put-bucket-versioning", "--bucket", b, "--versioning-configuration", "Status=Enabled"]);
    assert.equal(ver.code, 0, ver.stderr);
    assert.equal((await aws(app.url, ["s3api", "get-bucket-versioning", "--bucket", b])).json.Status, "Enabled");
    writeFileSync(join(dir, "v1"), "first");
    writeFileSync(join(dir, "v2"), "second version");
    const p1 = await aws(app.url, ["s3api", "put-object", "--bucket", b, "--key", "code.zip", "--body", join(dir, "v1")]);
    const p2 = await aws(app.url, ["s3api", "put-object", "--bucket", b, "--key", "code.zip", "--body", join(dir, "v2")]);
    assert.equal(p1.code, 0, p1.stderr);
    const v1 = p1.json.VersionId as string;
    const v2 = p2.json.VersionId as string;
    assert.ok(v1 && v2 && v1 !== v2);
    const old = await aws(app.url, ["s3api", "get-object", "--bucket", b, "--key", "code.zip", "--version-id", v1, join(dir, "out1")]);
    assert.equal(old.code, 0, old.stderr);
    assert.equal(readFileSync(join(dir, "out1"), "utf8"), "first");
    assert.equal(old.json.VersionId, v1);
    const del = await aws(app.url, ["s3api", "delete-object", "--bucket", b, "--key", "code.zip"]);
    assert.equal(del.json.DeleteMarker, true);
    const missing = await aws(app.url, ["s3api", "get-object", "--bucket", b, "--key", "code.zip", join(dir, "out2")]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NoSuchKey/);
    const listed = await aws(app.url, ["s3api", "list-object-versions", "--bucket", b]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      listed.json.Versions.map((v: { VersionId: string; IsLatest: boolean }) => [v.VersionId, v.IsLatest]),
      [
        [v2, false],
        [v1, false],
      ],
    );
    assert.equal(listed.json.DeleteMarkers.length, 1);
    assert.equal(listed.json.DeleteMarkers[0].IsLatest, true);
    // Removing the marker brings the newest version back.
    await aws(app.url, ["s3api", "delete-object", "--bucket", b, "--key", "code.zip", "--version-id", listed.json.DeleteMarkers[0].VersionId]);
    const back = await aws(app.url, ["s3api", "get-object", "--bucket", b, "--key", "code.zip", join(dir, "out3")]);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(readFileSync(join(dir, "out3"), "utf8"), "second version");
    const noVersion = await aws(app.url, ["s3api", "get-object", "--bucket", b, "--key", "code.zip", "--version-id", "doesnotexist", join(dir, "out4")]);
    assert.match(noVersion.stderr, /NoSuchVersion/);
  });
});
