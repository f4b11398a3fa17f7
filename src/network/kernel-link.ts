// --network kernel, wired to Lambda: starts the kernel network (or says why it cannot, so the app
// falls back to the shim), keeps it in step with EC2 state, endpoints and internet mappings, and
// gives each execution environment its launch wrapper.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../config.ts";
import type { Logger } from "../core/logger.ts";
import type { NetworkEnv, NetworkFunctionInfo } from "../services/lambda/env.ts";
import { KernelNetwork, kernelSupport } from "./kernel/index.ts";
import type { NetSnapshot } from "./model/types.ts";
import type { NetworkModule } from "./server/index.ts";

/** The kernel network, or undefined (with a warning) where this machine cannot run it. */
export async function startKernelLink(config: Config, logger: Logger, network: () => NetworkModule | undefined, serverPort: () => number): Promise<KernelLink | undefined> {
  const support = kernelSupport();
  if (!support.ok) {
    logger.warn(`--network kernel is unavailable here (${support.reason}); falling back to --network shim`);
    return undefined;
  }
  const root = mkdtempSync(join(tmpdir(), "hyperlocal-kernel-"));
  try {
    const kernel = await KernelNetwork.create({ root, logger });
    return new KernelLink(kernel, root, config, logger, network, serverPort);
  } catch (e) {
    logger.warn(`--network kernel could not start (${(e as Error).message}); falling back to --network shim`);
    rmSync(root, { recursive: true, force: true });
    return undefined;
  }
}

/**
 * --network kernel: keeps the namespaces in step with EC2 state, endpoints and internet mappings
 * (debounced re-apply), and gives each execution environment its launch wrapper: a VPC function
 * runs in its Hyperplane ENI's namespace, any other function in the public client namespace, each
 * with loopback relays for its Runtime API port and hyperlocal's own port.
 */
export class KernelLink {
  /** "account\nregion" of every scope to build. */
  private readonly scopes = new Set<string>();
  /** Lambda ENIs functions ran from: id → ipv6Allowed. */
  private readonly enis = new Map<string, boolean>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly kernel: KernelNetwork,
    private readonly root: string,
    config: Config,
    private readonly logger: Logger,
    private readonly network: () => NetworkModule | undefined,
    private readonly serverPort: () => number,
  ) {
    this.scopes.add(`${config.account}\n${config.region}`);
  }

  /** Re-apply soon (coalesces bursts of changes). */
  schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.applyNow().catch((e: unknown) => this.logger.warn(`kernel network: apply failed: ${(e as Error)?.message ?? e}`));
    }, 20);
    this.timer.unref();
  }

  async applyNow(): Promise<void> {
    const net = this.network();
    if (!net || this.closed) return;
    const parts = [...this.scopes].map((k) => {
      const [account, region] = k.split("\n");
      return net.kernelInputs(account, region);
    });
    const snapshot = mergeSnapshots(parts.map((p) => p.snapshot));
    const present = new Set(snapshot.networkInterfaces.map((e) => e.networkInterfaceId));
    const lambdaEnis = [...this.enis].filter(([id]) => present.has(id)).map(([networkInterfaceId, ipv6Allowed]) => ({ networkInterfaceId, ipv6Allowed }));
    await this.kernel.apply(snapshot, parts.flatMap((p) => p.endpoints), net.kernelInternet(), lambdaEnis);
  }

  /** The launch wrapper for an environment; undefined when the shim must answer (no usable ENI). */
  environment(fn: NetworkFunctionInfo): NetworkEnv | undefined {
    if (fn.unavailable) return undefined;
    this.scopes.add(`${fn.account}\n${fn.region}`);
    const eni = fn.vpc?.networkInterfaceId;
    if (eni) this.enis.set(eni, fn.vpc!.ipv6Allowed);
    const where = eni ?? "internet";
    return {
      extraEnv: {},
      nodeOptions: [],
      launch: {
        key: `kernel:${where}`,
        prepare: async (runtimeApiPort) => {
          await this.applyNow();
          await this.kernel.loopbackRelay(where, runtimeApiPort);
          const own = this.serverPort();
          if (own) await this.kernel.loopbackRelay(where, own);
          return eni ? this.kernel.commandPrefix(eni) : this.kernel.internetCommandPrefix();
        },
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.kernel.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

function mergeSnapshots(parts: NetSnapshot[]): NetSnapshot {
  if (parts.length === 1) return parts[0];
  const out: Record<string, unknown[]> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p)) if (Array.isArray(v)) (out[k] ??= []).push(...v);
  return out as unknown as NetSnapshot;
}
