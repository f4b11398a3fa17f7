import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import { SimulatedClock } from "./clock.ts";

describe("SimulatedClock", () => {
  it("runs with real time plus the offset", () => {
    let real = 1_000_000;
    const c = new SimulatedClock(() => real);
    assert.equal(c.now(), 1_000_000);
    real += 50;
    assert.equal(c.now(), 1_000_050);
    c.advance(86_400_000);
    assert.equal(c.offsetMs, 86_400_000);
    assert.equal(c.now(), 1_000_050 + 86_400_000);
    c.close();
  });

  it("fires timers an advance passes, in time order, each at its own time", () => {
    const c = new SimulatedClock(() => 0);
    const seen: [string, number][] = [];
    c.schedule(3000, () => seen.push(["b", c.now()]));
    c.schedule(1000, () => {
      seen.push(["a", c.now()]);
      // A timer scheduled by a timer inside the window fires in the same advance.
      c.schedule(500, () => seen.push(["a2", c.now()]));
    });
    c.schedule(10_000, () => seen.push(["late", c.now()]));
    c.advance(5000);
    assert.deepEqual(seen, [["a", 1000], ["a2", 1500], ["b", 3000]]);
    assert.equal(c.now(), 5000);
    c.close();
  });

  it("an advance grows the offset by exactly the amount asked, even when real time moves while timers run", () => {
    let real = 0;
    const c = new SimulatedClock(() => real);
    const seen: number[] = [];
    c.schedule(1000, () => {
      seen.push(c.now());
      real += 7; // the timer's own work takes real time
    });
    c.advance(259_200_000);
    assert.deepEqual(seen, [1000]);
    assert.equal(c.offsetMs, 259_200_000);
    assert.equal(c.now(), 7 + 259_200_000);
    c.close();
  });

  it("cancelled timers do not fire; a throwing timer does not stop the others", () => {
    const c = new SimulatedClock(() => 0);
    let fired = 0;
    const cancel = c.schedule(10, () => fired++);
    cancel();
    const original = console.error;
    console.error = () => {};
    c.schedule(20, () => {
      throw new Error("boom");
    });
    c.schedule(30, () => fired++);
    c.advance(100);
    console.error = original;
    assert.equal(fired, 1);
    c.close();
  });

  it("refuses to go backwards", () => {
    const c = new SimulatedClock();
    assert.throws(() => c.advance(-1), RangeError);
    c.close();
  });

  it("fires in real time too", async () => {
    const c = new SimulatedClock();
    const done = new Promise<number>((resolve) => c.schedule(5, () => resolve(1)));
    assert.equal(await done, 1);
    c.close();
  });

  it("fires in real time in due order when timers come and go (a later one is armed once the earlier ones are done)", async () => {
    const c = new SimulatedClock();
    const order: string[] = [];
    const keepAlive = setTimeout(() => {}, 10_000); // the clock's own timer does not hold the process
    const done = new Promise<void>((resolve) => c.schedule(40, () => (order.push("a"), resolve())));
    const cancelB = c.schedule(5, () => order.push("b"));
    c.schedule(20, () => order.push("c"));
    cancelB();
    c.schedule(10, () => order.push("d"));
    await done;
    clearTimeout(keepAlive);
    assert.deepEqual(order, ["d", "c", "a"]);
    c.advance(1000);
    assert.deepEqual(order, ["d", "c", "a"]);
    c.close();
  });

  it("fires real-time timers in the clock's own context, not in that of the request that armed them", async () => {
    const request = new AsyncLocalStorage<string>();
    const c = new SimulatedClock();
    const keepAlive = setTimeout(() => {}, 10_000); // the clock's own timer does not hold the process
    const seen = await new Promise<string | undefined>((resolve) => request.run("request-1", () => c.schedule(5, () => resolve(request.getStore()))));
    clearTimeout(keepAlive);
    assert.equal(seen, undefined);
    c.close();
  });
});

describe("SimulatedClock limits", () => {
  it("stays within 0 to 100 years ahead, and takes no bad restored offset", async () => {
    const { MAX_OFFSET_MS, validOffset } = await import("./clock.ts");
    const c = new SimulatedClock(() => 0);
    assert.throws(() => c.advance(MAX_OFFSET_MS + 1), RangeError);
    assert.throws(() => c.advance(1e308), RangeError);
    assert.throws(() => c.advance(-1), RangeError);
    assert.throws(() => c.advance(Number.NaN), RangeError);
    assert.equal(c.offsetMs, 0);
    c.advance(MAX_OFFSET_MS);
    assert.equal(c.offsetMs, MAX_OFFSET_MS);
    assert.throws(() => c.advance(1), RangeError);
    c.close();
    for (const bad of [1e308, Number.POSITIVE_INFINITY, Number.NaN, -5]) {
      const r = new SimulatedClock(() => 0, bad);
      assert.equal(r.offsetMs, 0, String(bad));
      r.close();
    }
    assert.equal(validOffset("5"), false);
    assert.equal(validOffset(5), true);
  });
});
