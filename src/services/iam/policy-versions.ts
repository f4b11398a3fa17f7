// Versions of customer managed policies: at most 5, one of them the default; AWS managed policies
// show their default version only.
import type { IamEnv } from "./env.ts";
import { deleteConflict, invalidInput, limitExceeded, noSuchEntity } from "./errors.ts";
import { POLICY_DOCUMENT, VERSION_ID, optBool, reqString } from "./input.ts";
import { awsManagedPolicy } from "./managed-policies.ts";
import { authorizeIam, type Ops } from "./operation.ts";
import { paginate } from "./pagination.ts";
import { findLocalPolicy, policyArnParam } from "./policies.ts";
import { checkManagedSize, encodeDocument } from "./policy-cache.ts";
import { isoDate, type PolicyRec, type PolicyVersionRec } from "./state.ts";

const MAX_VERSIONS = 5;

function noSuchVersion(arn: string, version: string) {
  return noSuchEntity(`Policy ${arn} version ${version} does not exist or is not attachable.`);
}

function versionShape(p: PolicyRec, v: PolicyVersionRec, withDocument: boolean) {
  return {
    Document: withDocument ? encodeDocument(v.document) : undefined,
    VersionId: v.id,
    IsDefaultVersion: v.id === p.defaultVersion,
    CreateDate: isoDate(v.created),
  };
}

/** AWS managed policies cannot be changed. */
const immutable = (arn: string) => () => invalidInput(`Policy ${arn} is an AWS managed policy and cannot be modified.`); // unverified wording

function findVersion(p: PolicyRec, id: string): PolicyVersionRec {
  const v = p.versions.find((x) => x.id === id);
  if (!v) throw noSuchVersion(p.arn, id);
  return v;
}

export function policyVersionOperations(env: IamEnv): Ops {
  return {
    CreatePolicyVersion: (params, ctx) => {
      const arn = policyArnParam(params);
      const doc = reqString(params, "PolicyDocument", POLICY_DOCUMENT);
      const setDefault = optBool(params, "SetAsDefault") ?? false;
      authorizeIam(ctx, "CreatePolicyVersion", arn);
      const p = findLocalPolicy(env, ctx.accountId, arn, immutable(arn));
      checkManagedSize(doc);
      env.policies.validate(doc, "identity", arn);
      if (p.versions.length >= MAX_VERSIONS) {
        throw limitExceeded("A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.");
      }
      const now = env.now();
      const v: PolicyVersionRec = { id: `v${p.nextVersion}`, document: doc, created: now };
      p.nextVersion++;
      p.versions.push(v);
      if (setDefault) p.defaultVersion = v.id;
      p.updated = now;
      return { PolicyVersion: versionShape(p, v, false) };
    },

    GetPolicyVersion: (params, ctx) => {
      const arn = policyArnParam(params);
      const id = reqString(params, "VersionId", VERSION_ID);
      authorizeIam(ctx, "GetPolicyVersion", arn);
      const aws = awsManagedPolicy(arn);
      if (aws) {
        if (id !== aws.versionId) throw noSuchVersion(arn, id);
        return { PolicyVersion: { Document: encodeDocument(aws.document), VersionId: aws.versionId, IsDefaultVersion: true, CreateDate: aws.updated } };
      }
      const p = findLocalPolicy(env, ctx.accountId, arn);
      return { PolicyVersion: versionShape(p, findVersion(p, id), true) };
    },

    ListPolicyVersions: (params, ctx) => {
      const arn = policyArnParam(params);
      authorizeIam(ctx, "ListPolicyVersions", arn);
      const aws = awsManagedPolicy(arn);
      if (aws) return { Versions: [{ VersionId: aws.versionId, IsDefaultVersion: true, CreateDate: aws.updated }], IsTruncated: false };
      const p = findLocalPolicy(env, ctx.accountId, arn);
      // Newest first, as AWS lists them.
      const page = paginate(p.versions, (v) => String(1e9 - Number(v.id.slice(1))).padStart(10, "0"), params);
      return { Versions: page.items.map((v) => versionShape(p, v, false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    DeletePolicyVersion: (params, ctx) => {
      const arn = policyArnParam(params);
      const id = reqString(params, "VersionId", VERSION_ID);
      authorizeIam(ctx, "DeletePolicyVersion", arn);
      const p = findLocalPolicy(env, ctx.accountId, arn, immutable(arn));
      findVersion(p, id);
      if (id === p.defaultVersion) throw deleteConflict("Cannot delete the default version of a policy.");
      p.versions = p.versions.filter((v) => v.id !== id);
      return undefined;
    },

    SetDefaultPolicyVersion: (params, ctx) => {
      const arn = policyArnParam(params);
      const id = reqString(params, "VersionId", VERSION_ID);
      authorizeIam(ctx, "SetDefaultPolicyVersion", arn);
      const p = findLocalPolicy(env, ctx.accountId, arn, immutable(arn));
      findVersion(p, id);
      p.defaultVersion = id;
      p.updated = env.now();
      return undefined;
    },
  };
}
