import { dict } from "../../core/dict.ts";
import { ec2Id } from "../../core/ids.ts";
import { checkQuota } from "./quotas.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import { associateAddress, disassociateAddress } from "./addresses.ts";
import { priorResult, rememberResult } from "./client-token.ts";
import { arnOf, gate, gateDescribe, iso, requestTagContext, resourceTagContext, type Ec2Call } from "./context.ts";
import { dependencyViolation, ec2Error, invalidParameterValue, isAwsErrorCode, missingParameter } from "./errors.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { getAddress, getEgressOnlyGateway, getInternetGateway, getNatGateway, getSubnet, getVpc, selectByIds } from "./lookup.ts";
import { allocateInterface, releaseInterface } from "./network-interfaces.ts";
import { BOUNDS_1000, paginate } from "./pagination.ts";
import { optString, reqString, stringList } from "./request.ts";
import { type Ec2State, type EgressOnlyInternetGatewayRec, type InternetGatewayRec, type NatGatewayRec, type VpcRec, countOf, dropRecord, putRecord, valuesOf } from "./state.ts";
import { subnetContext } from "./subnets.ts";
import { tagSetView, tagSpecifications } from "./tags.ts";

/**
 * Internet gateways, egress-only internet gateways and NAT gateways. A NAT gateway holds a
 * network interface (and, when public, an Elastic IP) in its subnet; it is `pending` and then
 * `available`, and `deleting` and then `deleted`, on the clock. Transitions are applied lazily
 * (settle) from timestamps in the state, so they survive a restart from a snapshot.
 */
export interface GatewayTiming {
  natPendingMs: number;
  natDeletingMs: number;
}

/** How long deleted NAT gateways and finished peering connections stay listed. */
export const DELETED_VISIBLE_MS = 3600_000;

// ---------------------------------------------------------------- internet gateways

export function buildInternetGateway(s: Ec2State, tags: Record<string, string> = dict()): InternetGatewayRec {
  const g: InternetGatewayRec = { id: ec2Id("igw"), ownerId: s.account, attachments: [], tags };
  putRecord(s.internetGateways, g.id, g);
  return g;
}

export function internetGatewayView(g: InternetGatewayRec): OutputObject {
  return {
    attachmentSet: g.attachments.map((a) => ({ state: "available", vpcId: a.vpcId })),
    internetGatewayId: g.id,
    ownerId: g.ownerId,
    tagSet: tagSetView(g.tags, true),
  };
}

const igwFilters: FilterTable<InternetGatewayRec> = {
  "attachment.state": (g) => g.attachments.map(() => "available"),
  "attachment.vpc-id": (g) => g.attachments.map((a) => a.vpcId),
  "internet-gateway-id": (g) => g.id,
  "owner-id": (g) => g.ownerId,
};

function igwContext(g: InternetGatewayRec) {
  return { "ec2:InternetGatewayID": g.id, ...resourceTagContext(g.tags) };
}

function createInternetGateway(c: Ec2Call): OutputObject {
  const tags = tagSpecifications(c.p, ["internet-gateway"])["internet-gateway"];
  gate(c, "CreateInternetGateway", { arn: arnOf(c.s, "internet-gateway", "*"), context: requestTagContext(tags) });
  checkQuota(c, "ec2.internet-gateways", countOf(c.s.internetGateways));
  return { internetGateway: internetGatewayView(buildInternetGateway(c.s, tags ?? {})) };
}

