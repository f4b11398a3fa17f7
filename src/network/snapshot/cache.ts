// The compiled snapshot of each account and region, rebuilt only when something that matters changed.
//
// Two signals, so a rule changed while a function is warm applies to its next connection:
// - invalidate(): called after every mutating AWS request (app.ts's gateway onChange) and after
//   every change to hyperlocal's endpoint registry. It catches in-place edits (a replaced route, a
//   modified rule, a moved association, a tag) that leave the state's shape as it was.
// - a cheap fingerprint of the state, checked on every get: the state object itself (a reset makes a
//   new one), the interface list (EC2 renews it on every add and delete, so Hyperplane ENIs created
//   or reclaimed without a request show), table sizes, rule, entry, route and association counts,
//   and the states that move with the clock (NAT gateways pending → available, peerings expiring).
//   It costs a pass over the small tables, never over the interfaces.
// - the same signals of each peer scope merged in (peering to another Region or account,
//   peer-scopes.ts): a rule changed on the peer side applies here too.
import { compileSnapshot, type CompiledSnapshot, type NetSnapshot } from "../model/index.ts";
import { valuesOf, type Ec2View } from "../../services/ec2/index.ts";
import { convert, type Placement, type SnapshotExtras } from "./from-ec2.ts";
import { addInactivePeerVpcs, mergePeerScope, peerPlacements, peerScopes } from "./peer-scopes.ts";

export interface CompiledView {
  account: string;
  region: string;
  state: Ec2View;
  snapshot: NetSnapshot;
  compiled: CompiledSnapshot;
  placements: Map<string, Placement>;
  /** The other accounts and Regions merged in (active peerings that leave this one), with where their endpoints landed. */
  peers: PeerView[];
  /** Bumped on every rebuild of this account and region (for derived caches). */
  version: number;
}

export interface PeerView {
  account: string;
  region: string;
  state: Ec2View;
  /** The peer's VPCs in this snapshot. */
  vpcIds: ReadonlySet<string>;
  /** The peer's endpoint addresses placed in those VPCs (keyed as `placements`). */
  placements: Map<string, Placement>;
}

interface Entry {
  view: CompiledView;
  generation: number;
  state: Ec2View;
  interfaces: readonly unknown[];
  fingerprint: string;
  /** The peer scopes merged in: a change there rebuilds this one too. */
  peers: Signal[];
}

interface Signal {
  account: string;
  region: string;
  state: Ec2View;
  interfaces: readonly unknown[];
  fingerprint: string;
}

export interface SnapshotCacheOptions {
  /** EC2's state of an account and region (settles due transitions, as every EC2 read does). */
  stateFor(account: string, region: string): Ec2View;
  /** What hyperlocal adds to the snapshot (endpoint addresses). */
  extrasFor?(account: string, region: string): SnapshotExtras;
}

export function stateFingerprint(s: Ec2View): string {
  let rules = 0;
  for (const id in s.securityGroups) rules += s.securityGroups[id].rules.length;
  let acl = 0;
  for (const id in s.networkAcls) {
    const a = s.networkAcls[id];
    acl += a.entries.length * 1000 + a.associations.length;
  }
  let routes = 0;
  for (const id in s.routeTables) {
    const t = s.routeTables[id];
    routes += t.routes.length * 1000 + t.associations.length;
  }
  let attachments = 0;
  for (const id in s.internetGateways) attachments += s.internetGateways[id].attachments.length;
  let nats = "";
  for (const id in s.natGateways) nats += s.natGateways[id].state[0];
  let pcx = "";
  for (const id in s.peerings) pcx += s.peerings[id].status.slice(0, 2);
  let addrs = 0;
  for (const id in s.addresses) if (s.addresses[id].association) addrs++;
  // Endpoints move with the clock too (pending → available, deleting → gone).
  let vpce = "";
  for (const id in s.vpcEndpoints ?? {}) vpce += s.vpcEndpoints![id].state[0];
  return `${vpce}.${count(s.vpcs)}.${count(s.subnets)}.${count(s.securityGroups)}.${rules}.${count(s.networkAcls)}.${acl}.${count(s.routeTables)}.${routes}.${count(s.internetGateways)}.${attachments}.${count(s.egressOnlyInternetGateways)}.${nats}.${pcx}.${addrs}`;
}

function count(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

export class SnapshotCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private versions = 0;

  constructor(private readonly opts: SnapshotCacheOptions) {}

  /** Forget every compiled snapshot: the next get of each account and region recompiles. */
  invalidate(): void {
    this.generation++;
  }

  clear(): void {
    this.entries.clear();
    this.generation++;
  }

  get(account: string, region: string): CompiledView {
    const key = `${account}|${region}`;
    const state = this.opts.stateFor(account, region);
    const interfaces = valuesOf(state.networkInterfaces);
    const e = this.entries.get(key);
    if (e && e.generation === this.generation && e.state === state && e.interfaces === interfaces) {
      const fp = stateFingerprint(state);
      if (fp === e.fingerprint && e.peers.every((p) => this.unchanged(p))) return e.view;
    }
    const { snapshot, placements } = convert(state, this.opts.extrasFor?.(account, region) ?? {});
    const peers: Signal[] = [];
    const peerViews: PeerView[] = [];
    for (const scope of peerScopes(state)) {
      const peer = this.opts.stateFor(scope.account, scope.region);
      const converted = convert(peer, this.opts.extrasFor?.(scope.account, scope.region) ?? {});
      mergePeerScope(snapshot, converted.snapshot, scope.vpcIds, scope.region === region);
      peerViews.push({ account: scope.account, region: scope.region, state: peer, vpcIds: scope.vpcIds, placements: peerPlacements(converted.placements, scope.vpcIds) });
      peers.push({ account: scope.account, region: scope.region, state: peer, interfaces: valuesOf(peer.networkInterfaces), fingerprint: stateFingerprint(peer) });
    }
    addInactivePeerVpcs(snapshot, state);
    const view: CompiledView = { account, region, state, snapshot, compiled: compileSnapshot(snapshot), placements, peers: peerViews, version: ++this.versions };
    // valuesOf again: convert may have built the list (the one read above stays valid: no write happened).
    this.entries.set(key, { view, generation: this.generation, state, interfaces: valuesOf(state.networkInterfaces), fingerprint: stateFingerprint(state), peers });
    return view;
  }

  /** A peer scope as it was when merged: same state object, interface list and fingerprint. */
  private unchanged(p: Signal): boolean {
    const now = this.opts.stateFor(p.account, p.region);
    return now === p.state && valuesOf(now.networkInterfaces) === p.interfaces && stateFingerprint(now) === p.fingerprint;
  }
}
