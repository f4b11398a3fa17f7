// The IAM API through the AWS SDK: users, groups, roles, managed policies and their versions,
// inline policies, attachments, access keys, pagination, and AWS's errors for bad input.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  GetGroupCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListGroupsForUserCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  SetDefaultPolicyVersionCommand,
  TagRoleCommand,
  TagUserCommand,
  UntagRoleCommand,
  UpdateAccessKeyCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateUserCommand,
  type CreatePolicyVersionCommandOutput,
  type IAMClient,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { App } from "../../src/app.ts";
import { clients, rejects } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";

const ACCOUNT = "000000000000";
const allow = (action: string | string[], resource: string | string[] = "*") =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: resource }] });
const TRUST_LAMBDA = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });

let app: App;
let iam: IAMClient;

before(async () => {
  app = await startTestServer({ iam: "enforce" });
  iam = clients(app.url).iam;
});
after(async () => {
  await app.close();
});

describe("users", () => {
  it("creates, reads, renames, tags and deletes a user; names are unique case-insensitively", async () => {
    const created = await iam.send(new CreateUserCommand({ UserName: "carol", Path: "/eng/", Tags: [{ Key: "team", Value: "blue" }] }));
    assert.equal(created.User?.Arn, `arn:aws:iam::${ACCOUNT}:user/eng/carol`);
    assert.match(created.User?.UserId ?? "", /^AIDA[A-Z2-7]{17}$/);
    assert.ok(created.User?.CreateDate instanceof Date);

    const dup = await rejects(iam.send(new CreateUserCommand({ UserName: "CAROL" })));
    assert.equal(dup.name, "EntityAlreadyExistsException");
    assert.equal(dup.$metadata.httpStatusCode, 409);
    assert.equal(dup.message, "User with name CAROL already exists.");

    const got = await iam.send(new GetUserCommand({ UserName: "carol" }));
    assert.deepEqual(got.User?.Tags, [{ Key: "team", Value: "blue" }]);
    await iam.send(new TagUserCommand({ UserName: "carol", Tags: [{ Key: "team", Value: "red" }, { Key: "cost", Value: "1" }] }));
    assert.deepEqual((await iam.send(new GetUserCommand({ UserName: "carol" }))).User?.Tags, [
      { Key: "team", Value: "red" },
      { Key: "cost", Value: "1" },
    ]);

    await iam.send(new UpdateUserCommand({ UserName: "carol", NewUserName: "caroline", NewPath: "/ops/" }));
    assert.equal((await iam.send(new GetUserCommand({ UserName: "caroline" }))).User?.Arn, `arn:aws:iam::${ACCOUNT}:user/ops/caroline`);

    const missing = await rejects(iam.send(new GetUserCommand({ UserName: "carol" })));
    assert.equal(missing.name, "NoSuchEntityException");
    assert.equal(missing.$metadata.httpStatusCode, 404);
    assert.equal(missing.message, "The user with name carol cannot be found.");

    await iam.send(new DeleteUserCommand({ UserName: "caroline" }));
    assert.equal((await rejects(iam.send(new GetUserCommand({ UserName: "caroline" })))).name, "NoSuchEntityException");
  });

  it("refuses names and paths outside the model's patterns with ValidationError", async () => {
    const bad = await rejects(iam.send(new CreateUserCommand({ UserName: "has space" })));
    assert.equal(bad.name, "ValidationError");
    assert.equal(bad.$metadata.httpStatusCode, 400);
    assert.match(bad.message, /Value 'has space' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    const badPath = await rejects(iam.send(new CreateUserCommand({ UserName: "dave", Path: "no-slashes" })));
    assert.equal(badPath.name, "ValidationError");
  });

  it("GetUser without a name answers for the caller: the root, or the IAM user", async () => {
    const rootUser = await iam.send(new GetUserCommand({}));
    assert.equal(rootUser.User?.Arn, `arn:aws:iam::${ACCOUNT}:root`);
    assert.equal(rootUser.User?.UserId, ACCOUNT);

    await iam.send(new CreateUserCommand({ UserName: "selfie" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "selfie", PolicyName: "self", PolicyDocument: allow("iam:GetUser", `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "selfie" }))).AccessKey!;
    const self = clients(app.url, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }).iam;
    assert.equal((await self.send(new GetUserCommand({}))).User?.UserName, "selfie");
    const other = await rejects(self.send(new GetUserCommand({ UserName: "nobody" })));
    assert.equal(other.name, "AccessDenied");
  });

  it("will not delete a user that still has keys or policies (DeleteConflict)", async () => {
    await iam.send(new CreateUserCommand({ UserName: "sticky" }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "sticky" }))).AccessKey!;
    const withKey = await rejects(iam.send(new DeleteUserCommand({ UserName: "sticky" })));
    assert.equal(withKey.name, "DeleteConflictException");
    assert.equal(withKey.$metadata.httpStatusCode, 409);
    assert.equal(withKey.message, "Cannot delete entity, must delete access keys first.");
    await iam.send(new DeleteAccessKeyCommand({ UserName: "sticky", AccessKeyId: key.AccessKeyId }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "sticky", PolicyArn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess" }));
    const withPolicy = await rejects(iam.send(new DeleteUserCommand({ UserName: "sticky" })));
    assert.equal(withPolicy.message, "Cannot delete entity, must detach all policies first.");
    await iam.send(new DetachUserPolicyCommand({ UserName: "sticky", PolicyArn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess" }));
    await iam.send(new DeleteUserCommand({ UserName: "sticky" }));
  });
});

describe("pagination", () => {
  it("pages ListUsers with MaxItems and Marker, in name order, without repeats", async () => {
    const names = ["pg-e", "pg-a", "pg-d", "pg-b", "pg-c"];
    for (const n of names) await iam.send(new CreateUserCommand({ UserName: n, Path: "/paged/" }));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await iam.send(new ListUsersCommand({ PathPrefix: "/paged/", MaxItems: 2, Marker: marker }));
      assert.ok((page.Users?.length ?? 0) <= 2);
      seen.push(...(page.Users ?? []).map((u) => u.UserName!));
      marker = page.IsTruncated ? page.Marker : undefined;
      if (page.IsTruncated) assert.ok(page.Marker);
      pages++;
    } while (marker);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...names].sort());
  });

  it("pages ListPolicies, and filters it by Scope, PathPrefix and OnlyAttached", async () => {
    for (const n of ["lp-1", "lp-2", "lp-3"]) await iam.send(new CreatePolicyCommand({ PolicyName: n, Path: "/lp/", PolicyDocument: allow("s3:GetObject") }));
    const first = await iam.send(new ListPoliciesCommand({ Scope: "Local", PathPrefix: "/lp/", MaxItems: 2 }));
    assert.deepEqual(first.Policies?.map((p) => p.PolicyName), ["lp-1", "lp-2"]);
    assert.equal(first.IsTruncated, true);
    const second = await iam.send(new ListPoliciesCommand({ Scope: "Local", PathPrefix: "/lp/", MaxItems: 2, Marker: first.Marker }));
    assert.deepEqual(second.Policies?.map((p) => p.PolicyName), ["lp-3"]);
    assert.equal(second.IsTruncated, false);

    const aws = await iam.send(new ListPoliciesCommand({ Scope: "AWS", MaxItems: 1000 }));
    const awsNames = aws.Policies?.map((p) => p.PolicyName) ?? [];
    for (const n of [
      "AWSLambdaVPCAccessExecutionRole",
      "AWSLambdaBasicExecutionRole",
      "AWSLambdaENIManagementAccess",
      "AWSLambda_FullAccess",
      "AWSLambda_ReadOnlyAccess",
      "AdministratorAccess",
      "PowerUserAccess",
      "IAMFullAccess",
      "IAMReadOnlyAccess",
      "AmazonVPCFullAccess",
      "AmazonVPCReadOnlyAccess",
      "AmazonEC2ReadOnlyAccess",
    ]) {
      assert.ok(awsNames.includes(n), `${n} listed`);
    }
    assert.ok(!awsNames.includes("lp-1"));
    const serviceRole = await iam.send(new ListPoliciesCommand({ Scope: "AWS", PathPrefix: "/service-role/" }));
    assert.deepEqual(serviceRole.Policies?.map((p) => p.Arn).sort(), [
      "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
      "arn:aws:iam::aws:policy/service-role/AWSLambdaENIManagementAccess",
      "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
    ]);

    await iam.send(new CreateUserCommand({ UserName: "lp-user" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "lp-user", PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/lp/lp-2` }));
    const attached = await iam.send(new ListPoliciesCommand({ Scope: "Local", OnlyAttached: true, PathPrefix: "/lp/" }));
    assert.deepEqual(attached.Policies?.map((p) => [p.PolicyName, p.AttachmentCount]), [["lp-2", 1]]);
  });
});

describe("managed policies and versions", () => {
  it("serves AWS managed policies with their documents under their real ARNs", async () => {
    const arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";
    const p = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    assert.equal(p.Policy?.Path, "/service-role/");
    assert.equal(p.Policy?.DefaultVersionId, "v3");
    const v = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v3" }));
    const doc = JSON.parse(decodeURIComponent(v.PolicyVersion!.Document!));
    assert.deepEqual(doc.Statement[0].Action, [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "ec2:CreateNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSubnets",
      "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses",
    ]);
    const admin = await iam.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
    assert.equal(admin.Policy?.PolicyId, "ANPAIWMBCKSKIEE64ZLYK");
    const missing = await rejects(iam.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/NoSuchPolicy" })));
    assert.equal(missing.name, "NoSuchEntityException");
    assert.equal(missing.message, "Policy arn:aws:iam::aws:policy/NoSuchPolicy was not found.");
  });

  it("keeps up to 5 versions, switches the default, and protects the default version", async () => {
    const created = await iam.send(new CreatePolicyCommand({ PolicyName: "versioned", PolicyDocument: allow("s3:GetObject"), Description: "v test" }));
    const arn = created.Policy!.Arn!;
    assert.equal(arn, `arn:aws:iam::${ACCOUNT}:policy/versioned`);
    assert.equal(created.Policy?.DefaultVersionId, "v1");
    for (let i = 2; i <= 5; i++) {
      const v: CreatePolicyVersionCommandOutput = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: allow(`s3:Action${i}`), SetAsDefault: i === 3 }));
      assert.equal(v.PolicyVersion?.VersionId, `v${i}`);
    }
    const sixth = await rejects(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: allow("s3:Six") })));
    assert.equal(sixth.name, "LimitExceededException");
    assert.equal(sixth.$metadata.httpStatusCode, 409);
    assert.equal(sixth.message, "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.");

    const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
    assert.deepEqual(versions.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion]), [
      ["v5", false],
      ["v4", false],
      ["v3", true],
      ["v2", false],
      ["v1", false],
    ]);
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId, "v3");

    const delDefault = await rejects(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v3" })));
    assert.equal(delDefault.name, "DeleteConflictException");
    assert.equal(delDefault.message, "Cannot delete the default version of a policy.");

    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v5" }));
    const v5 = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v5" }));
    assert.equal(v5.PolicyVersion?.IsDefaultVersion, true);
    assert.deepEqual(JSON.parse(decodeURIComponent(v5.PolicyVersion!.Document!)).Statement[0].Action, "s3:Action5");

    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" }));
    const v6 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: allow("s3:Six") }));
    assert.equal(v6.PolicyVersion?.VersionId, "v6", "version ids are never reused");

    const withVersions = await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: arn })));
    assert.equal(withVersions.name, "DeleteConflictException");
    for (const v of ["v2", "v3", "v4", "v6"]) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    assert.equal((await rejects(iam.send(new GetPolicyCommand({ PolicyArn: arn })))).name, "NoSuchEntityException");
  });

  it("attaches, lists and detaches managed policies on users, groups and roles", async () => {
    const p = (await iam.send(new CreatePolicyCommand({ PolicyName: "shared", PolicyDocument: allow("ec2:Describe*") }))).Policy!;
    await iam.send(new CreateUserCommand({ UserName: "att-user" }));
    await iam.send(new CreateGroupCommand({ GroupName: "att-group" }));
    await iam.send(new CreateRoleCommand({ RoleName: "att-role", AssumeRolePolicyDocument: TRUST_LAMBDA }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "att-user", PolicyArn: p.Arn }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: "att-group", PolicyArn: p.Arn }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "att-role", PolicyArn: p.Arn }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "att-role", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" }));

    assert.deepEqual((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "att-user" }))).AttachedPolicies, [{ PolicyName: "shared", PolicyArn: p.Arn }]);
    assert.equal((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "att-role" }))).AttachedPolicies?.length, 2);
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: p.Arn }))).Policy?.AttachmentCount, 3);
    const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: p.Arn }));
    assert.deepEqual(entities.PolicyUsers?.map((u) => u.UserName), ["att-user"]);
    assert.deepEqual(entities.PolicyGroups?.map((g) => g.GroupName), ["att-group"]);
    assert.deepEqual(entities.PolicyRoles?.map((r) => r.RoleName), ["att-role"]);

    const inUse = await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: p.Arn })));
    assert.equal(inUse.name, "DeleteConflictException");
    assert.equal(inUse.message, "Cannot delete a policy attached to entities.");

    const roleInUse = await rejects(iam.send(new DeleteRoleCommand({ RoleName: "att-role" })));
    assert.equal(roleInUse.name, "DeleteConflictException");
    assert.equal(roleInUse.message, "Cannot delete entity, must detach all policies first.");

    const notAttachable = await rejects(iam.send(new AttachUserPolicyCommand({ UserName: "att-user", PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/ghost` })));
    assert.equal(notAttachable.name, "NoSuchEntityException");
    assert.equal(notAttachable.message, `Policy arn:aws:iam::${ACCOUNT}:policy/ghost does not exist or is not attachable.`);
    const badArn = await rejects(iam.send(new AttachUserPolicyCommand({ UserName: "att-user", PolicyArn: "arn:aws:s3:::bucket-not-a-policy" })));
    assert.equal(badArn.name, "InvalidInputException");
    assert.equal(badArn.$metadata.httpStatusCode, 400);

    await iam.send(new DetachRolePolicyCommand({ RoleName: "att-role", PolicyArn: p.Arn }));
    const again = await rejects(iam.send(new DetachRolePolicyCommand({ RoleName: "att-role", PolicyArn: p.Arn })));
    assert.equal(again.name, "NoSuchEntityException");
  });
});

describe("inline policies", () => {
  it("puts, gets, lists and deletes inline policies of users, groups and roles", async () => {
    await iam.send(new CreateUserCommand({ UserName: "inl" }));
    await iam.send(new CreateGroupCommand({ GroupName: "inl-group" }));
    await iam.send(new AddUserToGroupCommand({ GroupName: "inl-group", UserName: "inl" }));
    await iam.send(new CreateRoleCommand({ RoleName: "inl-role", AssumeRolePolicyDocument: TRUST_LAMBDA }));
    const doc = allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::b/*");
    await iam.send(new PutUserPolicyCommand({ UserName: "inl", PolicyName: "b", PolicyDocument: doc }));
    await iam.send(new PutUserPolicyCommand({ UserName: "inl", PolicyName: "a", PolicyDocument: doc }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: "inl-group", PolicyName: "g", PolicyDocument: doc }));
    await iam.send(new PutRolePolicyCommand({ RoleName: "inl-role", PolicyName: "r", PolicyDocument: doc }));

    assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: "inl" }))).PolicyNames, ["a", "b"]);
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: "inl-role" }))).PolicyNames, ["r"]);
    const got = await iam.send(new GetUserPolicyCommand({ UserName: "inl", PolicyName: "a" }));
    assert.equal(decodeURIComponent(got.PolicyDocument!), doc);
    assert.deepEqual((await iam.send(new ListGroupsForUserCommand({ UserName: "inl" }))).Groups?.map((g) => g.GroupName), ["inl-group"]);
    assert.deepEqual((await iam.send(new GetGroupCommand({ GroupName: "inl-group" }))).Users?.map((u) => u.UserName), ["inl"]);

    await iam.send(new DeleteUserPolicyCommand({ UserName: "inl", PolicyName: "a" }));
    const gone = await rejects(iam.send(new GetUserPolicyCommand({ UserName: "inl", PolicyName: "a" })));
    assert.equal(gone.name, "NoSuchEntityException");
    assert.equal(gone.message, "The user policy with name a cannot be found.");
  });

  it("limits the aggregate size of inline policies per user to 2048 non-whitespace characters", async () => {
    await iam.send(new CreateUserCommand({ UserName: "big" }));
    const actions = Array.from({ length: 70 }, (_, i) => `s3:Action${String(i).padStart(3, "0")}`); // ~1.1 K characters
    const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] }, null, 8);
    await iam.send(new PutUserPolicyCommand({ UserName: "big", PolicyName: "one", PolicyDocument: doc })); // whitespace does not count
    const second = await rejects(iam.send(new PutUserPolicyCommand({ UserName: "big", PolicyName: "two", PolicyDocument: doc })));
    assert.equal(second.name, "LimitExceededException");
    assert.equal(second.$metadata.httpStatusCode, 409);
    assert.equal(second.message, "Maximum policy size of 2048 bytes exceeded for user big");
    assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: "big" }))).PolicyNames, ["one"]);
  });
});

describe("bad policy documents", () => {
  const cases: [string, string, RegExp][] = [
    ["malformed JSON", '{"Version":"2012-10-17","Statement":[', /Syntax errors in policy/],
    ["an unknown Version", '{"Version":"2013-01-01","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}', /legacy parsing/],
    ["an Action without a colon", '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3GetObject","Resource":"*"}]}', /prefaced by a vendor/],
    ["an invalid resource ARN", '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3"}]}', /must be in ARN format/],
    [
      "a bad condition operator",
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualz":{"aws:username":"x"}}}]}',
      /Invalid Condition type : StringEqualz/,
    ],
  ];

  before(async () => {
    await iam.send(new CreateUserCommand({ UserName: "victim" }));
  });

  for (const [what, doc, message] of cases) {
    it(`refuses ${what} with MalformedPolicyDocument and stores nothing`, async () => {
      const before = (await iam.send(new ListPoliciesCommand({ Scope: "Local", MaxItems: 1000 }))).Policies?.map((p) => p.Arn);
      const e = await rejects(iam.send(new CreatePolicyCommand({ PolicyName: "bad-policy", PolicyDocument: doc })));
      assert.equal(e.name, "MalformedPolicyDocumentException");
      assert.equal(e.$metadata.httpStatusCode, 400);
      assert.match(e.message, message);
      assert.deepEqual((await iam.send(new ListPoliciesCommand({ Scope: "Local", MaxItems: 1000 }))).Policies?.map((p) => p.Arn), before);

      const inline = await rejects(iam.send(new PutUserPolicyCommand({ UserName: "victim", PolicyName: "bad", PolicyDocument: doc })));
      assert.equal(inline.name, "MalformedPolicyDocumentException");
      assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: "victim" }))).PolicyNames, []);
    });
  }

  it("refuses an oversized managed policy with LimitExceeded and stores nothing", async () => {
    const actions = Array.from({ length: 400 }, (_, i) => `ec2:DescribeThing${i}`);
    const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });
    const e = await rejects(iam.send(new CreatePolicyCommand({ PolicyName: "huge", PolicyDocument: doc })));
    assert.equal(e.name, "LimitExceededException");
    assert.equal(e.message, "Cannot exceed quota for PolicySize: 6144");
    assert.equal((await rejects(iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/huge` })))).name, "NoSuchEntityException");
  });

  it("refuses a trust policy with a Resource, or over 2048 characters, and keeps the old one", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "trusty", AssumeRolePolicyDocument: TRUST_LAMBDA }));
    const withResource = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Resource: "*" }] });
    const e = await rejects(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "trusty", PolicyDocument: withResource })));
    assert.equal(e.name, "MalformedPolicyDocumentException");
    const services = Array.from({ length: 120 }, (_, i) => `svc${i}.amazonaws.com`);
    const long = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: services }, Action: "sts:AssumeRole" }] });
    const tooLong = await rejects(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "trusty", PolicyDocument: long })));
    assert.equal(tooLong.name, "LimitExceededException");
    assert.equal(tooLong.message, "Cannot exceed quota for ACLSizePerRole: 2048");
    assert.equal(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: "trusty" }))).Role!.AssumeRolePolicyDocument!), TRUST_LAMBDA);
    const noRole = await rejects(iam.send(new CreateRoleCommand({ RoleName: "never", AssumeRolePolicyDocument: "{not json" })));
    assert.equal(noRole.name, "MalformedPolicyDocumentException");
    assert.equal((await rejects(iam.send(new GetRoleCommand({ RoleName: "never" })))).name, "NoSuchEntityException");
  });
});