function attachInternetGateway(c: Ec2Call): OutputObject {
  const g = getInternetGateway(c.s, reqString(c.p, "InternetGatewayId"));
  const vpc = getVpc(c.s, reqString(c.p, "VpcId"));
  gate(c, "AttachInternetGateway", [
    { arn: arnOf(c.s, "internet-gateway", g.id), context: igwContext(g) },
    { arn: arnOf(c.s, "vpc", vpc.id), context: { "ec2:Vpc": arnOf(c.s, "vpc", vpc.id), ...resourceTagContext(vpc.tags) } },
  ]);
  if (g.attachments.length > 0) throw ec2Error("Resource.AlreadyAssociated", `resource ${g.id} is already attached to network ${g.attachments[0].vpcId}`);
  const other = Object.values(c.s.internetGateways).find((x) => x.attachments.some((a) => a.vpcId === vpc.id));
  if (other) throw ec2Error("Resource.AlreadyAssociated", `Network ${vpc.id} already has an internet gateway attached`); // unverified wording
  g.attachments.push({ vpcId: vpc.id });
  return { return: true };
}

/** Public addresses mapped in a VPC: Elastic IPs on its interfaces. */
function hasMappedPublicAddresses(s: Ec2State, vpcId: string): boolean {
  return valuesOf(s.networkInterfaces).some((e) => e.vpcId === vpcId && e.association);
}

function detachInternetGateway(c: Ec2Call): OutputObject {
  const g = getInternetGateway(c.s, reqString(c.p, "InternetGatewayId"));
  const vpc = getVpc(c.s, reqString(c.p, "VpcId"));
  gate(c, "DetachInternetGateway", [
    { arn: arnOf(c.s, "internet-gateway", g.id), context: igwContext(g) },
    { arn: arnOf(c.s, "vpc", vpc.id), context: { "ec2:Vpc": arnOf(c.s, "vpc", vpc.id), ...resourceTagContext(vpc.tags) } },
  ]);
  if (!g.attachments.some((a) => a.vpcId === vpc.id)) throw ec2Error("Gateway.NotAttached", `resource ${g.id} is not attached to network ${vpc.id}`);
  if (hasMappedPublicAddresses(c.s, vpc.id)) {
    throw dependencyViolation(`Network ${vpc.id} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`);
  }
  g.attachments = g.attachments.filter((a) => a.vpcId !== vpc.id);
  return { return: true };
}

function deleteInternetGateway(c: Ec2Call): OutputObject {
  const g = getInternetGateway(c.s, reqString(c.p, "InternetGatewayId"));
  gate(c, "DeleteInternetGateway", { arn: arnOf(c.s, "internet-gateway", g.id), context: igwContext(g) });
  if (g.attachments.length > 0) throw dependencyViolation(`The internetGateway '${g.id}' has dependencies and cannot be deleted.`);
  dropRecord(c.s.internetGateways, g.id);
  return { return: true };
}

function describeInternetGateways(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeInternetGateways");
  const all = selectByIds(Object.values(c.s.internetGateways), stringList(c.p, "InternetGatewayId"), (g) => g.id, "igw", "igw");
  const picked = applyFilters(all, parseFilters(c.p), igwFilters, (g) => g.tags);
  const page = paginate(picked, c.p, BOUNDS_1000, (g) => g.id);
  return { internetGatewaySet: page.items.map(internetGatewayView), nextToken: page.nextToken };
}

// ---------------------------------------------------------------- egress-only internet gateways

function eigwView(g: EgressOnlyInternetGatewayRec): OutputObject {
  return { attachmentSet: [{ state: "attached", vpcId: g.vpcId }], egressOnlyInternetGatewayId: g.id, tagSet: tagSetView(g.tags, true) };
}

