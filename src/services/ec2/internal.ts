import { dict } from "../../core/dict.ts";
import { ec2Id } from "../../core/ids.ts";
import { notFound } from "./errors.ts";
import { interfaceIndex } from "./eni-index.ts";
import { allocateInterface, groupsForSubnet, releaseInterface } from "./network-interfaces.ts";
import { routeFor, type RouteDecision } from "./route-tables.ts";
import { type Ec2State, type Ec2View, type EniRec } from "./state.ts";
import { availableIpAddressCount } from "./subnets.ts";
import { taggable } from "./tags.ts";
import { vpcCidrs, vpcIpv6Cidrs } from "./vpcs.ts";

/**
 * What other services (Lambda's Hyperplane ENI manager, the network model) may ask of EC2 without
 * HTTP, in the caller's account and region. Every call sees transitions that are due (settled).
 */
export interface SubnetView {
  subnetId: string;
  vpcId: string;
  /** absent for an IPv6-only subnet */
  cidrBlock?: string;
  ipv6CidrBlocks: string[];
  ipv6Native: boolean;
  availabilityZone: string;
  availabilityZoneId: string;
  availableIpAddressCount: number;
}

export interface SecurityGroupView {
  groupId: string;
  groupName: string;
  vpcId: string;
}

export interface VpcView {
  vpcId: string;
  instanceTenancy: "default" | "dedicated";
  cidrBlocks: string[];
  ipv6CidrBlocks: string[];
}

export interface NetworkInterfaceView {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  availabilityZoneId: string;
  /** the primary IPv4 address; absent on an IPv6-only interface */
  privateIpAddress?: string;
  privateIpAddresses: string[];
  ipv6Addresses: string[];
  groupIds: string[];
  description: string;
  interfaceType: string;
  status: "available" | "in-use";
  requesterManaged: boolean;
  requesterId?: string;
  instanceOwnerId?: string;
  attachmentId?: string;
  macAddress: string;
  tags: Record<string, string>;
}

/** A VPC endpoint as other services need it (the IAM context of calls through it, its policy). */
export interface VpcEndpointView {
  vpcEndpointId: string;
  vpcId: string;
  type: "Interface" | "Gateway";
  serviceName: string;
  /** sts, s3, ... */
  service: string;
  state: string;
  policyDocument: string;
  networkInterfaceIds: string[];
  privateDnsEnabled: boolean;
}

export interface ServiceManagedInterfaceOptions {
  subnetId: string;
  groupIds: string[];
  description: string;
  interfaceType: "lambda";
  requesterId: string;
  instanceOwnerId: "amazon-aws";
  /** also take one IPv6 address (the subnet must have an IPv6 block) */
  ipv6?: boolean;
}

export interface Ec2Internal {
  describeSubnet(account: string, region: string, subnetId: string): SubnetView | undefined;
  describeSecurityGroup(account: string, region: string, groupId: string): SecurityGroupView | undefined;
  describeVpc(account: string, region: string, vpcId: string): VpcView | undefined;
  /** Throws EC2's AwsErrors: InvalidSubnetID.NotFound, InvalidGroup.NotFound, InsufficientFreeAddressesInSubnet, ... */
  createServiceManagedInterface(account: string, region: string, opts: ServiceManagedInterfaceOptions): NetworkInterfaceView;
  /** Frees the interface and its addresses; throws InvalidNetworkInterfaceID.NotFound when it is not there. */
  deleteServiceManagedInterface(account: string, region: string, eniId: string): void;
  /** A service-managed interface detached (available: its owner may then delete it, as on AWS) or attached again (in-use). */
  setServiceManagedInterfaceStatus(account: string, region: string, eniId: string, status: "available" | "in-use"): void;
  getNetworkInterface(account: string, region: string, eniId: string): NetworkInterfaceView | undefined;
  countInterfacesInVpc(account: string, region: string, vpcId: string): number;
  /** Where traffic from a subnet to an address goes (longest prefix, no transitive peering). */
  routeFor(account: string, region: string, subnetId: string, address: string): RouteDecision | undefined;
  /** A VPC endpoint that exists (not deleted), with its policy document. */
  describeVpcEndpoint(account: string, region: string, vpcEndpointId: string): VpcEndpointView | undefined;
  /** The live state for the network reachability model, read-only (settled, as every read). */
  vpcState(account: string, region: string): Ec2View;
  /** Tags an AWS service adds (CloudFormation's aws:cloudformation:*), which no caller may add; false when the id is not a taggable resource. */
  addServiceTags(account: string, region: string, resourceId: string, tags: Record<string, string>): boolean;
}

