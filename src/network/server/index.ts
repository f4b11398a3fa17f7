// The network module: hyperlocal's admin API for endpoints and the internet, the decision API the
// function-side shim asks, and the reachability route, all answered by the reachability model over
// a compiled snapshot of EC2's state (cached per account and region; see ../snapshot/cache.ts).
//
// Wiring (app.ts): build it after EC2 (and Hyperplane/Lambda, for connections and functionSource),
// register its admin routes, and call invalidate() from the gateway's onChange.
import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import type { Config } from "../../config.ts";
import type { AdminResponse, AdminRoutes } from "../../core/admin.ts";
import type { Ec2Internal } from "../../services/ec2/index.ts";
import type { Store } from "../../store/store.ts";
import { SnapshotCache, type CompiledView } from "../snapshot/cache.ts";
import { decide as decideWith, EnvironmentRegistry, registerDecisionRoutes, type DecisionDeps, type DecisionOp } from "./decisions.ts";
import { registerEndpointRoutes } from "./endpoints.ts";
import { resolveName, type Resolution } from "./resolver.ts";
import { buildListenerIndex, placedAddresses, type ListenerIndex } from "./listeners.ts";
import { registerReachabilityRoute } from "./reachability.ts";
import { formatHostPort, parseLoopbackTarget } from "./targets.ts";
import type { NetSnapshot } from "../model/types.ts";
import type { KernelEndpoint, KernelInternet } from "../kernel/types.ts";
import { NetworkRegistry } from "./registry.ts";
import { AwsFront } from "./aws-front.ts";
import { AWS_SERVICE_PORTS, isServed } from "./aws-services.ts";
import { AWS_TARGET_PREFIX } from "../kernel/relays.ts";
import { kernelAwsAddresses, kernelAwsPath, kernelGatewayListeners } from "./kernel-aws.ts";
import type { NetContext } from "./plan.ts";
import { ShimEnvironments, type ShimEnvironment } from "./shim-env.ts";
import { DEFAULT_DROP_AFTER_MS, type AwsCallPath, type ConnectionAccounting, type FunctionSourceLookup, type NetSource, type NetworkSettings } from "./types.ts";

export { EnvironmentRegistry, TOKEN_HEADER } from "./decisions.ts";
export { DEFAULT_DROP_AFTER_MS } from "./types.ts";
export type { ConnectionAccounting, Decision, FunctionSourceLookup, NetSource, NetworkSettings } from "./types.ts";
export type { AwsCallPath } from "./types.ts";
export { AwsFront } from "./aws-front.ts";
export { awsEndpointVariables, awsServiceHost } from "./aws-services.ts";
export { snapshotFromEc2 } from "../snapshot/from-ec2.ts";
export { NODE_PRELOAD, PYTHON_SHIM_DIR, decisionUrl, type ShimEnvironment } from "./shim-env.ts";

export interface NetworkModuleDeps {
  store: Store;
  clock: Clock;
  config: Config;
  logger: Logger;
  ec2: Ec2Internal;
  /** Hyperplane's connection accounting (acquire/release per combination). */
  connections?: ConnectionAccounting;
  /** A function's network source (VPC attachment), for the reachability route. */
  functionSource?: FunctionSourceLookup;
  settings?: Partial<NetworkSettings>;
  /** Endpoints or internet mappings changed (kernel mode re-applies). */
  onRegistryChange?: () => void;
}

export interface NetworkModule {
  registerAdminRoutes(admin: AdminRoutes): void;
  /** The only admin routes of the function listener: the shim's decision API. */
  registerFunctionRoutes(admin: AdminRoutes): void;
  environments: EnvironmentRegistry;
  /** EC2 state changed: the next decision recompiles (call from the gateway's onChange). */
  invalidate(): void;
  /** Answer a decision request as the HTTP route does (for tests and in-process callers); AWS calls answer in a promise. */
  decide(token: string | undefined, op: DecisionOp, body: unknown): AdminResponse | Promise<AdminResponse>;
  /** Where allowed AWS calls of function code arrive, and the path each connection took. */
  awsFront: AwsFront;
  /** The compiled view of an account and region (for tests and tools). */
  view(account: string, region: string): CompiledView;
  /** Mutable: dropAfterMs applies to the next decision. */
  settings: NetworkSettings;
  /**
   * The shim's preload and variables for an execution environment of this source, with a token
   * registered for it (one per function, version and network source; for Lambda's networkEnv hook).
   */
  shimEnvironment(source: NetSource & { version?: string }, serverUrl: string, denyPorts?: number[]): ShimEnvironment;
  /** After POST /_hyperlocal/reset: forget compiled snapshots and every environment's connections. */
  onReset(): void;
  /** Kernel mode: the snapshot (with placed endpoint addresses) and the TCP and UDP listeners of an account and region. */
  kernelInputs(account: string, region: string): { snapshot: NetSnapshot; endpoints: KernelEndpoint[] };
  /** Kernel mode: every internet mapping (TCP and UDP), and the AWS service addresses of these regions (AWS calls). */
  kernelInternet(regions?: string[]): KernelInternet[];
  /** Kernel mode: the path of an AWS call that arrived at "aws:<where>" (an endpoint interface, or "internet") from sourceIp. */
  kernelAwsPath(where: string, sourceIp: string, scopes: { account: string; region: string }[]): AwsCallPath | undefined;
  /** A name as code of that source resolves it (kernel mode's resolvers ask this; the shim asks /lookup). */
  resolve(source: NetSource, name: string): Resolution;
}

