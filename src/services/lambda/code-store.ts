// Function code on disk, content-addressed by the zip's sha256: the zip as uploaded (GetFunction's
// Code.Location serves it) and its unpacked tree (an execution environment's LAMBDA_TASK_ROOT).
// The state keeps only the digest and size. With --state-dir the files live beside the snapshot
// and survive restarts; otherwise in a temporary directory removed at shutdown. Hashing and
// unpacking run off the event loop (WebCrypto's digest, the unzip worker), so a large upload does
// not hold up other requests.
import { randomBytes, webcrypto } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZipError, ZipUnpacker } from "../../runtime/index.ts";
import { CodeUrlSigner } from "./code-location.ts";
import { invalidParameter } from "./errors.ts";
import { LIMITS, type CodeRecord } from "./model.ts";

export class CodeStore {
  readonly root: string;
  private readonly temporary: boolean;
  /** Signs Code.Location download URLs (SigV4 presigned, like S3's, valid 10 minutes). */
  readonly urls = new CodeUrlSigner();
  private readonly unpacker = new ZipUnpacker();
  /** Unpacking in progress, by hex digest: two uploads of the same code share one. */
  private readonly unpacking = new Map<string, Promise<void>>();

  constructor(stateDir: string | undefined) {
    this.temporary = stateDir === undefined;
    this.root = stateDir ? join(stateDir, "lambda-code") : join(tmpdir(), `hyperlocal-${process.pid}-${randomBytes(4).toString("hex")}`, "lambda-code");
    mkdirSync(join(this.root, "zips"), { recursive: true });
    mkdirSync(join(this.root, "unpacked"), { recursive: true });
  }

  /** Check that the zip can be read and unpacked, keep it, and unpack it. Nothing is kept if it cannot. */
  async put(zip: Buffer): Promise<CodeRecord> {
    if (zip.length === 0) throw invalidParameter(UNZIP_FAILED);
    if (zip.length > LIMITS.zippedCodeBytes) {
      // unverified wording
      throw invalidParameter(`Zipped size must be smaller than ${LIMITS.zippedCodeBytes} bytes`);
    }
    const digest = Buffer.from(await webcrypto.subtle.digest("SHA-256", zip));
    const hex = digest.toString("hex");
    const file = this.zipPath(hex);
    if (!existsSync(file) || !existsSync(this.unpackedDir(hex))) {
      // The worker reads the zip from disk: handing it 50 MB by message would copy them on the event loop.
      const tmp = join(this.root, "zips", `.incoming-${hex}-${randomBytes(4).toString("hex")}`); // collect() skips dot-names
      await writeFile(tmp, zip);
      try {
        await this.ensureUnpacked(hex, tmp, zip);
        await rename(tmp, file);
      } finally {
        await rm(tmp, { force: true });
      }
    }
    return { sha256: digest.toString("base64"), sha256Hex: hex, size: zip.length };
  }

  /** The unpacked code of a version, unpacked again if the tree went missing (e.g. a cleaned /tmp). */
  async codeDir(code: CodeRecord): Promise<string> {
    const dir = this.unpackedDir(code.sha256Hex);
    await this.unpacking.get(code.sha256Hex);
    if (!existsSync(dir)) {
      const file = this.zipPath(code.sha256Hex);
      if (!existsSync(file)) throw new Error(`the code ${code.sha256Hex} is missing from ${this.root}`);
      await this.ensureUnpacked(code.sha256Hex, file);
    }
    return dir;
  }

  /** The code's tree is on disk and no unpacking of it is under way. */
  isUnpacked(code: CodeRecord): boolean {
    return !this.unpacking.has(code.sha256Hex) && existsSync(this.unpackedDir(code.sha256Hex));
  }

  read(hex: string): Buffer | undefined {
    if (!/^[0-9a-f]{64}$/.test(hex)) return undefined;
    try {
      return readFileSync(this.zipPath(hex));
    } catch {
      return undefined;
    }
  }

  /** Remove every zip and tree not in `referenced` (hex digests). */
  collect(referenced: Set<string>): void {
    for (const f of safeList(join(this.root, "zips"))) {
      const hex = f.replace(/\.zip$/, "");
      if (!referenced.has(hex)) rmSync(join(this.root, "zips", f), { force: true });
    }
    for (const d of safeList(join(this.root, "unpacked"))) {
      if (!referenced.has(d)) rmSync(join(this.root, "unpacked", d), { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    await this.unpacker.close();
    if (this.temporary) rmSync(join(this.root, ".."), { recursive: true, force: true });
  }

  private zipPath(hex: string): string {
    return join(this.root, "zips", `${hex}.zip`);
  }

  private unpackedDir(hex: string): string {
    return join(this.root, "unpacked", hex);
  }

  /** Unpack the zip in `zipFile` as the tree of `hex`, unless it is there or on its way. */
  private ensureUnpacked(hex: string, zipFile: string, zip?: Buffer): Promise<void> {
    const dir = this.unpackedDir(hex);
    if (existsSync(dir)) return Promise.resolve();
    let job = this.unpacking.get(hex);
    if (!job) {
      job = this.unpack(zipFile, dir, zip).finally(() => this.unpacking.delete(hex));
      this.unpacking.set(hex, job);
    }
    return job;
  }

  /** Unpack into a fresh staging directory, then move it in place: a refused archive leaves nothing. */
  private async unpack(zipFile: string, dir: string, zip?: Buffer): Promise<void> {
    const staging = join(this.root, "unpacked", `.staging-${randomBytes(6).toString("hex")}`);
    try {
      mkdirSync(staging, { mode: 0o755 });
      await this.unpacker.extractFile(zipFile, staging, zip);
      await rename(staging, dir);
    } catch (e) {
      await rm(staging, { recursive: true, force: true });
      if (existsSync(dir)) return; // unpacked meanwhile (by an earlier server on the same state directory)
      if (e instanceof ZipError) {
        if (e.tooLarge) throw invalidParameter(`Unzipped size must be smaller than ${LIMITS.unzippedCodeBytes} bytes`);
        throw invalidParameter(UNZIP_FAILED);
      }
      throw e;
    }
  }
}

export const UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again.";

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith("."));
  } catch {
    return [];
  }
}
