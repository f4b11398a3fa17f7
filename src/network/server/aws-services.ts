// The AWS service names function code calls (sts.us-east-1.amazonaws.com, iam.amazonaws.com, ...):
// which hyperlocal serves, the public address each resolves to in the model, and the endpoint
// variables that make a function's SDK call them by those names.
//
// The addresses exist only in the model: a connection to one is decided by the model like any
// internet destination and, once allowed, delivered by hyperlocal to its own listener. They are in
// 192.0.2.0/24 (TEST-NET-1, RFC 5737): even a bug that let one through would reach nothing.
import { parseIp } from "../model/cidr.ts";

/** The services hyperlocal answers, by the first label of their regional name. */
const SERVED = ["sts", "lambda", "ec2", "s3", "cloudformation", "iam"] as const;
export type AwsServiceName = (typeof SERVED)[number];

/** One model-only public address per service (stable: tests and reachability answers name them). */
const ADDRESS_OF: Readonly<Record<AwsServiceName, string>> = Object.freeze({
  sts: "192.0.2.80",
  lambda: "192.0.2.81",
  ec2: "192.0.2.82",
  s3: "192.0.2.83",
  cloudformation: "192.0.2.84",
  iam: "192.0.2.85",
});

const SERVICE_AT: ReadonlyMap<string, AwsServiceName> = new Map(SERVED.map((s) => [ADDRESS_OF[s], s]));

/** The ports an AWS service endpoint listens on (HTTPS and HTTP). */
export const AWS_SERVICE_PORTS: readonly number[] = [443, 80];

export interface AwsServiceHost {
  service: AwsServiceName;
  /** The region the name is in ("us-east-1" for the global iam.amazonaws.com and sts.amazonaws.com). */
  region: string;
  /** com.amazonaws.<region>.<service>: the endpoint service name (DescribeVpcEndpointServices). */
  endpointService: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** "sts.us-east-1.amazonaws.com" → sts in us-east-1; undefined for names hyperlocal does not serve. */
export function awsServiceHost(name: string): AwsServiceHost | undefined {
  const n = name.toLowerCase().replace(/\.$/, "");
  if (!n.endsWith(".amazonaws.com")) return undefined;
  const labels = n.slice(0, -".amazonaws.com".length).split(".");
  let service: string;
  let region: string;
  if (labels.length === 1 && (labels[0] === "iam" || labels[0] === "sts")) {
    // The global endpoints: IAM's only one, and STS's legacy global one (both in us-east-1).
    [service, region] = [labels[0], "us-east-1"];
  } else if (labels.length === 2 && REGION.test(labels[1])) {
    [service, region] = [labels[0], labels[1]];
  } else {
    return undefined;
  }
  if (!(SERVED as readonly string[]).includes(service) || (service === "iam" && labels.length !== 1)) return undefined;
  const s = service as AwsServiceName;
  return { service: s, region, endpointService: `com.amazonaws.${region}.${s}` };
}

/** The model's public address of a service. */
export function awsServiceAddress(service: AwsServiceName): string {
  return ADDRESS_OF[service];
}

/** Which service's public address this is (undefined for any other address). */
export function awsServiceAt(ip: string): AwsServiceName | undefined {
  const a = parseIp(ip);
  return a ? SERVICE_AT.get(ip) : undefined;
}

/** The regional name of a service as function code calls it. */
export function awsServiceHostname(service: AwsServiceName, region: string): string {
  return service === "iam" ? "iam.amazonaws.com" : `${service}.${region}.amazonaws.com`;
}

/**
 * AWS_ENDPOINT_URL_<SERVICE> for every served service: the SDKs (JavaScript v3, botocore 1.31+) then
 * call the regional name, which the network decides on like any destination. Plain HTTP on port 443:
 * the flow is AWS's (port 443, what security groups and endpoint policies see), but hyperlocal has no
 * certificate a function's SDK would trust, so the bytes are not TLS.
 */
export function awsEndpointVariables(region: string): Record<string, string> {
  const out: Record<string, string> = {};
  // Not S3: its SDKs address buckets as <bucket>.s3.<region>.amazonaws.com, which hyperlocal's
  // path-style S3 does not answer; S3 calls keep AWS_ENDPOINT_URL (code that sets forcePathStyle and
  // this endpoint itself takes the VPC's path).
  for (const s of SERVED) if (s !== "s3") out[`AWS_ENDPOINT_URL_${s.toUpperCase()}`] = `http://${awsServiceHostname(s, region)}:443`;
  return out;
}
