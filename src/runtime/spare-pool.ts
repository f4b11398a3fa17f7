// Prewarmed runtime processes. A spare has started its interpreter and loaded its bootstrap, and
// waits on stdin for the environment and working directory of the function it will serve (see
// launch-plan.ts). That takes process start-up (~40 ms for node, ~60 ms for python here) out of
// cold starts. One spare is kept per launch key (runtime family + start-up flags such as the heap
// limit), for the few most recently used keys.
import type { Logger } from "../core/logger.ts";
import { ManagedChild } from "./managed-child.ts";
import type { LaunchPlan } from "./managed-child.ts";

export class SparePool {
  private readonly spares = new Map<string, ManagedChild>();
  /** Keys whose spare died unused: start no more of them (a broken interpreter would loop). */
  private readonly failed = new Set<string>();
  private closed = false;

  constructor(
    private readonly maxSpares = 4,
    private readonly logger?: Logger,
  ) {}

  /** A live spare for this key, removed from the pool; undefined when there is none. */
  take(key: string): ManagedChild | undefined {
    const child = this.spares.get(key);
    if (!child) return undefined;
    this.spares.delete(key);
    return child.alive ? child : undefined;
  }

  has(key: string): boolean {
    return this.spares.get(key)?.alive === true;
  }

  /** Make sure a spare exists for this plan. */
  fill(plan: LaunchPlan): void {
    if (this.closed || this.failed.has(plan.key)) return;
    const existing = this.spares.get(plan.key);
    if (existing?.alive) {
      this.spares.delete(plan.key); // refresh its place in the LRU order
      this.spares.set(plan.key, existing);
      return;
    }
    while (this.spares.size >= this.maxSpares) {
      const [oldKey, old] = this.spares.entries().next().value as [string, ManagedChild];
      this.spares.delete(oldKey);
      old.kill();
    }
    const child = new ManagedChild(plan);
    child.unref();
    child.onEnd((end) => {
      if (this.spares.get(plan.key) !== child) return; // taken, evicted or shut down
      this.spares.delete(plan.key);
      this.failed.add(plan.key);
      const why = end.spawnError ? end.spawnError.message : `exit ${end.code ?? end.signal}`;
      this.logger?.warn(`runtime: prewarmed ${plan.command} died before use (${why}); no more spares of this kind`);
    });
    this.spares.set(plan.key, child);
  }

  get size(): number {
    return this.spares.size;
  }

  shutdown(): void {
    this.closed = true;
    for (const child of this.spares.values()) child.kill();
    this.spares.clear();
  }
}
