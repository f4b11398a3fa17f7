// --network kernel, wired to Lambda: starts the kernel network (or says why it cannot, so the app
// falls back to the shim), keeps it in step with EC2 state, endpoints and internet mappings, and
// gives each execution environment its launch wrapper. It also answers the namespaces' resolvers
// (the same name resolution the shim uses) and counts the connections the kernel sees on the
// functions' Hyperplane ENIs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../config.ts";
import type { Logger } from "../core/logger.ts";
import type { NetworkEnv, NetworkFunctionInfo } from "../services/lambda/env.ts";
import { KernelNetwork, kernelSupport, rootless } from "./kernel/index.ts";
import type { ConnectionEvent } from "./kernel/conntrack-watch.ts";
import type { NetSnapshot } from "./model/types.ts";
import { normalizeIp } from "./snapshot/from-ec2.ts";
import type { ConnectionAccounting, NetSource, NetworkModule } from "./server/index.ts";
import { awsEndpointVariables } from "./server/aws-services.ts";

/** The kernel network, or undefined (with a warning) where this machine cannot run it. */
export async function startKernelLink(
  config: Config,
  logger: Logger,
  network: () => NetworkModule | undefined,
  functionPort: () => number,
  accounting?: ConnectionAccounting,
): Promise<KernelLink | undefined> {
  const support = kernelSupport();
  if (!support.ok) {
    logger.warn(`--network kernel is unavailable here (${support.reason}); falling back to --network shim`);
    return undefined;
  }
  const root = mkdtempSync(join(tmpdir(), "hyperlocal-kernel-"));
  try {
    const kernel = await KernelNetwork.create({ root, logger });
    logger.info(`network: kernel mode${rootless() ? ", rootless (inside a user namespace of its own)" : ""}: each function runs in its Hyperplane ENI's network namespace`);
    return new KernelLink(kernel, root, config, logger, network, functionPort, accounting);
  } catch (e) {
    logger.warn(`--network kernel could not start (${(e as Error).message}); falling back to --network shim`);
    rmSync(root, { recursive: true, force: true });
    return undefined;
  }
}

interface LambdaEni {
  account: string;
  region: string;
  comboKey: string;
  ipv6Allowed: boolean;
}

/**
 * --network kernel: keeps the namespaces in step with the state (every change starts a re-apply at
 * once, and each invocation waits until the changes made before it are in force), and gives each
 * execution environment its launch wrapper: a VPC function runs in its Hyperplane ENI's namespace,
 * any other function in the public client namespace, each with loopback relays for its Runtime API
 * port and hyperlocal's function listener (never its main port, which serves the admin API).
 */
export class KernelLink {
  /** "account\nregion" of every scope to build. */
  private readonly scopes = new Set<string>();
  /** Lambda ENIs functions ran from. */
  private readonly enis = new Map<string, LambdaEni>();
  private dirty = false;
  private applying: Promise<void> | undefined;
  private lastInputs = "";
  private closed = false;
  /** Connections the kernel reported open on a Lambda ENI: "src|sport|dst|dport" → the ENI Hyperplane counted it on. */
  private readonly counted = new Map<string, { eni: LambdaEni; eniId: string }>();

  constructor(
    private readonly kernel: KernelNetwork,
    private readonly root: string,
    config: Config,
    private readonly logger: Logger,
    private readonly network: () => NetworkModule | undefined,
    private readonly functionPort: () => number,
    private readonly accounting?: ConnectionAccounting,
  ) {
    this.scopes.add(`${config.account}\n${config.region}`);
    kernel.setResolver((where, name) => this.resolve(where, name));
    // AWS calls from function code: the relays say where the call arrived and from which address.
    kernel.onAwsConnection((where, sourceIp, socket) => {
      const net = this.network();
      const scopes = [...this.scopes].map((k) => {
        const [account, region] = k.split("\n");
        return { account, region };
      });
      const path = net?.kernelAwsPath(where, sourceIp, scopes);
      if (!net || !path) return void socket.destroy();
      net.awsFront.deliverWithPath(socket, path);
    });
    if (accounting) kernel.watchConnections((e) => this.onConnection(e));
  }

  /** Something changed (a request, the clock, the endpoint registry): re-apply now, coalescing a burst. */
  changed(): void {
    if (this.closed) return;
    this.dirty = true;
    this.applying ??= this.applyWhileDirty();
  }

  /** Resolves once every change reported before this call is in force in the kernel. */
  async settled(): Promise<void> {
    while (this.applying) await this.applying;
  }

  private async applyWhileDirty(): Promise<void> {
    try {
      await new Promise((r) => setImmediate(r)); // a burst of changes gives one apply
      while (this.dirty && !this.closed) {
        this.dirty = false;
        try {
          await this.applyNow();
        } catch (e) {
          this.logger.warn(`kernel network: apply failed: ${(e as Error)?.message ?? e}`);
        }
      }
    } finally {
      this.applying = undefined;
    }
  }

  private async applyNow(): Promise<void> {
    const net = this.network();
    if (!net || this.closed) return;
    const parts = [...this.scopes].map((k) => {
      const [account, region] = k.split("\n");
      return net.kernelInputs(account, region);
    });
    const snapshot = mergeSnapshots(parts.map((p) => p.snapshot));
    const present = new Set(snapshot.networkInterfaces.map((e) => e.networkInterfaceId));
    const lambdaEnis = [...this.enis].filter(([id]) => present.has(id)).map(([networkInterfaceId, e]) => ({ networkInterfaceId, ipv6Allowed: e.ipv6Allowed }));
    // A peered VPC's endpoints come with each scope that merged it: one listener each.
    const endpoints = [...new Map(parts.flatMap((p) => p.endpoints).map((e) => [`${e.ip}|${e.port}|${e.protocol}`, e])).values()];
    const internet = net.kernelInternet([...new Set([...this.scopes].map((k) => k.split("\n")[1]))]);
    // Most changes (IAM, Lambda, tags) leave the network as it was: nothing to run.
    const inputs = JSON.stringify([snapshot, endpoints, internet, lambdaEnis]);
    if (inputs === this.lastInputs) return;
    this.lastInputs = "";
    await this.kernel.apply(snapshot, endpoints, internet, lambdaEnis);
    this.lastInputs = inputs;
  }

