import { vpcCidrBlockProvider, vpcProvider } from "./ec2-vpc.ts";
import { subnetProvider } from "./ec2-subnet.ts";
import { securityGroupEgressProvider, securityGroupIngressProvider, securityGroupProvider } from "./ec2-security-group.ts";
import { egressOnlyInternetGatewayProvider, eipProvider, internetGatewayProvider, natGatewayProvider, vpcGatewayAttachmentProvider } from "./ec2-gateways.ts";
import { routeProvider, routeTableProvider, subnetRouteTableAssociationProvider } from "./ec2-routes.ts";
import { networkAclEntryProvider, networkAclProvider, subnetNetworkAclAssociationProvider } from "./ec2-network-acls.ts";
import { networkInterfaceProvider, vpcPeeringConnectionProvider } from "./ec2-peering-eni.ts";
import { roleProvider } from "./iam-role.ts";
import { managedPolicyProvider, policyProvider } from "./iam-policies.ts";
import { accessKeyProvider, userProvider } from "./iam-users.ts";
import { instanceProfileProvider } from "./iam-instance-profile.ts";
import { eventInvokeConfigProvider } from "./lambda-event-invoke-config.ts";
import { functionProvider } from "./lambda-function.ts";
import { aliasProvider, permissionProvider, versionProvider } from "./lambda-versions.ts";
import { waitConditionHandleProvider } from "./wait-condition.ts";
import type { ResourceProvider } from "./types.ts";
import { customResourceProvider, isCustomType } from "./custom-resource.ts";

const ALL: ResourceProvider[] = [
  vpcProvider,
  vpcCidrBlockProvider,
  subnetProvider,
  securityGroupProvider,
  securityGroupIngressProvider,
  securityGroupEgressProvider,
  internetGatewayProvider,
  vpcGatewayAttachmentProvider,
  egressOnlyInternetGatewayProvider,
  eipProvider,
  natGatewayProvider,
  routeTableProvider,
  routeProvider,
  subnetRouteTableAssociationProvider,
  networkAclProvider,
  networkAclEntryProvider,
  subnetNetworkAclAssociationProvider,
  vpcPeeringConnectionProvider,
  networkInterfaceProvider,
  roleProvider,
  policyProvider,
  managedPolicyProvider,
  userProvider,
  accessKeyProvider,
  instanceProfileProvider,
  functionProvider,
  versionProvider,
  aliasProvider,
  permissionProvider,
  eventInvokeConfigProvider,
  waitConditionHandleProvider,
];

const BY_TYPE = new Map(ALL.map((p) => [p.type, p]));

export function providerFor(type: string): ResourceProvider | undefined {
  return BY_TYPE.get(type) ?? (isCustomType(type) ? customResourceProvider(type) : undefined);
}

export function supportedTypes(): string[] {
  return [...BY_TYPE.keys()];
}
