// Shared helpers for benchmarks: percentiles and a timed loop with bounded concurrency.
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

/**
 * Run fn with `concurrency` workers for `durationMs` (bounded in time and count). `latencies`, when
 * given, receives each request's time in ms (sorted).
 */
export async function load(fn: () => Promise<unknown>, concurrency: number, durationMs: number, maxRequests = 1_000_000, latencies: number[] = []): Promise<LoadResult> {
  const lat = latencies;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(durationMs) * 1_000_000n;
  let n = 0;
  const worker = async () => {
    while (process.hrtime.bigint() < deadline && n < maxRequests) {
      n++;
      const t0 = process.hrtime.bigint();
      await fn();
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  lat.sort((a, b) => a - b);
  return { requests: lat.length, seconds, perSecond: lat.length / seconds, p50ms: percentile(lat, 50), p99ms: percentile(lat, 99) };
}

export function row(label: string, r: LoadResult): string {
  return `${label.padEnd(44)} ${Math.round(r.perSecond).toLocaleString("en-US").padStart(8)} req/s   p50 ${r.p50ms.toFixed(2)} ms   p99 ${r.p99ms.toFixed(2)} ms   (${r.requests} requests)`;
}

/**
 * Time a synchronous hot loop: `run(n)` does n operations. After a warm-up of 5 batches (so the JIT
 * has optimised the path), `batches` timed batches of `batch` operations each: operations per
 * second over all of them, and the median ns per operation of a batch.
 */
export function timeBatches(run: (count: number) => void, batch: number, batches: number): { perSec: number; medianNs: number } {
  run(batch * 5);
  const perOp: number[] = [];
  let totalNs = 0n;
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    run(batch);
    const dt = process.hrtime.bigint() - t0;
    totalNs += dt;
    perOp.push(Number(dt) / batch);
  }
  perOp.sort((x, y) => x - y);
  return { perSec: (batch * batches) / (Number(totalNs) / 1e9), medianNs: perOp[perOp.length >> 1] };
}
