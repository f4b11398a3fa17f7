import type { Clock } from "../core/clock.ts";
import { adminError, type AdminRouter } from "./admin-router.ts";
import type { ServiceDefinition } from "./service-definition.ts";

export interface CoreAdminDeps {
  version: string;
  clock: Clock;
  services: ServiceDefinition[];
  startedAt: number;
  reset(): Promise<void>;
  /** After an advance: e.g. remember the offset in the snapshot. */
  onAdvance?(): void;
}

/** health, clock and reset: the admin calls every installation has. */
export function registerCoreAdminRoutes(admin: AdminRouter, deps: CoreAdminDeps): void {
  const health = () => ({
    status: 200,
    body: {
      version: deps.version,
      services: Object.fromEntries(deps.services.map((s) => [s.signingName, "running"])),
      uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
    },
  });
  admin.add("GET", "health", health);
  admin.add("GET", "", health);

  const clockView = () => ({ status: 200, body: { now: new Date(deps.clock.now()).toISOString(), offsetMs: deps.clock.offsetMs } });
  admin.add("GET", "clock", clockView);
  admin.add("POST", "clock/advance", (req) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const units: [string, number][] = [["ms", 1], ["seconds", 1000], ["minutes", 60_000], ["hours", 3_600_000], ["days", 86_400_000]];
    const given = units.filter(([k]) => b[k] !== undefined);
    if (given.length !== 1) return adminError(400, 'give exactly one of {"ms":N}, {"seconds":N}, {"minutes":N}, {"hours":N} or {"days":N}');
    const [key, factor] = given[0];
    const n = b[key];
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) return adminError(400, `${key} must be a non-negative number`);
    deps.clock.advance(n * factor);
    deps.onAdvance?.();
    return clockView();
  });

  admin.add("POST", "reset", async () => {
    await deps.reset();
    return { status: 200, body: { reset: true } };
  });
}
