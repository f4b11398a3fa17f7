// The emulator's side of the namespaces' resolvers: answers by the given resolution, and nothing a
// query holds (garbage, a hostile name, an answerer that throws) can crash it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DnsSockets } from "./dns-sockets.ts";

/** A standard query for `name` and `type` (1 = A, 28 = AAAA), id 0x1234, RD set. */
function query(name: string, type: number): Buffer {
  const labels = name.split(".").flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([header, ...labels, Buffer.from([0]), tail]);
}
const rcode = (b: Buffer | undefined) => b![3] & 0x0f;
const answers = (b: Buffer | undefined) => b!.readUInt16BE(6);

describe("DnsSockets.answer", () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-dns-"));
  const dns = new DnsSockets(dir);
  const asked: string[] = [];
  dns.setAnswerer((where, name) => {
    asked.push(`${where} ${name}`);
    if (name === "boom.example") throw new Error("the answerer failed");
    return name === "api.example.com" ? { addresses: [{ address: "203.0.113.10", family: 4 }] } : { nxdomain: true };
  });

  it("answers A with the address, AAAA of a v4-only name with no record (NOERROR), an unknown name with NXDOMAIN", () => {
    const a = dns.answer("eni-1", query("api.example.com", 1));
    assert.deepEqual([rcode(a), answers(a), a!.readUInt16BE(0)], [0, 1, 0x1234]);
    assert.deepEqual([...a!.subarray(a!.length - 4)], [203, 0, 113, 10]);
    const aaaa = dns.answer("eni-1", query("api.example.com", 28));
    assert.deepEqual([rcode(aaaa), answers(aaaa)], [0, 0]);
    const missing = dns.answer("eni-1", query("nowhere.example", 1));
    assert.deepEqual([rcode(missing), answers(missing)], [3, 0]);
    assert.ok(asked.includes("eni-1 api.example.com"));
  });

  it("a failing answerer gives SERVFAIL; garbage gives FORMERR or nothing; never a throw", () => {
    assert.equal(rcode(dns.answer("eni-1", query("boom.example", 1))), 2);
    assert.equal(dns.answer("eni-1", Buffer.alloc(0)), undefined);
    const bad = Buffer.from(query("api.example.com", 1));
    bad.writeUInt16BE(2, 4); // two questions
    assert.equal(rcode(dns.answer("eni-1", bad)), 1);
    for (let i = 0; i < 2000; i++) {
      const junk = Buffer.from(Array.from({ length: Math.floor(Math.random() * 80) }, () => Math.floor(Math.random() * 256)));
      dns.answer("eni-1", junk);
    }
  });

  it("without an answerer every name fails (SERVFAIL)", () => {
    const none = new DnsSockets(join(dir, "none"));
    assert.equal(rcode(none.answer("internet", query("api.example.com", 1))), 2);
    none.close();
    dns.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
