// AWS service addresses in the model: what a flow to one of them means, and the one sentence that
// tells a user how a VPC reaches a service (shared by the reachability API and Reachability
// Analyzer, through the model's reasons).
import { awsServiceAt, awsServiceHostname, endpointServiceName, hasGatewayEndpoint } from "../../core/aws-service-addresses.ts";

export { AWS_SERVICE_ADDRESS_BLOCK, awsServiceAddress, awsServiceAt, awsServiceAtWord, awsServiceForName } from "../../core/aws-service-addresses.ts";

/**
 * "sts.us-east-1.amazonaws.com is an AWS service: a VPC reaches it through a NAT gateway or an
 * interface endpoint; add a NAT gateway or an interface endpoint for com.amazonaws.us-east-1.sts."
 * undefined when the address is not an AWS service's.
 */
export function awsServicePathAdvice(ip: string): string | undefined {
  const svc = awsServiceAt(ip);
  if (!svc) return undefined;
  const name = endpointServiceName(svc.region, svc.service);
  const gateway = hasGatewayEndpoint(svc.service) ? `, or a gateway endpoint for ${name} on this subnet's route table` : "";
  return `${ip} is ${awsServiceHostname(svc.region, svc.service)} (an AWS service's public address): add a NAT gateway or an interface endpoint for ${name}${gateway}.`;
}
