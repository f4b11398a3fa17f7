// The one IPv4/IPv6 address and CIDR library (the network model, IAM's IpAddress conditions, and,
// through blocks.ts, EC2). Addresses are four signed 32-bit words (IPv4 uses w0 only), so a
// containment test is a few masked integer compares with no allocation. Signed words (`| 0`)
// keep every value a V8 small integer and let `(a & m) === b` compare without `>>> 0`.
//
// Strict by default: an octet with a leading zero ("10.0.01.1", ambiguous: octal?) is refused,
// as EC2 refuses it. IAM's condition operators accept it ({ lenient: true }), as they always have.

/** Parsing choices of one caller. */
export interface ParseOptions {
  /** Octets may have leading zeros ("010.0.0.1" is 10.0.0.1): IAM's IpAddress values. */
  lenient?: boolean;
  /** An IPv4-mapped IPv6 block address folds to IPv4 in a CIDR too (so "::ffff:a.b.c.d/104" is refused). */
  mappedCidrAsV4?: boolean;
}

export type Family = 4 | 6;

export interface IpAddr {
  readonly fam: Family;
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  /** The text it was parsed from (or formatted as). */
  readonly text: string;
}

export interface Cidr {
  readonly fam: Family;
  /** The network address, already masked. */
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  readonly m0: number;
  readonly m1: number;
  readonly m2: number;
  readonly m3: number;
  readonly prefix: number;
  readonly text: string;
}

/** The mask of word `i` (0-3) for a prefix length counted over the whole address. */
export function maskWord(prefix: number, i: number): number {
  const bits = prefix - 32 * i;
  if (bits <= 0) return 0;
  if (bits >= 32) return -1;
  return (-1 << (32 - bits)) | 0;
}

/** Dotted quad to a signed word; -1 is a valid result (255.255.255.255), so failure is undefined. */
export function parseIpv4Word(s: string, start = 0, end = s.length, lenient = false): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0 && !lenient) return undefined; // leading zero ("01") is ambiguous (octal); refuse
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      value = (value << 8) | octet;
      octet = 0;
      digits = 0;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return ((value << 8) | octet) | 0;
}

const groups = new Int32Array(8);

/** RFC 4291 text (with "::" and a trailing dotted quad) into `groups`; false when malformed. */
function parseIpv6Groups(s: string, lenient: boolean): boolean {
  let end = s.length;
  const pct = s.indexOf("%");
  if (pct >= 0) end = pct; // zone id ("fe80::1%eth0")
  if (end === 0) return false;
  let n = 0;
  let gap = -1;
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (end < 2 || s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
    if (i === end) {
      groups.fill(0);
      return true;
    }
  }
  while (i < end) {
    if (n >= 8) return false;
    // A group: up to four hex digits, or a dotted quad as the last two groups.
    let j = i;
    let value = 0;
    let isV4 = false;
    while (j < end) {
      const c = s.charCodeAt(j);
      if (c === 58) break;
      if (c === 46) {
        isV4 = true;
        break;
      }
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else return false;
      value = (value << 4) | d;
      j++;
    }
    if (isV4) {
      if (n > 6) return false;
      const v4 = parseIpv4Word(s, i, end, lenient);
      if (v4 === undefined) return false;
      groups[n++] = (v4 >>> 16) & 0xffff;
      groups[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    const len = j - i;
    if (len === 0 || len > 4) return false;
    groups[n++] = value;
    if (j === end) {
      i = end;
      break;
    }
    // j is at ':'
    if (j + 1 < end && s.charCodeAt(j + 1) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i = j + 2;
      if (i === end) break;
    } else {
      i = j + 1;
      if (i === end) return false; // trailing single ':'
    }
  }
  if (gap >= 0) {
    if (n > 7) return false;
    const move = n - gap;
    for (let k = 0; k < move; k++) groups[7 - k] = groups[n - 1 - k];
    for (let k = gap; k < 8 - move; k++) groups[k] = 0;
  } else if (n !== 8) return false;
  return true;
}

/**
 * Parse an IPv4 or IPv6 address. IPv4-mapped IPv6 (::ffff:10.0.0.1, as dual-stack sockets report
 * IPv4 peers) becomes the IPv4 address, because that is the packet that goes on the wire.
 */
export function parseIp(s: string, opts: ParseOptions = {}): IpAddr | undefined {
  if (s.indexOf(":") < 0) return parseIpv4Only(s, opts.lenient);
  if (!parseIpv6Groups(s, opts.lenient === true)) return undefined;
  const w0 = (groups[0] << 16) | groups[1];
  const w1 = (groups[2] << 16) | groups[3];
  const w2 = (groups[4] << 16) | groups[5];
  const w3 = (groups[6] << 16) | groups[7];
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return { fam: 4, w0: w3, w1: 0, w2: 0, w3: 0, text: formatIpv4(w3) };
  return { fam: 6, w0, w1, w2, w3, text: s };
}

/** "10.0.0.0/16", "2001:db8::/32", or a bare address (a /32 or /128). Host bits are masked off. */
export function parseCidr(s: string, opts: ParseOptions = {}): Cidr | undefined {
  const slash = s.indexOf("/");
  const addrText = slash < 0 ? s : s.slice(0, slash);
  const a = opts.mappedCidrAsV4 ? parseIp(addrText, opts) : addrText.indexOf(":") < 0 ? parseIpv4Only(addrText, opts.lenient) : parseIpv6Only(addrText, opts.lenient);
  if (!a) return undefined;
  const max = a.fam === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > max) return undefined;
  }
  const m0 = maskWord(prefix, 0);
  const m1 = a.fam === 4 ? 0 : maskWord(prefix, 1);
  const m2 = a.fam === 4 ? 0 : maskWord(prefix, 2);
  const m3 = a.fam === 4 ? 0 : maskWord(prefix, 3);
  return { fam: a.fam, w0: a.w0 & m0, w1: a.w1 & m1, w2: a.w2 & m2, w3: a.w3 & m3, m0, m1, m2, m3, prefix, text: s };
}

