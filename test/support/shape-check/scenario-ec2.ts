import assert from "node:assert/strict";
import type { EC2Client } from "@aws-sdk/client-ec2";
import { sixtyFour } from "../ec2-helpers.ts";
import { advanceClock } from "../zip-functions.ts";
import { call, callFails } from "./call.ts";

/** Every EC2 operation hyperlocal serves, once or more, successes and the usual errors; `bare`: a client on a server without default VPCs. */
export async function ec2Scenario(ec2: EC2Client, url: string, bare: EC2Client): Promise<void> {
  await call(bare, "ec2", "CreateDefaultVpc");
  const x = (op: string, input: object = {}) => call(ec2, "ec2", op, input);
  const no = (op: string, input: object, code: string) => callFails(ec2, "ec2", op, input, code);

  await x("DescribeAccountAttributes");
  await x("DescribeRegions");
  await x("DescribeAvailabilityZones");
  await x("DescribeDhcpOptions");
  const dopt: string = (await x("CreateDhcpOptions", { DhcpConfigurations: [{ Key: "domain-name", Values: ["corp.example"] }] })).DhcpOptions.DhcpOptionsId;
  await no("CreateDhcpOptions", { DhcpConfigurations: [{ Key: "bogus", Values: ["x"] }] }, "InvalidParameterValue");

  const vpc = (await x("CreateVpc", { CidrBlock: "10.0.0.0/16", AmazonProvidedIpv6CidrBlock: true })).Vpc;
  const vpcId: string = vpc.VpcId;
  const peer = (await x("CreateVpc", { CidrBlock: "10.1.0.0/16" })).Vpc.VpcId as string;
  const dedicated = (await x("CreateVpc", { CidrBlock: "10.2.0.0/16", InstanceTenancy: "dedicated" })).Vpc.VpcId as string;
  await no("CreateVpc", { CidrBlock: "10.0.0.0/8" }, "InvalidVpc.Range");
  await x("DescribeVpcs");
  await x("DescribeVpcs", { VpcIds: [vpcId] });
  await no("DescribeVpcs", { VpcIds: ["vpc-00000000000000000"] }, "InvalidVpcID.NotFound");
  await x("AssociateDhcpOptions", { DhcpOptionsId: dopt, VpcId: vpcId });
  await no("DeleteDhcpOptions", { DhcpOptionsId: dopt }, "DependencyViolation");
  await x("AssociateDhcpOptions", { DhcpOptionsId: "default", VpcId: vpcId });
  await x("DeleteDhcpOptions", { DhcpOptionsId: dopt });
  await x("DescribeVpcAttribute", { VpcId: vpcId, Attribute: "enableDnsSupport" });
  await x("ModifyVpcAttribute", { VpcId: vpcId, EnableDnsHostnames: { Value: true } });
  await x("ModifyVpcTenancy", { VpcId: dedicated, InstanceTenancy: "default" });
  const extra = (await x("AssociateVpcCidrBlock", { VpcId: vpcId, CidrBlock: "10.3.0.0/16" })).CidrBlockAssociation;
  await x("DisassociateVpcCidrBlock", { AssociationId: extra.AssociationId });

  const ipv6 = (await x("DescribeVpcs", { VpcIds: [vpcId] })).Vpcs[0];
  const subnetId: string = (await x("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" })).Subnet.SubnetId;
  const subnet2: string = (await x("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.0.2.0/24" })).Subnet.SubnetId;
  await no("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.0.1.0/25" }, "InvalidSubnet.Conflict");
  const v6 = (await x("AssociateSubnetCidrBlock", { SubnetId: subnetId, Ipv6CidrBlock: sixtyFour(ipv6, 1) })).Ipv6CidrBlockAssociation;
  await x("ModifySubnetAttribute", { SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true } });
  await x("DescribeSubnets");
  await no("DescribeSubnets", { SubnetIds: ["subnet-00000000000000000"] }, "InvalidSubnetID.NotFound");

  const sg: string = (await x("CreateSecurityGroup", { GroupName: "parity", Description: "parity check", VpcId: vpcId })).GroupId;
  await no("CreateSecurityGroup", { GroupName: "parity", Description: "again", VpcId: vpcId }, "InvalidGroup.Duplicate");
  const rule = { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "10.0.0.0/16", Description: "https" }] };
  await x("AuthorizeSecurityGroupIngress", { GroupId: sg, IpPermissions: [rule] });
  await no("AuthorizeSecurityGroupIngress", { GroupId: sg, IpPermissions: [rule] }, "InvalidPermission.Duplicate");
  await x("AuthorizeSecurityGroupEgress", { GroupId: sg, IpPermissions: [{ ...rule, IpRanges: [{ CidrIp: "10.1.0.0/16" }] }] });
  await x("DescribeSecurityGroups", { GroupIds: [sg] });
  const sgRules = (await x("DescribeSecurityGroupRules", { Filters: [{ Name: "group-id", Values: [sg] }] })).SecurityGroupRules;
  await x("UpdateSecurityGroupRuleDescriptionsIngress", { GroupId: sg, IpPermissions: [{ ...rule, IpRanges: [{ CidrIp: "10.0.0.0/16", Description: "tls" }] }] });
  const egressRule = sgRules.find((r: { IsEgress: boolean }) => r.IsEgress);
  await x("UpdateSecurityGroupRuleDescriptionsEgress", { GroupId: sg, SecurityGroupRuleDescriptions: [{ SecurityGroupRuleId: egressRule.SecurityGroupRuleId, Description: "out" }] });
  await no("UpdateSecurityGroupRuleDescriptionsIngress", { GroupId: sg, IpPermissions: [{ ...rule, IpRanges: [{ CidrIp: "10.8.0.0/16" }] }] }, "InvalidPermission.NotFound");
  await no("CreateDefaultVpc", {}, "DefaultVpcAlreadyExists");
  await no("DescribeSecurityGroups", { GroupIds: ["sg-00000000000000000"] }, "InvalidGroup.NotFound");

  const eni = (await x("CreateNetworkInterface", { SubnetId: subnetId, Groups: [sg], Description: "parity" })).NetworkInterface;
  const eni2 = (await x("CreateNetworkInterface", { SubnetId: subnet2 })).NetworkInterface;
  await x("DescribeNetworkInterfaces");
  await x("DescribeNetworkInterfaceAttribute", { NetworkInterfaceId: eni.NetworkInterfaceId, Attribute: "description" });
  await x("DescribeNetworkInterfaceAttribute", { NetworkInterfaceId: eni.NetworkInterfaceId, Attribute: "groupSet" });
  await x("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: eni.NetworkInterfaceId, Description: { Value: "changed" } });
  const assigned = await x("AssignPrivateIpAddresses", { NetworkInterfaceId: eni.NetworkInterfaceId, SecondaryPrivateIpAddressCount: 1 });
  await x("UnassignPrivateIpAddresses", { NetworkInterfaceId: eni.NetworkInterfaceId, PrivateIpAddresses: assigned.AssignedPrivateIpAddresses.map((a: { PrivateIpAddress: string }) => a.PrivateIpAddress) });
  const six = await x("AssignIpv6Addresses", { NetworkInterfaceId: eni.NetworkInterfaceId, Ipv6AddressCount: 1 });
  await x("UnassignIpv6Addresses", { NetworkInterfaceId: eni.NetworkInterfaceId, Ipv6Addresses: six.AssignedIpv6Addresses });
  await no("DescribeNetworkInterfaces", { NetworkInterfaceIds: ["eni-00000000000000000"] }, "InvalidNetworkInterfaceID.NotFound");

  const acl: string = (await x("CreateNetworkAcl", { VpcId: vpcId })).NetworkAcl.NetworkAclId;
  const entry = { NetworkAclId: acl, RuleNumber: 100, Protocol: "6", RuleAction: "allow", Egress: false, CidrBlock: "10.0.0.0/16", PortRange: { From: 443, To: 443 } };
  await x("CreateNetworkAclEntry", entry);
  await no("CreateNetworkAclEntry", entry, "NetworkAclEntryAlreadyExists");
  await x("ReplaceNetworkAclEntry", { ...entry, RuleAction: "deny" });
  await x("DeleteNetworkAclEntry", { NetworkAclId: acl, RuleNumber: 100, Egress: false });
  const acls = (await x("DescribeNetworkAcls", { Filters: [{ Name: "association.subnet-id", Values: [subnetId] }] })).NetworkAcls;
  const assoc = acls[0].Associations.find((a: { SubnetId: string }) => a.SubnetId === subnetId);
  const moved: string = (await x("ReplaceNetworkAclAssociation", { AssociationId: assoc.NetworkAclAssociationId, NetworkAclId: acl })).NewAssociationId;
  await no("DeleteNetworkAcl", { NetworkAclId: acl }, "DependencyViolation");
  await x("ReplaceNetworkAclAssociation", { AssociationId: moved, NetworkAclId: acls[0].NetworkAclId });
  await x("DeleteNetworkAcl", { NetworkAclId: acl });

  const igw: string = (await x("CreateInternetGateway")).InternetGateway.InternetGatewayId;
  await x("AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpcId });
  await no("AttachInternetGateway", { InternetGatewayId: igw, VpcId: peer }, "Resource.AlreadyAssociated");
  await x("DescribeInternetGateways", { InternetGatewayIds: [igw] });
  const eigw: string = (await x("CreateEgressOnlyInternetGateway", { VpcId: vpcId })).EgressOnlyInternetGateway.EgressOnlyInternetGatewayId;
  await x("DescribeEgressOnlyInternetGateways");

  const rt: string = (await x("CreateRouteTable", { VpcId: vpcId })).RouteTable.RouteTableId;
  await x("CreateRoute", { RouteTableId: rt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw });
  await x("CreateRoute", { RouteTableId: rt, DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: eigw });
  await no("CreateRoute", { RouteTableId: rt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }, "RouteAlreadyExists");
  await x("ReplaceRoute", { RouteTableId: rt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw });
  const rtAssoc: string = (await x("AssociateRouteTable", { RouteTableId: rt, SubnetId: subnetId })).AssociationId;
  const rt2: string = (await x("CreateRouteTable", { VpcId: vpcId })).RouteTable.RouteTableId;
  const rtAssoc2: string = (await x("ReplaceRouteTableAssociation", { AssociationId: rtAssoc, RouteTableId: rt2 })).NewAssociationId;
  await x("DescribeRouteTables", { RouteTableIds: [rt, rt2] });
  await no("DeleteRouteTable", { RouteTableId: rt2 }, "DependencyViolation");
  await x("DisassociateRouteTable", { AssociationId: rtAssoc2 });

  const eip = await x("AllocateAddress", { Domain: "vpc" });
  const eip2 = await x("AllocateAddress", { Domain: "vpc" });
  await x("DescribeAddresses");
  const eipAssoc: string = (await x("AssociateAddress", { AllocationId: eip2.AllocationId, NetworkInterfaceId: eni.NetworkInterfaceId })).AssociationId;
  await x("DisassociateAddress", { AssociationId: eipAssoc });
  await x("ReleaseAddress", { AllocationId: eip2.AllocationId });
  await no("ReleaseAddress", { AllocationId: eip2.AllocationId }, "InvalidAllocationID.NotFound");
  const nat: string = (await x("CreateNatGateway", { SubnetId: subnetId, AllocationId: eip.AllocationId })).NatGateway.NatGatewayId;
  await x("DescribeNatGateways", { NatGatewayIds: [nat] });
  await advanceClock(url, 600);
  await x("DescribeNatGateways", { NatGatewayIds: [nat] });
  await x("DeleteNatGateway", { NatGatewayId: nat });
  await no("DeleteNatGateway", { NatGatewayId: "nat-00000000000000000" }, "NatGatewayNotFound");

  const pcx: string = (await x("CreateVpcPeeringConnection", { VpcId: vpcId, PeerVpcId: peer })).VpcPeeringConnection.VpcPeeringConnectionId;
  await x("DescribeVpcPeeringConnections", { VpcPeeringConnectionIds: [pcx] });
  await no("ModifyVpcPeeringConnectionOptions", { VpcPeeringConnectionId: pcx, RequesterPeeringConnectionOptions: { AllowDnsResolutionFromRemoteVpc: true } }, "OperationNotPermitted");
  await x("AcceptVpcPeeringConnection", { VpcPeeringConnectionId: pcx });
  await x("ModifyVpcPeeringConnectionOptions", { VpcPeeringConnectionId: pcx, RequesterPeeringConnectionOptions: { AllowDnsResolutionFromRemoteVpc: true } });
  await x("DescribeVpcPeeringConnections", { VpcPeeringConnectionIds: [pcx] });
  await x("DeleteVpcPeeringConnection", { VpcPeeringConnectionId: pcx });
  const pcx2: string = (await x("CreateVpcPeeringConnection", { VpcId: vpcId, PeerVpcId: dedicated })).VpcPeeringConnection.VpcPeeringConnectionId;
  await x("RejectVpcPeeringConnection", { VpcPeeringConnectionId: pcx2 });
  await no("AcceptVpcPeeringConnection", { VpcPeeringConnectionId: "pcx-00000000000000000" }, "InvalidVpcPeeringConnectionID.NotFound");

  await x("CreateTags", { Resources: [vpcId, subnetId], Tags: [{ Key: "team", Value: "parity" }] });
  const tags = await x("DescribeTags", { Filters: [{ Name: "key", Values: ["team"] }] });
  assert.equal(tags.Tags.length, 2);
  await x("DeleteTags", { Resources: [subnetId], Tags: [{ Key: "team" }] });

  const path = (await x("CreateNetworkInsightsPath", { Source: eni.NetworkInterfaceId, Destination: eni2.NetworkInterfaceId, Protocol: "tcp", DestinationPort: 443 })).NetworkInsightsPath;
  const analysis = (await x("StartNetworkInsightsAnalysis", { NetworkInsightsPathId: path.NetworkInsightsPathId })).NetworkInsightsAnalysis;
  await x("DescribeNetworkInsightsPaths");
  await x("DescribeNetworkInsightsAnalyses", { NetworkInsightsAnalysisIds: [analysis.NetworkInsightsAnalysisId] });
  await x("DeleteNetworkInsightsAnalysis", { NetworkInsightsAnalysisId: analysis.NetworkInsightsAnalysisId });
  await x("DeleteNetworkInsightsPath", { NetworkInsightsPathId: path.NetworkInsightsPathId });

  // VPC endpoints, endpoint services and AWS-managed prefix lists.
  await x("DescribeVpcEndpointServices");
  await no("DescribeVpcEndpointServices", { ServiceNames: ["com.amazonaws.us-east-1.nope"] }, "InvalidServiceName");
  await x("DescribePrefixLists");
  await x("DescribeManagedPrefixLists");
  await x("GetManagedPrefixListEntries", { PrefixListId: "pl-63a5400a" });
  await no("GetManagedPrefixListEntries", { PrefixListId: "pl-00000000" }, "InvalidPrefixListID.NotFound");
  const vpce = (await x("CreateVpcEndpoint", { VpcEndpointType: "Interface", VpcId: vpcId, ServiceName: "com.amazonaws.us-east-1.sts", SubnetIds: [subnetId], SecurityGroupIds: [sg] })).VpcEndpoint;
  await no("CreateVpcEndpoint", { VpcId: vpcId, ServiceName: "com.amazonaws.us-east-1.nope" }, "InvalidServiceName");
  const gwe = (await x("CreateVpcEndpoint", { VpcId: vpcId, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIds: [rt] })).VpcEndpoint;
  await x("DescribeRouteTables", { RouteTableIds: [rt] });
  await x("DescribeVpcEndpoints");
  await no("DescribeVpcEndpoints", { VpcEndpointIds: ["vpce-00000000000000000"] }, "InvalidVpcEndpointId.NotFound");
  await x("ModifyVpcEndpoint", { VpcEndpointId: vpce.VpcEndpointId, PrivateDnsEnabled: false });
  // The interface endpoint is deleting until the clock moves below (its interface then goes, before DeleteSubnet).
  await x("DeleteVpcEndpoints", { VpcEndpointIds: [vpce.VpcEndpointId, gwe.VpcEndpointId, "vpce-00000000000000000"] });

  // Tear down, with the dependency errors on the way.
  await no("DeleteVpc", { VpcId: vpcId }, "DependencyViolation");
  await x("DeleteRoute", { RouteTableId: rt, DestinationCidrBlock: "0.0.0.0/0" });
  await x("DeleteRouteTable", { RouteTableId: rt });
  await x("DeleteRouteTable", { RouteTableId: rt2 });
  await x("DeleteEgressOnlyInternetGateway", { EgressOnlyInternetGatewayId: eigw });
  await no("DeleteInternetGateway", { InternetGatewayId: igw }, "DependencyViolation");
  // The deleted NAT gateway keeps its public address mapped until it is gone.
  await no("DetachInternetGateway", { InternetGatewayId: igw, VpcId: vpcId }, "DependencyViolation");
  await advanceClock(url, 600);
  await x("DetachInternetGateway", { InternetGatewayId: igw, VpcId: vpcId });
  await x("DeleteInternetGateway", { InternetGatewayId: igw });
  await x("RevokeSecurityGroupIngress", { GroupId: sg, IpPermissions: [rule] });
  await x("RevokeSecurityGroupEgress", { GroupId: sg, IpPermissions: [{ ...rule, IpRanges: [{ CidrIp: "10.1.0.0/16" }] }] });
  await no("DeleteSecurityGroup", { GroupId: sg }, "DependencyViolation");
  await x("DeleteNetworkInterface", { NetworkInterfaceId: eni.NetworkInterfaceId });
  await x("DeleteNetworkInterface", { NetworkInterfaceId: eni2.NetworkInterfaceId });
  await x("DeleteSecurityGroup", { GroupId: sg });
  await x("ReleaseAddress", { AllocationId: eip.AllocationId });
  await x("DisassociateSubnetCidrBlock", { AssociationId: v6.AssociationId });
  await x("DeleteSubnet", { SubnetId: subnetId });
  await x("DeleteSubnet", { SubnetId: subnet2 });
  await x("DeleteVpc", { VpcId: vpcId });
  await no("DeleteVpc", { VpcId: vpcId }, "InvalidVpcID.NotFound");
  await x("DeleteVpc", { VpcId: peer });
  await x("DeleteVpc", { VpcId: dedicated });
}
