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
import { resolveName } from "./resolver.ts";
import type { AwsCallPath, Decision, NetSource } from "./types.ts";
import type { AwsServiceArrival } from "../model/index.ts";
import { AWS_SERVICE_PORTS, isServed } from "./aws-services.ts";

/** What an account and region's decisions read: the compiled view, the listeners, and the VPC endpoints. */
export interface NetContext {
  view: CompiledView;
  listeners: ListenerIndex;
  /** A VPC endpoint's policy document, by its id (EC2's state). */
  endpointPolicy?: (vpcEndpointId: string) => string | undefined;
}

export interface PlanContext extends NetContext {
  registry: NetworkRegistry;
  dropAfterMs: number;
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
  const r = resolveName(source, host, 0, { view: ctx.view, listeners: ctx.listeners, registry: ctx.registry });
  if ("error" in r) return { decision: { action: "notfound", reason: r.reason } };
  // Prefer IPv4, as getaddrinfo's default order does for these addresses.
  const ip = (r.addresses.find((a) => a.family === 4) ?? r.addresses[0]).address;
  const verdict = evaluate(ctx.view.compiled, flowFor(source, ip, port, protocol));
  const at = formatHostPort(ip, port);
  if (verdict.verdict === "drop") return { ip, verdict, decision: { action: "drop", afterMs: ctx.dropAfterMs, reason: verdictReason(verdict) } };
  if (verdict.verdict === "unreachable") return { ip, verdict, decision: { action: "unreachable", reason: verdictReason(verdict) } };
  const arrival = verdict.awsService;
  if (arrival && isServed(arrival.service)) return awsCall(source, ip, port, verdict, arrival, ctx, at);

  const t = verdict.target;
  switch (t?.kind) {
    case "endpoint": {
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

/** A call to an AWS service hyperlocal answers, allowed by the model: the path it took is what IAM sees. */
function awsCall(source: NetSource, ip: string, port: number, verdict: Verdict, arrival: AwsServiceArrival, ctx: PlanContext, at: string): Plan {
  const name = `com.amazonaws.${arrival.region}.${arrival.service}`;
  if (!AWS_SERVICE_PORTS.includes(port)) {
    return { ip, verdict, decision: { action: "refuse", reason: `${at} is ${name}, which answers only on ports ${AWS_SERVICE_PORTS.join(" and ")}` } }; // unverified wording
  }
  const endpoint = arrival.via === "interface-endpoint" || arrival.via === "gateway-endpoint";
  const policy = endpoint && arrival.vpcEndpointId ? ctx.endpointPolicy?.(arrival.vpcEndpointId) : undefined;
  const aws: AwsCallPath = {
    account: source.account,
    region: source.region,
    functionName: source.functionName,
    endpointService: name,
    via: arrival.via,
    // Outside a VPC the caller's own address stays aws:SourceIp; from a VPC it is what the service sees (a NAT gateway's Elastic IP).
    ...(source.vpc && !endpoint && arrival.sourceIp ? { sourceIp: arrival.sourceIp } : {}),
    ...(endpoint ? { sourceVpce: arrival.vpcEndpointId, sourceVpc: arrival.vpcId, vpcSourceIp: arrival.vpcSourceIp } : {}),
    ...(policy !== undefined ? { endpointPolicy: policy } : {}),
  };
  return { ip, verdict, aws, decision: { action: "connect", host: "127.0.0.1", port: 0 } };
}
