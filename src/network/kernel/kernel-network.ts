// Kernel mode: a NetSnapshot built as real network namespaces and nftables. One router namespace
// (ip rules = route tables, one nft table = NACLs + SGs), one namespace per ENI that needs one
// (Lambda's Hyperplane ENIs, ENIs hosting a local endpoint), one per NAT gateway, one "edge" per VPC
// for its internet / egress-only gateways, one per gateway endpoint, "the internet" behind them, and a public client namespace
// for functions outside any VPC. All of it lives in namespaces this object creates; the only thing
// on the emulator's side is a unix-socket relay in this process.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "../../core/logger.ts";
import type { Logger } from "../../core/logger.ts";
import type { NetSnapshot } from "../model/types.ts";
import { enter, heredoc, runScript } from "./exec.ts";
import { holdNamespace } from "./holder.ts";
import type { NamespaceHolder } from "./holder.ts";
import { plan, Slots } from "./plan.ts";
import type { Plan, PlanSlots } from "./plan.ts";
import { ConntrackWatch, type ConnectionEvent } from "./conntrack-watch.ts";
import { DnsSockets, RESOLVER_V4, resolvConf, type DnsAnswerer } from "./dns-sockets.ts";
import { HostRelays, NamespaceRelay, relayKey, relaySpecs, type AwsConnectionHandler, type RelaySpec } from "./relays.ts";
import { routerNft, routerRouting, tablesWithRoutes } from "./render-router.ts";
import { edgeNft, edgeScript, eniRoutes, eniRoutesScript, eniScript, gatewayScript, inetInitScript, inetScript, natScript, publicClientScript, routerEdgeLines, routerGatewayLines, routerLinkLines } from "./render-namespaces.ts";
import { kernelSupport } from "./support.ts";
import { ensureUserNamespace } from "./user-namespace.ts";
import type { KernelEndpoint, KernelInternet, KernelNetworkOptions } from "./types.ts";

/** The handler keeps our uid but loses every capability: it cannot rewrite its own rules. */
const DROP_CAPS = ["setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"];

interface Space {
  holder: NamespaceHolder;
  sig: string;
  relay?: NamespaceRelay;
  /** Loopback relays inside the namespace (Runtime API, hyperlocal's own port): 127.0.0.1:port → host 127.0.0.1:port. */
  loop?: LoopRelays;
  /** Router-side (and internet-side) links to delete before the namespace goes. */
  routerLinks: string[];
  inetLinks: string[];
  /** The router side of its links is up and addressed. Until then every apply retries it, so one failed apply cannot leave a link down for good. */
  routerReady?: boolean;
  /** ENI namespaces: the destinations routed in it (synced from its subnet's route table each apply). */
  routes?: { 4: string[]; 6: string[] };
  /** A sync failed: `routes` is a superset of what may be there, and the next apply runs again. */
  routesDirty?: boolean;
}

interface LoopRelays {
  relay: NamespaceRelay;
  specs: Map<number, RelaySpec>;
  /** The namespace's resolver (UDP 169.254.169.253:53), answered by this process. */
  dns: RelaySpec;
}

export class KernelNetwork {
  private readonly spaces = new Map<string, Space>();
  private readonly slots: PlanSlots = { vpc: new Slots(), subnet: new Slots(), iface: new Slots(), rtb: new Slots() };
  private readonly host: HostRelays;
  private readonly inetRelay: NamespaceRelay;
  private tables4: number[] = [];
  private tables6: number[] = [];
  private inetIps = new Set<string>();
  /** The last script run per namespace: an identical one is skipped (re-applies cost only what changed). */
  private readonly lastScript = new Map<string, string>();
  private readonly lastRelay = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Loopback relays of the public client namespace (functions outside any VPC). */
  private pubLoop?: LoopRelays;
  private readonly dns: DnsSockets;
  /** The resolv.conf bind-mounted over /etc/resolv.conf for function code. */
  private readonly resolvConfPath: string;
  private conntrack?: ConntrackWatch;

