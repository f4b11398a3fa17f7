// DNS message codec (RFC 1035), pure and dependency-free. The stub resolver that kernel network mode
// runs at 169.254.169.253 inside each function's network namespace (the VPC ".2" resolver stand-in)
// reads queries and writes its answers with it. Only what that resolver needs is here: parse a
// standard query with one question, answer it with A/AAAA records or an rcode, or say FORMERR.
// Nothing here may throw on bytes from the network: parseQuery and formatError return undefined for
// anything they cannot read. buildResponse is given our own answers and throws on a bad address.

export const DNS_TYPE = { A: 1, AAAA: 28 } as const;

const HEADER = 12;
const CLASS_IN = 1;
const MAX_NAME_WIRE = 255; // RFC 1035 2.3.4: a name is at most 255 octets on the wire
const MAX_LABEL = 63;
const MAX_UDP = 512; // we ignore EDNS (and send no OPT back), so the client's limit is 512 (RFC 6891 7)

export interface DnsQuestion {
  id: number;
  /** Lower-case (ASCII), no trailing dot, "" for the root. Bytes that are not printable ASCII, and
   *  "." or "\" inside a label, are written in presentation form (\046, \., \\), so a name never
   *  aliases a different one. */
  name: string;
  type: number;
  class: number;
  recursionDesired: boolean;
  /** The question section bytes as received, to echo back. */
  raw: Buffer;
}

export interface DnsAnswer {
  type: 1 | 28;
  /** Dotted IPv4 text for A, IPv6 text (any valid form) for AAAA. */
  address: string;
  ttl: number;
}

/** Parse a query message; undefined when it is not a well-formed standard query with exactly one
 *  question (QR=0, OPCODE=0, QDCOUNT=1). Never throws. Answer/authority/additional sections (e.g. an
 *  EDNS OPT record) are not read. The question name may not use compression: the first name in a
 *  message has nothing earlier to point to but the header and itself, so a pointer there is either
 *  garbage or a loop. */
export function parseQuery(msg: Buffer): DnsQuestion | undefined {
  if (msg.length < HEADER) return undefined;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000) return undefined; // QR=1: a response, not a query
  if (((flags >> 11) & 0xf) !== 0) return undefined; // OPCODE other than QUERY
  if (msg.readUInt16BE(4) !== 1) return undefined; // QDCOUNT
  const qname = readName(msg, HEADER);
  if (!qname) return undefined;
  const end = qname.end + 4;
  if (end > msg.length) return undefined; // no room for QTYPE + QCLASS
  return {
    id: msg.readUInt16BE(0),
    name: qname.name,
    type: msg.readUInt16BE(qname.end),
    class: msg.readUInt16BE(qname.end + 2),
    recursionDesired: (flags & 0x0100) !== 0,
    raw: Buffer.from(msg.subarray(HEADER, end)), // a copy: the receive buffer may be reused
  };
}

/** An uncompressed name starting at off, or undefined (truncated, pointer, reserved label type,
 *  label > 63, name > 255 octets). Every step advances off, so it always ends. */
function readName(msg: Buffer, off: number): { name: string; end: number } | undefined {
  const labels: string[] = [];
  let wire = 1; // the terminating root label
  for (;;) {
    if (off >= msg.length) return undefined;
    const len = msg[off];
    if (len === 0) return { name: labels.join("."), end: off + 1 };
    if (len > MAX_LABEL) return undefined; // 0xC0 pointer, or the reserved 0x40 / 0x80 label types
    wire += 1 + len;
    if (wire > MAX_NAME_WIRE) return undefined;
    if (off + 1 + len > msg.length) return undefined;
    labels.push(labelText(msg, off + 1, off + 1 + len));
    off += 1 + len;
  }
}

function labelText(msg: Buffer, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) {
    const b = msg[i];
    if (b >= 0x41 && b <= 0x5a) s += String.fromCharCode(b + 0x20); // A-Z: DNS is ASCII case-insensitive
    else if (b === 0x2e || b === 0x5c) s += "\\" + String.fromCharCode(b); // "." and "\"
    else if (b > 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += "\\" + String(b).padStart(3, "0");
  }
  return s;
}

/** A response to q: QR=1, AA=0, RD copied, RA=1, the question echoed (q.raw), the answers as A/AAAA
 *  records of class IN whose owner name is a compression pointer to the question name (0xC00C).
 *  rcode: 0 NOERROR, 3 NXDOMAIN, 2 SERVFAIL, 4 NOTIMP, 5 REFUSED. Answers that would take the message
 *  past 512 bytes are left out and TC is set (RFC 1035 4.2.1). TTLs are clamped to 0..2^31-1
 *  (RFC 2181 8). Throws on an address that does not match its record type, or an rcode outside 0..15. */
