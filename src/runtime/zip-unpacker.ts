// Unpacking function zips off the event loop: one worker thread, started on first use, takes the
// jobs in turn. A 240 MB archive then costs the server's other requests nothing but CPU share.
// Small zips (the usual hand-written function) unpack at once on the calling thread: that takes
// less than a message round trip, and spares starting the worker at all.
import { Worker } from "node:worker_threads";
import { extractZip } from "./zip-extract.ts";
import { ZipError } from "./zip-error.ts";
import { listZip, S_IFLNK, S_IFMT } from "./zip.ts";

/** Set by the production build (scripts/build.mjs): the worker's module is then bundled too, as dist/zip-worker.js. */
declare const HYPERLOCAL_BUNDLED: boolean | undefined;

export interface ZipUnpackerOptions {
  /** Zips of at most 1 MiB that unpack to at most this many bytes run inline; 0: always the worker. Default 4 MiB. */
  inlineMaxBytes?: number;
}

// Inline only what is cheap for sure: few entries, short names (so few directories) and no links
// (whose checks can cost many lookups); anything else goes to the worker.
const INLINE_MAX_ZIP_BYTES = 1024 * 1024;
const INLINE_MAX_ENTRIES = 1000;
const INLINE_MAX_NAME_BYTES = 32 * 1024;

export interface UnzipJob {
  id: number;
  /** The zip's bytes (copied to the worker), or the path of a file holding them (read there). */
  zip?: Uint8Array;
  path?: string;
  dir: string;
}

export type UnzipReply = { id: number; ok: true } | { id: number; ok: false; zipError: boolean; tooLarge: boolean; message: string };

interface Pending {
  resolve: () => void;
  reject: (e: Error) => void;
}

export class ZipUnpacker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;
  private readonly inlineMaxBytes: number;

  constructor(opts: ZipUnpackerOptions = {}) {
    this.inlineMaxBytes = opts.inlineMaxBytes ?? 4 * 1024 * 1024;
  }

  /** Unpack `zip` into `dir` (see zip-extract.ts); rejects with ZipError for a bad archive. */
  extract(zip: Buffer, dir: string): Promise<void> {
    if (this.fitsInline(zip)) return this.inline(zip, dir);
    return this.run({ zip, dir }); // copies the bytes: the caller keeps its buffer
  }

  /**
   * The same for a zip in a file: the worker reads it, so a large zip is never copied on the event
   * loop. `zip`, when the caller holds the bytes anyway, lets a small one unpack inline.
   */
  extractFile(path: string, dir: string, zip?: Buffer): Promise<void> {
    if (zip && this.fitsInline(zip)) return this.inline(zip, dir);
    return this.run({ path, dir });
  }

  /** The worker thread is running (it starts with the first job that does not fit inline). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  private fitsInline(zip: Buffer): boolean {
    if (this.inlineMaxBytes <= 0 || zip.length > INLINE_MAX_ZIP_BYTES) return false;
    try {
      const records = listZip(zip);
      if (records.length > INLINE_MAX_ENTRIES || records.some((r) => r.mode !== undefined && (r.mode & S_IFMT) === S_IFLNK)) return false;
      let bytes = 0;
      let names = 0;
      for (const r of records) {
        bytes += r.size;
        names += r.name.length;
      }
      return bytes <= this.inlineMaxBytes && names <= INLINE_MAX_NAME_BYTES;
    } catch {
      return true; // malformed: refused inline just as fast
    }
  }

  private async inline(zip: Buffer, dir: string): Promise<void> {
    if (this.closed) throw new Error("the unzip worker is closed");
    extractZip(zip, dir);
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
    this.failAll(new Error("the unzip worker was stopped"));
  }

  private run(job: Omit<UnzipJob, "id">): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the unzip worker is closed"));
    const worker = this.start();
    const id = ++this.nextId;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref(); // a job in flight keeps the process alive; an idle worker does not
      worker.postMessage({ ...job, id } satisfies UnzipJob);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // In the bundle, import.meta.url is still this source file's URL (see scripts/build.mjs).
    const module = new URL(typeof HYPERLOCAL_BUNDLED === "boolean" ? "../../dist/zip-worker.js" : "./zip-worker.ts", import.meta.url).href;
    const w = new Worker(new URL("./zip-worker-boot.mjs", import.meta.url), { workerData: { module } });
    w.on("message", (r: UnzipReply) => this.settle(r));
    // A worker that dies takes its jobs with it; the next job starts a new one.
    w.on("error", (e) => this.lost(w, e));
    w.on("exit", (code) => this.lost(w, new Error(`the unzip worker exited with code ${code}`)));
    this.worker = w;
    return w;
  }

  private settle(r: UnzipReply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (r.ok) p.resolve();
    else p.reject(r.zipError ? new ZipError(r.message, { tooLarge: r.tooLarge }) : new Error(r.message));
  }

  private lost(w: Worker, e: Error): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    this.failAll(e);
  }

  private failAll(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }
}
