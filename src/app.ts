import { allowAllAuthorizer, type Authorizer } from "./core/authorization.ts";
import { SimulatedClock, type Clock } from "./core/clock.ts";
import { createLogger, type Logger } from "./core/logger.ts";
import type { Config } from "./config.ts";
import { AdminRouter } from "./gateway/admin-router.ts";
import { registerCoreAdminRoutes } from "./gateway/admin-core.ts";
import { CredentialRegistry } from "./gateway/credentials.ts";
import { Gateway } from "./gateway/server.ts";
import type { ServiceDefinition } from "./gateway/service-definition.ts";
import { createEc2Service } from "./services/ec2/index.ts";
import { DEFAULT_SETTINGS, Hyperplane, REALISTIC_SETTINGS, type HyperplaneSettings } from "./hyperplane/index.ts";
import { createIamService } from "./services/iam/index.ts";
import { createLambdaService, type LambdaModule, type LambdaOptions } from "./services/lambda/index.ts";
import { RuntimeManager } from "./runtime/index.ts";
import { createNetworkModule, type NetworkModule } from "./network/server/index.ts";
import type { ServiceDeps } from "./services/service-deps.ts";
import { createStsService } from "./services/sts/index.ts";
import { Store } from "./store/store.ts";
import { startKernelLink } from "./network/kernel-link.ts";

export const VERSION = "0.1.0";

/** The composition root: the one place that builds clock, store, services and server. */
export interface App {
  /** http://host:port */
  url: string;
  port: number;
  config: Config;
  clock: Clock;
  store: Store;
  logger: Logger;
  services: ServiceDefinition[];
  /** Lambda's Hyperplane ENIs: acquire/release report connections through a (subnet, group set) combination. */
  hyperplane: Hyperplane;
  lambda: LambdaModule;
  /** Endpoints, internet mappings, the shim's decision API, reachability. */
  network: NetworkModule;
  close(): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  /** Variables for each Lambda execution environment from the network enforcement (unset: none). */
  networkEnv?: LambdaOptions["networkEnv"];
}

