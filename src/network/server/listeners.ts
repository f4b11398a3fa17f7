// Who listens where inside a VPC: the endpoints of the admin API and the network interfaces tagged
// `hyperlocal:endpoint`, resolved against one compiled snapshot (interface ids, addresses, ports),
// including those of peered VPCs in other Regions or accounts that the snapshot merged in.
import { valuesOf, type Ec2View } from "../../services/ec2/index.ts";
import { isSyntheticInterface, normalizeIp, placementKey, type PlacedAddress, type Placement } from "../snapshot/from-ec2.ts";
import type { CompiledView } from "../snapshot/cache.ts";
import type { EndpointRec, NetProtocol } from "./registry.ts";
import { parseLoopbackTarget, type LoopbackTarget } from "./targets.ts";

export const ENDPOINT_TAG = "hyperlocal:endpoint";

export interface Listener {
  /** "ep-..." for the admin API, "tag:<eni>:<port>" for a tagged interface. */
  endpointId: string;
  source: "api" | "tag";
  networkInterfaceId: string;
  /** The address it answers at; undefined = every address of the interface. */
  ip?: string;
  port: number;
  protocol: NetProtocol;
  target: LoopbackTarget;
  synthetic: boolean;
  subnetId?: string;
  vpcId?: string;
}

export interface TagEntry {
  port: number;
  target?: LoopbackTarget;
  text: string;
  error?: string;
}

/**
 * The tag value: one or more entries separated by commas or spaces, each `HOST:PORT` (the
 * interface's primary address on PORT goes to HOST:PORT) or `VPCPORT=HOST:PORT` (VPCPORT goes to
 * HOST:PORT). Entries whose target is not on loopback are refused (kept with an error, for the listing).
 */
export function parseEndpointTag(value: string): TagEntry[] {
  const out: TagEntry[] = [];
  for (const text of value.split(/[\s,]+/).filter(Boolean)) {
    const eq = text.indexOf("=");
    const portText = eq >= 0 ? text.slice(0, eq) : undefined;
    const t = parseLoopbackTarget(eq >= 0 ? text.slice(eq + 1) : text);
    if (!t.ok) {
      out.push({ port: 0, text, error: t.error });
      continue;
    }
    const port = portText === undefined ? t.value.port : /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      out.push({ port: 0, text, error: `"${portText}" is not a port (1-65535)` });
      continue;
    }
    out.push({ port, target: t.value, text });
  }
  return out;
}

export interface ListenerIndex {
  /** `${eni}|${ip or *}|${port}|${protocol}` */
  byKey: Map<string, Listener>;
  /** Every listener by endpoint id (API endpoints that could be placed, and tag entries). */
  byEndpoint: Map<string, Listener>;
  /** Why an API endpoint has no listener now. */
  problems: Map<string, string>;
  /** Tagged interfaces and their entries, for the listing. */
  tagged: { eni: Ec2View["networkInterfaces"][string]; entries: TagEntry[] }[];
  /** Endpoint names of this account and region → addresses. */
  names: Map<string, string[]>;
}

/** The addresses the snapshot must give a host to (endpoints placed by address alone). */
export function placedAddresses(endpoints: EndpointRec[]): PlacedAddress[] {
  return endpoints.flatMap((e) => (e.ip && !e.networkInterfaceId ? [{ ip: e.ip, ...(e.vpcId ? { vpcId: e.vpcId } : {}) }] : []));
}

/**
 * Every listener a connection from this view can reach: the endpoints and tagged interfaces of its
 * own account and Region, then those of each peer scope merged into the view (another Region or
 * account joined by an active peering), limited to the peer VPCs the view holds. `endpointsOf`
 * gives a peer scope's registered endpoints. Names, problems and the tagged listing stay local.
 */
export function buildListenerIndex(view: CompiledView, endpoints: EndpointRec[], endpointsOf?: (account: string, region: string) => EndpointRec[]): ListenerIndex {
  const idx: ListenerIndex = { byKey: new Map(), byEndpoint: new Map(), problems: new Map(), tagged: [], names: new Map() };
  addApiEndpoints(idx, view, { placements: view.placements }, endpoints);
  addTagged(idx, view.state, undefined);
  for (const peer of view.peers) {
    if (endpointsOf) addApiEndpoints(idx, view, peer, endpointsOf(peer.account, peer.region));
    addTagged(idx, peer.state, peer.vpcIds);
  }
  return idx;
}

