import type { IpAddr } from "./ip.ts";

/** How the internet treats an address. */
export const enum AddrClass {
  Public = 0,
  /** RFC 1918 (10/8, 172.16/12, 192.168/16) and IPv6 unique-local fc00::/7. */
  Private = 1,
  /** RFC 6598 shared address space 100.64/10. */
  Shared = 2,
  Loopback = 3,
  LinkLocal = 4,
  /** Unspecified, multicast, reserved and other addresses no internet route leads to. */
  Special = 5,
}

/**
 * Documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32) count as public:
 * tests use them as stand-ins for internet hosts (the model never opens a connection).
 */
export function classify(a: IpAddr): AddrClass {
  const w = a.w0;
  if (a.fam === 4) {
    const b0 = (w >>> 24) & 255;
    const b1 = (w >>> 16) & 255;
    if (b0 === 10 || (b0 === 172 && (b1 & 0xf0) === 16) || (b0 === 192 && b1 === 168)) return AddrClass.Private;
    if (b0 === 100 && (b1 & 0xc0) === 64) return AddrClass.Shared;
    if (b0 === 127) return AddrClass.Loopback;
    if (b0 === 169 && b1 === 254) return AddrClass.LinkLocal;
    if (b0 === 0 || b0 >= 224) return AddrClass.Special;
    if (b0 === 192 && b1 === 0 && ((w >>> 8) & 255) === 0) return AddrClass.Special; // 192.0.0/24 IETF
    if (b0 === 198 && (b1 & 0xfe) === 18) return AddrClass.Special; // 198.18/15 benchmarking
    return AddrClass.Public;
  }
  if (w === 0 && a.w1 === 0 && a.w2 === 0) return a.w3 === 1 ? AddrClass.Loopback : AddrClass.Special;
  const top16 = (w >>> 16) & 0xffff;
  if ((top16 & 0xfe00) === 0xfc00) return AddrClass.Private;
  if ((top16 & 0xffc0) === 0xfe80) return AddrClass.LinkLocal;
  if ((top16 & 0xe000) === 0x2000) return AddrClass.Public; // 2000::/3 global unicast
  return AddrClass.Special;
}
