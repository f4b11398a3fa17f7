import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * A state directory is the owner's alone: the directory 0700, every directory in it 0700 and every
 * file 0600 (0700 if it was executable: function code such as a custom runtime's bootstrap keeps
 * running). PGlite creates its files 0666 itself, so the tree is swept on open and on close;
 * in between, the 0700 directory keeps everyone else out.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

export function makePrivate(dir: string): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue; // removed meanwhile
    }
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) {
      if ((st.mode & 0o777) !== 0o700) chmodSync(p, 0o700);
      makePrivate(p);
    } else if (st.isFile()) {
      const want = st.mode & 0o100 ? 0o700 : 0o600;
      if ((st.mode & 0o777) !== want) chmodSync(p, want);
    }
  }
}