describe("roles", () => {
  it("creates a role with trust policy, session duration and tags, and updates them", async () => {
    const r = await iam.send(
      new CreateRoleCommand({ RoleName: "exec", Path: "/service/", AssumeRolePolicyDocument: TRUST_LAMBDA, MaxSessionDuration: 7200, Description: "d", Tags: [{ Key: "a", Value: "1" }] }),
    );
    assert.equal(r.Role?.Arn, `arn:aws:iam::${ACCOUNT}:role/service/exec`);
    assert.match(r.Role?.RoleId ?? "", /^AROA/);
    assert.equal(r.Role?.MaxSessionDuration, 7200);
    const got = (await iam.send(new GetRoleCommand({ RoleName: "exec" }))).Role!;
    assert.equal(decodeURIComponent(got.AssumeRolePolicyDocument!), TRUST_LAMBDA);
    assert.equal(got.Description, "d");

    await iam.send(new UpdateRoleCommand({ RoleName: "exec", MaxSessionDuration: 43200 }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: "exec" }))).Role?.MaxSessionDuration, 43200);
    const tooLong = await rejects(iam.send(new UpdateRoleCommand({ RoleName: "exec", MaxSessionDuration: 50000 })));
    assert.equal(tooLong.name, "ValidationError");

    await iam.send(new TagRoleCommand({ RoleName: "exec", Tags: [{ Key: "b", Value: "2" }] }));
    await iam.send(new UntagRoleCommand({ RoleName: "exec", TagKeys: ["a"] }));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: "exec" }))).Tags, [{ Key: "b", Value: "2" }]);

    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "exec", PermissionsBoundary: "arn:aws:iam::aws:policy/AmazonVPCReadOnlyAccess" }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: "exec" }))).Role?.PermissionsBoundary?.PermissionsBoundaryArn, "arn:aws:iam::aws:policy/AmazonVPCReadOnlyAccess");

    await iam.send(new DeleteRoleCommand({ RoleName: "exec" }));
    assert.equal((await rejects(iam.send(new GetRoleCommand({ RoleName: "exec" })))).message, "The role with name exec cannot be found.");
  });
});

