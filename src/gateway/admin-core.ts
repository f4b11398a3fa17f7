import { MAX_OFFSET_MS, validOffset, type Clock } from "../core/clock.ts";
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

const CLOCK_UNITS: ReadonlyMap<string, number> = new Map([
  ["ms", 1],
  ["seconds", 1000],
  ["minutes", 60_000],
  ["hours", 3_600_000],
  ["days", 86_400_000],
]);

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
    const b = req.body;
    const usage = 'give exactly one of {"ms":N}, {"seconds":N}, {"minutes":N}, {"hours":N} or {"days":N}';
    if (typeof b !== "object" || b === null || Array.isArray(b)) return adminError(400, usage);
    const keys = Object.keys(b);
    const unit = keys.length === 1 ? CLOCK_UNITS.get(keys[0]) : undefined;
    if (unit === undefined) return adminError(400, keys.length === 1 ? `unknown field "${keys[0].slice(0, 40)}": ${usage}` : usage);
    const n = (b as Record<string, unknown>)[keys[0]];
    if (typeof n !== "number" || !Number.isFinite(n)) return adminError(400, `${keys[0]} must be a number`);
    // The clock never goes back: a test that needs an earlier time resets instead.
    if (n < 0) return adminError(400, `${keys[0]} must not be negative: the clock never goes back`);
    const ms = n * unit;
    const after = deps.clock.offsetMs + ms;
    if (!validOffset(after)) {
      return adminError(400, `the clock runs at most 100 years (${MAX_OFFSET_MS} ms) ahead of real time; it is ${deps.clock.offsetMs} ms ahead now, so this advance would take it to ${after} ms`);
    }
    deps.clock.advance(ms);
    deps.onAdvance?.();
    return clockView();
  });

  admin.add("POST", "reset", async () => {
    await deps.reset();
    return { status: 200, body: { reset: true } };
  });
}
