// Function code on disk, content-addressed by the zip's sha256: the zip as uploaded (GetFunction's
// Code.Location serves it) and its unpacked tree (an execution environment's LAMBDA_TASK_ROOT).
// The state keeps only the digest and size. With --state-dir the files live beside the snapshot
// and survive restarts; otherwise in a temporary directory removed at shutdown.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractZip, ZipError } from "../../runtime/index.ts";
import { invalidParameter } from "./errors.ts";
import { LIMITS, type CodeRecord } from "./model.ts";

export class CodeStore {
  readonly root: string;
  private readonly temporary: boolean;
  /** Signs Code.Location download URLs (like S3's presigned ones, valid 10 minutes). */
  private readonly secret = randomBytes(32);

  constructor(stateDir: string | undefined) {
    this.temporary = stateDir === undefined;
    this.root = stateDir ? join(stateDir, "lambda-code") : join(tmpdir(), `hyperlocal-${process.pid}-${randomBytes(4).toString("hex")}`, "lambda-code");
    mkdirSync(join(this.root, "zips"), { recursive: true });
    mkdirSync(join(this.root, "unpacked"), { recursive: true });
  }

  /** Check that the zip can be read and unpacked, keep it, and unpack it. Nothing is kept if it cannot. */
  put(zip: Buffer): CodeRecord {
    if (zip.length === 0) throw invalidParameter(UNZIP_FAILED);
    if (zip.length > LIMITS.zippedCodeBytes) {
      // unverified wording
      throw invalidParameter(`Zipped size must be smaller than ${LIMITS.zippedCodeBytes} bytes`);
    }
    const digest = createHash("sha256").update(zip).digest();
    const hex = digest.toString("hex");
    const dir = this.unpackedDir(hex);
    if (!existsSync(dir)) this.unpack(zip, dir);
    const file = this.zipPath(hex);
    if (!existsSync(file)) writeAtomically(file, zip);
    return { sha256: digest.toString("base64"), sha256Hex: hex, size: zip.length };
  }

  /** The unpacked code of a version, unpacked again if the tree went missing (e.g. a cleaned /tmp). */
  codeDir(code: CodeRecord): string {
    const dir = this.unpackedDir(code.sha256Hex);
    if (!existsSync(dir)) {
      const zip = this.read(code.sha256Hex);
      if (!zip) throw new Error(`the code ${code.sha256Hex} is missing from ${this.root}`);
      this.unpack(zip, dir);
    }
    return dir;
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

  /** The token for a download path valid until `expires` (clock ms). */
  token(path: string, expires: number): string {
    return createHmac("sha256", this.secret).update(`${path}\n${expires}`).digest("hex");
  }

  tokenValid(path: string, expires: number, token: string): boolean {
    const want = Buffer.from(this.token(path, expires), "hex");
    const got = Buffer.from(token, "hex");
    return got.length === want.length && timingSafeEqual(got, want);
  }

  close(): void {
    if (this.temporary) rmSync(join(this.root, ".."), { recursive: true, force: true });
  }

  private zipPath(hex: string): string {
    return join(this.root, "zips", `${hex}.zip`);
  }

  private unpackedDir(hex: string): string {
    return join(this.root, "unpacked", hex);
  }

  private unpack(zip: Buffer, dir: string): void {
    const staging = join(this.root, "unpacked", `.staging-${randomBytes(6).toString("hex")}`);
    try {
      extractZip(zip, staging);
      renameSync(staging, dir);
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      if (existsSync(dir)) return; // another request unpacked the same code meanwhile
      if (e instanceof ZipError) {
        if (/262144000/.test(e.message)) throw invalidParameter(`Unzipped size must be smaller than ${LIMITS.unzippedCodeBytes} bytes`);
        throw invalidParameter(UNZIP_FAILED);
      }
      throw e;
    }
  }
}

export const UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again.";

function writeAtomically(file: string, data: Buffer): void {
  const tmp = `${file}.tmp-${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith("."));
  } catch {
    return [];
  }
}