export function buildResponse(q: DnsQuestion, rcode: number, answers: DnsAnswer[]): Buffer {
  if (!Number.isInteger(rcode) || rcode < 0 || rcode > 15) throw new RangeError(`invalid DNS rcode: ${rcode}`);
  const records = answers.map(answerRecord);
  let size = HEADER + q.raw.length;
  let fit = 0;
  while (fit < records.length && size + records[fit].length <= MAX_UDP) size += records[fit++].length;
  const truncated = fit < records.length;

  const header = Buffer.alloc(HEADER);
  header.writeUInt16BE(q.id & 0xffff, 0);
  header.writeUInt16BE(0x8000 | (truncated ? 0x0200 : 0) | (q.recursionDesired ? 0x0100 : 0) | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4); // QDCOUNT
  header.writeUInt16BE(fit, 6); // ANCOUNT; NSCOUNT and ARCOUNT stay 0
  return Buffer.concat([header, q.raw, ...records.slice(0, fit)]);
}

function answerRecord(a: DnsAnswer): Buffer {
  let rdata: Buffer | undefined;
  if (a.type === DNS_TYPE.A) rdata = ipv4Bytes(a.address);
  else if (a.type === DNS_TYPE.AAAA) rdata = ipv6Bytes(a.address);
  else throw new RangeError(`unsupported answer type: ${String(a.type)}`);
  if (!rdata) throw new RangeError(`not an ${a.type === DNS_TYPE.A ? "IPv4" : "IPv6"} address: ${JSON.stringify(a.address)}`);
  const ttl = Number.isFinite(a.ttl) ? Math.min(0x7fffffff, Math.max(0, Math.floor(a.ttl))) : 0;
  const rr = Buffer.alloc(12 + rdata.length);
  rr.writeUInt16BE(0xc00c, 0); // owner: pointer to the question name at offset 12
  rr.writeUInt16BE(a.type, 2);
  rr.writeUInt16BE(CLASS_IN, 4);
  rr.writeUInt32BE(ttl, 6);
  rr.writeUInt16BE(rdata.length, 10);
  rdata.copy(rr, 12);
  return rr;
}

/** A FORMERR (rcode 1) reply, header only, for a message whose header could be read (>= 12 bytes)
 *  but not its question: id, opcode and RD copied, QR=1, RA=1, all counts 0. undefined when the
 *  message is shorter than a header (its id and flags cannot be read), and for a message that is
 *  itself a response (QR=1): answering those could start a loop between two resolvers. */
export function formatError(msg: Buffer): Buffer | undefined {
  if (msg.length < HEADER) return undefined;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000) return undefined;
  const out = Buffer.alloc(HEADER);
  out.writeUInt16BE(msg.readUInt16BE(0), 0);
  out.writeUInt16BE(0x8000 | (flags & 0x7800) | (flags & 0x0100) | 0x0080 | 1, 2);
  return out;
}

/** Dotted-quad text to 4 bytes: exactly four decimal parts 0..255, no leading zeros. */
function ipv4Bytes(text: string): Buffer | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = Buffer.alloc(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/** IPv6 text (RFC 4291 2.2) to 16 bytes: groups of 1-4 hex digits, at most one "::" standing for one
 *  or more zero groups (anywhere: start, middle, end), and an optional dotted IPv4 tail for the last
 *  32 bits. No zone ids or brackets. */
function ipv6Bytes(text: string): Buffer | undefined {
  let s = text;
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.indexOf(".", lastColon) >= 0) {
    const v4 = ipv4Bytes(s.slice(lastColon + 1));
    if (!v4) return undefined;
    tail.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith("::")) s = s.slice(0, -1); // "1:2:3:4:5:6:" -> "1:2:3:4:5:6"; "::" stays
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const head = hexGroups(halves[0]);
  const rest = halves.length === 2 ? hexGroups(halves[1]) : [];
  if (!head || !rest) return undefined;
  const given = head.length + rest.length + tail.length;
  let words: number[];
  if (halves.length === 1) {
    if (given !== 8) return undefined;
    words = [...head, ...tail];
  } else {
    if (given > 7) return undefined; // "::" must stand for at least one group
    words = [...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail];
  }
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

function hexGroups(part: string): number[] | undefined {
  if (part === "") return [];
  const groups: number[] = [];
  for (const g of part.split(":")) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    groups.push(parseInt(g, 16));
  }
  return groups;
}