describe("access keys and account details", () => {
  it("shows a secret once, lists keys without it, and refuses inactive or deleted keys", async () => {
    await iam.send(new CreateUserCommand({ UserName: "keyed" }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: "keyed" }))).AccessKey!;
    assert.match(k.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(k.SecretAccessKey?.length, 40);
    await iam.send(new CreateAccessKeyCommand({ UserName: "keyed" }));
    const third = await rejects(iam.send(new CreateAccessKeyCommand({ UserName: "keyed" })));
    assert.equal(third.name, "LimitExceededException");
    assert.equal(third.message, "Cannot exceed quota for AccessKeysPerUser: 2");

    const listed = (await iam.send(new ListAccessKeysCommand({ UserName: "keyed" }))).AccessKeyMetadata ?? [];
    assert.equal(listed.length, 2);
    assert.ok(listed.every((m) => !("SecretAccessKey" in m) && m.Status === "Active"));

    const sts = clients(app.url, { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! }).sts;
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:user/keyed`);
    await iam.send(new UpdateAccessKeyCommand({ UserName: "keyed", AccessKeyId: k.AccessKeyId, Status: "Inactive" }));
    const inactive = await rejects(sts.send(new GetCallerIdentityCommand({})));
    assert.equal(inactive.name, "InvalidClientTokenId");
    assert.equal(inactive.$metadata.httpStatusCode, 403);
    await iam.send(new UpdateAccessKeyCommand({ UserName: "keyed", AccessKeyId: k.AccessKeyId, Status: "Active" }));
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, ACCOUNT);
    await iam.send(new DeleteAccessKeyCommand({ UserName: "keyed", AccessKeyId: k.AccessKeyId }));
    assert.equal((await rejects(sts.send(new GetCallerIdentityCommand({})))).name, "InvalidClientTokenId");
  });

  it("GetAccountAuthorizationDetails reports users, groups, roles and the policies in use", async () => {
    await iam.send(new CreateUserCommand({ UserName: "gaad" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "gaad", PolicyName: "inline", PolicyDocument: allow("s3:ListBucket") }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "gaad", PolicyArn: "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess" }));
    const d = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ["User", "AWSManagedPolicy"] }));
    const user = d.UserDetailList?.find((u) => u.UserName === "gaad");
    assert.ok(user);
    assert.equal(decodeURIComponent(user.UserPolicyList?.[0]?.PolicyDocument ?? ""), allow("s3:ListBucket"));
    assert.deepEqual(user.AttachedManagedPolicies, [{ PolicyName: "AmazonEC2ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess" }]);
    assert.equal(d.RoleDetailList?.length ?? 0, 0);
    const ec2ro = d.Policies?.find((p) => p.PolicyName === "AmazonEC2ReadOnlyAccess");
    assert.ok(ec2ro?.PolicyVersionList?.[0]?.Document?.includes("ec2%3ADescribe*"));
    assert.ok(!d.Policies?.some((p) => p.PolicyName === "PowerUserAccess"), "only policies in use");
  });
});
