// GET /_hyperlocal/reachability?function=NAME&to=HOST:PORT[&protocol=tcp][&account=..&region=..]
// (or ?eni=ENI-ID instead of function: any network interface as the source, e.g. from the console)
// → { verdict, reasons:[{code,message}], path:[...], answer: "<one plain paragraph>" } plus what
// the shim would do (action), the resolved address, the return path and the endpoint behind it.
import type { AdminRoutes } from "../../core/admin.ts";
import { adminError, adminScope, isAdminResponse } from "../../core/admin.ts";
import type { Hop, Verdict } from "../model/index.ts";
import type { CompiledView } from "../snapshot/cache.ts";
import type { ListenerIndex } from "./listeners.ts";
import { plan, type NetContext, type Plan } from "./plan.ts";
import type { NetworkRegistry } from "./registry.ts";
import { formatHostPort, splitHostPort } from "./targets.ts";
import type { FunctionSourceLookup, NetSource } from "./types.ts";

export interface ReachabilityDeps {
  registry: NetworkRegistry;
  defaultAccount: string;
  defaultRegion: string;
  functionSource?: FunctionSourceLookup;
  context(account: string, region: string): NetContext;
  dropAfterMs(): number;
}

/** "eni-1 (lambda) → subnet-2 → rtb-3 (10.0.0.0/16 -> local) → ..." */
export function describePath(path: readonly Hop[]): string {
  return path.map((h) => (h.detail ? `${h.id} (${h.detail})` : h.id)).join(" → ");
}

function sourceText(name: string, source: NetSource, view: CompiledView): string {
  if (!source.vpc) return `Function ${name} (not attached to a VPC)`;
  const eni = view.compiled.enis.get(source.vpc.networkInterfaceId);
  if (name === "") return `Network interface ${source.vpc.networkInterfaceId}${eni ? ` (in ${eni.subnet.id}, ${eni.vpc.id})` : ""}`;
  return eni ? `Function ${name} (network interface ${eni.id} in ${eni.subnet.id}, ${eni.vpc.id})` : `Function ${name} (network interface ${source.vpc.networkInterfaceId}, which no longer exists)`;
}

/** One paragraph a person can act on. */
export function answerText(name: string, source: NetSource, to: { host: string; port: number; protocol: string }, p: Plan, view: CompiledView): string {
  const who = sourceText(name, source, view);
  const dest = `${to.protocol} ${formatHostPort(to.host, to.port)}${p.ip && p.ip !== to.host ? ` (${p.ip})` : ""}`;
  const v: Verdict | undefined = p.verdict;
  const path = v && v.path.length ? ` Path: ${describePath(v.path)}.` : "";
  const d = p.decision;
  switch (d.action) {
    case "notfound":
      return `No. ${who} cannot resolve ${to.host}: ${d.reason}. The lookup fails with ENOTFOUND.`;
    case "unreachable":
      return `No. ${who} cannot reach ${dest}: the connection fails at once with ENETUNREACH. ${d.reason}.${path}`;
    case "drop":
      return `No. ${who} cannot reach ${dest}: the packets are dropped, so the connection times out (ETIMEDOUT) after ${d.afterMs} ms. ${d.reason}.${path}`;
    case "refuse":
      return `The network allows ${who} to reach ${dest}, but the connection is refused (ECONNREFUSED): ${d.reason}.${path}`;
    case "connect": {
      const behind = p.aws
        ? ` hyperlocal answers the call itself as ${p.aws.endpointService}, ${p.aws.sourceVpce ? `through ${p.aws.sourceVpce}` : p.aws.via === "nat-gateway" ? "through the NAT gateway" : "directly"}.`
        : p.listener
        ? ` hyperlocal hands the connection to the local server ${formatHostPort(d.host, d.port)} (endpoint ${p.listener.endpointId}${p.listener.synthetic ? ", on a synthetic interface whose security group allows all inbound" : ""}).`
        : p.internet
          ? ` hyperlocal hands the connection to the local server ${formatHostPort(d.host, d.port)} standing in for the internet host (mapping ${p.internet.id}).`
          : "";
      const seen = v?.target && "seenSourceIp" in v.target && v.target.seenSourceIp ? ` The server sees the connection come from ${v.target.seenSourceIp}.` : "";
      return `Yes. ${who} can open ${dest}.${behind}${seen}${path}`;
    }
  }
}

