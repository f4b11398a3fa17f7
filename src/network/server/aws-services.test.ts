import assert from "node:assert/strict";
import { test } from "node:test";
import { awsEndpointVariables, awsServiceAt, awsServiceHost } from "./aws-services.ts";

test("the regional names hyperlocal serves, and only those", () => {
  assert.deepEqual(awsServiceHost("sts.us-east-1.amazonaws.com"), { service: "sts", region: "us-east-1", endpointService: "com.amazonaws.us-east-1.sts" });
  assert.deepEqual(awsServiceHost("EC2.eu-west-1.amazonaws.com."), { service: "ec2", region: "eu-west-1", endpointService: "com.amazonaws.eu-west-1.ec2" });
  assert.equal(awsServiceHost("iam.amazonaws.com")?.region, "us-east-1");
  assert.equal(awsServiceHost("sts.amazonaws.com")?.service, "sts");
  for (const other of ["dynamodb.us-east-1.amazonaws.com", "iam.us-east-1.amazonaws.com", "sts.us-east-1.amazonaws.com.evil.example", "amazonaws.com", "x.sts.us-east-1.amazonaws.com"]) {
    assert.equal(awsServiceHost(other), undefined, other);
  }
});

test("service addresses map back to their service; others do not", () => {
  assert.deepEqual(awsServiceAt("192.0.2.3"), { service: "sts", region: "us-east-1" });
  assert.equal(awsServiceAt("192.0.2.2"), undefined, "dynamodb has an address but hyperlocal does not answer it");
  assert.equal(awsServiceAt("203.0.113.3"), undefined);
});

test("AWS_ENDPOINT_URL_<SERVICE> for the served services, by regional name on port 443 (S3 too)", () => {
  const v = awsEndpointVariables("eu-west-1");
  assert.equal(v.AWS_ENDPOINT_URL_STS, "http://sts.eu-west-1.amazonaws.com:443");
  assert.equal(v.AWS_ENDPOINT_URL_IAM, "http://iam.amazonaws.com:443");
  assert.equal(v.AWS_ENDPOINT_URL_CLOUDFORMATION, "http://cloudformation.eu-west-1.amazonaws.com:443");
  assert.equal(v.AWS_ENDPOINT_URL_S3, "http://s3.eu-west-1.amazonaws.com:443");
});
