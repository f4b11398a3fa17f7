// Builds the web console (src/console/web) into one browser bundle with esbuild, lazily: the first
// request under /_hyperlocal/console/ pays for it, so server start-up does not. The result stays in
// memory; a later request rebuilds only when a source file is newer than the build (handy while
// editing the console, a few stat calls otherwise).
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

export const CONSOLE_SOURCE_DIR = join(fileURLToPath(new URL(".", import.meta.url)), "web");

export interface ConsoleBundle {
  js: string;
  css: string;
  /** Compressed once at build time, for browsers that accept gzip (all do). */
  jsGzip: Buffer;
  cssGzip: Buffer;
  /** Short content hash: the bundle's URL carries it, so browsers may cache it for good. */
  hash: string;
  builtAt: number;
}

let cached: ConsoleBundle | undefined;
let building: Promise<ConsoleBundle> | undefined;

/** The newest modification time of the console's sources. */
function newestSource(dir = CONSOLE_SOURCE_DIR): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export async function buildConsole(): Promise<ConsoleBundle> {
  if (cached && newestSource() <= cached.builtAt) return cached;
  building ??= compile().finally(() => (building = undefined));
  cached = await building;
  return cached;
}

async function compile(): Promise<ConsoleBundle> {
  const startedAt = Date.now();
  // esbuild is loaded on first use only: it is not needed by a server nobody opens in a browser.
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [join(CONSOLE_SOURCE_DIR, "main.tsx")],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    write: false,
    outdir: "out",
    jsx: "automatic",
    jsxImportSource: "preact",
    loader: { ".css": "css" },
    legalComments: "none",
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  const js = result.outputFiles.find((f) => f.path.endsWith(".js"))?.text ?? "";
  const css = result.outputFiles.find((f) => f.path.endsWith(".css"))?.text ?? "";
  const hash = createHash("sha256").update(js).update(css).digest("hex").slice(0, 16);
  return { js, css, jsGzip: gzipSync(js, { level: 9 }), cssGzip: gzipSync(css, { level: 9 }), hash, builtAt: startedAt };
}
