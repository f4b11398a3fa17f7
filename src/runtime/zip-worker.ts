// The unzip worker thread: unpacks one zip at a time into the directory it is given, so a large
// archive never blocks the server's event loop. Messages: zip-unpacker.ts.
import { readFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { extractZip } from "./zip-extract.ts";
import { ZipError } from "./zip-error.ts";
import type { UnzipJob, UnzipReply } from "./zip-unpacker.ts";

parentPort!.on("message", (job: UnzipJob) => {
  let reply: UnzipReply;
  try {
    const zip = job.path !== undefined ? readFileSync(job.path) : Buffer.from(job.zip!.buffer, job.zip!.byteOffset, job.zip!.byteLength);
    extractZip(zip, job.dir);
    reply = { id: job.id, ok: true };
  } catch (e) {
    const err = e as Error;
    reply = { id: job.id, ok: false, zipError: e instanceof ZipError, tooLarge: e instanceof ZipError && e.tooLarge, message: err?.message ?? String(e) };
  }
  parentPort!.postMessage(reply);
});
