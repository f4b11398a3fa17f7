// The decision API the function-side shim asks before every connection (protocol:
// src/network/shim/README.md): POST /_hyperlocal/network/{connect,close,lookup}, the caller named by
// the `x-hyperlocal-net-token` header. An unknown token is refused: the shim fails closed.
import { randomBytes } from "node:crypto";
import type { Logger } from "../../core/logger.ts";
import type { AdminResponse, AdminRoutes } from "../../core/admin.ts";
import type { NetProtocol, NetworkRegistry } from "./registry.ts";
import { plan, type Plan, type PlanContext } from "./plan.ts";
import { resolveName, type ResolvedAddress } from "./resolver.ts";
import type { ConnectionAccounting, Decision, NetSource } from "./types.ts";
import type { ListenerIndex } from "./listeners.ts";
import type { CompiledView } from "../snapshot/cache.ts";
import type { AwsFront } from "./aws-front.ts";
import type { NetContext } from "./plan.ts";

export const TOKEN_HEADER = "x-hyperlocal-net-token";

interface OpenConnection {
  token: string;
  account: string;
  region: string;
  comboKey?: string;
  eniId?: string;
}

/**
 * The execution environments that may ask, by token, and the connections they hold. Lambda's
 * runtime registers a token when it starts an environment of a function and unregisters it when
 * the environment's processes end; unregistering releases every connection the environment still
 * held (a Node process that exits sends no /close).
 */
export class EnvironmentRegistry {
  private readonly sources = new Map<string, NetSource>();
  private readonly connections = new Map<string, OpenConnection>();
  private readonly byToken = new Map<string, Set<string>>();
  /** Connection ids: a random prefix per server run (a /close from before a restart matches nothing) and a counter. */
  private readonly idPrefix = `c-${randomBytes(4).toString("hex")}-`;
  private counter = 0;

  constructor(
    private readonly accounting?: ConnectionAccounting,
    private readonly logger?: Logger,
  ) {}

  register(token: string, source: NetSource): void {
    if (!token) throw new Error("an execution environment token must not be empty");
    this.sources.set(token, source);
  }

  /** Called when an environment's token goes (its AWS call listeners close with it). */
  onUnregister: ((token: string) => void) | undefined;

  unregister(token: string): void {
    this.onUnregister?.(token);
    for (const id of [...(this.byToken.get(token) ?? [])]) this.close(id);
    this.byToken.delete(token);
    this.sources.delete(token);
  }

  get(token: string | undefined): NetSource | undefined {
    return token ? this.sources.get(token) : undefined;
  }

  /** Open connections (for tests and the console). */
  openConnections(token?: string): number {
    return token === undefined ? this.connections.size : (this.byToken.get(token)?.size ?? 0);
  }

  /** Count a connection the shim is about to open; Hyperplane accounting for VPC sources. Throws when Hyperplane refuses. */
  open(token: string, source: NetSource): string {
    let eniId: string | undefined;
    if (source.vpc && this.accounting) eniId = this.accounting.acquire(source.account, source.region, source.vpc.comboKey);
    const id = `${this.idPrefix}${(++this.counter).toString(36)}`;
    this.connections.set(id, { token, account: source.account, region: source.region, comboKey: source.vpc?.comboKey, eniId });
    let set = this.byToken.get(token);
    if (!set) this.byToken.set(token, (set = new Set()));
    set.add(id);
    return id;
  }

  /** Close a connection of this environment's (another environment's ids are not its to close). */
  closeOwn(token: string, connectionId: string): boolean {
    return this.connections.get(connectionId)?.token === token && this.close(connectionId);
  }

  close(connectionId: string): boolean {
    const c = this.connections.get(connectionId);
    if (!c) return false;
    this.connections.delete(connectionId);
    this.byToken.get(c.token)?.delete(connectionId);
    if (c.comboKey !== undefined && c.eniId !== undefined && this.accounting) {
      try {
        this.accounting.release(c.account, c.region, c.comboKey, c.eniId);
      } catch (e) {
        this.logger?.warn(`network: releasing connection ${connectionId} failed: ${(e as Error).message}`);
      }
    }
    return true;
  }

  /** Drop everything (POST /_hyperlocal/reset): environments are gone with the state. */
  clear(): void {
    for (const token of [...this.sources.keys()]) this.unregister(token);
    for (const id of [...this.connections.keys()]) this.close(id);
  }
}

export type DecisionOp = "connect" | "close" | "lookup";

export interface DecisionDeps {
  environments: EnvironmentRegistry;
  registry: NetworkRegistry;
  /** The compiled view and listener index of an account and region. */
  context(account: string, region: string): NetContext;
  dropAfterMs(): number;
  logger?: Logger;
  /** Delivers allowed AWS calls to hyperlocal's own listener along their path (unset: they are refused). */
  front?: AwsFront;
}

