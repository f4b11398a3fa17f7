import type { LogLevel } from "./core/logger.ts";
import { parseOrigin } from "./gateway/browser-guard.ts";
import { defaultQuotas, isQuotaName, QUOTA_DEFAULTS, type Quotas } from "./quotas.ts";

/** Every setting in one schema: its flag, its environment variable, its default and its help. */
interface Setting<K extends string> {
  key: K;
  flag: string;
  env: string;
  /** list: comma-separated values */
  type: "string" | "number" | "boolean" | "list";
  default: string | number | boolean | readonly string[] | undefined;
  help: string;
  choices?: string[];
}

const SETTINGS = [
  { key: "port", flag: "--port", env: "HYPERLOCAL_PORT", type: "number", default: 4566, help: "TCP port to listen on (0 picks a free one)" },
  { key: "host", flag: "--host", env: "HYPERLOCAL_HOST", type: "string", default: "127.0.0.1", help: "address to listen on; anything but loopback lets other machines in (a warning is printed, and the admin API needs the admin token)" },
  { key: "adminToken", flag: "--admin-token", env: "HYPERLOCAL_ADMIN_TOKEN", type: "string", default: undefined, help: "token every admin API call must carry (header x-hyperlocal-admin-token or Authorization: Bearer); required when --host is not loopback, where one is generated and printed at start if not given" },
  { key: "corsOrigins", flag: "--cors-origins", env: "HYPERLOCAL_CORS_ORIGINS", type: "list", default: [], help: "comma-separated origins of web pages allowed to call the APIs from a browser (CORS), e.g. http://localhost:5173; pages of any other origin are refused" },
  { key: "allowedHosts", flag: "--allowed-hosts", env: "HYPERLOCAL_ALLOWED_HOSTS", type: "list", default: [], help: "comma-separated host names the server answers to besides localhost, IP addresses and --host (e.g. a Docker service name); other Host headers are refused (DNS rebinding)" },
  { key: "region", flag: "--region", env: "HYPERLOCAL_REGION", type: "string", default: "us-east-1", help: "default region" },
  { key: "account", flag: "--account", env: "HYPERLOCAL_ACCOUNT", type: "string", default: "000000000000", help: "account of the built-in root credentials" },
  { key: "accessKeyId", flag: "--access-key-id", env: "HYPERLOCAL_ACCESS_KEY_ID", type: "string", default: "test", help: "access key id of the account root" },
  { key: "secretAccessKey", flag: "--secret-access-key", env: "HYPERLOCAL_SECRET_ACCESS_KEY", type: "string", default: "test", help: "secret access key of the account root" },
  { key: "stateDir", flag: "--state-dir", env: "HYPERLOCAL_STATE_DIR", type: "string", default: undefined, help: "save state there and restore it on start (default: memory only)" },
  { key: "logLevel", flag: "--log-level", env: "HYPERLOCAL_LOG_LEVEL", type: "string", default: "info", help: "debug, info, warn, error or silent", choices: ["debug", "info", "warn", "error", "silent"] },
  { key: "accountKeys", flag: "--account-keys", env: "HYPERLOCAL_ACCOUNT_KEYS", type: "boolean", default: true, help: "a 12-digit access key id, signed with --secret-access-key, is the root of that account (cross-account tests); --no-account-keys or HYPERLOCAL_ACCOUNT_KEYS=off turns it off" },
  { key: "acceptAnyCredentials", flag: "--accept-any-credentials", env: "HYPERLOCAL_ACCEPT_ANY_CREDENTIALS", type: "boolean", default: false, help: "treat access keys nobody issued as the account root, unchecked (deactivated and deleted IAM keys stay refused)" },
  { key: "iam", flag: "--iam", env: "HYPERLOCAL_IAM", type: "string", default: "enforce", help: "IAM enforcement: enforce, soft (decide and log, allow) or off", choices: ["enforce", "soft", "off"] },
  { key: "noDefaultVpc", flag: "--no-default-vpc", env: "HYPERLOCAL_NO_DEFAULT_VPC", type: "boolean", default: false, help: "do not create a default VPC in each account and region" },
  { key: "concurrencyLimit", flag: "--concurrency-limit", env: "HYPERLOCAL_CONCURRENCY_LIMIT", type: "number", default: 1000, help: "Lambda account concurrency limit" },
  { key: "network", flag: "--network", env: "HYPERLOCAL_NETWORK", type: "string", default: "shim", help: "network rules for function code: shim (userspace, any OS), kernel (Linux: each execution environment runs inside its ENI's network namespace; needs unprivileged user namespaces, nsenter, ip, nft; falls back to shim when unavailable), or off (no VPC rules, no internet mapping)", choices: ["shim", "kernel", "off"] },
  { key: "dropAfterMs", flag: "--drop-after-ms", env: "HYPERLOCAL_DROP_AFTER_MS", type: "number", default: 3000, help: "how long a connection dropped by a security group or ACL takes to time out in function code" },
  { key: "realisticTiming", flag: "--realistic-timing", env: "HYPERLOCAL_REALISTIC_TIMING", type: "boolean", default: false, help: "take AWS's times (minutes) for ENIs and state changes" },
  { key: "eniCreateMs", flag: "--eni-create-ms", env: "HYPERLOCAL_ENI_CREATE_MS", type: "number", default: undefined, help: "clock time to create a Hyperplane ENI (default 2000, 90000 with --realistic-timing)" },
  { key: "eniReleaseMs", flag: "--eni-release-ms", env: "HYPERLOCAL_ENI_RELEASE_MS", type: "number", default: undefined, help: "clock time before an unused Hyperplane ENI is deleted (default 1200000: 20 minutes)" },
  { key: "eniConnections", flag: "--eni-connections", env: "HYPERLOCAL_ENI_CONNECTIONS", type: "number", default: 65000, help: "concurrent connections one Hyperplane ENI carries before Lambda adds another" },
  { key: "enisPerVpc", flag: "--enis-per-vpc", env: "HYPERLOCAL_ENIS_PER_VPC", type: "number", default: 250, help: "quota of Lambda Hyperplane ENIs per VPC" },
  { key: "lambdaIdleDays", flag: "--lambda-idle-days", env: "HYPERLOCAL_LAMBDA_IDLE_DAYS", type: "number", default: 30, help: "days without an invocation before a VPC function goes Inactive and its ENIs are reclaimed" },
] as const satisfies readonly Setting<string>[];

