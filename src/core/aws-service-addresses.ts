// AWS's public service addresses, as hyperlocal's network model sees them. On AWS a service's
// regional name (sts.us-east-1.amazonaws.com) resolves to public addresses; a VPC function reaches
// them through a NAT gateway, a gateway endpoint route (S3, DynamoDB: the prefix list holds them)
// or not at all, unless an interface endpoint's private DNS answers the name inside the VPC.
//
// hyperlocal gives every (region, service) one address in TEST-NET-1 (192.0.2.0/24, RFC 5737: a
// documentation block, never routed on the real internet; the model counts it as public). The
// model never connects there: only hyperlocal answers AWS calls. Region r (its addressSlot in aws-regions.ts)
// owns 192.0.2.(16r)/28 and service s (its slot) the address 16r + s in it, so an address names
// its region and service, and a region's S3 prefix list is one /32.

import { AWS_REGIONS, awsRegion } from "./aws-regions.ts";

/** The block every AWS service address lies in (one constant, shared by EC2's prefix lists and the network model). */
export const AWS_SERVICE_ADDRESS_BLOCK = "192.0.2.0/24";

const BLOCK_BASE = "192.0.2.";

/** Services with addresses, by slot (1-15; 0 is left unused). IAM is global: its one address is us-east-1's. */
const SERVICES: readonly (readonly [service: string, slot: number])[] = [
  ["s3", 1],
  ["dynamodb", 2],
  ["sts", 3],
  ["lambda", 4],
  ["ec2", 5],
  ["cloudformation", 6],
  ["iam", 7],
  ["logs", 8],
];

const GLOBAL_SERVICES = new Set(["iam"]);

function regionSlot(region: string): number {
  return awsRegion(region)?.addressSlot ?? -1;
}

function serviceSlot(service: string): number {
  return SERVICES.find(([s]) => s === service)?.[1] ?? -1;
}

/** The services that have addresses. */
export function awsServiceNames(): string[] {
  return SERVICES.map(([s]) => s);
}

export function isGlobalService(service: string): boolean {
  return GLOBAL_SERVICES.has(service);
}

/** "192.0.2.3" for sts in us-east-1; undefined for a region or service without an address. */
export function awsServiceAddress(region: string, service: string): string | undefined {
  const r = regionSlot(GLOBAL_SERVICES.has(service) ? "us-east-1" : region);
  const s = serviceSlot(service);
  if (r < 0 || s < 0) return undefined;
  return `${BLOCK_BASE}${r * 16 + s}`;
}

/** What an address stands for: { region, service }, or undefined outside the block or on an unused slot. */
export function awsServiceAt(ip: string): { region: string; service: string } | undefined {
  if (!ip.startsWith(BLOCK_BASE)) return undefined;
  const last = ip.slice(BLOCK_BASE.length);
  if (!/^\d{1,3}$/.test(last)) return undefined;
  const n = Number(last);
  return n > 255 ? undefined : AT[n];
}

/** The same for an IPv4 address as a 32-bit word (the model's parsed form): no strings on the hot path. */
export function awsServiceAtWord(w0: number): { region: string; service: string } | undefined {
  return w0 >>> 8 === BLOCK_WORD ? AT[w0 & 255] : undefined;
}

const BLOCK_WORD = (192 << 16) | (0 << 8) | 2;
/** Every address of the block → its region and service (frozen, shared). */
const AT: ({ region: string; service: string } | undefined)[] = Array.from({ length: 256 }, (_, n) => {
  const region = AWS_REGIONS.find((r) => r.addressSlot === n >> 4)?.name;
  const found = SERVICES.find(([, slot]) => slot === (n & 15));
  return region && found ? Object.freeze({ region, service: found[0] }) : undefined;
});

/**
 * The service a public name stands for: "sts.us-east-1.amazonaws.com" → sts in us-east-1, also
 * the global names (sts.amazonaws.com, s3.amazonaws.com → us-east-1; iam.amazonaws.com) and S3's
 * virtual-hosted names (bucket.s3.us-east-1.amazonaws.com). Lowercased, without a final dot.
 */
export function awsServiceForName(name: string): { region: string; service: string } | undefined {
  const n = name.toLowerCase().replace(/\.$/, "");
  if (!n.endsWith(".amazonaws.com")) return undefined;
  const labels = n.slice(0, -".amazonaws.com".length).split(".");
  // <service>.amazonaws.com: the global endpoints, which live in us-east-1.
  if (labels.length === 1) {
    const service = labels[0];
    return ["iam", "sts", "s3"].includes(service) ? { region: "us-east-1", service } : undefined;
  }
  const [service, region] = labels.slice(-2);
  if (regionSlot(region) < 0 || serviceSlot(service) < 0 || GLOBAL_SERVICES.has(service)) return undefined;
  // Only S3 has names below its regional one (virtual-hosted buckets).
  if (labels.length > 2 && service !== "s3") return undefined;
  return { region, service };
}

/** The regional public name of a service: sts.us-east-1.amazonaws.com, iam.amazonaws.com. */
export function awsServiceHostname(region: string, service: string): string {
  return GLOBAL_SERVICES.has(service) ? `${service}.amazonaws.com` : `${service}.${region}.amazonaws.com`;
}

/** The VPC endpoint service name: com.amazonaws.us-east-1.sts; IAM's is com.amazonaws.iam. */
export function endpointServiceName(region: string, service: string): string {
  return GLOBAL_SERVICES.has(service) ? `com.amazonaws.${service}` : `com.amazonaws.${region}.${service}`;
}

/** Services whose endpoint can also be a gateway (a route to their prefix list). */
export function hasGatewayEndpoint(service: string): boolean {
  return service === "s3" || service === "dynamodb";
}
