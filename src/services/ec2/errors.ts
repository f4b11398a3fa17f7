import { AwsError } from "../../core/aws-error.ts";

/**
 * EC2's error codes and texts. Codes follow the EC2 API reference (errors-overview); messages are
 * the ones real EC2 answers with where public captures show them, otherwise marked unverified.
 * AWS spells the codes inconsistently (InvalidVpcID.NotFound but InvalidGroupId.Malformed,
 * InvalidRouteTableID.NotFound but InvalidRouteTableId.Malformed): they are copied, not derived.
 */
export function ec2Error(code: string, message: string, status = 400): AwsError {
  return new AwsError(code, status, message);
}

interface IdKind {
  notFound: string;
  /** message with %s for the id */
  message: string;
  /** the Malformed code, when AWS documents one */
  malformed?: string;
}

export const ID_KINDS = {
  vpc: { notFound: "InvalidVpcID.NotFound", message: "The vpc ID '%s' does not exist", malformed: "InvalidVpcID.Malformed" },
  subnet: { notFound: "InvalidSubnetID.NotFound", message: "The subnet ID '%s' does not exist", malformed: "InvalidSubnetID.Malformed" },
  sg: { notFound: "InvalidGroup.NotFound", message: "The security group '%s' does not exist", malformed: "InvalidGroupId.Malformed" },
  rtb: { notFound: "InvalidRouteTableID.NotFound", message: "The routeTable ID '%s' does not exist", malformed: "InvalidRouteTableId.Malformed" },
  igw: { notFound: "InvalidInternetGatewayID.NotFound", message: "The internetGateway ID '%s' does not exist", malformed: "InvalidInternetGatewayId.Malformed" },
  eni: { notFound: "InvalidNetworkInterfaceID.NotFound", message: "The networkInterface ID '%s' does not exist", malformed: "InvalidNetworkInterfaceId.Malformed" },
  acl: { notFound: "InvalidNetworkAclID.NotFound", message: "The networkAcl ID '%s' does not exist" },
  pcx: { notFound: "InvalidVpcPeeringConnectionID.NotFound", message: "The vpcPeeringConnection ID '%s' does not exist", malformed: "InvalidVpcPeeringConnectionId.Malformed" },
  // unverified wording
  nat: { notFound: "NatGatewayNotFound", message: "The natGateway ID '%s' does not exist", malformed: "NatGatewayMalformed" },
  // unverified wording
  eigw: { notFound: "InvalidGatewayID.NotFound", message: "The eigw ID '%s' does not exist" },
  eipalloc: { notFound: "InvalidAllocationID.NotFound", message: "The allocation ID '%s' does not exist" },
  dopt: { notFound: "InvalidDhcpOptionID.NotFound", message: "The dhcpOption ID '%s' does not exist" },
  // unverified wording
  sgr: { notFound: "InvalidSecurityGroupRuleId.NotFound", message: "The security group rule ID '%s' does not exist", malformed: "InvalidSecurityGroupRuleId.Malformed" },
  vpce: { notFound: "InvalidVpcEndpointId.NotFound", message: "The Vpc Endpoint Id '%s' does not exist", malformed: "InvalidVpcEndpointId.Malformed" },
  assoc: { notFound: "InvalidAssociationID.NotFound", message: "The association ID '%s' does not exist" },
} satisfies Record<string, IdKind>;

export type IdKindName = keyof typeof ID_KINDS;

/** The id shape EC2 accepts: 8 hex digits (old form) or 17 (long ids). */
export function wellFormed(prefix: string, id: string): boolean {
  return new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`).test(id);
}

export function notFound(kind: IdKindName, id: string): AwsError {
  const k: IdKind = ID_KINDS[kind];
  return ec2Error(k.notFound, k.message.replace("%s", id));
}

export function malformed(kind: IdKindName, prefix: string, id: string): AwsError {
  const k: IdKind = ID_KINDS[kind];
  return ec2Error(k.malformed ?? k.notFound, k.malformed ? `Invalid id: "${id}" (expecting "${prefix}-...")` : k.message.replace("%s", id));
}

export function missingParameter(name: string): AwsError {
  return ec2Error("MissingParameter", `The request must contain the parameter ${name}`);
}

export function invalidParameterValue(message: string): AwsError {
  return ec2Error("InvalidParameterValue", message);
}

export function dependencyViolation(message: string): AwsError {
  return ec2Error("DependencyViolation", message);
}

export function dryRunOperation(): AwsError {
  return ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
}

export function insufficientAddresses(): AwsError {
  return ec2Error("InsufficientFreeAddressesInSubnet", "The specified subnet does not have enough free addresses to satisfy the request.");
}

/** "Value (10.0.0.0/33) for parameter cidrBlock is invalid. This is not a valid CIDR block." */
export function invalidCidrParameter(value: string, parameter: string): AwsError {
  return invalidParameterValue(`Value (${value}) for parameter ${parameter} is invalid. This is not a valid CIDR block.`);
}

export function isAwsErrorCode(e: unknown, code: string): boolean {
  return e instanceof AwsError && e.code === code;
}
