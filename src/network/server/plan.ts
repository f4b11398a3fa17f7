// One connection attempt, decided: resolve the destination, evaluate the flow with the reachability
// model, then find what stands behind the address (an endpoint, an internet mapping). Shared by the
// decision API (which then counts the connection) and the reachability route (which explains it).
//
// What happens when the network lets the packet through but nobody is there:
// - no host at the address (no interface, no internet mapping at that public address): AWS drops
//   the SYN, so the client times out → "drop" (the model says so for VPC addresses; hyperlocal says
//   so for public addresses nobody mapped);
// - a host is there (an interface, or an internet mapping on another port) but no endpoint for that
//   port: the host answers with a reset → "refuse" (ECONNREFUSED).
import { evaluate, type Flow, type Verdict } from "../model/index.ts";
import type { CompiledView } from "../snapshot/cache.ts";
import { findListener, listenersOn, type Listener, type ListenerIndex } from "./listeners.ts";
import type { InternetRec, NetProtocol, NetworkRegistry } from "./registry.ts";
import { formatHostPort, parseLoopbackTarget } from "./targets.ts";
import { resolveName, type AwsPrivateDns } from "./resolver.ts";
import type { AwsCallPath, Decision, NetSource } from "./types.ts";
import { AWS_SERVICE_PORTS, awsServiceAt, awsServiceHost, awsServiceHostname, type AwsServiceName } from "./aws-services.ts";

/** An interface VPC endpoint whose network interface a flow reached (the vpce module answers; unset: none). */
export interface VpcEndpointAt {
  vpcEndpointId: string;
  vpcId: string;
  /** com.amazonaws.<region>.<service> */
  serviceName: string;
  policyDocument?: string;
}

/** What an account and region's decisions read: the compiled view, the listeners, and the VPC endpoints. */
export interface NetContext {
  view: CompiledView;
  listeners: ListenerIndex;
  vpcEndpointAt?: (networkInterfaceId: string) => VpcEndpointAt | undefined;
  awsPrivateDns?: AwsPrivateDns;
}

export interface PlanContext {
  view: CompiledView;
  listeners: ListenerIndex;
  registry: NetworkRegistry;
  dropAfterMs: number;
  /** The interface endpoint owning a network interface, if any (a seam for VPC endpoints). */
  vpcEndpointAt?: (networkInterfaceId: string) => VpcEndpointAt | undefined;
  /** Interface endpoints' private DNS answers for AWS service names. */
  awsPrivateDns?: AwsPrivateDns;
}

export interface Plan {
  decision: Decision;
  /** The address the host resolved to (undefined when a name did not resolve). */
  ip?: string;
  verdict?: Verdict;
  listener?: Listener;
  internet?: InternetRec;
  /** A call to an AWS service hyperlocal answers itself: how it got there (decisions.ts binds it to a listener). */
  aws?: AwsCallPath;
}

export function verdictReason(v: Verdict): string {
  const r = v.reasons[0];
  return r ? `${r.message.replace(/\.$/, "")} (${r.code})` : v.verdict;
}

export function flowFor(source: NetSource, ip: string, port: number, protocol: NetProtocol): Flow {
  return {
    from: source.vpc ? { kind: "eni", networkInterfaceId: source.vpc.networkInterfaceId, ipv6Allowed: source.vpc.ipv6Allowed } : { kind: "internet" },
    to: { ip, port, protocol },
  };
}

export function plan(source: NetSource, host: string, port: number, protocol: NetProtocol, ctx: PlanContext): Plan {
  if (source.unavailable) return { decision: { action: "refuse", reason: source.unavailable } };
  const r = resolveName(source, host, 0, { view: ctx.view, listeners: ctx.listeners, registry: ctx.registry, ...(ctx.awsPrivateDns ? { awsPrivateDns: ctx.awsPrivateDns } : {}) });
  if ("error" in r) return { decision: { action: "notfound", reason: r.reason } };
  // Prefer IPv4, as getaddrinfo's default order does for these addresses.
  const ip = (r.addresses.find((a) => a.family === 4) ?? r.addresses[0]).address;
  const verdict = evaluate(ctx.view.compiled, flowFor(source, ip, port, protocol));
  const at = formatHostPort(ip, port);
  if (verdict.verdict === "drop") return { ip, verdict, decision: { action: "drop", afterMs: ctx.dropAfterMs, reason: verdictReason(verdict) + awsHint(source, host, ip) } };
  if (verdict.verdict === "unreachable") return { ip, verdict, decision: { action: "unreachable", reason: verdictReason(verdict) + awsHint(source, host, ip) } };

  const t = verdict.target;
  switch (t?.kind) {
    case "endpoint": {
      const vpce = ctx.vpcEndpointAt?.(t.networkInterfaceId);
      if (vpce) return awsThroughEndpoint(source, ip, port, verdict, vpce, at);
      const listener = findListener(ctx.listeners, t.networkInterfaceId, t.ip, port, protocol);
      if (listener) return { ip, verdict, listener, decision: { action: "connect", host: listener.target.host, port: listener.target.port } };
      const others = listenersOn(ctx.listeners, t.networkInterfaceId).map((l) => `${l.protocol}/${l.port}`);
      return {
        ip,
        verdict,
        decision: {
          action: "refuse",
          reason:
            `nothing is listening at ${at} (${protocol}) on ${t.networkInterfaceId}: no endpoint is placed there` +
            (others.length ? ` (endpoints there: ${others.join(", ")})` : "") +
            `; place one with POST /_hyperlocal/endpoints {"ip":"${ip}","port":${port},"target":"127.0.0.1:PORT"}`,
        },
      };
    }
    case "internet": {
      const service = awsServiceAt(t.ip);
      if (service) return awsOverInternet(source, ip, port, verdict, service, at);
      const mapped = ctx.registry.internetAt(t.ip);
      const m = mapped.find((x) => x.port === port && x.protocol === protocol);
      if (m) {
        const target = parseLoopbackTarget(m.target);
        if (target.ok) return { ip, verdict, internet: m, decision: { action: "connect", host: target.value.host, port: target.value.port } };
      }
      if (mapped.length > 0) {
        return {
          ip,
          verdict,
          decision: { action: "refuse", reason: `nothing is listening at ${at} (${protocol}) on hyperlocal's internet (mapped there: ${mapped.map((x) => `${x.protocol}/${x.port}`).join(", ")})` },
        };
      }
      return {
        ip,
        verdict,
        decision: {
          action: "drop",
          afterMs: ctx.dropAfterMs,
          reason: `the network lets the connection out to ${at}, but no host answers there: hyperlocal's internet has nothing mapped at ${ip} (map a local server with POST /_hyperlocal/internet)`,
        },
      };
    }
    case "vpc-resolver":
      return {
        ip,
        verdict,
        decision: { action: "refuse", reason: `${at} is the VPC's DNS resolver; hyperlocal answers names through the runtime's resolver (lookups), not raw DNS packets` },
      };
    case "loopback":
      // Inside the execution environment; the shim never asks about loopback, but the answer is safe.
      return { ip, verdict, decision: { action: "connect", host: ip, port } };
    default:
      return { ip, verdict, decision: { action: "refuse", reason: `hyperlocal cannot place ${at} (fail closed)` } };
  }
}

