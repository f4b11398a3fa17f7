// The admin API for what stands behind addresses (DESIGN.md, "The admin API"):
//   POST   /_hyperlocal/endpoints  {"ip":"10.0.1.25","port":5432,"target":"127.0.0.1:54321"}
//          (or "networkInterfaceId" instead of "ip"; optional "account", "region", "vpcId",
//          "protocol" (tcp|udp), "name" (a DNS name VPC functions resolve to the address))
//   GET    /_hyperlocal/endpoints            every endpoint, with where it is placed now, and tagged interfaces
//   DELETE /_hyperlocal/endpoints/{id}
//   POST   /_hyperlocal/internet   {"name":"api.example.com","port":443,"target":"127.0.0.1:8443"}
//          or {"address":"203.0.113.10",...}; a name without an address gets a stable one from 203.0.113.0/24
//   GET    /_hyperlocal/internet,  DELETE /_hyperlocal/internet/{id}
// Every target must be HOST:PORT on loopback: anything else is refused with 400 (network safety).
import type { AdminRequest, AdminResponse, AdminRoutes } from "../../core/admin.ts";
import { adminError, adminScope, isAdminResponse, validAccount, validRegion } from "../../core/admin.ts";
import { parseIp } from "../../net-addr/ip.ts";
import { AddrClass, classify } from "../../net-addr/classify.ts";
import type { Ec2View } from "../../services/ec2/index.ts";
import { normalizeIp } from "../snapshot/from-ec2.ts";
import type { CompiledView } from "../snapshot/cache.ts";
import { ENDPOINT_TAG, type ListenerIndex } from "./listeners.ts";
import { newId, type EndpointRec, type InternetRec, type NetProtocol, type NetworkRegistry } from "./registry.ts";
import { canonicalName, validHostname } from "./resolver.ts";
import { formatHostPort, parseLoopbackTarget, validPort, type LoopbackTarget } from "./targets.ts";

export interface EndpointRouteDeps {
  registry: NetworkRegistry;
  defaultAccount: string;
  defaultRegion: string;
  now(): number;
  ec2State(account: string, region: string): Ec2View;
  context(account: string, region: string): { view: CompiledView; listeners: ListenerIndex };
}

type Body = Record<string, unknown>;

