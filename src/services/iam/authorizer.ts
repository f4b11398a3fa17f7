// The authorizer every request of every service goes through. The hot path does no JSON parsing:
// the caller's compiled policies come from a per-principal cache (rebuilt when IAM changes), a
// resource policy from the compile cache keyed by its text, and the context is one fresh object.
import { conditionKeys, type AuthDecision, type AuthRequest, type Authorizer, type RequestNetwork } from "../../core/authorization.ts";
import { isRoot } from "../../core/principal.ts";
import { evaluate, withEndpointPolicy, type CompiledPolicy, type EvaluationResult } from "../../iam-policy/index.ts";
import { DecisionLog } from "./decision-log.ts";
import type { IamEnv } from "./env.ts";
import type { PrincipalPolicies } from "./principal-policies.ts";
import { requestContext } from "./request-context.ts";

const ALLOWED: AuthDecision = Object.freeze({ allowed: true, result: "Allowed" }) as AuthDecision;
const NO_MATCHES: readonly never[] = Object.freeze([]) as readonly never[];

export class IamAuthorizer implements Authorizer {
  readonly log = new DecisionLog(1000);

  constructor(
    private readonly env: IamEnv,
    private readonly bundles: PrincipalPolicies,
  ) {}

  authorize(req: AuthRequest): AuthDecision {
    const p = req.principal;
    const now = this.env.clock.now();
    if (req.endpointPolicyOnly && req.network?.endpointPolicy === undefined) return ALLOWED;
    if (isRoot(p) && (req.resourceAccount === undefined || req.resourceAccount === p.accountId) && req.network?.endpointPolicy === undefined) {
      // The account root may do anything in its own account; across accounts the resource policy still rules.
      this.log.record({ at: now, principal: p.arn, action: req.action, resource: req.resource, context: undefined, result: "Allowed", matched: NO_MATCHES, via: "root" });
      return ALLOWED;
    }
    const bundle = isRoot(p) ? undefined : this.bundles.forPrincipal(p);
    const net = req.network;
    // Through a VPC endpoint the request has no public source address: aws:VpcSourceIp instead (IAM UG, aws:SourceIp).
    const sourceIp = net?.sourceVpce !== undefined ? undefined : req.sourceIp;
    const context = requestContext(bundle ? bundle.base : rootBase(p.accountId, p.arn), { sourceIp, region: req.region, secureTransport: req.secureTransport, now }, conditionKeys(req.context));
    if (net) addNetworkKeys(context, net);
    const resourcePolicy = req.resourcePolicy !== undefined ? this.env.policies.get(req.resourcePolicy, "resource", "ResourcePolicy") : undefined;
    const request = { action: req.action, resource: req.resource, principalArn: p.arn, principalAccount: p.accountId, context };
    let result: EvaluationResult = req.endpointPolicyOnly
      ? { decision: "Allowed", matched: [], missingContextKeys: [] }
      : bundle || isRoot(p)
      ? evaluate({
          request,
          identityPolicies: bundle ? bundle.identity : ROOT_IDENTITY(this.env),
          boundaryPolicies: bundle?.boundary,
          sessionPolicies: bundle?.session,
          resourcePolicy,
          sameAccount: req.resourceAccount === undefined || req.resourceAccount === p.accountId,
        })
      : { decision: "ImplicitDeny", deniedBy: "identity-based policy", matched: [], missingContextKeys: [] }; // the user or role is gone
    if (net?.endpointPolicy !== undefined) result = withEndpointPolicy(result, this.env.policies.get(net.endpointPolicy, "resource", "VpcEndpointPolicy"), request);
    return this.conclude(now, p.arn, req.action, req.resource, context, result);
  }

  /** Turns an engine result into the gateway's decision, logging it; soft mode lets denials through. */
  conclude(now: number, principal: string, action: string, resource: string, context: Record<string, string | string[]> | undefined, result: EvaluationResult): AuthDecision {
    // --iam off never reaches authorize() (app.ts swaps the authorizer), but AssumeRole and Lambda's
    // role checks come here directly: off lets them through like soft, without the warning.
    const mode = this.env.config.iam;
    const soft = mode !== "enforce" && result.decision !== "Allowed";
    this.log.record({
      at: now,
      principal,
      action,
      resource,
      context,
      result: result.decision,
      ...(result.deniedBy ? { deniedBy: result.deniedBy } : {}),
      matched: result.matched,
      via: soft ? (mode === "off" ? "off" : "soft") : "policy",
    });
    if (result.decision === "Allowed") return ALLOWED;
    if (soft) {
      if (mode === "off") return { allowed: true, result: result.decision, soft: true };
      this.env.logger.warn(`iam (soft): ${principal} would be denied ${action} on ${resource} (${result.decision}${result.deniedBy ? `, ${result.deniedBy}` : ""})`);
      return { allowed: true, result: result.decision, ...(result.deniedBy ? { deniedBy: result.deniedBy } : {}), soft: true };
    }
    return { allowed: false, result: result.decision, ...(result.deniedBy ? { deniedBy: result.deniedBy } : {}) };
  }
}

/** aws:SourceVpc, aws:SourceVpce and aws:VpcSourceIp of a request that came through a VPC endpoint. */
function addNetworkKeys(context: Record<string, string | string[]>, net: RequestNetwork): void {
  if (net.sourceVpc !== undefined) context["aws:SourceVpc"] = net.sourceVpc;
  if (net.sourceVpce !== undefined) context["aws:SourceVpce"] = net.sourceVpce;
  if (net.vpcSourceIp !== undefined) context["aws:VpcSourceIp"] = net.vpcSourceIp;
}

const rootBases = new Map<string, Record<string, string>>();
function rootBase(account: string, arn: string): Record<string, string> {
  let b = rootBases.get(account);
  if (!b) {
    b = { "aws:PrincipalArn": arn, "aws:PrincipalAccount": account, "aws:PrincipalType": "Account", "aws:userid": account };
    rootBases.set(account, b);
  }
  return b;
}

const ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

/** The root's identity side: everything (only resource policies and trust policies can limit it). */
const rootIdentities = new WeakMap<IamEnv, CompiledPolicy[]>();
export function ROOT_IDENTITY(env: IamEnv): CompiledPolicy[] {
  let r = rootIdentities.get(env);
  if (!r) {
    r = [env.policies.get(ALLOW_ALL, "identity", "root")];
    rootIdentities.set(env, r);
  }
  return r;
}