  private constructor(
    private readonly root: string,
    private readonly log: Logger,
    private readonly denied: "drop" | "reject",
    private readonly router: NamespaceHolder,
    private readonly inet: NamespaceHolder,
    private readonly pub: NamespaceHolder,
  ) {
    this.host = new HostRelays(join(root, "sockets"));
    this.inetRelay = new NamespaceRelay(inet.path, "the internet");
    this.dns = new DnsSockets(join(root, "sockets"));
    this.resolvConfPath = join(root, "resolv.conf");
    writeFileSync(this.resolvConfPath, resolvConf());
  }

  /**
   * Who answers the DNS queries function code sends to its namespace's resolver: `where` is the
   * ENI id, or "internet" for the public client namespace. Unset: every name fails (SERVFAIL).
   */
  setResolver(answer: DnsAnswerer): void {
    this.dns.setAnswerer(answer);
  }

  /**
   * TCP connections that cross the VPC router, as the kernel tracks them (conntrack events):
   * `open` once when one is set up, `close` once when it ends. Returns false (and nothing is
   * reported) where the conntrack tool is missing.
   */
  watchConnections(onEvent: (e: ConnectionEvent) => void): boolean {
    if (this.closed) return false;
    this.conntrack ??= ConntrackWatch.start(this.router.path, this.log);
    if (!this.conntrack) return false;
    this.conntrack.onEvent = onEvent;
    return true;
  }

  static async create(opts: KernelNetworkOptions): Promise<KernelNetwork> {
    const support = kernelSupport();
    if (!support.ok) throw new Error(`kernel network mode unavailable: ${support.reason}`);
    mkdirSync(opts.root, { recursive: true });
    const log = opts.logger ?? createLogger("warn");
    await ensureUserNamespace();
    const [router, inet, pub] = await Promise.all([holdNamespace("router"), holdNamespace("internet"), holdNamespace("public")]);
    try {
      await runScript(
        router.path,
        // Forwarding only inside these namespaces. No ICMP rate limit: a "no route" answer must be prompt every time.
        "sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0\n",
        "router setup",
      );
      await runScript(inet.path, inetInitScript(pub.pid), "internet setup");
      await runScript(pub.path, publicClientScript(), "public client setup");
    } catch (e) {
      await Promise.all([router.close(), inet.close(), pub.close()]);
      throw e;
    }
    return new KernelNetwork(opts.root, log, opts.denied ?? "drop", router, inet, pub);
  }

  /** (Re)build or incrementally update the topology for this snapshot. Calls are serialized. */
  /** Where AWS calls arriving at "aws:<where>" listeners go (the network module's AwsFront). */
  onAwsConnection(handler: AwsConnectionHandler): void {
    this.host.awsHandler = handler;
  }

  apply(snapshot: NetSnapshot, endpoints: KernelEndpoint[], internet: KernelInternet[], lambdaEnis: { networkInterfaceId: string; ipv6Allowed: boolean }[]): Promise<void> {
    const next = this.queue.then(() => this.applyNow(snapshot, endpoints, internet, lambdaEnis));
    this.queue = next.catch(() => {});
    return next;
  }