export function createNetworkModule(deps: NetworkModuleDeps): NetworkModule {
  const settings: NetworkSettings = { dropAfterMs: deps.settings?.dropAfterMs ?? DEFAULT_DROP_AFTER_MS };
  let cache: SnapshotCache | undefined = undefined;
  const registry = new NetworkRegistry(deps.store, () => {
    cache?.invalidate();
    deps.onRegistryChange?.();
  });
  cache = new SnapshotCache({
    stateFor: (account, region) => deps.ec2.vpcState(account, region),
    extrasFor: (account, region) => ({ endpoints: placedAddresses(registry.endpointsIn(account, region)) }),
  });
  const snapshots = cache;
  const indexes = new WeakMap<CompiledView, ListenerIndex>();
  const context = (account: string, region: string): NetContext => {
    const view = snapshots.get(account, region);
    let listeners = indexes.get(view);
    if (!listeners) {
      listeners = buildListenerIndex(view, registry.endpointsIn(account, region), (a, r) => registry.endpointsIn(a, r));
      indexes.set(view, listeners);
    }
    // The policy is read at decision time: ModifyVpcEndpoint applies to the next connection.
    return { view, listeners, endpointPolicy: (id) => deps.ec2.describeVpcEndpoint(account, region, id)?.policyDocument };
  };
  const environments = new EnvironmentRegistry(deps.connections, deps.logger);
  const shims = new ShimEnvironments(environments);
  const awsFront = new AwsFront(deps.logger);
  environments.onUnregister = (token) => awsFront.forget(token);
  const decisionDeps: DecisionDeps = { environments, registry, context, dropAfterMs: () => settings.dropAfterMs, logger: deps.logger, front: awsFront };

  return {
    environments,
    awsFront,
    settings,
    invalidate: () => snapshots.invalidate(),
    view: (account, region) => context(account, region).view,
    decide: (token, op, body) => decideWith(decisionDeps, token, op, body),
    shimEnvironment: (source, serverUrl, denyPorts) => shims.environmentFor(source, serverUrl, denyPorts),
    kernelInputs(account, region) {
      const { view, listeners } = context(account, region);
      const primary = new Map(view.snapshot.networkInterfaces.map((e) => [e.networkInterfaceId, e.privateIps[0]]));
      const endpoints: KernelEndpoint[] = [];
      for (const l of listeners.byKey.values()) {
        const ip = l.ip ?? primary.get(l.networkInterfaceId);
        if (ip) endpoints.push({ ip, port: l.port, target: formatHostPort(l.target.host, l.target.port), protocol: l.protocol });
      }
      // AWS calls to interface endpoints' interfaces: delivered by hyperlocal (relays with the caller's address).
      for (const e of view.snapshot.vpcEndpoints ?? []) {
        if (e.type !== "Interface" || e.state !== "available" || !isServed(e.service)) continue;
        for (const eniId of e.networkInterfaceIds) {
          const ip = primary.get(eniId);
          if (ip) for (const port of AWS_SERVICE_PORTS) endpoints.push({ ip, port, target: `${AWS_TARGET_PREFIX}${eniId}`, protocol: "tcp" });
        }
      }
      endpoints.push(...kernelGatewayListeners(view.snapshot));
      return { snapshot: view.snapshot, endpoints };
    },
    kernelAwsPath(where, sourceIp, scopes) {
      return kernelAwsPath(where, sourceIp, scopes.map((s) => ({ ...s, view: context(s.account, s.region).view })), (account, region, id) => deps.ec2.describeVpcEndpoint(account, region, id)?.policyDocument);
    },
    resolve(source, name) {
      const ctx = context(source.account, source.region);
      return resolveName(source, name, 0, { ...ctx, registry });
    },
    kernelInternet(regions = []) {
      const out: KernelInternet[] = kernelAwsAddresses(regions);
      for (const r of registry.internet()) {
        const t = parseLoopbackTarget(r.target);
        if (t.ok) out.push({ ip: r.address, port: r.port, target: formatHostPort(t.value.host, t.value.port), protocol: r.protocol });
      }
      return out;
    },
    onReset() {
      shims.clear();
      environments.clear();
      awsFront.clear();
      snapshots.clear();
    },
    registerFunctionRoutes(admin) {
      registerDecisionRoutes(admin, decisionDeps);
    },
    registerAdminRoutes(admin) {
      registerEndpointRoutes(admin, {
        registry,
        defaultAccount: deps.config.account,
        defaultRegion: deps.config.region,
        now: () => deps.clock.now(),
        ec2State: (account, region) => deps.ec2.vpcState(account, region),
        context,
      });
      registerDecisionRoutes(admin, decisionDeps);
      registerReachabilityRoute(admin, {
        registry,
        defaultAccount: deps.config.account,
        defaultRegion: deps.config.region,
        functionSource: deps.functionSource,
        context,
        dropAfterMs: () => settings.dropAfterMs,
      });
    },
  };
}
