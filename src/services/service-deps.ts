import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { Config } from "../config.ts";
import type { Store } from "../store/store.ts";

/** What every service is built from, in app.ts. */
export interface ServiceDeps {
  store: Store;
  clock: Clock;
  config: Config;
  logger: Logger;
}