  private async applyNow(snapshot: NetSnapshot, endpoints: KernelEndpoint[], internet: KernelInternet[], lambdaEnis: { networkInterfaceId: string; ipv6Allowed: boolean }[]): Promise<void> {
    if (this.closed) throw new Error("kernel network: closed");
    const p = plan({ snapshot, endpoints, internet, lambdaEnis, deadRoute: this.denied === "drop" ? "blackhole" : "unreachable" }, this.slots);
    for (const w of p.warnings) this.log.warn(`kernel network: ${w}`);

    const wanted = new Map<string, { sig: string }>([...p.enis, ...p.nats, ...p.edges, ...p.gateways].map((x) => [x.key, x]));
    // 1. Namespaces that went away or changed shape: delete their links first (synchronous), then the namespace.
    const gone = [...this.spaces].filter(([k, s]) => wanted.get(k)?.sig !== s.sig);
    if (gone.length) {
      const routerDel = gone.flatMap(([, s]) => s.routerLinks.map((l) => `link del ${l}`));
      const inetDel = gone.flatMap(([, s]) => s.inetLinks.map((l) => `link del ${l}`));
      await Promise.all([
        routerDel.length ? runScript(this.router.path, heredoc("ip -force -batch -", routerDel) + "true\n", "router link removal").catch(() => {}) : undefined,
        inetDel.length ? runScript(this.inet.path, heredoc("ip -force -batch -", inetDel) + "true\n", "internet link removal").catch(() => {}) : undefined,
      ]);
      await Promise.all(
        gone.map(async ([k, s]) => {
          this.lastScript.delete(k);
          this.lastRelay.delete(k);
          await s.relay?.close();
          await s.loop?.relay.close();
          await s.holder.close();
          this.spaces.delete(k);
        }),
      );
    }

    // 2. New namespaces, built in parallel; each creates its own veths and pushes the far ends out.
    const fresh = <T extends { key: string }>(xs: T[]): T[] => xs.filter((x) => !this.spaces.has(x.key));
    const newEnis = fresh(p.enis);
    const newNats = fresh(p.nats);
    const newEdges = fresh(p.edges);
    const newGateways = fresh(p.gateways);
    await Promise.all([
      ...newEnis.map((e) => this.build(e.key, e.sig, eniScript(e, this.router.pid), [e.ifname], [])),
      ...newNats.map((n) => this.build(n.key, n.sig, natScript(n, this.router.pid), [n.ifname], [])),
      ...newEdges.map((e) => this.build(e.key, e.sig, edgeScript(e, this.router.pid, this.inet.pid), [e.igw, e.eigw].filter((x): x is string => !!x), [e.uplink])),
      ...newGateways.map((g) => this.build(g.key, g.sig, gatewayScript(g, this.router.pid), [g.ifname], [])),
    ]);
    const routerPending = <T extends { key: string }>(xs: T[]): T[] => xs.filter((x) => !this.spaces.get(x.key)?.routerReady);
    const linkEnis = routerPending(p.enis);
    const linkNats = routerPending(p.nats);
    const linkEdges = routerPending(p.edges);
    const linkGateways = routerPending(p.gateways);

    // 3. The router: new links' addresses, then routing and filtering, in one exec.
    const t4 = tablesWithRoutes(p, 4);
    const t6 = tablesWithRoutes(p, 6);
    const script =
      heredoc("ip -batch -", [...[...linkEnis, ...linkNats].flatMap((x) => routerLinkLines(x)), ...linkEdges.flatMap((e) => routerEdgeLines(e)), ...linkGateways.flatMap((g) => routerGatewayLines(g))]) +
      heredoc("ip -4 -batch -", routerRouting(p, 4, this.tables4)) +
      heredoc("ip -6 -batch -", routerRouting(p, 6, this.tables6)) +
      heredoc("nft -f -", routerNft(p, snapshot, this.denied).trimEnd().split("\n"));
    await this.runOnce("router", this.router.path, script, "router update");
    this.tables4 = t4;
    this.tables6 = t6;
    for (const x of [...linkEnis, ...linkNats, ...linkEdges, ...linkGateways]) this.spaces.get(x.key)!.routerReady = true;

    // 4. Edges' EIP maps and the internet's routes back to them.
    const ips = new Set(p.internetIps);
    const addIps = [...ips].filter((ip) => !this.inetIps.has(ip));
    const delIps = [...this.inetIps].filter((ip) => !ips.has(ip));
    await Promise.all([
      ...p.edges.map((e) => this.runOnce(e.key, this.spaces.get(e.key)!.holder.path, heredoc("nft -f -", edgeNft(e, this.denied).trimEnd().split("\n")), `edge ${e.vpcId} update`)),
      this.runOnce("internet", this.inet.path, inetScript(p.edges, p.edges, addIps, delIps), "internet update"),
      ...p.enis.map((e) => this.syncRoutes(e)),
    ]);
    this.inetIps = ips;

    // 5. Relays for local servers placed in the VPC and on the internet.
    const used = new Set<string>([...p.internetListeners, ...[...p.enis, ...p.gateways].flatMap((e) => e.listeners)].map(relayKey));
    await Promise.all([
      ...[...p.enis, ...p.gateways].map(async (e) => {
        const space = this.spaces.get(e.key)!;
        if (!space.relay && e.listeners.length === 0) return;
        space.relay ??= new NamespaceRelay(space.holder.path, e.id);
        const specs = await relaySpecs(e.listeners, this.host);
        if (this.lastRelay.get(e.key) === JSON.stringify(specs)) return;
        await space.relay.configure(specs);
        this.lastRelay.set(e.key, JSON.stringify(specs));
      }),
      relaySpecs(p.internetListeners, this.host).then(async (specs) => {
        if (this.lastRelay.get("internet") === JSON.stringify(specs)) return;
        await this.inetRelay.configure(specs);
        this.lastRelay.set("internet", JSON.stringify(specs));
      }),
    ]);
    for (const t of this.loopTargets) used.add(t);
    this.host.prune(used);
    this.lastPlan = p;
  }

