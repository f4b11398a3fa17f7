// What a directory holds, without following links: to prove that unpacking a hostile zip changed
// nothing outside the code directory. Also the layout those tests use.
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ESCAPE_DEPTH } from "./hostile-zips.ts";

/** path → "dir 755" | "file 644 sha256:<digest>" | "link <target>", for everything under root except `skip`. */
export function snapshotTree(root: string, skip: string[] = []): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (skip.includes(p)) continue;
      const st = lstatSync(p);
      const perm = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[p] = `link ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[p] = `dir ${perm}`;
        walk(p);
      } else out[p] = `file ${perm} sha256:${createHash("sha256").update(readFileSync(p)).digest("hex").slice(0, 16)}`;
    }
  };
  walk(root);
  return out;
}

export interface SentinelLayout {
  /** The directory the attacks aim at: ESCAPE_DEPTH levels above `codeParent`'s child. */
  base: string;
  /** Where the code directory (or the server's staging directories) must be created. */
  codeParent: string;
  sentinel: string;
}

/**
 * base/sentinel/{keep.txt,inner/deep.txt} and base/p/p/.../p (ESCAPE_DEPTH - extra - 1 levels),
 * so that a directory `extra` levels below codeParent sits exactly ESCAPE_DEPTH below base.
 */
export function sentinelLayout(extra = 0): SentinelLayout {
  const base = realpathSync(mkdtempSync(join(tmpdir(), "zip-sentinel-")));
  const sentinel = join(base, "sentinel");
  mkdirSync(join(sentinel, "inner"), { recursive: true });
  writeFileSync(join(sentinel, "keep.txt"), "keep");
  writeFileSync(join(sentinel, "inner", "deep.txt"), "deep");
  const codeParent = join(base, ...Array.from({ length: ESCAPE_DEPTH - 1 - extra }, () => "p"));
  mkdirSync(codeParent, { recursive: true });
  return { base, codeParent, sentinel };
}

/** Every link under dir that resolves (on disk) to somewhere outside it. */
export function linksLeaving(dir: string): string[] {
  const root = realpathSync(dir);
  const bad: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) {
        let real: string | undefined;
        try {
          real = realpathSync(p);
        } catch {
          real = undefined; // dangling: leads nowhere
        }
        if (real !== undefined && real !== root && !real.startsWith(`${root}/`)) bad.push(`${p} -> ${real}`);
      } else if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return bad;
}
