// What a web page could make a browser send to hyperlocal, refused before anything is read or run
// (docs/security.md, "Web pages and DNS rebinding"):
//  - a Host header naming something other than this server: a DNS-rebinding page reaches
//    127.0.0.1 under its own name (Host: attacker.example:4566), so only loopback names, IP literals,
//    the configured --host and --allowed-hosts are answered;
//  - an Origin other than the server's own or one in --cors-origins (forms and no-cors fetches
//    carry one on every POST; `Origin: null` is refused too);
//  - a cross-site request without an Origin (a GET from <img>, a link or a form GET), seen through
//    the browser's Sec-Fetch-Site header.
// Allowed origins get CORS answers: preflights and the CORS headers on every response.
// The request path pays a Map lookup for Host and nothing more for a request without Origin.
import { isIP } from "node:net";
import type { IncomingHttpHeaders } from "node:http";

export interface BrowserGuardOptions {
  /** The address the server listens on (--host). */
  listenHost: string;
  /** Page origins allowed to call the APIs through CORS (--cors-origins). */
  corsOrigins?: readonly string[];
  /** More Host names the server answers to (--allowed-hosts), e.g. a Docker service name. */
  allowedHosts?: readonly string[];
  /** More names, by rule (the function listener: AWS's service names, which only hyperlocal's network delivers there). */
  allowedHostRule?: (name: string) => boolean;
}

/** Headers the AWS SDKs send from a browser, granted to allowed origins in preflights. */
export const CORS_ALLOW_HEADERS = [
  "authorization",
  "content-type",
  "x-amz-date",
  "x-amz-security-token",
  "x-amz-content-sha256",
  "x-amz-user-agent",
  "x-amz-target",
  "x-amz-invocation-type",
  "x-amz-log-type",
  "x-amz-client-context",
  "x-amz-checksum-crc32",
  "x-amz-sdk-checksum-algorithm",
  "amz-sdk-invocation-id",
  "amz-sdk-request",
  "x-hyperlocal-admin-token",
].join(", ");

/** Response headers the SDKs read, exposed to allowed origins. */
export const CORS_EXPOSE_HEADERS = [
  "x-amzn-RequestId",
  "x-amzn-ErrorType",
  "x-amzn-Remapped-Content-Length",
  "x-amz-request-id",
  "x-amz-id-2",
  "x-amz-function-error",
  "x-amz-log-result",
  "x-amz-executed-version",
  "x-amzn-Trace-Id",
  "ETag",
  "Date",
].join(", ");

