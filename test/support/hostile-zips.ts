// A corpus of malformed and hostile function zips, built here byte by byte. The attacks aim at the
// directory ESCAPE_DEPTH levels above the code directory, where tests keep a sentinel directory
// (`sentinel/keep.txt`): the code directory must be placed exactly that deep (and never directly
// under / or a directory that matters), so that even the old unpacker, fooled, could only harm the
// test's own files. Each case says whether it must be refused or may be unpacked (and then what
// the tree must look like).
import assert from "node:assert/strict";
import { lstatSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { dir, file, link, rawZip } from "./zip-builder.ts";

export const ESCAPE_DEPTH = 20;
const up = (n: number) => "../".repeat(n);
const UP = up(ESCAPE_DEPTH);

export interface HostileCase {
  name: string;
  zip: () => Buffer;
  expect: "refused" | "unpacked";
  /** Refused with AWS's unzipped-size message rather than "Could not unzip". */
  tooLarge?: boolean;
  /** For unpacked cases: what the code directory must hold. */
  check?: (codeDir: string) => void;
}

const isLink = (p: string) => lstatSync(p).isSymbolicLink();

/** The old attack: links to "." let a link of ESCAPE_DEPTH "../" look inside by its name, while on disk it leads out. */
function dotChain(depth: number, last: string): Buffer {
  const a = "a/".repeat(depth);
  return rawZip([link("a", "."), link(`${a}up`, up(depth)), link(`${a}up/sentinel`, last), file("index.js", "exports.handler=()=>1")]);
}

export const HOSTILE_ZIPS: HostileCase[] = [
  // ---- links whose resolution leaves the directory, alone or in chains ----
  { name: "dot-link chain then twenty ../ then an entry under it (the reported attack)", expect: "refused", zip: () => dotChain(ESCAPE_DEPTH, ".") },
  { name: "dot-link chain then twenty ../ then a file under it", expect: "refused", zip: () => rawZip([link("a", "."), link(`${"a/".repeat(ESCAPE_DEPTH)}up`, UP), file(`${"a/".repeat(ESCAPE_DEPTH)}up/sentinel/keep.txt`, "pwned")]) },
  { name: "x/y -> .., x/y/q -> ../.., x/y/q/victim -> .", expect: "refused", zip: () => rawZip([link("x/y", ".."), link("x/y/q", "../.."), link("x/y/q/victim", ".")]) },
  { name: "absolute link target", expect: "refused", zip: () => rawZip([link("passwd", "/etc/passwd")]) },
  { name: "link to the sentinel with twenty ../", expect: "refused", zip: () => rawZip([link("s", `${UP}sentinel`)]) },
  { name: "link one level above the code directory", expect: "refused", zip: () => rawZip([link("parent", "..")]) },
  { name: "link through a subdirectory name and back out", expect: "refused", zip: () => rawZip([dir("sub"), link("l", "sub/../../x")]) },
  { name: "link leaving through a link made later (b -> c/.., then c -> .)", expect: "refused", zip: () => rawZip([link("b", "c/.."), link("c", ".")]) },
  { name: "link to a link to the parent", expect: "refused", zip: () => rawZip([link("l1", "l2"), link("l2", "..")]) },
  { name: "dot links composed: l2 -> l1/l1/l1/..", expect: "refused", zip: () => rawZip([link("l1", "."), link("l2", "l1/l1/l1/..")]) },
  { name: "a subdirectory link whose ../ count looks right by name only", expect: "refused", zip: () => rawZip([dir("d/e"), link("d/e/f", "."), link("d/e/f/g", "../../..")]) },
  { name: "symbolic link loop", expect: "refused", zip: () => rawZip([link("l1", "l2"), link("l2", "l1")]) },
  { name: "41 links in a chain", expect: "refused", zip: () => rawZip([file("end.txt"), ...Array.from({ length: 41 }, (_, i) => link(`c${i}`, i === 40 ? "end.txt" : `c${i + 1}`))]) },
  { name: "link target with a NUL byte", expect: "refused", zip: () => rawZip([link("l", "ok\0/../../x")]) },
  { name: "link target of 5,000 characters", expect: "refused", zip: () => rawZip([link("l", "a/".repeat(2500))]) },
  // ---- entries written through links ----
  { name: "file under a link to a directory inside", expect: "refused", zip: () => rawZip([dir("real"), link("l", "real"), file("l/f.txt")]) },
  { name: "file under a link to the sentinel", expect: "refused", zip: () => rawZip([link("l", `${UP}sentinel`), file("l/keep.txt", "pwned")]) },
  { name: "directory entry under a link", expect: "refused", zip: () => rawZip([link("l", "."), dir("l/sub")]) },
  { name: "file after a link of the same name", expect: "refused", zip: () => rawZip([link("f", `${UP}sentinel/keep.txt`), file("f", "pwned")]) },
  { name: "link after a file of the same name", expect: "refused", zip: () => rawZip([file("f"), link("f", ".")]) },
  { name: "link after a directory of the same name", expect: "refused", zip: () => rawZip([dir("d"), file("d/x"), link("d", ".")]) },
  { name: "link entry named like a directory", expect: "refused", zip: () => rawZip([{ name: "l/", data: ".", mode: 0o120777, method: 0 }]) },
  { name: "case-folded link then a file under the other case", expect: "unpacked", zip: () => rawZip([link("Lib", "."), file("lib/x.js")]), check: (d) => {
    // On a case-sensitive file system both exist; on a folding one the file would meet the link and be refused.
    assert.ok(isLink(join(d, "Lib")));
    assert.equal(readFileSync(join(d, "lib/x.js"), "utf8"), "x");
  } },
  // ---- names ----
  { name: "../ in the name", expect: "refused", zip: () => rawZip([file(`${UP}sentinel/keep.txt`, "pwned")]) },
  { name: "../ in the middle of the name", expect: "refused", zip: () => rawZip([file("a/../../sentinel/keep.txt", "pwned")]) },
  { name: "backslash ..\\ in the name", expect: "refused", zip: () => rawZip([file("..\\..\\sentinel\\keep.txt", "pwned")]) },
  { name: "absolute name", expect: "refused", zip: () => rawZip([file("/tmp/hyperlocal-zip-absolute", "pwned")]) },
  { name: "absolute name with backslashes", expect: "refused", zip: () => rawZip([file("\\tmp\\hyperlocal-zip-absolute", "pwned")]) },
  { name: "drive letter name", expect: "refused", zip: () => rawZip([file("C:\\evil.txt")]) },
  { name: "NUL byte in a name", expect: "refused", zip: () => rawZip([file(Buffer.from("index.js\0../../x"))]) },
  { name: "name of 300 characters", expect: "refused", zip: () => rawZip([file(`${"n".repeat(300)}.js`)]) },
  { name: "path of 5,000 characters", expect: "refused", zip: () => rawZip([file(`${"abcd/".repeat(1000)}f.js`)]) },
  { name: "tree 2,100 levels deep", expect: "refused", zip: () => rawZip([file(`${"d/".repeat(2100)}f.js`)]) },
  { name: "tree 1,000 levels deep", expect: "unpacked", zip: () => rawZip([file(`${"d/".repeat(1000)}f.js`, "deep")]), check: (d) => {
    assert.equal(readFileSync(join(d, `${"d/".repeat(1000)}f.js`), "utf8"), "deep");
  } },
  { name: "file a, then an entry a/b", expect: "refused", zip: () => rawZip([file("a"), file("a/b")]) },
  { name: "directory a/b/, then a file a", expect: "refused", zip: () => rawZip([dir("a/b"), file("a")]) },
  { name: "duplicate file names", expect: "refused", zip: () => rawZip([file("index.js", "one"), file("index.js", "two")]) },
  { name: "duplicate names, one spelled ./", expect: "refused", zip: () => rawZip([file("index.js", "one"), file("./index.js", "two")]) },
  { name: "case-folded file names", expect: "unpacked", zip: () => rawZip([file("Index.js", "upper"), file("index.js", "lower")]), check: (d) => {
    assert.equal(readFileSync(join(d, "Index.js"), "utf8"), "upper");
    assert.equal(readFileSync(join(d, "index.js"), "utf8"), "lower");
  } },
  { name: "a file named .", expect: "refused", zip: () => rawZip([file(".")]) },
  { name: "windows separators", expect: "unpacked", zip: () => rawZip([file("lib\\util.js", "u")]), check: (d) => {
    assert.equal(readFileSync(join(d, "lib/util.js"), "utf8"), "u");
  } },
  // ---- entry types ----
  { name: "character device entry", expect: "refused", zip: () => rawZip([file("tty", "", 0o020666)]) },
  { name: "block device entry", expect: "refused", zip: () => rawZip([file("disk", "", 0o060660)]) },
  { name: "FIFO entry", expect: "refused", zip: () => rawZip([file("fifo", "", 0o010644)]) },
  { name: "socket entry", expect: "refused", zip: () => rawZip([file("sock", "", 0o140755)]) },
  { name: "directory entry with contents", expect: "refused", zip: () => rawZip([{ name: "d/", data: "surprise", mode: 0o040755 }]) },
  { name: "setuid and sticky bits", expect: "unpacked", zip: () => rawZip([file("bootstrap", "#!/bin/sh\n", 0o107755)]), check: (d) => {
    assert.equal(statSync(join(d, "bootstrap")).mode & 0o7777, 0o755);
  } },
  { name: "hard-link style: two names for one entry's bytes", expect: "refused", zip: () => rawZip([file("index.js", "code")], { aliases: [["other.js", 0]] }) },
  { name: "local header name differs from the central directory", expect: "refused", zip: () => rawZip([{ ...file("index.js"), localName: "../../x.js" }]) },
  // ---- sizes ----
  { name: "declared sizes beyond 262,144,000 bytes", expect: "refused", tooLarge: true, zip: () => rawZip([
    { name: "a.bin", body: deflateRawSync(Buffer.alloc(10)), crc: 0, declaredSize: 200_000_000 },
    { name: "b.bin", body: deflateRawSync(Buffer.alloc(10)), crc: 0, declaredSize: 200_000_000 },
  ]) },
  { name: "zip bomb: deflate stream longer than its declared size", expect: "refused", zip: () => rawZip([{ name: "bomb.bin", body: deflateRawSync(Buffer.alloc(20_000_000)), crc: 0, declaredSize: 1000 }]) },
  { name: "overlapping entries (one entry inside another's bytes)", expect: "refused", zip: () => rawZip([file("a.js", "A".repeat(100), 0o100644), file("b.js", "B")], {
    patch: (z, at) => {
      // b's central record points into the middle of a's data.
      const second = at.cdOffset + 46 + "a.js".length;
      z.writeUInt32LE(at.localOffsets[0] + 10, second + 42);
    },
  }) },
  // ---- corrupt archives ----
  { name: "empty file", expect: "refused", zip: () => Buffer.alloc(0) },
  { name: "not a zip", expect: "refused", zip: () => Buffer.from("#!/bin/sh\necho this is not a zip\n") },
  { name: "truncated archive", expect: "refused", zip: () => rawZip([{ ...file("index.js", "x".repeat(500)), method: 0 }]).subarray(0, 300) },
  { name: "central directory offset past the end", expect: "refused", zip: () => rawZip([file("index.js")], { patch: (z, at) => void z.writeUInt32LE(0x7fffffff, at.eocd + 16) }) },
  { name: "central directory signature broken", expect: "refused", zip: () => rawZip([file("index.js")], { patch: (z, at) => void z.writeUInt32LE(0x12345678, at.cdOffset) }) },
  { name: "entry count larger than the central directory", expect: "refused", zip: () => rawZip([file("index.js")], { patch: (z, at) => {
    z.writeUInt16LE(500, at.eocd + 8);
    z.writeUInt16LE(500, at.eocd + 10);
  } }) },
  { name: "name length running past the central directory", expect: "refused", zip: () => rawZip([file("index.js")], { patch: (z, at) => void z.writeUInt16LE(0xffff, at.cdOffset + 28) }) },
  { name: "multi-disk archive", expect: "refused", zip: () => rawZip([file("index.js")], { patch: (z, at) => void z.writeUInt16LE(1, at.eocd + 4) }) },
  { name: "zip64 markers without a zip64 record", expect: "refused", zip: () => rawZip([file("index.js")], { patch: (z, at) => void z.writeUInt32LE(0xffffffff, at.eocd + 16) }) },
  { name: "CRC mismatch", expect: "refused", zip: () => rawZip([{ ...file("index.js", "code"), crc: 0xdeadbeef }]) },
  { name: "broken deflate stream", expect: "refused", zip: () => rawZip([{ name: "index.js", body: Buffer.from("definitely not deflate data"), declaredSize: 10, crc: 0 }]) },
  { name: "encrypted entry", expect: "refused", zip: () => rawZip([{ ...file("index.js", "code"), flags: 0x801 }]) },
  { name: "strong encryption flag", expect: "refused", zip: () => rawZip([{ ...file("index.js", "code"), flags: 0x841 }]) },
  { name: "bzip2 compression (method 12)", expect: "refused", zip: () => rawZip([{ ...file("index.js", "code"), method: 12, body: Buffer.from("BZh91AY&SY") }]) },
  { name: "LZMA compression (method 14)", expect: "refused", zip: () => rawZip([{ ...file("index.js", "code"), method: 14, body: Buffer.from("lzma") }]) },
  { name: "AES (method 99)", expect: "refused", zip: () => rawZip([{ ...file("index.js", "code"), method: 99, body: Buffer.from("aes") }]) },
  // ---- links that are fine ----
  { name: "links that stay inside are kept", expect: "unpacked", zip: () => rawZip([
    file("lib/real/impl.js", "impl"),
    link("lib/current", "real"),
    link("sub/up", ".."),
    link("self", "."),
    link("x/y/q/victim", "."),
    ...Array.from({ length: 10 }, (_, i) => link(`chain${i}`, i === 9 ? "lib/current/impl.js" : `chain${i + 1}`)),
  ]), check: (d) => {
    assert.equal(readlinkSync(join(d, "lib/current")), "real");
    assert.equal(readFileSync(join(d, "lib/current/impl.js"), "utf8"), "impl");
    assert.equal(realpathSync(join(d, "sub/up")), realpathSync(d));
    assert.equal(readFileSync(join(d, "chain0"), "utf8"), "impl");
    assert.equal(realpathSync(join(d, "x/y/q/victim")), realpathSync(join(d, "x/y/q")));
  } },
];
