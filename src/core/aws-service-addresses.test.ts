import { test } from "node:test";
import assert from "node:assert/strict";
import { AWS_SERVICE_ADDRESS_BLOCK, awsServiceAddress, awsServiceAt, awsServiceForName, awsServiceHostname, endpointServiceName } from "./aws-service-addresses.ts";

test("every (region, service) address lies in the block and names its region and service back", () => {
  const prefix = AWS_SERVICE_ADDRESS_BLOCK.replace(/0\/24$/, "");
  const seen = new Set<string>();
  for (const region of ["us-east-1", "eu-west-1", "sa-east-1"]) {
    for (const service of ["s3", "dynamodb", "sts", "lambda", "ec2", "cloudformation", "logs"]) {
      const ip = awsServiceAddress(region, service)!;
      assert.ok(ip.startsWith(prefix), ip);
      assert.ok(!seen.has(ip), `${ip} is unique`);
      seen.add(ip);
      assert.deepEqual(awsServiceAt(ip), { region, service });
    }
  }
  assert.equal(awsServiceAddress("eu-west-1", "iam"), awsServiceAddress("us-east-1", "iam"), "IAM is global");
  assert.equal(awsServiceAddress("mars-north-1", "sts"), undefined);
  assert.equal(awsServiceAddress("us-east-1", "secretsmanager"), undefined);
  assert.equal(awsServiceAt("192.0.2.0"), undefined);
  assert.equal(awsServiceAt("10.0.0.1"), undefined);
});

test("names: regional, global and S3's virtual-hosted ones", () => {
  assert.deepEqual(awsServiceForName("sts.us-east-1.amazonaws.com"), { region: "us-east-1", service: "sts" });
  assert.deepEqual(awsServiceForName("STS.amazonaws.com."), { region: "us-east-1", service: "sts" });
  assert.deepEqual(awsServiceForName("iam.amazonaws.com"), { region: "us-east-1", service: "iam" });
  assert.deepEqual(awsServiceForName("my-bucket.s3.eu-west-1.amazonaws.com"), { region: "eu-west-1", service: "s3" });
  assert.equal(awsServiceForName("x.sts.us-east-1.amazonaws.com"), undefined);
  assert.equal(awsServiceForName("iam.us-east-1.amazonaws.com"), undefined);
  assert.equal(awsServiceForName("example.com"), undefined);
  assert.equal(awsServiceHostname("us-west-2", "lambda"), "lambda.us-west-2.amazonaws.com");
  assert.equal(endpointServiceName("us-west-2", "iam"), "com.amazonaws.iam");
  assert.equal(endpointServiceName("us-west-2", "sts"), "com.amazonaws.us-west-2.sts");
});
