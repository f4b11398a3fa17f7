// IPv4/IPv6 addresses and CIDR blocks for IpAddress/NotIpAddress. Addresses are four 32-bit
// words (IPv4 uses only the first) so a containment check is a few masked compares.

export interface IpAddr {
  readonly v6: boolean;
  readonly w: readonly [number, number, number, number];
}

export interface Cidr extends IpAddr {
  readonly prefix: number;
}

function parseV4(s: string): number | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const b = Number(p);
    if (b > 255) return undefined;
    n = n * 256 + b;
  }
  return n >>> 0;
}

function parseV6(input: string): [number, number, number, number] | undefined {
  let s = input;
  const pct = s.indexOf("%");
  if (pct >= 0) s = s.slice(0, pct); // zone id
  const groups: number[] = [];
  const dbl = s.indexOf("::");
  if (dbl !== s.lastIndexOf("::")) return undefined;
  const parseSide = (side: string, allowV4: boolean): number[] | undefined => {
    if (side === "") return [];
    const out: number[] = [];
    const items = side.split(":");
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (allowV4 && i === items.length - 1 && it.includes(".")) {
        const v4 = parseV4(it);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return undefined;
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  if (dbl >= 0) {
    const head = parseSide(s.slice(0, dbl), false);
    const tail = parseSide(s.slice(dbl + 2), true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  } else {
    const all = parseSide(s, true);
    if (!all || all.length !== 8) return undefined;
    groups.push(...all);
  }
  return [
    ((groups[0] << 16) | groups[1]) >>> 0,
    ((groups[2] << 16) | groups[3]) >>> 0,
    ((groups[4] << 16) | groups[5]) >>> 0,
    ((groups[6] << 16) | groups[7]) >>> 0,
  ];
}

/** Parses an address; IPv4-mapped IPv6 (::ffff:a.b.c.d, what node sockets report) becomes IPv4. */
export function parseIp(s: string): IpAddr | undefined {
  if (s.includes(":")) {
    const w = parseV6(s);
    if (!w) return undefined;
    if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return { v6: false, w: [w[3], 0, 0, 0] };
    return { v6: true, w };
  }
  const v4 = parseV4(s);
  return v4 === undefined ? undefined : { v6: false, w: [v4, 0, 0, 0] };
}

/** "203.0.113.0/24", "2001:DB8::/32", or a bare address (a /32 or /128). Host bits are ignored. */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf("/");
  const addr = parseIp(slash >= 0 ? s.slice(0, slash) : s);
  if (!addr) return undefined;
  const max = addr.v6 ? 128 : 32;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > max) return undefined;
  }
  return { v6: addr.v6, w: addr.w, prefix };
}

export function maskWord(bits: number): number {
  if (bits >= 32) return 0xffffffff;
  if (bits <= 0) return 0;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** IPv4 dotted quad to an unsigned 32-bit number, -1 when invalid; no allocation (hot path). */
export function parseV4Number(s: string): number {
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      octet = octet * 10 + (c - 0x30);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 0x2e) {
      if (digits === 0 || ++dots > 3) return -1;
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return (n * 256 + octet) >>> 0;
}

export function cidrContains(c: Cidr, ip: IpAddr): boolean {
  if (c.v6 !== ip.v6) return false;
  for (let i = 0; i < 4; i++) {
    const bits = c.prefix - i * 32;
    if (bits <= 0) return true;
    const m = maskWord(bits);
    if (((c.w[i] & m) >>> 0) !== ((ip.w[i] & m) >>> 0)) return false;
  }
  return true;
}
