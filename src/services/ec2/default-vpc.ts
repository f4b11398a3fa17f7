import type { OutputObject } from "../../core/output-tree.ts";
import { zonesOf } from "./availability-zones.ts";
import { arnOf, gate, type Ec2Call } from "./context.ts";
import { ec2Error } from "./errors.ts";
import { checkQuota } from "./quotas.ts";
import { buildInternetGateway } from "./gateways.ts";
import { countOf, emptyState, type Ec2State } from "./state.ts";
import { buildSubnet } from "./subnets.ts";
import { buildVpc, vpcView } from "./vpcs.ts";
import type { VpcRec } from "./state.ts";

/**
 * A new account and region, as AWS hands it over: a default VPC 172.31.0.0/16 with a /20 default
 * subnet per zone (public addresses on launch), an internet gateway, the main route table
 * sending 0.0.0.0/0 to it, the default security group and network ACL.
 */
export const DEFAULT_VPC_CIDR = "172.31.0.0/16";

export function initialState(account: string, region: string, withDefaultVpc: boolean, now: number): Ec2State {
  const s = emptyState(account, region);
  if (withDefaultVpc) createDefaultVpc(s, now);
  return s;
}

export function createDefaultVpc(s: Ec2State, now: number): VpcRec {
  const vpc = buildVpc(s, { cidr: DEFAULT_VPC_CIDR, isDefault: true, now });
  zonesOf(s.region).forEach((zone, i) => {
    buildSubnet(s, vpc, { cidr: `172.31.${i * 16}.0/20`, zone, defaultForAz: true, mapPublicIpOnLaunch: true });
  });
  const igw = buildInternetGateway(s);
  igw.attachments.push({ vpcId: vpc.id });
  s.routeTables[vpc.mainRouteTableId].routes.push({ destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id, origin: "CreateRoute" });
  return vpc;
}

/** CreateDefaultVpc: a Region whose default VPC was deleted gets a new one, as a new account has it. */
function createDefaultVpcOperation(c: Ec2Call): OutputObject {
  gate(c, "CreateDefaultVpc", { arn: arnOf(c.s, "vpc", "*") });
  if (Object.values(c.s.vpcs).some((v) => v.isDefault)) throw ec2Error("DefaultVpcAlreadyExists", "A Default VPC already exists for this account in this region.");
  checkQuota(c, "ec2.vpcs", countOf(c.s.vpcs));
  return { vpc: vpcView(createDefaultVpc(c.s, c.now), "pending") };
}

export const defaultVpcOperations = { CreateDefaultVpc: createDefaultVpcOperation };
