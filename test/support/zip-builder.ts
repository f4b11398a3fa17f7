// A zip writer that does whatever it is told, for building malformed and hostile archives in
// tests: raw names (NUL bytes, backslashes), any unix mode (links, devices), any method or flag,
// lying sizes and CRCs, a local name other than the central one, extra central records pointing
// at another entry's bytes. The product's own writer (src/runtime/zip.ts writeZip) stays honest.
import { deflateRawSync } from "node:zlib";
import { crc32 } from "../../src/runtime/crc32.ts";

export interface RawEntry {
  name: string | Buffer;
  data?: Buffer | string;
  /** Full unix mode with type bits (0o100644, 0o120777 for a link, 0o020644 for a device...). */
  mode?: number;
  /** Compression method written in both headers; only 0 and 8 actually compress. Default 8. */
  method?: number;
  flags?: number;
  crc?: number;
  /** The uncompressed size the headers declare (default: the real one). */
  declaredSize?: number;
  /** The bytes stored as the entry's data, instead of compressing `data`. */
  body?: Buffer;
  /** Host in "version made by" (3 unix, 0 DOS); default 3. */
  host?: number;
  externalLow?: number;
  /** A different name in the local header than in the central directory. */
  localName?: string;
}

export interface RawZipOptions {
  /** More central records: [name, index of the entry whose local header they point at]. */
  aliases?: [string, number][];
  /** Change the finished end-of-central-directory record or the whole buffer. */
  patch?: (zip: Buffer, at: { cdOffset: number; eocd: number; localOffsets: number[] }) => Buffer | void;
}

export function link(name: string, target: string): RawEntry {
  return { name, data: target, mode: 0o120777, method: 0 };
}

export function file(name: string | Buffer, data: string | Buffer = "x", mode = 0o100644): RawEntry {
  return { name, data, mode };
}

export function dir(name: string): RawEntry {
  return { name: name.endsWith("/") ? name : `${name}/`, data: "", mode: 0o040755, method: 0 };
}

export function rawZip(entries: RawEntry[], opts: RawZipOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const localOffsets: number[] = [];
  const headers: { central: Buffer; name: Buffer }[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? "", "utf8");
    const name = Buffer.isBuffer(e.name) ? e.name : Buffer.from(e.name, "utf8");
    const localName = e.localName === undefined ? name : Buffer.from(e.localName, "utf8");
    const method = e.method ?? 8;
    const body = e.body ?? (method === 8 ? deflateRawSync(data) : data);
    const crc = e.crc ?? crc32(data);
    const size = e.declaredSize ?? data.length;
    const flags = e.flags ?? 0x800;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size >>> 0, 22);
    local.writeUInt16LE(localName.length, 26);
    localOffsets.push(offset);
    locals.push(local, localName, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(((e.host ?? 3) << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size >>> 0, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((((e.mode ?? 0) & 0xffff) << 16 | (e.externalLow ?? 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    headers.push({ central, name });
    offset += 30 + localName.length + body.length;
  }
  for (const h of headers) centrals.push(h.central, h.name);
  for (const [aliasName, index] of opts.aliases ?? []) {
    const central = Buffer.from(headers[index].central);
    const name = Buffer.from(aliasName, "utf8");
    central.writeUInt16LE(name.length, 28);
    centrals.push(central, name);
  }
  const cd = Buffer.concat(centrals);
  const count = entries.length + (opts.aliases?.length ?? 0);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(count, 8);
  eocd.writeUInt16LE(count, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  const zip = Buffer.concat([...locals, cd, eocd]);
  return (opts.patch?.(zip, { cdOffset: offset, eocd: zip.length - 22, localOffsets }) as Buffer | undefined) ?? zip;
}