export function registerReachabilityRoute(admin: AdminRoutes, deps: ReachabilityDeps): void {
  admin.add("GET", "reachability", (req) => {
    const q = req.query;
    const name = q.get("function");
    const to = q.get("to");
    const protocol = q.get("protocol") ?? "tcp";
    const scope = adminScope(q, { account: deps.defaultAccount, region: deps.defaultRegion });
    if (isAdminResponse(scope)) return scope;
    const { account, region } = scope;
    const eniId = q.get("eni");
    if (!name && !eniId) return adminError(400, "give ?function=NAME (the function whose connections to check) or ?eni=ENI-ID (a network interface)");
    if (name && eniId) return adminError(400, "give ?function=NAME or ?eni=ENI-ID, not both");
    if (!to) return adminError(400, "give ?to=HOST:PORT (an address or name, and a port)");
    const hp = splitHostPort(to);
    if (!hp || hp.port < 1 || hp.port > 65535) return adminError(400, `to=${to} is not HOST:PORT (IPv6 in brackets: [2600::1]:443)`);
    if (protocol !== "tcp" && protocol !== "udp") return adminError(400, 'protocol must be "tcp" or "udp"');
    let source: NetSource | undefined;
    if (eniId) {
      if (!deps.context(account, region).view.compiled.enis.has(eniId)) return adminError(404, `network interface ${eniId} not found in account ${account}, region ${region}`);
      // Any interface as the source: IPv6 is used when it has an address (no Lambda opt-in applies).
      source = { account, region, functionName: "", vpc: { networkInterfaceId: eniId, comboKey: "", ipv6Allowed: true } };
    } else {
      if (!deps.functionSource) return adminError(501, "function lookups are not wired into this server"); // unverified wording
      source = deps.functionSource(account, region, name!);
      if (!source) return adminError(404, `function ${name} not found in account ${account}, region ${region}`);
    }
    if (source.unavailable) return adminError(409, `function ${name} has no usable network interface now: ${source.unavailable}`);
    const label = name ?? "";
    const ctx = deps.context(source.account, source.region);
    const p = plan(source, hp.host, hp.port, protocol, { ...ctx, registry: deps.registry, dropAfterMs: deps.dropAfterMs() });
    const v = p.verdict;
    const verdict = v ? v.verdict : "unreachable";
    return {
      status: 200,
      body: {
        ...(name ? { function: name } : { networkInterfaceId: eniId }),
        account: source.account,
        region: source.region,
        source: source.vpc ? { kind: "vpc", networkInterfaceId: source.vpc.networkInterfaceId, ipv6Allowed: source.vpc.ipv6Allowed } : { kind: "internet" },
        to: { host: hp.host, ...(p.ip ? { ip: p.ip } : {}), port: hp.port, protocol },
        verdict,
        reasons: v ? v.reasons.map((r) => ({ ...r })) : [{ code: "UNKNOWN_DESTINATION", check: "invalid-address", message: p.decision.action === "notfound" ? p.decision.reason : "not resolved" }],
        path: v ? v.path : [],
        returnPath: v ? v.returnPath : [],
        ...(v?.target ? { target: v.target } : {}),
        ...(v?.awsService ? { awsService: v.awsService } : {}),
        action: p.decision.action,
        ...(p.decision.action === "connect" && !p.aws ? { connectTo: formatHostPort(p.decision.host, p.decision.port) } : {}),
        ...(p.aws ? { aws: p.aws } : {}),
        ...(p.decision.action !== "connect" ? { actionReason: p.decision.reason } : {}),
        ...(p.listener ? { endpoint: { id: p.listener.endpointId, source: p.listener.source, target: formatHostPort(p.listener.target.host, p.listener.target.port), synthetic: p.listener.synthetic } } : {}),
        ...(p.internet ? { internet: { id: p.internet.id, ...(p.internet.name ? { name: p.internet.name } : {}), address: p.internet.address, target: p.internet.target } } : {}),
        answer: answerText(label, source, { host: hp.host, port: hp.port, protocol }, p, ctx.view),
      },
    };
  });
}
