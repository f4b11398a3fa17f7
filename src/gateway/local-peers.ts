// Who owns the other end of a loopback TCP connection: the kernel lists every socket of this
// network namespace, with its owner's uid, in /proc/net/tcp and /proc/net/tcp6. The main port uses
// it to refuse function code outright when functions run under a uid of their own (confinement.ts
// "uid" mode): code the shim never sees (native code, a custom runtime's curl) cannot reach the
// admin API either.
import { readFileSync } from "node:fs";
import type { Server, Socket } from "node:net";

/** The uid owning the local socket bound to `port` whose peer is `peerPort`; undefined when not found. */
export function loopbackPeerUid(port: number, peerPort: number): number | undefined {
  const local = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const remote = `:${peerPort.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "latin1");
    } catch {
      continue;
    }
    for (const line of text.split("\n")) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid ...
      const cols = line.trim().split(/\s+/);
      if (cols.length > 7 && cols[1].endsWith(local) && cols[2].endsWith(remote)) return Number(cols[7]);
    }
  }
  return undefined;
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address.startsWith("127.") || address === "::1" || address.startsWith("::ffff:127."));
}

/** Close, before any byte is read, loopback connections whose client socket belongs to uid(). */
export function refuseLoopbackPeersOf(server: Server, uid: () => number | undefined): void {
  server.on("connection", (socket: Socket) => {
    const u = uid();
    if (u === undefined || !isLoopback(socket.remoteAddress) || socket.remotePort === undefined) return;
    // The client's socket: local port = our peer's port, remote port = our own port.
    if (loopbackPeerUid(socket.remotePort, socket.localPort ?? 0) === u) socket.destroy();
  });
}
