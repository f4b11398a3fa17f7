// GetFunction's Code.Location through the real CLI: a SigV4 presigned URL (S3's query shape,
// X-Amz-Expires=600) that downloads the very zip; refused with S3's XML errors when tampered with,
// unsigned, or once 10 minutes have passed on the simulated clock.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";
import { advanceClock, LAMBDA_TRUST, nodeZip, NODE_ECHO } from "../support/zip-functions.ts";

describe("GetFunction Code.Location", { skip: !hasAwsCli() && "no /usr/bin/aws" }, () => {
  let app: App;
  const zip = nodeZip(NODE_ECHO);

  before(async () => {
    app = await startTestServer();
    const c = clients(app.url);
    const role = (await c.iam.send(new CreateRoleCommand({ RoleName: "code-role", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    await c.lambda.send(new CreateFunctionCommand({ FunctionName: "coded", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip } }));
  });
  after(async () => app?.close());

  const location = async () => {
    const r = await aws(app.url, ["lambda", "get-function", "--function-name", "coded"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.Code.RepositoryType, "S3");
    return r.json.Code.Location as string;
  };

  it("is a presigned S3-style URL on this server that downloads the function's zip", async () => {
    const loc = await location();
    const u = new URL(loc);
    assert.equal(u.origin, app.url);
    assert.deepEqual([...u.searchParams.keys()], ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"]);
    assert.match(u.searchParams.get("X-Amz-Credential")!, /^ASIA[0-9A-F]{16}\/\d{8}\/us-east-1\/s3\/aws4_request$/);
    assert.equal(u.searchParams.get("X-Amz-Expires"), "600");
    const dl = await fetch(loc);
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get("content-type"), "application/zip");
    assert.ok(Buffer.from(await dl.arrayBuffer()).equals(Buffer.from(zip)));
  });

  it("is refused with S3's XML when its signature, path or expiry is changed, or it is not signed", async () => {
    const loc = await location();
    const flip = (s: string, re: RegExp) => s.replace(re, (m) => m.slice(0, -1) + (parseInt(m.slice(-1), 16) ^ 1).toString(16));
    for (const [bad, code] of [
      [flip(loc, /X-Amz-Signature=[0-9a-f]/), "SignatureDoesNotMatch"],
      [loc.replace("X-Amz-Expires=600", "X-Amz-Expires=86400"), "SignatureDoesNotMatch"],
      [flip(loc, /[0-9a-f](?=\?)/), "SignatureDoesNotMatch"],
      [loc.split("?")[0], "AccessDenied"],
    ] as const) {
      const r = await fetch(bad);
      assert.equal(r.status, 403, bad);
      assert.equal(r.headers.get("content-type"), "application/xml");
      assert.match(await r.text(), new RegExp(`<Error><Code>${code}</Code>`), bad);
    }
  });

  it("expires 600 seconds after GetFunction on the simulated clock", async () => {
    const loc = await location();
    await advanceClock(app.url, 590);
    assert.equal((await fetch(loc)).status, 200, "still valid before 600 seconds");
    await advanceClock(app.url, 11);
    const r = await fetch(loc);
    assert.equal(r.status, 403);
    const body = await r.text();
    assert.match(body, /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message><X-Amz-Expires>600<\/X-Amz-Expires>/);
    const fresh = await location();
    assert.equal((await fetch(fresh)).status, 200, "a new GetFunction gives a new URL");
  });
});
