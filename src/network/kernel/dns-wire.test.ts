// The DNS codec used by kernel mode's stub resolver: round trips against node's own resolver (c-ares)
// through a UDP server on 127.0.0.1, then the parser's robustness against malformed and random bytes.
// Network safety: the server binds, and the client queries, 127.0.0.1 only.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import type { Socket } from "node:dgram";
import { randomBytes } from "node:crypto";
import { buildResponse, DNS_TYPE, formatError, parseQuery } from "./dns-wire.ts";
import type { DnsAnswer, DnsQuestion } from "./dns-wire.ts";

const LOOPBACK = "127.0.0.1";

const TABLE: Record<string, DnsAnswer[]> = {
  "api.example.com": [
    { type: DNS_TYPE.A, address: "203.0.113.10", ttl: 60 },
    { type: DNS_TYPE.AAAA, address: "2001:db8:ffff::10", ttl: 60 },
  ],
  "v4only.example.com": [{ type: DNS_TYPE.A, address: "203.0.113.20", ttl: 30 }],
};

function answer(msg: Buffer): Buffer | undefined {
  const q = parseQuery(msg);
  if (!q) return formatError(msg);
  const records = TABLE[q.name];
  if (!records) return buildResponse(q, 3, []);
  return buildResponse(q, 0, records.filter((r) => r.type === q.type));
}

/** A query message: header + the given name's labels + QTYPE/QCLASS (+ optional extra bytes). */
function query(name: string, opts: { id?: number; flags?: number; qdcount?: number; type?: number; extra?: Buffer; arcount?: number } = {}): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(opts.id ?? 0x1234, 0);
  h.writeUInt16BE(opts.flags ?? 0x0100, 2);
  h.writeUInt16BE(opts.qdcount ?? 1, 4);
  h.writeUInt16BE(opts.arcount ?? 0, 10);
  const labels = name === "" ? [] : name.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, "latin1")]));
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(opts.type ?? DNS_TYPE.A, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([h, ...labels, Buffer.from([0]), tail, opts.extra ?? Buffer.alloc(0)]);
}

function header(msg: Buffer, id: number, flags: number, qd: number, an: number, ns = 0, ar = 0): Buffer {
  msg.writeUInt16BE(id, 0);
  msg.writeUInt16BE(flags, 2);
  msg.writeUInt16BE(qd, 4);
  msg.writeUInt16BE(an, 6);
  msg.writeUInt16BE(ns, 8);
  msg.writeUInt16BE(ar, 10);
  return msg;
}

describe("dns-wire against node's resolver over UDP on 127.0.0.1", () => {
  let server: Socket;
  let resolver: import("node:dns").promises.Resolver;
  const seen: string[] = [];

  before(async () => {
    server = createSocket("udp4");
    server.on("message", (msg, rinfo) => {
      if (rinfo.address !== LOOPBACK) return;
      const q = parseQuery(msg);
      if (q) seen.push(q.name);
      const reply = answer(msg);
      if (reply) server.send(reply, rinfo.port, LOOPBACK);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.bind(0, LOOPBACK, () => resolve());
    });
    const { port } = server.address();
    const dns = await import("node:dns");
    resolver = new dns.promises.Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([`${LOOPBACK}:${port}`]);
  });

  after(() => {
    resolver?.cancel();
    server?.close();
  });

  test("resolve4 gets the A record", async () => {
    assert.deepEqual(await resolver.resolve4("api.example.com"), ["203.0.113.10"]);
    const withTtl = await resolver.resolve4("api.example.com", { ttl: true });
    assert.deepEqual(withTtl, [{ address: "203.0.113.10", ttl: 60 }]);
  });

  test("resolve6 gets the AAAA record", async () => {
    assert.deepEqual(await resolver.resolve6("api.example.com"), ["2001:db8:ffff::10"]);
  });

  test("a name in another case resolves the same, and reaches the table lower-cased", async () => {
    assert.deepEqual(await resolver.resolve4("API.Example.COM"), ["203.0.113.10"]);
    assert.ok(seen.includes("api.example.com"));
    assert.ok(!seen.some((n) => /[A-Z]/.test(n)));
  });

  test("a name without records of the asked type is NODATA (ENODATA)", async () => {
    assert.deepEqual(await resolver.resolve4("v4only.example.com"), ["203.0.113.20"]);
    await assert.rejects(resolver.resolve6("v4only.example.com"), { code: "ENODATA" });
  });

  test("an unknown name is NXDOMAIN (ENOTFOUND)", async () => {
    await assert.rejects(resolver.resolve4("nope.example.com"), { code: "ENOTFOUND" });
    await assert.rejects(resolver.resolve6("nope.example.com"), { code: "ENOTFOUND" });
  });
});

