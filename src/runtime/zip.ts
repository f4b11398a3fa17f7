// Zip reading and writing for function code, with node:zlib only. Lambda unpacks a function's zip
// into /var/task; custom runtimes rely on the unix mode kept in the external attributes (their
// `bootstrap` must stay executable), so we read and write that too.
import { inflateRawSync, deflateRawSync } from "node:zlib";
import { mkdirSync, writeFileSync, symlinkSync, chmodSync, rmSync, lstatSync } from "node:fs";
import { resolve, dirname, sep } from "node:path";
import { crc32 } from "./crc32.ts";

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ZipError";
  }
}

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** Unix mode including the file-type bits (0o100644, 0o100755, 0o40755, 0o120777), when the zip says. */
  mode?: number;
  isDirectory: boolean;
}

export interface ZipInput {
  name: string;
  data: Buffer | string;
  /** Unix permission bits (0o755) or a full mode; default 0o644 (0o755 for directories). */
  mode?: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const HOST_UNIX = 3;
/** Guard against zip bombs: Lambda's own limit for unzipped code is 250 MB. */
const MAX_UNCOMPRESSED = 262_144_000;

/** Every regular file in the zip by its path; directories and symlink entries are left out. */
export function readZip(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readZipEntries(buf)) {
    if (e.isDirectory || (e.mode !== undefined && (e.mode & S_IFMT) === S_IFLNK)) continue;
    out.set(e.name, e.data);
  }
  return out;
}

export function readZipEntries(buf: Buffer): ZipEntry[] {
  if (!Buffer.isBuffer(buf)) throw new ZipError("zip data must be a Buffer");
  const eocd = findEocd(buf);
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    ({ count, cdSize, cdOffset } = readZip64Eocd(buf, eocd));
  }
  if (cdOffset + cdSize > buf.length) throw new ZipError("truncated zip: central directory outside the file");

  const entries: ZipEntry[] = [];
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    need(buf, p, 46, "central directory entry");
    if (buf.readUInt32LE(p) !== SIG_CENTRAL) throw new ZipError("bad central directory signature");
    const madeBy = buf.readUInt16LE(p + 4);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    let csize = buf.readUInt32LE(p + 20);
    let usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    let localOffset = buf.readUInt32LE(p + 42);
    need(buf, p + 46, nameLen + extraLen + commentLen, "central directory entry");
    const rawName = buf.subarray(p + 46, p + 46 + nameLen);
    const extra = buf.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    p += 46 + nameLen + extraLen + commentLen;

    if (usize === 0xffffffff || csize === 0xffffffff || localOffset === 0xffffffff) {
      ({ usize, csize, localOffset } = readZip64Extra(extra, usize, csize, localOffset));
    }
    if (flags & 0x1) throw new ZipError("encrypted zip entries are not supported");
    const name = checkName(rawName.toString("utf8"));
    const isDirectory = name.endsWith("/");
    const mode = madeBy >> 8 === HOST_UNIX && external >>> 16 !== 0 ? external >>> 16 : undefined;

    need(buf, localOffset, 30, "local file header");
    if (buf.readUInt32LE(localOffset) !== SIG_LOCAL) throw new ZipError("bad local file header signature");
    const dataStart = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    need(buf, dataStart, csize, "entry data");
    const raw = buf.subarray(dataStart, dataStart + csize);

    total += usize;
    if (total > MAX_UNCOMPRESSED) throw new ZipError("zip expands beyond the 262144000 byte limit for unzipped code");
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) {
      try {
        data = inflateRawSync(raw, { maxOutputLength: Math.max(usize, 1) });
      } catch (e) {
        throw new ZipError(`cannot inflate ${name}: ${(e as Error).message}`);
      }
    } else throw new ZipError(`unsupported compression method ${method} for ${name}`);
    if (data.length !== usize) throw new ZipError(`size mismatch for ${name}`);
    if (crc32(data) !== crc) throw new ZipError(`CRC mismatch for ${name}`);
    entries.push({ name, data, mode, isDirectory });
  }
  return entries;
}

/**
 * Unpack into dir (created if missing). Regular files keep their unix permission bits; zips made
 * on other systems get 0644. Symlinks are created last, so no entry can be written through one,
 * and only when their target stays inside dir.
 */