  /**
   * An ENI namespace routes exactly the destinations its subnet's route table routes (the
   * namespace itself is never rebuilt for it): an unchanged set runs nothing.
   */
  private async syncRoutes(e: Plan["enis"][number]): Promise<void> {
    const space = this.spaces.get(e.key)!;
    const have = space.routes ?? { 4: [], 6: [] };
    const want = eniRoutes(e);
    if (!space.routesDirty && JSON.stringify(have) === JSON.stringify(want)) return;
    const stale = { 4: have[4].filter((d) => !want[4].includes(d)), 6: have[6].filter((d) => !want[6].includes(d)) };
    // Until it succeeds, count every route of either set as possibly present.
    space.routes = { 4: [...new Set([...have[4], ...want[4]])], 6: [...new Set([...have[6], ...want[6]])] };
    space.routesDirty = true;
    await runScript(space.holder.path, eniRoutesScript(e, want, stale), `namespace ${e.key} routes`);
    space.routes = want;
    space.routesDirty = false;
  }

  private async runOnce(key: string, nsPath: string, script: string, what: string): Promise<void> {
    if (this.lastScript.get(key) === script) return;
    this.lastScript.delete(key);
    await runScript(nsPath, script, what);
    this.lastScript.set(key, script);
  }

  /** The last plan applied (for diagnostics and tests). */
  lastPlan?: Plan;

  private async build(key: string, sig: string, script: string, routerLinks: string[], inetLinks: string[]): Promise<void> {
    const holder = await holdNamespace(key);
    try {
      await runScript(holder.path, script, `namespace ${key}`);
    } catch (e) {
      await holder.close();
      throw e;
    }
    this.spaces.set(key, { holder, sig, routerLinks, inetLinks });
  }

  /**
   * A relay inside that namespace listening on 127.0.0.1:port and forwarding to the host's
   * 127.0.0.1:port over a unix socket (no veth reaches the host). Idempotent per (namespace, port).
   * For each execution environment's Runtime API port and for hyperlocal's own port.
   */
  loopbackRelay(networkInterfaceId: string | "internet", port: number): Promise<void> {
    const next = this.queue.then(() => this.loopbackRelayNow(networkInterfaceId, port));
    this.queue = next.catch(() => {});
    return next;
  }

  private async loopbackRelayNow(networkInterfaceId: string, port: number): Promise<void> {
    if (this.closed) throw new Error("kernel network: closed");
    const loop = await this.loopRelays(networkInterfaceId);
    if (loop.specs.has(port)) return;
    const target = `127.0.0.1:${port}`;
    this.loopTargets.add(target);
    loop.specs.set(port, { ip: "127.0.0.1", port, socket: await this.host.socketFor(target) });
    try {
      await loop.relay.configure([...loop.specs.values(), loop.dns]);
    } catch (e) {
      loop.specs.delete(port);
      throw e;
    }
  }

