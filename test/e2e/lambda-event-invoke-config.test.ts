// Asynchronous invocation settings: Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s) with the
// SDK and the CLI, their effect on Event invocations on the simulated clock (MaximumRetryAttempts,
// MaximumEventAgeInSeconds), and AWS::Lambda::EventInvokeConfig in a stack. Function code runs:
// loopback-only network namespace.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as C from "@aws-sdk/client-cloudformation";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionEventInvokeConfigsCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionEventInvokeConfigCommand,
  waitUntilFunctionActiveV2,
} from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients, rejects, ROOT_CREDS } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer } from "../support/server.ts";
import { advanceClock, eventually, functionLogs, LAMBDA_TRUST, NODE_FAIL, nodeZip } from "../support/zip-functions.ts";

describe("Lambda: event invoke configs", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, () => {
  let app: App;
  let lambda: LambdaClient;
  let role: string;
  before(async () => {
    app = await startTestServer({ noDefaultVpc: true });
    const c = clients(app.url);
    lambda = c.lambda;
    role = (await c.iam.send(new CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
  });
  after(() => app?.close());

  const fn = async (name: string) => {
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_FAIL) } }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { FunctionName: name });
  };
  const attempts = async (name: string, tag: string) => (await functionLogs(app.url, name)).events.filter((e) => e.message.includes(`failing for {"n":"${tag}"}`)).length;
  const event = (name: string, tag: string) => lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from(JSON.stringify({ n: tag })) }));

  it("the API: errors, Put replaces, Update merges, per qualifier, List and Delete", async () => {
    await fn("cfg");
    const none = await rejects(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "cfg" })));
    assert.equal(none.name, "ResourceNotFoundException");
    assert.equal(none.message, "The function arn:aws:lambda:us-east-1:000000000000:function:cfg:$LATEST doesn't have an EventInvokeConfig");
    const bad = await rejects(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "cfg", MaximumEventAgeInSeconds: 30 })));
    assert.equal(bad.name, "ValidationException");
    const noFn = await rejects(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "nope", MaximumRetryAttempts: 1 })));
    assert.equal(noFn.name, "ResourceNotFoundException");

    const put = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "cfg", MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 600 }));
    assert.equal(put.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:cfg:$LATEST");
    assert.ok(put.LastModified instanceof Date);
    const upd = await lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "cfg", MaximumRetryAttempts: 0 }));
    assert.deepEqual([upd.MaximumRetryAttempts, upd.MaximumEventAgeInSeconds], [0, 600]);
    const replaced = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "cfg", MaximumRetryAttempts: 2 }));
    assert.deepEqual([replaced.MaximumRetryAttempts, replaced.MaximumEventAgeInSeconds], [2, undefined]);

    const v = (await lambda.send(new PublishVersionCommand({ FunctionName: "cfg" }))).Version!;
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "cfg", Qualifier: v, MaximumEventAgeInSeconds: 120 }));
    const missingVersion = await rejects(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "cfg", Qualifier: "42", MaximumRetryAttempts: 1 })));
    assert.equal(missingVersion.name, "ResourceNotFoundException");
    const list = await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "cfg" }));
    assert.deepEqual(list.FunctionEventInvokeConfigs!.map((c) => c.FunctionArn!.split(":").pop()), ["$LATEST", v].sort());
    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "cfg", Qualifier: v }));
    assert.equal((await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "cfg" }))).FunctionEventInvokeConfigs!.length, 1);
    const dest = await rejects(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "cfg", DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:q" } } })));
    assert.equal(dest.name, "InvalidParameterValueException");
  });

  it("MaximumRetryAttempts 0: a failed Event invocation is not retried", async () => {
    await fn("noretry");
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "noretry", MaximumRetryAttempts: 0 }));
    assert.equal((await event("noretry", "once")).StatusCode, 202);
    await eventually(() => attempts("noretry", "once"), (n) => n === 1);
    await advanceClock(app.url, 10 * 60);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await attempts("noretry", "once"), 1);
  });

  it("MaximumEventAgeInSeconds 60: the retry a minute later is past the age, so the event is dropped", async () => {
    await fn("young");
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "young", MaximumEventAgeInSeconds: 60 }));
    await event("young", "aged");
    await eventually(() => attempts("young", "aged"), (n) => n === 1);
    await advanceClock(app.url, 10 * 60);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await attempts("young", "aged"), 1);
  });

  it("the CLI and a stack: put-function-event-invoke-config, AWS::Lambda::EventInvokeConfig", async () => {
    await fn("clifn");
    if (hasAwsCli()) {
      const p = await aws(app.url, ["lambda", "put-function-event-invoke-config", "--function-name", "clifn", "--maximum-retry-attempts", "1"]);
      assert.equal(p.code, 0, p.stderr);
      assert.equal(p.json.MaximumRetryAttempts, 1);
      const g = await aws(app.url, ["lambda", "get-function-event-invoke-config", "--function-name", "clifn"]);
      assert.equal(g.json.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:clifn:$LATEST");
    }
    const cfn = new C.CloudFormationClient({ endpoint: app.url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
    const body = (retries: number) => `Resources:
  Cfg:
    Type: AWS::Lambda::EventInvokeConfig
    Properties: { FunctionName: clifn, Qualifier: $LATEST, MaximumRetryAttempts: ${retries}, MaximumEventAgeInSeconds: 300 }
`;
    await cfn.send(new C.CreateStackCommand({ StackName: "eic", TemplateBody: body(0) }));
    await C.waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { StackName: "eic" });
    const got = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "clifn" }));
    assert.deepEqual([got.MaximumRetryAttempts, got.MaximumEventAgeInSeconds], [0, 300]);
    await cfn.send(new C.UpdateStackCommand({ StackName: "eic", TemplateBody: body(2) }));
    await C.waitUntilStackUpdateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { StackName: "eic" });
    assert.equal((await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "clifn" }))).MaximumRetryAttempts, 2);
    await cfn.send(new C.DeleteStackCommand({ StackName: "eic" }));
    await C.waitUntilStackDeleteComplete({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { StackName: "eic" });
    assert.equal((await rejects(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "clifn" })))).name, "ResourceNotFoundException");
  });
});
