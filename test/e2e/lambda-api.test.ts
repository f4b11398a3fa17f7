// Lambda's control plane through the AWS SDK and the AWS CLI: CreateFunction and its checks,
// states on the simulated clock, updates with RevisionId, versions, aliases, tags, concurrency,
// account settings, resource-based policies, and the Invoke checks that run no code (DryRun,
// permissions, payload limits, invalid JSON). Function code itself runs in lambda-invoke.test.ts.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  type CreateFunctionCommandInput,
} from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients, rejects, type Creds } from "../support/clients.ts";
import { startTestServer, tempDir } from "../support/server.ts";
import { advanceClock, LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";

const ACCOUNT = "000000000000";
const OTHER = "111111111111";
const arnOf = (name: string, q?: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}${q ? `:${q}` : ""}`;

let app: App;
let c: ReturnType<typeof clients>;
let lambda: LambdaClient;
let role: string;
const zip = nodeZip(NODE_ECHO);

function input(name: string, over: Partial<CreateFunctionCommandInput> = {}): CreateFunctionCommandInput {
  return { FunctionName: name, Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip }, ...over };
}

async function create(name: string, over: Partial<CreateFunctionCommandInput> = {}) {
  const out = await lambda.send(new CreateFunctionCommand(input(name, over)));
  await advanceClock(app.url, 2);
  return out;
}

async function userCreds(name: string, policy: string): Promise<Creds> {
  await c.iam.send(new CreateUserCommand({ UserName: name }));
  await c.iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: policy }));
  const k = (await c.iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
}

const allow = (action: string | string[], resource = "*") => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: resource }] });

before(async () => {
  // AWS's own durations (Pending about 1.5 s, InProgress about 1 s): the checks made while a
  // function is Pending or InProgress then hold on a loaded machine too (100 ms of real time did not).
  app = await startTestServer({ iam: "enforce", realisticTiming: true });
  c = clients(app.url);
  lambda = c.lambda;
  role = (await c.iam.send(new CreateRoleCommand({ RoleName: "lambda-exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
});

after(async () => {
  await app.close();
});

describe("CreateFunction and states", () => {
  it("starts Pending (Creating), becomes Active on the clock, and the waiter sees it", async () => {
    const out = await lambda.send(new CreateFunctionCommand(input("states", { Description: "d", Tags: { team: "a" } })));
    assert.equal(out.$metadata.httpStatusCode, 201);
    assert.equal(out.State, "Pending");
    assert.equal(out.StateReason, "The function is being created.");
    assert.equal(out.StateReasonCode, "Creating");
    assert.equal(out.LastUpdateStatus, undefined);
    assert.equal(out.FunctionArn, arnOf("states"));
    assert.equal(out.Version, "$LATEST");
    assert.equal(out.Timeout, 3);
    assert.equal(out.MemorySize, 128);
    assert.equal(out.PackageType, "Zip");
    assert.deepEqual(out.Architectures, ["x86_64"]);
    assert.equal(out.CodeSize, zip.length);
    assert.match(out.LastModified!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    assert.match(out.RevisionId!, /^[0-9a-f-]{36}$/);

    const pending = await rejects(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "states", Timeout: 5 })));
    assert.equal(pending.name, "ResourceConflictException");
    assert.equal(pending.$metadata.httpStatusCode, 409);
    assert.equal(pending.message, "The operation cannot be performed at this time. The function is currently in the following state: Pending");
    const invokePending = await rejects(lambda.send(new InvokeCommand({ FunctionName: "states", Payload: Buffer.from("{}") })));
    assert.equal(invokePending.name, "ResourceConflictException");

    await advanceClock(app.url, 2);
    const w = await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 5 }, { FunctionName: "states" });
    assert.equal(w.state, "SUCCESS");
    const g = await lambda.send(new GetFunctionCommand({ FunctionName: "states" }));
    assert.equal(g.Configuration!.State, "Active");
    assert.equal(g.Configuration!.LastUpdateStatus, "Successful");
    assert.equal(g.Configuration!.StateReasonCode, undefined);
    assert.deepEqual(g.Tags, { team: "a" });
    assert.equal(g.Code!.RepositoryType, "S3");

    // Code.Location downloads the very zip; a tampered token does not.
    const dl = await fetch(g.Code!.Location!);
    assert.equal(dl.status, 200);
    assert.ok(Buffer.from(await dl.arrayBuffer()).equals(Buffer.from(zip)));
    // Flip the signature's first hex digit (always a different value).
    const bad = await fetch(g.Code!.Location!.replace(/X-Amz-Signature=([0-9a-f])/, (_m, d: string) => `X-Amz-Signature=${(parseInt(d, 16) ^ 1).toString(16)}`));
    assert.equal(bad.status, 403);
  });

  it("refuses what the model refuses, with AWS's ValidationException text", async () => {
    const e1 = await rejects(lambda.send(new CreateFunctionCommand(input("bad name!"))));
    assert.equal(e1.name, "ValidationException");
    assert.equal(e1.$metadata.httpStatusCode, 400);
    assert.match(e1.message, /^1 validation error detected: Value 'bad name!' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: \(arn:/);

    const e2 = await rejects(lambda.send(new CreateFunctionCommand(input("v2", { Timeout: 0, MemorySize: 64 }))));
    assert.equal(
      e2.message,
      "2 validation errors detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
        "Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128",
    );
    const e3 = await rejects(lambda.send(new CreateFunctionCommand(input("v3", { Runtime: "cobol85" as never }))));
    assert.equal(e3.name, "InvalidParameterValueException");
    assert.match(e3.message, /^Value cobol85 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: \[java8\.al2, java11, python3\.9, .*\] or be a valid ARN$/);
    const e4 = await rejects(lambda.send(new CreateFunctionCommand(input("v4", { Timeout: 901 }))));
    assert.match(e4.message, /Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900/);
    const e5 = await rejects(lambda.send(new CreateFunctionCommand(input("v5", { Environment: { Variables: { "1bad": "x" } } }))));
    assert.equal(e5.name, "ValidationException");
    assert.match(e5.message, /at 'environment\.variables' failed to satisfy constraint: Map keys must satisfy constraint: \[Member must satisfy regular expression pattern: \[a-zA-Z\]\(\[a-zA-Z0-9_\]\)\+, Member must not be null\]$/);
    const e6 = await rejects(lambda.send(new CreateFunctionCommand({ FunctionName: "v6", Role: role, Code: { ZipFile: zip } } as CreateFunctionCommandInput)));
    assert.equal(e6.name, "InvalidParameterValueException");
    assert.equal(e6.message, "Runtime and Handler are mandatory parameters for functions created with deployment packages.");
  });

  it("checks runtimes, environment variables, code and the execution role", async () => {
    const dep = await rejects(lambda.send(new CreateFunctionCommand(input("r1", { Runtime: "nodejs16.x" }))));
    assert.equal(dep.name, "InvalidParameterValueException");
    assert.match(dep.message, /^The runtime parameter of nodejs16\.x is no longer supported for creating or updating AWS Lambda functions\. We recommend you use the new runtime \(nodejs22\.x\)/);
    const java = await rejects(lambda.send(new CreateFunctionCommand(input("r2", { Runtime: "java21" }))));
    assert.equal(java.name, "InvalidParameterValueException");

    const reserved = await rejects(lambda.send(new CreateFunctionCommand(input("e1", { Environment: { Variables: { AWS_REGION: "x" } } }))));
    assert.equal(reserved.name, "InvalidParameterValueException");
    assert.match(reserved.message, /contains reserved keys that are currently not supported for modification\. Reserved keys used in this request: AWS_REGION$/);
    const big = await rejects(lambda.send(new CreateFunctionCommand(input("e2", { Environment: { Variables: { BIG: "x".repeat(5000) } } }))));
    assert.match(big.message, /exceeded the 4KB limit\. String measured: \{"BIG":"x+"\}$/);

    const badZip = await rejects(lambda.send(new CreateFunctionCommand(input("z1", { Code: { ZipFile: Buffer.from("not a zip at all") } }))));
    assert.equal(badZip.name, "InvalidParameterValueException");
    assert.equal(badZip.$metadata.httpStatusCode, 400);
    assert.equal(badZip.message, "Could not unzip uploaded file. Please check your file, then try to upload again.");
    const s3 = await rejects(lambda.send(new CreateFunctionCommand(input("z2", { Code: { S3Bucket: "my-bucket", S3Key: "code.zip" } }))));
    assert.equal(s3.name, "InvalidParameterValueException");
    assert.match(s3.message, /S3 Error Code: NoSuchBucket/);

    const noRole = await rejects(lambda.send(new CreateFunctionCommand(input("x1", { Role: `arn:aws:iam::${ACCOUNT}:role/missing` }))));
    assert.equal(noRole.name, "InvalidParameterValueException");
    assert.equal(noRole.message, "The role defined for the function cannot be assumed by Lambda.");
    const ec2Trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    const wrong = (await c.iam.send(new CreateRoleCommand({ RoleName: "ec2-only", AssumeRolePolicyDocument: ec2Trust }))).Role!.Arn!;
    const untrusted = await rejects(lambda.send(new CreateFunctionCommand(input("x2", { Role: wrong }))));
    assert.equal(untrusted.message, "The role defined for the function cannot be assumed by Lambda.");

    // Nothing of the refused functions exists.
    const list = await lambda.send(new ListFunctionsCommand({}));
    assert.ok(!list.Functions!.some((f) => /^(r1|r2|e1|e2|z1|z2|x1|x2)$/.test(f.FunctionName!)));

    await create("dup");
    const dup = await rejects(lambda.send(new CreateFunctionCommand(input("dup"))));
    assert.equal(dup.name, "ResourceConflictException");
    assert.equal(dup.$metadata.httpStatusCode, 409);
    assert.equal(dup.message, "Function already exist: dup");
  });

  it("answers a missing function with ResourceNotFoundException and its Message member", async () => {
    const e = await rejects(lambda.send(new GetFunctionCommand({ FunctionName: "nope" })));
    assert.equal(e.name, "ResourceNotFoundException");
    assert.equal(e.$metadata.httpStatusCode, 404);
    assert.equal(e.message, `Function not found: ${arnOf("nope")}`);
    const raw = await rejects(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: arnOf("nope") })));
    assert.equal(raw.message, `Function not found: ${arnOf("nope")}`);
    const region = await rejects(lambda.send(new GetFunctionCommand({ FunctionName: "arn:aws:lambda:eu-west-1:000000000000:function:x" })));
    assert.equal(region.name, "InvalidParameterValueException");
    assert.equal(region.message, "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')");
  });
});

describe("updates", () => {
  it("goes InProgress then Successful, refuses a second update meanwhile, and checks RevisionId", async () => {
    const created = await create("upd");
    const stale = await rejects(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "upd", Timeout: 10, RevisionId: "00000000-0000-0000-0000-000000000000" })));
    assert.equal(stale.name, "PreconditionFailedException");
    assert.equal(stale.$metadata.httpStatusCode, 412);
    assert.equal(stale.message, "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");

    const u = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "upd", Timeout: 10, Environment: { Variables: { VV: "2" } }, RevisionId: created.RevisionId }));
    assert.equal(u.State, "Active");
    assert.equal(u.LastUpdateStatus, "InProgress");
    assert.equal(u.Timeout, 10);
    assert.deepEqual(u.Environment, { Variables: { VV: "2" } });
    assert.notEqual(u.RevisionId, created.RevisionId);

    const busy = await rejects(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "upd", ZipFile: zip })));
    assert.equal(busy.name, "ResourceConflictException");
    assert.equal(busy.message, `The operation cannot be performed at this time. An update is in progress for resource: ${arnOf("upd")}`);
    const busyPublish = await rejects(lambda.send(new PublishVersionCommand({ FunctionName: "upd" })));
    assert.equal(busyPublish.name, "ResourceConflictException");

    await advanceClock(app.url, 2);
    const g = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "upd" }));
    assert.equal(g.LastUpdateStatus, "Successful");
    assert.equal(g.Timeout, 10);

    const other = nodeZip(NODE_ECHO + "\n// v2\n");
    const dry = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "upd", ZipFile: other, DryRun: true }));
    assert.notEqual(dry.CodeSha256, g.CodeSha256);
    assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "upd" }))).CodeSha256, g.CodeSha256);
    const code = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "upd", ZipFile: other }));
    assert.equal(code.LastUpdateStatus, "InProgress");
    assert.equal(code.CodeSha256, dry.CodeSha256);
    const badZip = await rejects(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "upd", ZipFile: Buffer.from("PK\x03\x04garbage") })));
    assert.equal(badZip.name, "ResourceConflictException"); // the update in progress comes first
    await advanceClock(app.url, 2);
    const badZip2 = await rejects(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "upd", ZipFile: Buffer.from("PK\x03\x04garbage") })));
    assert.equal(badZip2.message, "Could not unzip uploaded file. Please check your file, then try to upload again.");
    assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "upd" }))).CodeSha256, code.CodeSha256);
  });
});

describe("versions and aliases", () => {
  it("publishes versions, lists them, and deletes one unless an alias uses it", async () => {
    await create("ver");
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: "ver", Description: "first" }));
    assert.equal(v1.$metadata.httpStatusCode, 201);
    assert.equal(v1.Version, "1");
    assert.equal(v1.FunctionArn, arnOf("ver", "1"));
    assert.equal(v1.Description, "first");
    // Nothing changed: the same version again.
    assert.equal((await lambda.send(new PublishVersionCommand({ FunctionName: "ver" }))).Version, "1");
    const wrongSha = await rejects(lambda.send(new PublishVersionCommand({ FunctionName: "ver", CodeSha256: "abc" })));
    assert.equal(wrongSha.name, "InvalidParameterValueException");
    assert.match(wrongSha.message, /^CodeSHA256 \(abc\) is different from current CodeSHA256 in \$LATEST \(.+\)\. Please try again with the CodeSHA256 in \$LATEST\.$/);

    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "ver", MemorySize: 256 }));
    await advanceClock(app.url, 2);
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: "ver" }));
    assert.equal(v2.Version, "2");
    assert.equal(v2.MemorySize, 256);

    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "ver" }));
    assert.deepEqual(versions.Versions!.map((v) => v.Version), ["$LATEST", "1", "2"]);
    assert.equal(versions.Versions![0].FunctionArn, arnOf("ver", "$LATEST"));
    const q = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "ver", Qualifier: "1" }));
    assert.equal(q.MemorySize, 128);
    assert.equal(q.FunctionArn, arnOf("ver", "1"));
    const missing = await rejects(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "ver:9" })));
    assert.equal(missing.message, `Function not found: ${arnOf("ver", "9")}`);
    const mismatch = await rejects(lambda.send(new GetFunctionCommand({ FunctionName: "ver:1", Qualifier: "2" })));
    assert.equal(mismatch.name, "InvalidParameterValueException");

    const alias = await lambda.send(new CreateAliasCommand({ FunctionName: "ver", Name: "live", FunctionVersion: "1", Description: "prod" }));
    assert.equal(alias.$metadata.httpStatusCode, 201);
    assert.equal(alias.AliasArn, arnOf("ver", "live"));
    const inUse = await rejects(lambda.send(new DeleteFunctionCommand({ FunctionName: "ver", Qualifier: "1" })));
    assert.equal(inUse.name, "ResourceConflictException");
    assert.equal(inUse.message, "Unable to delete version because the following aliases reference it: [live]");
    const latest = await rejects(lambda.send(new DeleteFunctionCommand({ FunctionName: "ver", Qualifier: "$LATEST" })));
    assert.equal(latest.name, "InvalidParameterValueException");
    assert.equal(latest.message, "$LATEST version cannot be deleted without deleting the function.");
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "ver", Qualifier: "2" }));
    const after2 = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "ver" }));
    assert.deepEqual(after2.Versions!.map((v) => v.Version), ["$LATEST", "1"]);
    // Numbers are not reused.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "ver", MemorySize: 512 }));
    await advanceClock(app.url, 2);
    assert.equal((await lambda.send(new PublishVersionCommand({ FunctionName: "ver" }))).Version, "3");
  });

  it("creates, reads, updates, lists and deletes aliases with routing weights", async () => {
    await create("al");
    await lambda.send(new PublishVersionCommand({ FunctionName: "al" }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "al", Timeout: 7 }));
    await advanceClock(app.url, 2);
    await lambda.send(new PublishVersionCommand({ FunctionName: "al" }));

    const a = await lambda.send(new CreateAliasCommand({ FunctionName: "al", Name: "canary", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.25 } } }));
    assert.deepEqual(a.RoutingConfig, { AdditionalVersionWeights: { "2": 0.25 } });
    const dup = await rejects(lambda.send(new CreateAliasCommand({ FunctionName: "al", Name: "canary", FunctionVersion: "1" })));
    assert.equal(dup.name, "ResourceConflictException");
    assert.equal(dup.message, `Alias already exists: ${arnOf("al", "canary")}`);
    const noVersion = await rejects(lambda.send(new CreateAliasCommand({ FunctionName: "al", Name: "x", FunctionVersion: "7" })));
    assert.equal(noVersion.name, "ResourceNotFoundException");
    const latestWeights = await rejects(lambda.send(new CreateAliasCommand({ FunctionName: "al", Name: "y", FunctionVersion: "$LATEST", RoutingConfig: { AdditionalVersionWeights: { "1": 0.5 } } })));
    assert.equal(latestWeights.name, "InvalidParameterValueException");
    const badWeight = await rejects(lambda.send(new CreateAliasCommand({ FunctionName: "al", Name: "z", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 1.5 } } })));
    assert.equal(badWeight.name, "ValidationException");
    assert.match(badWeight.message, /at 'routingConfig\.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: \[Member must have value less than or equal to 1\.0, Member must have value greater than or equal to 0\.0, Member must not be null\]/);
    const numeric = await rejects(lambda.send(new CreateAliasCommand({ FunctionName: "al", Name: "123", FunctionVersion: "1" })));
    assert.equal(numeric.name, "ValidationException");

    const got = await lambda.send(new GetAliasCommand({ FunctionName: "al", Name: "canary" }));
    assert.equal(got.FunctionVersion, "1");
    const stale = await rejects(lambda.send(new UpdateAliasCommand({ FunctionName: "al", Name: "canary", FunctionVersion: "2", RevisionId: "nope" })));
    assert.equal(stale.name, "PreconditionFailedException");
    const upd = await lambda.send(new UpdateAliasCommand({ FunctionName: "al", Name: "canary", FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: got.RevisionId }));
    assert.equal(upd.FunctionVersion, "2");
    assert.equal(upd.RoutingConfig, undefined);
    await lambda.send(new CreateAliasCommand({ FunctionName: "al", Name: "beta", FunctionVersion: "$LATEST" }));
    const list = await lambda.send(new ListAliasesCommand({ FunctionName: "al" }));
    assert.deepEqual(list.Aliases!.map((x) => x.Name), ["beta", "canary"]);
    const byVersion = await lambda.send(new ListAliasesCommand({ FunctionName: "al", FunctionVersion: "2" }));
    assert.deepEqual(byVersion.Aliases!.map((x) => x.Name), ["canary"]);
    const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "al", Qualifier: "canary" }));
    assert.equal(cfg.Version, "2");
    assert.equal(cfg.FunctionArn, arnOf("al", "canary"));

    const del = await lambda.send(new DeleteAliasCommand({ FunctionName: "al", Name: "beta" }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await lambda.send(new DeleteAliasCommand({ FunctionName: "al", Name: "never-was" })); // no error, as in the model
    const gone = await rejects(lambda.send(new GetAliasCommand({ FunctionName: "al", Name: "beta" })));
    assert.equal(gone.name, "ResourceNotFoundException");
    assert.equal(gone.message, `Cannot find alias arn: ${arnOf("al", "beta")}`);
  });
});

describe("listing, tags, concurrency, account settings", () => {
  it("pages ListFunctions with Marker/MaxItems and shows versions with FunctionVersion=ALL", async () => {
    for (const n of ["page-a", "page-b", "page-c"]) await lambda.send(new CreateFunctionCommand(input(n)));
    await advanceClock(app.url, 2);
    await lambda.send(new PublishVersionCommand({ FunctionName: "page-b" }));
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }));
      assert.ok(page.Functions!.length <= 2);
      for (const f of page.Functions!) {
        names.push(f.FunctionName!);
        assert.equal(f.State, undefined); // ListFunctions leaves the state fields out
      }
      marker = page.NextMarker;
    } while (marker);
    assert.deepEqual(names.filter((n) => n.startsWith("page-")), ["page-a", "page-b", "page-c"]);
    const all = await lambda.send(new ListFunctionsCommand({ FunctionVersion: "ALL", MaxItems: 1000 }));
    const b = all.Functions!.filter((f) => f.FunctionName === "page-b").map((f) => f.FunctionArn);
    assert.deepEqual(b, [arnOf("page-b", "$LATEST"), arnOf("page-b", "1")]);
    const bad = await rejects(lambda.send(new ListFunctionsCommand({ MaxItems: 0 })));
    assert.equal(bad.name, "ValidationException");
  });

  it("tags functions by ARN", async () => {
    await create("tagged", { Tags: { a: "1" } });
    await lambda.send(new TagResourceCommand({ Resource: arnOf("tagged"), Tags: { b: "2", c: "3" } }));
    await lambda.send(new UntagResourceCommand({ Resource: arnOf("tagged"), TagKeys: ["a", "c"] }));
    assert.deepEqual((await lambda.send(new ListTagsCommand({ Resource: arnOf("tagged") }))).Tags, { b: "2" });
    const missing = await rejects(lambda.send(new ListTagsCommand({ Resource: arnOf("not-there") })));
    assert.equal(missing.name, "ResourceNotFoundException");
  });

  it("reserves concurrency within the account limit and reports account settings", async () => {
    await create("conc");
    const before = await lambda.send(new GetAccountSettingsCommand({}));
    assert.equal(before.AccountLimit!.ConcurrentExecutions, 1000);
    assert.equal(before.AccountLimit!.CodeSizeZipped, 52428800);
    assert.equal((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "conc" }))).ReservedConcurrentExecutions, undefined);
    const put = await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "conc", ReservedConcurrentExecutions: 100 }));
    assert.equal(put.ReservedConcurrentExecutions, 100);
    assert.equal((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "conc" }))).ReservedConcurrentExecutions, 100);
    assert.equal((await lambda.send(new GetFunctionCommand({ FunctionName: "conc" }))).Concurrency!.ReservedConcurrentExecutions, 100);
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    assert.equal(settings.AccountLimit!.UnreservedConcurrentExecutions, 900);
    assert.ok(settings.AccountUsage!.FunctionCount! >= 1);
    const tooMuch = await rejects(lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "conc", ReservedConcurrentExecutions: 950 })));
    assert.equal(tooMuch.name, "InvalidParameterValueException");
    assert.equal(tooMuch.message, "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].");
    const del = await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "conc" }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    assert.equal((await lambda.send(new GetAccountSettingsCommand({}))).AccountLimit!.UnreservedConcurrentExecutions, 1000);
  });
});

describe("resource-based policies and Invoke checks", () => {
  it("adds, reads and removes permissions", async () => {
    await create("pol");
    const none = await rejects(lambda.send(new GetPolicyCommand({ FunctionName: "pol" })));
    assert.equal(none.name, "ResourceNotFoundException");
    assert.equal(none.message, "The resource you requested does not exist.");
    const added = await lambda.send(
      new AddPermissionCommand({ FunctionName: "pol", StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceArn: "arn:aws:s3:::bucket", SourceAccount: ACCOUNT }),
    );
    assert.equal(added.$metadata.httpStatusCode, 201);
    assert.deepEqual(JSON.parse(added.Statement!), {
      Sid: "s3",
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: "lambda:InvokeFunction",
      Resource: arnOf("pol"),
      Condition: { StringEquals: { "AWS:SourceAccount": ACCOUNT }, ArnLike: { "AWS:SourceArn": "arn:aws:s3:::bucket" } },
    });
    const dup = await rejects(lambda.send(new AddPermissionCommand({ FunctionName: "pol", StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "*" })));
    assert.equal(dup.name, "ResourceConflictException");
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: "pol" }));
    const doc = JSON.parse(policy.Policy!);
    assert.equal(doc.Version, "2012-10-17");
    assert.equal(doc.Statement.length, 1);
    const stale = await rejects(lambda.send(new RemovePermissionCommand({ FunctionName: "pol", StatementId: "s3", RevisionId: "old" })));
    assert.equal(stale.name, "PreconditionFailedException");
    const noStmt = await rejects(lambda.send(new RemovePermissionCommand({ FunctionName: "pol", StatementId: "nope" })));
    assert.equal(noStmt.name, "ResourceNotFoundException");
    await lambda.send(new RemovePermissionCommand({ FunctionName: "pol", StatementId: "s3", RevisionId: policy.RevisionId }));
    assert.equal((await rejects(lambda.send(new GetPolicyCommand({ FunctionName: "pol" })))).name, "ResourceNotFoundException");
  });

  it("authorizes lambda:InvokeFunction through identity and resource policies (DryRun)", async () => {
    await create("guarded");
    const dry = await lambda.send(new InvokeCommand({ FunctionName: "guarded", InvocationType: "DryRun" }));
    assert.equal(dry.StatusCode, 204);

    const nobody = clients(app.url, await userCreds("nobody", allow("lambda:GetFunction"))).lambda;
    const denied = await rejects(nobody.send(new InvokeCommand({ FunctionName: "guarded", InvocationType: "DryRun" })));
    assert.equal(denied.name, "AccessDeniedException");
    assert.equal(denied.$metadata.httpStatusCode, 403);
    assert.equal(
      denied.message,
      `User: arn:aws:iam::${ACCOUNT}:user/nobody is not authorized to perform: lambda:InvokeFunction on resource: ${arnOf("guarded")} because no identity-based policy allows the lambda:InvokeFunction action`,
    );

    const other = clients(app.url, { accessKeyId: OTHER, secretAccessKey: "test" }).lambda;
    const cross = await rejects(other.send(new InvokeCommand({ FunctionName: arnOf("guarded"), InvocationType: "DryRun" })));
    assert.equal(cross.name, "AccessDeniedException");
    await lambda.send(new AddPermissionCommand({ FunctionName: "guarded", StatementId: "user", Action: "lambda:InvokeFunction", Principal: `arn:aws:iam::${ACCOUNT}:user/nobody` }));
    await lambda.send(new AddPermissionCommand({ FunctionName: "guarded", StatementId: "acct", Action: "lambda:InvokeFunction", Principal: OTHER }));
    assert.equal((await nobody.send(new InvokeCommand({ FunctionName: "guarded", InvocationType: "DryRun" }))).StatusCode, 204);
    assert.equal((await other.send(new InvokeCommand({ FunctionName: arnOf("guarded"), InvocationType: "DryRun" }))).StatusCode, 204);
    // The other account cannot see it by name in its own account.
    assert.equal((await rejects(other.send(new InvokeCommand({ FunctionName: "guarded", InvocationType: "DryRun" })))).name, "ResourceNotFoundException");
  });

  it("refuses payloads that are too large or not JSON, before running anything", async () => {
    await create("payload");
    const big = await rejects(lambda.send(new InvokeCommand({ FunctionName: "payload", Payload: Buffer.alloc(6_291_557, 0x20) })));
    assert.equal(big.name, "RequestTooLargeException");
    assert.equal(big.$metadata.httpStatusCode, 413);
    assert.equal(big.message, "Request must be smaller than 6291556 bytes for the InvokeFunction operation");
    const bigAsync = await rejects(lambda.send(new InvokeCommand({ FunctionName: "payload", InvocationType: "Event", Payload: Buffer.alloc(1_048_577, 0x20) })));
    assert.equal(bigAsync.name, "RequestTooLargeException");
    const notJson = await rejects(lambda.send(new InvokeCommand({ FunctionName: "payload", Payload: Buffer.from("hello there") })));
    assert.equal(notJson.name, "InvalidRequestContentException");
    assert.equal(notJson.$metadata.httpStatusCode, 400);
    assert.match(notJson.message, /^Could not parse request body into json: Could not parse payload into json: Unrecognized token 'hello'/);
    const badType = await rejects(lambda.send(new InvokeCommand({ FunctionName: "payload", InvocationType: "Sometimes" as never })));
    assert.equal(badType.name, "ValidationException");
    assert.match(badType.message, /Value 'Sometimes' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: \[Event, RequestResponse, DryRun\]/);
  });

  it("deletes functions, their versions and their code", async () => {
    await create("doomed");
    await lambda.send(new PublishVersionCommand({ FunctionName: "doomed" }));
    const del = await lambda.send(new DeleteFunctionCommand({ FunctionName: "doomed" }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    assert.equal((await rejects(lambda.send(new GetFunctionCommand({ FunctionName: "doomed:1" })))).name, "ResourceNotFoundException");
    assert.equal((await rejects(lambda.send(new DeleteFunctionCommand({ FunctionName: "doomed" })))).name, "ResourceNotFoundException");
  });
});

describe("IAM on the control plane", () => {
  it("needs lambda:CreateFunction and iam:PassRole for the execution role", async () => {
    const noPass = clients(app.url, await userCreds("dev-nopass", allow("lambda:CreateFunction"))).lambda;
    const denied = await rejects(noPass.send(new CreateFunctionCommand(input("passrole"))));
    assert.equal(denied.name, "AccessDeniedException");
    assert.equal(
      denied.message,
      `User: arn:aws:iam::${ACCOUNT}:user/dev-nopass is not authorized to perform: iam:PassRole on resource: ${role} because no identity-based policy allows the iam:PassRole action`,
    );
    const dev = clients(app.url, await userCreds("dev", allow(["lambda:CreateFunction", "iam:PassRole"]))).lambda;
    assert.equal((await dev.send(new CreateFunctionCommand(input("passrole")))).State, "Pending");
    const read = await rejects(dev.send(new GetFunctionCommand({ FunctionName: "passrole" })));
    assert.equal(read.name, "AccessDeniedException");
    assert.match(read.message, /lambda:GetFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:passrole because/);
  });
});

describe("admin routes and reset", () => {
  it("answers logs of an unknown function with 404, and reset drops every function", async () => {
    const s = await startTestServer({ iam: "off" });
    try {
      const l = clients(s.url).lambda;
      const r = (await clients(s.url).iam.send(new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
      await l.send(new CreateFunctionCommand({ FunctionName: "gone-soon", Runtime: "nodejs20.x", Role: r, Handler: "index.handler", Code: { ZipFile: zip } }));
      const logs = await fetch(`${s.url}/_hyperlocal/logs/nothing`);
      assert.equal(logs.status, 404);
      assert.match(((await logs.json()) as { error: string }).error, /Function not found: arn:aws:lambda:us-east-1:000000000000:function:nothing/);
      const empty = (await (await fetch(`${s.url}/_hyperlocal/logs/gone-soon`)).json()) as { events: unknown[] };
      assert.deepEqual(empty.events, []);
      assert.equal((await fetch(`${s.url}/_hyperlocal/reset`, { method: "POST" })).status, 200);
      assert.deepEqual((await l.send(new ListFunctionsCommand({}))).Functions, []);
    } finally {
      await s.close();
    }
  });
});

describe("the AWS CLI", { skip: !hasAwsCli() && "no /usr/bin/aws" }, () => {
  it("creates a function from a zip file, reads it, and sees AWS's errors", async () => {
    const dir = tempDir();
    const file = join(dir, "fn.zip");
    writeFileSync(file, zip);
    const created = await aws(app.url, [
      "lambda", "create-function", "--function-name", "cli-fn", "--runtime", "python3.12", "--role", role, "--handler", "app.handler", "--zip-file", `fileb://${file}`,
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json.State, "Pending");
    assert.equal(created.json.Runtime, "python3.12");
    await advanceClock(app.url, 2);
    const got = await aws(app.url, ["lambda", "get-function-configuration", "--function-name", "cli-fn"]);
    assert.equal(got.json.State, "Active");
    const missing = await aws(app.url, ["lambda", "get-function", "--function-name", "cli-none"]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ResourceNotFoundException.*Function not found: arn:aws:lambda:us-east-1:000000000000:function:cli-none/);
  });
});

describe("restart with --state-dir", () => {
  it("keeps functions, versions and code", async () => {
    const dir = tempDir();
    const first = await startTestServer({ iam: "off", stateDir: dir });
    const l1 = clients(first.url).lambda;
    const r = (await clients(first.url).iam.send(new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    await l1.send(new CreateFunctionCommand({ FunctionName: "kept", Runtime: "nodejs20.x", Role: r, Handler: "index.handler", Code: { ZipFile: zip } }));
    await advanceClock(first.url, 1);
    await l1.send(new PublishVersionCommand({ FunctionName: "kept" }));
    await first.close();
    const second = await startTestServer({ iam: "off", stateDir: dir });
    try {
      const l2 = clients(second.url).lambda;
      await advanceClock(second.url, 2); // the version published just before the restart finishes becoming Active
      const g = await l2.send(new GetFunctionCommand({ FunctionName: "kept:1" }));
      assert.equal(g.Configuration!.State, "Active");
      const dl = await fetch(g.Code!.Location!);
      assert.ok(Buffer.from(await dl.arrayBuffer()).equals(Buffer.from(zip)));
    } finally {
      await second.close();
    }
  });
});
