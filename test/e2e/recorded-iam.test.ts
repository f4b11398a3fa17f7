// IAM and STS facts recorded against real AWS, each case naming its recording: LocalStack's
// AWS-validated snapshots (localstack/localstack tests/aws/services/iam/test_iam_roles.snapshot.json,
// test_iam.snapshot.json, tests/aws/services/sts/test_sts.snapshot.json). Our own tests, same facts.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as I from "@aws-sdk/client-iam";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import type { App } from "../../src/app.ts";
import { clients } from "../support/clients.ts";
import { LOCALSTACK, recordedError } from "../support/recorded.ts";
import { startTestServer } from "../support/server.ts";

const ROLES = `${LOCALSTACK} tests/aws/services/iam/test_iam_roles.snapshot.json`;
const IAM = `${LOCALSTACK} tests/aws/services/iam/test_iam.snapshot.json`;
const STS = `${LOCALSTACK} tests/aws/services/sts/test_sts.snapshot.json`;
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const POLICY = JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::example_bucket" } });

describe("recorded IAM and STS answers", () => {
  let app: App;
  let c: ReturnType<typeof clients>;
  before(async () => {
    app = await startTestServer();
    c = clients(app.url);
  });
  after(() => app?.close());

  describe(`${ROLES} TestRoleLifecycle::test_role_errors`, () => {
    const missing = "The role with name test-nonexistent-role cannot be found.";
    it("GetRole of a missing role: 404 NoSuchEntity 'The role with name X cannot be found.'", async () => {
      await recordedError(c.iam.send(new I.GetRoleCommand({ RoleName: "test-nonexistent-role" })), "NoSuchEntity", 404, missing);
    });
    it("UpdateRole of a missing role: the same", async () => {
      await recordedError(c.iam.send(new I.UpdateRoleCommand({ RoleName: "test-nonexistent-role", Description: "x" })), "NoSuchEntity", 404, missing);
    });
    it("DeleteRole of a missing role: the same", async () => {
      await recordedError(c.iam.send(new I.DeleteRoleCommand({ RoleName: "test-nonexistent-role" })), "NoSuchEntity", 404, missing);
    });
    it("CreateRole twice: 409 EntityAlreadyExists 'Role with name X already exists.'", async () => {
      await c.iam.send(new I.CreateRoleCommand({ RoleName: "dup-role", AssumeRolePolicyDocument: TRUST }));
      await recordedError(c.iam.send(new I.CreateRoleCommand({ RoleName: "dup-role", AssumeRolePolicyDocument: TRUST })), "EntityAlreadyExists", 409, "Role with name dup-role already exists.");
    });
  });

  describe(`${ROLES} TestRoleLifecycle::test_create_role_defaults`, () => {
    it("CreateRole answers Path '/', without MaxSessionDuration or RoleLastUsed", async () => {
      const r = (await c.iam.send(new I.CreateRoleCommand({ RoleName: "defaults-role", AssumeRolePolicyDocument: TRUST }))).Role!;
      assert.equal(r.Path, "/");
      assert.equal(r.MaxSessionDuration, undefined);
      assert.equal(r.RoleLastUsed, undefined);
    });
    it("GetRole adds MaxSessionDuration 3600 and an empty RoleLastUsed", async () => {
      const r = (await c.iam.send(new I.GetRoleCommand({ RoleName: "defaults-role" }))).Role!;
      assert.equal(r.MaxSessionDuration, 3600);
      assert.deepEqual(r.RoleLastUsed, {});
    });
  });

  describe(`${ROLES} TestRoleLifecycle::test_delete_role_with_attached_policy / _inline_policy`, () => {
    it("a role with a managed policy: 409 DeleteConflict 'Cannot delete entity, must detach all policies first.'", async () => {
      await c.iam.send(new I.CreateRoleCommand({ RoleName: "attached-role", AssumeRolePolicyDocument: TRUST }));
      const arn = (await c.iam.send(new I.CreatePolicyCommand({ PolicyName: "rec-policy", PolicyDocument: POLICY }))).Policy!.Arn!;
      await c.iam.send(new I.AttachRolePolicyCommand({ RoleName: "attached-role", PolicyArn: arn }));
      await recordedError(c.iam.send(new I.DeleteRoleCommand({ RoleName: "attached-role" })), "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.");
    });
    it("a role with an inline policy: 409 DeleteConflict 'Cannot delete entity, must delete policies first.'", async () => {
      await c.iam.send(new I.CreateRoleCommand({ RoleName: "inline-role", AssumeRolePolicyDocument: TRUST }));
      await c.iam.send(new I.PutRolePolicyCommand({ RoleName: "inline-role", PolicyName: "p1", PolicyDocument: POLICY }));
      await recordedError(c.iam.send(new I.DeleteRoleCommand({ RoleName: "inline-role" })), "DeleteConflict", 409, "Cannot delete entity, must delete policies first.");
    });
  });

  describe(`${ROLES} TestRoleLifecycle::test_update_role`, () => {
    it("UpdateRole changes MaxSessionDuration and Description; UpdateRoleDescription answers the role", async () => {
      await c.iam.send(new I.CreateRoleCommand({ RoleName: "upd-role", AssumeRolePolicyDocument: TRUST, Description: "initial description" }));
      await c.iam.send(new I.UpdateRoleCommand({ RoleName: "upd-role", Description: "updated description", MaxSessionDuration: 7200 }));
      const r = (await c.iam.send(new I.GetRoleCommand({ RoleName: "upd-role" }))).Role!;
      assert.equal(r.Description, "updated description");
      assert.equal(r.MaxSessionDuration, 7200);
      const d = (await c.iam.send(new I.UpdateRoleDescriptionCommand({ RoleName: "upd-role", Description: "description via update_role_description" }))).Role!;
      assert.equal(d.Description, "description via update_role_description");
      assert.equal(d.MaxSessionDuration, undefined, "UpdateRoleDescription answers the role without MaxSessionDuration");
      assert.equal(d.RoleLastUsed, undefined);
    });
  });

  describe(`${ROLES} TestRoleLifecycle::test_update_assume_role_policy_errors`, () => {
    const upd = (doc: string) => c.iam.send(new I.UpdateAssumeRolePolicyCommand({ RoleName: "upd-role", PolicyDocument: doc }));
    it("invalid JSON: MalformedPolicyDocument 'This policy contains invalid Json'", async () => {
      await recordedError(upd("{not json"), "MalformedPolicyDocument", 400, "This policy contains invalid Json");
    });
    it("an action other than sts:AssumeRole*: 'AssumeRole policy may only specify STS AssumeRole actions.'", async () => {
      const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "s3:GetObject" }] });
      await recordedError(upd(doc), "MalformedPolicyDocument", 400, "AssumeRole policy may only specify STS AssumeRole actions.");
    });
    it("a Resource in a trust policy: 'Has prohibited field Resource'", async () => {
      const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole", Resource: "*" }] });
      await recordedError(upd(doc), "MalformedPolicyDocument", 400, "Has prohibited field Resource");
    });
  });

  describe(`${ROLES} TestRoleInlinePolicies::test_role_inline_policy_lifecycle`, () => {
    it("GetRolePolicy of a deleted policy: 404 'The role policy with name X cannot be found.'", async () => {
      await c.iam.send(new I.PutRolePolicyCommand({ RoleName: "upd-role", PolicyName: "gone", PolicyDocument: POLICY }));
      await c.iam.send(new I.DeleteRolePolicyCommand({ RoleName: "upd-role", PolicyName: "gone" }));
      await recordedError(c.iam.send(new I.GetRolePolicyCommand({ RoleName: "upd-role", PolicyName: "gone" })), "NoSuchEntity", 404, "The role policy with name gone cannot be found.");
    });
    it("DeleteRolePolicy of a missing policy: the same", async () => {
      await recordedError(c.iam.send(new I.DeleteRolePolicyCommand({ RoleName: "upd-role", PolicyName: "gone" })), "NoSuchEntity", 404, "The role policy with name gone cannot be found.");
    });
    it("ListRolePolicies answers IsTruncated false", async () => {
      const l = await c.iam.send(new I.ListRolePoliciesCommand({ RoleName: "upd-role" }));
      assert.equal(l.IsTruncated, false);
      assert.deepEqual(l.PolicyNames, []);
    });
  });

  describe(`${ROLES} TestRoleManagedPolicies::test_role_managed_policy_lifecycle`, () => {
    it("ListAttachedRolePolicies of a role without any: [] and IsTruncated false", async () => {
      const l = await c.iam.send(new I.ListAttachedRolePoliciesCommand({ RoleName: "upd-role" }));
      assert.deepEqual(l.AttachedPolicies, []);
      assert.equal(l.IsTruncated, false);
    });
  });

  describe(`${IAM} TestIAMIntegrations::test_role_attach_policy / test_user_attach_policy`, () => {
    it("AttachRolePolicy of a well-formed ARN that does not exist: 404 'Policy <arn> does not exist or is not attachable.'", async () => {
      const arn = "arn:aws:iam::000000000000:policy/rec-policy123";
      await recordedError(c.iam.send(new I.AttachRolePolicyCommand({ RoleName: "upd-role", PolicyArn: arn })), "NoSuchEntity", 404, `Policy ${arn} does not exist or is not attachable.`);
    });
    it("AttachUserPolicy: the same", async () => {
      await c.iam.send(new I.CreateUserCommand({ UserName: "rec-user" }));
      const arn = "arn:aws:iam::000000000000:policy/rec-policy123";
      await recordedError(c.iam.send(new I.AttachUserPolicyCommand({ UserName: "rec-user", PolicyArn: arn })), "NoSuchEntity", 404, `Policy ${arn} does not exist or is not attachable.`);
    });
  });

  describe(`${IAM} TestIAMIntegrations::test_delete_non_existent_policy_returns_no_such_entity`, () => {
    it("DeletePolicy of a missing policy: 404 'Policy <arn> was not found.'", async () => {
      const arn = "arn:aws:iam::000000000000:policy/non-existent-policy";
      await recordedError(c.iam.send(new I.DeletePolicyCommand({ PolicyArn: arn })), "NoSuchEntity", 404, `Policy ${arn} was not found.`);
    });
  });

  describe(`${IAM} TestIAMExtensions::test_create_role_with_malformed_assume_role_policy_document`, () => {
    it("CreateRole with a trust policy that is not JSON: 'This policy contains invalid Json'", async () => {
      await recordedError(c.iam.send(new I.CreateRoleCommand({ RoleName: "bad-json", AssumeRolePolicyDocument: "{" })), "MalformedPolicyDocument", 400, "This policy contains invalid Json");
    });
  });

  describe(`${STS} TestSTSIntegrations::test_sts_invalid_parameters`, () => {
    it("AssumeRole with a RoleArn that is no ARN: ValidationError '<arn> is invalid'", async () => {
      await recordedError(c.sts.send(new AssumeRoleCommand({ RoleArn: "nothing-valid-in-here", RoleSessionName: "sess" })), "ValidationError", 400, "nothing-valid-in-here is invalid");
    });
    it("AssumeRole with a session name outside the pattern: ValidationError with the pattern", async () => {
      await recordedError(
        c.sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/upd-role", RoleSessionName: "Session1:2" })),
        "ValidationError",
        400,
        "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
      );
    });
  });
});
