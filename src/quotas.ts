/**
 * AWS's default service quotas that hyperlocal enforces, each settable with `--quota NAME=N`
 * (repeatable) or HYPERLOCAL_QUOTAS="NAME=N,NAME=N". Values are the defaults of the Amazon VPC
 * and Lambda quota pages.
 */
export const QUOTA_DEFAULTS = {
  /** VPCs per Region (the default VPC counts). */
  "ec2.vpcs": 5,
  /** Subnets per VPC. */
  "ec2.subnets-per-vpc": 200,
  /** Security groups per VPC. */
  "ec2.security-groups-per-vpc": 2500,
  /** Inbound, and separately outbound, rules per security group. */
  "ec2.rules-per-security-group": 60,
  /** Network interfaces per Region. */
  "ec2.network-interfaces": 5000,
  /** Elastic IP addresses per Region. */
  "ec2.elastic-ips": 5,
  /** NAT gateways per Availability Zone. */
  "ec2.nat-gateways-per-az": 5,
  /** Internet gateways per Region. */
  "ec2.internet-gateways": 5,
  /** Lambda concurrent executions per Region (the same as --concurrency-limit). */
  "lambda.concurrent-executions": 1000,
  /** Lambda function and layer storage per Region, in bytes (75 GB). */
  "lambda.code-storage-bytes": 75 * 1024 ** 3,
} as const;

export type QuotaName = keyof typeof QUOTA_DEFAULTS;
export type Quotas = Record<QuotaName, number>;

export function defaultQuotas(): Quotas {
  return { ...QUOTA_DEFAULTS };
}

export function isQuotaName(name: string): name is QuotaName {
  return Object.prototype.hasOwnProperty.call(QUOTA_DEFAULTS, name);
}
