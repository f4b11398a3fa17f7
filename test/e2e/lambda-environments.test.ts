// Execution environments are not leaked: changes that do not touch what runs (tags, concurrency,
// permissions) keep the warm environment; a change that supersedes the configuration stops the old
// one. Counted through the runtime manager's own figures (GET /_hyperlocal/lambda/runtime).
// Runs function code, so only inside the loopback-only network namespace.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { clients } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer } from "../support/server.ts";
import { advanceClock, eventually, LAMBDA_TRUST, nodeZip } from "../support/zip-functions.ts";

const PID_ECHO = `
const started = Date.now() + "-" + Math.random();
exports.handler = async () => ({ started, colour: process.env.COLOUR ?? null });
`;

let app: App;
let lambda: LambdaClient;

async function environments(): Promise<number> {
  const r = await fetch(`${app.url}/_hyperlocal/lambda/runtime`);
  return ((await r.json()) as { environments: number }).environments;
}

async function invoke(name: string): Promise<{ started: string; colour: string | null }> {
  const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") }));
  assert.equal(r.FunctionError, undefined, Buffer.from(r.Payload ?? []).toString());
  return JSON.parse(Buffer.from(r.Payload ?? []).toString());
}

describe("execution environments are not leaked", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, () => {
  let arn: string;

  before(async () => {
    app = await startTestServer();
    const c = clients(app.url);
    lambda = c.lambda;
    const role = (await c.iam.send(new CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    const created = await lambda.send(
      new CreateFunctionCommand({ FunctionName: "tagged", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(PID_ECHO) } }),
    );
    arn = created.FunctionArn!;
    await advanceClock(app.url, 1);
  });

  after(async () => {
    await app?.close();
  });

  it("1,000 TagResource + Invoke cycles keep one warm environment, while RevisionId moves", async () => {
    const first = await invoke("tagged");
    let revision = (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "tagged" }))).RevisionId;
    for (let i = 0; i < 1000; i++) {
      if (i % 2 === 0) await lambda.send(new TagResourceCommand({ Resource: arn, Tags: { round: String(i) } }));
      else await lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ["round"] }));
      const r = await invoke("tagged");
      assert.equal(r.started, first.started, `cycle ${i}: the warm environment was replaced`);
      if (i % 100 === 0) {
        const now = (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "tagged" }))).RevisionId;
        assert.notEqual(now, revision, "tagging changes the RevisionId");
        revision = now;
        assert.ok((await environments()) <= 1, `cycle ${i}: ${await environments()} environments`);
      }
    }
    assert.equal(await environments(), 1);
  });

  it("concurrency and permission changes keep the warm environment", async () => {
    const before = await invoke("tagged");
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "tagged", ReservedConcurrentExecutions: 5 }));
    await lambda.send(new AddPermissionCommand({ FunctionName: "tagged", StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com" }));
    const afterChanges = await invoke("tagged");
    assert.equal(afterChanges.started, before.started);
    assert.equal(await environments(), 1);
  });

  it("UpdateFunctionConfiguration then Invoke leaves exactly one environment: the new one", async () => {
    const old = await invoke("tagged");
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "tagged", Environment: { Variables: { COLOUR: "blue" } } }));
    await eventually(
      async () => {
        await advanceClock(app.url, 1);
        return (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "tagged" }))).LastUpdateStatus;
      },
      (s) => s === "Successful",
    );
    const fresh = await invoke("tagged");
    assert.equal(fresh.colour, "blue");
    assert.notEqual(fresh.started, old.started);
    assert.equal(await environments(), 1);
    const warm = await invoke("tagged");
    assert.equal(warm.started, fresh.started);
    assert.equal(await environments(), 1);
  });
});
