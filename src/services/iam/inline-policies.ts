// Inline policies of users, groups and roles: put, get, delete, list. The same four operations for
// each kind; only the size quota (user 2048, group 5120, role 10240 characters) differs.
import type { OperationContext } from "../../core/operation-context.ts";
import type { IamEnv } from "./env.ts";
import { noSuchEntity } from "./errors.ts";
import { findGroup, groupResource } from "./groups.ts";
import { NAME, POLICY_DOCUMENT, ROLE_NAME, USER_NAME, reqString } from "./input.ts";
import { authorizeIam, type Ops } from "./operation.ts";
import { paginate } from "./pagination.ts";
import { checkInlineSize, encodeDocument } from "./policy-cache.ts";
import { inlineId } from "./principal-policies.ts";
import { findRole, roleResource } from "./roles.ts";
import type { InlinePolicies } from "./state.ts";
import { findUser, userResource } from "./users.ts";

type Kind = "User" | "Group" | "Role";

const NAME_SHAPE = { User: USER_NAME, Group: NAME, Role: ROLE_NAME } as const;

function owner(env: IamEnv, ctx: OperationContext, kind: Kind, name: string): { resource: string; record: () => { name: string; inline: InlinePolicies } } {
  const state = env.state(ctx.accountId);
  if (kind === "User") return { resource: userResource(ctx, state, name), record: () => findUser(state, name) };
  if (kind === "Group") return { resource: groupResource(ctx, state, name), record: () => findGroup(state, name) };
  return { resource: roleResource(ctx, state, name), record: () => findRole(state, name) };
}

function inlineOps(env: IamEnv, kind: Kind): Ops {
  const nameParam = `${kind}Name`;
  const lower = kind.toLowerCase() as "user" | "group" | "role";
  const noSuchPolicy = (policy: string) => noSuchEntity(`The ${lower} policy with name ${policy} cannot be found.`);
  return {
    [`Put${kind}Policy`]: (params, ctx) => {
      const name = reqString(params, nameParam, NAME_SHAPE[kind]);
      const policyName = reqString(params, "PolicyName", NAME);
      const doc = reqString(params, "PolicyDocument", POLICY_DOCUMENT);
      const o = owner(env, ctx, kind, name);
      authorizeIam(ctx, `Put${kind}Policy`, o.resource);
      const rec = o.record();
      checkInlineSize(lower, rec.name, rec.inline, policyName, doc);
      env.policies.validate(doc, "identity", inlineId(lower, rec.name, policyName));
      rec.inline[policyName] = doc;
      return undefined;
    },
    [`Get${kind}Policy`]: (params, ctx) => {
      const name = reqString(params, nameParam, NAME_SHAPE[kind]);
      const policyName = reqString(params, "PolicyName", NAME);
      const o = owner(env, ctx, kind, name);
      authorizeIam(ctx, `Get${kind}Policy`, o.resource);
      const rec = o.record();
      const doc = Object.prototype.hasOwnProperty.call(rec.inline, policyName) ? rec.inline[policyName] : undefined;
      if (doc === undefined) throw noSuchPolicy(policyName);
      return { [nameParam]: rec.name, PolicyName: policyName, PolicyDocument: encodeDocument(doc) };
    },
    [`Delete${kind}Policy`]: (params, ctx) => {
      const name = reqString(params, nameParam, NAME_SHAPE[kind]);
      const policyName = reqString(params, "PolicyName", NAME);
      const o = owner(env, ctx, kind, name);
      authorizeIam(ctx, `Delete${kind}Policy`, o.resource);
      const rec = o.record();
      if (!Object.prototype.hasOwnProperty.call(rec.inline, policyName)) throw noSuchPolicy(policyName);
      delete rec.inline[policyName];
      return undefined;
    },
    [`List${kind}Policies`]: (params, ctx) => {
      const name = reqString(params, nameParam, NAME_SHAPE[kind]);
      const o = owner(env, ctx, kind, name);
      authorizeIam(ctx, `List${kind}Policies`, o.resource);
      const page = paginate(Object.keys(o.record().inline), (n) => n, params);
      return { PolicyNames: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  };
}

export function inlinePolicyOperations(env: IamEnv): Ops {
  return { ...inlineOps(env, "User"), ...inlineOps(env, "Group"), ...inlineOps(env, "Role") };
}
