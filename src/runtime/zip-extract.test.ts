// The unpacker against the hostile corpus (test/support/hostile-zips.ts): each archive is refused
// with a ZipError or unpacked safely, and a sentinel directory ESCAPE_DEPTH levels above the code
// directory (and everything else under the test's own directory) is left exactly as it was.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { HOSTILE_ZIPS, type HostileCase } from "../../test/support/hostile-zips.ts";
import { dir, file, link, rawZip } from "../../test/support/zip-builder.ts";
import { linksLeaving, sentinelLayout, snapshotTree } from "../../test/support/tree-snapshot.ts";
import { extractZip } from "./zip-extract.ts";
import { ZipError } from "./zip-error.ts";
import { ZipUnpacker } from "./zip-unpacker.ts";
import { writeZip } from "./zip.ts";

const sha = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);

type Unpack = (zip: Buffer, dir: string) => Promise<void>;

async function tryCase(c: HostileCase, unpack: Unpack): Promise<void> {
  const layout = sentinelLayout();
  const codeDir = join(layout.codeParent, "code");
  mkdirSync(codeDir);
  try {
    const before = snapshotTree(layout.base, [codeDir]);
    let error: unknown;
    try {
      await unpack(c.zip(), codeDir);
    } catch (e) {
      error = e;
    }
    if (c.expect === "refused") {
      assert.ok(error instanceof ZipError, `refused with a ZipError, got ${error === undefined ? "success" : String(error)}`);
      assert.equal(error.tooLarge, c.tooLarge ?? false, "the kind of refusal");
    } else {
      assert.equal(error, undefined, "unpacked");
      c.check?.(codeDir);
    }
    assert.deepEqual(snapshotTree(layout.base, [codeDir]), before, "nothing outside the code directory changed");
    assert.deepEqual(linksLeaving(codeDir), [], "no link in the code directory leads outside it");
  } finally {
    rmSync(layout.base, { recursive: true, force: true });
  }
}

it("the corpus holds at least 40 hostile archives", () => {
  assert.ok(HOSTILE_ZIPS.length >= 40, `${HOSTILE_ZIPS.length} cases`);
  assert.equal(new Set(HOSTILE_ZIPS.map((c) => c.name)).size, HOSTILE_ZIPS.length, "distinct names");
});

describe("extractZip against hostile archives", () => {
  for (const c of HOSTILE_ZIPS) it(`${c.expect}: ${c.name}`, () => tryCase(c, async (zip, dir) => extractZip(zip, dir)));
});

describe("bounds on the work one archive may ask for", () => {
  const refusedUnder = (zip: Buffer, limits: { maxCreated: number; maxResolveSteps: number }) =>
    tryCase({ name: "bounded", expect: "refused", zip: () => zip }, async (z, codeDir) => extractZip(z, codeDir, limits));

  it("refuses an archive that creates more entries than allowed (directories count)", async () => {
    const zip = rawZip([file(`${"d/".repeat(30)}f.js`), ...Array.from({ length: 30 }, (_, i) => file(`f${i}.js`))]);
    await refusedUnder(zip, { maxCreated: 50, maxResolveSteps: 1000 });
    await tryCase({ name: "within", expect: "unpacked", zip: () => zip }, async (z, codeDir) => extractZip(z, codeDir, { maxCreated: 61, maxResolveSteps: 1000 }));
  });

  it("refuses links that take too many lookups to resolve", async () => {
    const zip = rawZip([dir("d/d/d/d/d/d/d/d/d/d"), ...Array.from({ length: 20 }, (_, i) => link(`l${i}`, "d/d/d/d/d/d/d/d/d/d"))]);
    await refusedUnder(zip, { maxCreated: 1000, maxResolveSteps: 100 });
    await tryCase({ name: "within", expect: "unpacked", zip: () => zip }, async (z, codeDir) => extractZip(z, codeDir, { maxCreated: 1000, maxResolveSteps: 400 }));
  });
});

describe("the unzip worker gives the same answers", () => {
  const unpacker = new ZipUnpacker({ inlineMaxBytes: 0 }); // every job through the worker thread
  after(() => unpacker.close());
  for (const c of HOSTILE_ZIPS) it(`${c.expect}: ${c.name}`, () => tryCase(c, (zip, dir) => unpacker.extract(zip, dir)));

  it("unpacks a regular zip with modes and directories", async () => {
    const layout = sentinelLayout();
    try {
      const dir = join(layout.codeParent, "code");
      await unpacker.extract(writeZip([{ name: "bootstrap", data: "#!/bin/sh\n", mode: 0o755 }, { name: "lib/", data: "" }, { name: "lib/a.js", data: "a" }]), dir);
      const tree = snapshotTree(dir);
      assert.deepEqual({ ...tree }, {
        [join(dir, "bootstrap")]: `file 755 sha256:${sha("#!/bin/sh\n")}`,
        [join(dir, "lib")]: "dir 755",
        [join(dir, "lib/a.js")]: `file 644 sha256:${sha("a")}`,
      });
    } finally {
      rmSync(layout.base, { recursive: true, force: true });
    }
  });

  it("small zips unpack inline, large ones in the worker", async () => {
    const u = new ZipUnpacker({ inlineMaxBytes: 1000 });
    const layout = sentinelLayout();
    try {
      const small = writeZip([{ name: "a.js", data: "a" }]);
      const large = writeZip([{ name: "big.bin", data: Buffer.alloc(5000, 1) }]);
      // Inline: settled before the worker could even start; the worker is never created.
      await u.extract(small, join(layout.codeParent, "small"));
      assert.equal(u.started, false, "no worker for a small zip");
      await u.extract(large, join(layout.codeParent, "large"));
      assert.equal(u.started, true, "the worker for a large one");
    } finally {
      await u.close();
      rmSync(layout.base, { recursive: true, force: true });
    }
  });

  it("with the default routing (inline or worker), every hostile archive is still refused or unpacked as expected", async () => {
    const u = new ZipUnpacker();
    try {
      for (const c of HOSTILE_ZIPS) await tryCase(c, (zip, dir) => u.extract(zip, dir));
    } finally {
      await u.close();
    }
  });

  it("a job after close is refused, not lost", async () => {
    const u = new ZipUnpacker();
    await u.close();
    await assert.rejects(u.extract(writeZip([{ name: "a", data: "a" }]), "/nonexistent-never-created"), /closed/);
  });
});
