// VpcConfig on CreateFunction and UpdateFunctionConfiguration: the IAM condition keys Lambda puts
// in the authorization, and the checks it makes before anything changes, in AWS's order:
//   the two lists coexist → DescribeSecurityGroups → DescribeSubnets → one VPC → DescribeVpcs
//   (no dedicated tenancy) → IPv6 → the execution role may manage ENIs.
// The Describe calls are made with the caller's identity, as Lambda does ("Lambda uses your
// permissions to verify network resources"); the role check is a simulation of the role, as Lambda
// itself uses it (no lambda:SourceFunctionArn).
import type { ContextValue } from "../../core/authorization.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import type { Ec2Internal, SubnetView } from "../ec2/index.ts";
import type { IamInternal } from "../iam/index.ts";
import { invalidParameter, lambdaError } from "./errors.ts";
import type { FunctionLocation } from "./function-state.ts";
import type { VersionConfig } from "./model.ts";

export type VpcSettings = NonNullable<VersionConfig["vpcConfig"]>;

export interface VpcInput {
  SubnetIds?: string[];
  SecurityGroupIds?: string[];
  Ipv6AllowedForDualStack?: boolean;
}

export const COEXIST = "SubnetIds and SecurityIds must coexist or be both empty list.";

/** A configuration that is attached to a VPC (a detached one keeps empty lists). */
export function hasVpc(cfg: Pick<VersionConfig, "vpcConfig"> | undefined): cfg is VersionConfig & { vpcConfig: VpcSettings } {
  return (cfg?.vpcConfig?.subnetIds.length ?? 0) > 0;
}

/** What a detached function shows: `"VpcConfig": {"SubnetIds": [], "SecurityGroupIds": [], "VpcId": ""}`. */
export function detachedVpc(): VpcSettings {
  return { subnetIds: [], securityGroupIds: [], vpcId: "" };
}

/**
 * lambda:VpcIds (single value, derived: "VPC ID is not an input parameter"), lambda:SubnetIds and
 * lambda:SecurityGroupIds (multi-valued). A request that detaches (empty lists) carries the two
 * empty lists and no VpcIds; a function without VPC carries none of them.
 */
export function vpcConditionKeys(ec2: Ec2Internal | undefined, loc: FunctionLocation, vpc: VpcInput | undefined): Record<string, ContextValue> {
  if (!vpc) return {};
  const subnets = vpc.SubnetIds ?? [];
  const groups = vpc.SecurityGroupIds ?? [];
  const out: Record<string, ContextValue> = { "lambda:SubnetIds": [...subnets], "lambda:SecurityGroupIds": [...groups] };
  if (subnets.length === 0 && groups.length === 0) return out;
  const vpcId = deriveVpcId(ec2, loc, subnets, groups);
  if (vpcId) out["lambda:VpcIds"] = vpcId;
  return out;
}

/** The keys of a configuration as it is (an update without VpcConfig is authorized with the current values). */
export function currentVpcKeys(cfg: VersionConfig | undefined): Record<string, ContextValue> {
  if (!hasVpc(cfg)) return {};
  const out: Record<string, ContextValue> = { "lambda:SubnetIds": [...cfg.vpcConfig.subnetIds], "lambda:SecurityGroupIds": [...cfg.vpcConfig.securityGroupIds] };
  if (cfg.vpcConfig.vpcId) out["lambda:VpcIds"] = cfg.vpcConfig.vpcId;
  return out;
}

function deriveVpcId(ec2: Ec2Internal | undefined, loc: FunctionLocation, subnets: string[], groups: string[]): string | undefined {
  if (!ec2) return undefined;
  for (const id of subnets) {
    const s = ec2.describeSubnet(loc.account, loc.region, id);
    if (s) return s.vpcId;
  }
  for (const id of groups) {
    const g = ec2.describeSecurityGroup(loc.account, loc.region, id);
    if (g) return g.vpcId;
  }
  return undefined;
}

/** Only one of the two lists given: refused before any lookup. */
export function checkCoexist(vpc: VpcInput | undefined): void {
  if (!vpc) return;
  if (((vpc.SubnetIds ?? []).length === 0) !== ((vpc.SecurityGroupIds ?? []).length === 0)) throw invalidParameter(COEXIST);
}

export interface VpcCheckDeps {
  ec2: Ec2Internal;
  iam: IamInternal;
}

/**
 * Resolve a requested VpcConfig (already shape-validated and coexisting) into the settings the
 * function keeps, or a detached configuration for empty lists. Throws AWS's errors; changes nothing.
 */
