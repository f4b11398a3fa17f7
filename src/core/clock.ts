import { AsyncResource } from "node:async_hooks";

/**
 * All time flows from one clock. The simulated clock runs with real time plus an offset that tests
 * advance; timers scheduled on it fire when real time reaches them or when an advance jumps past them.
 */
export interface Clock {
  /** Milliseconds since the epoch, simulated. */
  now(): number;
  readonly offsetMs: number;
  /** Jump the clock forward; due timers fire in order before this returns. */
  advance(ms: number): void;
  /** Run fn once the clock reaches now()+delayMs. Returns a cancel function. */
  schedule(delayMs: number, fn: () => void): () => void;
  /** Stop the real-time timer so the process can exit. */
  close(): void;
}

/** The simulated clock runs at most 100 years ahead of real time: past that, dates stop being printable. */
export const MAX_OFFSET_MS = 100 * 365 * 86_400_000;

/** Whether an offset (restored from a snapshot, or about to be reached) is one the clock can take. */
export function validOffset(ms: unknown): ms is number {
  return typeof ms === "number" && Number.isFinite(ms) && ms >= 0 && ms <= MAX_OFFSET_MS;
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class SimulatedClock implements Clock {
  private offset = 0;
  private timers: Timer[] = [];
  private seq = 0;
  private realTimer: NodeJS.Timeout | undefined;
  /** When the timer realTimer was armed for is due (clock time). */
  private armedAt: number | undefined;
  private closed = false;

  /**
   * Timers due in real time fire in the context the clock was made in, not in that of whichever
   * request armed the timer last (with --state-dir, a request's changes are one unit of work:
   * a timer's changes must not become part of it).
   */
  private readonly onRealTime = AsyncResource.bind(() => {
    this.realTimer = undefined;
    this.fireDue();
    this.arm();
  });

  /** initialOffsetMs: a clock restored from a snapshot continues where it was, never goes back. */
  constructor(
    private readonly realNow: () => number = Date.now,
    initialOffsetMs = 0,
  ) {
    this.offset = validOffset(initialOffsetMs) ? initialOffsetMs : 0;
  }

  now(): number {
    return this.realNow() + this.offset;
  }

  get offsetMs(): number {
    return this.offset;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError("advance takes a non-negative number of milliseconds");
    if (this.offset + ms > MAX_OFFSET_MS) throw new RangeError(`the clock runs at most ${MAX_OFFSET_MS} ms (100 years) ahead of real time`);
    // The offset grows by exactly ms, however long the timers take to run. Timers fire one
    // simulated instant at a time, so a timer scheduled by another timer inside the advanced
    // window also fires, at its own time.
    const endOffset = this.offset + ms;
    for (;;) {
      const next = this.nextDue();
      if (!next) break;
      const needed = this.offset + Math.max(0, next.at - this.now());
      if (needed > endOffset) break;
      this.offset = needed;
      this.fire(next);
    }
    this.offset = endOffset;
    this.fireDue();
    this.arm();
  }

  schedule(delayMs: number, fn: () => void): () => void {
    const timer: Timer = { at: this.now() + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    const cancel = () => {
      timer.cancelled = true;
    };
    // Due no earlier than the armed timer: that one fires first and re-arms for this one. (Every
    // invocation schedules and cancels a timeout: re-arming each time cost a scan and a setTimeout.)
    if (this.realTimer && this.armedAt !== undefined && timer.at >= this.armedAt) return cancel;
    this.arm();
    return cancel;
  }

  close(): void {
    this.closed = true;
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
  }

  private nextDue(): Timer | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let best: Timer | undefined;
    for (const t of this.timers) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  private fire(t: Timer): void {
    t.cancelled = true;
    try {
      t.fn();
    } catch (e) {
      // A timer's failure must not stop the clock or the server.
      console.error("clock timer failed:", e);
    }
  }

  private fireDue(): void {
    for (;;) {
      const next = this.nextDue();
      if (!next || next.at > this.now()) return;
      this.fire(next);
    }
  }

  private arm(): void {
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    this.armedAt = undefined;
    if (this.closed) return;
    const next = this.nextDue();
    if (!next) return;
    this.armedAt = next.at;
    const wait = Math.min(Math.max(0, next.at - this.now()), 2 ** 31 - 1);
    this.realTimer = setTimeout(this.onRealTime, wait);
    this.realTimer.unref();
  }
}
