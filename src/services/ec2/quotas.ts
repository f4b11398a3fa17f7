import { AwsError } from "../../core/aws-error.ts";
import type { QuotaName } from "../../quotas.ts";
import type { Ec2Call } from "./context.ts";

/** The error EC2 answers at each quota (400, as the VPC quota's "VpcLimitExceeded: The maximum number of VPCs has been reached."). */
const LIMIT_ERRORS: Partial<Record<QuotaName, [code: string, message: string]>> = {
  "ec2.vpcs": ["VpcLimitExceeded", "The maximum number of VPCs has been reached."],
  "ec2.subnets-per-vpc": ["SubnetLimitExceeded", "The maximum number of subnets has been reached."], // unverified wording
  "ec2.security-groups-per-vpc": ["SecurityGroupLimitExceeded", "The maximum number of security groups has been reached."], // unverified wording
  "ec2.rules-per-security-group": ["RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached."],
  "ec2.network-interfaces": ["NetworkInterfaceLimitExceeded", "The maximum number of network interfaces has been reached."], // unverified wording
  "ec2.elastic-ips": ["AddressLimitExceeded", "The maximum number of addresses has been reached."],
  "ec2.nat-gateways-per-az": ["NatGatewayLimitExceeded", "The maximum number of NAT gateways has been reached."], // unverified wording
  "ec2.internet-gateways": ["InternetGatewayLimitExceeded", "The maximum number of internet gateways has been reached."],
};

/** Refuse the creation when `used` (before it) already reaches the quota. Call after authorization. */
export function checkQuota(c: Ec2Call, name: QuotaName, used: number, adding = 1): void {
  if (used + adding <= c.quotas[name]) return;
  const [code, message] = LIMIT_ERRORS[name] ?? ["ResourceLimitExceeded", `The maximum number of resources has been reached (${name}).`];
  throw new AwsError(code, 400, message);
}