type SettingKey = (typeof SETTINGS)[number]["key"];

export interface Config {
  port: number;
  host: string;
  adminToken: string | undefined;
  corsOrigins: string[];
  allowedHosts: string[];
  region: string;
  account: string;
  accessKeyId: string;
  secretAccessKey: string;
  stateDir: string | undefined;
  logLevel: LogLevel;
  accountKeys: boolean;
  acceptAnyCredentials: boolean;
  iam: "enforce" | "soft" | "off";
  noDefaultVpc: boolean;
  concurrencyLimit: number;
  realisticTiming: boolean;
  network: "shim" | "kernel" | "off";
  dropAfterMs: number;
  eniCreateMs: number | undefined;
  eniReleaseMs: number | undefined;
  eniConnections: number;
  enisPerVpc: number;
  lambdaIdleDays: number;
  /** AWS's default quotas, each settable with --quota NAME=N (see src/quotas.ts). */
  quotas: Quotas;
}

export class ConfigError extends Error {}

export function defaultConfig(overrides: Partial<Config> = {}): Config {
  const c: Record<string, unknown> = {};
  for (const s of SETTINGS) c[s.key] = Array.isArray(s.default) ? [...s.default] : s.default;
  c.quotas = defaultQuotas();
  return { ...(c as unknown as Config), ...overrides };
}

