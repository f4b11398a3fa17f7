// IAM enforcement seen from outside: callers signed as IAM users get exactly what their identity
// policies, groups and boundaries allow, with AWS's denial texts; the simulator agrees with it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  ListGroupsCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  SimulatePrincipalPolicyCommand,
  TagUserCommand,
  type IAMClient,
} from "@aws-sdk/client-iam";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients, rejects, type Creds } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";

const ACCOUNT = "000000000000";
const IAM_READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";

let app: App;
let root: IAMClient;

async function userWithKey(name: string, ...policyArns: string[]): Promise<Creds> {
  await root.send(new CreateUserCommand({ UserName: name }));
  for (const arn of policyArns) await root.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn }));
  const k = (await root.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
}

before(async () => {
  app = await startTestServer({ iam: "enforce" });
  root = clients(app.url).iam;
});
after(async () => {
  await app.close();
});

describe("identity policies", () => {
  it("a user with only IAMReadOnlyAccess may list users but not create one (AWS CLI)", { skip: !hasAwsCli() && "no /usr/bin/aws" }, async () => {
    const alice = await userWithKey("alice", IAM_READ_ONLY);
    const list = await aws(app.url, ["iam", "list-users"], alice);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(list.json.Users.some((u: { UserName: string }) => u.UserName === "alice"));

    const create = await aws(app.url, ["iam", "create-user", "--user-name", "bob"], alice);
    assert.notEqual(create.code, 0);
    assert.match(create.stderr, /An error occurred \(AccessDenied\) when calling the CreateUser operation/);
    assert.ok(
      create.stderr.includes(
        `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/bob because no identity-based policy allows the iam:CreateUser action`,
      ),
      create.stderr,
    );
    assert.equal((await rejects(root.send(new GetUserCommand({ UserName: "bob" })))).name, "NoSuchEntityException", "nothing was created");
  });

  it("the same through the SDK: 403 AccessDenied with AWS's message", async () => {
    const creds = await userWithKey("sdk-reader", IAM_READ_ONLY);
    const reader = clients(app.url, creds).iam;
    assert.ok((await reader.send(new ListUsersCommand({}))).Users?.length);
    const e = await rejects(reader.send(new CreateUserCommand({ UserName: "bob" })));
    assert.equal(e.name, "AccessDenied");
    assert.equal(e.$metadata.httpStatusCode, 403);
    assert.equal(
      e.message,
      `User: arn:aws:iam::${ACCOUNT}:user/sdk-reader is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/bob because no identity-based policy allows the iam:CreateUser action`,
    );
  });

  it("an explicit Deny wins over an Allow and says so", async () => {
    const creds = await userWithKey("denied", "arn:aws:iam::aws:policy/IAMFullAccess");
    await root.send(
      new PutUserPolicyCommand({
        UserName: "denied",
        PolicyName: "no-roles",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "NoRoles", Effect: "Deny", Action: "iam:ListRoles", Resource: "*" }] }),
      }),
    );
    const c = clients(app.url, creds).iam;
    assert.ok(await c.send(new ListUsersCommand({})));
    const e = await rejects(c.send(new ListRolesCommand({})));
    assert.equal(e.name, "AccessDenied");
    assert.equal(
      e.message,
      `User: arn:aws:iam::${ACCOUNT}:user/denied is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::${ACCOUNT}:role/ with an explicit deny in an identity-based policy`,
    );

    // Changes apply to the very next request: removing the Deny lifts it.
    await root.send(new DeleteUserPolicyCommand({ UserName: "denied", PolicyName: "no-roles" }));
    assert.ok(await c.send(new ListRolesCommand({})));
  });

  it("group policies apply to members, and stop applying when the policy goes", async () => {
    const creds = await userWithKey("member");
    const c = clients(app.url, creds).iam;
    assert.equal((await rejects(c.send(new ListUsersCommand({})))).name, "AccessDenied");
    await root.send(new CreateGroupCommand({ GroupName: "readers" }));
    await root.send(new PutGroupPolicyCommand({ GroupName: "readers", PolicyName: "list", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:List*", Resource: "*" }] }) }));
    await root.send(new AddUserToGroupCommand({ GroupName: "readers", UserName: "member" }));
    assert.ok(await c.send(new ListUsersCommand({})));
  });

  it("policy variables and principal tags come from the caller", async () => {
    const creds = await userWithKey("tagged");
    await root.send(new TagUserCommand({ UserName: "tagged", Tags: [{ Key: "team", Value: "blue" }] }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: "tagged",
        PolicyName: "self",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "iam:GetUser", Resource: "arn:aws:iam::*:user/${aws:username}" },
            { Effect: "Allow", Action: "iam:ListUsers", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "blue" } } },
          ],
        }),
      }),
    );
    const c = clients(app.url, creds).iam;
    assert.equal((await c.send(new GetUserCommand({ UserName: "tagged" }))).User?.UserName, "tagged");
    assert.equal((await rejects(c.send(new GetUserCommand({ UserName: "alice" })))).name, "AccessDenied");
    assert.ok(await c.send(new ListUsersCommand({})));
    await root.send(new TagUserCommand({ UserName: "tagged", Tags: [{ Key: "team", Value: "red" }] }));
    assert.equal((await rejects(c.send(new ListUsersCommand({})))).name, "AccessDenied");
  });
});

