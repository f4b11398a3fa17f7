// Zip reading and writing for function code, with node:zlib only. Lambda unpacks a function's zip
// into /var/task; custom runtimes rely on the unix mode kept in the external attributes (their
// `bootstrap` must stay executable), so we read and write that too. Reading checks the archive's
// structure before anything is inflated; zip-extract.ts puts the entries on disk.
import { inflateRawSync, deflateRawSync } from "node:zlib";
import { crc32 } from "./crc32.ts";
import { ZipError } from "./zip-error.ts";
import { entrySegments } from "./zip-names.ts";

export { ZipError };

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** Unix mode including the file-type bits (0o100644, 0o100755, 0o40755, 0o120777), when the zip says. */
  mode?: number;
  isDirectory: boolean;
}

/** One central directory entry, checked but not inflated. */
export interface ZipRecord {
  name: string;
  /** Unix mode with its file-type bits, when the zip was made on unix and says. */
  mode?: number;
  /** The entry is a directory: its name ends in "/" or, for zips from DOS/Windows, the directory attribute is set. */
  isDirectory: boolean;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Where the entry's bytes start in the zip. */
  dataStart: number;
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
export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
const HOST_UNIX = 3;
const DOS_DIRECTORY = 0x10;
/** General purpose flags: 0 traditional encryption, 6 strong encryption, 13 encrypted central directory. */
const ENCRYPTED_FLAGS = 0x1 | 0x40 | 0x2000;
/** Lambda's limit for unzipped code (262,144,000 bytes); also our guard against zip bombs. */
export const MAX_UNZIPPED_BYTES = 262_144_000;

/** Every regular file in the zip by its path; directories and symlink entries are left out. */
export function readZip(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readZipEntries(buf)) {
    if (e.isDirectory || (e.mode !== undefined && (e.mode & S_IFMT) === S_IFLNK)) continue;
    out.set(e.name, e.data);
  }
  return out;
}

/** Every entry with its bytes inflated (small zips: tests and tools; unpacking inflates one at a time). */
export function readZipEntries(buf: Buffer): ZipEntry[] {
  return listZip(buf).map((r) => ({ name: r.name, data: entryData(buf, r), mode: r.mode, isDirectory: r.isDirectory }));
}

/**
 * The entries of a zip, after checking its structure: one disk, a central directory inside the file,
 * local headers that agree with it, no two entries sharing bytes (the trick behind the
 * overlapping-file zip bombs), no encryption, only stored and deflated entries, and a declared
 * total that fits Lambda's limit. Any structural problem is a ZipError, never a RangeError.
 */
export function listZip(buf: Buffer): ZipRecord[] {
  if (!Buffer.isBuffer(buf)) throw new ZipError("zip data must be a Buffer");
  try {
    return listChecked(buf);
  } catch (e) {
    if (e instanceof ZipError) throw e;
    // A length or offset the checks above missed made a Buffer read go out of range.
    throw new ZipError(`corrupt zip: ${(e as Error).message}`);
  }
}

/** The bytes of one entry, inflated and checked against its size and CRC. */
export function entryData(buf: Buffer, r: ZipRecord): Buffer {
  const raw = buf.subarray(r.dataStart, r.dataStart + r.compressedSize);
  let data: Buffer;
  if (r.method === 0) data = Buffer.from(raw);
  else {
    try {
      // maxOutputLength: a stream that inflates past its declared size fails here, not after.
      data = inflateRawSync(raw, { maxOutputLength: Math.max(r.size, 1) });
    } catch (e) {
      throw new ZipError(`cannot inflate ${r.name}: ${(e as Error).message}`);
    }
  }
  if (data.length !== r.size) throw new ZipError(`size mismatch for ${r.name}`);
  if (crc32(data) !== r.crc) throw new ZipError(`CRC mismatch for ${r.name}`);
  return data;
}

function listChecked(buf: Buffer): ZipRecord[] {
  const eocd = findEocd(buf);
  if (buf.readUInt16LE(eocd + 4) !== 0 || buf.readUInt16LE(eocd + 6) !== 0) throw new ZipError("multi-disk zips are not supported");
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    ({ count, cdSize, cdOffset } = readZip64Eocd(buf, eocd));
  }
  if (cdOffset + cdSize > buf.length) throw new ZipError("truncated zip: central directory outside the file");
  if (count * 46 > cdSize) throw new ZipError("corrupt zip: more entries than the central directory holds");
  const cdEnd = cdOffset + cdSize;

  const records: ZipRecord[] = [];
  const spans: [number, number][] = [];
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdEnd) throw new ZipError("corrupt zip: central directory entry runs past the directory");
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
    if (p + 46 + nameLen + extraLen + commentLen > cdEnd) throw new ZipError("corrupt zip: central directory entry runs past the directory");
    const rawName = buf.subarray(p + 46, p + 46 + nameLen);
    const extra = buf.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    p += 46 + nameLen + extraLen + commentLen;

    if (usize === 0xffffffff || csize === 0xffffffff || localOffset === 0xffffffff) {
      ({ usize, csize, localOffset } = readZip64Extra(extra, usize, csize, localOffset));
    }
    const name = rawName.toString("utf8");
    entrySegments(name); // a name no entry may have refuses the archive before anything is written
    if (flags & ENCRYPTED_FLAGS) throw new ZipError(`encrypted zip entries are not supported: ${name}`);
    if (method !== 0 && method !== 8) throw new ZipError(`unsupported compression method ${method} for ${name}`);
    if (method === 0 && csize !== usize) throw new ZipError(`stored entry ${name} has two sizes`);

    need(buf, localOffset, 30, "local file header");
    if (buf.readUInt32LE(localOffset) !== SIG_LOCAL) throw new ZipError("bad local file header signature");
    const localNameLen = buf.readUInt16LE(localOffset + 26);
    const localName = buf.subarray(localOffset + 30, localOffset + 30 + localNameLen);
    // Two names for one entry let two unzip tools see two different archives.
    if (!localName.equals(rawName)) throw new ZipError(`local header name differs from the central directory: ${name}`);
    if (buf.readUInt16LE(localOffset + 8) !== method) throw new ZipError(`local header method differs from the central directory: ${name}`);
    const dataStart = localOffset + 30 + localNameLen + buf.readUInt16LE(localOffset + 28);
    if (dataStart + csize > cdOffset) throw new ZipError(`truncated zip: the data of ${name} runs into the central directory`);
    spans.push([localOffset, dataStart + csize]);

    total += usize;
    if (total > MAX_UNZIPPED_BYTES) throw new ZipError(`zip expands beyond the ${MAX_UNZIPPED_BYTES} byte limit for unzipped code`, { tooLarge: true });
    const hostUnix = madeBy >> 8 === HOST_UNIX && external >>> 16 !== 0;
    const mode = hostUnix ? external >>> 16 : undefined;
    const isDirectory = name.endsWith("/") || (mode === undefined ? (external & DOS_DIRECTORY) !== 0 : (mode & S_IFMT) === S_IFDIR);
    records.push({ name, mode, isDirectory, method, crc, compressedSize: csize, size: usize, dataStart });
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) throw new ZipError("corrupt zip: two entries share bytes");
  }
  return records;
}

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