function createEgressOnlyInternetGateway(c: Ec2Call): OutputObject {
  const vpc = getVpc(c.s, reqString(c.p, "VpcId"));
  const tags = tagSpecifications(c.p, ["egress-only-internet-gateway"])["egress-only-internet-gateway"];
  gate(c, "CreateEgressOnlyInternetGateway", [
    { arn: arnOf(c.s, "egress-only-internet-gateway", "*"), context: { "ec2:Vpc": arnOf(c.s, "vpc", vpc.id), ...requestTagContext(tags) } },
    { arn: arnOf(c.s, "vpc", vpc.id), context: { "ec2:Vpc": arnOf(c.s, "vpc", vpc.id), ...resourceTagContext(vpc.tags) } },
  ]);
  const clientToken = optString(c.p, "ClientToken");
  const prior = priorResult(c, "CreateEgressOnlyInternetGateway");
  if (prior && c.s.egressOnlyInternetGateways[prior]) return { clientToken, egressOnlyInternetGateway: eigwView(c.s.egressOnlyInternetGateways[prior]) };
  const g: EgressOnlyInternetGatewayRec = { id: ec2Id("eigw"), vpcId: vpc.id, tags: tags ?? dict() };
  c.s.egressOnlyInternetGateways[g.id] = g;
  rememberResult(c, "CreateEgressOnlyInternetGateway", g.id);
  return { clientToken, egressOnlyInternetGateway: eigwView(g) };
}

function describeEgressOnlyInternetGateways(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeEgressOnlyInternetGateways");
  // Ids that do not exist (or no longer) are left out rather than refused: AWS answers an empty set, which
  // is how clients such as the Terraform provider see that a gateway is gone. // unverified: no AWS recording at hand
  const ids = stringList(c.p, "EgressOnlyInternetGatewayId");
  const every = Object.values(c.s.egressOnlyInternetGateways);
  const all = ids.length === 0 ? every : every.filter((g) => ids.includes(g.id));
  const picked = applyFilters(all, parseFilters(c.p), {}, (g) => g.tags);
  const page = paginate(picked, c.p, { min: 5, max: 255 }, (g) => g.id);
  return { egressOnlyInternetGatewaySet: page.items.map(eigwView), nextToken: page.nextToken };
}

function deleteEgressOnlyInternetGateway(c: Ec2Call): OutputObject {
  const g = getEgressOnlyGateway(c.s, reqString(c.p, "EgressOnlyInternetGatewayId"));
  gate(c, "DeleteEgressOnlyInternetGateway", { arn: arnOf(c.s, "egress-only-internet-gateway", g.id), context: { "ec2:Vpc": arnOf(c.s, "vpc", g.vpcId), ...resourceTagContext(g.tags) } });
  delete c.s.egressOnlyInternetGateways[g.id];
  return { returnCode: true };
}

// ---------------------------------------------------------------- NAT gateways

export function natGatewayView(n: NatGatewayRec): OutputObject {
  const addressStatus = n.state === "pending" ? "associating" : n.state === "deleting" ? "disassociating" : n.state === "available" ? "succeeded" : n.state === "failed" ? "failed" : "succeeded";
  return {
    createTime: iso(n.createTime),
    deleteTime: n.deleteTime !== undefined ? iso(n.deleteTime) : undefined,
    failureCode: n.failureCode,
    failureMessage: n.failureMessage,
    // A public gateway that is still pending shows only its allocation (AWS CLI create-nat-gateway output, recorded 2026).
    natGatewayAddressSet:
      n.state === "pending" && n.allocationId
        ? [{ allocationId: n.allocationId, isPrimary: true, status: addressStatus }]
        : n.networkInterfaceId || n.allocationId
        ? [
            {
              allocationId: n.allocationId,
              networkInterfaceId: n.networkInterfaceId,
              privateIp: n.privateIp,
              publicIp: n.publicIp,
              associationId: n.associationId,
              isPrimary: true,
              status: addressStatus,
            },
          ]
        : [],
    natGatewayId: n.id,
    state: n.state,
    subnetId: n.subnetId,
    vpcId: n.vpcId,
    tagSet: tagSetView(n.tags, true),
    connectivityType: n.connectivityType,
    availabilityMode: "zonal",
  };
}

const natFilters: FilterTable<NatGatewayRec> = {
  "nat-gateway-id": (n) => n.id,
  state: (n) => n.state,
  "subnet-id": (n) => n.subnetId,
  "vpc-id": (n) => n.vpcId,
};

function natContext(s: Ec2State, n: NatGatewayRec) {
  return { "ec2:Vpc": arnOf(s, "vpc", n.vpcId), "ec2:Subnet": arnOf(s, "subnet", n.subnetId), ...resourceTagContext(n.tags) };
}

