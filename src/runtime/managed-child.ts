// One runtime process: spawned in its own process group (so a function's own subprocesses die with
// it), output decoded and held until someone listens, exit reported once its pipes are drained.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import { StringDecoder } from "node:string_decoder";
import { performance } from "node:perf_hooks";
import type { ProcessExit } from "./platform-errors.ts";

export interface LaunchPlan {
  /** Processes from plans with equal keys are interchangeable until they receive their spec. */
  key: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** The hyperlocal bootstraps read one JSON line (their spec) on stdin; custom bootstraps do not. */
  readsSpec: boolean;
}

/** What a bootstrap reads on stdin before it loads the function. */
export interface BootstrapSpec {
  env: Record<string, string>;
  cwd: string;
  /** Node only: NODE_OPTIONS preloads the process could not apply at start (it was a spare). */
  preload: { kind: "require" | "import"; target: string }[];
}

export interface ChildEnd extends ProcessExit {
  /** Set when the process could not be started at all. */
  spawnError?: NodeJS.ErrnoException;
}

/** How long to wait for a dead process's pipes to drain before reporting its exit anyway. */
const DRAIN_GRACE_MS = 200;
/** Output held while nobody listens (a spare's stray output), at most. */
const MAX_HELD = 64 * 1024;

export class ManagedChild {
  readonly plan: LaunchPlan;
  readonly spawnedAt = performance.now();
  end: ChildEnd | undefined;
  private readonly child: ChildProcess;
  private sink: ((text: string) => void) | undefined;
  private held = "";
  private endListeners: ((end: ChildEnd) => void)[] = [];
  private exited = false;
  private reported = false;

  constructor(plan: LaunchPlan) {
    this.plan = plan;
    this.child = spawn(plan.command, plan.args, {
      cwd: plan.cwd,
      env: plan.env,
      stdio: [plan.readsSpec ? "pipe" : "ignore", "pipe", "pipe"],
      detached: true,
    });
    this.child.stdin?.on("error", () => {}); // EPIPE when the process died first
    // The pipes never keep the parent alive; the process handle does that while the child is busy.
    // (They are sockets underneath: libuv socketpairs.)
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as Partial<Socket> | null)?.unref?.();
    this.watch(this.child.stdout, new StringDecoder("utf8"));
    this.watch(this.child.stderr, new StringDecoder("utf8"));
    this.child.on("error", (err: NodeJS.ErrnoException) => {
      if (this.child.pid === undefined) this.report({ code: null, signal: null, spawnError: err });
    });
    this.child.on("exit", (code, signal) => {
      this.exited = true;
      this.killGroup(); // leftovers of the function would keep our pipes open
      // Not unref'd: a caller may be waiting on this exit while nothing else keeps us alive.
      const timer = setTimeout(() => this.report({ code, signal }), DRAIN_GRACE_MS);
      this.child.once("close", () => {
        clearTimeout(timer);
        this.report({ code, signal });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited && this.end === undefined;
  }

  /** Route output to fn, starting with whatever was held. */
  setOutput(fn: (text: string) => void): void {
    this.sink = fn;
    if (this.held) {
      const h = this.held;
      this.held = "";
      fn(h);
    }
  }

  onEnd(fn: (end: ChildEnd) => void): void {
    if (this.end) fn(this.end);
    else this.endListeners.push(fn);
  }

  sendSpec(spec: BootstrapSpec): void {
    this.child.stdin?.end(JSON.stringify(spec) + "\n");
  }

  /** SIGKILL the whole process group (Lambda freezes and discards sandboxes; nothing gets a SIGTERM). */
  kill(): void {
    this.killGroup();
    try {
      this.child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }

  /** Keep the parent process alive while this child works for a caller... */
  ref(): void {
    this.child.ref();
  }

  /** ...and let it exit while the child only idles. */
  unref(): void {
    this.child.unref();
  }

  private killGroup(): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, "SIGKILL");
    } catch {
      // group already empty
    }
  }

  private watch(stream: NodeJS.ReadableStream | null, decoder: StringDecoder): void {
    if (!stream) return;
    stream.on("data", (chunk: Buffer) => this.emit(decoder.write(chunk)));
    stream.on("end", () => this.emit(decoder.end()));
    stream.on("error", () => {});
  }

  private emit(text: string): void {
    if (!text) return;
    if (this.sink) this.sink(text);
    else if (this.held.length < MAX_HELD) this.held += text;
  }

  private report(end: ChildEnd): void {
    if (this.reported) return;
    this.reported = true;
    this.end = end;
    const listeners = this.endListeners;
    this.endListeners = [];
    for (const fn of listeners) fn(end);
  }
}