const CORS_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE";
/** Chromium caps a preflight's cache at 2 hours. */
const CORS_MAX_AGE = "7200";
const HOST_CACHE_LIMIT = 256;
/** A header name as RFC 9110 allows it (tchar), for echoing requested headers. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

export type GuardVerdict = { ok: true; cors?: string } | { ok: false; reason: string };

export class BrowserGuard {
  private readonly names = new Set<string>(["localhost"]);
  private readonly origins: ReadonlySet<string>;
  /** Host header → answered or not: clients send one or two distinct values, so this stays tiny. */
  private readonly hostCache = new Map<string, boolean>();

  private readonly hostRule: ((name: string) => boolean) | undefined;

  constructor(opts: BrowserGuardOptions) {
    this.hostRule = opts.allowedHostRule;
    const listen = opts.listenHost.toLowerCase().replace(/^\[(.*)\]$/, "$1");
    if (listen && !isIP(listen)) this.names.add(listen);
    for (const h of opts.allowedHosts ?? []) this.names.add(h.toLowerCase());
    this.origins = new Set((opts.corsOrigins ?? []).map((o) => o.toLowerCase()));
  }

  /** Whether a Host header names this server. */
  hostAllowed(host: string | undefined): boolean {
    // HTTP/1.0 clients may leave Host out; browsers always send it.
    if (host === undefined) return true;
    let ok = this.hostCache.get(host);
    if (ok === undefined) {
      ok = this.judgeHost(host);
      if (this.hostCache.size >= HOST_CACHE_LIMIT) this.hostCache.clear();
      this.hostCache.set(host, ok);
    }
    return ok;
  }

  /**
   * Origin and Sec-Fetch-Site: whether a page of another origin sent this. `cors` is the origin to
   * grant in the response (an allowed origin), absent for same-origin and non-browser callers.
   */
  checkOrigin(headers: IncomingHttpHeaders): GuardVerdict {
    const origin = headers.origin;
    if (origin === undefined) {
      // A cross-site GET (img, link, form GET) carries no Origin, only Sec-Fetch-Site.
      const site = headers["sec-fetch-site"];
      if (site === undefined || site === "same-origin" || site === "none") return { ok: true };
      return { ok: false, reason: `a ${site} request from a web page without an Origin header is refused` };
    }
    const o = origin.toLowerCase();
    if (this.origins.has(o)) return { ok: true, cors: origin };
    if (headers.host !== undefined && o === `http://${headers.host.toLowerCase()}`) return { ok: true };
    return { ok: false, reason: `requests from the web page origin ${printable(origin)} are refused; a page may call hyperlocal from its own origin, or from an origin named in --cors-origins` };
  }

  /** Whether this is a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method). */
  isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
    return method === "OPTIONS" && headers.origin !== undefined && headers["access-control-request-method"] !== undefined;
  }

  /** The preflight's answer headers for an allowed origin; undefined (no grant) for any other. */
  preflight(headers: IncomingHttpHeaders): Record<string, string> | undefined {
    const origin = headers.origin!;
    if (!this.origins.has(origin.toLowerCase())) return undefined;
    // The origin is trusted: grant what it asks for beyond the SDK's usual headers too (valid names only).
    const asked = String(headers["access-control-request-headers"] ?? "")
      .toLowerCase()
      .split(",")
      .map((h) => h.trim())
      .filter((h) => h && HEADER_NAME.test(h) && !CORS_ALLOW_HEADERS.includes(h));
    return {
      // Chromium asks before a public page reaches a local address (Private Network Access).
      ...(headers["access-control-request-private-network"] === "true" ? { "access-control-allow-private-network": "true" } : {}),
      "access-control-allow-origin": origin,
      "access-control-allow-methods": CORS_METHODS,
      "access-control-allow-headers": asked.length ? `${CORS_ALLOW_HEADERS}, ${asked.join(", ")}` : CORS_ALLOW_HEADERS,
      "access-control-expose-headers": CORS_EXPOSE_HEADERS,
      "access-control-max-age": CORS_MAX_AGE,
      vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    };
  }

  private judgeHost(host: string): boolean {
    let name: string;
    let port = "";
    if (host.startsWith("[")) {
      const close = host.indexOf("]");
      if (close < 0) return false;
      name = host.slice(1, close);
      if (close + 1 < host.length) {
        if (host[close + 1] !== ":") return false;
        port = host.slice(close + 2);
      }
      if (isIP(name) !== 6) return false;
    } else {
      const colon = host.indexOf(":");
      name = colon < 0 ? host : host.slice(0, colon);
      if (colon >= 0) port = host.slice(colon + 1);
    }
    if (port !== "" && !/^\d{1,5}$/.test(port)) return false;
    name = name.toLowerCase();
    if (name.endsWith(".")) name = name.slice(0, -1);
    // Rebinding needs a name the attacker's DNS answers: an IP literal cannot be rebound, and
    // .localhost names never leave the machine (RFC 6761).
    return this.names.has(name) || name.endsWith(".localhost") || isIP(name) !== 0 || this.hostRule?.(name) === true;
  }
}

/** CORS headers for an actual response to an allowed origin. */
export function corsResponseHeaders(origin: string): Record<string, string> {
  return { "access-control-allow-origin": origin, "access-control-expose-headers": CORS_EXPOSE_HEADERS, vary: "Origin" };
}

/** An origin as given on the command line: scheme://host[:port], nothing else. */
export function parseOrigin(text: string): string | undefined {
  const t = text.trim();
  if (t === "*" || t === "null") return undefined;
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    return undefined;
  }
  if ((u.protocol !== "http:" && u.protocol !== "https:") || u.username || u.password || u.search || u.hash || (u.pathname !== "/" && u.pathname !== "")) return undefined;
  if (t.replace(/\/$/, "").toLowerCase() !== u.origin.toLowerCase()) return undefined;
  return u.origin;
}

/** A header value quoted for an error message: short, printable. */
export function printable(v: string): string {
  const s = v.length > 100 ? `${v.slice(0, 100)}...` : v;
  return `'${s.replace(/[^\x20-\x7e]/g, "?")}'`;
}