function hasInternetGateway(s: Ec2State, vpc: VpcRec): boolean {
  return Object.values(s.internetGateways).some((g) => g.attachments.some((a) => a.vpcId === vpc.id));
}

function createNatGateway(c: Ec2Call, timing: GatewayTiming): OutputObject {
  const subnet = getSubnet(c.s, reqString(c.p, "SubnetId"));
  const type = optString(c.p, "ConnectivityType") ?? "public";
  if (type !== "public" && type !== "private") throw invalidParameterValue(`Value (${type}) for parameter connectivityType is invalid. Valid values: public, private.`); // unverified wording
  const allocationId = optString(c.p, "AllocationId");
  if (type === "public" && !allocationId) throw missingParameter("allocationId"); // unverified wording
  if (type === "private" && allocationId) throw ec2Error("InvalidParameterCombination", "AllocationId cannot be specified for a private NAT gateway."); // unverified wording
  const address = allocationId ? getAddress(c.s, allocationId) : undefined;
  const privateIp = optString(c.p, "PrivateIpAddress");
  const tags = tagSpecifications(c.p, ["natgateway"]).natgateway;
  gate(c, "CreateNatGateway", [
    { arn: arnOf(c.s, "natgateway", "*"), context: { ...subnetContext(c.s, subnet), ...requestTagContext(tags) } },
    { arn: arnOf(c.s, "subnet", subnet.id), context: subnetContext(c.s, subnet) },
    ...(address ? [{ arn: arnOf(c.s, "elastic-ip", address.allocationId), context: resourceTagContext(address.tags) }] : []),
  ]);
  const clientToken = optString(c.p, "ClientToken");
  const prior = priorResult(c, "CreateNatGateway");
  if (prior && c.s.natGateways[prior]) return { clientToken, natGateway: natGatewayView(c.s.natGateways[prior]) };
  if (address) {
    const usedByNat = Object.values(c.s.natGateways).some((n) => n.allocationId === address.allocationId && n.state !== "deleted" && n.state !== "failed");
    if (address.association || usedByNat) throw ec2Error("Resource.AlreadyAssociated", `Elastic IP address [${address.allocationId}] is already associated`); // unverified wording
  }
  const live = Object.values(c.s.natGateways).filter((n) => n.state !== "deleted" && n.state !== "failed");
  checkQuota(c, "ec2.nat-gateways-per-az", live.filter((n) => c.s.subnets[n.subnetId]?.availabilityZone === subnet.availabilityZone).length);
  const vpc = getVpc(c.s, subnet.vpcId);
  const n: NatGatewayRec = {
    id: ec2Id("nat"),
    vpcId: vpc.id,
    subnetId: subnet.id,
    connectivityType: type,
    state: "pending",
    createTime: c.now,
    transitionAt: c.now + timing.natPendingMs,
    tags: tags ?? dict(),
  };
  if (type === "public" && !hasInternetGateway(c.s, vpc)) {
    // AWS accepts the request; the gateway then fails.
    n.failureCode = "Gateway.NotAttached";
    n.failureMessage = `Network ${vpc.id} has no Internet gateway attached`;
  } else {
    try {
      const eni = allocateInterface(c.s, {
        subnet,
        groups: [],
        description: `Interface for NAT Gateway ${n.id}`,
        interfaceType: "nat_gateway",
        primaryIp: privateIp,
        requesterManaged: true,
        requesterId: "amazon-aws", // unverified wording
        managedBy: "nat",
        instanceOwnerId: "amazon-aws",
        attachmentPrefix: "ela-attach",
        now: c.now,
      });
      n.networkInterfaceId = eni.id;
      n.privateIp = eni.privateIps[0];
      if (address) {
        n.allocationId = address.allocationId;
        n.publicIp = address.publicIp;
        n.associationId = associateAddress(c.s, address, eni, "amazon-aws");
      }
    } catch (e) {
      if (!isAwsErrorCode(e, "InsufficientFreeAddressesInSubnet")) throw e;
      n.failureCode = "InsufficientFreeAddressesInSubnet";
      n.failureMessage = "Subnet has insufficient free addresses to create this NAT gateway"; // unverified wording
      n.allocationId = address?.allocationId;
    }
  }
  c.s.natGateways[n.id] = n;
  rememberResult(c, "CreateNatGateway", n.id);
  return { clientToken, natGateway: natGatewayView(n) };
}

