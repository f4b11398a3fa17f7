// Memory figures of a child process from /proc/<pid>/status (Linux). VmHWM is the peak resident
// set, which is what Lambda's "Max Memory Used" reports; VmRSS is the current one, sampled to
// enforce the memory limit. The file stays open and is re-read in place (pread at offset 0
// regenerates it): ~5 µs a read instead of ~50 µs for open+read+close, on every invocation.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";

export interface ProcessMemory {
  rssKb: number;
  peakKb: number;
}

export class ProcessMemoryReader {
  private fd: number | undefined;
  private readonly buf = Buffer.allocUnsafe(4096);
  private readonly parentPid: number | undefined;

  /**
   * forked: pid is a confinement wrapper (`unshare --fork`, see confinement.ts) whose only child
   * is the runtime; that child is measured once the wrapper has started it.
   */
  constructor(pid: number | undefined, forked = false) {
    if (pid === undefined) return;
    if (forked) {
      this.parentPid = pid;
      return;
    }
    try {
      this.fd = openSync(`/proc/${pid}/status`, "r");
    } catch {
      this.fd = undefined; // not Linux, or already gone
    }
  }

  read(): ProcessMemory | undefined {
    if (this.fd === undefined && this.parentPid !== undefined) this.openForkedChild(this.parentPid);
    if (this.fd === undefined) return undefined;
    let n: number;
    try {
      n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
    } catch {
      return undefined; // the process is gone (ESRCH)
    }
    if (n === 0) return undefined;
    const text = this.buf.toString("latin1", 0, n);
    return { rssKb: field(text, "VmRSS:"), peakKb: field(text, "VmHWM:") };
  }

  private openForkedChild(pid: number): void {
    try {
      // Until the wrapper chain has reached its last step (`unshare ... --kill-child ... --`), its
      // children are setup commands (the earlier steps carry that step's argv after their own "--").
      const argv = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0");
      const own = argv.slice(0, argv.indexOf("--") < 0 ? argv.length : argv.indexOf("--"));
      if (!own.includes("--kill-child")) return;
      const child = parseInt(readFileSync(`/proc/${pid}/task/${pid}/children`, "latin1"), 10);
      if (child > 0) this.fd = openSync(`/proc/${child}/status`, "r");
    } catch {
      // not there yet, or gone
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function field(text: string, name: string): number {
  const i = text.indexOf(name);
  if (i < 0) return 0;
  return parseInt(text.slice(i + name.length, text.indexOf("\n", i)), 10) || 0;
}
