// The emulator's side of each namespace's resolver. Function code in kernel mode asks
// 169.254.169.253 (the Amazon DNS server's link-local address; /etc/resolv.conf names it), where
// the namespace's relay takes the UDP query and hands it over a unix socket, framed as DNS over
// TCP. Here it is parsed, answered by the same name resolution the shim uses, and sent back.
import { createServer, type Server, type Socket } from "node:net";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildResponse, DNS_TYPE, formatError, parseQuery, type DnsAnswer } from "./dns-wire.ts";

export const RESOLVER_V4 = "169.254.169.253";

/** /etc/resolv.conf as function code sees it in kernel mode. */
export function resolvConf(): string {
  return `# hyperlocal kernel network mode: the namespace's resolver (the Amazon DNS server's address)\nnameserver ${RESOLVER_V4}\noptions timeout:2 attempts:2\n`;
}

/** What a name is for code in `where` (an ENI id, or "internet"): its addresses, or no such name. */
export type DnsAnswerer = (where: string, name: string) => { addresses: { address: string; family: 4 | 6 }[] } | { nxdomain: true };

const TTL_SECONDS = 5;
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;

export class DnsSockets {
  private readonly servers = new Map<string, Promise<{ server: Server; path: string }>>();
  private answerer: DnsAnswerer | undefined;
  private n = 0;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  setAnswerer(answerer: DnsAnswerer): void {
    this.answerer = answerer;
  }

  /** The unix socket that answers for `where` (one per namespace, created on first use). */
  async socketFor(where: string): Promise<string> {
    let entry = this.servers.get(where);
    if (!entry) {
      entry = this.listen(where);
      this.servers.set(where, entry);
      entry.catch(() => this.servers.delete(where));
    }
    return (await entry).path;
  }

  /** One query, one answer (exported for tests through answer()). */
  answer(where: string, query: Buffer): Buffer | undefined {
    const q = parseQuery(query);
    if (!q) return formatError(query);
    if (!this.answerer) return buildResponse(q, RCODE.SERVFAIL, []);
    let r: ReturnType<DnsAnswerer>;
    try {
      r = this.answerer(where, q.name);
    } catch {
      return buildResponse(q, RCODE.SERVFAIL, []);
    }
    if ("nxdomain" in r) return buildResponse(q, RCODE.NXDOMAIN, []);
    const answers: DnsAnswer[] = [];
    for (const a of r.addresses) {
      if (q.type === DNS_TYPE.A && a.family === 4) answers.push({ type: DNS_TYPE.A, address: a.address, ttl: TTL_SECONDS });
      if (q.type === DNS_TYPE.AAAA && a.family === 6) answers.push({ type: DNS_TYPE.AAAA, address: a.address, ttl: TTL_SECONDS });
    }
    // A name that exists with no record of the asked type: NOERROR and no answer (NODATA).
    return buildResponse(q, RCODE.NOERROR, answers);
  }

  private async listen(where: string): Promise<{ server: Server; path: string }> {
    const path = join(this.dir, `dns${++this.n}.sock`);
    rmSync(path, { force: true });
    const server = createServer((conn) => this.serve(where, conn));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => resolve());
    });
    return { server, path };
  }

  /** Framed messages in (2-byte length), framed answers out, until the relay closes. */
  private serve(where: string, conn: Socket): void {
    let buf = Buffer.alloc(0);
    conn.on("error", () => conn.destroy());
    conn.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        const reply = this.answer(where, msg);
        if (!reply) continue;
        const len = Buffer.alloc(2);
        len.writeUInt16BE(reply.length);
        conn.write(Buffer.concat([len, reply]));
      }
      if (buf.length > 70_000) conn.destroy();
    });
  }

  close(): void {
    for (const s of this.servers.values()) void s.then((x) => x.server.close(), () => {});
    this.servers.clear();
  }
}
