import { AsyncLocalStorage } from "node:async_hooks";
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { AwsError } from "../core/aws-error.ts";
import type { Commit, StoreBackend } from "./backend.ts";
import { isMap, newMap, parseDocument } from "./documents.ts";
import { Layout, join as joinPath, splitPath } from "./layout.ts";
import { ensurePrivateDir, makePrivate } from "./file-modes.ts";
import { LEGACY_FILE, LEGACY_KEPT, readLegacySnapshot, SnapshotError, type LegacyTree } from "./legacy-snapshot.ts";
import { PgliteBackend } from "./pglite-backend.ts";
import { copyTemplate, saveTemplate } from "./pglite-template.ts";
import { track, unwrapDeep, type TrackedState, type WriteSink } from "./tracking.ts";
import { Ownership } from "./isolation.ts";
import { runUndos, UnitOfWork, type UndoStep } from "./unit-of-work.ts";

export { SnapshotError };
export const GLOBAL_REGION = "global";

/** The database's directory inside --state-dir. */
export const DB_DIR = "db";

export interface StoreOptions {
  /** Where commits that no request waits for (clock-driven changes) report failures. */
  onError?: (message: string) => void;
  /** How long a unit waits for the units whose records it wrote to queue their commits (isolation.ts). */
  waitMs?: number;
}

/** Past this, a unit still waiting for another (a long Invoke that changed the same record) gives way. */
const WAIT_MS = 10_000;

type Entry = TrackedState;

/**
 * The state of every service, keyed by service, account and region. Services keep plain
 * JSON-serialisable objects here and change them in place; reads always come from memory.
 *
 * Memory only (the default): nothing more.
 * With a state directory: the memory is the working set and an embedded PostgreSQL (PGlite) the
 * durable copy, one record per resource (see layout.ts). Services get write-tracking proxies
 * (tracking.ts); each request runs as a unit of work (`run`, called by the gateway): the records
 * it changed are committed in one transaction before it is answered, or, if it fails, what it
 * changed in memory is put back. Changes made outside a request (the clock moving states) are
 * committed right after, on their own.
 */
export class Store {
  private tree = new Map<string, Map<string, Map<string, Entry>>>();
  private readonly changeListeners: (() => void)[] = [];
  private backend: StoreBackend | undefined;
  private stateDir: string | undefined;
  private readonly units = new AsyncLocalStorage<UnitOfWork>();
  private ambient: UnitOfWork | undefined;
  /** holds on the ambient unit (hold()): while any is held, it is not committed */
  private holds = 0;
  private readonly queue: { commit: Commit; unit: UnitOfWork; done: (e?: unknown) => void }[] = [];
  private pumping: Promise<void> | undefined;
  private readonly ownership = new Ownership();
  /** units ended but not queued yet (waiting for others): flush() waits for them too */
  private readonly finishing = new Set<Promise<void>>();
  private readonly sink: WriteSink = {
    wrote: (st, segs, undo, grown) => {
      const u = this.unit();
      u.wrote(st, segs, undo, grown);
      this.ownership.claim(u, st, segs);
    },
  };
  private readonly onError: (message: string) => void;
  private readonly waitMs: number;

  constructor(opts: StoreOptions = {}) {
    this.onError = opts.onError ?? ((m) => console.error(m));
    this.waitMs = opts.waitMs ?? WAIT_MS;
  }

  /**
   * A store for this state directory (none: memory only). A directory holding the JSON snapshot of
   * earlier versions is migrated into the database, and the snapshot kept aside.
   */
  static async open(stateDir: string | undefined, opts: StoreOptions = {}): Promise<Store> {
    const store = new Store(opts);
    if (stateDir === undefined) return store;
    ensurePrivateDir(stateDir);
    const legacy = readLegacySnapshot(stateDir);
    let backend: PgliteBackend;
    try {
      backend = await openDatabase(join(stateDir, DB_DIR));
    } catch (e) {
      throw new SnapshotError(`cannot open the state database in ${join(stateDir, DB_DIR)}: ${(e as Error).message}`);
    }
    store.backend = backend;
    store.stateDir = stateDir;
    for (const row of await backend.loadAll()) store.attachRow(row.service, row.account, row.region, row.kind, row.id, row.map ? newMap() : parseDocument(row.doc!), row.map);
    if (legacy) {
      if ((await backend.getMeta("migrated")) === undefined) await store.migrate(legacy, backend);
      // The database has it (now, or from a start that stopped before the rename): keep the file aside.
      renameSync(join(stateDir, LEGACY_FILE), join(stateDir, LEGACY_KEPT));
    }
    makePrivate(stateDir);
    return store;
  }

