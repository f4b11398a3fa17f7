#!/usr/bin/env node
// The production build: esbuild bundles the server (src/main.ts and everything it imports) into
// dist/main.js, and the unzip worker thread's module into dist/zip-worker.js. yaml is bundled too (its
// many small modules cost start-up time to resolve and load); PGlite stays external (it finds its wasm
// and data files beside its own module), and esbuild (the console's builder). `node scripts/build.mjs` builds;
// bin/hyperlocal.mjs and the tests call ensureBuilt(), which rebuilds only when a file under src/ (or
// this script) is newer than the bundle, so an edit is never silently ignored.
//
// Files the server reads or runs by path (runtime bootstraps, shim files, relay.child.cjs, the
// console's web sources) are not bundled: every module keeps its own import.meta.url, the URL of
// its source file, so those paths resolve into src/ exactly as they do under tsx.
import { mkdirSync, readdirSync, renameSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The server's entry in the build. */
export const BUNDLE = join(ROOT, "dist", "main.js");
export const BUNDLE_URL = pathToFileURL(BUNDLE).href;
const THIS_SCRIPT = fileURLToPath(import.meta.url);

/** The newest modification time of any file under dir (a few hundred stat calls: about 2 ms). */
function newestUnder(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "__pycache__") newest = Math.max(newest, newestUnder(p));
    } else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** True when <root>/dist/main.js is missing or older than a file under <root>/src or this script. */
export function isStale(root = ROOT) {
  let built;
  try {
    built = statSync(join(root, "dist", "main.js")).mtimeMs;
  } catch {
    return true;
  }
  return Math.max(newestUnder(join(root, "src")), statSync(THIS_SCRIPT).mtimeMs) > built;
}

/** Rebuild when stale. Returns true when it built. */
export async function ensureBuilt(root = ROOT) {
  if (!isStale(root)) return false;
  await build(root);
  return true;
}

/** import.meta.url in a bundled module: its source file's URL, found from the bundle's own. */
const sourceUrlPlugin = (dist) => ({
  name: "source-import-meta-url",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      if (!text.includes("import.meta.url")) return { contents: text, loader: "ts" };
      const fromDist = relative(dist, args.path).split(sep).join("/");
      return { contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(fromDist)}, import.meta.url).href`), loader: "ts" };
    });
  },
});

/**
 * Build <root>/src into <root>/dist now. Files are written under temporary names and renamed, so a
 * concurrent start (two test files at once) never loads half a bundle.
 */
export async function build(root = ROOT) {
  const src = join(root, "src");
  const dist = join(root, "dist");
  const bundle = join(dist, "main.js");
  const startedAt = Date.now();
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: { main: join(src, "main.ts"), "zip-worker": join(src, "runtime", "zip-worker.ts") },
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["@electric-sql/pglite", "esbuild"],
    // yaml's Node.js build is CommonJS, which calls require() for node's own modules: give it one.
    banner: { js: 'import { createRequire as __hyperlocalRequire } from "node:module"; const require = __hyperlocalRequire(import.meta.url);' },
    outdir: dist,
    write: false,
    sourcemap: "linked",
    sourcesContent: false,
    legalComments: "none",
    logLevel: "warning",
    // Read by zip-unpacker.ts: the worker's module is dist/zip-worker.js rather than the TypeScript source.
    define: { HYPERLOCAL_BUNDLED: "true" },
    plugins: [sourceUrlPlugin(dist)],
  });
  mkdirSync(dist, { recursive: true });
  // The server's entry goes last: its presence and time stamp say the whole build is there.
  const files = [...result.outputFiles].sort((a, b) => Number(a.path === bundle) - Number(b.path === bundle) || Number(a.path.endsWith(".map")) - Number(b.path.endsWith(".map")));
  const seconds = startedAt / 1000;
  for (const f of files) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    // Stamped with the time the build started: a source saved during the build is newer, so it is built next time.
    utimesSync(tmp, seconds, seconds);
    renameSync(tmp, f.path);
  }
  return { ms: Date.now() - startedAt, files: files.map((f) => relative(root, f.path)) };
}

if (process.argv[1] === THIS_SCRIPT) {
  const r = await build();
  process.stdout.write(`built ${r.files.join(", ")} in ${r.ms} ms\n`);
}
