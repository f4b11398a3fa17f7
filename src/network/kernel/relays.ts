// Local servers placed inside namespaces. Inside: relay.child.cjs listens on the VPC/public address
// and forwards each connection over a unix socket; outside (this process, in the emulator's own
// network namespace): a unix-socket server per target that connects to the loopback target.
// Unix sockets cross network namespaces through the filesystem, so no veth reaches the host stack.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { createServer, connect } from "node:net";
import type { Server, Socket } from "node:net";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { enter } from "./exec.ts";
import type { Listener } from "./plan.ts";

const RELAY_CHILD = fileURLToPath(new URL("./relay.child.cjs", import.meta.url));

function parseTarget(t: string): { host: string; port: number } {
  const i = t.lastIndexOf(":");
  const host = t.slice(0, i).replace(/^\[|\]$/g, "");
  return { host, port: Number(t.slice(i + 1)) };
}

/**
 * One listener a relay process opens in its namespace: TCP by default; "udp" relays datagrams
 * (framed over the unix socket, one socket connection per client address); "dns" is UDP answered
 * through the socket.
 */
export interface RelaySpec {
  ip: string;
  port: number;
  socket: string;
  kind?: "dns" | "udp";
  /** TCP: the relay sends the client's address as a first line (AWS call targets). */
  sourceHeader?: boolean;
}

/** Targets "aws:<where>" are hyperlocal's own AWS call delivery, not a loopback server (KernelNetwork.onAwsConnection). */
export const AWS_TARGET_PREFIX = "aws:";

export type AwsConnectionHandler = (where: string, sourceIp: string, socket: Socket) => void;

/** The host-side relay key of a listener: the target, prefixed "udp:" for datagrams. */
export function relayKey(l: { target: string; protocol?: "tcp" | "udp" }): string {
  return l.protocol === "udp" ? `udp:${l.target}` : l.target;
}

/** Host side: one unix socket per distinct relay key (a TCP target, or "udp:" and a UDP target). */
export class HostRelays {
  // Promises, not servers: two namespaces asking for the same target at once must share one socket.
  private readonly servers = new Map<string, Promise<{ server: Server; path: string }>>();
  private n = 0;
  /** Receives connections to "aws:" targets once their first line (the client's address) is read. */
  awsHandler: AwsConnectionHandler | undefined;
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  async socketFor(target: string): Promise<string> {
    let entry = this.servers.get(target);
    if (!entry) {
      entry = this.listen(target);
      this.servers.set(target, entry);
      entry.catch(() => this.servers.delete(target));
    }
    return (await entry).path;
  }

  private async listen(key: string): Promise<{ server: Server; path: string }> {
    const path = join(this.dir, `t${++this.n}.sock`);
    rmSync(path, { force: true });
    const udp = key.startsWith("udp:");
    const aws = key.startsWith(AWS_TARGET_PREFIX) ? key.slice(AWS_TARGET_PREFIX.length) : undefined;
    const { host, port } = aws !== undefined ? { host: "", port: 0 } : parseTarget(udp ? key.slice(4) : key);
    const server = createServer({ allowHalfOpen: true }, (inner) => {
      if (aws !== undefined) return this.awsConnection(aws, inner);
      if (udp) return bridgeDatagrams(inner, host, port);
      const out = connect({ host, port, allowHalfOpen: true });
      inner.pipe(out).pipe(inner);
      const kill = () => {
        inner.destroy();
        out.destroy();
      };
      inner.on("error", kill);
      out.on("error", kill);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => resolve());
    });
    return { server, path };
  }

  /** An AWS call from a namespace: read the client's address line, then hand the connection over (fail closed). */
  private awsConnection(where: string, inner: Socket): void {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const nl = buf.indexOf(10);
      if (nl < 0) {
        if (buf.length > 64) inner.destroy();
        return;
      }
      inner.off("data", onData);
      inner.pause();
      const source = buf.subarray(0, nl).toString("latin1").replace(/^::ffff:/, "");
      const rest = buf.subarray(nl + 1);
      if (rest.length) inner.unshift(rest);
      const handler = this.awsHandler;
      if (!handler) return inner.destroy();
      handler(where, source, inner);
    };
    inner.on("data", onData);
    inner.on("error", () => inner.destroy());
  }

  /** Close sockets no listener uses any more. */
  prune(used: Set<string>): void {
    for (const [t, s] of this.servers) {
      if (used.has(t)) continue;
      void s.then((x) => x.server.close(), () => {});
      this.servers.delete(t);
    }
  }

  /** Close the socket of one target. */
  drop(target: string): void {
    const s = this.servers.get(target);
    if (!s) return;
    this.servers.delete(target);
    void s.then((x) => x.server.close(), () => {});
  }

  close(): void {
    this.prune(new Set());
  }
}

/** The relay process inside one namespace. */
export class NamespaceRelay {
  private child?: ChildProcess;
  private replies: ((line: string) => void)[] = [];
  constructor(
    private readonly nsPath: string,
    private readonly label: string,
  ) {}

  async configure(specs: RelaySpec[]): Promise<void> {
    if (!this.child) {
      if (specs.length === 0) return;
      const argv = [...enter(this.nsPath), process.execPath, RELAY_CHILD];
      const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
      child.stdin!.on("error", () => {});
      createInterface({ input: child.stdout! }).on("line", (l) => this.replies.shift()?.(l));
      child.on("exit", () => {
        for (const r of this.replies.splice(0)) r(JSON.stringify({ ok: false, errors: ["relay exited"] }));
        if (this.child === child) this.child = undefined;
      });
      this.child = child;
    }
    const reply = await new Promise<string>((resolve) => {
      this.replies.push(resolve);
      this.child!.stdin!.write(JSON.stringify(specs) + "\n");
    });
    const r = JSON.parse(reply) as { ok: boolean; errors?: string[] };
    if (!r.ok) throw new Error(`kernel network: relay in ${this.label}: ${r.errors?.join("; ")}`);
  }

  async close(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const done = new Promise<void>((r) => c.once("exit", () => r()));
    c.stdin!.end();
    const t = setTimeout(() => c.kill("SIGKILL"), 1000);
    await done;
    clearTimeout(t);
  }
}

export async function relaySpecs(listeners: Listener[], host: HostRelays): Promise<RelaySpec[]> {
  const out: RelaySpec[] = [];
  for (const l of listeners) {
    out.push({
      ip: l.ip,
      port: l.port,
      socket: await host.socketFor(relayKey(l)),
      ...(l.protocol === "udp" ? { kind: "udp" as const } : {}),
      ...(l.target.startsWith(AWS_TARGET_PREFIX) ? { sourceHeader: true } : {}),
    });
  }
  return out;
}

/**
 * One client of a UDP listener in a namespace: its datagrams arrive framed (2-byte length) on the
 * unix connection and go to the target from a socket of their own; the target's replies go back
 * the same way. The relay closes the connection when the client goes quiet.
 */
function bridgeDatagrams(inner: Socket, host: string, port: number): void {
  const sock = createSocket(host.includes(":") ? "udp6" : "udp4");
  let buf = Buffer.alloc(0);
  const close = () => {
    inner.destroy();
    try {
      sock.close();
    } catch {
      /* already closed */
    }
  };
  sock.on("error", close);
  inner.on("error", close);
  inner.on("end", close); // the relay forgot this client, or went away
  inner.on("close", close);
  sock.on("message", (msg) => {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(msg.length);
    inner.write(Buffer.concat([len, msg]));
  });
  sock.connect(port, host, () => {
    inner.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.send(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
    });
    inner.resume();
  });
  inner.pause();
}
