// Who may call the admin API (/_hyperlocal/, /_localstack/). On loopback, anyone on this machine,
// as before; when the server listens on anything else (or a token was set), every call carries the
// admin token: `x-hyperlocal-admin-token: <token>` or `Authorization: Bearer <token>`.
// Routes with their own credential (the shim's decision API, presigned code downloads) are exempt.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { isIP } from "node:net";

export const ADMIN_TOKEN_HEADER = "x-hyperlocal-admin-token";

/** Whether listening on this address keeps the server on this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackListen(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost") return true;
  const fam = isIP(h);
  if (fam === 4) return h.startsWith("127.");
  if (fam === 6) return h === "::1" || h === "0:0:0:0:0:0:0:1" || h.startsWith("::ffff:127.");
  return false;
}

/** A fresh random token: 32 bytes, base64url. */
export function generateAdminToken(): string {
  return randomBytes(32).toString("base64url");
}

export class AdminAuth {
  private readonly digest: Buffer | undefined;

  /** token: undefined when no token is required (loopback, none set). */
  constructor(readonly token: string | undefined) {
    this.digest = token === undefined ? undefined : sha256(token);
  }

  get required(): boolean {
    return this.digest !== undefined;
  }

  /** Whether the request carries the token (always true when none is required). Constant time. */
  allows(headers: IncomingHttpHeaders): boolean {
    if (!this.digest) return true;
    const given = presented(headers);
    if (given === undefined) return false;
    // Digests have equal lengths, so timingSafeEqual neither throws nor reveals the token's length.
    return timingSafeEqual(sha256(given), this.digest);
  }
}

function presented(headers: IncomingHttpHeaders): string | undefined {
  const h = headers[ADMIN_TOKEN_HEADER];
  if (typeof h === "string") return h.trim();
  const auth = headers.authorization;
  if (typeof auth === "string" && auth.slice(0, 7).toLowerCase() === "bearer ") return auth.slice(7).trim();
  return undefined;
}

function sha256(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}
