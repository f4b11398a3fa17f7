// Response shapes (botocore IAM model: User, Group, Role, Policy, AttachedPolicy), typed against the
// SDK so the compiler checks the member names. Dates are ISO 8601; documents are percent-encoded.
import type { OutputObject } from "../../core/output-tree.ts";
import type { AwsManagedPolicy } from "./managed-policies.ts";
import { encodeDocument } from "./policy-cache.ts";
import { isoDate, type GroupRec, type InstanceProfileRec, type IamState, type PolicyRec, type RoleRec, type Tag, type UserRec } from "./state.ts";

function boundaryShape(arn: string | undefined): OutputObject | undefined {
  return arn === undefined ? undefined : { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn };
}

function tagsShape(tags: readonly Tag[]): OutputObject[] | undefined {
  return tags.length ? tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined;
}

/** ListUsers leaves out Tags and PermissionsBoundary; GetUser and CreateUser carry them. */
export function userShape(u: UserRec, full: boolean): OutputObject {
  return {
    Path: u.path,
    UserName: u.name,
    UserId: u.id,
    Arn: u.arn,
    CreateDate: isoDate(u.created),
    PermissionsBoundary: full ? boundaryShape(u.boundary) : undefined,
    Tags: full ? tagsShape(u.tags) : undefined,
  };
}

export function groupShape(g: GroupRec): OutputObject {
  return { Path: g.path, GroupName: g.name, GroupId: g.id, Arn: g.arn, CreateDate: isoDate(g.created) };
}

/**
 * ListRoles leaves out Tags, PermissionsBoundary and RoleLastUsed (IAM API reference, ListRoles).
 * CreateRole and UpdateRoleDescription ("written") also leave out MaxSessionDuration and RoleLastUsed
 * (AWS-validated: LocalStack's test_iam_roles.snapshot.json, test_create_role_defaults and test_update_role).
 */
export function roleShape(r: RoleRec, full: boolean, written = false): OutputObject {
  return {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.id,
    Arn: r.arn,
    CreateDate: isoDate(r.created),
    AssumeRolePolicyDocument: encodeDocument(r.trust),
    Description: r.description,
    MaxSessionDuration: written ? undefined : r.maxSessionDuration,
    PermissionsBoundary: full ? boundaryShape(r.boundary) : undefined,
    Tags: full ? tagsShape(r.tags) : undefined,
    RoleLastUsed: full && !written ? (r.lastUsed ? { LastUsedDate: isoDate(r.lastUsed.at), Region: r.lastUsed.region } : {}) : undefined,
  };
}

export function instanceProfileShape(p: InstanceProfileRec, roles: RoleRec[], withTags: boolean): OutputObject {
  return {
    Path: p.path,
    InstanceProfileName: p.name,
    InstanceProfileId: p.id,
    Arn: p.arn,
    CreateDate: isoDate(p.created),
    Roles: roles.map((r) => roleShape(r, false)),
    Tags: withTags ? tagsShape(p.tags) : undefined,
  };
}

export interface AttachmentCounts {
  attachments: number;
  boundaries: number;
}

/** How many users, groups and roles of the account attach a policy, and use it as a boundary. */
export function countAttachments(state: IamState, arn: string): AttachmentCounts {
  let attachments = 0;
  let boundaries = 0;
  for (const u of Object.values(state.users)) {
    if (u.attached.includes(arn)) attachments++;
    if (u.boundary === arn) boundaries++;
  }
  for (const g of Object.values(state.groups)) if (g.attached.includes(arn)) attachments++;
  for (const r of Object.values(state.roles)) {
    if (r.attached.includes(arn)) attachments++;
    if (r.boundary === arn) boundaries++;
  }
  return { attachments, boundaries };
}

/** ListPolicies leaves out Description and Tags; GetPolicy and CreatePolicy carry them. */
export function localPolicyShape(p: PolicyRec, counts: AttachmentCounts, full: boolean): OutputObject {
  return {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersion,
    AttachmentCount: counts.attachments,
    PermissionsBoundaryUsageCount: counts.boundaries,
    IsAttachable: true,
    Description: full ? p.description : undefined,
    CreateDate: isoDate(p.created),
    UpdateDate: isoDate(p.updated),
    Tags: full ? tagsShape(p.tags) : undefined,
  };
}

export function awsPolicyShape(p: AwsManagedPolicy, counts: AttachmentCounts, full: boolean): OutputObject {
  return {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.versionId,
    AttachmentCount: counts.attachments,
    PermissionsBoundaryUsageCount: counts.boundaries,
    IsAttachable: true,
    Description: full ? p.description : undefined,
    CreateDate: p.created,
    UpdateDate: p.updated,
  };
}