export function extractZip(buf: Buffer, dir: string): void {
  const entries = readZipEntries(buf);
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const links: { path: string; target: string }[] = [];
  for (const e of entries) {
    const path = resolve(root, e.name);
    if (path !== root && !path.startsWith(root + sep)) throw new ZipError(`entry escapes the target directory: ${e.name}`);
    const type = e.mode === undefined ? 0 : e.mode & S_IFMT;
    if (e.isDirectory || type === S_IFDIR) {
      mkdirSync(path, { recursive: true });
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    if (type === S_IFLNK) {
      links.push({ path, target: e.data.toString("utf8") });
      continue;
    }
    const perm = e.mode === undefined ? 0o644 : e.mode & 0o777;
    removeIfLink(path);
    writeFileSync(path, e.data, { mode: perm });
    chmodSync(path, perm); // writeFileSync's mode is filtered by the umask and ignored for existing files
  }
  for (const l of links) {
    const target = resolve(dirname(l.path), l.target);
    if (l.target.startsWith("/") || (target !== root && !target.startsWith(root + sep))) {
      throw new ZipError(`symlink points outside the code directory: ${l.path.slice(root.length + 1)} -> ${l.target}`);
    }
    rmSync(l.path, { force: true, recursive: true });
    symlinkSync(l.target, l.path);
  }
}

/** Build a zip (deflate, unix modes in the external attributes, fixed timestamps for stable hashes). */
export function writeZip(entries: ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const input of entries) {
    const isDir = input.name.endsWith("/");
    const data = isDir ? Buffer.alloc(0) : Buffer.isBuffer(input.data) ? input.data : Buffer.from(input.data, "utf8");
    const name = Buffer.from(input.name, "utf8");
    const method = isDir ? 0 : 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const crc = crc32(data);
    let mode = input.mode ?? (isDir ? 0o755 : 0o644);
    if ((mode & S_IFMT) === 0) mode |= isDir ? S_IFDIR : S_IFREG;
    const flags = /[^\x20-\x7e]/.test(input.name) ? 0x800 : 0; // bit 11: name is UTF-8
    const dosDate = (0 << 9) | (1 << 5) | 1; // 1980-01-01
    const dosTime = 0;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(SIG_LOCAL, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(SIG_CENTRAL, 0);
    central.writeUInt16LE((HOST_UNIX << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((mode & 0xffff) << 16 | (isDir ? 0x10 : 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(SIG_EOCD, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

function findEocd(buf: Buffer): number {
  if (buf.length < 22) throw new ZipError("not a zip file: too short");
  const stop = Math.max(0, buf.length - 22 - 0xffff);
  for (let p = buf.length - 22; p >= stop; p--) {
    if (buf.readUInt32LE(p) === SIG_EOCD && p + 22 + buf.readUInt16LE(p + 20) <= buf.length) return p;
  }
  throw new ZipError("not a zip file: end of central directory not found");
}

function readZip64Eocd(buf: Buffer, eocd: number): { count: number; cdSize: number; cdOffset: number } {
  const loc = eocd - 20;
  if (loc < 0 || buf.readUInt32LE(loc) !== SIG_ZIP64_LOCATOR) throw new ZipError("bad zip64 end of central directory locator");
  const rec = Number(buf.readBigUInt64LE(loc + 8));
  need(buf, rec, 56, "zip64 end of central directory");
  if (buf.readUInt32LE(rec) !== SIG_ZIP64_EOCD) throw new ZipError("bad zip64 end of central directory signature");
  return {
    count: Number(buf.readBigUInt64LE(rec + 32)),
    cdSize: Number(buf.readBigUInt64LE(rec + 40)),
    cdOffset: Number(buf.readBigUInt64LE(rec + 48)),
  };
}

function readZip64Extra(extra: Buffer, usize: number, csize: number, localOffset: number) {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const take = () => {
        if (q + 8 > p + 4 + len) throw new ZipError("truncated zip64 extra field");
        const v = Number(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (usize === 0xffffffff) usize = take();
      if (csize === 0xffffffff) csize = take();
      if (localOffset === 0xffffffff) localOffset = take();
      return { usize, csize, localOffset };
    }
    p += 4 + len;
  }
  throw new ZipError("zip64 sizes announced but no zip64 extra field");
}

function need(buf: Buffer, at: number, len: number, what: string): void {
  if (at < 0 || at + len > buf.length) throw new ZipError(`truncated zip: ${what} runs past the end`);
}

function checkName(name: string): string {
  if (name.length === 0 || name.includes("\0")) throw new ZipError("invalid entry name");
  const parts = name.split(/[\\/]/);
  if (name.startsWith("/") || name.startsWith("\\") || /^[a-zA-Z]:/.test(name) || parts.includes("..")) {
    throw new ZipError(`unsafe entry path: ${name}`);
  }
  return name;
}

function removeIfLink(path: string): void {
  try {
    if (lstatSync(path).isSymbolicLink()) rmSync(path);
  } catch {
    // nothing there yet
  }
}

