// IP protocol numbers as SG rules, ACL entries and flows spell them.
export const ALL = -1;
export const ICMP = 1;
export const TCP = 6;
export const UDP = 17;
export const ICMPV6 = 58;

const names: Record<string, number> = { "-1": ALL, all: ALL, tcp: TCP, udp: UDP, icmp: ICMP, icmpv6: ICMPV6 };

/** "-1" | "tcp" | "6" | ... to a number; undefined when unrecognised (the rule then matches nothing). */
export function protocolNumber(p: string): number | undefined {
  const named = names[p.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d{1,3}$/.test(p)) return undefined;
  const n = Number(p);
  return n <= 255 ? n : undefined;
}

export function protocolName(n: number): string {
  switch (n) {
    case ALL:
      return "all traffic";
    case TCP:
      return "tcp";
    case UDP:
      return "udp";
    case ICMP:
      return "icmp";
    case ICMPV6:
      return "icmpv6";
    default:
      return `protocol ${n}`;
  }
}

/** Whether a protocol carries ports (the others ignore port ranges). */
export function hasPorts(n: number): boolean {
  return n === TCP || n === UDP;
}

export function isIcmp(n: number): boolean {
  return n === ICMP || n === ICMPV6;
}

/** "tcp port 5432", "udp ports 1024-65535", "icmp type 8 code 0": for sentences and hop details. */
export function describeTraffic(proto: number, lo: number, hi: number, code = -1): string {
  if (hasPorts(proto)) return lo === hi ? `${protocolName(proto)} port ${lo}` : `${protocolName(proto)} ports ${lo}-${hi}`;
  if (isIcmp(proto)) {
    const type = lo === -1 ? "all types" : `type ${lo}`;
    return code === -1 ? `${protocolName(proto)} ${type}` : `${protocolName(proto)} ${type} code ${code}`;
  }
  return protocolName(proto);
}

/** The ICMP reply type for an echo/timestamp request, or -1 when the message gets no reply. */
export function icmpReplyType(proto: number, type: number): number {
  if (proto === ICMP) return type === 8 ? 0 : type === 13 ? 14 : -1;
  if (proto === ICMPV6) return type === 128 ? 129 : -1;
  return -1;
}
