#!/usr/bin/env node
// Runs the built server (dist/main.js, see scripts/build.mjs) in this process, so `npx hyperlocal start`
// and `npm start` work from a checkout. The bundle is rebuilt first when a source under src/ is newer
// than it (about 1 s with esbuild), so an edit is never silently ignored; otherwise the check costs a
// few milliseconds of stat calls.
import { BUNDLE_URL, ensureBuilt } from "../scripts/build.mjs";

try {
  await ensureBuilt();
} catch (e) {
  process.stderr.write(`hyperlocal: cannot build the server: ${e?.message ?? e}\n`);
  process.exit(1);
}
await import(BUNDLE_URL);
