import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { dict, parseState } from "../core/dict.ts";

/**
 * The state of every service, keyed by service, account and region, in memory. Services keep plain
 * JSON-serialisable objects here, so that with a state directory the whole tree is saved as one
 * snapshot (debounced; written to a temporary file, synced, then renamed over the old one so a crash
 * mid-write never leaves a torn file) and restored on start. Accounts and regions come from callers
 * (a region named "constructor" is a region), so every level is a prototype-free Dict, and a
 * restored snapshot is prototype-free throughout (core/dict.ts#parseState).
 */
type Tree = Record<string, Record<string, Record<string, unknown>>>;

export const GLOBAL_REGION = "global";
const SNAPSHOT = "state.json";
const FORMAT = 1;

export class SnapshotError extends Error {}

export class Store {
  private data: Tree = dict();
  private timer: NodeJS.Timeout | undefined;
  private saving = false;

  constructor(
    private readonly stateDir?: string,
    private readonly debounceMs = 250,
  ) {}

  /** The state of one service in one account and region, created by init on first use. */
  state<T>(service: string, account: string, region: string, init: () => T): T {
    const byAccount = (this.data[service] ??= dict());
    const byRegion = (byAccount[account] ??= dict());
    let s = byRegion[region] as T | undefined;
    if (s === undefined) {
      s = init();
      byRegion[region] = s;
    }
    return s;
  }

  /** Every (account, region) state a service has, for cross-account lookups such as access keys. */
  all<T>(service: string): { account: string; region: string; state: T }[] {
    const out: { account: string; region: string; state: T }[] = [];
    for (const [account, byRegion] of Object.entries(this.data[service] ?? {})) {
      for (const [region, state] of Object.entries(byRegion)) out.push({ account, region, state: state as T });
    }
    return out;
  }

  reset(): void {
    this.data = dict();
    this.markDirty();
  }

  get persistent(): boolean {
    return this.stateDir !== undefined;
  }

  /** Called on every change (e.g. kernel network mode re-applies); listeners must be cheap. */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  private readonly changeListeners: (() => void)[] = [];

  /** Something changed: tell the listeners and schedule a snapshot; many changes in a burst give one write. */
  markDirty(): void {
    for (const l of this.changeListeners) l();
    if (!this.stateDir || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.saveNow();
    }, this.debounceMs);
  }

  saveNow(): void {
    if (!this.stateDir || this.saving) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.saving = true;
    try {
      writeAtomically(join(this.stateDir, SNAPSHOT), JSON.stringify({ format: FORMAT, savedAt: new Date().toISOString(), data: this.data }));
    } finally {
      this.saving = false;
    }
  }

  /** Restore the snapshot if there is one. An unreadable one stops the start and is left as it was. */
  load(): boolean {
    if (!this.stateDir) return false;
    mkdirSync(this.stateDir, { recursive: true });
    const file = join(this.stateDir, SNAPSHOT);
    if (!existsSync(file)) return false;
    let parsed: unknown;
    try {
      parsed = parseState(readFileSync(file, "utf8"));
    } catch (e) {
      throw new SnapshotError(`cannot read the state snapshot ${file}: ${(e as Error).message}. The file was left as it is; move it away to start empty.`);
    }
    const p = parsed as { format?: unknown; data?: unknown };
    if (!p || typeof p !== "object" || p.format !== FORMAT || typeof p.data !== "object" || p.data === null) {
      throw new SnapshotError(`the state snapshot ${file} is not a hyperlocal snapshot of format ${FORMAT}. The file was left as it is; move it away to start empty.`);
    }
    this.data = p.data as Tree;
    return true;
  }

  close(): void {
    if (this.timer) this.saveNow();
  }
}

function writeAtomically(file: string, content: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