  /** The state of one service in one account and region, created by init on first use. */
  state<T>(service: string, account: string, region: string, init: () => T): T {
    const found = this.tree.get(service)?.get(account)?.get(region);
    if (found) return found.proxy as T;
    const root = init() as Record<string, unknown>;
    const e = this.add(service, account, region, this.backend ? unwrapDeep(root) : root);
    if (this.backend) {
      const u = this.unit();
      u.created(e, () => this.remove(e));
      this.ownership.claim(u, e, undefined);
    }
    return e.proxy as T;
  }

  /** Every (account, region) state a service has, for cross-account lookups such as access keys. */
  all<T>(service: string): { account: string; region: string; state: T }[] {
    const out: { account: string; region: string; state: T }[] = [];
    for (const [account, byRegion] of this.tree.get(service) ?? []) {
      for (const [region, e] of byRegion) out.push({ account, region, state: e.proxy as T });
    }
    return out;
  }

  /** Drop every state (admin reset). */
  reset(): void {
    const old = this.tree;
    this.tree = new Map();
    if (this.backend) {
      const entries = [...allEntries(old)];
      for (const e of entries) e.detached = true;
      const u = this.unit();
      u.reset = true;
      u.onUndo(() => {
        this.tree = old;
        for (const e of entries) e.detached = false;
      });
    }
    this.markDirty();
  }

  get persistent(): boolean {
    return this.backend !== undefined;
  }

  /** Called on every change (e.g. kernel network mode re-applies); listeners must be cheap. */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** Something changed: tell the listeners. (What to save is tracked by the store itself.) */
  markDirty(): void {
    for (const l of this.changeListeners) l();
  }

  /**
   * Run one request as a unit of work: if `succeeded(result)`, what it changed is committed before
   * this returns; otherwise (or if it throws) its changes in memory are undone. A commit that fails
   * undoes them too, and throws ServiceUnavailable; so does a request undone with an earlier one
   * whose records it changed (isolation.ts). Memory only: just runs it.
   */
  async run<T>(work: () => Promise<T>, succeeded: (result: T) => boolean): Promise<T> {
    if (!this.backend) return work();
    const u = new UnitOfWork();
    let result: T;
    try {
      result = await this.units.run(u, work);
    } catch (e) {
      u.closed = true;
      this.abort([u]);
      throw e;
    }
    u.closed = true;
    if (!succeeded(result)) {
      this.abort([u]);
      return result;
    }
    // A request that changed nothing (a read) has nothing to wait for or to commit.
    if (!u.dirty && !u.aborted) return result;
    await this.whileFinishing(this.finish(u));
    return result;
  }