function addListener(idx: ListenerIndex, l: Listener): void {
  const key = `${l.networkInterfaceId}|${l.ip ?? "*"}|${l.port}|${l.protocol}`;
  if (!idx.byKey.has(key)) idx.byKey.set(key, l);
  idx.byEndpoint.set(l.endpointId, l);
}

/**
 * Admin-API endpoints (added before tags: they win over a tag on the same interface and port).
 * `scope.vpcIds` set: a peer scope's, kept only where they land in those VPCs, and silently.
 */
function addApiEndpoints(idx: ListenerIndex, view: CompiledView, scope: { placements: Map<string, Placement>; vpcIds?: ReadonlySet<string> }, endpoints: EndpointRec[]): void {
  const local = scope.vpcIds === undefined;
  const problem = (id: string, text: string) => {
    if (local) idx.problems.set(id, text);
  };
  for (const e of endpoints) {
    const target = parseLoopbackTarget(e.target);
    if (!target.ok) {
      problem(e.id, target.error);
      continue;
    }
    let eniId: string | undefined;
    const ip = e.ip ? normalizeIp(e.ip) : undefined;
    let synthetic = false;
    if (e.networkInterfaceId) {
      const eni = view.compiled.enis.get(e.networkInterfaceId);
      if (!eni) {
        problem(e.id, `network interface ${e.networkInterfaceId} does not exist (any more)`);
        continue;
      }
      eniId = eni.id; // without an ip: every address of the interface
    } else if (ip) {
      const p = scope.placements.get(placementKey(ip, e.vpcId));
      if (!p || !p.networkInterfaceId) {
        problem(e.id, p?.problem ?? `no subnet contains ${ip}`);
        continue;
      }
      eniId = p.networkInterfaceId;
      synthetic = p.synthetic;
    }
    if (!eniId) continue;
    const eni = view.compiled.enis.get(eniId);
    if (!local && (!eni || !scope.vpcIds!.has(eni.vpc.id))) continue;
    addListener(idx, {
      endpointId: e.id,
      source: "api",
      networkInterfaceId: eniId,
      ...(ip ? { ip } : {}),
      port: e.port,
      protocol: e.protocol,
      target: target.value,
      synthetic: synthetic || isSyntheticInterface(eniId),
      subnetId: eni?.subnet.id,
      vpcId: eni?.vpc.id,
    });
    if (local && e.name) {
      const addr = ip ?? eni?.v4[0]?.text ?? eni?.v6[0]?.text;
      if (addr) {
        const list = idx.names.get(e.name) ?? [];
        const a = normalizeIp(addr);
        if (!list.includes(a)) list.push(a);
        idx.names.set(e.name, list);
      }
    }
  }
}

/** Tagged interfaces: their primary address on each port of the tag. `vpcIds` set: a peer scope's, only those VPCs and not listed. */
function addTagged(idx: ListenerIndex, state: Ec2View, vpcIds: ReadonlySet<string> | undefined): void {
  for (const eni of valuesOf(state.networkInterfaces)) {
    const value = eni.tags[ENDPOINT_TAG];
    if (value === undefined) continue;
    if (vpcIds && !vpcIds.has(eni.vpcId)) continue;
    const entries = parseEndpointTag(value);
    if (!vpcIds) idx.tagged.push({ eni, entries });
    const primary = eni.privateIps[0] ?? eni.ipv6[0];
    if (!primary) continue;
    for (const t of entries) {
      if (!t.target) continue;
      addListener(idx, {
        endpointId: `tag:${eni.id}:${t.port}`,
        source: "tag",
        networkInterfaceId: eni.id,
        ip: normalizeIp(primary),
        port: t.port,
        protocol: "tcp",
        target: t.target,
        synthetic: false,
        subnetId: eni.subnetId,
        vpcId: eni.vpcId,
      });
    }
  }
}

export function findListener(idx: ListenerIndex, eniId: string, ip: string, port: number, protocol: NetProtocol): Listener | undefined {
  return idx.byKey.get(`${eniId}|${normalizeIp(ip)}|${port}|${protocol}`) ?? idx.byKey.get(`${eniId}|*|${port}|${protocol}`);
}

/** Any listener on this interface (for "a host is there, but not on that port"). */
export function listenersOn(idx: ListenerIndex, eniId: string): Listener[] {
  const out: Listener[] = [];
  for (const l of idx.byKey.values()) if (l.networkInterfaceId === eniId) out.push(l);
  return out;
}
