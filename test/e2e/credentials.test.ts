// Which keys are someone: the 12-digit account keys only with the configured root secret (and not
// at all with --no-account-keys); deactivated, deleted and expired keys never anyone, even with
// --accept-any-credentials; a body hashed as UNSIGNED-PAYLOAD or swapped after signing never passes
// outside S3; a signature that leaves out the Host header is refused.
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { CreateAccessKeyCommand, CreateUserCommand, ListUsersCommand } from "@aws-sdk/client-iam";
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { GetCallerIdentityCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients, rejects, ROOT_CREDS, type Creds } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";

const NO_CLI = !hasAwsCli() && "Debian's AWS CLI v2 (/usr/bin/aws) is not installed";
const OTHER = "111111111111";

/** The error code the CLI printed: "An error occurred (Code) when calling ...". */
function cliError(r: { code: number; stderr: string }): string {
  assert.notEqual(r.code, 0, `expected the CLI call to fail: ${r.stderr}`);
  return /An error occurred \(([^)]+)\)/.exec(r.stderr)?.[1] ?? `no AWS error in: ${r.stderr}`;
}

async function advance(app: App, body: object): Promise<void> {
  const r = await fetch(`${app.url}/_hyperlocal/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  assert.equal(r.status, 200);
}

describe("the 12-digit account keys", () => {
  it("take the configured root secret: once --secret-access-key changed, `test` opens nothing (CLI)", { skip: NO_CLI }, async () => {
    const app = await startTestServer({ secretAccessKey: "not-the-default" });
    try {
      const withTest = await aws(app.url, ["sts", "get-caller-identity"], { accessKeyId: OTHER, secretAccessKey: "test" });
      assert.equal(cliError(withTest), "SignatureDoesNotMatch");
      const lambda = await aws(app.url, ["lambda", "list-functions"], { accessKeyId: OTHER, secretAccessKey: "test" });
      assert.equal(cliError(lambda), "InvalidSignatureException");
      const withSecret = await aws(app.url, ["sts", "get-caller-identity"], { accessKeyId: OTHER, secretAccessKey: "not-the-default" });
      assert.equal(withSecret.code, 0, withSecret.stderr);
      assert.equal(withSecret.json.Arn, `arn:aws:iam::${OTHER}:root`);
    } finally {
      await app.close();
    }
  });

  it("are unknown keys with --no-account-keys (CLI and SDK)", async () => {
    const app = await startTestServer({ accountKeys: false });
    try {
      const other = clients(app.url, { accessKeyId: OTHER, secretAccessKey: "test" });
      const e = await rejects(other.sts.send(new GetCallerIdentityCommand({})));
      assert.equal(e.name, "InvalidClientTokenId");
      assert.equal(e.$metadata.httpStatusCode, 403);
      if (!NO_CLI) {
        assert.equal(cliError(await aws(app.url, ["ec2", "describe-vpcs"], { accessKeyId: OTHER, secretAccessKey: "test" })), "AuthFailure");
      }
      // The built-in root key is untouched by the option.
      const id = await clients(app.url).sts.send(new GetCallerIdentityCommand({}));
      assert.equal(id.Arn, "arn:aws:iam::000000000000:root");
    } finally {
      await app.close();
    }
  });
});

describe("--accept-any-credentials never revives a key IAM or STS took back", () => {
  let app: App;
  let root: ReturnType<typeof clients>;
  before(async () => {
    app = await startTestServer({ acceptAnyCredentials: true });
    root = clients(app.url);
  });
  after(() => app.close());

  async function userKey(name: string): Promise<Creds> {
    await root.iam.send(new CreateUserCommand({ UserName: name }));
    const k = (await root.iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
  }

  it("a key nobody issued still acts as the root", async () => {
    const r = NO_CLI ? undefined : await aws(app.url, ["sts", "get-caller-identity"], { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "anything" });
    if (r) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.Arn, "arn:aws:iam::000000000000:root");
    }
    const id = await clients(app.url, { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" }).sts.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, "arn:aws:iam::000000000000:root");
  });

  it("a deactivated key is refused in every protocol, as AWS refuses it (CLI)", { skip: NO_CLI }, async () => {
    const k = await userKey("deactivated");
    const ok = await aws(app.url, ["sts", "get-caller-identity"], k);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.json.Arn, /:user\/deactivated$/);
    const off = await aws(app.url, ["iam", "update-access-key", "--user-name", "deactivated", "--access-key-id", k.accessKeyId, "--status", "Inactive"]);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(cliError(await aws(app.url, ["sts", "get-caller-identity"], k)), "InvalidClientTokenId");
    assert.equal(cliError(await aws(app.url, ["iam", "list-users"], k)), "InvalidClientTokenId");
    assert.equal(cliError(await aws(app.url, ["ec2", "describe-vpcs"], k)), "AuthFailure");
    assert.equal(cliError(await aws(app.url, ["lambda", "list-functions"], k)), "UnrecognizedClientException");
    // Also with a made-up secret: the key is still nobody, not the root.
    assert.equal(cliError(await aws(app.url, ["sts", "get-caller-identity"], { accessKeyId: k.accessKeyId, secretAccessKey: "guess" })), "InvalidClientTokenId");
    // Active again, it is the user again.
    await aws(app.url, ["iam", "update-access-key", "--user-name", "deactivated", "--access-key-id", k.accessKeyId, "--status", "Active"]);
    const back = await aws(app.url, ["sts", "get-caller-identity"], k);
    assert.match(back.json?.Arn ?? back.stderr, /:user\/deactivated$/);
  });

  it("a deleted key is refused (CLI)", { skip: NO_CLI }, async () => {
    const k = await userKey("deleted-key");
    const del = await aws(app.url, ["iam", "delete-access-key", "--user-name", "deleted-key", "--access-key-id", k.accessKeyId]);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(cliError(await aws(app.url, ["sts", "get-caller-identity"], k)), "InvalidClientTokenId");
    assert.equal(cliError(await aws(app.url, ["iam", "create-user", "--user-name", "via-deleted-key"], k)), "InvalidClientTokenId");
    const users = await root.iam.send(new ListUsersCommand({}));
    assert.equal(users.Users!.some((u) => u.UserName === "via-deleted-key"), false);
  });

  it("an expired session is ExpiredToken, and once forgotten still nobody", async () => {
    const k = await userKey("session-user");
    const out = await clients(app.url, k).sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const session: Creds = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    await advance(app, { minutes: 16 });
    const expired = await rejects(clients(app.url, session).sts.send(new GetCallerIdentityCommand({})));
    assert.equal(expired.name, "ExpiredToken");
    // Sessions are forgotten a week after expiry (when the next one is issued); the key stays refused.
    await advance(app, { days: 8 });
    await clients(app.url, k).sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const forgotten = await rejects(clients(app.url, session).sts.send(new GetCallerIdentityCommand({})));
    assert.equal(forgotten.name, "InvalidClientTokenId");
    const noToken = await rejects(clients(app.url, { accessKeyId: session.accessKeyId, secretAccessKey: "x" }).sts.send(new GetCallerIdentityCommand({})));
    assert.equal(noToken.name, "InvalidClientTokenId");
  });
});

describe("the payload hash is the body's, outside S3", () => {
  let app: App;
  before(async () => {
    app = await startTestServer();
  });
  after(() => app.close());

  /**
   * Sign with x-amz-content-sha256: UNSIGNED-PAYLOAD and without Content-Length among the signed
   * headers (as botocore signs), then put another body under the signature, as a man in the middle would.
   */
  function swapUnsignedBody(client: { middlewareStack: any }, swapTo: string): void {
    client.middlewareStack.addRelativeTo(
      (next: (a: any) => Promise<unknown>) => async (args: any) => {
        args.request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
        delete args.request.headers["content-length"];
        return next(args);
      },
      { relation: "before", toMiddleware: "httpSigningMiddleware", name: "unsignedPayload", override: true },
    );
    client.middlewareStack.addRelativeTo(
      (next: (a: any) => Promise<unknown>) => async (args: any) => {
        args.request.body = swapTo;
        args.request.headers["content-length"] = String(Buffer.byteLength(swapTo));
        return next(args);
      },
      { relation: "after", toMiddleware: "httpSigningMiddleware", name: "swapBody", override: true },
    );
  }

  it("an STS GetCallerIdentity signed as UNSIGNED-PAYLOAD whose body became IAM CreateUser is refused, and no user exists", async () => {
    const c = clients(app.url);
    swapUnsignedBody(c.sts, "Action=CreateUser&UserName=smuggled&Version=2010-05-08");
    const e = await rejects(c.sts.send(new GetCallerIdentityCommand({})));
    assert.equal(e.name, "SignatureDoesNotMatch");
    assert.equal(e.$metadata.httpStatusCode, 403);
    // The same swap under an IAM signature (ListUsers signed, CreateUser sent).
    const i = clients(app.url);
    swapUnsignedBody(i.iam, "Action=CreateUser&UserName=smuggled&Version=2010-05-08");
    const e2 = await rejects(i.iam.send(new ListUsersCommand({})));
    assert.equal(e2.name, "SignatureDoesNotMatch");
    const users = await clients(app.url).iam.send(new ListUsersCommand({}));
    assert.equal(users.Users!.some((u) => u.UserName === "smuggled"), false);
  });

  it("UNSIGNED-PAYLOAD and streaming hashes are refused by STS, IAM, EC2 and Lambda even with the body untouched", async () => {
    for (const hash of ["UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"]) {
      const c = clients(app.url);
      for (const client of [c.sts, c.iam, c.ec2, c.lambda] as { middlewareStack: any }[]) {
        client.middlewareStack.addRelativeTo(
          (next: (a: any) => Promise<unknown>) => async (args: any) => {
            args.request.headers["x-amz-content-sha256"] = hash;
            return next(args);
          },
          { relation: "before", toMiddleware: "httpSigningMiddleware", name: "payloadHash", override: true },
        );
      }
      const expect: [() => Promise<unknown>, string][] = [
        [() => c.sts.send(new GetCallerIdentityCommand({})), "SignatureDoesNotMatch"],
        [() => c.iam.send(new ListUsersCommand({})), "SignatureDoesNotMatch"],
        [() => c.ec2.send(new DescribeVpcsCommand({})), "SignatureDoesNotMatch"],
        [() => c.lambda.send(new ListFunctionsCommand({})), "InvalidSignatureException"],
      ];
      for (const [call, code] of expect) assert.equal((await rejects(call())).name, code, hash);
    }
  });

  it("a declared hash equal to the body's is accepted (as SDKs with checksums sign)", async () => {
    const c = clients(app.url);
    (c.sts.middlewareStack as any).addRelativeTo(
      (next: (a: any) => Promise<unknown>) => async (args: any) => {
        args.request.headers["x-amz-content-sha256"] = createHash("sha256").update(String(args.request.body)).digest("hex");
        return next(args);
      },
      { relation: "before", toMiddleware: "httpSigningMiddleware", name: "realHash", override: true },
    );
    const id = await c.sts.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, "arn:aws:iam::000000000000:root");
  });
});

/** A hand-made SigV4 request, so the signed header list is ours to choose (every SDK signs Host). */
function signRaw(url: string, o: { service: string; body: string; signedHeaders: string[]; presigned?: boolean; creds?: Creds }): { path: string; headers: Record<string, string> } {
  const creds = o.creds ?? ROOT_CREDS;
  const u = new URL(url);
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, "");
  const date = amzDate.slice(0, 8);
  const scope = `${date}/us-east-1/${o.service}/aws4_request`;
  const headers: Record<string, string> = { host: u.host, "content-type": "application/x-www-form-urlencoded; charset=utf-8", "x-amz-date": amzDate };
  const names = [...o.signedHeaders].sort();
  const sha = (s: string) => createHash("sha256").update(s).digest("hex");
  const hmac = (k: string | Buffer, s: string) => createHmac("sha256", k).update(s).digest();
  let query = "";
  if (o.presigned) {
    const q: [string, string][] = [
      ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
      ["X-Amz-Credential", `${creds.accessKeyId}/${scope}`],
      ["X-Amz-Date", amzDate],
      ["X-Amz-Expires", "300"],
      ["X-Amz-SignedHeaders", names.join(";")],
    ];
    query = q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).sort().join("&");
  }
  const canonical = ["POST", "/", query, ...names.map((h) => `${h}:${headers[h]}`), "", names.join(";"), sha(o.body)].join("\n");
  let k: Buffer = hmac(`AWS4${creds.secretAccessKey}`, date);
  for (const part of ["us-east-1", o.service, "aws4_request"]) k = hmac(k, part);
  const signature = createHmac("sha256", k).update(["AWS4-HMAC-SHA256", amzDate, scope, sha(canonical)].join("\n")).digest("hex");
  if (o.presigned) return { path: `/?${query}&X-Amz-Signature=${signature}`, headers };
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
  return { path: "/", headers };
}

describe("the Host header must be signed", () => {
  let app: App;
  before(async () => {
    app = await startTestServer();
  });
  after(() => app.close());

  const send = async (r: { path: string; headers: Record<string, string> }, body: string) => {
    const { host: _host, ...headers } = r.headers;
    const res = await fetch(`${app.url}${r.path}`, { method: "POST", headers, body });
    return { status: res.status, text: await res.text() };
  };
  const body = "Action=GetCallerIdentity&Version=2011-06-15";

  it("a correct signature over Host is accepted (the helper signs right)", async () => {
    for (const presigned of [false, true]) {
      const r = await send(signRaw(app.url, { service: "sts", body, signedHeaders: ["host", "x-amz-date"], presigned }), body);
      assert.equal(r.status, 200, r.text);
      assert.match(r.text, /<Arn>arn:aws:iam::000000000000:root<\/Arn>/);
    }
  });

  for (const presigned of [false, true]) {
    it(`a correct signature that leaves Host out is refused (${presigned ? "presigned URL" : "Authorization header"})`, async () => {
      const r = await send(signRaw(app.url, { service: "sts", body, signedHeaders: ["content-type", "x-amz-date"], presigned }), body);
      assert.equal(r.status, 400, r.text);
      assert.match(r.text, /<Code>IncompleteSignature<\/Code><Message>&apos;Host&apos; or &apos;:authority&apos; must be a &apos;SignedHeader&apos; in the AWS Authorization.<\/Message>/);
      const create = "Action=CreateUser&UserName=hostless&Version=2010-05-08";
      const iam = await send(signRaw(app.url, { service: "iam", body: create, signedHeaders: ["x-amz-date"], presigned }), create);
      assert.equal(iam.status, 400, iam.text);
      const ec2Body = "Action=DescribeVpcs&Version=2016-11-15";
      const ec2 = await send(signRaw(app.url, { service: "ec2", body: ec2Body, signedHeaders: ["x-amz-date"], presigned }), ec2Body);
      assert.equal(ec2.status, 400, ec2.text);
      assert.match(ec2.text, /<Code>IncompleteSignature<\/Code>/);
    });
  }

  it("Lambda answers IncompleteSignatureException", async () => {
    const u = new URL(app.url);
    const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, "");
    const date = amzDate.slice(0, 8);
    const scope = `${date}/us-east-1/lambda/aws4_request`;
    const sha = (s: string) => createHash("sha256").update(s).digest("hex");
    const hmac = (k: string | Buffer, s: string) => createHmac("sha256", k).update(s).digest();
    const canonical = ["GET", "/2015-03-31/functions/", "", `x-amz-date:${amzDate}`, "", "x-amz-date", sha("")].join("\n");
    let k: Buffer = hmac("AWS4test", date);
    for (const part of ["us-east-1", "lambda", "aws4_request"]) k = hmac(k, part);
    const signature = createHmac("sha256", k).update(["AWS4-HMAC-SHA256", amzDate, scope, sha(canonical)].join("\n")).digest("hex");
    const res = await fetch(`http://${u.host}/2015-03-31/functions/`, { headers: { "x-amz-date": amzDate, authorization: `AWS4-HMAC-SHA256 Credential=test/${scope}, SignedHeaders=x-amz-date, Signature=${signature}` } });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("x-amzn-errortype"), "IncompleteSignatureException");
    assert.match(await res.text(), /'Host' or ':authority' must be a 'SignedHeader'/);
  });
});
