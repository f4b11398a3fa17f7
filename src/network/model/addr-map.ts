// A map from addresses to values without string keys: IPv4 by its word, IPv6 by a hash of its four
// words with the full address compared on lookup (so an evaluation builds no key strings).
import { sameAddr } from "../../net-addr/ip.ts";
import type { IpAddr } from "../../net-addr/ip.ts";

const hash6 = (a: IpAddr): number => Math.imul(a.w0 ^ a.w2, 0x9e3779b1) ^ Math.imul(a.w1 ^ a.w3, 0x85ebca6b) ^ a.w3;

export class AddrMap<T> {
  private readonly v4 = new Map<number, T>();
  private readonly v6 = new Map<number, { addr: IpAddr; value: T }[]>();

  set(a: IpAddr, value: T): void {
    if (a.fam === 4) {
      this.v4.set(a.w0, value);
      return;
    }
    const h = hash6(a);
    const list = this.v6.get(h);
    if (!list) this.v6.set(h, [{ addr: a, value }]);
    else {
      const hit = list.find((e) => sameAddr(e.addr, a));
      if (hit) hit.value = value;
      else list.push({ addr: a, value });
    }
  }

  get(a: IpAddr): T | undefined {
    if (a.fam === 4) return this.v4.get(a.w0);
    const list = this.v6.get(hash6(a));
    if (list === undefined) return undefined;
    for (let i = 0; i < list.length; i++) if (sameAddr(list[i].addr, a)) return list[i].value;
    return undefined;
  }
}
