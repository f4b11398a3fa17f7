// S3's virtual-hosted-style addressing, as function code's SDKs use it with AWS_ENDPOINT_URL_S3:
// the SDK for JavaScript v3 with the endpoint http://s3.us-east-1.amazonaws.com:<port> and
// forcePathStyle false names the bucket in the Host header. Network safety: the client's resolver
// answers every name with 127.0.0.1 (and records the names it was asked), so no connection leaves
// the machine; the server answers those names because the test lists them in --allowed-hosts.
// The AWS CLI with --endpoint-url at an IP address stays path style, and still works.
import assert from "node:assert/strict";
import { Agent } from "node:http";
import type { LookupAddress } from "node:dns";
import { after, before, describe, it } from "node:test";
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { rejects, ROOT_CREDS } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";

const BUCKET = "vh-bucket";
const OTHER = "vh-other";
const NAMES = ["s3.us-east-1.amazonaws.com", `${BUCKET}.s3.us-east-1.amazonaws.com`, `${OTHER}.s3.us-east-1.amazonaws.com`, `${BUCKET}.s3.amazonaws.com`];

describe("S3 virtual-hosted-style addressing", () => {
  let app: App;
  let port: number;
  const asked: string[] = [];
  /** Every name resolves to loopback here: the server is the only thing this client can reach. */
  const agent = new Agent({
    lookup: (hostname: string, opts: unknown, cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
      asked.push(hostname);
      if ((opts as { all?: boolean })?.all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
      else cb(null, "127.0.0.1", 4);
    },
  });
  const client = (endpoint: string) =>
    new S3Client({ endpoint, region: "us-east-1", credentials: ROOT_CREDS, forcePathStyle: false, maxAttempts: 1, requestHandler: new NodeHttpHandler({ httpAgent: agent }) });

  before(async () => {
    app = await startTestServer({ allowedHosts: NAMES });
    port = Number(new URL(app.url).port);
  });
  after(async () => {
    agent.destroy();
    await app.close();
  });

  it("SDK v3 (forcePathStyle false, a regional custom endpoint): the bucket goes in the Host, and every call works", async () => {
    const s3 = client(`http://s3.us-east-1.amazonaws.com:${port}`);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "dir/a b.txt", Body: "hello" }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "dir/a b.txt" }));
    assert.equal(await got.Body!.transformToString(), "hello");
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    assert.deepEqual(listed.Contents!.map((o) => o.Key), ["dir/a b.txt"]);
    assert.deepEqual((await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name), [BUCKET]);
    // The SDK named the bucket's host (not a path under s3.us-east-1.amazonaws.com) for the bucket calls.
    assert.ok(asked.includes(`${BUCKET}.s3.us-east-1.amazonaws.com`), asked.join(","));
    assert.ok(asked.includes("s3.us-east-1.amazonaws.com"), "ListBuckets has no bucket: the regional name");
    const missing = await rejects(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "nope" })));
    assert.equal(missing.name, "NoSuchKey");
    const noBucket = await rejects(s3.send(new ListObjectsV2Command({ Bucket: OTHER })));
    assert.equal(noBucket.name, "NoSuchBucket");
    assert.equal(noBucket.$metadata.httpStatusCode, 404);
  });

  it("the global name <bucket>.s3.amazonaws.com works too", async () => {
    const s3 = client(`http://s3.amazonaws.com:${port}`);
    // The server answers names it was told to (--allowed-hosts): s3.amazonaws.com itself is not among them.
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "dir/a b.txt" }));
    assert.equal(await got.Body!.transformToString(), "hello");
    assert.ok(asked.includes(`${BUCKET}.s3.amazonaws.com`));
  });

  it("the signature covers the Host as sent: a request signed for one bucket's host and sent with another's is refused", async () => {
    const s3 = client(`http://s3.us-east-1.amazonaws.com:${port}`);
    await s3.send(new CreateBucketCommand({ Bucket: OTHER }));
    s3.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { headers: Record<string, string> };
        req.headers.host = `${OTHER}.s3.us-east-1.amazonaws.com:${port}`;
        return next(args);
      },
      { step: "deserialize", priority: "low", name: "swapHost" },
    );
    const err = await rejects(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "dir/a b.txt" })));
    assert.equal(err.name, "SignatureDoesNotMatch");
    assert.equal(err.$metadata.httpStatusCode, 403);
  });

  it("/usr/bin/aws with --endpoint-url at the server's address: path style, and it works", { skip: !hasAwsCli() && "no /usr/bin/aws" }, async () => {
    const ls = await aws(app.url, ["s3", "ls", `s3://${BUCKET}/dir/`, "--debug"]);
    assert.equal(ls.code, 0, ls.stderr.slice(-2000));
    assert.match(ls.stdout, /a b\.txt/);
    assert.match(ls.stderr, new RegExp(`${app.url.replace(/[.]/g, "\\.")}/${BUCKET}\\?list-type=2`), "the CLI addressed the bucket in the path");
  });
});
