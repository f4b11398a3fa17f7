// STS: AssumeRole with trust policies (same account, cross account, service principals), session
// policies, durations and expiry on the simulated clock, and GetSessionToken.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutRolePermissionsBoundaryCommand,
  PutUserPolicyCommand,
  type IAMClient,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, type AssumeRoleCommandInput, type STSClient } from "@aws-sdk/client-sts";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients, rejects, type Creds } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";

const ACCOUNT = "000000000000";
const OTHER = "111111111111";

let app: App;
let root: ReturnType<typeof clients>;

const trust = (principal: Record<string, unknown>) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole" }] });
const allow = (action: string | string[], resource = "*") => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: resource }] });

async function user(iam: IAMClient, name: string, inline?: string): Promise<Creds> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  if (inline) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: inline }));
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
}

async function role(iam: IAMClient, name: string, trustDoc: string, ...managed: string[]): Promise<string> {
  const arn = (await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustDoc }))).Role!.Arn!;
  for (const m of managed) await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: m }));
  return arn;
}

async function assume(sts: STSClient, input: AssumeRoleCommandInput): Promise<Creds> {
  const out = await sts.send(new AssumeRoleCommand(input));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

function deniedText(caller: string, roleArn: string): string {
  return `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
}

before(async () => {
  app = await startTestServer({ iam: "enforce" });
  root = clients(app.url);
});
after(async () => {
  await app.close();
});

describe("AssumeRole", () => {
  it("gives ASIA keys whose caller is the assumed-role session (AWS CLI)", { skip: !hasAwsCli() && "no /usr/bin/aws" }, async () => {
    const roleArn = await role(root.iam, "cli-role", trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }));
    const out = await aws(app.url, ["sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "cli-session"]);
    assert.equal(out.code, 0, out.stderr);
    const c = out.json.Credentials;
    assert.match(c.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.ok(c.SessionToken.length > 100);
    assert.match(out.json.AssumedRoleUser.AssumedRoleId, /^AROA[A-Z2-7]{17}:cli-session$/);
    assert.equal(out.json.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/cli-role/cli-session`);
    const who = await aws(app.url, ["sts", "get-caller-identity"], { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken });
    assert.equal(who.code, 0, who.stderr);
    assert.equal(who.json.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/cli-role/cli-session`);
    assert.equal(who.json.UserId, out.json.AssumedRoleUser.AssumedRoleId);
  });

  it("same account: a trust policy naming the user suffices; naming the account needs the user's own Allow", async () => {
    const alice = await user(root.iam, "alice");
    const aliceSts = clients(app.url, alice).sts;
    const named = await role(root.iam, "names-alice", trust({ AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }));
    const session = await assume(aliceSts, { RoleArn: named, RoleSessionName: "a1" });
    assert.equal((await clients(app.url, session).sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/names-alice/a1`);

    const accountRole = await role(root.iam, "names-account", trust({ AWS: ACCOUNT }));
    const e = await rejects(aliceSts.send(new AssumeRoleCommand({ RoleArn: accountRole, RoleSessionName: "a2" })));
    assert.equal(e.name, "AccessDenied");
    assert.equal(e.$metadata.httpStatusCode, 403);
    assert.equal(e.message, deniedText(`arn:aws:iam::${ACCOUNT}:user/alice`, accountRole));
    await root.iam.send(new PutUserPolicyCommand({ UserName: "alice", PolicyName: "assume", PolicyDocument: allow("sts:AssumeRole", accountRole) }));
    assert.ok(await assume(aliceSts, { RoleArn: accountRole, RoleSessionName: "a2" }));
  });

  it("refuses when the trust policy does not name the caller, whatever the caller's own policies allow", async () => {
    const bob = await user(root.iam, "bob", allow("sts:AssumeRole"));
    const roleArn = await role(root.iam, "not-for-bob", trust({ AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }));
    const e = await rejects(clients(app.url, bob).sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "b-session" })));
    assert.equal(e.name, "AccessDenied");
    assert.equal(e.message, deniedText(`arn:aws:iam::${ACCOUNT}:user/bob`, roleArn));

    const lambdaOnly = await role(root.iam, "lambda-only", trust({ Service: "lambda.amazonaws.com" }));
    const asRoot = await rejects(root.sts.send(new AssumeRoleCommand({ RoleArn: lambdaOnly, RoleSessionName: "r-session" })));
    assert.equal(asRoot.name, "AccessDenied");
    assert.equal(asRoot.message, deniedText(`arn:aws:iam::${ACCOUNT}:root`, lambdaOnly));

    const missing = `arn:aws:iam::${ACCOUNT}:role/does-not-exist`;
    const none = await rejects(root.sts.send(new AssumeRoleCommand({ RoleArn: missing, RoleSessionName: "r-session" })));
    assert.equal(none.name, "AccessDenied", "a missing role is not revealed");
    assert.equal(none.message, deniedText(`arn:aws:iam::${ACCOUNT}:root`, missing));
  });

  it("cross account: the trust policy and the caller's identity policy must both allow", async () => {
    const other = clients(app.url, { accessKeyId: OTHER, secretAccessKey: "test" });
    const roleArn = await role(other.iam, "shared", trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), "arn:aws:iam::aws:policy/IAMReadOnlyAccess");
    assert.equal(roleArn, `arn:aws:iam::${OTHER}:role/shared`);
    const carl = await user(root.iam, "carl");
    const denied = await rejects(clients(app.url, carl).sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "x-session" })));
    assert.equal(denied.name, "AccessDenied");
    assert.equal(denied.message, deniedText(`arn:aws:iam::${ACCOUNT}:user/carl`, roleArn));

    await root.iam.send(new PutUserPolicyCommand({ UserName: "carl", PolicyName: "x", PolicyDocument: allow("sts:AssumeRole", roleArn) }));
    const session = await assume(clients(app.url, carl).sts, { RoleArn: roleArn, RoleSessionName: "x-session" });
    const s = clients(app.url, session);
    const who = await s.sts.send(new GetCallerIdentityCommand({}));
    assert.equal(who.Account, OTHER);
    assert.equal(who.Arn, `arn:aws:sts::${OTHER}:assumed-role/shared/x-session`);
    // The session acts in the role's account with the role's permissions.
    assert.ok((await s.iam.send(new ListRolesCommand({}))).Roles?.some((r) => r.RoleName === "shared"));
  });

  it("session policies narrow the role's permissions (Policy and PolicyArns)", async () => {
    const roleArn = await role(root.iam, "admin-role", trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), "arn:aws:iam::aws:policy/AdministratorAccess");
    const full = clients(app.url, await assume(root.sts, { RoleArn: roleArn, RoleSessionName: "full" }));
    assert.ok(await full.iam.send(new ListUsersCommand({})));

    const narrowed = clients(app.url, await assume(root.sts, { RoleArn: roleArn, RoleSessionName: "narrow", Policy: allow("iam:ListRoles") }));
    assert.ok(await narrowed.iam.send(new ListRolesCommand({})));
    const e = await rejects(narrowed.iam.send(new ListUsersCommand({})));
    assert.equal(e.name, "AccessDenied");
    assert.equal(
      e.message,
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/admin-role/narrow is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no session policy allows the iam:ListUsers action`,
    );

    const byArn = clients(app.url, await assume(root.sts, { RoleArn: roleArn, RoleSessionName: "by-arn", PolicyArns: [{ arn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess" }] }));
    assert.ok(await byArn.iam.send(new ListUsersCommand({})));
    assert.equal((await rejects(byArn.iam.send(new CreateUserCommand({ UserName: "nope" })))).name, "AccessDenied");

    // A session policy cannot grant what the role lacks.
    const readRole = await role(root.iam, "read-role", trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), "arn:aws:iam::aws:policy/IAMReadOnlyAccess");
    const wide = clients(app.url, await assume(root.sts, { RoleArn: readRole, RoleSessionName: "wide", Policy: allow("iam:*") }));
    assert.equal((await rejects(wide.iam.send(new CreateUserCommand({ UserName: "nope" })))).name, "AccessDenied");

    const malformed = await rejects(root.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "bad", Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam","Resource":"*"}]}' })));
    assert.equal(malformed.name, "MalformedPolicyDocumentException");
    assert.equal(malformed.$metadata.httpStatusCode, 400);
  });

  it("the role's permissions boundary applies to its sessions", async () => {
    const roleArn = await role(root.iam, "bounded-role", trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), "arn:aws:iam::aws:policy/AdministratorAccess");
    await root.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "bounded-role", PermissionsBoundary: "arn:aws:iam::aws:policy/IAMReadOnlyAccess" }));
    const s = clients(app.url, await assume(root.sts, { RoleArn: roleArn, RoleSessionName: "b-session" }));
    assert.ok(await s.iam.send(new ListUsersCommand({})));
    const e = await rejects(s.iam.send(new CreatePolicyCommand({ PolicyName: "x", PolicyDocument: allow("s3:*") })));
    assert.match(e.message, /because no permissions boundary allows the iam:CreatePolicy action$/);
  });

  it("validates DurationSeconds against the role and RoleSessionName against the model", async () => {
    const roleArn = await role(root.iam, "short", trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }));
    const tooLong = await rejects(root.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "ss", DurationSeconds: 7200 })));
    assert.equal(tooLong.name, "ValidationError");
    assert.equal(tooLong.$metadata.httpStatusCode, 400);
    assert.equal(tooLong.message, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    const tooShort = await rejects(root.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "ss", DurationSeconds: 600 })));
    assert.equal(tooShort.name, "ValidationError");
    assert.match(tooShort.message, /at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900/);
    const badName = await rejects(root.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "has space" })));
    assert.equal(badName.name, "ValidationError");
    assert.match(badName.message, /at 'roleSessionName' failed to satisfy constraint/);
    const oneChar = await rejects(root.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "s" })));
    assert.equal(oneChar.name, "ValidationError");
    const out = await root.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "ok", DurationSeconds: 900 }));
    const lifetime = out.Credentials!.Expiration!.getTime() - app.clock.now();
    assert.ok(lifetime > 890_000 && lifetime <= 900_000, `lifetime ${lifetime}`);
  });

  it("session keys expire on the simulated clock: ExpiredToken, 403", async () => {
    const roleArn = await role(root.iam, "expiring", trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }));
    const creds = await assume(root.sts, { RoleArn: roleArn, RoleSessionName: "e-session" });
    const sts = clients(app.url, creds).sts;
    assert.ok(await sts.send(new GetCallerIdentityCommand({})));
    const advanced = await fetch(`${app.url}/_hyperlocal/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds: 3700 }) });
    assert.equal(advanced.status, 200);
    const e = await rejects(sts.send(new GetCallerIdentityCommand({})));
    assert.equal(e.name, "ExpiredToken"); // AWS's code for an expired session on every query service
    assert.equal(e.$metadata.httpStatusCode, 403);
    assert.equal(e.message, "The security token included in the request is expired");
    // A wrong session token is refused as invalid, not expired.
    const fresh = await assume(root.sts, { RoleArn: roleArn, RoleSessionName: "f-session" });
    const wrong = await rejects(clients(app.url, { ...fresh, sessionToken: `${fresh.sessionToken}x` }).sts.send(new GetCallerIdentityCommand({})));
    assert.equal(wrong.name, "InvalidClientTokenId");
  });

  it("a deleted role's sessions keep their identity but lose every permission", async () => {
    const roleArn = await role(root.iam, "doomed", trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), "arn:aws:iam::aws:policy/IAMReadOnlyAccess");
    const s = clients(app.url, await assume(root.sts, { RoleArn: roleArn, RoleSessionName: "d-session" }));
    assert.ok(await s.iam.send(new ListUsersCommand({})));
    await root.iam.send(new DetachRolePolicyCommand({ RoleName: "doomed", PolicyArn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess" }));
    await root.iam.send(new DeleteRoleCommand({ RoleName: "doomed" }));
    await role(root.iam, "doomed", trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), "arn:aws:iam::aws:policy/IAMReadOnlyAccess");
    assert.equal((await rejects(s.iam.send(new ListUsersCommand({})))).name, "AccessDenied", "a new role of the same name does not revive old sessions");
  });

  it("role chaining is limited to one hour", async () => {
    const first = await role(root.iam, "chain-1", trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }));
    const second = (await root.iam.send(new CreateRoleCommand({ RoleName: "chain-2", MaxSessionDuration: 7200, AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${ACCOUNT}:role/chain-1` }) }))).Role!.Arn!;
    const s1 = clients(app.url, await assume(root.sts, { RoleArn: first, RoleSessionName: "one" }));
    const chained = await rejects(s1.sts.send(new AssumeRoleCommand({ RoleArn: second, RoleSessionName: "two", DurationSeconds: 7200 })));
    assert.equal(chained.name, "ValidationError");
    assert.equal(chained.message, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
    const s2 = await assume(s1.sts, { RoleArn: second, RoleSessionName: "two" });
    assert.equal((await clients(app.url, s2).sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/chain-2/two`);
  });
});