function describeNatGateways(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeNatGateways");
  const all = selectByIds(Object.values(c.s.natGateways), stringList(c.p, "NatGatewayId"), (n) => n.id, "nat", "nat");
  // DescribeNatGateways names its filter list "Filter" in the model, like the others on the wire.
  const picked = applyFilters(all, parseFilters(c.p), natFilters, (n) => n.tags);
  const page = paginate(picked, c.p, BOUNDS_1000, (n) => n.id);
  return { natGatewaySet: page.items.map(natGatewayView), nextToken: page.nextToken };
}

function deleteNatGateway(c: Ec2Call, timing: GatewayTiming): OutputObject {
  const n = getNatGateway(c.s, reqString(c.p, "NatGatewayId"));
  gate(c, "DeleteNatGateway", { arn: arnOf(c.s, "natgateway", n.id), context: natContext(c.s, n) });
  if (n.state === "pending" || n.state === "available") {
    n.state = "deleting";
    n.transitionAt = c.now + timing.natDeletingMs;
  }
  return { natGatewayId: n.id };
}

/** Free what a NAT gateway holds: its Elastic IP association and its interface. */
function releaseNat(s: Ec2State, n: NatGatewayRec): void {
  const address = n.allocationId ? s.addresses[n.allocationId] : undefined;
  if (address && address.association?.associationId === n.associationId) disassociateAddress(s, address);
  const eni = n.networkInterfaceId ? s.networkInterfaces[n.networkInterfaceId] : undefined;
  if (eni) releaseInterface(s, eni);
}

/** Apply due NAT gateway transitions; true when something changed. */
export function settleNatGateways(s: Ec2State, now: number): boolean {
  let changed = false;
  for (const n of Object.values(s.natGateways)) {
    if (n.transitionAt !== undefined && n.transitionAt <= now) {
      changed = true;
      if (n.state === "pending") {
        if (n.failureCode) {
          n.state = "failed";
          releaseNat(s, n);
          n.purgeAt = n.transitionAt + DELETED_VISIBLE_MS;
        } else n.state = "available";
        delete n.transitionAt;
      } else if (n.state === "deleting") {
        n.state = "deleted";
        n.deleteTime = n.transitionAt;
        releaseNat(s, n);
        n.purgeAt = n.transitionAt + DELETED_VISIBLE_MS;
        delete n.transitionAt;
      }
    }
    if (n.purgeAt !== undefined && n.purgeAt <= now) {
      delete s.natGateways[n.id];
      changed = true;
    }
  }
  return changed;
}

export function gatewayOperations(timing: GatewayTiming) {
  return {
    CreateInternetGateway: createInternetGateway,
    AttachInternetGateway: attachInternetGateway,
    DetachInternetGateway: detachInternetGateway,
    DeleteInternetGateway: deleteInternetGateway,
    DescribeInternetGateways: describeInternetGateways,
    CreateEgressOnlyInternetGateway: createEgressOnlyInternetGateway,
    DescribeEgressOnlyInternetGateways: describeEgressOnlyInternetGateways,
    DeleteEgressOnlyInternetGateway: deleteEgressOnlyInternetGateway,
    CreateNatGateway: (c: Ec2Call) => createNatGateway(c, timing),
    DescribeNatGateways: describeNatGateways,
    DeleteNatGateway: (c: Ec2Call) => deleteNatGateway(c, timing),
  };
}
