// GetAccountAuthorizationDetails: every user, group, role and managed policy in use, with their
// policies, in one (paginated) answer.
import type { OutputObject } from "../../core/output-tree.ts";
import { resolveManaged, type IamEnv } from "./env.ts";
import { stringList } from "./input.ts";
import { constraintError } from "./errors.ts";
import { AWS_MANAGED_POLICIES } from "./managed-policies.ts";
import { authorizeIam, type Ops } from "./operation.ts";
import { paginateByOffset } from "./pagination.ts";
import { attachedArns } from "./policies.ts";
import { encodeDocument } from "./policy-cache.ts";
import { countAttachments } from "./render.ts";
import { isoDate, key, type InlinePolicies, type Tag } from "./state.ts";

const FILTERS = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"];

function inlineList(inline: InlinePolicies): OutputObject[] {
  return Object.entries(inline).map(([PolicyName, doc]) => ({ PolicyName, PolicyDocument: encodeDocument(doc) }));
}

function tags(t: readonly Tag[]): OutputObject[] {
  return t.map((x) => ({ Key: x.Key, Value: x.Value }));
}

export function accountDetailsOperations(env: IamEnv): Ops {
  const attachedList = (account: string, arns: readonly string[]): OutputObject[] =>
    arns.map((arn) => ({ PolicyName: resolveManaged(env, account, arn)?.name ?? arn.slice(arn.lastIndexOf("/") + 1), PolicyArn: arn }));

  return {
    GetAccountAuthorizationDetails: (params, ctx) => {
      const filter = stringList(params, "Filter");
      for (const f of filter) if (!FILTERS.includes(f)) throw constraintError(f, "filter.member", `Member must satisfy enum value set: [${FILTERS.join(", ")}]`);
      const want = (f: string) => filter.length === 0 || filter.includes(f);
      authorizeIam(ctx, "GetAccountAuthorizationDetails", "*");
      const account = ctx.accountId;
      const state = env.state(account);
      const rows: { kind: "u" | "g" | "r" | "p"; shape: OutputObject }[] = [];
      const byName = <T extends { name: string }>(xs: T[]) => xs.sort((a, b) => (key(a.name) < key(b.name) ? -1 : 1));

      if (want("User")) {
        for (const u of byName(Object.values(state.users))) {
          rows.push({
            kind: "u",
            shape: {
              Path: u.path,
              UserName: u.name,
              UserId: u.id,
              Arn: u.arn,
              CreateDate: isoDate(u.created),
              UserPolicyList: inlineList(u.inline),
              GroupList: u.groups,
              AttachedManagedPolicies: attachedList(account, u.attached),
              PermissionsBoundary: u.boundary ? { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: u.boundary } : undefined,
              Tags: tags(u.tags),
            },
          });
        }
      }
      if (want("Group")) {
        for (const g of byName(Object.values(state.groups))) {
          rows.push({
            kind: "g",
            shape: {
              Path: g.path,
              GroupName: g.name,
              GroupId: g.id,
              Arn: g.arn,
              CreateDate: isoDate(g.created),
              GroupPolicyList: inlineList(g.inline),
              AttachedManagedPolicies: attachedList(account, g.attached),
            },
          });
        }
      }
      if (want("Role")) {
        for (const r of byName(Object.values(state.roles))) {
          rows.push({
            kind: "r",
            shape: {
              Path: r.path,
              RoleName: r.name,
              RoleId: r.id,
              Arn: r.arn,
              CreateDate: isoDate(r.created),
              AssumeRolePolicyDocument: encodeDocument(r.trust),
              InstanceProfileList: [],
              RolePolicyList: inlineList(r.inline),
              AttachedManagedPolicies: attachedList(account, r.attached),
              PermissionsBoundary: r.boundary ? { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: r.boundary } : undefined,
              Tags: tags(r.tags),
              RoleLastUsed: r.lastUsed ? { LastUsedDate: isoDate(r.lastUsed.at), Region: r.lastUsed.region } : {},
            },
          });
        }
      }
      if (want("LocalManagedPolicy")) {
        for (const p of byName(Object.values(state.policies))) {
          const c = countAttachments(state, p.arn);
          rows.push({
            kind: "p",
            shape: {
              PolicyName: p.name,
              PolicyId: p.id,
              Arn: p.arn,
              Path: p.path,
              DefaultVersionId: p.defaultVersion,
              AttachmentCount: c.attachments,
              PermissionsBoundaryUsageCount: c.boundaries,
              IsAttachable: true,
              Description: p.description,
              CreateDate: isoDate(p.created),
              UpdateDate: isoDate(p.updated),
              PolicyVersionList: p.versions.map((v) => ({
                Document: encodeDocument(v.document),
                VersionId: v.id,
                IsDefaultVersion: v.id === p.defaultVersion,
                CreateDate: isoDate(v.created),
              })),
            },
          });
        }
      }
      if (want("AWSManagedPolicy")) {
        // AWS lists the AWS managed policies the account uses, not all of them.
        const used = attachedArns(state);
        for (const p of AWS_MANAGED_POLICIES) {
          if (!used.has(p.arn)) continue;
          const c = countAttachments(state, p.arn);
          rows.push({
            kind: "p",
            shape: {
              PolicyName: p.name,
              PolicyId: p.id,
              Arn: p.arn,
              Path: p.path,
              DefaultVersionId: p.versionId,
              AttachmentCount: c.attachments,
              PermissionsBoundaryUsageCount: c.boundaries,
              IsAttachable: true,
              Description: p.description,
              CreateDate: p.created,
              UpdateDate: p.updated,
              PolicyVersionList: [{ Document: encodeDocument(p.document), VersionId: p.versionId, IsDefaultVersion: true, CreateDate: p.updated }],
            },
          });
        }
      }
      const page = paginateByOffset(rows, params);
      const of = (k: string) => page.items.filter((r) => r.kind === k).map((r) => r.shape);
      return {
        UserDetailList: of("u"),
        GroupDetailList: of("g"),
        RoleDetailList: of("r"),
        Policies: of("p"),
        IsTruncated: page.IsTruncated,
        Marker: page.Marker,
      };
    },
  };
}
