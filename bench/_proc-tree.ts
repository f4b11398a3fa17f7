// The memory of execution environments, read from /proc (Linux): every process below a root pid,
// grouped by process group. hyperlocal starts each environment in its own process group (managed-
// child.ts), so a group is one environment's whole tree: confinement wrappers, the runtime, and
// anything the function left running.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  rssKb: number;
  /** Proportional set size (shared pages split between their users); undefined when unreadable. */
  pssKb?: number;
  /** Pages no other process maps (USS): what this process alone costs; undefined when unreadable. */
  privateKb?: number;
  /** Anonymous memory (heap, stacks, V8's spaces): never shared with an unrelated process. */
  anonKb?: number;
  /** Pages written by this process alone: what the kernel could never drop or share. */
  privateDirtyKb?: number;
  cmdline: string;
  /** The environment the process was started with (what execve saw, not later changes). */
  environ: string[];
}

export interface EnvironmentMemory {
  /** The process group: one environment. */
  pgid: number;
  processes: ProcInfo[];
  rssKb: number;
  pssKb?: number;
  privateKb?: number;
  anonKb?: number;
  privateDirtyKb?: number;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const status = readFileSync(`/proc/${pid}/status`, "latin1");
    const rss = /VmRSS:\s+(\d+)/.exec(status);
    let pssKb: number | undefined;
    let privateKb: number | undefined;
    let anonKb: number | undefined;
    let privateDirtyKb: number | undefined;
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "latin1");
      const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(rollup)?.[1] ?? 0);
      pssKb = kb("Pss");
      privateKb = kb("Private_Clean") + kb("Private_Dirty");
      anonKb = kb("Anonymous");
      privateDirtyKb = kb("Private_Dirty");
    } catch {
      // not ours to read (another user namespace may forbid it)
    }
    let environ: string[] = [];
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
    } catch {
      // unreadable
    }
    return {
      pid,
      ppid: Number(rest[1]),
      pgid: Number(rest[2]),
      rssKb: rss ? Number(rss[1]) : 0, // kernel threads and zombies have none
      pssKb,
      privateKb,
      anonKb,
      privateDirtyKb,
      cmdline: readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").filter(Boolean).join(" "),
      environ,
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** Every live process below root (not root itself). */
export function descendants(root: number): ProcInfo[] {
  const all = new Map<number, ProcInfo>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p) all.set(p.pid, p);
  }
  const out: ProcInfo[] = [];
  const below = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all.values()) {
      if (!below.has(p.pid) && below.has(p.ppid)) {
        below.add(p.pid);
        out.push(p);
        grew = true;
      }
    }
  }
  return out;
}

/** The environments below root that were started for the function `name` (AWS_LAMBDA_FUNCTION_NAME). */
export function environmentsOf(root: number, name: string): EnvironmentMemory[] {
  const procs = descendants(root);
  const groups = new Set(procs.filter((p) => p.environ.includes(`AWS_LAMBDA_FUNCTION_NAME=${name}`)).map((p) => p.pgid));
  return [...groups].map((pgid) => {
    const processes = procs.filter((p) => p.pgid === pgid);
    return { pgid, processes, ...sumMemory(processes) };
  });
}

/** The memory figures of several processes added up (a figure only when every process has it). */
export function sumMemory(processes: ProcInfo[]): Omit<EnvironmentMemory, "pgid" | "processes"> {
  const sum = (f: (p: ProcInfo) => number | undefined) => (processes.every((p) => f(p) !== undefined) ? processes.reduce((s, p) => s + f(p)!, 0) : undefined);
  const out: Omit<EnvironmentMemory, "pgid" | "processes"> = { rssKb: sum((p) => p.rssKb)! };
  const pssKb = sum((p) => p.pssKb);
  const privateKb = sum((p) => p.privateKb);
  const anonKb = sum((p) => p.anonKb);
  const privateDirtyKb = sum((p) => p.privateDirtyKb);
  if (pssKb !== undefined) out.pssKb = pssKb;
  if (privateKb !== undefined) out.privateKb = privateKb;
  if (anonKb !== undefined) out.anonKb = anonKb;
  if (privateDirtyKb !== undefined) out.privateDirtyKb = privateDirtyKb;
  return out;
}

/**
 * The floor: RSS of a bare interpreter doing nothing. argv must print one line once started and
 * then stay idle; the RSS is read settleMs after that line.
 */
export async function bareIdleRss(argv: string[], settleMs = 300): Promise<number> {
  return (await bareIdle(argv, 1, settleMs))[0]?.rssKb ?? 0;
}

/**
 * `count` bare interpreters idle at once (so their PSS splits the shared pages between them, as
 * the same number of environments split theirs): each one's figures, read settleMs after all of
 * them printed their line.
 */
export async function bareIdle(argv: string[], count: number, settleMs = 300): Promise<ProcInfo[]> {
  const children = Array.from({ length: count }, () => spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "ignore"] }));
  try {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            child.stdout.once("data", () => resolve());
            child.once("exit", () => reject(new Error(`${argv[0]} exited before it was ready`)));
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, settleMs));
    return children.map((c) => readProc(c.pid!)).filter((p): p is ProcInfo => p !== undefined);
  } finally {
    for (const c of children) c.kill("SIGKILL");
  }
}