/** Why a VPC function's AWS call fails, and the two ways AWS offers to fix it. */
function awsHint(source: NetSource, host: string, ip: string): string {
  const at = awsServiceAt(ip);
  if (!at || !source.vpc) return "";
  const name = `com.amazonaws.${at.region}.${at.service}`;
  const s3 = at.service === "s3" ? `, or a gateway endpoint for ${name} routed from this subnet's route table` : "";
  return `; ${awsServiceHost(host) ? host : awsServiceHostname(at.service, at.region)} is a public AWS service address: add a NAT gateway (a 0.0.0.0/0 route from this subnet to a NAT gateway in a public subnet) or an interface endpoint for ${name} with private DNS${s3}`;
}

/** A call to an AWS service's public address, allowed by the model (directly, or out through a NAT gateway). */
function awsOverInternet(source: NetSource, ip: string, port: number, verdict: Verdict, service: { service: AwsServiceName; region: string }, at: string): Plan {
  if (!AWS_SERVICE_PORTS.includes(port)) {
    return { ip, verdict, decision: { action: "refuse", reason: `${at} is ${awsServiceHostname(service.service, service.region)}, which answers only on ports ${AWS_SERVICE_PORTS.join(" and ")}` } }; // unverified wording
  }
  const t = verdict.target as Extract<NonNullable<Verdict["target"]>, { kind: "internet" }>;
  const aws: AwsCallPath = {
    account: source.account,
    region: source.region,
    functionName: source.functionName,
    endpointService: `com.amazonaws.${service.region}.${service.service}`,
    // The model names the last gateway (the internet gateway behind a NAT gateway): the NAT hop is what IAM sees.
    via: source.vpc && verdict.path.some((h) => h.kind === "nat-gateway") ? "nat-gateway" : t.via,
    // Outside a VPC the caller's own address stays aws:SourceIp; from a VPC it is what the internet sees.
    ...(source.vpc && t.seenSourceIp ? { sourceIp: t.seenSourceIp } : {}),
  };
  return { ip, verdict, aws, decision: { action: "connect", host: "127.0.0.1", port: 0 } };
}

/** A call that reached an interface endpoint's network interface: hyperlocal answers for the endpoint's service. */
function awsThroughEndpoint(source: NetSource, ip: string, port: number, verdict: Verdict, vpce: VpcEndpointAt, at: string): Plan {
  if (!AWS_SERVICE_PORTS.includes(port)) {
    return { ip, verdict, decision: { action: "refuse", reason: `${at} is an address of ${vpce.vpcEndpointId} (${vpce.serviceName}), which answers only on ports ${AWS_SERVICE_PORTS.join(" and ")}` } }; // unverified wording
  }
  const t = verdict.target as Extract<NonNullable<Verdict["target"]>, { kind: "endpoint" }>;
  const aws: AwsCallPath = {
    account: source.account,
    region: source.region,
    functionName: source.functionName,
    endpointService: vpce.serviceName,
    via: "vpc-endpoint",
    sourceVpc: vpce.vpcId,
    sourceVpce: vpce.vpcEndpointId,
    ...(t.seenSourceIp ? { vpcSourceIp: t.seenSourceIp } : {}),
    ...(vpce.policyDocument !== undefined ? { endpointPolicy: vpce.policyDocument } : {}),
  };
  return { ip, verdict, aws, decision: { action: "connect", host: "127.0.0.1", port: 0 } };
}