describe("permissions boundaries", () => {
  it("a boundary removes what the identity policy allows, and the message names it", async () => {
    const creds = await userWithKey("bounded", "arn:aws:iam::aws:policy/AdministratorAccess");
    const c = clients(app.url, creds).iam;
    assert.ok(await c.send(new CreateUserCommand({ UserName: "made-by-bounded" })));
    await root.send(new PutUserPermissionsBoundaryCommand({ UserName: "bounded", PermissionsBoundary: IAM_READ_ONLY }));
    assert.ok(await c.send(new ListUsersCommand({})), "what the boundary allows still works");
    const e = await rejects(c.send(new CreateUserCommand({ UserName: "blocked" })));
    assert.equal(e.name, "AccessDenied");
    assert.equal(
      e.message,
      `User: arn:aws:iam::${ACCOUNT}:user/bounded is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/blocked because no permissions boundary allows the iam:CreateUser action`,
    );
    // A boundary grants nothing by itself.
    await root.send(new DetachUserPolicyCommand({ UserName: "bounded", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
    assert.equal((await rejects(c.send(new ListUsersCommand({})))).name, "AccessDenied");
  });
});

describe("the simulator agrees with enforcement", () => {
  it("simulate-principal-policy and simulate-custom-policy give the decisions the user gets (AWS CLI)", { skip: !hasAwsCli() && "no /usr/bin/aws" }, async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "List", Effect: "Allow", Action: "iam:List*", Resource: "*" },
        { Sid: "NoGroups", Effect: "Deny", Action: "iam:ListGroups", Resource: "*" },
      ],
    });
    const creds = await userWithKey("simmed");
    await root.send(new PutUserPolicyCommand({ UserName: "simmed", PolicyName: "sim", PolicyDocument: policy }));
    const userArn = `arn:aws:iam::${ACCOUNT}:user/simmed`;
    const c = clients(app.url, creds).iam;

    // What enforcement does:
    const enforced = {
      "iam:ListUsers": await c.send(new ListUsersCommand({})).then(() => "allowed", (e) => e.name),
      "iam:CreateUser": await c.send(new CreateUserCommand({ UserName: "x-sim" })).then(() => "allowed", (e) => e.name),
      "iam:ListGroups": await c.send(new ListGroupsCommand({})).then(() => "allowed", (e) => e.name),
    };
    assert.equal(enforced["iam:ListUsers"], "allowed");
    assert.equal(enforced["iam:CreateUser"], "AccessDenied");
    assert.equal(enforced["iam:ListGroups"], "AccessDenied");

    const principal = await aws(app.url, ["iam", "simulate-principal-policy", "--policy-source-arn", userArn, "--action-names", "iam:ListUsers", "iam:CreateUser", "iam:ListGroups"]);
    assert.equal(principal.code, 0, principal.stderr);
    const byAction = Object.fromEntries(principal.json.EvaluationResults.map((r: { EvalActionName: string; EvalDecision: string }) => [r.EvalActionName, r.EvalDecision]));
    assert.deepEqual(byAction, { "iam:ListUsers": "allowed", "iam:CreateUser": "implicitDeny", "iam:ListGroups": "explicitDeny" });
    const listUsers = principal.json.EvaluationResults.find((r: { EvalActionName: string }) => r.EvalActionName === "iam:ListUsers");
    assert.equal(listUsers.MatchedStatements[0].SourcePolicyId, "sim");
    assert.equal(listUsers.MatchedStatements[0].SourcePolicyType, "user");
    assert.equal(listUsers.MatchedStatements[0].StartPosition.Line, 1);
    assert.ok(listUsers.MatchedStatements[0].EndPosition.Column > listUsers.MatchedStatements[0].StartPosition.Column);

    const custom = await aws(app.url, ["iam", "simulate-custom-policy", "--policy-input-list", policy, "--caller-arn", userArn, "--action-names", "iam:ListUsers", "iam:CreateUser"]);
    assert.equal(custom.code, 0, custom.stderr);
    const customBy = Object.fromEntries(custom.json.EvaluationResults.map((r: { EvalActionName: string; EvalDecision: string }) => [r.EvalActionName, r.EvalDecision]));
    assert.deepEqual(customBy, { "iam:ListUsers": "allowed", "iam:CreateUser": "implicitDeny" });
    assert.equal(custom.json.EvaluationResults[0].MatchedStatements[0].SourcePolicyId, "PolicyInputList.1");
  });

  it("conditions on global keys are decided from the same context in both (SDK)", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "iam:ListUsers", Resource: "*", Condition: { StringEquals: { "aws:username": "ctx-user", "aws:PrincipalType": "User" }, IpAddress: { "aws:SourceIp": "127.0.0.0/8" } } }],
    });
    const creds = await userWithKey("ctx-user");
    await root.send(new PutUserPolicyCommand({ UserName: "ctx-user", PolicyName: "ctx", PolicyDocument: policy }));
    assert.ok(await clients(app.url, creds).iam.send(new ListUsersCommand({})));
    const sim = await root.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/ctx-user`, ActionNames: ["iam:ListUsers"] }));
    assert.equal(sim.EvaluationResults?.[0]?.EvalDecision, "allowed");
    const otherIp = await root.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/ctx-user`,
        ActionNames: ["iam:ListUsers"],
        ContextEntries: [{ ContextKeyName: "aws:SourceIp", ContextKeyValues: ["203.0.113.9"], ContextKeyType: "ip" }],
      }),
    );
    assert.equal(otherIp.EvaluationResults?.[0]?.EvalDecision, "implicitDeny");
  });
});

