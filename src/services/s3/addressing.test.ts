import assert from "node:assert/strict";
import { test } from "node:test";
import { bucketFromHost } from "./addressing.ts";

test("virtual-hosted names give the bucket; regional, global, loopback and foreign names are path style", () => {
  assert.equal(bucketFromHost("my-bucket.s3.us-east-1.amazonaws.com"), "my-bucket");
  assert.equal(bucketFromHost("my-bucket.s3.eu-west-1.amazonaws.com:443"), "my-bucket");
  assert.equal(bucketFromHost("My-Bucket.S3.amazonaws.com:8080"), "my-bucket");
  assert.equal(bucketFromHost("logs.example.com.s3.us-east-1.amazonaws.com"), "logs.example.com");
  assert.equal(bucketFromHost("s3.us-east-1.amazonaws.com"), undefined);
  assert.equal(bucketFromHost("s3.amazonaws.com:443"), undefined);
  assert.equal(bucketFromHost("127.0.0.1:4566"), undefined);
  assert.equal(bucketFromHost("localhost"), undefined);
  assert.equal(bucketFromHost(undefined), undefined);
  assert.equal(bucketFromHost("b.sts.us-east-1.amazonaws.com"), undefined);
  assert.equal(bucketFromHost("b.s3.nowhere-9.amazonaws.com"), undefined);
  assert.equal(bucketFromHost("b.s3.us-east-1.amazonaws.com.evil.example"), undefined);
});
