// An in-process server like app.ts builds it (STS, IAM, EC2 and the admin API) plus the network
// module, for the network end-to-end tests: app.ts does not wire the module yet, and the tests need
// to inject the function lookup and the connection accounting. Listens on 127.0.0.1 only.
import { SimulatedClock } from "../../core/clock.ts";
import { createLogger } from "../../core/logger.ts";
import { defaultConfig, type Config } from "../../config.ts";
import { AdminRouter } from "../../gateway/admin-router.ts";
import { registerCoreAdminRoutes } from "../../gateway/admin-core.ts";
import { CredentialRegistry } from "../../gateway/credentials.ts";
import { Gateway } from "../../gateway/server.ts";
import type { ServiceDefinition } from "../../gateway/service-definition.ts";
import { createEc2Service, type Ec2Internal } from "../../services/ec2/index.ts";
import { createIamService } from "../../services/iam/index.ts";
import type { ServiceDeps } from "../../services/service-deps.ts";
import { bindQueryService } from "../../protocol/query/bind.ts";
import { createStsModel } from "../../services/sts/index.ts";
import { Store } from "../../store/store.ts";
import { createNetworkModule, type NetworkModule } from "./index.ts";
import type { ConnectionAccounting, NetSource } from "./types.ts";

export interface NetworkTestServer {
  url: string;
  config: Config;
  clock: SimulatedClock;
  store: Store;
  ec2: Ec2Internal;
  network: NetworkModule;
  /** What the reachability route finds for a function name (tests fill it). */
  functions: Map<string, NetSource>;
  /** acquire/release calls seen, as "acquire combo" / "release combo eni". */
  accounting: string[];
  close(): Promise<void>;
}

export async function startNetworkTestServer(overrides: Partial<Config> = {}, opts: { dropAfterMs?: number; connections?: ConnectionAccounting } = {}): Promise<NetworkTestServer> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const config = defaultConfig({ port: 0, host: "127.0.0.1", logLevel: "silent", ...overrides });
  const logger = createLogger(config.logLevel);
  const clock = new SimulatedClock();
  const store = await Store.open(config.stateDir);
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
  const ec2 = createEc2Service(deps);
  const services: ServiceDefinition[] = [bindQueryService(createStsModel(iam.stsOperations)), iamService, bindQueryService(ec2.model)];

  const functions = new Map<string, NetSource>();
  const accounting: string[] = [];
  let n = 0;
  const connections: ConnectionAccounting = opts.connections ?? {
    acquire: (_a, _r, key) => {
      accounting.push(`acquire ${key}`);
      return `eni-counted-${++n}`;
    },
    release: (_a, _r, key, eniId) => {
      accounting.push(`release ${key} ${eniId}`);
    },
  };
  const network = createNetworkModule({
    store,
    clock,
    config,
    logger,
    ec2: ec2.internal,
    connections,
    functionSource: (account, region, name) => {
      const s = functions.get(name);
      return s && s.account === account && s.region === region ? s : undefined;
    },
    settings: opts.dropAfterMs !== undefined ? { dropAfterMs: opts.dropAfterMs } : {},
  });

  const admin = new AdminRouter();
  iam.registerAdminRoutes(admin);
  network.registerAdminRoutes(admin);
  registerCoreAdminRoutes(admin, {
    version: "test",
    clock,
    services,
    startedAt: Date.now(),
    reset: async () => {
      store.reset();
      for (const s of services) await s.onReset?.();
      network.onReset();
    },
  });
  const gateway = new Gateway({
    services,
    credentials,
    authorizer: () => iam.authorizer,
    admin,
    clock,
    logger,
    onChange: () => {
      store.markDirty();
      network.invalidate();
    },
    ...(store.persistent ? { unitOfWork: <T>(work: () => Promise<T>, ok: (r: T) => boolean) => store.run(work, ok) } : {}),
  });
  const address = await gateway.listen(0, "127.0.0.1");
  return {
    url: `http://127.0.0.1:${address.port}`,
    config,
    clock,
    store,
    ec2: ec2.internal,
    network,
    functions,
    accounting,
    async close() {
      await gateway.close();
      for (const s of services) await s.onShutdown?.();
      clock.close();
      await store.close();
    },
  };
}

export interface Scenario {
  vpcId: string;
  publicSubnet: string;
  privateSubnet: string;
  dbSubnet: string;
  igw: string;
  privateRt: string;
  fnSg: string;
  dbSg: string;
  dbEni: string;
  lambdaEni: string;
  comboKey: string;
}

/**
 * A VPC 10.0.0.0/16 with a public subnet (10.0.0.0/24, routed to an internet gateway), a private
 * function subnet (10.0.3.0/24, local routes only) and a database subnet (10.0.1.0/24) holding
 * 10.0.1.25 behind a group that admits tcp/5432 from the function's group; plus a Lambda
 * Hyperplane ENI in the private subnet. Built through the SDK, the Hyperplane ENI through EC2's
 * internal API as Lambda does.
 */
export async function buildScenario(srv: NetworkTestServer): Promise<Scenario> {
  const E = await import("@aws-sdk/client-ec2");
  const ec2 = new E.EC2Client({ endpoint: srv.url, region: srv.config.region, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
  const vpcId = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnet = async (cidr: string) => (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr }))).Subnet!.SubnetId!;
  const publicSubnet = await subnet("10.0.0.0/24");
  const dbSubnet = await subnet("10.0.1.0/24");
  const privateSubnet = await subnet("10.0.3.0/24");
  const igw = (await ec2.send(new E.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const publicRt = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: publicRt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
  await ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: publicRt, SubnetId: publicSubnet }));
  const privateRt = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  await ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: privateRt, SubnetId: privateSubnet }));
  const fnSg = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "fn", Description: "function" }))).GroupId!;
  const dbSg = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "db", Description: "database" }))).GroupId!;
  await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: dbSg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: fnSg }] }] }));
  const dbEni = (await ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: dbSubnet, PrivateIpAddress: "10.0.1.25", Groups: [dbSg] }))).NetworkInterface!.NetworkInterfaceId!;
  ec2.destroy();
  const lambda = srv.ec2.createServiceManagedInterface(srv.config.account, srv.config.region, {
    subnetId: privateSubnet,
    groupIds: [fnSg],
    description: "AWS Lambda VPC ENI-fn",
    interfaceType: "lambda",
    requesterId: "AROAEXAMPLE:fn",
    instanceOwnerId: "amazon-aws",
  });
  return { vpcId, publicSubnet, privateSubnet, dbSubnet, igw, privateRt, fnSg, dbSg, dbEni, lambdaEni: lambda.networkInterfaceId, comboKey: `${privateSubnet}|${fnSg}|v4` };
}

/** JSON over HTTP to the admin API (loopback only: the test server listens on 127.0.0.1). */
export async function adminCall(srv: { url: string }, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${srv.url}/_hyperlocal/${path}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
}
