// Interface VPC endpoints as function code's connections meet them, read from EC2's state: which
// endpoint owns a network interface (its id, VPC, service and policy), and the addresses its
// private DNS gives the service's name inside its VPC. Only endpoints that are available count:
// a pending one has interfaces but answers nothing yet.
import type { Ec2State, VpcEndpointRec } from "../../services/ec2/state.ts";
import type { VpcEndpointAt } from "./plan.ts";

function available(state: Ec2State): VpcEndpointRec[] {
  const all = state.vpcEndpoints;
  if (!all) return [];
  return Object.values(all).filter((e) => e.type === "Interface" && e.state === "available");
}

/** The available interface endpoint that owns this network interface, if any. */
export function vpcEndpointAt(state: Ec2State, networkInterfaceId: string): VpcEndpointAt | undefined {
  for (const e of available(state)) {
    if (e.interfaces.some((i) => i.networkInterfaceId === networkInterfaceId)) {
      return { vpcEndpointId: e.id, vpcId: e.vpcId, serviceName: e.serviceName, policyDocument: e.policyDocument };
    }
  }
  return undefined;
}

/**
 * The addresses a service's public name resolves to inside a VPC when an available interface
 * endpoint for it has private DNS (one per endpoint interface; empty: public DNS answers).
 */
export function privateDnsAddresses(state: Ec2State, vpcId: string, serviceName: string): string[] {
  const e = available(state).find((x) => x.vpcId === vpcId && x.serviceName === serviceName && x.privateDnsEnabled);
  if (!e) return [];
  const out: string[] = [];
  for (const i of e.interfaces) {
    const ip = state.networkInterfaces[i.networkInterfaceId]?.privateIps[0];
    if (ip) out.push(ip);
  }
  return out;
}