describe("parseQuery", () => {
  test("reads a standard query", () => {
    const msg = query("Api.Example.COM", { id: 0xbeef, type: DNS_TYPE.AAAA });
    const q = parseQuery(msg);
    assert.ok(q);
    assert.equal(q.id, 0xbeef);
    assert.equal(q.name, "api.example.com");
    assert.equal(q.type, 28);
    assert.equal(q.class, 1);
    assert.equal(q.recursionDesired, true);
    assert.deepEqual(q.raw, msg.subarray(12));
    assert.equal(parseQuery(query("a.b", { flags: 0 }))?.recursionDesired, false);
  });

  test("ignores an EDNS OPT record in the additional section", () => {
    const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]); // root, OPT, 1232, ttl 0, rdlen 0
    const q = parseQuery(query("api.example.com", { extra: opt, arcount: 1 }));
    assert.equal(q?.name, "api.example.com");
    assert.equal(q?.raw.length, "api.example.com".length + 2 + 4);
  });

  test("the root name is the empty string", () => {
    assert.equal(parseQuery(query(""))?.name, "");
  });

  test("odd bytes in labels are escaped, so names never alias", () => {
    const msg = query("x", {});
    // replace the single label "x" with "a.b" as ONE label (bytes 61 2e 62) and a label with a space
    const raw = Buffer.concat([msg.subarray(0, 12), Buffer.from([3, 0x61, 0x2e, 0x62, 2, 0x20, 0x5c, 0]), msg.subarray(-4)]);
    assert.equal(parseQuery(raw)?.name, "a\\.b.\\032\\\\");
  });

  test("labels up to 63 and names up to 255 octets are accepted, longer ones are not", () => {
    const l63 = "a".repeat(63);
    assert.equal(parseQuery(query(l63))?.name, l63);
    assert.equal(parseQuery(query("a".repeat(64))), undefined);
    // 3 x (1+63) + (1+61) + 1 = 255 octets; one more byte is 256
    const name255 = [l63, l63, l63, "b".repeat(61)].join(".");
    assert.equal(parseQuery(query(name255))?.name, name255);
    assert.equal(parseQuery(query([l63, l63, l63, "b".repeat(62)].join("."))), undefined);
  });

  test("returns undefined for malformed or non-query messages, without throwing", () => {
    const cases: Record<string, Buffer> = {
      empty: Buffer.alloc(0),
      "11 bytes": query("a.b").subarray(0, 11),
      "header only": query("a.b").subarray(0, 12),
      "a response (QR=1)": query("a.b", { flags: 0x8180 }),
      "opcode STATUS": query("a.b", { flags: 2 << 11 }),
      "QDCOUNT=0": query("a.b", { qdcount: 0 }),
      "QDCOUNT=2": query("a.b", { qdcount: 2 }),
      "pointer loop": Buffer.concat([header(Buffer.alloc(12), 1, 0x0100, 1, 0), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]),
      "pointer loop via a label": Buffer.concat([header(Buffer.alloc(12), 1, 0x0100, 1, 0), Buffer.from([1, 0x61, 0xc0, 0x0c, 0, 1, 0, 1])]),
      "pointer into the header": Buffer.concat([header(Buffer.alloc(12), 1, 0x0100, 1, 0), Buffer.from([0xc0, 0x00, 0, 1, 0, 1])]),
      "label past the end": Buffer.concat([header(Buffer.alloc(12), 1, 0x0100, 1, 0), Buffer.from([10, 0x61, 0x62])]),
      "no terminating root label": Buffer.concat([header(Buffer.alloc(12), 1, 0x0100, 1, 0), Buffer.from([1, 0x61])]),
      "reserved label type 0x40": Buffer.concat([header(Buffer.alloc(12), 1, 0x0100, 1, 0), Buffer.from([0x41, 0x61, 0, 0, 1, 0, 1])]),
      "missing QTYPE/QCLASS": query("a.b").subarray(0, -1),
    };
    for (const [label, msg] of Object.entries(cases)) {
      assert.equal(parseQuery(msg), undefined, label);
    }
  });

  test("never throws on 2,000 random buffers, nor on 2,000 mutated queries", () => {
    const base = query("api.example.com", { extra: Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0]), arcount: 1 });
    for (let i = 0; i < 2000; i++) {
      const random = randomBytes(Math.floor(Math.random() * 600));
      if (random.length >= 6 && i % 2 === 0) random.writeUInt16BE(1, 4); // often QDCOUNT=1, to get past it
      if (random.length >= 4 && i % 4 === 0) random[2] &= 0x07; // and QR=0, OPCODE=0
      const mutated = Buffer.from(base.subarray(0, Math.floor(Math.random() * (base.length + 1))));
      for (let k = 0; k < 3; k++) if (mutated.length) mutated[Math.floor(Math.random() * mutated.length)] = Math.floor(Math.random() * 256);
      for (const msg of [random, mutated]) {
        const q = parseQuery(msg);
        if (q) {
          assert.equal(q.raw.length <= 255 + 4, true);
          assert.doesNotThrow(() => buildResponse(q, 3, []));
        } else {
          const fe = formatError(msg);
          if (fe) assert.equal(fe.readUInt16BE(2) & 0xf, 1);
        }
      }
    }
  });
});

