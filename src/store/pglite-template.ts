import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { makePrivate } from "./file-modes.ts";

/**
 * Creating a PostgreSQL data directory (initdb, in WebAssembly) takes seconds of CPU; copying a
 * finished one takes milliseconds. The first database made on a machine is kept as a template in
 * the user's cache directory (private to the user: 0700) and copied for every new state directory.
 */
export function templateDir(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), ".cache") : "");
  if (!base) return undefined;
  return join(base, "hyperlocal", `pglite-${pgliteVersion()}-schema-1`);
}

/** Copy the template into `dir`; false if there is none (yet). */
export function copyTemplate(dir: string): boolean {
  const t = templateDir();
  if (!t || !existsSync(join(t, "PG_VERSION"))) return false;
  try {
    cpSync(t, dir, { recursive: true });
    return true;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return false;
  }
}

/** Keep a freshly made (closed, still empty) database as the template; best effort. */
export function saveTemplate(dir: string): void {
  const t = templateDir();
  if (!t || existsSync(t)) return;
  const scratch = `${t}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(t), { recursive: true, mode: 0o700 });
    cpSync(dir, scratch, { recursive: true });
    makePrivate(scratch);
    renameSync(scratch, t);
  } catch {
    rmSync(scratch, { recursive: true, force: true }); // another process made it first, or no cache
  }
}

function pgliteVersion(): string {
  try {
    const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
    for (let d = dirname(entry); d !== dirname(d); d = dirname(d)) {
      const p = join(d, "package.json");
      if (existsSync(p)) {
        const pkg = JSON.parse(readFileSync(p, "utf8")) as { name?: string; version?: string };
        if (pkg.name === "@electric-sql/pglite") return pkg.version ?? "unknown";
      }
    }
  } catch {
    /* fall through */
  }
  return "unknown";
}
