import type { AdminHandler, AdminRouteOptions, AdminRoutes } from "../core/admin.ts";

// The shapes and helpers are core's (modules use them without the gateway); re-exported for the gateway's files.
export {
  adminCount,
  adminError,
  adminScope,
  isAdminResponse,
  validAccount,
  validRegion,
  type AdminHandler,
  type AdminRequest,
  type AdminResponse,
  type AdminRouteOptions,
  type AdminRoutes,
} from "../core/admin.ts";

interface AdminRoute {
  method: string;
  segments: string[];
  handler: AdminHandler;
  ownCredential: boolean;
}

export class AdminRouter implements AdminRoutes {
  private readonly routes: AdminRoute[] = [];

  /** pattern like "endpoints/{id}"; `{rest+}` takes the rest of the path. */
  add(method: string, pattern: string, handler: AdminHandler, opts: AdminRouteOptions = {}): void {
    this.routes.push({ method, segments: pattern.split("/").filter(Boolean), handler, ownCredential: opts.ownCredential === true });
  }

  find(method: string, path: string): { handler: AdminHandler; params: Record<string, string>; ownCredential: boolean } | "method" | undefined {
    const segs = path.split("/").filter(Boolean);
    let pathSeen = false;
    for (const r of this.routes) {
      const params: Record<string, string> = {};
      let ok = true;
      let i = 0;
      for (; i < r.segments.length; i++) {
        const p = r.segments[i];
        if (p.endsWith("+}")) {
          params[p.slice(1, -2)] = segs.slice(i).map(decodeSegment).join("/");
          i = segs.length;
          break;
        }
        if (i >= segs.length) {
          ok = false;
          break;
        }
        if (p.startsWith("{")) params[p.slice(1, -1)] = decodeSegment(segs[i]);
        else if (p !== segs[i]) {
          ok = false;
          break;
        }
      }
      if (!ok || i !== segs.length) continue;
      pathSeen = true;
      if (r.method === method) return { handler: r.handler, params, ownCredential: r.ownCredential };
    }
    return pathSeen ? "method" : undefined;
  }
}

/** A path segment decoded; a malformed escape ("%ZZ") stays as it was (and then matches nothing). */
function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