  /** The launch wrapper for an environment; undefined when the shim must answer (no usable ENI). */
  environment(fn: NetworkFunctionInfo): NetworkEnv | undefined {
    if (fn.unavailable) return undefined;
    const scope = `${fn.account}\n${fn.region}`;
    const eni = fn.vpc?.networkInterfaceId;
    const known = this.scopes.has(scope) && (!eni || this.enis.get(eni)?.ipv6Allowed === fn.vpc!.ipv6Allowed);
    this.scopes.add(scope);
    if (eni) this.enis.set(eni, { account: fn.account, region: fn.region, comboKey: fn.vpc!.comboKey, ipv6Allowed: fn.vpc!.ipv6Allowed });
    if (!known) this.changed();
    const where = eni ?? "internet";
    return {
      // The SDKs call the services by their regional names; the namespace's resolver and routes decide (kernel-aws.ts).
      extraEnv: awsEndpointVariables(fn.region),
      nodeOptions: [],
      launch: {
        key: `kernel:${where}`,
        beforeInvoke: () => this.settled(),
        prepare: async (runtimeApiPort, opts) => {
          await this.settled();
          await this.kernel.loopbackRelay(where, runtimeApiPort);
          const own = this.functionPort(); // the function listener only: the main port (admin API) stays out of reach
          if (own) await this.kernel.loopbackRelay(where, own);
          const dropCaps = !opts?.confined;
          return eni ? this.kernel.commandPrefix(eni, dropCaps) : this.kernel.internetCommandPrefix(dropCaps);
        },
        release: (runtimeApiPort) => {
          this.kernel.releaseLoopbackRelay(where, runtimeApiPort).catch((e: unknown) => this.logger.warn(`kernel network: ${(e as Error)?.message ?? e}`));
        },
      },
    };
  }

  /** A name asked of the resolver in `where` (a Lambda ENI's namespace, or "internet"). */
  private resolve(where: string, name: string): { addresses: { address: string; family: 4 | 6 }[] } | { nxdomain: true } {
    const net = this.network();
    if (!net) return { nxdomain: true };
    const eni = where === "internet" ? undefined : this.enis.get(where);
    const [account, region] = eni ? [eni.account, eni.region] : [...this.scopes][0].split("\n");
    const source: NetSource = { account, region, functionName: "", ...(eni ? { vpc: { networkInterfaceId: where, comboKey: eni.comboKey, ipv6Allowed: eni.ipv6Allowed } } : {}) };
    const r = net.resolve(source, name);
    return "error" in r ? { nxdomain: true } : { addresses: r.addresses };
  }

  /** The kernel saw a TCP connection open or close: count it on the Hyperplane ENI it leaves from. */
  private onConnection(e: ConnectionEvent): void {
    const key = `${e.src}|${e.sport}|${e.dst}|${e.dport}`;
    if (e.kind === "close") {
      const c = this.counted.get(key);
      if (!c) return;
      this.counted.delete(key);
      this.accounting?.release(c.eni.account, c.eni.region, c.eni.comboKey, c.eniId);
      return;
    }
    const src = normalizeIp(e.src);
    const eniId = this.kernel.lastPlan?.enis.find((p) => p.lambda && [...p.v4, ...p.v6].some((ip) => normalizeIp(ip) === src))?.id;
    const eni = eniId ? this.enis.get(eniId) : undefined;
    if (!eni || !this.accounting) return;
    try {
      this.counted.set(key, { eni, eniId: this.accounting.acquire(eni.account, eni.region, eni.comboKey) });
    } catch (err) {
      // The connection is already open in the kernel; Hyperplane could not count it (not ready, quota).
      this.logger.warn(`kernel network: connection ${key} not counted: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    await this.kernel.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The id field of each snapshot table's entries (others: "id"). */
const ID_FIELD: Partial<Record<keyof NetSnapshot, string>> = {
  vpcs: "vpcId",
  subnets: "subnetId",
  routeTables: "routeTableId",
  networkAcls: "networkAclId",
  securityGroups: "groupId",
  networkInterfaces: "networkInterfaceId",
  prefixLists: "prefixListId",
};

/**
 * One snapshot of several scopes. A VPC joined by a peering to another Region or account is in its
 * own scope's snapshot and in its peer's (peer-scopes.ts): it is built once.
 */
export function mergeSnapshots(parts: NetSnapshot[]): NetSnapshot {
  if (parts.length === 1) return parts[0];
  const out: Record<string, unknown[]> = {};
  const seen = new Map<string, Set<string>>();
  for (const p of parts) {
    for (const [k, v] of Object.entries(p)) {
      if (!Array.isArray(v)) continue;
      const list = (out[k] ??= []);
      let ids = seen.get(k);
      if (!ids) seen.set(k, (ids = new Set()));
      for (const item of v as Record<string, unknown>[]) {
        const key = item[ID_FIELD[k as keyof NetSnapshot] ?? "id"];
        const id = typeof key === "string" ? key : JSON.stringify(item);
        if (ids.has(id)) continue;
        ids.add(id);
        list.push(item);
      }
    }
  }
  return out as unknown as NetSnapshot;
}
