import { allowAllAuthorizer, type Authorizer } from "./core/authorization.ts";
import { MAX_OFFSET_MS, SimulatedClock, validOffset, type Clock } from "./core/clock.ts";
import { createLogger, type Logger } from "./core/logger.ts";
import type { Config } from "./config.ts";
import { AdminAuth, generateAdminToken, isLoopbackListen } from "./gateway/admin-auth.ts";
import { AdminRouter } from "./gateway/admin-router.ts";
import { BrowserGuard } from "./gateway/browser-guard.ts";
import { registerCoreAdminRoutes } from "./gateway/admin-core.ts";
import { CredentialRegistry } from "./gateway/credentials.ts";
import { Gateway } from "./gateway/server.ts";
import { refuseLoopbackPeersOf } from "./gateway/local-peers.ts";
import type { ServiceDefinition } from "./gateway/service-definition.ts";
import { createEc2Service } from "./services/ec2/index.ts";
import { DEFAULT_SETTINGS, Hyperplane, REALISTIC_SETTINGS, type HyperplaneSettings } from "./hyperplane/index.ts";
import { createIamService } from "./services/iam/index.ts";
import { createLambdaService, type LambdaModule, type LambdaOptions } from "./services/lambda/index.ts";
import { RuntimeManager } from "./runtime/index.ts";
import { awsServiceHost, createNetworkModule, type NetworkModule } from "./network/server/index.ts";
import type { ServiceDeps } from "./services/service-deps.ts";
import { bindQueryService } from "./protocol/query/bind.ts";
import { bindRestJsonService } from "./protocol/rest-json/bind.ts";
import { bindRestXmlService } from "./protocol/rest-xml/bind.ts";
import { createStsModel } from "./services/sts/index.ts";
import { createCloudFormationService } from "./services/cloudformation/index.ts";
import { createS3Service } from "./services/s3/index.ts";
import { zonesOf } from "./services/ec2/index.ts";
import { Store } from "./store/store.ts";
import { startKernelLink } from "./network/kernel-link.ts";
import { CONSOLE_PATH, registerConsoleRoutes } from "./console/routes.ts";

export const VERSION = "0.1.0";

/** The composition root: the one place that builds clock, store, services and server. */
export interface App {
  /** http://host:port */
  url: string;
  port: number;
  /** http://127.0.0.1:port of the function listener: the AWS APIs without the admin API (AWS_ENDPOINT_URL of function code). */
  functionUrl: string;
  config: Config;
  clock: Clock;
  store: Store;
  logger: Logger;
  services: ServiceDefinition[];
  /** Lambda's Hyperplane ENIs: acquire/release report connections through a (subnet, group set) combination. */
  hyperplane: Hyperplane;
  lambda: LambdaModule;
  /** Resolves when no CloudFormation stack operation is running. */
  cloudformationIdle(): Promise<void>;
  /** Endpoints, internet mappings, the shim's decision API, reachability. */
  network: NetworkModule;
  /** Listening on anything but loopback: other machines can reach the server. */
  exposed: boolean;
  /** The token admin calls need (undefined: none needed); `generated` when hyperlocal made it up. */
  admin: { token: string | undefined; generated: boolean };
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
  if (sanitizeClockState(clockState(), logger)) store.markDirty();
  const clock = opts.clock ?? new SimulatedClock(Date.now, clockState().offsetMs);
  const rememberClock = () => {
    clockState().offsetMs = clock.offsetMs;
    store.markDirty();
  };

