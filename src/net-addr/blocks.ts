/**
 * EC2's view of addresses and blocks: strict text as EC2 accepts it (no leading zeros, no zone id,
 * a prefix always) and bigints, so one set of functions does block arithmetic (offsets, sizes,
 * sub-blocks) for both families. Parsing and formatting are ip.ts's; this adds the arithmetic.
 */
import { formatIpv4 as formatWord, formatIpv6 as formatWords, parseIpv4Word, parseIpv6Only } from "./ip.ts";

export type Family = 4 | 6;

export interface Ip {
  v: Family;
  value: bigint;
}

export interface Cidr {
  v: Family;
  /** The network address (host bits may be set when parsed loosely; see isAligned). */
  base: bigint;
  prefix: number;
}

export function bits(v: Family): number {
  return v === 4 ? 32 : 128;
}

/** Dotted quad, each octet 0-255 without leading zeros (AWS rejects "10.0.01.0"). */
export function parseIpv4(s: string): bigint | undefined {
  const w = parseIpv4Word(s);
  return w === undefined ? undefined : BigInt(w >>> 0);
}

export function formatIpv4(n: bigint): string {
  return formatWord(Number(n & 0xffffffffn));
}

/** RFC 4291 text forms, including "::" and an embedded dotted quad at the end; no zone id. */
export function parseIpv6(s: string): bigint | undefined {
  if (s.length === 0 || s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const a = parseIpv6Only(s);
  if (!a) return undefined;
  return (BigInt(a.w0 >>> 0) << 96n) | (BigInt(a.w1 >>> 0) << 64n) | (BigInt(a.w2 >>> 0) << 32n) | BigInt(a.w3 >>> 0);
}

/** RFC 5952: lowercase, no leading zeros, the longest run (2+ groups) of zeros as "::". */
export function formatIpv6(n: bigint): string {
  const word = (shift: bigint) => Number((n >> shift) & 0xffffffffn);
  return formatWords(word(96n), word(64n), word(32n), word(0n));
}

export function parseIp(s: string, v?: Family): Ip | undefined {
  if (v !== 6) {
    const a = parseIpv4(s);
    if (a !== undefined) return { v: 4, value: a };
  }
  if (v !== 4 && s.includes(":")) {
    const b = parseIpv6(s);
    if (b !== undefined) return { v: 6, value: b };
  }
  return undefined;
}

export function formatIp(ip: Ip): string {
  return ip.v === 4 ? formatIpv4(ip.value) : formatIpv6(ip.value);
}

/** "a.b.c.d/n" or "x::/n"; the prefix is required. Host bits may be set: check isAligned. */
export function parseCidr(s: string, v?: Family): Cidr | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIp(s.slice(0, slash), v);
  const p = s.slice(slash + 1);
  if (!ip || !/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
  const prefix = Number(p);
  if (prefix > bits(ip.v)) return undefined;
  return { v: ip.v, base: ip.value, prefix };
}

function hostMask(c: { v: Family; prefix: number }): bigint {
  return (1n << BigInt(bits(c.v) - c.prefix)) - 1n;
}

/** True when no host bits are set: "10.0.0.0/16" yes, "10.0.0.1/16" no. */
export function isAligned(c: Cidr): boolean {
  return (c.base & hostMask(c)) === 0n;
}

export function network(c: Cidr): Cidr {
  return { v: c.v, base: c.base & ~hostMask(c), prefix: c.prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp({ v: c.v, value: c.base })}/${c.prefix}`;
}

/** The canonical text of a CIDR string ("2600:1F18::/56" → "2600:1f18::/56"), or undefined. */
export function canonicalCidr(s: string, v?: Family): string | undefined {
  const c = parseCidr(s, v);
  return c ? formatCidr(c) : undefined;
}

export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(bits(c.v) - c.prefix);
}

export function containsIp(c: Cidr, ip: Ip): boolean {
  return c.v === ip.v && (ip.value & ~hostMask(c)) === (c.base & ~hostMask(c));
}

/** outer contains inner (equal blocks contain each other). */
export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return outer.v === inner.v && inner.prefix >= outer.prefix && containsIp(outer, { v: inner.v, value: inner.base });
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return containsCidr(a, b) || containsCidr(b, a);
}

/** The address at an offset inside a block. */
export function addressAt(c: Cidr, offset: bigint): Ip {
  return { v: c.v, value: (c.base & ~hostMask(c)) + offset };
}

/** The offset of an address inside a block, or undefined when outside. */
export function offsetOf(c: Cidr, ip: Ip): bigint | undefined {
  if (!containsIp(c, ip)) return undefined;
  return ip.value - (c.base & ~hostMask(c));
}

/** The n-th block of a given prefix length inside a block (e.g. the 3rd /64 of a /56). */
export function subBlock(c: Cidr, prefix: number, index: bigint): Cidr {
  const step = 1n << BigInt(bits(c.v) - prefix);
  return { v: c.v, base: (c.base & ~hostMask(c)) + step * index, prefix };
}