  /** The loopback relays of a namespace, created with its resolver on first use. */
  private async loopRelays(networkInterfaceId: string): Promise<LoopRelays> {
    const existing = networkInterfaceId === "internet" ? this.pubLoop : this.spaces.get(`eni:${networkInterfaceId}`)?.loop;
    if (existing) return existing;
    const nsPath = networkInterfaceId === "internet" ? this.pub.path : this.spaces.get(`eni:${networkInterfaceId}`)?.holder.path;
    if (!nsPath) throw new Error(`kernel network: no namespace for ${networkInterfaceId} (list it in apply()'s lambdaEnis)`);
    // The resolver's link-local address lives on the namespace's own loopback: queries never
    // cross the VPC (as with the Amazon DNS server, security groups and ACLs do not apply to them).
    await runScript(nsPath, `ip addr replace ${RESOLVER_V4}/32 dev lo\n`, `resolver address in ${networkInterfaceId}`);
    const loop: LoopRelays = {
      relay: new NamespaceRelay(nsPath, `${networkInterfaceId} loopback`),
      specs: new Map(),
      dns: { ip: RESOLVER_V4, port: 53, socket: await this.dns.socketFor(networkInterfaceId), kind: "dns" },
    };
    if (networkInterfaceId === "internet") this.pubLoop = loop;
    else this.spaces.get(`eni:${networkInterfaceId}`)!.loop = loop;
    return loop;
  }

  /** An environment stopped: its Runtime API port's relay in that namespace goes. */
  releaseLoopbackRelay(networkInterfaceId: string | "internet", port: number): Promise<void> {
    const next = this.queue.then(async () => {
      if (this.closed) return;
      const loop = networkInterfaceId === "internet" ? this.pubLoop : this.spaces.get(`eni:${networkInterfaceId}`)?.loop;
      if (!loop?.specs.delete(port)) return;
      await loop.relay.configure([...loop.specs.values(), loop.dns]);
      // The host side's socket goes too once no namespace relays that port any more.
      const loops = [this.pubLoop, ...[...this.spaces.values()].map((s) => s.loop)];
      if (loops.some((l) => l?.specs.has(port))) return;
      const target = `127.0.0.1:${port}`;
      this.loopTargets.delete(target);
      this.host.drop(target);
    });
    this.queue = next.catch(() => {});
    return next;
  }

  /** Host-side targets of loopback relays (kept when apply() prunes unused sockets). */
  private readonly loopTargets = new Set<string>();

  /**
   * argv prefix that runs a command inside the ENI's namespace, without capabilities, in a mount
   * namespace of its own where /etc/resolv.conf names the namespace's resolver.
   */
  commandPrefix(networkInterfaceId: string, dropCaps = true): string[] {
    const s = this.spaces.get(`eni:${networkInterfaceId}`);
    if (!s) throw new Error(`kernel network: no namespace for ${networkInterfaceId} (list it in apply()'s lambdaEnis)`);
    return [...enter(s.holder.path), ...this.withResolvConf(), ...(dropCaps ? DROP_CAPS : [])];
  }

  /** For functions outside any VPC: a namespace that reaches only the internet mappings. */
  internetCommandPrefix(dropCaps = true): string[] {
    return [...enter(this.pub.path), ...this.withResolvConf(), ...(dropCaps ? DROP_CAPS : [])];
  }

  /**
   * A private mount namespace (nothing propagates back) whose /etc/resolv.conf is ours. Where the
   * host's is a dangling symlink (e.g. to a resolver that is not running), its target's directory
   * gets a tmpfs in that namespace only, so there is a file to mount over; the host is untouched.
   */
  private withResolvConf(): string[] {
    const script =
      'r=/etc/resolv.conf; if [ -L "$r" ] && [ ! -e "$r" ]; then t=$(readlink -f "$r"); d=${t%/*}; [ -d "$d" ] && mount -t tmpfs hyperlocal "$d" && : > "$t"; fi; ' +
      'mount --bind "$0" "$r" && mount -o remount,bind,ro "$r" && exec "$@"';
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, this.resolvConfPath];
  }

  /** Remove every namespace and relay this object created. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    this.conntrack?.close();
    this.dns.close();
    await Promise.all([this.inetRelay.close(), this.pubLoop?.relay.close(), ...[...this.spaces.values()].flatMap((s) => [s.relay?.close(), s.loop?.relay.close()])]);
    await Promise.all([...this.spaces.values()].map((s) => s.holder.close()));
    this.spaces.clear();
    await Promise.all([this.router.close(), this.inet.close(), this.pub.close()]);
    this.host.close();
    rmSync(join(this.root, "sockets"), { recursive: true, force: true });
  }
}

