// S3 PutObject / GetObject of 1 KB and 8 MB objects through the SDK v3 against a server in its own
// process (bodies on disk under --state-dir), side by side with a plain file copy of the same bytes
// on the same disk: the limit no object store on this machine can beat.
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startChildServer } from "../test/support/server.ts";
import { percentile } from "./_support.ts";

const MB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), "bench-s3-"));

async function timed(n: number, fn: (i: number) => Promise<unknown> | unknown): Promise<number[]> {
  for (let i = 0; i < Math.min(3, n); i++) await fn(i); // warm-up
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return lat.sort((a, b) => a - b);
}

function line(label: string, size: number, lat: number[]): string {
  const p50 = percentile(lat, 50);
  const mbps = size / MB / (p50 / 1000);
  return `${label.padEnd(34)} p50 ${p50.toFixed(2).padStart(8)} ms   p99 ${percentile(lat, 99).toFixed(2).padStart(8)} ms   ${mbps.toFixed(0).padStart(6)} MB/s   (${lat.length} ops)`;
}

try {
  const server = await startChildServer(["--log-level", "warn", "--state-dir", join(work, "state")]);
  try {
    const s3 = new S3Client({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, forcePathStyle: true, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: "bench" }));
    for (const [name, size, n] of [
      ["1 KB", 1024, 300],
      ["8 MB", 8 * MB, 15],
    ] as const) {
      const data = randomBytes(size);
      const src = join(work, `src-${size}`);
      writeFileSync(src, data);
      console.log(`-- ${name} objects`);
      console.log(line("file copy (copyFileSync, the limit)", size, await timed(n, (i) => copyFileSync(src, join(work, `copy-${i % 4}`)))));
      console.log(line("file write + read back", size, await timed(n, (i) => (writeFileSync(join(work, `w-${i % 4}`), data), readFileSync(join(work, `w-${i % 4}`))))));
      console.log(line("S3 PutObject", size, await timed(n, (i) => s3.send(new PutObjectCommand({ Bucket: "bench", Key: `${name}/${i % 4}`, Body: data })))));
      console.log(
        line(
          "S3 GetObject",
          size,
          await timed(n, async (i) => {
            const r = await s3.send(new GetObjectCommand({ Bucket: "bench", Key: `${name}/${i % 4}` }));
            const got = await r.Body!.transformToByteArray();
            if (got.length !== size) throw new Error("short read");
          }),
        ),
      );
    }
  } finally {
    await server.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