/** A refusal with its status, thrown by the checks below and answered by `handle`. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function refuse(status: number, message: string): never {
  throw new Refusal(status, message);
}

function handle(fn: (req: AdminRequest, params: Record<string, string>) => AdminResponse): (req: AdminRequest, params: Record<string, string>) => AdminResponse {
  return (req, params) => {
    try {
      return fn(req, params);
    } catch (e) {
      if (e instanceof Refusal) return adminError(e.status, e.message);
      throw e;
    }
  };
}

function bodyOf(req: { body: unknown }): Body {
  const b = req.body;
  if (typeof b !== "object" || b === null || Array.isArray(b)) refuse(400, "the body must be a JSON object");
  return b as Body;
}

function protocolOf(b: Body): NetProtocol {
  const p = b.protocol ?? "tcp";
  if (p !== "tcp" && p !== "udp") refuse(400, `protocol must be "tcp" or "udp"`);
  return p;
}

function optString(b: Body, key: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || v.length === 0 || v.length > 255) refuse(400, `${key} must be a non-empty string`);
  return v;
}

function portOf(b: Body): number {
  if (!validPort(b.port)) refuse(400, "port must be an integer from 1 to 65535");
  return b.port;
}

function targetOf(b: Body): LoopbackTarget {
  const t = parseLoopbackTarget(b.target);
  if (!t.ok) refuse(400, t.error);
  return t.value;
}

export function endpointView(e: EndpointRec, ctx: { view: CompiledView; listeners: ListenerIndex }): Record<string, unknown> {
  const l = ctx.listeners.byEndpoint.get(e.id);
  const problem = ctx.listeners.problems.get(e.id);
  return {
    id: e.id,
    account: e.account,
    region: e.region,
    ...(e.ip ? { ip: e.ip } : {}),
    ...(e.networkInterfaceId ? { networkInterfaceId: e.networkInterfaceId } : {}),
    ...(e.vpcId ? { vpcId: e.vpcId } : {}),
    port: e.port,
    protocol: e.protocol,
    target: e.target,
    ...(e.name ? { name: e.name } : {}),
    createdAt: e.createdAt,
    placement: l
      ? {
          networkInterfaceId: l.networkInterfaceId,
          ...(l.ip ? { ip: l.ip } : {}),
          subnetId: l.subnetId,
          vpcId: l.vpcId,
          // An address no interface holds: a synthetic interface whose synthetic group allows all inbound.
          synthetic: l.synthetic,
        }
      : { error: problem ?? "not placed" },
  };
}

function internetView(r: InternetRec): Record<string, unknown> {
  return { id: r.id, ...(r.name ? { name: r.name } : {}), address: r.address, port: r.port, protocol: r.protocol, target: r.target, createdAt: r.createdAt };
}

export function registerEndpointRoutes(admin: AdminRoutes, deps: EndpointRouteDeps): void {
  const { registry } = deps;

  admin.add(
    "POST",
    "endpoints",
    handle((req) => {
      const b = bodyOf(req);
      const acct = optString(b, "account") ?? deps.defaultAccount;
      const rgn = optString(b, "region") ?? deps.defaultRegion;
      const ipIn = optString(b, "ip");
      const eniId = optString(b, "networkInterfaceId");
      const vpcId = optString(b, "vpcId");
      const nameIn = optString(b, "name");
      if (!validAccount(acct)) refuse(400, "account must be a 12-digit account id");
      if (rgn !== deps.defaultRegion && !validRegion(rgn)) refuse(400, "region must be a region name such as us-east-1");
      if (!ipIn && !eniId) refuse(400, 'give "ip" (an address inside a VPC) or "networkInterfaceId"');
      const port = portOf(b);
      const protocol = protocolOf(b);
      const target = targetOf(b);

      let ip: string | undefined;
      if (ipIn) {
        const a = parseIp(ipIn);
        if (!a) refuse(400, `ip "${ipIn}" is not an IPv4 or IPv6 address`);
        if (classify(a) === AddrClass.Loopback) refuse(400, `ip ${ipIn} is a loopback address; give the VPC address the functions connect to`);
        ip = normalizeIp(ipIn);
      }
      const state = deps.ec2State(acct, rgn);
      if (eniId) {
        const eni = state.networkInterfaces[eniId];
        if (!eni) refuse(400, `network interface ${eniId} does not exist in account ${acct}, region ${rgn}`);
        if (ip && ![...eni.privateIps, ...eni.ipv6, ...(eni.association ? [eni.association.publicIp] : [])].some((x) => normalizeIp(x) === ip)) {
          refuse(400, `${ip} is not an address of ${eniId}`);
        }
      }
      if (vpcId && !state.vpcs[vpcId]) refuse(400, `vpc ${vpcId} does not exist in account ${acct}, region ${rgn}`);
      let name: string | undefined;
      if (nameIn) {
        name = canonicalName(nameIn);
        if (!validHostname(name) || parseIp(name)) refuse(400, `name "${nameIn}" is not a valid DNS name`);
      }

      // One server per address (or interface), port and protocol.
      const clash = registry
        .endpointsIn(acct, rgn)
        .find((e) => e.port === port && e.protocol === protocol && (e.networkInterfaceId ?? "") === (eniId ?? "") && (e.ip ?? "") === (ip ?? "") && (e.vpcId ?? "") === (vpcId ?? ""));
      if (clash) refuse(409, `endpoint ${clash.id} already listens at ${eniId ?? ip}:${port} (${protocol}); delete it first`);

      const rec: EndpointRec = {
        id: newId("ep"),
        account: acct,
        region: rgn,
        ...(ip ? { ip } : {}),
        ...(eniId ? { networkInterfaceId: eniId } : {}),
        ...(vpcId ? { vpcId } : {}),
        port,
        protocol,
        target: formatHostPort(target.host, target.port),
        ...(name ? { name } : {}),
        createdAt: new Date(deps.now()).toISOString(),
      };
      registry.addEndpoint(rec);
      return { status: 201, body: endpointView(rec, deps.context(acct, rgn)) };
    }),
  );

  admin.add("GET", "endpoints", (req) => {
    const scope = adminScope(req.query, { account: deps.defaultAccount, region: deps.defaultRegion });
    if (isAdminResponse(scope)) return scope;
    const account = req.query.get("account") !== null ? scope.account : undefined;
    const region = req.query.get("region") !== null ? scope.region : undefined;
    const list = registry.endpoints().filter((e) => (!account || e.account === account) && (!region || e.region === region));
    const scopes = new Map<string, { view: CompiledView; listeners: ListenerIndex }>();
    const ctxFor = (a: string, r: string) => {
      const k = `${a}|${r}`;
      let c = scopes.get(k);
      if (!c) scopes.set(k, (c = deps.context(a, r)));
      return c;
    };
    const endpoints = list.map((e) => endpointView(e, ctxFor(e.account, e.region)));
    // Tagged interfaces of the scopes asked about (default: the server's account and region).
    const tagged: Record<string, unknown>[] = [];
    const tagScopes = new Set([...scopes.keys(), `${account ?? deps.defaultAccount}|${region ?? deps.defaultRegion}`]);
    for (const k of tagScopes) {
      const [a, r] = k.split("|");
      for (const t of ctxFor(a, r).listeners.tagged) {
        for (const entry of t.entries) {
          tagged.push({
            id: `tag:${t.eni.id}:${entry.port}`,
            account: a,
            region: r,
            networkInterfaceId: t.eni.id,
            ip: t.eni.privateIps[0] ?? t.eni.ipv6[0],
            port: entry.port || undefined,
            protocol: "tcp",
            target: entry.target ? formatHostPort(entry.target.host, entry.target.port) : undefined,
            tag: `${ENDPOINT_TAG}=${entry.text}`,
            ...(entry.error ? { error: entry.error } : {}),
          });
        }
      }
    }
    return { status: 200, body: { endpoints, taggedInterfaces: tagged } };
  });

  admin.add("DELETE", "endpoints/{id}", (_req, params) => {
    const id = params.id;
    if (id.startsWith("tag:")) return adminError(400, `${id} comes from the ${ENDPOINT_TAG} tag of a network interface: remove the tag (aws ec2 delete-tags) instead`);
    // Ids are ours (newId): anything else, "constructor" included, names nothing.
    if (!/^ep-[0-9a-f]{1,32}$/.test(id) || !registry.deleteEndpoint(id)) return adminError(404, `no endpoint ${id.slice(0, 80)}`);
    return { status: 200, body: { deleted: id } };
  });

  admin.add(
    "POST",
    "internet",
    handle((req) => {
      const b = bodyOf(req);
      const nameIn = optString(b, "name");
      const addressIn = optString(b, "address");
      if (!nameIn && !addressIn) refuse(400, 'give "name" (a public DNS name) or "address" (a public IP address), or both');
      const port = portOf(b);
      const protocol = protocolOf(b);
      const target = targetOf(b);

      let name: string | undefined;
      if (nameIn) {
        name = canonicalName(nameIn);
        if (!validHostname(name) || parseIp(name)) refuse(400, `name "${nameIn}" is not a valid DNS name`);
        if (name === "localhost" || name.endsWith(".localhost")) refuse(400, "localhost names stay inside the execution environment");
      }
      let address: string | undefined;
      if (addressIn) {
        const a = parseIp(addressIn);
        if (!a) refuse(400, `address "${addressIn}" is not an IPv4 or IPv6 address`);
        if (classify(a) !== AddrClass.Public) refuse(400, `address ${addressIn} is not a public address; place servers inside a VPC with POST /_hyperlocal/endpoints`);
        address = normalizeIp(addressIn);
      }
      if (name) {
        const existing = registry.internetAddressOf(name);
        if (existing && address && existing !== address) refuse(409, `${name} already resolves to ${existing}; one name has one address here`);
        address ??= registry.addressForName(name);
        if (!address) refuse(409, "no free address is left in 203.0.113.0/24; give an address");
      }
      const at = address!;
      const clash = registry.internetAt(at).find((r) => r.port === port && r.protocol === protocol);
      if (clash) refuse(409, `mapping ${clash.id} already answers at ${formatHostPort(at, port)} (${protocol}); delete it first`);
      const rec: InternetRec = {
        id: newId("inet"),
        ...(name ? { name } : {}),
        address: at,
        port,
        protocol,
        target: formatHostPort(target.host, target.port),
        createdAt: new Date(deps.now()).toISOString(),
      };
      registry.addInternet(rec);
      return { status: 201, body: internetView(rec) };
    }),
  );

  admin.add("GET", "internet", () => ({ status: 200, body: { mappings: registry.internet().map(internetView) } }));

  admin.add("DELETE", "internet/{id}", (_req, params) => {
    if (!/^inet-[0-9a-f]{1,32}$/.test(params.id) || !registry.deleteInternet(params.id)) return adminError(404, `no internet mapping ${params.id.slice(0, 80)}`);
    return { status: 200, body: { deleted: params.id } };
  });
}
