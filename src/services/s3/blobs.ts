import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { uuid } from "../../core/ids.ts";

/**
 * Object bodies as files, never inside the JSON state: under <state dir>/s3-objects with a state
 * directory, else in a private temporary directory removed at shutdown. Names are generated here,
 * never taken from a key, so a key cannot name a path.
 */
export class BlobStore {
  readonly dir: string;
  private readonly temporary: boolean;

  constructor(stateDir: string | undefined) {
    if (stateDir) {
      this.dir = join(stateDir, "s3-objects");
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      this.temporary = false;
    } else {
      this.dir = mkdtempSync(join(tmpdir(), "hyperlocal-s3-"));
      this.temporary = true;
    }
  }

  write(data: Buffer): string {
    const name = uuid();
    writeFileSync(join(this.dir, name), data, { mode: 0o600 });
    return name;
  }

  read(name: string): Buffer {
    return readFileSync(join(this.dir, name));
  }

  /** length bytes from start: a Range request reads only its range. */
  readRange(name: string, start: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    const fd = openSync(join(this.dir, name), "r");
    try {
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, done, length - done, start + done);
        if (n === 0) break;
        done += n;
      }
      return done === length ? out : out.subarray(0, done);
    } finally {
      closeSync(fd);
    }
  }

  remove(name: string | undefined): void {
    if (!name) return;
    try {
      unlinkSync(join(this.dir, name));
    } catch {
      /* already gone */
    }
  }

  /** Every body dropped (state reset). */
  clear(): void {
    for (const f of readdirSync(this.dir)) this.remove(f);
  }

  close(): void {
    if (this.temporary) rmSync(this.dir, { recursive: true, force: true });
  }
}
