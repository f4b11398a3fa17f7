import type { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { call, callFails } from "./call.ts";

const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] });
const POLICY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:DescribeVpcs", Resource: "*" }] });
const POLICY2 = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ec2:DescribeSubnets", "s3:GetObject"], Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } }] });

/** Every IAM operation hyperlocal serves, once or more, successes and the usual errors. */
export async function iamScenario(iam: IAMClient): Promise<void> {
  const x = (op: string, input: object = {}) => call(iam, "iam", op, input);
  const no = (op: string, input: object, code: string) => callFails(iam, "iam", op, input, code);

  await x("CreateUser", { UserName: "parity-user", Tags: [{ Key: "team", Value: "parity" }] });
  await no("CreateUser", { UserName: "parity-user" }, "EntityAlreadyExists");
  await no("CreateUser", { UserName: "bad name!" }, "ValidationError");
  await x("GetUser", { UserName: "parity-user" });
  await no("GetUser", { UserName: "nobody" }, "NoSuchEntity");
  await x("ListUsers");
  await x("UpdateUser", { UserName: "parity-user", NewPath: "/team/" });
  await x("TagUser", { UserName: "parity-user", Tags: [{ Key: "stage", Value: "test" }] });
  await x("ListUserTags", { UserName: "parity-user" });
  await x("UntagUser", { UserName: "parity-user", TagKeys: ["stage"] });

  await x("CreateGroup", { GroupName: "parity-group" });
  await x("AddUserToGroup", { GroupName: "parity-group", UserName: "parity-user" });
  await x("GetGroup", { GroupName: "parity-group" });
  await x("ListGroups");
  await x("ListGroupsForUser", { UserName: "parity-user" });
  await x("UpdateGroup", { GroupName: "parity-group", NewPath: "/team/" });
  await x("PutGroupPolicy", { GroupName: "parity-group", PolicyName: "inline", PolicyDocument: POLICY });
  await x("GetGroupPolicy", { GroupName: "parity-group", PolicyName: "inline" });
  await x("ListGroupPolicies", { GroupName: "parity-group" });
  await no("DeleteGroup", { GroupName: "parity-group" }, "DeleteConflict");

  const policyArn: string = (await x("CreatePolicy", { PolicyName: "parity-policy", PolicyDocument: POLICY, Description: "parity" })).Policy.Arn;
  await no("CreatePolicy", { PolicyName: "bad-policy", PolicyDocument: "{not json" }, "MalformedPolicyDocument");
  await x("GetPolicy", { PolicyArn: policyArn });
  await no("GetPolicy", { PolicyArn: "arn:aws:iam::000000000000:policy/none" }, "NoSuchEntity");
  await x("ListPolicies", { Scope: "Local" });
  await x("CreatePolicyVersion", { PolicyArn: policyArn, PolicyDocument: POLICY2, SetAsDefault: false });
  await x("ListPolicyVersions", { PolicyArn: policyArn });
  await x("GetPolicyVersion", { PolicyArn: policyArn, VersionId: "v2" });
  await x("SetDefaultPolicyVersion", { PolicyArn: policyArn, VersionId: "v2" });
  await no("DeletePolicyVersion", { PolicyArn: policyArn, VersionId: "v2" }, "DeleteConflict");
  await x("DeletePolicyVersion", { PolicyArn: policyArn, VersionId: "v1" });
  await x("AttachGroupPolicy", { GroupName: "parity-group", PolicyArn: policyArn });
  await x("ListAttachedGroupPolicies", { GroupName: "parity-group" });
  await x("AttachUserPolicy", { UserName: "parity-user", PolicyArn: policyArn });
  await x("ListAttachedUserPolicies", { UserName: "parity-user" });
  await x("PutUserPolicy", { UserName: "parity-user", PolicyName: "inline", PolicyDocument: POLICY });
  await x("GetUserPolicy", { UserName: "parity-user", PolicyName: "inline" });
  await x("ListUserPolicies", { UserName: "parity-user" });
  await x("PutUserPermissionsBoundary", { UserName: "parity-user", PermissionsBoundary: policyArn });
  await x("DeleteUserPermissionsBoundary", { UserName: "parity-user" });

  await x("CreateRole", { RoleName: "parity-role", AssumeRolePolicyDocument: TRUST, Description: "parity", Tags: [{ Key: "team", Value: "parity" }] });
  await no("CreateRole", { RoleName: "parity-role", AssumeRolePolicyDocument: TRUST }, "EntityAlreadyExists");
  await no("CreateRole", { RoleName: "bad-trust", AssumeRolePolicyDocument: "[]" }, "MalformedPolicyDocument");
  await x("GetRole", { RoleName: "parity-role" });
  await no("GetRole", { RoleName: "nobody" }, "NoSuchEntity");
  await x("ListRoles");
  await x("UpdateRole", { RoleName: "parity-role", MaxSessionDuration: 7200 });
  await x("UpdateRoleDescription", { RoleName: "parity-role", Description: "changed" });
  await x("UpdateAssumeRolePolicy", { RoleName: "parity-role", PolicyDocument: TRUST });
  await x("TagRole", { RoleName: "parity-role", Tags: [{ Key: "stage", Value: "test" }] });
  await x("ListRoleTags", { RoleName: "parity-role" });
  await x("UntagRole", { RoleName: "parity-role", TagKeys: ["stage"] });
  await x("AttachRolePolicy", { RoleName: "parity-role", PolicyArn: policyArn });
  await x("ListAttachedRolePolicies", { RoleName: "parity-role" });
  await x("PutRolePolicy", { RoleName: "parity-role", PolicyName: "inline", PolicyDocument: POLICY });
  await x("GetRolePolicy", { RoleName: "parity-role", PolicyName: "inline" });
  await x("ListRolePolicies", { RoleName: "parity-role" });
  await x("PutRolePermissionsBoundary", { RoleName: "parity-role", PermissionsBoundary: policyArn });
  await x("DeleteRolePermissionsBoundary", { RoleName: "parity-role" });
  await x("ListEntitiesForPolicy", { PolicyArn: policyArn });
  await no("DeletePolicy", { PolicyArn: policyArn }, "DeleteConflict");
  await x("GetAccountAuthorizationDetails");

  const key = (await x("CreateAccessKey", { UserName: "parity-user" })).AccessKey;
  await x("ListAccessKeys", { UserName: "parity-user" });
  await x("GetAccessKeyLastUsed", { AccessKeyId: key.AccessKeyId });
  await x("UpdateAccessKey", { UserName: "parity-user", AccessKeyId: key.AccessKeyId, Status: "Inactive" });
  await x("UpdateAccessKey", { UserName: "parity-user", AccessKeyId: key.AccessKeyId, Status: "Active" });

  await x("SimulatePrincipalPolicy", { PolicySourceArn: "arn:aws:iam::000000000000:user/team/parity-user", ActionNames: ["ec2:DescribeVpcs", "ec2:DeleteVpc"] });
  await x("SimulateCustomPolicy", { PolicyInputList: [POLICY2], ActionNames: ["ec2:DescribeSubnets"], ContextEntries: [{ ContextKeyName: "aws:RequestedRegion", ContextKeyValues: ["us-east-1"], ContextKeyType: "string" }] });
  await no("SimulateCustomPolicy", { PolicyInputList: ["{"], ActionNames: ["ec2:DescribeSubnets"] }, "MalformedPolicyDocument");
  await no("SimulatePrincipalPolicy", { PolicySourceArn: "arn:aws:iam::000000000000:user/nobody", ActionNames: ["ec2:DescribeVpcs"] }, "NoSuchEntity");
  await x("GetContextKeysForCustomPolicy", { PolicyInputList: [POLICY2] });
  await x("GetContextKeysForPrincipalPolicy", { PolicySourceArn: "arn:aws:iam::000000000000:user/team/parity-user" });

  await no("DeleteUser", { UserName: "parity-user" }, "DeleteConflict");
  await x("DeleteAccessKey", { UserName: "parity-user", AccessKeyId: key.AccessKeyId });
  await x("DetachUserPolicy", { UserName: "parity-user", PolicyArn: policyArn });
  await x("DeleteUserPolicy", { UserName: "parity-user", PolicyName: "inline" });
  await x("RemoveUserFromGroup", { GroupName: "parity-group", UserName: "parity-user" });
  await x("DeleteUser", { UserName: "parity-user" });
  await x("DetachGroupPolicy", { GroupName: "parity-group", PolicyArn: policyArn });
  await x("DeleteGroupPolicy", { GroupName: "parity-group", PolicyName: "inline" });
  await x("DeleteGroup", { GroupName: "parity-group" });
  await x("DetachRolePolicy", { RoleName: "parity-role", PolicyArn: policyArn });
  await x("DeletePolicy", { PolicyArn: policyArn });
  await no("DeleteRole", { RoleName: "parity-role" }, "DeleteConflict");
  await x("DeleteRolePolicy", { RoleName: "parity-role", PolicyName: "inline" });

  await x("CreateInstanceProfile", { InstanceProfileName: "parity-profile", Path: "/team/", Tags: [{ Key: "team", Value: "parity" }] });
  await no("CreateInstanceProfile", { InstanceProfileName: "parity-profile" }, "EntityAlreadyExists");
  await x("AddRoleToInstanceProfile", { InstanceProfileName: "parity-profile", RoleName: "parity-role" });
  await no("AddRoleToInstanceProfile", { InstanceProfileName: "parity-profile", RoleName: "parity-role" }, "LimitExceeded");
  await x("GetInstanceProfile", { InstanceProfileName: "parity-profile" });
  await no("GetInstanceProfile", { InstanceProfileName: "none" }, "NoSuchEntity");
  await x("ListInstanceProfiles");
  await x("ListInstanceProfilesForRole", { RoleName: "parity-role" });
  await no("DeleteRole", { RoleName: "parity-role" }, "DeleteConflict");
  await no("DeleteInstanceProfile", { InstanceProfileName: "parity-profile" }, "DeleteConflict");
  await x("RemoveRoleFromInstanceProfile", { InstanceProfileName: "parity-profile", RoleName: "parity-role" });
  await x("DeleteInstanceProfile", { InstanceProfileName: "parity-profile" });
  await x("DeleteRole", { RoleName: "parity-role" });
}

/** STS: who am I, a role session, a session token; the role kept for this. */
export async function stsScenario(iam: IAMClient, sts: STSClient): Promise<void> {
  const x = (op: string, input: object = {}) => call(sts, "sts", op, input);
  await x("GetCallerIdentity");
  const roleArn: string = (await call(iam, "iam", "CreateRole", { RoleName: "parity-sts-role", AssumeRolePolicyDocument: TRUST })).Role.Arn;
  await x("AssumeRole", { RoleArn: roleArn, RoleSessionName: "parity" });
  await callFails(sts, "sts", "AssumeRole", { RoleArn: "arn:aws:iam::000000000000:role/nobody", RoleSessionName: "parity" }, "AccessDenied");
  await callFails(sts, "sts", "AssumeRole", { RoleArn: roleArn, RoleSessionName: "bad name!" }, "ValidationError");
  await x("GetSessionToken", { DurationSeconds: 900 });
  await call(iam, "iam", "DeleteRole", { RoleName: "parity-sts-role" });
}