const bad = (message: string): AdminResponse => ({ status: 400, body: { error: message } });

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * Answer one decision request. Never throws: every failure is a refusal (fail closed). A call to an
 * AWS service answers once its path's listener is open (a promise); everything else at once.
 */
export function decide(deps: DecisionDeps, token: string | undefined, op: DecisionOp, body: unknown): AdminResponse | Promise<AdminResponse> {
  const failed = (e: unknown): AdminResponse => {
    deps.logger?.error(`network decision ${op} failed: ${(e as Error)?.stack ?? e}`);
    return { status: 200, body: op === "lookup" ? { error: "EAI_AGAIN", reason: "hyperlocal failed to answer (fail closed)" } : { action: "refuse", reason: "hyperlocal failed to decide (fail closed)" } };
  };
  try {
    const out = decideUnsafe(deps, token, op, body);
    return out instanceof Promise ? out.catch(failed) : out;
  } catch (e) {
    return failed(e);
  }
}

function decideUnsafe(deps: DecisionDeps, token: string | undefined, op: DecisionOp, body: unknown): AdminResponse | Promise<AdminResponse> {
  if (!isObject(body)) return bad("the body must be a JSON object");
  const source = deps.environments.get(token);
  if (op === "close") {
    const id = body.connectionId;
    if (typeof id !== "string" && typeof id !== "number") return bad("connectionId must be a string");
    return { status: 200, body: { closed: source !== undefined && deps.environments.closeOwn(token!, String(id)) } };
  }
  if (!source) {
    const reason = token ? "this execution environment is not registered with hyperlocal (unknown network token); refused (fail closed)" : `no ${TOKEN_HEADER} header; refused (fail closed)`;
    return { status: 200, body: op === "lookup" ? { error: "ENOTFOUND", reason } : { action: "refuse", reason } };
  }
  const ctx = deps.context(source.account, source.region);

  if (op === "lookup") {
    const name = body.name;
    const family = body.family ?? 0;
    if (typeof name !== "string" || name.length === 0 || name.length > 255) return bad("name must be a non-empty string");
    if (family !== 0 && family !== 4 && family !== 6) return bad("family must be 0, 4 or 6");
    const r = resolveName(source, name, family, { ...ctx, registry: deps.registry });
    return { status: 200, body: "error" in r ? r : { addresses: r.addresses satisfies ResolvedAddress[] } };
  }

  const host = body.host;
  const port = body.port;
  const protocol = body.protocol ?? "tcp";
  if (typeof host !== "string" || host.length === 0 || host.length > 255) return bad("host must be a non-empty string");
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) return bad("port must be an integer from 0 to 65535");
  if (protocol !== "tcp" && protocol !== "udp") return bad('protocol must be "tcp" or "udp"');
  const planCtx: PlanContext = { ...ctx, registry: deps.registry, dropAfterMs: deps.dropAfterMs() };
  const p: Plan = plan(source, host, port, protocol as NetProtocol, planCtx);
  if (p.aws) return connectToAws(deps, token!, source, host, p);
  let decision: Decision = p.decision;
  if (decision.action === "connect") {
    try {
      const connectionId = deps.environments.open(token!, source);
      decision = { ...decision, connectionId };
      if (p.ip && p.ip !== host) decision.address = p.ip;
    } catch (e) {
      // Hyperplane could not carry one more connection (ENI not ready, quota): refuse at once.
      decision = { action: "refuse", reason: `${(e as Error).message} (the function's network interface cannot take this connection)` };
    }
  }
  return { status: 200, body: decision };
}

/** An allowed AWS call: counted like any connection, then pointed at the listener that carries its path. */
async function connectToAws(deps: DecisionDeps, token: string, source: NetSource, host: string, p: Plan): Promise<AdminResponse> {
  if (!deps.front) return { status: 200, body: { action: "refuse", reason: "this server does not deliver AWS calls from function code (fail closed)" } };
  const port = await deps.front.portFor(token, p.aws!);
  let connectionId: string;
  try {
    connectionId = deps.environments.open(token, source);
  } catch (e) {
    return { status: 200, body: { action: "refuse", reason: `${(e as Error).message} (the function's network interface cannot take this connection)` } };
  }
  const decision: Decision = { action: "connect", host: "127.0.0.1", port, connectionId, ...(p.ip && p.ip !== host ? { address: p.ip } : {}) };
  return { status: 200, body: decision };
}

export function registerDecisionRoutes(admin: AdminRoutes, deps: DecisionDeps): void {
  for (const op of ["connect", "close", "lookup"] as const) {
    admin.add("POST", `network/${op}`, (req) => {
      const h = req.raw.headers[TOKEN_HEADER];
      const token = Array.isArray(h) ? h[0] : h;
      return decide(deps, token, op, req.body);
      // Function processes ask with their own network token, never the admin token.
    }, { ownCredential: true });
  }
}
