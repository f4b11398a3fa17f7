// The request context the policy engine sees: global condition keys (IAM UG
// reference_policies_condition-keys) plus the operation's own keys. The principal's part is built
// once per principal and cached with its policies; per request only the changing keys are added.
import { dict } from "../../core/dict.ts";
import type { ContextValue } from "../../iam-policy/index.ts";
import type { Principal } from "../../core/principal.ts";

export type Context = Record<string, ContextValue>;

/** Keys that depend only on who is calling. */
export function principalContext(p: Principal): Context {
  const c: Context = {
    // For a role session AWS puts the role's ARN here, not the session's (IAM UG, aws:PrincipalArn).
    "aws:PrincipalArn": p.type === "AssumedRole" && p.roleArn ? p.roleArn : p.arn,
    "aws:PrincipalAccount": p.accountId,
    "aws:PrincipalType": p.type,
    "aws:userid": p.userId,
  };
  if (p.type === "User" && p.username !== undefined) c["aws:username"] = p.username;
  if (p.tags) for (const [k, v] of Object.entries(p.tags)) c[`aws:PrincipalTag/${k}`] = v;
  if (p.sourceFunctionArn !== undefined) c["lambda:SourceFunctionArn"] = p.sourceFunctionArn;
  return c;
}

export interface RequestFacts {
  sourceIp?: string;
  region?: string;
  secureTransport?: boolean;
  now: number;
}

// aws:CurrentTime changes once a second: format it once a second, not once a request.
let isoSecond = -1;
let isoText = "";
let epochText = "";
function timeKeys(now: number): void {
  const s = Math.floor(now / 1000);
  if (s !== isoSecond) {
    isoSecond = s;
    isoText = new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    epochText = String(s);
  }
}

/** One fresh object per request: the principal's keys, the request's, then the operation's (which win). */
export function requestContext(base: Context, facts: RequestFacts, extra?: Readonly<Record<string, ContextValue>>): Context {
  const c: Context = dict();
  for (const k in base) c[k] = base[k];
  timeKeys(facts.now);
  c["aws:CurrentTime"] = isoText;
  c["aws:EpochTime"] = epochText;
  c["aws:SecureTransport"] = facts.secureTransport ? "true" : "false";
  if (facts.sourceIp !== undefined) c["aws:SourceIp"] = facts.sourceIp;
  if (facts.region !== undefined) c["aws:RequestedRegion"] = facts.region;
  if (extra) for (const k in extra) c[k] = extra[k];
  return c;
}
