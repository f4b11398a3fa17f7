import { addressAt, cidrSize, formatIp, offsetOf, parseCidr, parseIp, type Cidr } from "../../net-addr/blocks.ts";

/**
 * The addresses handed out from one subnet CIDR block, as plain JSON kept in the subnet's state.
 * AWS reserves the first four addresses (network, VPC router, DNS, future use) and the last one
 * of every subnet block, IPv4 and IPv6 alike. Allocation takes the lowest free address: `cursor`
 * is a low-water mark below which every address is taken, so sequential allocation is O(1)
 * amortized and a released address is found again first.
 */
export interface AddressPool {
  /** address text (canonical) → the id of what holds it (an eni-) */
  used: Record<string, string>;
  count: number;
  /** every usable offset below this one is taken */
  cursor: number;
}

export const RESERVED_AT_START = 4;
export const RESERVED_COUNT = 5;

export function newPool(): AddressPool {
  return { used: {}, count: 0, cursor: RESERVED_AT_START };
}

function block(cidr: string): Cidr {
  const c = parseCidr(cidr);
  if (!c) throw new Error(`not a CIDR block: ${cidr}`);
  return c;
}

/** Usable addresses in the block, whether free or not (IPv6 blocks are capped at 2^53). */
export function usableCount(cidr: string): number {
  const size = cidrSize(block(cidr));
  const usable = size - BigInt(RESERVED_COUNT);
  if (usable <= 0n) return 0;
  return usable > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(usable);
}

export function freeCount(pool: AddressPool, cidr: string): number {
  return Math.max(0, usableCount(cidr) - pool.count);
}

export type ClaimResult = "ok" | "outside" | "reserved" | "in-use";

/** What claiming this exact address would give, without claiming it. */
export function checkClaim(pool: AddressPool, cidr: string, address: string): ClaimResult {
  const c = block(cidr);
  const ip = parseIp(address, c.v);
  const off = ip ? offsetOf(c, ip) : undefined;
  if (!ip || off === undefined) return "outside";
  if (off < BigInt(RESERVED_AT_START) || off === cidrSize(c) - 1n) return "reserved";
  return pool.used[formatIp(ip)] !== undefined ? "in-use" : "ok";
}

/** Take a chosen address; returns its canonical text, or why it cannot be taken. */
export function claim(pool: AddressPool, cidr: string, address: string, holder: string): { ok: true; address: string } | { ok: false; reason: Exclude<ClaimResult, "ok"> } {
  const r = checkClaim(pool, cidr, address);
  if (r !== "ok") return { ok: false, reason: r };
  const canonical = formatIp(parseIp(address, block(cidr).v)!);
  pool.used[canonical] = holder;
  pool.count++;
  return { ok: true, address: canonical };
}

/** Take the lowest free address, or undefined when the block is full. */
export function allocateLowest(pool: AddressPool, cidr: string, holder: string): string | undefined {
  const c = block(cidr);
  const last = cidrSize(c) - 1n; // reserved
  let off = BigInt(Math.max(pool.cursor, RESERVED_AT_START));
  for (; off < last; off++) {
    const text = formatIp(addressAt(c, off));
    if (pool.used[text] === undefined) {
      pool.used[text] = holder;
      pool.count++;
      pool.cursor = Number(off) + 1;
      return text;
    }
  }
  pool.cursor = Number(off);
  return undefined;
}

export function release(pool: AddressPool, cidr: string, address: string): boolean {
  const c = block(cidr);
  const ip = parseIp(address, c.v);
  if (!ip) return false;
  const text = formatIp(ip);
  if (pool.used[text] === undefined) return false;
  delete pool.used[text];
  pool.count--;
  const off = offsetOf(c, ip);
  if (off !== undefined && Number(off) < pool.cursor) pool.cursor = Number(off);
  return true;
}
