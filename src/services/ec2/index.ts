import { AwsError } from "../../core/aws-error.ts";
import { dict } from "../../core/dict.ts";
import { denialMessage } from "../../core/authorization.ts";
import type { Operation, QueryServiceModel } from "../../core/service-model.ts";
import type { ServiceDeps } from "../service-deps.ts";
import { accountOperations } from "./account.ts";
import { addressOperations } from "./addresses.ts";
import type { Ec2Operation } from "./context.ts";
import { defaultVpcOperations, initialState } from "./default-vpc.ts";
import { dhcpOptionsOperations } from "./dhcp-options.ts";
import { gatewayOperations, settleNatGateways, type GatewayTiming } from "./gateways.ts";
import { createInternal, type Ec2Internal } from "./internal.ts";
import { networkAclOperations } from "./network-acls.ts";
import { networkInsightsOperations } from "./network-insights.ts";
import { networkInterfaceOperations } from "./network-interfaces.ts";
import { peeringOperations, settlePeerings } from "./peering.ts";
import { routeTableOperations } from "./route-tables.ts";
import { securityGroupOperations } from "./security-groups.ts";
import type { Ec2State } from "./state.ts";
import { subnetOperations } from "./subnets.ts";
import { createTags, deleteTags, describeTags } from "./tags.ts";
import { vpcOperations } from "./vpcs.ts";
import { endpointServiceOperations } from "./endpoint-services.ts";
import { prefixListOperations } from "./prefix-lists.ts";
import { settleVpcEndpoints, vpcEndpointOperations, type EndpointTiming } from "./vpc-endpoints.ts";
import { defaultQuotas } from "../../quotas.ts";
import { untracked } from "../../store/tracking.ts";

export type { Ec2Internal, NetworkInterfaceView, SubnetView, SecurityGroupView, VpcView, ServiceManagedInterfaceOptions, VpcEndpointView } from "./internal.ts";
export type { DeepReadonly, Ec2State, Ec2View } from "./state.ts";
import type { DeepReadonly, RouteRec, SgRule } from "./state.ts";
export type RouteView = DeepReadonly<RouteRec>;
export type SgRuleView = DeepReadonly<SgRule>;
/** Listing a table of the read-only view (cached for the large ones, as EC2 itself lists them). */
export { valuesOf } from "./state.ts";
/** AWS-managed prefix lists and interface endpoints' DNS names, for the network snapshot. */
export { awsPrefixListsOf } from "./prefix-lists.ts";
export { endpointDnsNames } from "./vpc-endpoints.ts";
export type { RouteDecision } from "./route-tables.ts";

/**
 * EC2's VPC networking API (query protocol, version 2016-11-15): VPCs, subnets, security groups,
 * network ACLs, route tables, gateways, Elastic IPs, peering and network interfaces, per account
 * and region, each call authorized through IAM with its action, resource ARNs and condition keys.
 */
export { zonesOf } from "./availability-zones.ts";

export function createEc2Service(deps: ServiceDeps): {
  /** The service model; the ec2-query codec binds it to the wire (bindQueryService, in app.ts). */
  model: QueryServiceModel;
  internal: Ec2Internal;
  /** The operation handlers, for CloudFormation's providers: same validation and IAM path as the public API. */
  operations: Record<string, Operation>;
} {
  const timing: GatewayTiming = deps.config.realisticTiming ? { natPendingMs: 90_000, natDeletingMs: 60_000 } : { natPendingMs: 5_000, natDeletingMs: 5_000 };

  const endpointTiming: EndpointTiming = deps.config.realisticTiming ? { pendingMs: 120_000, deletingMs: 60_000 } : { pendingMs: 5_000, deletingMs: 5_000 };

  const stateFor = (account: string, region: string): Ec2State => {
    const now = deps.clock.now();
    let created = false;
    const s = deps.store.state<Ec2State>("ec2", account, region, () => {
      created = true;
      return initialState(account, region, !deps.config.noDefaultVpc, now);
    });
    const settledNats = settleNatGateways(s, now);
    const settledPeerings = settlePeerings(s, now);
    // States saved before VPC endpoints existed get the table on first look.
    const addedEndpoints = s.vpcEndpoints === undefined;
    if (addedEndpoints) s.vpcEndpoints = dict();
    const settledEndpoints = settleVpcEndpoints(s, now);
    // A first look (the default VPC) and due transitions change the state even on Describe calls,
    // which the gateway does not mark dirty: save them, or a restart would show other ids.
    if (created || settledNats || settledPeerings || addedEndpoints || settledEndpoints) deps.store.markDirty();
    return s;
  };

  const table: Record<string, Ec2Operation> = {
    ...accountOperations,
    ...vpcOperations,
    ...defaultVpcOperations,
    ...dhcpOptionsOperations,
    ...subnetOperations,
    ...securityGroupOperations,
    ...networkAclOperations,
    ...routeTableOperations,
    ...gatewayOperations(timing),
    ...addressOperations,
    ...peeringOperations,
    ...networkInterfaceOperations,
    ...networkInsightsOperations,
    ...vpcEndpointOperations(endpointTiming),
    ...endpointServiceOperations,
    ...prefixListOperations,
    CreateTags: createTags,
    DeleteTags: deleteTags,
    DescribeTags: describeTags,
  };

  const operations: Record<string, Operation> = {};
  for (const [name, op] of Object.entries(table)) {
    // Describe calls only read: they get the plain state, so reads cost what they cost without
    // --state-dir (due transitions are settled by stateFor, through the tracked state).
    const reads = name.startsWith("Describe");
    operations[name] = (p, ctx) => {
      const s = stateFor(ctx.accountId, ctx.region);
      return op({
        p,
        ctx,
        s: reads ? untracked(s) : s,
        now: ctx.clock.now(),
        quotas: deps.config.quotas ?? defaultQuotas(),
        stateOf: stateFor,
      });
    };
  }

  return {
    model: {
      signingName: "ec2",
      protocol: "ec2-query",
      version: "2016-11-15",
      xmlns: "http://ec2.amazonaws.com/doc/2016-11-15/",
      maxBodyBytes: 2 * 1024 * 1024,
      operations,
      accessDenied: (p, a, r, d) => new AwsError("UnauthorizedOperation", 403, `You are not authorized to perform this operation. ${denialMessage(p, a, r, d)}`),
    },
    internal: createInternal(stateFor, () => deps.clock.now()),
    operations,
  };
}
