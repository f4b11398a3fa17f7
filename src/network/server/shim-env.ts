// What an execution environment needs to ask the decision API: the shim preloads and the
// variables they read (src/network/shim/README.md, "Environment"), with a token registered for
// the function's network source. A bridge for Lambda's per-invocation `networkEnv` hook: one
// token per (function, version, network source), registered on first use and kept (an older
// configuration may still be serving while an update is in progress).
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EnvironmentRegistry } from "./decisions.ts";
import type { NetSource } from "./types.ts";
import { awsEndpointVariables } from "./aws-services.ts";

const SHIM_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "shim");
export const NODE_PRELOAD = join(SHIM_DIR, "node-preload.child.cjs");
export const PYTHON_SHIM_DIR = SHIM_DIR;

export interface ShimEnvironment {
  token: string;
  /** HYPERLOCAL_NET_URL, HYPERLOCAL_NET_TOKEN, HYPERLOCAL_NET_DENY_PORTS, HYPERLOCAL_NET_NOTICE and PYTHONPATH (the runtime merges it with its own). */
  extraEnv: Record<string, string>;
  /** ["--require=<node preload>"] for NODE_OPTIONS. */
  nodeOptions: string[];
}

/** The decision API base on loopback: a server bound to 0.0.0.0 or :: is asked through 127.0.0.1 / [::1]. */
export function decisionUrl(serverUrl: string): string {
  const u = new URL(serverUrl);
  if (u.hostname === "0.0.0.0") u.hostname = "127.0.0.1";
  if (u.hostname === "[::]") u.hostname = "[::1]";
  return `${u.protocol}//${u.host}/_hyperlocal/network`;
}

export class ShimEnvironments {
  private readonly tokens = new Map<string, string>();
  /** Functions ("account|region|name") whose first environment already carries the blind-spot notice. */
  private readonly noticed = new Set<string>();
  /**
   * The answer once the notice was given, by key, server URL and ports: Lambda asks on every
   * invocation, and only a new environment reads it. Shared and never changed by its users.
   */
  private readonly answers = new Map<string, ShimEnvironment>();

  constructor(private readonly environments: EnvironmentRegistry) {}

  /**
   * serverUrl: where function code reaches hyperlocal (the function listener); denyPorts: loopback
   * ports the shim refuses (hyperlocal's main port, whose admin API function code must not reach).
   */
  environmentFor(source: NetSource & { version?: string }, serverUrl: string, denyPorts: number[] = []): ShimEnvironment {
    const key = [source.account, source.region, source.functionName, source.version ?? "$LATEST", source.vpc?.networkInterfaceId ?? "internet", source.vpc?.comboKey ?? "", source.vpc?.ipv6Allowed ? "v6" : "v4"].join("|");
    let token = this.tokens.get(key);
    const answerKey = `${key}\n${serverUrl}\n${denyPorts.join(",")}`;
    const known = this.answers.get(answerKey);
    if (known && known.token === token && this.environments.get(known.token)) return known;
    if (!token || !this.environments.get(token)) {
      token = `hlnet-${randomBytes(16).toString("hex")}`;
      this.tokens.set(key, token);
      const { version: _v, ...plain } = source;
      this.environments.register(token, plain);
    }
    const where = source.vpc ? `through ${source.vpc.networkInterfaceId}` : "outside any VPC";
    // The blind spots are printed once per function (in its first environment's log), not in every environment.
    const fnKey = `${source.account}|${source.region}|${source.functionName}`;
    const notice = !this.noticed.has(fnKey);
    this.noticed.add(fnKey);
    const answer: ShimEnvironment = {
      token,
      extraEnv: {
        HYPERLOCAL_NET_URL: decisionUrl(serverUrl),
        HYPERLOCAL_NET_TOKEN: token,
        ...(denyPorts.length > 0 ? { HYPERLOCAL_NET_DENY_PORTS: denyPorts.join(",") } : {}),
        ...(notice
          ? { HYPERLOCAL_NET_NOTICE: `hyperlocal: ${source.functionName} connects ${where}; VPC network rules are applied in this process (shim mode, advisory: native-code sockets and child processes other than Node.js and Python are not covered)` }
          : {}),
        // The shims set these AWS_ENDPOINT_URL_<SERVICE> variables in their process: SDK calls then go by
        // the services' regional names through the VPC. Outside a VPC, code without a shim keeps AWS_ENDPOINT_URL.
        HYPERLOCAL_AWS_ENDPOINTS: Object.entries(awsEndpointVariables(source.region))
          .map(([k, v]) => `${k}=${v}`)
          .join(" "),
        // In a VPC the shims also remove AWS_ENDPOINT_URL from their process: every SDK call then goes by a name the VPC decides.
        ...(source.vpc ? { HYPERLOCAL_AWS_NAMES_ONLY: "1" } : {}),
        PYTHONPATH: PYTHON_SHIM_DIR,
      },
      nodeOptions: [`--require=${NODE_PRELOAD}`],
    };
    if (!notice) this.answers.set(answerKey, answer);
    return answer;
  }

  clear(): void {
    this.tokens.clear();
    this.noticed.clear();
    this.answers.clear();
  }
}
