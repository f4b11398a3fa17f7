// DESIGN.md's layering, checked on the import lines themselves: services never import a codec or
// the gateway (codecs bind services to the wire: protocol/*/bind.ts, composed in app.ts), core
// and the signing library depend on nothing else in src/.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

/** Every module a file names: static imports, re-exports, `import type` and dynamic import(). */
export function importedSpecifiers(text: string): string[] {
  const out: string[] = [];
  const patterns = [/\b(?:import|export)\b[^'";]*?\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g];
  for (const re of patterns) for (const m of text.matchAll(re)) out.push(m[1]);
  return out;
}

/** The src/ folders a file imports from (relative specifiers only: packages and node: are not layers). */
function importedFolders(file: string): { specifier: string; folder: string }[] {
  return importedSpecifiers(readFileSync(file, "utf8"))
    .filter((s) => s.startsWith("."))
    .map((specifier) => ({ specifier, folder: relative(SRC, resolve(dirname(file), specifier)).split(/[\\/]/)[0] }));
}

function violations(layer: string, allowed: (folder: string) => boolean): string[] {
  return sourceFiles(join(SRC, layer)).flatMap((file) =>
    importedFolders(file)
      .filter(({ folder }) => !allowed(folder))
      .map(({ specifier }) => `${relative(SRC, file)} imports ${specifier}`),
  );
}

test("the import scanner sees every form of import", () => {
  const text = [
    'import type { A } from "../../protocol/xml.ts";',
    'import {\n  b,\n  type C,\n} from "../../gateway/server.ts";',
    'export { d } from "./d.ts";',
    'export type * from "./e.ts";',
    'import "./side-effect.ts";',
    'const f = await import("../../protocol/query/bind.ts");',
  ].join("\n");
  assert.deepEqual(importedSpecifiers(text).sort(), ["../../gateway/server.ts", "../../protocol/query/bind.ts", "../../protocol/xml.ts", "./d.ts", "./e.ts", "./side-effect.ts"].sort());
});

test("no file under src/services/ imports src/protocol/ or src/gateway/", () => {
  assert.deepEqual(violations("services", (f) => f !== "protocol" && f !== "gateway"), []);
});

test("src/core/ and src/sigv4/ import nothing else from src/", () => {
  assert.deepEqual(violations("core", (f) => f === "core"), []);
  assert.deepEqual(violations("sigv4", (f) => f === "sigv4"), []);
});
