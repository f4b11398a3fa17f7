// Where hyperlocal may send a connection: only to this machine's loopback (network safety, a hard
// rule of DESIGN.md). Every endpoint, internet mapping and tag target goes through parseLoopbackTarget.
import { isIP } from "node:net";
import { parseIp } from "../../net-addr/ip.ts";

export interface LoopbackTarget {
  /** An IP literal on loopback: 127.0.0.0/8 or ::1 (no brackets). */
  host: string;
  port: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** "127.0.0.1:54321" or "[::1]:8443"; anything that is not a loopback address and a port is refused. */
export function parseLoopbackTarget(text: unknown): Parsed<LoopbackTarget> {
  if (typeof text !== "string" || text.length === 0 || text.length > 64) return { ok: false, error: 'target must be "HOST:PORT" on loopback, e.g. "127.0.0.1:54321" or "[::1]:54321"' };
  const hp = splitHostPort(text);
  if (!hp) return { ok: false, error: `target "${text}" is not HOST:PORT (IPv6 in brackets: "[::1]:54321")` };
  if (!isLoopbackIp(hp.host)) {
    return { ok: false, error: `target "${text}" is not on loopback: hyperlocal only connects to this machine (127.0.0.0/8 or [::1]), never elsewhere` };
  }
  if (!validPort(hp.port)) return { ok: false, error: `target "${text}" has no valid port (1-65535)` };
  return { ok: true, value: { host: hp.host, port: hp.port } };
}

/** 127.0.0.0/8 or ::1, as an IP literal (names, even "localhost", are refused: they resolve elsewhere). */
export function isLoopbackIp(host: string): boolean {
  const fam = isIP(host);
  if (fam === 4) return host.startsWith("127.");
  if (fam !== 6) return false;
  // ::1 in any spelling; not IPv4-mapped forms (parseIp folds those to IPv4).
  const a = parseIp(host);
  return a !== undefined && a.fam === 6 && a.w0 === 0 && a.w1 === 0 && a.w2 === 0 && a.w3 === 1;
}

export function validPort(p: unknown): p is number {
  return typeof p === "number" && Number.isInteger(p) && p >= 1 && p <= 65535;
}

/** "host:port", "[v6]:port"; the port must be digits. */
export function splitHostPort(text: string): { host: string; port: number } | undefined {
  let host: string;
  let portText: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0 || text[close + 1] !== ":") return undefined;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(":");
    if (colon <= 0 || text.indexOf(":") !== colon) return undefined;
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  if (!/^\d{1,5}$/.test(portText) || host.length === 0) return undefined;
  return { host, port: Number(portText) };
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
