import type { OutputObject } from "../../core/output-tree.ts";
import { awsServiceHostname } from "../../core/aws-service-addresses.ts";
import { zonesOf } from "./availability-zones.ts";
import { gateDescribe, type Ec2Call } from "./context.ts";
import { ec2Error } from "./errors.ts";
import { applyFilters, parseFilters, type FilterTable } from "./filters.ts";
import { BOUNDS_1000, paginate } from "./pagination.ts";
import { stringList } from "./request.ts";

/**
 * The AWS services a VPC endpoint can reach in a region: the ones hyperlocal serves (STS, Lambda,
 * EC2, CloudFormation, S3 as gateway and interface, IAM in us-east-1 only, as com.amazonaws.iam)
 * and DynamoDB's gateway (its prefix list exists in every region). Names and DNS names follow
 * DescribeVpcEndpointServices on AWS.
 */
export type EndpointType = "Interface" | "Gateway";

export interface EndpointService {
  serviceName: string;
  /** The service's short name (sts, s3, ...): its public address and prefix list come from it. */
  service: string;
  types: EndpointType[];
  /** The name an interface endpoint's private DNS answers inside the VPC (the service's public name). */
  privateDnsName?: string;
  /** vpce.amazonaws.com names of interface endpoints: <service>.<region>.vpce.amazonaws.com */
  baseDnsName: string;
}

function regional(region: string, service: string, types: EndpointType[]): EndpointService {
  return {
    serviceName: `com.amazonaws.${region}.${service}`,
    service,
    types,
    privateDnsName: types.includes("Interface") ? awsServiceHostname(region, service) : undefined,
    baseDnsName: `${service}.${region}.vpce.amazonaws.com`,
  };
}

/** Every endpoint service of a region, sorted by name as AWS lists them. */
export function endpointServicesOf(region: string): EndpointService[] {
  const list = [
    regional(region, "cloudformation", ["Interface"]),
    regional(region, "dynamodb", ["Gateway"]),
    regional(region, "ec2", ["Interface"]),
    regional(region, "lambda", ["Interface"]),
    regional(region, "s3", ["Interface", "Gateway"]),
    regional(region, "sts", ["Interface"]),
  ];
  // IAM's control plane is in us-east-1; its endpoint service has no region in its name.
  if (region === "us-east-1") list.push({ serviceName: "com.amazonaws.iam", service: "iam", types: ["Interface"], privateDnsName: "iam.amazonaws.com", baseDnsName: "iam.vpce.amazonaws.com" });
  return list.sort((a, b) => (a.serviceName < b.serviceName ? -1 : a.serviceName > b.serviceName ? 1 : 0));
}

export function findEndpointService(region: string, serviceName: string): EndpointService | undefined {
  return endpointServicesOf(region).find((x) => x.serviceName === serviceName);
}

export function invalidServiceName(serviceName: string) {
  // "The Vpc Endpoint Service 'com.amazonaws.eu-central-1.organizations' does not exist" (AWS, via public reports)
  return ec2Error("InvalidServiceName", `The Vpc Endpoint Service '${serviceName}' does not exist`);
}

/** One row per (service, type), as DescribeVpcEndpointServices shows S3 twice. */
interface Row {
  svc: EndpointService;
  type: EndpointType;
}

const filters: FilterTable<Row> = {
  "owner": () => "amazon",
  "service-name": (r) => r.svc.serviceName,
  "service-type": (r) => r.type,
  "service-region": () => undefined,
  "supported-ip-address-types": () => ["ipv4"],
};

function detailView(region: string, r: Row): OutputObject {
  const svc = r.svc;
  const privateDns = r.type === "Interface" ? svc.privateDnsName : undefined;
  return {
    serviceName: svc.serviceName,
    // unverified: AWS shows a vpce-svc- id per service and type; a stable one per name is enough here.
    serviceId: `vpce-svc-${stableHex(`${svc.serviceName}|${r.type}`)}`,
    serviceType: [{ serviceType: r.type }],
    availabilityZoneSet: zonesOf(region).map((z) => z.name),
    owner: "amazon",
    baseEndpointDnsNameSet: [svc.baseDnsName],
    privateDnsName: privateDns,
    privateDnsNameSet: privateDns ? [{ privateDnsName: privateDns }] : undefined,
    vpcEndpointPolicySupported: true,
    acceptanceRequired: false,
    managesVpcEndpoints: false,
    tagSet: [],
    privateDnsNameVerificationState: privateDns ? "verified" : undefined,
    supportedIpAddressTypeSet: ["ipv4"],
  };
}

/** 17 hex digits from a text (FNV-1a, twice), for ids that must stay the same across restarts. */
export function stableHex(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    a = Math.imul(a ^ text.charCodeAt(i), 0x01000193) >>> 0;
    b = Math.imul(b ^ text.charCodeAt(i), 0x811c9dc5) >>> 0;
  }
  return (a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0") + ((a ^ b) & 15).toString(16)).slice(0, 17);
}

function describeVpcEndpointServices(c: Ec2Call): OutputObject {
  gateDescribe(c, "DescribeVpcEndpointServices");
  const all = endpointServicesOf(c.ctx.region);
  const names = stringList(c.p, "ServiceName");
  for (const n of names) if (!all.some((s) => s.serviceName === n)) throw invalidServiceName(n);
  const rows: Row[] = all.filter((s) => names.length === 0 || names.includes(s.serviceName)).flatMap((svc) => svc.types.map((type) => ({ svc, type })));
  const picked = applyFilters(rows, parseFilters(c.p), filters);
  const page = paginate(picked, c.p, BOUNDS_1000, (r) => `${r.svc.serviceName}|${r.type}`);
  return {
    serviceNameSet: [...new Set(page.items.map((r) => r.svc.serviceName))],
    serviceDetailSet: page.items.map((r) => detailView(c.ctx.region, r)),
    nextToken: page.nextToken,
  };
}

export const endpointServiceOperations = {
  DescribeVpcEndpointServices: describeVpcEndpointServices,
};