describe("formatError", () => {
  test("FORMERR with the same id, RD copied, no sections", () => {
    const bad = Buffer.concat([header(Buffer.alloc(12), 0xabcd, 0x0100, 2, 0), Buffer.from([0xc0, 0x0c])]);
    const fe = formatError(bad);
    assert.ok(fe);
    assert.equal(fe.length, 12);
    assert.equal(fe.readUInt16BE(0), 0xabcd);
    const flags = fe.readUInt16BE(2);
    assert.equal(flags & 0x8000, 0x8000, "QR");
    assert.equal(flags & 0x0100, 0x0100, "RD");
    assert.equal(flags & 0xf, 1, "rcode");
    for (let off = 4; off < 12; off += 2) assert.equal(fe.readUInt16BE(off), 0);
  });

  test("undefined for fewer than 12 bytes, and for a response", () => {
    assert.equal(formatError(Buffer.alloc(0)), undefined);
    assert.equal(formatError(Buffer.from([1])), undefined);
    assert.equal(formatError(Buffer.alloc(11)), undefined);
    assert.equal(formatError(header(Buffer.alloc(12), 7, 0x8180, 1, 0)), undefined);
    assert.equal(formatError(Buffer.alloc(12))?.readUInt16BE(0), 0);
  });
});

describe("buildResponse", () => {
  const q = parseQuery(query("api.example.com", { id: 0x4242, type: DNS_TYPE.AAAA })) as DnsQuestion;

  test("header bits, echoed question and compressed answer owner", () => {
    const r = buildResponse(q, 0, [{ type: 28, address: "2001:db8::1", ttl: 300 }]);
    assert.equal(r.readUInt16BE(0), 0x4242);
    const flags = r.readUInt16BE(2);
    assert.equal(flags, 0x8000 | 0x0100 | 0x0080, "QR, RD, RA; AA=0, TC=0, rcode 0");
    assert.deepEqual([r.readUInt16BE(4), r.readUInt16BE(6), r.readUInt16BE(8), r.readUInt16BE(10)], [1, 1, 0, 0]);
    assert.deepEqual(r.subarray(12, 12 + q.raw.length), q.raw);
    const rr = r.subarray(12 + q.raw.length);
    assert.equal(rr.readUInt16BE(0), 0xc00c);
    assert.equal(rr.readUInt16BE(2), 28);
    assert.equal(rr.readUInt16BE(4), 1);
    assert.equal(rr.readUInt32BE(6), 300);
    assert.equal(rr.readUInt16BE(10), 16);
    assert.equal(rr.subarray(12).toString("hex"), "20010db8000000000000000000000001");
    assert.equal(rr.length, 28);
  });

  test("rcodes and RD=0", () => {
    const noRd = { ...q, recursionDesired: false };
    for (const rcode of [0, 2, 3, 4, 5]) {
      const r = buildResponse(noRd, rcode, []);
      assert.equal(r.readUInt16BE(2), 0x8000 | 0x0080 | rcode);
      assert.equal(r.readUInt16BE(6), 0);
    }
    assert.throws(() => buildResponse(q, 16, []), RangeError);
  });

  test("TTLs are clamped to 0..2^31-1", () => {
    const ttlOf = (ttl: number) => buildResponse(q, 0, [{ type: 1, address: "1.2.3.4", ttl }]).readUInt32BE(12 + q.raw.length + 6);
    assert.equal(ttlOf(-5), 0);
    assert.equal(ttlOf(NaN), 0);
    assert.equal(ttlOf(1.9), 1);
    assert.equal(ttlOf(2 ** 40), 0x7fffffff);
  });

  test("answers past 512 bytes are left out and TC is set", () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ type: 28 as const, address: `2001:db8::${i + 1}`, ttl: 1 }));
    const r = buildResponse(q, 0, many);
    assert.ok(r.length <= 512);
    const fit = Math.floor((512 - 12 - q.raw.length) / 28);
    assert.equal(r.readUInt16BE(6), fit);
    assert.equal(r.length, 12 + q.raw.length + fit * 28);
    assert.equal(r.readUInt16BE(2) & 0x0200, 0x0200);
  });

  const v6 = (address: string) => buildResponse(q, 0, [{ type: 28, address, ttl: 1 }]).subarray(-16).toString("hex");

  test("IPv6 text in its forms", () => {
    const cases: Record<string, string> = {
      "::": "00000000000000000000000000000000",
      "::1": "00000000000000000000000000000001",
      "1::": "00010000000000000000000000000000",
      "2001:db8::1": "20010db8000000000000000000000001",
      "2001:DB8:0:0:8:800:200C:417A": "20010db80000000000080800200c417a",
      "fe80::1:2": "fe800000000000000000000000010002",
      "1:2:3:4:5:6:7::": "00010002000300040005000600070000",
      "::2:3:4:5:6:7:8": "00000002000300040005000600070008",
      "1:2:3::6:7:8": "00010002000300000000000600070008",
      "::ffff:1.2.3.4": "00000000000000000000ffff01020304",
      "64:ff9b::192.0.2.33": "0064ff9b0000000000000000c0000221",
      "1:2:3:4:5:6:1.2.3.4": "00010002000300040005000601020304",
    };
    for (const [text, hex] of Object.entries(cases)) assert.equal(v6(text), hex, text);
  });

  test("IPv6 text agrees with the URL parser's canonical form on random addresses", () => {
    for (let i = 0; i < 500; i++) {
      const words = Array.from({ length: 8 }, () => (Math.random() < 0.4 ? 0 : Math.floor(Math.random() * 0x10000)));
      const full = words.map((w) => w.toString(16).padStart(4, "0")).join("");
      const canonical = new URL(`http://[${words.map((w) => w.toString(16)).join(":")}]/`).hostname.slice(1, -1);
      assert.equal(v6(canonical), full, canonical);
    }
  });

  test("bad addresses throw", () => {
    const bad6 = ["", ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2:3:4:5:6:7:8", ":1::", "1::2:", "12345::", "g::", "fe80::1%eth0", "[::1]", "1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::1.2.3.256"];
    for (const a of bad6) assert.throws(() => buildResponse(q, 0, [{ type: 28, address: a, ttl: 1 }]), RangeError, a);
    const bad4 = ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", " 1.2.3.4", "::1", "1.2.3.4x"];
    for (const a of bad4) assert.throws(() => buildResponse(q, 0, [{ type: 1, address: a, ttl: 1 }]), RangeError, a);
    assert.throws(() => buildResponse(q, 0, [{ type: 5 as 1, address: "1.2.3.4", ttl: 1 }]), RangeError);
  });
});
