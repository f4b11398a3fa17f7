// Kernel mode's AWS calls. The namespaces carry the packets; relays at the services' addresses (in
// "the internet") and at interface endpoints' interfaces hand each connection to hyperlocal with
// the client's address as seen there, which says the path: a NAT gateway's Elastic IP, an
// interface's public address, the public client namespace (a function outside any VPC), or, at an
// interface endpoint or in a gateway endpoint's namespace, the caller's private address. The keys are the shim's (plan.ts), from the same facts.
import { awsServiceAddress } from "../../core/aws-service-addresses.ts";
import type { KernelEndpoint, KernelInternet } from "../kernel/types.ts";
import type { NetSnapshot } from "../model/types.ts";
import { AWS_TARGET_PREFIX } from "../kernel/relays.ts";
import type { CompiledView } from "../snapshot/cache.ts";
import { AWS_SERVICE_PORTS, isServed } from "./aws-services.ts";
import type { AwsCallPath } from "./types.ts";

/** The served services' addresses in these regions, each port relayed to "aws:internet". */
export function kernelAwsAddresses(regions: string[]): KernelInternet[] {
  const ips = new Set<string>();
  for (const region of regions) for (const s of ["sts", "lambda", "ec2", "s3", "cloudformation", "iam"]) if (isServed(s)) ips.add(awsServiceAddress(region, s) ?? "");
  ips.delete("");
  const out: KernelInternet[] = [];
  for (const ip of ips) for (const port of AWS_SERVICE_PORTS) out.push({ ip, port, target: `${AWS_TARGET_PREFIX}internet`, protocol: "tcp" });
  return out;
}

/** Available gateway endpoints of served services: their service's address, each port relayed to "aws:<vpce id>". */
export function kernelGatewayListeners(snapshot: NetSnapshot): KernelEndpoint[] {
  const out: KernelEndpoint[] = [];
  for (const e of snapshot.vpcEndpoints ?? []) {
    if (e.type !== "Gateway" || e.state !== "available" || !isServed(e.service)) continue;
    const ip = awsServiceAddress(e.region, e.service);
    if (ip) for (const port of AWS_SERVICE_PORTS) out.push({ ip, port, target: `${AWS_TARGET_PREFIX}${e.id}`, protocol: "tcp", gatewayEndpointId: e.id });
  }
  return out;
}

interface Scope {
  account: string;
  region: string;
  view: CompiledView;
}

/**
 * The path of a call that arrived at "aws:<where>": where is "internet" (a service address) or an
 * interface endpoint's network interface id. undefined: not a path hyperlocal knows (refused).
 */
export function kernelAwsPath(where: string, sourceIp: string, scopes: Scope[], policyOf: (account: string, region: string, vpcEndpointId: string) => string | undefined): AwsCallPath | undefined {
  if (where === "internet") {
    for (const s of scopes) {
      const nat = s.view.snapshot.natGateways.find((n) => n.publicIp === sourceIp);
      if (nat) return { account: s.account, region: s.region, functionName: "", endpointService: "", via: "nat-gateway", sourceIp };
      const eni = s.view.snapshot.networkInterfaces.find((e) => e.publicIp === sourceIp || e.ipv6Addresses.includes(sourceIp));
      if (eni) return { account: s.account, region: s.region, functionName: "", endpointService: "", via: "internet-gateway", sourceIp };
    }
    // The public client namespace: a function outside any VPC (its aws:SourceIp stays hyperlocal's own, as in shim mode).
    return { account: "", region: "", functionName: "", endpointService: "", via: "direct" };
  }
  for (const s of scopes) {
    // "where" is an interface endpoint's network interface, or a gateway endpoint (its own namespace, reached only from its VPC's routes).
    const e = (s.view.snapshot.vpcEndpoints ?? []).find((x) => (x.type === "Interface" && x.networkInterfaceIds.includes(where)) || (x.type === "Gateway" && x.id === where));
    if (!e) continue;
    const policy = policyOf(s.account, s.region, e.id);
    return {
      account: s.account,
      region: s.region,
      functionName: "",
      endpointService: e.serviceName,
      via: e.type === "Gateway" ? "gateway-endpoint" : "interface-endpoint",
      sourceVpce: e.id,
      sourceVpc: e.vpcId,
      vpcSourceIp: sourceIp,
      ...(policy !== undefined ? { endpointPolicy: policy } : {}),
    };
  }
  return undefined;
}
