import type { Principal } from "./principal.ts";

/** Values of condition keys: a string, or several for multi-valued keys. */
export type ContextValue = string | string[];

/**
 * Operation-specific condition keys, or a function that makes them: called only when a decision
 * looks at them (the account root in its own account is allowed without), so an operation that
 * authorizes several resources does not build keys nobody reads.
 */
export type ConditionKeys = Record<string, ContextValue> | (() => Record<string, ContextValue>);

export function conditionKeys(c: ConditionKeys | undefined): Record<string, ContextValue> | undefined {
  return typeof c === "function" ? c() : c;
}

/** One authorization question: may this principal do this action on this resource? */
export interface AuthRequest {
  principal: Principal;
  /** service:Action, e.g. lambda:CreateFunction */
  action: string;
  /** The resource ARN, or "*" for actions without a resource type. */
  resource: string;
  /** Operation-specific condition keys, e.g. lambda:VpcIds, ec2:Vpc. Global keys are added by the authorizer. */
  context?: ConditionKeys;
  /** A resource-based policy document (JSON) that applies, e.g. a Lambda function policy. */
  resourcePolicy?: string;
  /** The account that owns the resource, when it differs from the principal's. */
  resourceAccount?: string;
  /** Request facts the authorizer turns into global keys. */
  sourceIp?: string;
  /** How the request crossed a VPC (function code's calls through an endpoint): keys and the endpoint policy. */
  network?: RequestNetwork;
  /**
   * Only the VPC endpoint policy decides (actions IAM never denies, such as sts:GetCallerIdentity,
   * which an endpoint policy still can): allowed when the request came through no endpoint policy.
   */
  endpointPolicyOnly?: boolean;
  secureTransport?: boolean;
  region?: string;
}

/**
 * The network path a request took, as hyperlocal's network model decided it (never from what the
 * caller sent): through an interface VPC endpoint it carries aws:SourceVpc, aws:SourceVpce and
 * aws:VpcSourceIp and no aws:SourceIp; the endpoint's policy is a further layer of evaluation.
 */
export interface RequestNetwork {
  sourceVpc?: string;
  sourceVpce?: string;
  vpcSourceIp?: string;
  /** The VPC endpoint's policy document (JSON); unset: the endpoint allows everything. */
  endpointPolicy?: string;
}

export type PolicyType =
  | "VPC endpoint policy"
  | "identity-based policy"
  | "permissions boundary"
  | "session policy"
  | "resource-based policy";

export interface AuthDecision {
  allowed: boolean;
  /** How the decision came: allowed by policy, root, the mode, or which kind of deny. */
  result: "Allowed" | "ExplicitDeny" | "ImplicitDeny";
  /** For denials: which policy type denied, for AWS's message ("... in an identity-based policy"). */
  deniedBy?: PolicyType;
  /** True when enforcement is soft: the request goes on although the decision was a deny. */
  soft?: boolean;
}

export interface Authorizer {
  authorize(req: AuthRequest): AuthDecision;
}

/** Used before the IAM service is wired in, and for --iam off. */
export const allowAllAuthorizer: Authorizer = {
  authorize: () => ({ allowed: true, result: "Allowed" }),
};

/** AWS's denial text, shared by Lambda (AccessDeniedException), IAM and STS (AccessDenied). */
export function denialMessage(principalArn: string, action: string, resource: string, d: AuthDecision): string {
  const base = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  const by = d.deniedBy ?? "identity-based policy";
  if (d.result === "ExplicitDeny") return `${base} with an explicit deny in ${by === "identity-based policy" ? "an" : "a"} ${by}`;
  if (by === "identity-based policy") return `${base} because no identity-based policy allows the ${action} action`;
  return `${base} because no ${by} allows the ${action} action`;
}
