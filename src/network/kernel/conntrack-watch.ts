// Kernel mode's connection accounting: `conntrack -E` inside the VPC router's namespace streams the
// kernel's own connection-tracking events for every TCP connection that crosses the router. A
// connection opens when it is established (the handshake crossed the router both ways) and closes
// at the first sign of its end (FIN or RST states) or when the entry is destroyed, once each.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Logger } from "../../core/logger.ts";
import { enter } from "./exec.ts";

export interface ConnectionEvent {
  kind: "open" | "close";
  /** The side that opened it: source address and port, destination address and port. */
  src: string;
  sport: number;
  dst: string;
  dport: number;
}

const ENDING = new Set(["FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE"]);

/** One parsed event line, or undefined for anything else. Exported for tests. */
export function parseConntrackLine(line: string): { type: "NEW" | "UPDATE" | "DESTROY"; state?: string; id: string; src: string; dst: string; sport: number; dport: number } | undefined {
  const m = /^\s*\[(NEW|UPDATE|DESTROY)\]\s+tcp\s+\d+\s+(?:\d+\s+)?([A-Z_]+\s+)?src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)/.exec(line);
  if (!m) return undefined;
  const id = /\bid=(\d+)/.exec(line)?.[1] ?? `${m[3]}|${m[4]}|${m[5]}|${m[6]}`;
  return { type: m[1] as "NEW" | "UPDATE" | "DESTROY", state: m[2]?.trim(), id, src: m[3], dst: m[4], sport: Number(m[5]), dport: Number(m[6]) };
}

export class ConntrackWatch {
  onEvent: ((e: ConnectionEvent) => void) | undefined;
  private readonly open = new Map<string, ConnectionEvent>();
  private closed = false;

  private constructor(private readonly child: ChildProcess) {}

  /** Start watching in that namespace; undefined (with a warning) when `conntrack` is missing. */
  static start(routerNsPath: string, log: Logger): ConntrackWatch | undefined {
    const probe = spawnSync("conntrack", ["--version"], { stdio: "ignore" });
    if (probe.error || probe.status !== 0) {
      log.warn("kernel network: `conntrack` is not installed (Debian package conntrack), so connections are not counted on Hyperplane ENIs in kernel mode");
      return undefined;
    }
    const argv = [...enter(routerNsPath), "conntrack", "-E", "-p", "tcp", "-e", "UPDATE,DESTROY", "-o", "id"];
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    const watch = new ConntrackWatch(child);
    child.unref();
    (child.stdout as unknown as { unref?: () => void })?.unref?.();
    (child.stderr as unknown as { unref?: () => void })?.unref?.();
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-2000)));
    child.on("error", (e) => log.warn(`kernel network: conntrack failed to start: ${e.message}`));
    child.on("exit", (code) => {
      if (!watch.closed) log.warn(`kernel network: conntrack stopped (exit ${code}): ${stderr.trim()}; connections are no longer counted`);
      watch.releaseAll();
    });
    createInterface({ input: child.stdout! }).on("line", (line) => watch.line(line));
    return watch;
  }

  private line(line: string): void {
    const e = parseConntrackLine(line);
    if (!e) return;
    // A connection counts once it is set up (the handshake crossed the router both ways): a SYN
    // that is dropped or never answered holds nothing.
    if (e.type === "UPDATE" && e.state === "ESTABLISHED") {
      if (this.open.has(e.id)) return;
      const ev: ConnectionEvent = { kind: "open", src: e.src, sport: e.sport, dst: e.dst, dport: e.dport };
      this.open.set(e.id, ev);
      this.emit(ev);
      return;
    }
    if (e.type === "UPDATE" && !(e.state && ENDING.has(e.state))) return;
    const ev = this.open.get(e.id);
    if (!ev) return;
    this.open.delete(e.id);
    this.emit({ ...ev, kind: "close" });
  }

  private emit(e: ConnectionEvent): void {
    try {
      this.onEvent?.(e);
    } catch {
      /* accounting must never stop the watch */
    }
  }

  private releaseAll(): void {
    for (const ev of this.open.values()) this.emit({ ...ev, kind: "close" });
    this.open.clear();
  }

  close(): void {
    this.closed = true;
    this.child.kill("SIGKILL");
  }
}
