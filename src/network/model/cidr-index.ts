// An index over a list of IPv4 CIDRs: one Map per distinct prefix length, from the masked network
// address to the ascending positions of the entries with that CIDR. "Which entries contain this
// address?" then costs one Map lookup per distinct prefix length instead of one compare per entry,
// and the positions come back in list order, so first-match lists (ACLs) keep their semantics.

export interface V4Index {
  masks: Int32Array;
  maps: Map<number, Int32Array>[];
}

/** Lists shorter than this are scanned; the index only pays for itself on long ones. */
export const INDEX_FROM = 12;

export function buildV4Index(base: Int32Array, mask: Int32Array, n: number): V4Index | undefined {
  if (n < INDEX_FROM) return undefined;
  const byMask = new Map<number, Map<number, number[]>>();
  for (let i = 0; i < n; i++) {
    let m = byMask.get(mask[i]);
    if (!m) byMask.set(mask[i], (m = new Map()));
    const list = m.get(base[i]);
    if (list) list.push(i);
    else m.set(base[i], [i]);
  }
  const masks: number[] = [];
  const maps: Map<number, Int32Array>[] = [];
  for (const [m, bases] of byMask) {
    masks.push(m);
    maps.push(new Map([...bases].map(([b, list]) => [b, Int32Array.from(list)])));
  }
  return { masks: Int32Array.from(masks), maps };
}

/** Writes the positions of the entries containing `a` to `out` in ascending order; returns how many. */
export function v4Candidates(ix: V4Index, a: number, out: Int32Array): number {
  let count = 0;
  const { masks, maps } = ix;
  for (let k = 0; k < masks.length; k++) {
    const list = maps[k].get(a & masks[k]);
    if (list === undefined) continue;
    for (let j = 0; j < list.length; j++) out[count++] = list[j];
  }
  // Several prefix lengths matched: merge back into list order.
  if (masks.length > 1 && count > 1) sortPrefix(out, count);
  return count;
}

/**
 * The IPv6 form: grouped by mask, keyed by a hash of the first 64 masked bits (prefixes in VPCs are
 * /0 to /64, plus /128 hosts that share their /64's key); every candidate is then compared on all
 * four words, so collisions cost time, never correctness.
 */
export interface V6Index {
  /** Four words per distinct mask. */
  masks: Int32Array;
  maps: Map<number, Int32Array>[];
  base: Int32Array;
}

export const key6 = (w0: number, w1: number): number => Math.imul(w0, 0x9e3779b1) ^ w1;

export function buildV6Index(base: Int32Array, mask: Int32Array, n: number): V6Index | undefined {
  if (n < INDEX_FROM) return undefined;
  const byMask = new Map<string, { m: number[]; keys: Map<number, number[]> }>();
  for (let i = 0; i < n; i++) {
    const k = i * 4;
    const m = [mask[k], mask[k + 1], mask[k + 2], mask[k + 3]];
    const id = m.join(",");
    let g = byMask.get(id);
    if (!g) byMask.set(id, (g = { m, keys: new Map() }));
    const h = key6(base[k], base[k + 1]);
    const list = g.keys.get(h);
    if (list) list.push(i);
    else g.keys.set(h, [i]);
  }
  const masks: number[] = [];
  const maps: Map<number, Int32Array>[] = [];
  for (const g of byMask.values()) {
    masks.push(...g.m);
    maps.push(new Map([...g.keys].map(([h, list]) => [h, Int32Array.from(list)])));
  }
  return { masks: Int32Array.from(masks), maps, base };
}

/** Writes the positions of the entries containing the address to `out`, ascending; returns how many. */
export function v6Candidates(ix: V6Index, w0: number, w1: number, w2: number, w3: number, out: Int32Array): number {
  let count = 0;
  const { masks, maps, base } = ix;
  for (let g = 0; g < maps.length; g++) {
    const m = g * 4;
    const a0 = w0 & masks[m];
    const a1 = w1 & masks[m + 1];
    const list = maps[g].get(key6(a0, a1));
    if (list === undefined) continue;
    const a2 = w2 & masks[m + 2];
    const a3 = w3 & masks[m + 3];
    for (let j = 0; j < list.length; j++) {
      const i: number = list[j];
      const k = i * 4;
      if (base[k] === a0 && base[k + 1] === a1 && base[k + 2] === a2 && base[k + 3] === a3) out[count++] = i;
    }
  }
  if (maps.length > 1 && count > 1) sortPrefix(out, count);
  return count;
}

/** Sort out[0..count) ascending in place (few elements: insertion sort, no allocation). */
function sortPrefix(out: Int32Array, count: number): void {
  for (let i = 1; i < count; i++) {
    const v = out[i];
    let j = i - 1;
    while (j >= 0 && out[j] > v) {
      out[j + 1] = out[j];
      j--;
    }
    out[j + 1] = v;
  }
}
