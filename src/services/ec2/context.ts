import { dict } from "../../core/dict.ts";
import { conditionKeys, type ConditionKeys, type ContextValue } from "../../core/authorization.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import type { InputTree } from "../../core/input-tree.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { dryRunOperation } from "./errors.ts";
import { isDryRun } from "./request.ts";
import type { Quotas } from "../../quotas.ts";
import type { Ec2State, Tags } from "./state.ts";

/** What every EC2 operation works with: the request, its caller, and the caller's state. */
export interface Ec2Call {
  p: InputTree;
  ctx: OperationContext;
  s: Ec2State;
  now: number;
  /** AWS's default quotas, or those the server was started with (--quota). */
  quotas: Quotas;
  /** EC2's state of another account or Region (peering across Regions and accounts). */
  stateOf?: (account: string, region: string) => Ec2State;
}

export type Ec2Operation = (c: Ec2Call) => OutputObject;

/** ARN resource types, as IAM names them for EC2. */
export type ArnType =
  | "vpc"
  | "subnet"
  | "security-group"
  | "security-group-rule"
  | "network-acl"
  | "route-table"
  | "internet-gateway"
  | "egress-only-internet-gateway"
  | "natgateway"
  | "elastic-ip"
  | "vpc-peering-connection"
  | "network-interface"
  | "dhcp-options"
  | "vpc-endpoint";

export function arnOf(s: { account: string; region: string }, type: ArnType, id: string): string {
  return `arn:aws:ec2:${s.region}:${s.account}:${type}/${id}`;
}

export interface AuthTarget {
  arn: string;
  /** Its condition keys, or a function making them (made only when a decision reads them). */
  context?: ConditionKeys;
}

/** ec2:ResourceTag/<key> for each tag of an existing resource. */
export function resourceTagContext(tags: Tags | undefined): Record<string, ContextValue> {
  const out = dict<ContextValue>();
  for (const [k, v] of Object.entries(tags ?? {})) out[`ec2:ResourceTag/${k}`] = v;
  return out;
}

/** aws:RequestTag/<key> and aws:TagKeys for the tags a create call asks for. */
export function requestTagContext(tags: Tags | undefined): Record<string, ContextValue> {
  const keys = Object.keys(tags ?? {});
  if (keys.length === 0) return {};
  const out: Record<string, ContextValue> = { "aws:TagKeys": keys };
  for (const [k, v] of Object.entries(tags ?? {})) out[`aws:RequestTag/${k}`] = v;
  return out;
}

/**
 * Authorize the call on each resource it touches, then stop a dry run: EC2 answers DryRun=true
 * with DryRunOperation (412) when the caller is allowed, and UnauthorizedOperation otherwise.
 */
export function gate(c: Ec2Call, action: string, targets: AuthTarget | AuthTarget[] | "*", common: Record<string, ContextValue> = {}): void {
  const list: AuthTarget[] = targets === "*" ? [{ arn: "*" }] : Array.isArray(targets) ? targets : [targets];
  const iamAction = `ec2:${action}`;
  for (const t of list) c.ctx.authorize(iamAction, t.arn, { context: () => ({ "ec2:Region": c.ctx.region, ...common, ...conditionKeys(t.context) }) });
  if (isDryRun(c.p)) throw dryRunOperation();
}

/** Describe* calls: no resource-level permissions, resource "*". */
export function gateDescribe(c: Ec2Call, action: string): void {
  gate(c, action, "*");
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