describe("AssumeRole without enforcement", () => {
  it("--iam off lets any caller assume an existing role, still not a missing one", async () => {
    const off = await startTestServer({ iam: "off" });
    try {
      const c = clients(off.url);
      const roleArn = await role(c.iam, "anyone", trust({ Service: "lambda.amazonaws.com" }));
      const s = await assume(c.sts, { RoleArn: roleArn, RoleSessionName: "off-session" });
      assert.equal((await clients(off.url, s).sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/anyone/off-session`);
      const missing = await rejects(c.sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/none`, RoleSessionName: "off-session" })));
      assert.equal(missing.name, "AccessDenied");
    } finally {
      await off.close();
    }
  });
});

describe("GetSessionToken", () => {
  it("gives a user temporary keys that act as that user", async () => {
    const dana = await user(root.iam, "dana");
    await root.iam.send(new AttachUserPolicyCommand({ UserName: "dana", PolicyArn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess" }));
    const out = await clients(app.url, dana).sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const c = out.Credentials!;
    assert.match(c.AccessKeyId!, /^ASIA/);
    const temp = clients(app.url, { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });
    const who = await temp.sts.send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:iam::${ACCOUNT}:user/dana`);
    assert.ok(await temp.iam.send(new ListUsersCommand({})));
    assert.equal((await rejects(temp.iam.send(new CreateUserCommand({ UserName: "nope" })))).name, "AccessDenied");
    const noToken = await rejects(clients(app.url, { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey! }).sts.send(new GetCallerIdentityCommand({})));
    assert.equal(noToken.name, "InvalidClientTokenId");

    const again = await rejects(temp.sts.send(new GetSessionTokenCommand({})));
    assert.equal(again.name, "AccessDenied");
    assert.equal(again.message, "Cannot call GetSessionToken with session credentials");
  });

  it("is refused to role sessions", async () => {
    const roleArn = await role(root.iam, "no-gst", trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }));
    const s = clients(app.url, await assume(root.sts, { RoleArn: roleArn, RoleSessionName: "g-session" }));
    const e = await rejects(s.sts.send(new GetSessionTokenCommand({})));
    assert.equal(e.name, "AccessDenied");
    assert.equal(e.$metadata.httpStatusCode, 403);
  });
});