export function parseIpv4Only(s: string, lenient = false): IpAddr | undefined {
  const w = parseIpv4Word(s, 0, s.length, lenient);
  return w === undefined ? undefined : { fam: 4, w0: w, w1: 0, w2: 0, w3: 0, text: s };
}

/** IPv6 without the IPv4-mapped folding: a CIDR like ::ffff:0:0/96 stays IPv6. */
export function parseIpv6Only(s: string, lenient = false): IpAddr | undefined {
  if (!parseIpv6Groups(s, lenient)) return undefined;
  return {
    fam: 6,
    w0: (groups[0] << 16) | groups[1],
    w1: (groups[2] << 16) | groups[3],
    w2: (groups[4] << 16) | groups[5],
    w3: (groups[6] << 16) | groups[7],
    text: s,
  };
}

export function cidrContains(c: Cidr, a: IpAddr): boolean {
  if (c.fam !== a.fam) return false;
  if ((a.w0 & c.m0) !== c.w0) return false;
  if (c.fam === 4) return true;
  return (a.w1 & c.m1) === c.w1 && (a.w2 & c.m2) === c.w2 && (a.w3 & c.m3) === c.w3;
}

export function sameAddr(a: IpAddr, b: IpAddr): boolean {
  return a.fam === b.fam && a.w0 === b.w0 && a.w1 === b.w1 && a.w2 === b.w2 && a.w3 === b.w3;
}

export function formatIpv4(w: number): string {
  return `${(w >>> 24) & 255}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
}

export function ipv4(w: number): IpAddr {
  return { fam: 4, w0: w | 0, w1: 0, w2: 0, w3: 0, text: formatIpv4(w) };
}

/** The address `offset` above a CIDR's network address (IPv4 only; used for VPC base + 2). */
export function cidrOffset(c: Cidr, offset: number): IpAddr {
  return ipv4((c.w0 + offset) | 0);
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run of two or more zero groups as "::". */
export function formatIpv6(w0: number, w1: number, w2: number, w3: number): string {
  const g = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

export function ipv6(w0: number, w1: number, w2: number, w3: number): IpAddr {
  return { fam: 6, w0: w0 | 0, w1: w1 | 0, w2: w2 | 0, w3: w3 | 0, text: formatIpv6(w0, w1, w2, w3) };
}