  const credentials = new CredentialRegistry({
    defaultAccount: config.account,
    acceptAny: config.acceptAnyCredentials,
    accountKeySecret: config.accountKeys ? config.secretAccessKey : undefined,
  });
  credentials.addRootKey(config.accessKeyId, config.secretAccessKey);
  const deps: ServiceDeps = { store, clock, config, logger };
  const iam = createIamService(deps);
  const iamService = bindQueryService(iam.model);
  credentials.addResolver(iam.credentialResolver);
  const authorizer: Authorizer = config.iam === "off" ? allowAllAuthorizer : iam.authorizer;
  const ec2 = createEc2Service(deps);
  const ec2Service = bindQueryService(ec2.model);
  const hyperplane = new Hyperplane(ec2.internal, store, clock, hyperplaneSettings(config));
  let serverUrl = "";
  let serverPort = 0;
  // Function code reaches hyperlocal only through the function listener (AWS APIs and the shim's
  // decision API, no admin routes); the shim refuses the main port, and kernel mode relays only this one.
  let functionUrl = "";
  let functionPort = 0;
  // --network kernel: namespaces + nftables; without kernel support, the shim with a warning.
  let network: NetworkModule | undefined;
  const kernelLink = config.network === "kernel" && !opts.networkEnv ? await startKernelLink(config, logger, () => network, () => functionPort, hyperplane) : undefined;
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
            functionUrl,
            serverPort ? [serverPort] : [],
          );
  const kernelEnv: LambdaOptions["networkEnv"] = kernelLink ? (fn) => kernelLink.environment(fn) ?? shimEnv?.(fn) : undefined;
  const networkEnv = opts.networkEnv ?? kernelEnv ?? shimEnv;
  // Function code is confined as far as this machine allows (src/runtime/confinement.ts); the log says how far.
  const runtime = new RuntimeManager({ clock, logger, confine: true });
  if (config.stateDir) runtime.protect(config.stateDir);
  const s3 = createS3Service(deps);
  const lambda = createLambdaService(deps, iam.internal, runtime, {
    s3: s3.internal,
    serverUrl: () => serverUrl,
    functionUrl: () => functionUrl,
    vpc: { ec2: ec2.internal, hyperplane },
    ...(networkEnv ? { networkEnv } : {}),
  });
  const lambdaService = bindRestJsonService(lambda.model);
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

  const cloudformation = createCloudFormationService(deps, {
    targets: {
      ec2: { service: ec2Service, operations: ec2.operations },
      iam: { service: iamService, operations: iam.operations },
      lambda: lambdaService,
      authorizer: () => authorizer,
      roleSession: (account, roleArn) => {
        const keys = iam.internal.createRoleSession(account, roleArn, "AWSCloudFormation", {});
        const cred = iam.credentialResolver(keys.accessKeyId);
        // A session just created resolves; anything else is a bug, not a caller's mistake.
        if (!cred || cred === "refused") throw new Error(`the CloudFormation session for ${roleArn} did not resolve`);
        return cred.principal;
      },
      roleTrustsCloudFormation: (account, roleArn) => iam.internal.roleTrustsService(account, roleArn, "cloudformation.amazonaws.com"),
      // Stack operations change state outside requests: save it and refresh the network view.
      changed: () => {
        store.markDirty();
        net.invalidate();
      },
      serviceTags: (service, account, region, id, tags) =>
        service === "ec2" ? ec2.internal.addServiceTags(account, region, id, tags) : lambda.addServiceTags(account, region, id, tags),
    },
    // Custom resources' ResponseURL: function code reaches only the function listener.
    serverUrl: () => functionUrl,
    azs: (region) => zonesOf(region).map((z) => z.name),
    exists: (account, region, type, id) => {
      if (type.includes("VPC::Id")) return ec2.internal.describeVpc(account, region, id) !== undefined;
      if (type.includes("Subnet::Id")) return ec2.internal.describeSubnet(account, region, id) !== undefined;
      if (type.includes("SecurityGroup::Id")) return ec2.internal.describeSecurityGroup(account, region, id) !== undefined;
      return true;
    },
  });

  const services: ServiceDefinition[] = [bindQueryService(createStsModel(iam.stsOperations)), iamService, ec2Service, lambdaService, bindQueryService(cloudformation.model), bindRestXmlService(s3.model)];

  const admin = new AdminRouter();
  iam.registerAdminRoutes(admin);
  lambda.registerAdminRoutes(admin);
  net.registerAdminRoutes(admin);
  registerConsoleRoutes(admin);
  cloudformation.registerAdminRoutes(admin);
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

  const exposed = !isLoopbackListen(config.host);
  const adminToken = config.adminToken ?? (exposed ? generateAdminToken() : undefined);
  const gatewayOptions = {
    services,
    credentials,
    authorizer: () => authorizer,
    clock,
    logger,
    onChange: () => {
      store.markDirty();
      net.invalidate();
    },
    // Kernel mode: a request is answered once its network change is in the kernel.
    ...(kernelLink ? { settle: () => kernelLink.settled() } : {}),
    // --state-dir: a request (at either listener) is answered once what it changed is committed (or undone if it failed).
    ...(store.persistent ? { unitOfWork: <T>(work: () => Promise<T>, ok: (r: T) => boolean) => store.run(work, ok) } : {}),
  };
  const gateway = new Gateway({
    ...gatewayOptions,
    admin,
    guard: new BrowserGuard({ listenHost: config.host, corsOrigins: config.corsOrigins, allowedHosts: config.allowedHosts }),
    adminAuth: new AdminAuth(adminToken),
  });
  // Function code that runs as a uid of its own (confinement "uid" mode) is refused at the main port
  // even when it bypasses the shim (native code, a custom runtime's own client).
  refuseLoopbackPeersOf(gateway.server, () => runtime.functionUid);
  const functionAdmin = new AdminRouter();
  net.registerFunctionRoutes(functionAdmin);
  cloudformation.registerAdminRoutes(functionAdmin);
  // Function code's own listener: loopback only, no admin routes but the shim's decision API, no browser origins.
  const functionGateway = new Gateway({
    ...gatewayOptions,
    admin: functionAdmin,
    guard: new BrowserGuard({ listenHost: "127.0.0.1", corsOrigins: [], allowedHosts: [], allowedHostRule: (name) => awsServiceHost(name) !== undefined }),
    adminAuth: new AdminAuth(undefined),
    // Function code's AWS calls delivered by the network (src/network/server/aws-front.ts) carry their VPC path.
    requestPath: (req, principal) => {
      const p = net.awsFront.pathOf(req.socket);
      if (!p) return undefined;
      // Shim mode's listeners are on loopback, where code that skips the shim could find another
      // environment's: its keys hold only for calls signed by that environment's own function.
      if (p.functionName && !principal.sourceFunctionArn?.endsWith(`:${p.region}:${p.account}:function:${p.functionName}`)) return undefined;
      const network = p.sourceVpce ? { sourceVpc: p.sourceVpc, sourceVpce: p.sourceVpce, vpcSourceIp: p.vpcSourceIp, ...(p.endpointPolicy !== undefined ? { endpointPolicy: p.endpointPolicy } : {}) } : undefined;
      return { ...(p.sourceIp ? { sourceIp: p.sourceIp } : {}), ...(network ? { network } : {}) };
    },
  });
  net.awsFront.deliver = (socket) => functionGateway.server.emit("connection", socket);
  const address = await gateway.listen(config.port, config.host);
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  serverUrl = `http://${host}:${address.port}`;
  serverPort = address.port;
  // Always loopback, whatever --host says: only code on this machine (function code) uses it.
  const functionAddress = await functionGateway.listen(0, "127.0.0.1");
  functionPort = functionAddress.port;
  functionUrl = `http://127.0.0.1:${functionPort}`;
  kernelLink?.changed();
  logger.info(`hyperlocal ${VERSION} listening on http://${host}:${address.port} (region ${config.region}, account ${config.account})`);
  logger.info(`web console: http://${host}:${address.port}${CONSOLE_PATH}`);

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    functionUrl,
    config,
    clock,
    store,
    logger,
    services,
    hyperplane,
    lambda,
    cloudformationIdle: () => cloudformation.idle(),
    network: net,
    exposed,
    admin: { token: adminToken, generated: adminToken !== undefined && config.adminToken === undefined },
    async close() {
      await gateway.close();
      await functionGateway.close();
      net.awsFront.clear();
      for (const s of services) await s.onShutdown?.();
      clock.close();
      await store.close();
      if (kernelLink) await kernelLink.close();
    },
  };
}

/**
 * A clock offset an earlier version saved out of range (e.g. 1e308, which makes every date
 * unprintable) is put back in range, with a warning, instead of breaking every request.
 */
function sanitizeClockState(state: { offsetMs: unknown }, logger: Logger): boolean {
  const v = state.offsetMs;
  if (validOffset(v)) return false;
  const fixed = typeof v === "number" && v > MAX_OFFSET_MS && Number.isFinite(v) ? MAX_OFFSET_MS : 0;
  logger.warn(`the saved simulated clock offset ${String(v).slice(0, 40)} is out of range (0 to 100 years); using ${fixed} ms`);
  state.offsetMs = fixed;
  return true;
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
