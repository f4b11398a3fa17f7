// hyperlocal's own network registries, kept in the store (service "network", region "global") so
// they survive restarts with --state-dir and go with POST /_hyperlocal/reset:
// - endpoints: real local servers placed inside a VPC at an address or interface and a port;
// - internet: local servers standing in for a public name or address and a port.
import { dict } from "../../core/dict.ts";
import { randomBytes } from "node:crypto";
import { parseIp } from "../../net-addr/ip.ts";
import type { Store } from "../../store/store.ts";
import { normalizeIp } from "../snapshot/from-ec2.ts";

export type NetProtocol = "tcp" | "udp";

export interface EndpointRec {
  id: string;
  account: string;
  region: string;
  /** The VPC address it answers at (absent when only networkInterfaceId was given: its primary address). */
  ip?: string;
  networkInterfaceId?: string;
  /** Disambiguates an address that several VPCs hold. */
  vpcId?: string;
  port: number;
  protocol: NetProtocol;
  /** "127.0.0.1:54321": validated loopback HOST:PORT. */
  target: string;
  /** A DNS name VPC functions of this account and region can resolve to the address ("db.internal"). */
  name?: string;
  createdAt: string;
}

export interface InternetRec {
  id: string;
  /** The public name ("api.example.com"), lowercased, when one was given. */
  name?: string;
  /** The public address it answers at (given, or a stable one from 203.0.113.0/24 for a name). */
  address: string;
  port: number;
  protocol: NetProtocol;
  target: string;
  createdAt: string;
}

interface NetworkState {
  format: 1;
  endpoints: Record<string, EndpointRec>;
  internet: Record<string, InternetRec>;
}

const SERVICE = "network";
const SCOPE = "global";

export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

export class NetworkRegistry {
  private version = 0;
  private internetIndex: { state: NetworkState; version: number; byAddress: Map<string, InternetRec[]>; byName: Map<string, string> } | undefined;

  constructor(
    private readonly store: Store,
    private readonly onChange: () => void,
  ) {}

  /** Read through the store every time: a reset replaces the whole tree. */
  private data(): NetworkState {
    return this.store.state<NetworkState>(SERVICE, SCOPE, SCOPE, () => ({ format: 1, endpoints: dict(), internet: dict() }));
  }

  private changed(): void {
    this.version++;
    this.store.markDirty();
    this.onChange();
  }

  endpoints(): EndpointRec[] {
    return Object.values(this.data().endpoints);
  }

  endpointsIn(account: string, region: string): EndpointRec[] {
    return this.endpoints().filter((e) => e.account === account && e.region === region);
  }

  endpoint(id: string): EndpointRec | undefined {
    return this.data().endpoints[id];
  }

  addEndpoint(rec: EndpointRec): void {
    this.data().endpoints[rec.id] = rec;
    this.changed();
  }

  deleteEndpoint(id: string): boolean {
    const d = this.data();
    if (!d.endpoints[id]) return false;
    delete d.endpoints[id];
    this.changed();
    return true;
  }

  internet(): InternetRec[] {
    return Object.values(this.data().internet);
  }

  internetMapping(id: string): InternetRec | undefined {
    return this.data().internet[id];
  }

  addInternet(rec: InternetRec): void {
    this.data().internet[rec.id] = rec;
    this.changed();
  }

  deleteInternet(id: string): boolean {
    const d = this.data();
    if (!d.internet[id]) return false;
    delete d.internet[id];
    this.changed();
    return true;
  }

  private index() {
    const state = this.data();
    if (this.internetIndex && this.internetIndex.state === state && this.internetIndex.version === this.version) return this.internetIndex;
    const byAddress = new Map<string, InternetRec[]>();
    const byName = new Map<string, string>();
    for (const r of Object.values(state.internet)) {
      const a = normalizeIp(r.address);
      let list = byAddress.get(a);
      if (!list) byAddress.set(a, (list = []));
      list.push(r);
      if (r.name) byName.set(r.name, a);
    }
    this.internetIndex = { state, version: this.version, byAddress, byName };
    return this.internetIndex;
  }

  /** The mappings at a public address (every port), for "something answers there". */
  internetAt(address: string): InternetRec[] {
    return this.index().byAddress.get(normalizeIp(address)) ?? [];
  }

  /** The public address a mapped name resolves to. */
  internetAddressOf(name: string): string | undefined {
    return this.index().byName.get(name);
  }

  /**
   * A stable public address for a name: a hash of the name picks one in 203.0.113.1-254 (TEST-NET-3,
   * never routed on the real internet), the next free one when another name holds it.
   */
  addressForName(name: string): string | undefined {
    const existing = this.internetAddressOf(name);
    if (existing) return existing;
    const taken = new Set(this.internet().map((r) => normalizeIp(r.address)));
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
    for (let i = 0; i < 254; i++) {
      const a = `203.0.113.${1 + ((h + i) % 254)}`;
      if (!taken.has(a)) return a;
    }
    return undefined;
  }
}

export function isIpLiteral(s: string): boolean {
  return parseIp(s) !== undefined;
}