export async function startApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const store = await Store.open(config.stateDir, { onError: (m) => logger.error(m) });
  // The simulated clock's offset is stored: stored timestamps (pending states, ENI release times,
  // session expiry) stay in the same timeline after a restart.
  const clockState = () => store.state("clock", "global", "global", () => ({ offsetMs: 0 }));
  const clock = opts.clock ?? new SimulatedClock(Date.now, clockState().offsetMs);
  const rememberClock = () => {
    clockState().offsetMs = clock.offsetMs;
    store.markDirty();
  };

  const credentials = new CredentialRegistry(config.account, config.acceptAnyCredentials);
  credentials.addRootKey(config.accessKeyId, config.secretAccessKey);
  const deps: ServiceDeps = { store, clock, config, logger };
  const iam = createIamService(deps);
  credentials.addResolver(iam.credentialResolver);
  const authorizer: Authorizer = config.iam === "off" ? allowAllAuthorizer : iam.authorizer;
  const ec2 = createEc2Service(deps);
  const hyperplane = new Hyperplane(ec2.internal, store, clock, hyperplaneSettings(config));
  let serverUrl = "";
  let serverPort = 0;
  // --network kernel: namespaces + nftables; without kernel support, the shim with a warning.
  let network: NetworkModule | undefined;
  const kernelLink = config.network === "kernel" && !opts.networkEnv ? await startKernelLink(config, logger, () => network, () => serverPort, hyperplane) : undefined;
  // Every change to the state (requests, and what the clock moves: ENIs created or reclaimed, NAT
  // gateways becoming available) reaches the kernel before the next invocation.
  if (kernelLink) store.onChange(() => kernelLink.changed());
  // The network module needs Lambda (which function uses which ENI) and Lambda needs the network
  // module (the shim's variables for each environment): the hook reads it once both exist.
  const shimEnv: LambdaOptions["networkEnv"] =
    config.network === "off"
      ? undefined
      : (fn) =>
          network?.shimEnvironment(
            {
              account: fn.account,
              region: fn.region,
              functionName: fn.functionName,
              version: fn.version,
              ...(fn.vpc ? { vpc: { networkInterfaceId: fn.vpc.networkInterfaceId, comboKey: fn.vpc.comboKey, ipv6Allowed: fn.vpc.ipv6Allowed } } : {}),
              ...(fn.unavailable ? { unavailable: fn.unavailable } : {}),
            },
            serverUrl,
          );
  const kernelEnv: LambdaOptions["networkEnv"] = kernelLink ? (fn) => kernelLink.environment(fn) ?? shimEnv?.(fn) : undefined;
  const networkEnv = opts.networkEnv ?? kernelEnv ?? shimEnv;
  const lambda = createLambdaService(deps, iam.internal, new RuntimeManager({ clock, logger }), {
    serverUrl: () => serverUrl,
    vpc: { ec2: ec2.internal, hyperplane },
    ...(networkEnv ? { networkEnv } : {}),
  });
  network = createNetworkModule({
    store,
    clock,
    config,
    logger,
    ec2: ec2.internal,
    connections: hyperplane,
    functionSource: (account, region, functionName) => lambda.networkSource(account, region, functionName),
    settings: { dropAfterMs: config.dropAfterMs },
    onRegistryChange: () => kernelLink?.changed(),
  });
  const net = network;

  const services: ServiceDefinition[] = [createStsService(iam.stsOperations), iam.service, ec2.service, lambda.service];

  const admin = new AdminRouter();
  iam.registerAdminRoutes(admin);
  lambda.registerAdminRoutes(admin);
  net.registerAdminRoutes(admin);
  const startedAt = Date.now();
  registerCoreAdminRoutes(admin, {
    version: VERSION,
    clock,
    services,
    startedAt,
    reset: async () => {
      store.reset();
      rememberClock();
      for (const s of services) await s.onReset?.();
      net.onReset();
    },
    onAdvance: rememberClock,
  });

  const gateway = new Gateway({
    services,
    credentials,
    authorizer: () => authorizer,
    admin,
    clock,
    logger,
    onChange: () => {
      store.markDirty();
      net.invalidate();
    },
    // Kernel mode: a request is answered once its network change is in the kernel.
    ...(kernelLink ? { settle: () => kernelLink.settled() } : {}),
    // --state-dir: a request is answered once what it changed is committed (or undone if it failed).
    ...(store.persistent ? { unitOfWork: <T>(work: () => Promise<T>, ok: (r: T) => boolean) => store.run(work, ok) } : {}),
  });
  const address = await gateway.listen(config.port, config.host);
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  serverUrl = `http://${host}:${address.port}`;
  serverPort = address.port;
  kernelLink?.changed();
  logger.info(`hyperlocal ${VERSION} listening on http://${host}:${address.port} (region ${config.region}, account ${config.account})`);

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    config,
    clock,
    store,
    logger,
    services,
    hyperplane,
    lambda,
    network: net,
    async close() {
      await gateway.close();
      for (const s of services) await s.onShutdown?.();
      clock.close();
      await store.close();
      if (kernelLink) await kernelLink.close();
    },
  };
}

/** ENI timings and limits: the profile (fast or --realistic-timing) with the explicit settings over it. */
export function hyperplaneSettings(config: Config): HyperplaneSettings {
  const base = config.realisticTiming ? REALISTIC_SETTINGS : DEFAULT_SETTINGS;
  return {
    ...base,
    ...(config.eniCreateMs !== undefined ? { eniCreateMs: config.eniCreateMs } : {}),
    ...(config.eniReleaseMs !== undefined ? { releaseDelayMs: config.eniReleaseMs } : {}),
    ...(config.eniConnections > 0 ? { connectionsPerEni: config.eniConnections } : {}),
    ...(config.enisPerVpc > 0 ? { enisPerVpc: config.enisPerVpc } : {}),
  };
}
