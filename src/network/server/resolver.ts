// Name resolution as a function sees it. A VPC function asks the VPC's resolver (Route 53 Resolver),
// which knows endpoint names of its account and region, interface VPC endpoints' names (their
// vpce.amazonaws.com names, and with private DNS the service's public name), EC2's private DNS
// names and the public names; a function outside a VPC asks public DNS, which knows only the public
// ones: names mapped to hyperlocal's internet and AWS services' names (sts.us-east-1.amazonaws.com →
// the model's AWS service address, see core/aws-service-addresses.ts). Nothing here reaches a real
// DNS server.
import { parseIp } from "../../net-addr/ip.ts";
import { awsServiceAddress, awsServiceForName } from "../model/index.ts";
import type { CVpc } from "../model/compiled-types.ts";
import { normalizeIp } from "../snapshot/from-ec2.ts";
import type { CompiledView } from "../snapshot/cache.ts";
import type { ListenerIndex } from "./listeners.ts";
import type { NetworkRegistry } from "./registry.ts";
import type { NetSource } from "./types.ts";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolution = { addresses: ResolvedAddress[] } | { error: "ENOTFOUND"; reason: string };

/** "API.Example.com." → "api.example.com" */
export function canonicalName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

export function validHostname(name: string): boolean {
  return name.length > 0 && name.length <= 253 && /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(name);
}

function addr(text: string): ResolvedAddress | undefined {
  const a = parseIp(text);
  return a ? { address: normalizeIp(text), family: a.fam } : undefined;
}

/** EC2's private DNS names: ip-10-0-1-25.ec2.internal (us-east-1) or ip-10-0-1-25.<region>.compute.internal. */
function privateDnsAddress(name: string, region: string): string | undefined {
  const m = /^ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})\.(.+)$/.exec(name);
  if (!m) return undefined;
  const suffix = m[5];
  if (suffix !== `${region}.compute.internal` && !(region === "us-east-1" && suffix === "ec2.internal")) return undefined;
  const ip = `${m[1]}.${m[2]}.${m[3]}.${m[4]}`;
  return parseIp(ip) ? ip : undefined;
}

export function resolveName(
  source: NetSource,
  rawName: string,
  family: 0 | 4 | 6,
  ctx: { view?: CompiledView; listeners?: ListenerIndex; registry: NetworkRegistry },
): Resolution {
  const name = canonicalName(rawName.startsWith("[") && rawName.endsWith("]") ? rawName.slice(1, -1) : rawName);
  const filter = (list: ResolvedAddress[]): Resolution => {
    const kept = family === 0 ? list : list.filter((a) => a.family === family);
    return kept.length > 0 ? { addresses: kept } : { error: "ENOTFOUND", reason: `${name} has no IPv${family} address` };
  };
  const literal = addr(name);
  if (literal) return filter([literal]);
  if (name === "localhost" || name.endsWith(".localhost")) return filter([{ address: "127.0.0.1", family: 4 }, { address: "::1", family: 6 }]);

  if (source.vpc && ctx.view) {
    const eni = ctx.view.compiled.enis.get(source.vpc.networkInterfaceId);
    if (eni && !eni.vpc.dnsSupport) return { error: "ENOTFOUND", reason: `${eni.vpc.id} has DNS resolution turned off (enableDnsSupport is false), so no name resolves` };
    const named = ctx.listeners?.names.get(name);
    if (named?.length) return filter(named.flatMap((a) => addr(a) ?? []));
    const viaEndpoint = eni ? endpointAddresses(eni.vpc, name) : undefined;
    if (viaEndpoint?.length) return filter(viaEndpoint.flatMap((a) => addr(a) ?? []));
    const pdns = privateDnsAddress(name, source.region);
    if (pdns) return filter([addr(pdns)!]);
  }
  const pub = ctx.registry.internetAddressOf(name);
  if (pub) return filter([addr(pub)!]);
  const aws = awsServiceForName(name);
  const awsIp = aws ? awsServiceAddress(aws.region, aws.service) : undefined;
  if (awsIp) return filter([addr(awsIp)!]);
  return {
    error: "ENOTFOUND",
    reason: `${name} does not resolve: it is not mapped to hyperlocal's internet (POST /_hyperlocal/internet)${source.vpc ? " and no endpoint in this account and region carries that name" : ""}`,
  };
}

/** An interface endpoint's name in the VPC: exact, or S3's wildcard (*.s3.us-east-1.amazonaws.com for bucket names). */
function endpointAddresses(vpc: CVpc, name: string): string[] | undefined {
  const exact = vpc.endpointNames.get(name);
  if (exact) return exact;
  const dot = name.indexOf(".");
  return dot > 0 ? vpc.endpointNames.get(`*${name.slice(dot)}`) : undefined;
}
