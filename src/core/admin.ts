// hyperlocal's admin API as modules see it: request and response shapes, where routes are added,
// and the small helpers every route uses. The router itself is the gateway's.
import type { IncomingMessage } from "node:http";

/** hyperlocal's own unsigned JSON API under /_hyperlocal/ (and /_localstack/ for existing tools). */
export interface AdminRequest {
  method: string;
  /** Path below the prefix, e.g. "clock/advance" */
  path: string;
  query: URLSearchParams;
  body: unknown;
  raw: IncomingMessage;
}

export interface AdminResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type AdminHandler = (req: AdminRequest, params: Record<string, string>) => AdminResponse | Promise<AdminResponse>;

export interface AdminRouteOptions {
  /**
   * The route checks a credential of its own (the shim's network token, a presigned code URL), so
   * it is answered without the admin token when the server is exposed.
   */
  ownCredential?: boolean;
}

/** Where a module adds its admin routes (the gateway's AdminRouter). */
export interface AdminRoutes {
  /** pattern like "endpoints/{id}"; `{rest+}` takes the rest of the path. */
  add(method: string, pattern: string, handler: AdminHandler, opts?: AdminRouteOptions): void;
}

export function adminError(status: number, message: string): AdminResponse {
  return { status, body: { error: message } };
}

const ACCOUNT = /^\d{12}$/;
/** us-east-1, eu-central-2, us-gov-west-1, cn-north-1 ... */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export function validAccount(v: string): boolean {
  return ACCOUNT.test(v);
}

export function validRegion(v: string): boolean {
  return REGION.test(v);
}

/**
 * ?account=…&region=… of an admin route, the server's own when absent. A malformed value is an
 * error (400), never a new state created under that name.
 */
export function adminScope(query: URLSearchParams, defaults: { account: string; region: string }): { account: string; region: string } | AdminResponse {
  const account = query.get("account") ?? defaults.account;
  const region = query.get("region") ?? defaults.region;
  if (account !== defaults.account && !validAccount(account)) return adminError(400, "account must be a 12-digit account id");
  if (region !== defaults.region && !validRegion(region)) return adminError(400, "region must be a region name such as us-east-1");
  return { account, region };
}

/** A whole-number query parameter from 0 (or 1) to max; absent: the default. */
export function adminCount(query: URLSearchParams, name: string, dflt: number, min: number, max: number): number | AdminResponse {
  const text = query.get(name);
  if (text === null) return dflt;
  const n = Number(text);
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) return adminError(400, `${name} must be a whole number from ${min} to ${max}`);
  return n;
}

export function isAdminResponse(v: unknown): v is AdminResponse {
  return typeof v === "object" && v !== null && "status" in v && "body" in v;
}
