// The IAM policy simulator (SimulatePrincipalPolicy, SimulateCustomPolicy, GetContextKeysFor*),
// answered by the engine that enforces, with the context built the same way as for a real request
// (principal keys, time, source IP, region), then overridden by the ContextEntries given.
import { dict } from "../../core/dict.ts";
import type { Principal } from "../../core/principal.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import { evaluate, type CompiledPolicy, type ContextValue, type MatchedStatement } from "../../iam-policy/index.ts";
import { asList, str, sub, type InputTree } from "../../core/input-tree.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { userPrincipal, rolePrincipal } from "./credentials.ts";
import type { IamEnv } from "./env.ts";
import { asMalformed, constraintError, invalidInput } from "./errors.ts";
import { findGroup } from "./groups.ts";
import { ARN, POLICY_DOCUMENT, checkString, optString, reqString, stringList, type StringShape } from "./input.ts";
import { authorizeIam, type Ops } from "./operation.ts";
import { paginateByOffset } from "./pagination.ts";
import { policySource, type IdentityPolicies, type PrincipalPolicies } from "./principal-policies.ts";
import { principalContext, requestContext, type Context } from "./request-context.ts";
import { findRole } from "./roles.ts";
import type { IamState } from "./state.ts";
import { findUser } from "./users.ts";

const ACTION_NAME: StringShape = { min: 3, max: 128 };
const RESOURCE_NAME: StringShape = { min: 1, max: 2048 };
const CONTEXT_KEY: StringShape = { min: 5, max: 256 };
const CONTEXT_TYPES = ["string", "stringList", "numeric", "numericList", "boolean", "booleanList", "ip", "ipList", "binary", "binaryList", "date", "dateList"];

const ENTITY_ARN = /^arn:aws:iam::(\d{12}):(user|group|role)(\/(?:[^/]+\/)*)([\w+=,.@-]+)$/;

function parseEntityArn(arn: string): { account: string; kind: "user" | "group" | "role"; path: string; name: string } | undefined {
  const m = ENTITY_ARN.exec(arn);
  return m ? { account: m[1], kind: m[2] as "user" | "group" | "role", path: m[3], name: m[4] } : undefined;
}

function compileInputs(env: IamEnv, docs: string[], kind: "identity" | "boundary", prefix: string): CompiledPolicy[] {
  return docs.map((doc, i) => {
    try {
      return env.policies.get(doc, kind, `${prefix}.${i + 1}`);
    } catch (e) {
      return asMalformed(e);
    }
  });
}

/** ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M, ContextKeyType}: list types give arrays. */
function contextEntries(params: InputTree): Record<string, ContextValue> {
  const out = dict<ContextValue>();
  asList(params.ContextEntries).forEach((node, i) => {
    const at = `contextEntries.${i + 1}.member`;
    const name = str(sub(node, "ContextKeyName"));
    if (name === undefined) return;
    checkString(name, CONTEXT_KEY, `${at}.contextKeyName`);
    const type = str(sub(node, "ContextKeyType")) ?? "string";
    if (!CONTEXT_TYPES.includes(type)) throw constraintError(type, `${at}.contextKeyType`, `Member must satisfy enum value set: [${CONTEXT_TYPES.join(", ")}]`);
    const values = asList(sub(node, "ContextKeyValues")).filter((v): v is string => typeof v === "string");
    out[name] = type.endsWith("List") ? values : (values[0] ?? "");
  });
  return out;
}

/** Given entries replace the built keys whatever their case (condition key names are case-insensitive). */
function withEntries(base: Context, entries: Record<string, ContextValue>): Context {
  const out: Context = { ...base };
  for (const [k, v] of Object.entries(entries)) {
    const lower = k.toLowerCase();
    for (const existing of Object.keys(out)) if (existing.toLowerCase() === lower) delete out[existing];
    out[k] = v;
  }
  return out;
}

function statementShape(m: MatchedStatement): OutputObject {
  const src = policySource(m.policyId);
  return {
    SourcePolicyId: src.id,
    SourcePolicyType: src.type,
    StartPosition: m.start ? { Line: m.start.line, Column: m.start.column } : undefined,
    EndPosition: m.end ? { Line: m.end.line, Column: m.end.column } : undefined,
  };
}

