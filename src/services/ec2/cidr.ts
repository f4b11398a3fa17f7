/**
 * IPv4 and IPv6 addresses and CIDR blocks, as bigints so one set of functions serves both
 * families. Pure: no state, no AWS semantics beyond parsing what AWS accepts.
 */
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
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const o = Number(p);
    if (o > 255) return undefined;
    n = (n << 8n) | BigInt(o);
  }
  return n;
}

export function formatIpv4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join(".");
}

/** RFC 4291 text forms, including "::" and an embedded dotted quad at the end. */
export function parseIpv6(s: string): bigint | undefined {
  if (s.length === 0 || s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let text = s;
  if (text.includes(".")) {
    // "::ffff:10.0.0.1": the dotted quad stands for the last two groups.
    const at = text.lastIndexOf(":");
    const v4 = parseIpv4(text.slice(at + 1));
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, at + 1)}${((v4 >> 16n) & 0xffffn).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (h: string): bigint[] | undefined => {
    if (h === "") return [];
    const out: bigint[] = [];
    for (const g of h.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !rest) return undefined;
  let filled: bigint[];
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return undefined;
    filled = [...head, ...new Array<bigint>(missing).fill(0n), ...rest];
  } else {
    if (head.length !== 8) return undefined;
    filled = head;
  }
  return filled.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** RFC 5952: lowercase, no leading zeros, the longest run (2+ groups) of zeros as "::". */
export function formatIpv6(n: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
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