export function resolveVpcConfig(deps: VpcCheckDeps, ctx: OperationContext, loc: FunctionLocation, vpc: VpcInput, role: string): VpcSettings {
  checkCoexist(vpc);
  const subnetIds = [...(vpc.SubnetIds ?? [])];
  const groupIds = [...(vpc.SecurityGroupIds ?? [])];
  if (subnetIds.length === 0) return detachedVpc();
  const { ec2 } = deps;

  callerMay(ctx, loc, "DescribeSecurityGroups", groupIds);
  const groups = groupIds.map((id) => {
    const g = ec2.describeSecurityGroup(loc.account, loc.region, id);
    if (!g) throw ec2Failure("DescribeSecurityGroups", "InvalidGroup.NotFound", `The security group '${id}' does not exist`);
    return g;
  });

  callerMay(ctx, loc, "DescribeSubnets", subnetIds);
  const subnets: SubnetView[] = subnetIds.map((id) => {
    const s = ec2.describeSubnet(loc.account, loc.region, id);
    if (!s) throw ec2Failure("DescribeSubnets", "InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`);
    return s;
  });

  const vpcId = subnets[0].vpcId;
  // unverified wording: mirrors the security group text below
  if (subnets.some((s) => s.vpcId !== vpcId)) throw invalidParameter("Subnets are required to be in the same VPC.");
  // As CloudFormation surfaced it for Lambda (smoketurner/serverless-vpc-plugin#765); the trailing period is a guess.
  if (groups.some((g) => g.vpcId !== vpcId)) throw invalidParameter("Security Groups are required to be in the same VPC.");

  callerMay(ctx, loc, "DescribeVpcs", [vpcId]);
  const v = ec2.describeVpc(loc.account, loc.region, vpcId);
  // The older documentation's text; AWS's current wire text is not public. unverified wording
  if (v?.instanceTenancy === "dedicated") throw invalidParameter("Lambda does not support connecting to resources within Dedicated Tenancy VPCs.");

  const ipv6 = vpc.Ipv6AllowedForDualStack === true;
  for (const s of subnets) {
    // unverified wording
    if (s.ipv6Native || s.cidrBlock === undefined) throw invalidParameter(`Lambda does not support IPv6-only subnets. Subnet ${s.subnetId} is IPv6-only; use dual-stack subnets.`);
    if (ipv6 && s.ipv6CidrBlocks.length === 0) {
      // unverified wording
      throw invalidParameter(`Ipv6AllowedForDualStack is set to true, but subnet ${s.subnetId} is not a dual-stack subnet. Every subnet must have an IPv6 CIDR block.`);
    }
  }

  checkRoleCanManageEnis(deps.iam, loc, role, subnetIds, groupIds);

  const out: VpcSettings = { subnetIds, securityGroupIds: groupIds, vpcId };
  if (vpc.Ipv6AllowedForDualStack !== undefined) out.ipv6AllowedForDualStack = vpc.Ipv6AllowedForDualStack;
  return out;
}

/** The ENI actions Lambda performs with the execution role (AWSLambdaVPCAccessExecutionRole allows them). */
const ROLE_ACTIONS = ["CreateNetworkInterface", "DescribeNetworkInterfaces", "DeleteNetworkInterface"] as const;

/** The first ENI action the role may not perform, or undefined when it may perform them all. */
export function roleEniDenial(iam: IamInternal, loc: FunctionLocation, role: string, subnetIds: string[], groupIds: string[]): string | undefined {
  const arn = (type: string, id: string) => `arn:aws:ec2:${loc.region}:${loc.account}:${type}/${id}`;
  const context = { "ec2:Region": loc.region };
  for (const action of ROLE_ACTIONS) {
    const resources =
      action === "CreateNetworkInterface"
        ? [arn("network-interface", "*"), ...subnetIds.map((s) => arn("subnet", s)), ...groupIds.map((g) => arn("security-group", g))]
        : action === "DeleteNetworkInterface"
          ? [arn("network-interface", "*")]
          : ["*"];
    for (const r of resources) {
      if (!iam.simulateRole(loc.account, role, `ec2:${action}`, r, context).allowed) return action;
    }
  }
  return undefined;
}

/** At CreateFunction / UpdateFunctionConfiguration: 400 at once when the role cannot manage ENIs. */
export function checkRoleCanManageEnis(iam: IamInternal, loc: FunctionLocation, role: string, subnetIds: string[], groupIds: string[]): void {
  const denied = roleEniDenial(iam, loc, role, subnetIds, groupIds);
  // The CreateNetworkInterface text is AWS's (many public logs); the other two follow it. unverified wording for those
  if (denied) throw invalidParameter(`The provided execution role does not have permissions to call ${denied} on EC2`);
}

/**
 * The caller must be allowed the Describe call Lambda makes for it. The S3 analogue is a recorded
 * AccessDeniedException "Your access has been denied by S3, please make sure your request
 * credentials have permission to GetObject for <bucket>/<key>. S3 Error Code: AccessDenied. ...";
 * the EC2 form is quoted as far as "EC2 Error Code: UnauthorizedOperation." (the rest unverified wording).
 */
function callerMay(ctx: OperationContext, loc: FunctionLocation, action: "DescribeSecurityGroups" | "DescribeSubnets" | "DescribeVpcs", ids: string[]): void {
  const d = ctx.decide(`ec2:${action}`, "*", { context: { "ec2:Region": loc.region } });
  if (d.allowed) return;
  throw lambdaError(
    "AccessDeniedException",
    403,
    `Your access has been denied by EC2, please make sure your request credentials have permission to ${action} for ${ids.join(",")}. EC2 Error Code: UnauthorizedOperation. EC2 Error Message: You are not authorized to perform this operation.`,
  );
}

/** Lambda relays EC2's answer: "Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: ..." */
function ec2Failure(operation: string, code: string, message: string) {
  return invalidParameter(`Error occurred while ${operation}. EC2 Error Code: ${code}. EC2 Error Message: ${message}`);
}