describe("the decision log", () => {
  it("GET /_hyperlocal/iam/decisions lists recent decisions, newest first, with the matched statement", async () => {
    const creds = await userWithKey("logged", IAM_READ_ONLY);
    const c = clients(app.url, creds).iam;
    await c.send(new ListUsersCommand({}));
    await rejects(c.send(new CreateUserCommand({ UserName: "nope" })));
    const body = (await (await fetch(`${app.url}/_hyperlocal/iam/decisions?limit=5`)).json()) as { decisions: Record<string, any>[] };
    assert.ok(body.decisions.length <= 5);
    const [newest, previous] = body.decisions;
    assert.equal(newest.principal, `arn:aws:iam::${ACCOUNT}:user/logged`);
    assert.equal(newest.action, "iam:CreateUser");
    assert.equal(newest.resource, `arn:aws:iam::${ACCOUNT}:user/nope`);
    assert.equal(newest.result, "ImplicitDeny");
    assert.ok(newest.contextKeys.includes("aws:PrincipalArn") && newest.contextKeys.includes("aws:SourceIp"));
    assert.equal(previous.action, "iam:ListUsers");
    assert.equal(previous.result, "Allowed");
    assert.equal(previous.matchedStatements[0].policy, IAM_READ_ONLY);
    assert.ok(Date.parse(newest.time) > 0);
  });
});

describe("soft mode", () => {
  it("--iam soft decides and logs, but lets denied requests through", async () => {
    const soft = await startTestServer({ iam: "soft" });
    try {
      const r = clients(soft.url).iam;
      await r.send(new CreateUserCommand({ UserName: "softy" }));
      const k = (await r.send(new CreateAccessKeyCommand({ UserName: "softy" }))).AccessKey!;
      const c = clients(soft.url, { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! }).iam;
      assert.ok(await c.send(new CreateUserCommand({ UserName: "made-softly" })));
      const body = (await (await fetch(`${soft.url}/_hyperlocal/iam/decisions?limit=1`)).json()) as { decisions: Record<string, any>[] };
      assert.equal(body.decisions[0].action, "iam:CreateUser");
      assert.equal(body.decisions[0].result, "ImplicitDeny");
      assert.equal(body.decisions[0].via, "soft");
    } finally {
      await soft.close();
    }
  });
});
