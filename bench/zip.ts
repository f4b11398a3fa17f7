// Unpacking a large function zip (about 240 MB unzipped, within the 50 MB upload limit): how long the
// safe unpacker takes compared with only writing the same bytes to the same files (the floor any
// unpacker pays), and, with a server in its own process, what a concurrent cheap request
// (STS GetCallerIdentity) waits while CreateFunction unpacks that zip in the worker thread.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { extractZip, writeZip, type ZipInput } from "../src/runtime/index.ts";
import { startChildServer } from "../test/support/server.ts";
import { LAMBDA_TRUST } from "../test/support/zip-functions.ts";
import { percentile } from "./_support.ts";

const MB = 1024 * 1024;
/** 30 MB that does not compress and 210 MB that does: about 240 MB unzipped, about 40 MB zipped. */
function bigCode(): ZipInput[] {
  const files: ZipInput[] = [{ name: "index.js", data: "exports.handler = async () => 1;\n" }];
  for (let i = 0; i < 30; i++) files.push({ name: `vendor/blob-${i}.bin`, data: randomBytes(MB) });
  const text = Buffer.alloc(MB);
  for (let i = 0; i < 210; i++) {
    for (let j = 0; j < text.length; j += 64) text.write(`line ${i}:${j} the quick brown fox jumps over the lazy dog\n`.padEnd(64, "."), j);
    files.push({ name: `node_modules/pkg-${i % 20}/lib/file-${i}.js`, data: Buffer.from(text) });
  }
  return files;
}

const secs = (ns: bigint) => Number(ns) / 1e9;
const work = mkdtempSync(join(tmpdir(), "bench-zip-"));
try {
  const files = bigCode();
  const unzipped = files.reduce((n, f) => n + Buffer.byteLength(f.data), 0);
  const zip = writeZip(files);
  console.log(`bench/zip: ${files.length} files, ${(unzipped / MB).toFixed(0)} MB unzipped, ${(zip.length / MB).toFixed(1)} MB zipped`);

  // The floor: the same bytes written to the same files, nothing read or inflated or checked.
  const floorDir = join(work, "plain");
  let t0 = process.hrtime.bigint();
  for (const f of files) {
    const p = join(floorDir, f.name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.data);
  }
  const floor = secs(process.hrtime.bigint() - t0);
  t0 = process.hrtime.bigint();
  extractZip(zip, join(work, "unpacked"));
  const unpack = secs(process.hrtime.bigint() - t0);
  console.log(`plain write of the same files (the floor)     ${floor.toFixed(2)} s   ${(unzipped / MB / floor).toFixed(0)} MB/s`);
  console.log(`extractZip (inflate, CRC, safe placement)     ${unpack.toFixed(2)} s   ${(unzipped / MB / unpack).toFixed(0)} MB/s   ${(unpack / floor).toFixed(1)}x the floor`);
  console.log(`  (unpacking on the event loop, as before the worker, would stall every other request that long)`);
  rmSync(join(work, "plain"), { recursive: true, force: true });
  rmSync(join(work, "unpacked"), { recursive: true, force: true });

  const server = await startChildServer(["--log-level", "warn", "--state-dir", join(work, "state")]);
  try {
    const config = { endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 };
    const sts = new STSClient({ ...config, requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) }) });
    const lambda = new LambdaClient({ ...config, requestHandler: new NodeHttpHandler({ requestTimeout: 300_000 }) });
    const role = (await new IAMClient(config).send(new CreateRoleCommand({ RoleName: "bench", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;

    /** GetCallerIdentity one after another until `until` settles: each latency, in ms. */
    const probe = async (until: Promise<unknown>) => {
      let done = false;
      void until.finally(() => (done = true));
      const lat: number[] = [];
      while (!done) {
        const s = process.hrtime.bigint();
        await sts.send(new GetCallerIdentityCommand({}));
        lat.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
      return lat.sort((a, b) => a - b);
    };
    const show = (label: string, lat: number[]) =>
      console.log(`${label.padEnd(46)} p50 ${percentile(lat, 50).toFixed(1)} ms   p99 ${percentile(lat, 99).toFixed(1)} ms   max ${lat[lat.length - 1].toFixed(1)} ms   (${lat.length} requests)`);

    const idle = await probe(new Promise((r) => setTimeout(r, 2000)));
    show("GetCallerIdentity, server idle", idle);
    t0 = process.hrtime.bigint();
    const create = lambda.send(new CreateFunctionCommand({ FunctionName: "big", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip } }));
    const during = await probe(create);
    const created = await create;
    const createSecs = secs(process.hrtime.bigint() - t0);
    show("GetCallerIdentity, during CreateFunction", during);
    console.log(`CreateFunction of the ${(zip.length / MB).toFixed(1)} MB zip (upload, hash, unpack)   ${createSecs.toFixed(2)} s   CodeSize ${created.CodeSize}`);
    sts.destroy();
    lambda.destroy();
  } finally {
    await server.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