const DECISION = { Allowed: "allowed", ExplicitDeny: "explicitDeny", ImplicitDeny: "implicitDeny" } as const;

interface Simulation {
  identity: CompiledPolicy[];
  boundary: CompiledPolicy[];
  principal: Principal | undefined;
  /** The account whose resources are simulated (ResourceOwner), for cross-account evaluation. */
  account: string;
}

function run(env: IamEnv, ctx: OperationContext, params: InputTree, sim: Simulation): OutputObject {
  const actions = stringList(params, "ActionNames", ACTION_NAME);
  if (actions.length === 0) throw constraintError(undefined, "actionNames", "Member must not be null");
  for (const a of actions) if (!/^[^:]+:[^:]+$/.test(a)) throw invalidInput(`Invalid action name: ${a}`); // unverified wording
  const resources = stringList(params, "ResourceArns", RESOURCE_NAME);
  if (resources.length === 0) resources.push("*");
  const rpText = optString(params, "ResourcePolicy", POLICY_DOCUMENT);
  let resourcePolicy: CompiledPolicy | undefined;
  if (rpText !== undefined) {
    try {
      resourcePolicy = env.policies.get(rpText, "resource", "ResourcePolicy");
    } catch (e) {
      asMalformed(e);
    }
  }
  const owner = optString(params, "ResourceOwner", RESOURCE_NAME);
  const ownerAccount = owner ? (/^\d{12}$/.test(owner) ? owner : owner.split(":")[4]) : undefined;
  const entries = contextEntries(params);

  const p = sim.principal;
  const base: Context = p ? principalContext(p) : { "aws:PrincipalAccount": sim.account };
  const context = withEntries(requestContext(base, { sourceIp: ctx.sourceIp, region: ctx.region, secureTransport: false, now: env.now() }), entries);
  const principalArn = p?.arn ?? `arn:aws:iam::${sim.account}:root`;
  const principalAccount = p?.accountId ?? sim.account;
  const sameAccount = ownerAccount === undefined || ownerAccount === principalAccount;

  const results: OutputObject[] = [];
  for (const action of actions) {
    for (const resource of resources) {
      const request = { action, resource, principalArn, principalAccount, context };
      const r = evaluate({ request, identityPolicies: sim.identity, boundaryPolicies: sim.boundary, resourcePolicy, sameAccount });
      const result: OutputObject = {
        EvalActionName: action,
        EvalResourceName: resource,
        EvalDecision: DECISION[r.decision],
        MatchedStatements: r.matched.map(statementShape),
        MissingContextValues: r.missingContextKeys,
      };
      if (sim.boundary.length > 0) {
        const b = evaluate({ request, identityPolicies: sim.boundary });
        result.PermissionsBoundaryDecisionDetail = { AllowedByPermissionsBoundary: b.decision === "Allowed" };
      }
      results.push(result);
    }
  }
  const page = paginateByOffset(results, params);
  return { EvaluationResults: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
}

/** The simulated caller: a user of the account named by CallerArn. */
function callerPrincipal(state: IamState, account: string, arn: string | undefined): Principal | undefined {
  if (arn === undefined) return undefined;
  const e = parseEntityArn(arn);
  if (!e || e.kind !== "user" || e.account !== account) throw invalidInput(`CallerArn ${arn} must be the ARN of an IAM user in this account.`); // unverified wording
  return userPrincipal(account, findUser(state, e.name), "SIMULATION");
}

function contextKeysOf(policies: readonly CompiledPolicy[]): string[] {
  const seen = new Map<string, string>();
  for (const p of policies) {
    for (const s of p.statements) {
      for (const k of s.keys) if (!seen.has(k.lower)) seen.set(k.lower, k.key);
      for (const k of s.variableKeys) if (!seen.has(k.lower)) seen.set(k.lower, k.key);
    }
  }
  return [...seen.values()];
}

export function simulateOperations(env: IamEnv, bundles: PrincipalPolicies): Ops {
  /** The policies of a user, group or role named by PolicySourceArn, and the principal whose keys the context gets. */
  const source = (ctx: OperationContext, arn: string): IdentityPolicies & { principal: Principal | undefined } => {
    const e = parseEntityArn(arn);
    if (!e || e.account !== ctx.accountId) throw invalidInput(`Invalid PolicySourceArn: ${arn}`); // unverified wording
    const state = env.state(ctx.accountId);
    if (e.kind === "user") {
      const user = findUser(state, e.name);
      return { ...bundles.userPolicies(ctx.accountId, state, user), principal: userPrincipal(ctx.accountId, user, "SIMULATION") };
    }
    if (e.kind === "role") {
      const role = findRole(state, e.name);
      return { ...bundles.rolePolicies(ctx.accountId, role), principal: rolePrincipal(ctx.accountId, role, "iam-policy-simulator", "SIMULATION") };
    }
    return { ...bundles.groupPolicies(ctx.accountId, findGroup(state, e.name)), principal: undefined };
  };

  return {
    SimulatePrincipalPolicy: (params, ctx) => {
      const arn = reqString(params, "PolicySourceArn", ARN);
      const extra = stringList(params, "PolicyInputList", POLICY_DOCUMENT);
      const boundaryInputs = stringList(params, "PermissionsBoundaryPolicyInputList", POLICY_DOCUMENT);
      const callerArn = optString(params, "CallerArn", RESOURCE_NAME);
      authorizeIam(ctx, "SimulatePrincipalPolicy", arn);
      const src = source(ctx, arn);
      const state = env.state(ctx.accountId);
      const caller = callerPrincipal(state, ctx.accountId, callerArn) ?? src.principal;
      return run(env, ctx, params, {
        identity: [...src.identity, ...compileInputs(env, extra, "identity", "PolicyInputList")],
        // A boundary given to the simulator replaces the entity's own.
        boundary: boundaryInputs.length ? compileInputs(env, boundaryInputs, "boundary", "PermissionsBoundaryPolicyInputList") : src.boundary,
        principal: caller,
        account: ctx.accountId,
      });
    },

    SimulateCustomPolicy: (params, ctx) => {
      const docs = stringList(params, "PolicyInputList", POLICY_DOCUMENT);
      if (docs.length === 0) throw constraintError(undefined, "policyInputList", "Member must not be null");
      const boundaryInputs = stringList(params, "PermissionsBoundaryPolicyInputList", POLICY_DOCUMENT);
      const callerArn = optString(params, "CallerArn", RESOURCE_NAME);
      authorizeIam(ctx, "SimulateCustomPolicy", "*");
      return run(env, ctx, params, {
        identity: compileInputs(env, docs, "identity", "PolicyInputList"),
        boundary: compileInputs(env, boundaryInputs, "boundary", "PermissionsBoundaryPolicyInputList"),
        principal: callerPrincipal(env.state(ctx.accountId), ctx.accountId, callerArn),
        account: ctx.accountId,
      });
    },

    GetContextKeysForCustomPolicy: (params, ctx) => {
      const docs = stringList(params, "PolicyInputList", POLICY_DOCUMENT);
      if (docs.length === 0) throw constraintError(undefined, "policyInputList", "Member must not be null");
      authorizeIam(ctx, "GetContextKeysForCustomPolicy", "*");
      return { ContextKeyNames: contextKeysOf(compileInputs(env, docs, "identity", "PolicyInputList")) };
    },

    GetContextKeysForPrincipalPolicy: (params, ctx) => {
      const arn = reqString(params, "PolicySourceArn", ARN);
      const extra = stringList(params, "PolicyInputList", POLICY_DOCUMENT);
      authorizeIam(ctx, "GetContextKeysForPrincipalPolicy", arn);
      const src = source(ctx, arn);
      return { ContextKeyNames: contextKeysOf([...src.identity, ...src.boundary, ...compileInputs(env, extra, "identity", "PolicyInputList")]) };
    },
  };
}