/** Flags win over environment variables, which win over defaults. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const c: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const e = env[s.env];
    c[s.key] = e !== undefined && e !== "" ? coerce(s, e, s.env) : Array.isArray(s.default) ? [...s.default] : s.default;
  }
  const quotas = defaultQuotas();
  c.quotas = quotas;
  const quotaEnv = env.HYPERLOCAL_QUOTAS;
  if (quotaEnv) for (const item of quotaEnv.split(",").filter((x) => x.trim())) setQuota(quotas, item.trim(), "HYPERLOCAL_QUOTAS");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (flag === "--quota") {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new ConfigError("--quota needs NAME=N");
      setQuota(quotas, v, "--quota");
      continue;
    }
    const s = SETTINGS.find((x) => x.flag === flag);
    // --no-X turns off a boolean setting that is on by default (--no-account-keys).
    const negated = s ? undefined : SETTINGS.find((x) => x.type === "boolean" && x.default === true && `--no-${x.flag.slice(2)}` === flag);
    if (negated && inline === undefined) {
      c[negated.key] = false;
      continue;
    }
    if (!s) throw new ConfigError(`unknown option: ${arg}`);
    if (s.type === "boolean") {
      c[s.key] = inline === undefined ? true : coerce(s, inline, flag);
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new ConfigError(`${flag} needs a value`);
    c[s.key] = coerce(s, v, flag);
  }
  // --concurrency-limit and the quota name are one setting: the quota wins when given.
  if (quotas["lambda.concurrent-executions"] !== QUOTA_DEFAULTS["lambda.concurrent-executions"]) c.concurrencyLimit = quotas["lambda.concurrent-executions"];
  else quotas["lambda.concurrent-executions"] = c.concurrencyLimit as number;
  return c as unknown as Config;
}

/** "ec2.vpcs=20" into the quotas. */
function setQuota(quotas: Quotas, item: string, where: string): void {
  const eq = item.indexOf("=");
  const name = eq < 0 ? item : item.slice(0, eq);
  if (!isQuotaName(name)) throw new ConfigError(`${where}: unknown quota '${name}'; known: ${Object.keys(QUOTA_DEFAULTS).join(", ")}`);
  const n = Number(item.slice(eq + 1));
  if (eq < 0 || !Number.isInteger(n) || n < 0) throw new ConfigError(`${where}: expected ${name}=<whole number>, got '${item}'`);
  quotas[name] = n;
}

function coerce(s: Setting<string>, v: string, where: string): string | number | boolean | string[] {
  if (s.type === "list") return coerceList(s.key, v, where);
  if (s.type === "number") {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${where}: expected a whole number, got '${v}'`);
    return n;
  }
  if (s.type === "boolean") {
    if (["1", "true", "yes", "on"].includes(v.toLowerCase())) return true;
    if (["0", "false", "no", "off"].includes(v.toLowerCase())) return false;
    throw new ConfigError(`${where}: expected true or false, got '${v}'`);
  }
  if (s.choices && !s.choices.includes(v)) throw new ConfigError(`${where}: expected one of ${s.choices.join(", ")}, got '${v}'`);
  if (s.key === "account" && !/^\d{12}$/.test(v)) throw new ConfigError(`${where}: an account id has 12 digits, got '${v}'`);
  if (s.key === "adminToken" && (v.trim() !== v || v.length < 16 || /[^\x21-\x7e]/.test(v))) {
    throw new ConfigError(`${where}: an admin token has at least 16 printable characters and no spaces`);
  }
  return v;
}

function coerceList(key: string, v: string, where: string): string[] {
  const items = v.split(",").map((x) => x.trim()).filter(Boolean);
  if (key === "corsOrigins") {
    return items.map((o) => {
      const origin = parseOrigin(o);
      if (!origin) throw new ConfigError(`${where}: '${o}' is not an origin like http://localhost:5173 (scheme, host and port only; '*' and 'null' are not allowed)`);
      return origin;
    });
  }
  for (const h of items) {
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(h)) throw new ConfigError(`${where}: '${h}' is not a host name`);
  }
  return items.map((h) => h.toLowerCase());
}

export function configHelp(): string {
  const rows = SETTINGS.map((s) => {
    const flag = s.type === "boolean" ? (s.default === true ? `--[no-]${s.flag.slice(2)}` : s.flag) : `${s.flag} <${s.type === "number" ? "n" : s.type === "list" ? "a,b" : "value"}>`;
    const def = s.default === undefined || (Array.isArray(s.default) && s.default.length === 0) ? "" : ` (default: ${s.default})`;
    return `  ${flag.padEnd(30)} ${s.help}${def}\n  ${"".padEnd(30)} env: ${s.env}`;
  });
  const quotas = Object.entries(QUOTA_DEFAULTS).map(([k, v]) => `  ${`--quota ${k}=N`.padEnd(46)} default: ${v}`);
  return `${rows.join("\n")}\n  (repeatable; env HYPERLOCAL_QUOTAS="name=n,name=n")\n${quotas.join("\n")}`;
}

export type { SettingKey };
