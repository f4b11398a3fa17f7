// Lambda code from S3: CreateFunction and UpdateFunctionCode with S3Bucket, S3Key and S3ObjectVersion,
// read with the caller's permissions, with Lambda's errors for a missing bucket, key or version and
// for a caller S3 refuses. Runs function code, so only inside a loopback-only network namespace.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, InvokeCommand, LambdaClient, UpdateFunctionCodeCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2 } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { App } from "../../src/app.ts";
import { clients, rejects } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer } from "../support/server.ts";
import { LAMBDA_TRUST, nodeZip } from "../support/zip-functions.ts";

const handler = (answer: string) => `exports.handler = async () => (${JSON.stringify(answer)});\n`;

describe("Lambda code from S3", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, () => {
  let app: App;
  let lambda: LambdaClient;
  let s3: S3Client;
  let role: string;
  before(async () => {
    app = await startTestServer({ iam: "enforce" });
    const c = clients(app.url);
    lambda = c.lambda;
    s3 = new S3Client({ endpoint: app.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, forcePathStyle: true, maxAttempts: 1 });
    role = (await c.iam.send(new CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    await s3.send(new CreateBucketCommand({ Bucket: "code" }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: "code", VersioningConfiguration: { Status: "Enabled" } }));
  });
  after(() => app.close());

  const invoke = async (name: string) => JSON.parse(Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: name }))).Payload!).toString());

  it("creates a function from an object and updates it from an older version of the object", async () => {
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: "code", Key: "app.zip", Body: nodeZip(handler("one")) }))).VersionId!;
    await s3.send(new PutObjectCommand({ Bucket: "code", Key: "app.zip", Body: nodeZip(handler("two")) }));
    await lambda.send(new CreateFunctionCommand({ FunctionName: "from-s3", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { S3Bucket: "code", S3Key: "app.zip" } }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: "from-s3" });
    assert.equal(await invoke("from-s3"), "two");
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "from-s3", S3Bucket: "code", S3Key: "app.zip", S3ObjectVersion: v1 }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: "from-s3" });
    assert.equal(await invoke("from-s3"), "one");
  });

  it("answers with Lambda's errors for a missing bucket, key or version and an S3 denial", async () => {
    const base = { Runtime: "nodejs20.x" as const, Role: role, Handler: "index.handler" };
    const noBucket = await rejects(lambda.send(new CreateFunctionCommand({ ...base, FunctionName: "e1", Code: { S3Bucket: "no-such-code-bucket", S3Key: "app.zip" } })));
    assert.equal(noBucket.name, "InvalidParameterValueException");
    assert.equal(noBucket.message, "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist");
    const noKey = await rejects(lambda.send(new CreateFunctionCommand({ ...base, FunctionName: "e2", Code: { S3Bucket: "code", S3Key: "missing.zip" } })));
    assert.equal(noKey.message, "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.");
    const noVersion = await rejects(lambda.send(new CreateFunctionCommand({ ...base, FunctionName: "e3", Code: { S3Bucket: "code", S3Key: "app.zip", S3ObjectVersion: "nope" } })));
    assert.match(noVersion.message, /S3 Error Code: NoSuchVersion/);

    // A user who may create functions (and pass the role) but not read the object.
    const { iam } = clients(app.url);
    await iam.send(new CreateUserCommand({ UserName: "deployer" }));
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["lambda:CreateFunction", "iam:PassRole"], Resource: "*" }] };
    await iam.send(new PutUserPolicyCommand({ UserName: "deployer", PolicyName: "p", PolicyDocument: JSON.stringify(policy) }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: "deployer" }))).AccessKey!;
    const deployer = new LambdaClient({ endpoint: app.url, region: "us-east-1", credentials: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! }, maxAttempts: 1 });
    const denied = await rejects(deployer.send(new CreateFunctionCommand({ ...base, FunctionName: "e4", Code: { S3Bucket: "code", S3Key: "app.zip" } })));
    assert.equal(denied.name, "AccessDeniedException");
    assert.equal(denied.$metadata.httpStatusCode, 403);
    assert.equal(denied.message, "Your access has been denied by S3, please make sure your request credentials have permission to GetObject for code/app.zip. S3 Error Code: AccessDenied. S3 Error Message: Access Denied");
  });
});
