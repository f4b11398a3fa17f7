// Event invocations: accepted with 202, kept in the state (so a restart loses none), run as soon as
// possible, and retried twice after a function error with Lambda's delays on the clock: one minute
// before the second attempt, two minutes before the third. A throttled attempt waits and tries again
// without using up an attempt, until the event is six hours old (Lambda's default maximum age).
// PutFunctionEventInvokeConfig changes both per qualifier (MaximumRetryAttempts, MaximumEventAgeInSeconds).
// Nothing is sent to a dead-letter queue or destination (hyperlocal has neither yet).
import type { AwsError } from "../../core/aws-error.ts";
import { isAwsError } from "../../core/aws-error.ts";
import { unreservedPool } from "./concurrency.ts";
import { asyncSettings } from "./event-invoke-config.ts";
import type { LambdaEnv } from "./env.ts";
import type { FunctionLocation } from "./function-state.ts";
import { chooseExecution, execute } from "./invoke.ts";
import { functionArn, type AsyncEventRecord, type LambdaState } from "./model.ts";

/** Delay before attempt 2 and attempt 3. */
export const RETRY_DELAYS_MS = [60_000, 120_000];
const THROTTLE_FIRST_WAIT_MS = 1_000;
const THROTTLE_MAX_WAIT_MS = 5 * 60_000;

export interface NewEvent {
  id: string;
  qualifier?: string;
  payload: Buffer;
  clientContext?: string;
}

export class AsyncQueue {
  private readonly timers = new Map<string, () => void>();
  private readonly running = new Set<string>();
  private readonly throttleWaits = new Map<string, number>();

  constructor(private readonly env: LambdaEnv) {}

  enqueue(loc: FunctionLocation, ev: NewEvent): void {
    const now = this.env.clock.now();
    const rec: AsyncEventRecord = {
      id: ev.id,
      functionName: loc.name,
      payload: ev.payload.toString("base64"),
      attempts: 0,
      dueAt: now,
      acceptedAt: now,
    };
    if (ev.qualifier !== undefined) rec.qualifier = ev.qualifier;
    if (ev.clientContext !== undefined) rec.clientContext = ev.clientContext;
    this.env.state(loc.account, loc.region).asyncEvents.push(rec);
    this.schedule(loc, rec);
  }

  /** After a restart: schedule every event the snapshot kept. */
  restore(all: { account: string; region: string; state: LambdaState }[]): void {
    for (const { account, region, state } of all) {
      for (const rec of state.asyncEvents ?? []) this.schedule({ account, region, name: rec.functionName }, rec);
    }
  }

  clear(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    this.throttleWaits.clear();
  }

  private key(loc: FunctionLocation, id: string): string {
    return `${loc.account}/${loc.region}/${id}`;
  }

  private schedule(loc: FunctionLocation, rec: AsyncEventRecord): void {
    const k = this.key(loc, rec.id);
    this.timers.get(k)?.();
    const delay = Math.max(0, rec.dueAt - this.env.clock.now());
    this.timers.set(
      k,
      this.env.clock.schedule(delay, () => {
        this.timers.delete(k);
        void this.attempt(loc, rec.id);
      }),
    );
  }

  private find(loc: FunctionLocation, id: string): { state: LambdaState; rec: AsyncEventRecord } | undefined {
    const state = this.env.state(loc.account, loc.region);
    const rec = state.asyncEvents.find((e) => e.id === id && e.functionName === loc.name);
    return rec ? { state, rec } : undefined;
  }

  private drop(loc: FunctionLocation, id: string): void {
    const state = this.env.state(loc.account, loc.region);
    state.asyncEvents = state.asyncEvents.filter((e) => !(e.id === id && e.functionName === loc.name));
    this.throttleWaits.delete(this.key(loc, id));
    this.env.markDirty();
  }

  private async attempt(loc: FunctionLocation, id: string): Promise<void> {
    const k = this.key(loc, id);
    if (this.running.has(k)) return;
    const found = this.find(loc, id);
    if (!found) return;
    const { state, rec } = found;
    const now = this.env.clock.now();
    const fn = state.functions[loc.name];
    if (!fn) return this.drop(loc, id);
    if (now - rec.acceptedAt > asyncSettings(fn, rec.qualifier).maxAgeMs) return this.drop(loc, id);

    let release: (() => void) | undefined;
    let exec;
    try {
      exec = chooseExecution(this.env, loc, fn, rec.qualifier, functionArn(loc.region, loc.account, loc.name, rec.qualifier));
      release = this.env.concurrency.acquire(loc.account, loc.region, loc.name, fn.reservedConcurrency, unreservedPool(this.env, state));
    } catch (e) {
      if (isAwsError(e) && (e.code === "TooManyRequestsException" || e.code === "ResourceConflictException" || e.code === "ResourceNotReadyException")) {
        return this.waitAndRetry(loc, rec, e);
      }
      this.env.logger.warn(`lambda: dropping async event ${id} for ${loc.name}: ${(e as Error).message}`);
      return this.drop(loc, id);
    }
    this.throttleWaits.delete(k);
    this.running.add(k);
    let failed = true;
    try {
      const result = await execute(this.env, exec, Buffer.from(rec.payload, "base64"), rec.id, rec.clientContext);
      failed = result.functionError !== undefined;
    } catch (e) {
      this.env.logger.warn(`lambda: async attempt of ${id} for ${loc.name} failed: ${(e as Error).message}`);
    } finally {
      release();
      this.running.delete(k);
    }
    const still = this.find(loc, id);
    if (!still) return; // the function was deleted meanwhile
    still.rec.attempts++;
    const fnNow = still.state.functions[loc.name];
    if (!failed || !fnNow || still.rec.attempts > asyncSettings(fnNow, rec.qualifier).retries) return this.drop(loc, id);
    still.rec.dueAt = this.env.clock.now() + RETRY_DELAYS_MS[still.rec.attempts - 1];
    this.env.markDirty();
    this.schedule(loc, still.rec);
  }

  private waitAndRetry(loc: FunctionLocation, rec: AsyncEventRecord, _why: AwsError): void {
    const k = this.key(loc, rec.id);
    const wait = Math.min(THROTTLE_MAX_WAIT_MS, (this.throttleWaits.get(k) ?? THROTTLE_FIRST_WAIT_MS / 2) * 2);
    this.throttleWaits.set(k, wait);
    rec.dueAt = this.env.clock.now() + wait;
    this.env.markDirty();
    this.schedule(loc, rec);
  }
}