  /**
   * Keep the changes made outside requests from now on in one commit until the returned release
   * is called: for a change made in several steps that must be durable together or not at all (a
   * resource a stack creates, and the stack's record of its id, so that a crash between them
   * cannot leave a resource the stack does not know). Memory only: nothing to hold.
   */
  hold(): () => void {
    if (!this.backend) return () => {};
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0) this.commitAmbient();
    };
  }

  /** Wait until every change made so far is committed (held or not: the server is stopping). */
  async flush(): Promise<void> {
    this.commitAmbient(true);
    while (this.pumping || this.finishing.size > 0) {
      await Promise.allSettled([...this.finishing]);
      if (this.pumping) await this.pumping;
    }
  }

  async close(): Promise<void> {
    if (!this.backend) return;
    await this.flush();
    const b = this.backend;
    this.backend = undefined;
    await b.close();
    if (this.stateDir) makePrivate(this.stateDir);
  }

  // ---- internals ----

  private add(service: string, account: string, region: string, root: Record<string, unknown>): Entry {
    let byAccount = this.tree.get(service);
    if (!byAccount) this.tree.set(service, (byAccount = new Map()));
    let byRegion = byAccount.get(account);
    if (!byRegion) byAccount.set(account, (byRegion = new Map()));
    const e: Entry = { service, account, region, root, layout: new Layout(), proxy: root, detached: false };
    if (this.backend) e.proxy = track(this.sink, e);
    byRegion.set(region, e);
    return e;
  }

  private remove(e: Entry): void {
    const byRegion = this.tree.get(e.service)?.get(e.account);
    if (byRegion?.get(e.region) === e) byRegion.delete(e.region);
    e.detached = true;
  }

  /** The unit the current request runs in, or the one collecting changes made outside requests. */
  private unit(): UnitOfWork {
    const u = this.units.getStore();
    if (u && !u.closed) return u;
    if (!this.ambient) {
      this.ambient = new UnitOfWork();
      setImmediate(() => this.commitAmbient());
    }
    return this.ambient;
  }

  private commitAmbient(evenHeld = false): void {
    const u = this.ambient;
    if (!u || (this.holds > 0 && !evenHeld)) return;
    this.ambient = undefined;
    u.closed = true;
    this.whileFinishing(this.finish(u)).catch((e) => this.onError(`state: saving changes made by the clock failed: ${(e as Error).message}`));
  }

  private whileFinishing(p: Promise<void>): Promise<void> {
    this.finishing.add(p);
    return p.finally(() => this.finishing.delete(p));
  }

  /**
   * A unit that ended well: once the units it follows have queued their commits, its own is
   * computed and queued, and this resolves when it is durable. Throws ServiceUnavailable when
   * the unit was undone meanwhile (with one it followed) or its commit failed.
   */
  private async finish(u: UnitOfWork): Promise<void> {
    if (!u.doomed && [...u.after].some((a) => !a.queued && !a.aborted)) await this.waitFor(u);
    if (u.aborted || u.doomed) {
      this.abort([u]);
      // unverified wording
      throw new AwsError("ServiceUnavailable", 503, "The service is unavailable: a concurrent request that changed the same resource failed. Please try again.");
    }
    const commit: Commit = { reset: u.reset, states: u.dirty ? u.changes() : [] };
    this.ownership.committing(u);
    if (!commit.reset && commit.states.length === 0) {
      u.queued = true;
      u.wake();
      this.ownership.release(u);
      return;
    }
    try {
      await this.enqueue(commit, u);
    } catch (e) {
      this.onError(`state: a commit failed, the request's changes were undone: ${(e as Error).message}`);
      // unverified wording
      throw new AwsError("ServiceUnavailable", 503, "The service is unavailable: the change could not be saved. Please try again.");
    }
  }

  /** Until every unit u follows has queued its commit or is undone (bounded: then u gives way). */
  private async waitFor(u: UnitOfWork): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.waitMs);
      timer.unref?.();
    });
    try {
      await Promise.race([Promise.all([...u.after].map((a) => a.whenQueued())), limit]);
    } finally {
      clearTimeout(timer);
    }
    for (const a of u.after) if (!a.queued && !a.aborted) u.doomed = true;
  }

  /**
   * Undo units, and with them every unit that wrote their records after them (isolation.ts): all
   * their steps, newest first. Those still queued leave the queue, failed with `error`.
   */
  private abort(roots: UnitOfWork[], error: unknown = new Error("undone with a request it depended on")): void {
    const group = this.ownership.fallWith(roots);
    const steps: UndoStep[] = [];
    let any = false;
    for (const x of group) {
      if (x.dirty) any = true;
      steps.push(...x.takeUndos());
      x.aborted = true;
    }
    runUndos(steps);
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (!group.includes(this.queue[i].unit)) continue;
      const [q] = this.queue.splice(i, 1);
      q.done(error);
    }
    // Records another unit committed while holding their changes: written again as they are now.
    const repair: Commit = { reset: false, states: group.filter((x) => x.leaked).flatMap((x) => x.changes()) };
    for (const x of group) {
      this.ownership.release(x);
      x.wake();
    }
    if (repair.states.length > 0) this.enqueue(repair, new UnitOfWork()).catch((e) => this.onError(`state: rewriting records after an undo failed: ${(e as Error).message}`));
    if (any) this.markDirty();
  }

  /** Commits run one transaction at a time; those that queue meanwhile go together in the next. */
  private enqueue(commit: Commit, unit: UnitOfWork): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ commit, unit, done: (e) => (e === undefined ? resolve() : reject(e)) });
      unit.queued = true;
      unit.wake();
      if (!this.pumping) this.pumping = this.pump();
    });
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        const backend = this.backend;
        try {
          if (!backend) throw new Error("the store is closed");
          await backend.commit(batch.map((b) => b.commit));
        } catch (e) {
          // Nothing of the batch is stored: undo it in memory too (and what followed it), newest first.
          this.abort(batch.map((b) => b.unit), e ?? new Error("commit failed"));
          for (const b of batch) b.done(e ?? new Error("commit failed"));
          continue;
        }
        for (const b of batch) {
          this.ownership.release(b.unit);
          b.done();
        }
      }
    } finally {
      this.pumping = undefined;
    }
  }

  /** Put one stored record back in its place (records come parents first). */
  private attachRow(service: string, account: string, region: string, kind: string, id: string, value: unknown, map: boolean): void {
    const e = this.tree.get(service)?.get(account)?.get(region) ?? this.add(service, account, region, newMap());
    let container: unknown = e.root;
    for (const s of splitPath(kind)) container = isObject(container) && Object.hasOwn(container, s) ? container[s] : undefined;
    if (!isObject(container)) {
      this.onError(`state: a stored record of ${service} has no place any more (${kind} ${id}); skipped`);
      return;
    }
    Object.defineProperty(container, id, { value, writable: true, enumerable: true, configurable: true });
    if (map) e.layout.markSplit(joinPath(kind, id));
  }

  private async migrate(legacy: LegacyTree, backend: StoreBackend): Promise<void> {
    const u = new UnitOfWork();
    for (const [service, byAccount] of Object.entries(legacy)) {
      if (!isMap(byAccount)) continue;
      for (const [account, byRegion] of Object.entries(byAccount)) {
        if (!isMap(byRegion)) continue;
        for (const [region, state] of Object.entries(byRegion)) {
          if (!isMap(state)) continue;
          const old = this.tree.get(service)?.get(account)?.get(region);
          if (old) this.remove(old);
          u.created(this.add(service, account, region, state), () => {});
        }
      }
    }
    u.closed = true;
    await backend.commit([{ reset: true, states: u.changes() }], { migrated: `${LEGACY_FILE} format 1, ${new Date().toISOString()}` });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

function* allEntries(tree: Map<string, Map<string, Map<string, Entry>>>): Iterable<Entry> {
  for (const byAccount of tree.values()) for (const byRegion of byAccount.values()) yield* byRegion.values();
}

/**
 * Open the database, creating it if needed. A new one is made in a scratch directory and renamed
 * into place once complete, so a start killed half-way never leaves a half-made database.
 */
async function openDatabase(dir: string): Promise<PgliteBackend> {
  if (!existsSync(dir)) {
    // What a start killed while creating the database left behind.
    for (const f of readdirSync(dirname(dir))) if (f.startsWith(`${basename(dir)}.creating-`)) rmSync(join(dirname(dir), f), { recursive: true, force: true });
    const scratch = `${dir}.creating-${process.pid}`;
    if (!copyTemplate(scratch)) {
      const fresh = await PgliteBackend.open(scratch);
      await fresh.close();
      saveTemplate(scratch);
    }
    renameSync(scratch, dir);
  }
  return PgliteBackend.open(dir);
}