export function interfaceView(e: EniRec): NetworkInterfaceView {
  return {
    networkInterfaceId: e.id,
    subnetId: e.subnetId,
    vpcId: e.vpcId,
    availabilityZone: e.availabilityZone,
    availabilityZoneId: e.availabilityZoneId,
    privateIpAddress: e.privateIps[0],
    privateIpAddresses: [...e.privateIps],
    ipv6Addresses: [...e.ipv6],
    groupIds: [...e.groupIds],
    description: e.description,
    interfaceType: e.interfaceType,
    status: e.status,
    requesterManaged: e.requesterManaged,
    requesterId: e.requesterId,
    instanceOwnerId: e.attachment?.instanceOwnerId,
    attachmentId: e.attachment?.attachmentId,
    macAddress: e.macAddress,
    tags: dict(e.tags),
  };
}

export function createInternal(stateFor: (account: string, region: string) => Ec2State, now: () => number): Ec2Internal {
  return {
    describeSubnet(account, region, subnetId) {
      const x = stateFor(account, region).subnets[subnetId];
      if (!x) return undefined;
      return {
        subnetId: x.id,
        vpcId: x.vpcId,
        cidrBlock: x.cidr,
        ipv6CidrBlocks: x.ipv6.map((a) => a.cidr),
        ipv6Native: x.ipv6Native,
        availabilityZone: x.availabilityZone,
        availabilityZoneId: x.availabilityZoneId,
        availableIpAddressCount: availableIpAddressCount(x),
      };
    },
    describeSecurityGroup(account, region, groupId) {
      const g = stateFor(account, region).securityGroups[groupId];
      return g ? { groupId: g.id, groupName: g.name, vpcId: g.vpcId } : undefined;
    },
    describeVpc(account, region, vpcId) {
      const v = stateFor(account, region).vpcs[vpcId];
      return v ? { vpcId: v.id, instanceTenancy: v.instanceTenancy, cidrBlocks: vpcCidrs(v), ipv6CidrBlocks: vpcIpv6Cidrs(v) } : undefined;
    },
    createServiceManagedInterface(account, region, o) {
      const s = stateFor(account, region);
      const subnet = s.subnets[o.subnetId];
      if (!subnet) throw notFound("subnet", o.subnetId);
      const groups = groupsForSubnet(s, subnet, o.groupIds);
      const eni = allocateInterface(s, {
        subnet,
        groups,
        description: o.description,
        interfaceType: o.interfaceType,
        ipv6Count: o.ipv6 && subnet.ipv6.length > 0 && !subnet.ipv6Native ? 1 : 0,
        requesterManaged: true,
        requesterId: o.requesterId,
        managedBy: o.interfaceType,
        instanceOwnerId: o.instanceOwnerId,
        // Lambda's interfaces carry attachments named like "ela-attach-0123456789abcdef0".
        attachmentPrefix: "ela-attach",
        now: now(),
      });
      return interfaceView(eni);
    },
    deleteServiceManagedInterface(account, region, eniId) {
      const s = stateFor(account, region);
      const eni = s.networkInterfaces[eniId];
      if (!eni) throw notFound("eni", eniId);
      releaseInterface(s, eni);
    },
    setServiceManagedInterfaceStatus(account, region, eniId, status) {
      const s = stateFor(account, region);
      const eni = s.networkInterfaces[eniId];
      if (!eni) throw notFound("eni", eniId);
      eni.status = status;
      if (status === "available") delete eni.attachment;
      else if (!eni.attachment) {
        eni.attachment = { attachmentId: ec2Id("ela-attach"), instanceOwnerId: "amazon-aws", deviceIndex: 1, status: "attached", attachTime: now(), deleteOnTermination: false };
      }
    },
    getNetworkInterface(account, region, eniId) {
      const e = stateFor(account, region).networkInterfaces[eniId];
      return e ? interfaceView(e) : undefined;
    },
    countInterfacesInVpc(account, region, vpcId) {
      return interfaceIndex(stateFor(account, region)).idsWith("vpc", vpcId).length;
    },
    routeFor(account, region, subnetId, address) {
      return routeFor(stateFor(account, region), subnetId, address);
    },
    describeVpcEndpoint(account, region, id) {
      const all = stateFor(account, region).vpcEndpoints;
      const e = all && Object.prototype.hasOwnProperty.call(all, id) ? all[id] : undefined;
      if (!e || e.state === "deleted") return undefined;
      return {
        vpcEndpointId: e.id,
        vpcId: e.vpcId,
        type: e.type,
        serviceName: e.serviceName,
        service: e.service,
        state: e.state,
        policyDocument: e.policyDocument,
        networkInterfaceIds: e.interfaces.map((i) => i.networkInterfaceId),
        privateDnsEnabled: e.privateDnsEnabled,
      };
    },
    vpcState(account, region) {
      return stateFor(account, region);
    },
    addServiceTags(account, region, resourceId, tags) {
      let found: { tags: Record<string, string> };
      try {
        found = taggable(stateFor(account, region), resourceId);
      } catch {
        return false;
      }
      Object.assign(found.tags, tags);
      return true;
    },
  };
}
