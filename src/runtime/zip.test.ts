import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, lstatSync, readlinkSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { spawnSync } from "node:child_process";
import { readZip, readZipEntries, writeZip, ZipError } from "./zip.ts";
import { extractZip } from "./zip-extract.ts";
import { crc32 } from "./crc32.ts";

test("crc32 matches the standard check value", () => {
  assert.equal(crc32(Buffer.from("123456789")), 0xcbf43926);
  assert.equal(crc32(Buffer.alloc(0)), 0);
});

test("writeZip → readZip round trip keeps names and bytes", () => {
  const big = Buffer.alloc(200_000, "abcdefgh");
  const zip = writeZip([
    { name: "index.js", data: "exports.handler = async () => 1;\n" },
    { name: "lib/", data: "" },
    { name: "lib/deep/data.bin", data: big },
    { name: "empty.txt", data: "" },
    { name: "ünïcode.txt", data: "héllo" },
  ]);
  const files = readZip(zip);
  assert.deepEqual([...files.keys()].sort(), ["empty.txt", "index.js", "lib/deep/data.bin", "ünïcode.txt"]);
  assert.equal(files.get("index.js")!.toString(), "exports.handler = async () => 1;\n");
  assert.ok(files.get("lib/deep/data.bin")!.equals(big));
  assert.equal(files.get("empty.txt")!.length, 0);
  assert.equal(files.get("ünïcode.txt")!.toString(), "héllo");
  assert.ok(zip.length < 10_000, "deflated");
});

test("extractZip keeps the executable bit and directories", () => {
  const dir = mkdtempSync(join(tmpdir(), "zip-test-"));
  try {
    const zip = writeZip([
      { name: "bootstrap", data: "#!/bin/sh\necho hi\n", mode: 0o755 },
      { name: "lib/readme.txt", data: "x" },
      { name: "empty-dir/", data: "" },
    ]);
    const entries = readZipEntries(zip);
    assert.equal(entries.find((e) => e.name === "bootstrap")!.mode, 0o100755);
    extractZip(zip, dir);
    assert.equal(statSync(join(dir, "bootstrap")).mode & 0o777, 0o755);
    assert.equal(statSync(join(dir, "lib/readme.txt")).mode & 0o777, 0o644);
    assert.ok(statSync(join(dir, "empty-dir")).isDirectory());
    assert.equal(readFileSync(join(dir, "lib/readme.txt"), "utf8"), "x");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("zips made by the system's zip tool are readable, with their modes", (t) => {
  if (spawnSync("zip", ["-v"]).status !== 0) return t.skip("no zip tool on this machine");
  const dir = mkdtempSync(join(tmpdir(), "zip-tool-"));
  try {
    const src = join(dir, "src");
    spawnSync("sh", ["-c", `mkdir -p ${src}/a && printf 'run' > ${src}/run.sh && chmod 755 ${src}/run.sh && head -c 50000 /dev/zero > ${src}/a/zeros && ln -s run.sh ${src}/link`]);
    const r = spawnSync("sh", ["-c", `cd ${src} && zip -qry ../out.zip .`]);
    assert.equal(r.status, 0);
    const zip = readFileSync(join(dir, "out.zip"));
    const files = readZip(zip);
    assert.equal(files.get("run.sh")!.toString(), "run");
    assert.equal(files.get("a/zeros")!.length, 50000);
    extractZip(zip, join(dir, "out"));
    assert.equal(statSync(join(dir, "out/run.sh")).mode & 0o777, 0o755);
    assert.ok(lstatSync(join(dir, "out/link")).isSymbolicLink());
    assert.equal(readlinkSync(join(dir, "out/link")), "run.sh");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A zip with one raw entry, for building broken or hostile archives by hand. */
function handmade(name: string, data: Buffer, opts: { method?: number; crc?: number; extAttr?: number; madeBy?: number } = {}): Buffer {
  const method = opts.method ?? 8;
  const body = method === 8 ? deflateRawSync(data) : data;
  const nameBuf = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(method, 8);
  local.writeUInt32LE(opts.crc ?? crc32(data), 14);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(opts.madeBy ?? 0x0314, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(method, 10);
  central.writeUInt32LE(opts.crc ?? crc32(data), 16);
  central.writeUInt32LE(body.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBuf.length, 28);
  central.writeUInt32LE(opts.extAttr ?? (0o100644 << 16) >>> 0, 38);
  central.writeUInt32LE(0, 42);
  const cdOffset = local.length + nameBuf.length + body.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(central.length + nameBuf.length, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, nameBuf, body, central, nameBuf, eocd]);
}

test("corrupt and hostile zips throw ZipError", () => {
  const good = writeZip([{ name: "a.txt", data: "hello hello hello" }]);
  const cases: [string, Buffer][] = [
    ["empty", Buffer.alloc(0)],
    ["not a zip", Buffer.from("this is not a zip file at all, just text")],
    ["truncated", good.subarray(0, good.length - 30)],
    ["truncated data", Buffer.concat([good.subarray(0, 20), good.subarray(good.length - 22)])],
    ["bad crc", handmade("a.txt", Buffer.from("abc"), { crc: 1234 })],
    ["unsupported method", handmade("a.txt", Buffer.from("abc"), { method: 12 })],
    ["path traversal", handmade("../evil.txt", Buffer.from("x"))],
    ["nested traversal", handmade("ok/../../evil.txt", Buffer.from("x"))],
    ["absolute path", handmade("/etc/evil", Buffer.from("x"))],
    ["backslash traversal", handmade("..\\evil.txt", Buffer.from("x"))],
  ];
  const badSig = Buffer.from(good);
  badSig.writeUInt32LE(0x12345678, 0);
  cases.push(["bad local signature", badSig]);
  const badDeflate = handmade("a.txt", Buffer.from("abc"), { method: 0 });
  badDeflate.writeUInt16LE(8, 8); // claims deflate, holds stored bytes
  const cdAt = badDeflate.readUInt32LE(badDeflate.length - 6);
  badDeflate.writeUInt16LE(8, cdAt + 10);
  cases.push(["bad deflate stream", badDeflate]);
  for (const [what, buf] of cases) {
    assert.throws(() => readZip(buf), ZipError, what);
  }
});

test("extractZip refuses symlinks that leave the directory", () => {
  const dir = mkdtempSync(join(tmpdir(), "zip-link-"));
  try {
    const zip = handmade("link", Buffer.from("../../etc/passwd"), { method: 0, extAttr: (0o120777 << 16) >>> 0 });
    assert.throws(() => extractZip(zip, join(dir, "out")), ZipError);
    const abs = handmade("link", Buffer.from("/etc/passwd"), { method: 0, extAttr: (0o120777 << 16) >>> 0 });
    assert.throws(() => extractZip(abs, join(dir, "out2")), ZipError);
    assert.equal(existsSync(join(dir, "out2", "link")), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("zips from non-unix hosts get default permissions", () => {
  const dir = mkdtempSync(join(tmpdir(), "zip-dos-"));
  try {
    const zip = handmade("bootstrap", Buffer.from("x"), { madeBy: 0x0014, extAttr: 0x20 });
    assert.equal(readZipEntries(zip)[0].mode, undefined);
    extractZip(zip, dir);
    assert.equal(statSync(join(dir, "bootstrap")).mode & 0o777, 0o644);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
