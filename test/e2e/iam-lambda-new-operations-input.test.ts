// Bad, hostile and unauthorized input to the operations this round added to IAM (instance profiles)
// and Lambda (event invoke configs): names that are JavaScript properties stay plain names, values
// out of range get AWS's validation errors, a principal without the right is denied, and nothing
// already stored changes. Function code does not run here; the server starts functions only in the
// loopback-only network namespace anyway.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as I from "@aws-sdk/client-iam";
import * as L from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { clients, rejects } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer } from "../support/server.ts";
import { LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";

describe("new IAM and Lambda operations: bad, hostile and unauthorized input", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, () => {
  let app: App;
  let root: ReturnType<typeof clients>;
  let user: ReturnType<typeof clients>;
  before(async () => {
    app = await startTestServer({ noDefaultVpc: true });
    root = clients(app.url);
    await root.iam.send(new I.CreateUserCommand({ UserName: "nobody" }));
    const k = (await root.iam.send(new I.CreateAccessKeyCommand({ UserName: "nobody" }))).AccessKey!;
    user = clients(app.url, { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! });
  });
  after(() => app?.close());

  const profileNames = async () =>
    ((await root.iam.send(new I.ListInstanceProfilesCommand({}))).InstanceProfiles ?? []).map((p) => p.InstanceProfileName).sort();

  it("instance profiles named __proto__, constructor and toString are plain names", async () => {
    for (const name of ["__proto__", "constructor", "toString"]) {
      await root.iam.send(new I.CreateInstanceProfileCommand({ InstanceProfileName: name }));
      const got = await root.iam.send(new I.GetInstanceProfileCommand({ InstanceProfileName: name }));
      assert.equal(got.InstanceProfile?.InstanceProfileName, name);
    }
    assert.deepEqual(await profileNames(), ["__proto__", "constructor", "toString"]);
    const missing = await rejects(root.iam.send(new I.GetInstanceProfileCommand({ InstanceProfileName: "hasOwnProperty" })));
    assert.equal(missing.name, "NoSuchEntityException");
    assert.equal(missing.$metadata.httpStatusCode, 404);
    const dup = await rejects(root.iam.send(new I.CreateInstanceProfileCommand({ InstanceProfileName: "__proto__" })));
    assert.equal(dup.name, "EntityAlreadyExistsException");
    assert.equal(dup.$metadata.httpStatusCode, 409);
  });

  it("an instance profile name over 128 characters or with a bad character is a ValidationError, and nothing changes", async () => {
    const before = await profileNames();
    for (const name of ["p".repeat(129), "has space", "semi;colon"]) {
      const e = await rejects(root.iam.send(new I.CreateInstanceProfileCommand({ InstanceProfileName: name })));
      assert.equal(e.name, "ValidationError", name);
      assert.equal(e.$metadata.httpStatusCode, 400, name);
    }
    assert.deepEqual(await profileNames(), before);
  });

  it("a user without iam:CreateInstanceProfile / iam:DeleteInstanceProfile is denied, and nothing changes", async () => {
    const before = await profileNames();
    const c = await rejects(user.iam.send(new I.CreateInstanceProfileCommand({ InstanceProfileName: "sneaky" })));
    assert.equal(c.name, "AccessDenied"); // IAM's query-protocol code
    assert.equal(c.$metadata.httpStatusCode, 403);
    assert.match(c.message, /iam:CreateInstanceProfile/);
    const d = await rejects(user.iam.send(new I.DeleteInstanceProfileCommand({ InstanceProfileName: "constructor" })));
    assert.equal(d.name, "AccessDenied");
    assert.match(d.message, /iam:DeleteInstanceProfile/);
    assert.deepEqual(await profileNames(), before);
  });

  it("event invoke configs: out-of-range values are ValidationException, a missing function is not found, a user without the right is denied; the stored config stays", async () => {
    const role = (await root.iam.send(new I.CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    await root.lambda.send(new L.CreateFunctionCommand({ FunctionName: "constructor", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_ECHO) } }));
    await root.lambda.send(new L.PutFunctionEventInvokeConfigCommand({ FunctionName: "constructor", MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 600 }));

    for (const bad of [{ MaximumRetryAttempts: 3 }, { MaximumRetryAttempts: -1 }, { MaximumEventAgeInSeconds: 59 }, { MaximumEventAgeInSeconds: 21601 }]) {
      const e = await rejects(root.lambda.send(new L.PutFunctionEventInvokeConfigCommand({ FunctionName: "constructor", ...bad })));
      assert.equal(e.name, "ValidationException", JSON.stringify(bad));
      assert.equal(e.$metadata.httpStatusCode, 400);
    }
    for (const name of ["__proto__", "hasOwnProperty"]) {
      const e = await rejects(root.lambda.send(new L.GetFunctionEventInvokeConfigCommand({ FunctionName: name })));
      assert.equal(e.name, "ResourceNotFoundException", name);
      assert.equal(e.$metadata.httpStatusCode, 404);
    }
    const denied = await rejects(user.lambda.send(new L.PutFunctionEventInvokeConfigCommand({ FunctionName: "constructor", MaximumRetryAttempts: 0 })));
    assert.equal(denied.name, "AccessDeniedException");
    assert.equal(denied.$metadata.httpStatusCode, 403);
    assert.match(denied.message, /lambda:PutFunctionEventInvokeConfig/);
    const deniedDelete = await rejects(user.lambda.send(new L.DeleteFunctionEventInvokeConfigCommand({ FunctionName: "constructor" })));
    assert.equal(deniedDelete.name, "AccessDeniedException");

    const kept = await root.lambda.send(new L.GetFunctionEventInvokeConfigCommand({ FunctionName: "constructor" }));
    assert.equal(kept.MaximumRetryAttempts, 1);
    assert.equal(kept.MaximumEventAgeInSeconds, 600);
  });
});
