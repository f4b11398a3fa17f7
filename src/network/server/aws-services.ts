// The AWS service names function code calls (sts.us-east-1.amazonaws.com, iam.amazonaws.com, ...):
// which hyperlocal serves, the public address each resolves to in the model, and the endpoint
// variables that make a function's SDK call them by those names.
//
// The addresses (core/aws-service-addresses.ts, TEST-NET-1) exist only in the model: a connection to
// one is decided by the model like any internet destination and, once allowed, delivered by
// hyperlocal to its own listener.
import { awsServiceAddress as addressOf, awsServiceAt as serviceAt, awsServiceForName, awsServiceHostname as hostnameOf } from "../../core/aws-service-addresses.ts";

/** The services hyperlocal answers (other AWS names resolve nowhere for function code). */
const SERVED = ["sts", "lambda", "ec2", "s3", "cloudformation", "iam"] as const;
export type AwsServiceName = (typeof SERVED)[number];

/** Whether hyperlocal answers this service (its calls are delivered; others reach nothing). */
export function isServed(service: string): service is AwsServiceName {
  return (SERVED as readonly string[]).includes(service);
}

/** The ports an AWS service endpoint listens on (HTTPS and HTTP). */
export const AWS_SERVICE_PORTS: readonly number[] = [443, 80];

export interface AwsServiceHost {
  service: AwsServiceName;
  /** The region the name is in ("us-east-1" for the global iam.amazonaws.com and sts.amazonaws.com). */
  region: string;
  /** com.amazonaws.<region>.<service>: the endpoint service name (DescribeVpcEndpointServices). */
  endpointService: string;
}

/** "sts.us-east-1.amazonaws.com" → sts in us-east-1; undefined for names hyperlocal does not serve. */
export function awsServiceHost(name: string): AwsServiceHost | undefined {
  const s = awsServiceForName(name);
  if (!s || !isServed(s.service)) return undefined;
  return { service: s.service, region: s.region, endpointService: `com.amazonaws.${s.region}.${s.service}` };
}

/** The model's public address of a service in a region (core/aws-service-addresses.ts). */
export function awsServiceAddress(service: AwsServiceName, region: string): string | undefined {
  return addressOf(region, service);
}

/** Which served service (and region) this public address is (undefined for any other address). */
export function awsServiceAt(ip: string): { service: AwsServiceName; region: string } | undefined {
  const s = serviceAt(ip);
  return s && isServed(s.service) ? { service: s.service, region: s.region } : undefined;
}

/** The regional name of a service as function code calls it. */
export function awsServiceHostname(service: AwsServiceName, region: string): string {
  return hostnameOf(region, service);
}

/**
 * AWS_ENDPOINT_URL_<SERVICE> for every served service: the SDKs (JavaScript v3, botocore 1.31+) then
 * call the regional name, which the network decides on like any destination. Plain HTTP on port 443:
 * the flow is AWS's (port 443, what security groups and endpoint policies see), but hyperlocal has no
 * certificate a function's SDK would trust, so the bytes are not TLS.
 */
export function awsEndpointVariables(region: string): Record<string, string> {
  const out: Record<string, string> = {};
  // S3 included: its SDKs then address buckets as <bucket>.s3.<region>.amazonaws.com, which the
  // model resolves like the regional name and hyperlocal's S3 answers (services/s3/addressing.ts).
  for (const s of SERVED) out[`AWS_ENDPOINT_URL_${s.toUpperCase()}`] = `http://${hostnameOf(region, s)}:443`;
  return out;
}
