import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { IAMClient, ListUsersCommand } from "@aws-sdk/client-iam";
import type { App } from "../../src/app.ts";
import { startTestServer } from "../support/server.ts";
import { rejects, ROOT_CREDS, type Creds } from "../support/clients.ts";

// Each authentication failure, through the real SDK, in each of the three protocols.
type AnyClient = { send(c: unknown): Promise<unknown>; middlewareStack: any; destroy(): void };

interface Protocol {
  name: string;
  make(url: string, creds: Creds, skewMs?: number): AnyClient;
  command(): unknown;
  expect: Record<"wrongSecret" | "tampered" | "skewed" | "unknownKey", [string, number]>;
}

const PROTOCOLS: Protocol[] = [
  {
    name: "rest-json (Lambda)",
    make: (url, credentials, skew = 0) => new LambdaClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1, systemClockOffset: skew }) as unknown as AnyClient,
    command: () => new ListFunctionsCommand({}),
    expect: {
      wrongSecret: ["InvalidSignatureException", 403],
      tampered: ["InvalidSignatureException", 403],
      skewed: ["InvalidSignatureException", 403],
      unknownKey: ["UnrecognizedClientException", 403],
    },
  },
  {
    name: "EC2 query",
    make: (url, credentials, skew = 0) => new EC2Client({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1, systemClockOffset: skew }) as unknown as AnyClient,
    command: () => new DescribeVpcsCommand({}),
    expect: {
      wrongSecret: ["SignatureDoesNotMatch", 403],
      tampered: ["SignatureDoesNotMatch", 403],
      skewed: ["RequestExpired", 400],
      unknownKey: ["AuthFailure", 401],
    },
  },
  {
    name: "query (STS)",
    make: (url, credentials, skew = 0) => new STSClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1, systemClockOffset: skew }) as unknown as AnyClient,
    command: () => new GetCallerIdentityCommand({}),
    expect: {
      wrongSecret: ["SignatureDoesNotMatch", 403],
      tampered: ["SignatureDoesNotMatch", 403],
      skewed: ["SignatureDoesNotMatch", 403],
      unknownKey: ["InvalidClientTokenId", 403],
    },
  },
  {
    name: "query (IAM)",
    make: (url, credentials, skew = 0) => new IAMClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1, systemClockOffset: skew }) as unknown as AnyClient,
    command: () => new ListUsersCommand({}),
    expect: {
      wrongSecret: ["SignatureDoesNotMatch", 403],
      tampered: ["SignatureDoesNotMatch", 403],
      skewed: ["SignatureDoesNotMatch", 403],
      unknownKey: ["InvalidClientTokenId", 403],
    },
  },
];

/** Change the body after the SDK signed it, as a man in the middle would. */
function tamperAfterSigning(client: AnyClient): void {
  client.middlewareStack.addRelativeTo(
    (next: (a: any) => Promise<unknown>) => async (args: any) => {
      const body = args.request.body;
      if (typeof body === "string" && body.length > 0) args.request.body = body + "&Extra=1";
      else args.request.body = '{"tampered":true}';
      args.request.headers["content-length"] = String(Buffer.byteLength(args.request.body));
      return next(args);
    },
    { relation: "after", toMiddleware: "httpSigningMiddleware", name: "tamper", override: true },
  );
}

describe("authentication failures in every protocol", () => {
  let app: App;
  before(async () => {
    app = await startTestServer();
  });
  after(() => app.close());

  for (const p of PROTOCOLS) {
    describe(p.name, () => {
      it("succeeds or fails past authentication with the right credentials", async () => {
        const c = p.make(app.url, ROOT_CREDS);
        try {
          await c.send(p.command());
        } catch (e) {
          // Reaching the operation is enough here: no authentication error.
          assert.ok(!/Signature|Token|AuthFailure|Unrecognized/.test((e as Error).name), (e as Error).name);
        }
        c.destroy();
      });

      const check = async (kind: keyof Protocol["expect"], client: AnyClient) => {
        const e = await rejects(client.send(p.command()));
        const [name, status] = p.expect[kind];
        assert.equal(e.name, name, `${kind}: ${e.message}`);
        assert.equal(e.$metadata.httpStatusCode, status);
        assert.match(String(e.$metadata.requestId), /^[0-9a-f-]{36}$/);
        client.destroy();
        return e;
      };

      it("a wrong secret", async () => {
        const e = await check("wrongSecret", p.make(app.url, { accessKeyId: "test", secretAccessKey: "not-the-secret" }));
        assert.match(e.message, /signature we calculated does not match/);
      });

      it("a tampered body", async () => {
        const c = p.make(app.url, ROOT_CREDS);
        tamperAfterSigning(c);
        await check("tampered", c);
      });

      it("a date 20 minutes off", async () => {
        const e = await check("skewed", p.make(app.url, ROOT_CREDS, -20 * 60 * 1000));
        assert.match(e.message, /Signature expired: \d{8}T\d{6}Z is now earlier than/);
      });

      it("an unknown key", async () => {
        await check("unknownKey", p.make(app.url, { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "x" }));
      });
    });
  }
});

describe("--accept-any-credentials", () => {
  it("maps an unknown key to the account root", async () => {
    const app = await startTestServer({ acceptAnyCredentials: true });
    try {
      const sts = new STSClient({ endpoint: app.url, region: "us-east-1", credentials: { accessKeyId: "whatever", secretAccessKey: "anything" }, maxAttempts: 1 });
      const id = await sts.send(new GetCallerIdentityCommand({}));
      assert.equal(id.Arn, "arn:aws:iam::000000000000:root");
      sts.destroy();
    } finally {
      await app.close();
    }
  });
});
