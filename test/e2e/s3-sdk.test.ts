// S3 through the AWS SDK for JavaScript v3 (@aws-sdk/client-s3, @aws-sdk/lib-storage): objects,
// ranges, copies, listings, multipart, versions, S3's error shapes, IAM and bucket policies, and the
// signed aws-chunked body with a corrupted chunk signature.
import assert from "node:assert/strict";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  CompleteMultipartUploadCommand,
  AbortMultipartUploadCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { App } from "../../src/app.ts";
import { clients, rejects, ROOT_CREDS, type Creds } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";

const s3Client = (url: string, creds: Creds = ROOT_CREDS) => new S3Client({ endpoint: url, region: "us-east-1", credentials: creds, forcePathStyle: true, maxAttempts: 1 });

describe("S3 through the SDK v3", () => {
  let app: App;
  let s3: S3Client;
  before(async () => {
    app = await startTestServer();
    s3 = s3Client(app.url);
  });
  after(() => app.close());

  it("buckets: create, head, location, list, already owned, invalid name, delete", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "sdk-bucket" }));
    await s3.send(new CreateBucketCommand({ Bucket: "sdk-eu", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
    const head = await s3.send(new HeadBucketCommand({ Bucket: "sdk-eu" }));
    assert.equal(head.$metadata.httpStatusCode, 200);
    assert.equal((await s3.send(new GetBucketLocationCommand({ Bucket: "sdk-eu" }))).LocationConstraint, "eu-west-1");
    assert.equal((await s3.send(new GetBucketLocationCommand({ Bucket: "sdk-bucket" }))).LocationConstraint, undefined);
    const names = (await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name);
    assert.deepEqual(names, ["sdk-bucket", "sdk-eu"]);
    const again = await rejects(s3.send(new CreateBucketCommand({ Bucket: "sdk-bucket" })));
    assert.equal(again.name, "BucketAlreadyOwnedByYou");
    assert.equal(again.$metadata.httpStatusCode, 409);
    const bad = await rejects(s3.send(new CreateBucketCommand({ Bucket: "Bad_Name" })));
    assert.equal(bad.name, "InvalidBucketName");
    const missing = await rejects(s3.send(new HeadBucketCommand({ Bucket: "no-such-bucket-here" })));
    assert.equal(missing.$metadata.httpStatusCode, 404);
    await s3.send(new DeleteBucketCommand({ Bucket: "sdk-eu" }));
    const gone = await rejects(s3.send(new GetBucketLocationCommand({ Bucket: "sdk-eu" })));
    assert.equal(gone.name, "NoSuchBucket");
    assert.equal(gone.$metadata.httpStatusCode, 404);
    assert.equal((gone as unknown as { BucketName: string }).BucketName, "sdk-eu");
  });

  it("objects: put, get with Range, head, metadata, copy, list with prefixes and pages, delete", async () => {
    const body = Buffer.from("0123456789abcdefghij");
    const put = await s3.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: "dir/a b+c.txt", Body: body, ContentType: "text/plain", Metadata: { owner: "me" } }));
    assert.equal(put.ETag, `"${createHash("md5").update(body).digest("hex")}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "dir/a b+c.txt" }));
    assert.equal(await got.Body!.transformToString(), body.toString());
    assert.equal(got.ContentType, "text/plain");
    assert.deepEqual(got.Metadata, { owner: "me" });
    const part = await s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "dir/a b+c.txt", Range: "bytes=5-9" }));
    assert.equal(part.$metadata.httpStatusCode, 206);
    assert.equal(part.ContentRange, "bytes 5-9/20");
    assert.equal(await part.Body!.transformToString(), "56789");
    const tail = await s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "dir/a b+c.txt", Range: "bytes=-3" }));
    assert.equal(await tail.Body!.transformToString(), "hij");
    const range = await rejects(s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "dir/a b+c.txt", Range: "bytes=50-60" })));
    assert.equal(range.name, "InvalidRange");
    assert.equal(range.$metadata.httpStatusCode, 416);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "sdk-bucket", Key: "dir/a b+c.txt" }));
    assert.equal(head.ContentLength, 20);
    const copy = await s3.send(new CopyObjectCommand({ Bucket: "sdk-bucket", Key: "copy/x.txt", CopySource: "sdk-bucket/dir/a%20b%2Bc.txt" }));
    assert.equal(copy.CopyObjectResult!.ETag, put.ETag);
    for (let i = 0; i < 5; i++) await s3.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: `many/${i}`, Body: `n${i}` }));
    const top = await s3.send(new ListObjectsV2Command({ Bucket: "sdk-bucket", Delimiter: "/" }));
    assert.deepEqual(top.CommonPrefixes!.map((p) => p.Prefix), ["copy/", "dir/", "many/"]);
    assert.equal(top.Contents, undefined);
    const page1 = await s3.send(new ListObjectsV2Command({ Bucket: "sdk-bucket", Prefix: "many/", MaxKeys: 3 }));
    assert.equal(page1.IsTruncated, true);
    assert.deepEqual(page1.Contents!.map((c) => c.Key), ["many/0", "many/1", "many/2"]);
    const page2 = await s3.send(new ListObjectsV2Command({ Bucket: "sdk-bucket", Prefix: "many/", MaxKeys: 3, ContinuationToken: page1.NextContinuationToken }));
    assert.deepEqual(page2.Contents!.map((c) => c.Key), ["many/3", "many/4"]);
    assert.equal(page2.IsTruncated, false);
    const nokey = await rejects(s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "nope" })));
    assert.equal(nokey.name, "NoSuchKey");
    assert.equal(nokey.$metadata.httpStatusCode, 404);
    assert.equal((nokey as unknown as { Key: string }).Key, "nope");
    const nobucket = await rejects(s3.send(new PutObjectCommand({ Bucket: "no-such-bucket-here", Key: "k", Body: "x" })));
    assert.equal(nobucket.name, "NoSuchBucket");
    const notEmpty = await rejects(s3.send(new DeleteBucketCommand({ Bucket: "sdk-bucket" })));
    assert.equal(notEmpty.name, "BucketNotEmpty");
    assert.equal(notEmpty.$metadata.httpStatusCode, 409);
    const del = await s3.send(new DeleteObjectsCommand({ Bucket: "sdk-bucket", Delete: { Objects: [{ Key: "many/0" }, { Key: "many/1" }] } }));
    assert.deepEqual(del.Deleted!.map((d) => d.Key).sort(), ["many/0", "many/1"]);
    await s3.send(new DeleteObjectCommand({ Bucket: "sdk-bucket", Key: "many/2" }));
    const left = await s3.send(new ListObjectsV2Command({ Bucket: "sdk-bucket", Prefix: "many/" }));
    assert.deepEqual(left.Contents!.map((c) => c.Key), ["many/3", "many/4"]);
  });

  it("a streamed body (aws-chunked, unsigned with a checksum trailer) and lib-storage's multipart Upload", async () => {
    const data = randomBytes(70_000);
    await s3.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: "stream.bin", Body: Readable.from([data.subarray(0, 30_000), data.subarray(30_000)]), ContentLength: data.length }));
    const back = await s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "stream.bin" }));
    assert.ok(Buffer.from(await back.Body!.transformToByteArray()).equals(data));

    const big = randomBytes(12 * 1024 * 1024 + 123);
    const up = new Upload({ client: s3, params: { Bucket: "sdk-bucket", Key: "big.bin", Body: big }, partSize: 5 * 1024 * 1024 });
    const done = await up.done();
    assert.match(done.ETag!, /-3"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "big.bin" }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(big));
  });

  it("multipart by hand: ListParts, EntityTooSmall, InvalidPart, abort and NoSuchUpload", async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "sdk-bucket", Key: "mp" }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket: "sdk-bucket", Key: "mp", UploadId, PartNumber: 1, Body: "small" }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: "sdk-bucket", Key: "mp", UploadId, PartNumber: 2, Body: "tail" }));
    const parts = await s3.send(new ListPartsCommand({ Bucket: "sdk-bucket", Key: "mp", UploadId }));
    assert.deepEqual(parts.Parts!.map((p) => [p.PartNumber, p.Size]), [
      [1, 5],
      [2, 4],
    ]);
    const small = await rejects(
      s3.send(new CompleteMultipartUploadCommand({ Bucket: "sdk-bucket", Key: "mp", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } })),
    );
    assert.equal(small.name, "EntityTooSmall");
    const wrong = await rejects(s3.send(new CompleteMultipartUploadCommand({ Bucket: "sdk-bucket", Key: "mp", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"00"' }] } })));
    assert.equal(wrong.name, "InvalidPart");
    const single = await s3.send(new CompleteMultipartUploadCommand({ Bucket: "sdk-bucket", Key: "mp", UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: p2.ETag }] } }));
    assert.match(single.ETag!, /-1"$/);
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "mp" }))).Body!.transformToString(), "tail");
    const again = await rejects(s3.send(new AbortMultipartUploadCommand({ Bucket: "sdk-bucket", Key: "mp", UploadId })));
    assert.equal(again.name, "NoSuchUpload");
    assert.equal(again.$metadata.httpStatusCode, 404);
  });

  it("IAM: a user without s3 permissions gets AccessDenied; a bucket policy grants another user reading", async () => {
    const { iam } = clients(app.url);
    const mk = async (name: string, policy?: string): Promise<Creds> => {
      await iam.send(new CreateUserCommand({ UserName: name }));
      if (policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: policy }));
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
      return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    };
    const nobody = s3Client(app.url, await mk("s3-nobody"));
    const reader = s3Client(app.url, await mk("s3-reader"));
    await s3.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: "secret.txt", Body: "s" }));
    const denied = await rejects(nobody.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "secret.txt" })));
    assert.equal(denied.name, "AccessDenied");
    assert.equal(denied.$metadata.httpStatusCode, 403);
    assert.match(denied.message, /not authorized to perform: s3:GetObject on resource: "?arn:aws:s3:::sdk-bucket\/secret\.txt/);
    const put = await rejects(nobody.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: "x", Body: "x" })));
    assert.equal(put.name, "AccessDenied");
    // Without s3:ListBucket, a missing key is AccessDenied too, as on S3.
    assert.equal((await rejects(reader.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "secret.txt" })))).name, "AccessDenied");
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: "sdk-bucket",
        Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:user/s3-reader" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::sdk-bucket/*" }] }),
      }),
    );
    assert.match((await s3.send(new GetBucketPolicyCommand({ Bucket: "sdk-bucket" }))).Policy!, /s3-reader/);
    const read = await reader.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "secret.txt" }));
    assert.equal(await read.Body!.transformToString(), "s");
    assert.equal((await rejects(reader.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "absent" })))).name, "AccessDenied");
    assert.equal((await rejects(reader.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: "x", Body: "x" })))).name, "AccessDenied");
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: "sdk-bucket" }));
    assert.equal((await rejects(reader.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "secret.txt" })))).name, "AccessDenied");
    assert.equal((await rejects(s3.send(new GetBucketPolicyCommand({ Bucket: "sdk-bucket" })))).name, "NoSuchBucketPolicy");
  });

  it("a signed aws-chunked body: every chunk signature is verified, a corrupted one is SignatureDoesNotMatch", async () => {
    const payload = randomBytes(100_000);
    const ok = await chunkedPut(app.url, "/sdk-bucket/chunked.bin", payload, () => {});
    assert.equal(ok.status, 200, ok.text);
    const got = await s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "chunked.bin" }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(payload));

    const badSig = await chunkedPut(app.url, "/sdk-bucket/chunked2.bin", payload, (chunks) => {
      chunks[1].signature = chunks[1].signature.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    });
    assert.equal(badSig.status, 403);
    assert.match(badSig.text, /<Code>SignatureDoesNotMatch<\/Code>/);
    const badData = await chunkedPut(app.url, "/sdk-bucket/chunked3.bin", payload, (chunks) => {
      chunks[0].data = Buffer.from(chunks[0].data);
      chunks[0].data[10] ^= 1;
    });
    assert.equal(badData.status, 403);
    assert.match(badData.text, /<Code>SignatureDoesNotMatch<\/Code>/);
    const nothing = await rejects(s3.send(new HeadObjectCommand({ Bucket: "sdk-bucket", Key: "chunked2.bin" })));
    assert.equal(nothing.$metadata.httpStatusCode, 404);
  });
});

interface Chunk {
  data: Buffer;
  signature: string;
}

const hex = (d: Buffer | string) => createHash("sha256").update(d).digest("hex");
const hmac = (k: Buffer | string, d: string) => createHmac("sha256", k).update(d).digest();

/** A PUT with a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body, signed here by hand per the SigV4 S3 streaming spec; `tamper` edits chunks after signing. */
async function chunkedPut(url: string, path: string, payload: Buffer, tamper: (chunks: Chunk[]) => void): Promise<{ status: number; text: string }> {
  const host = new URL(url).host;
  const now = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const date = now.slice(0, 8);
  const scope = `${date}/us-east-1/s3/aws4_request`;
  const key = hmac(hmac(hmac(hmac("AWS4" + ROOT_CREDS.secretAccessKey, date), "us-east-1"), "s3"), "aws4_request");
  const sizes = [64 * 1024, payload.length - 64 * 1024, 0];
  const headers: Record<string, string> = {
    "content-encoding": "aws-chunked",
    host,
    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "x-amz-date": now,
    "x-amz-decoded-content-length": String(payload.length),
  };
  const names = Object.keys(headers).sort();
  const creq = ["PUT", path, "", names.map((n) => `${n}:${headers[n]}\n`).join(""), names.join(";"), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"].join("\n");
  const seed = hmac(key, `AWS4-HMAC-SHA256\n${now}\n${scope}\n${hex(creq)}`).toString("hex");
  const chunks: Chunk[] = [];
  let prev = seed;
  let offset = 0;
  for (const size of sizes) {
    const data = payload.subarray(offset, offset + size);
    offset += size;
    const signature = hmac(key, `AWS4-HMAC-SHA256-PAYLOAD\n${now}\n${scope}\n${prev}\n${hex("")}\n${hex(data)}`).toString("hex");
    chunks.push({ data, signature });
    prev = signature;
  }
  tamper(chunks);
  const body = Buffer.concat(chunks.flatMap((c) => [Buffer.from(`${c.data.length.toString(16)};chunk-signature=${c.signature}\r\n`), c.data, Buffer.from("\r\n")]));
  const res = await fetch(url + path, {
    method: "PUT",
    headers: { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${ROOT_CREDS.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${seed}` },
    body,
  });
  return { status: res.status, text: await res.text() };
}
