import type { StateChanges } from "./emit.ts";

/** A stored record as read back on start. */
export interface StoredRow {
  service: string;
  account: string;
  region: string;
  kind: string;
  id: string;
  /** JSON text; absent for a split collection's marker */
  doc?: string;
  map: boolean;
}

/** One transaction: everything a unit of work (or several, committed together) changed. */
export interface Commit {
  /** drop every record first (admin reset) */
  reset: boolean;
  states: StateChanges[];
}

/**
 * Where records live durably. The embedded engine (PGlite) is one; a PostgreSQL server shared by
 * several nodes would be another with the same schema: the store and the services do not change.
 */
export interface StoreBackend {
  /** Every record, parents before what was split out of them (write order). */
  loadAll(): Promise<StoredRow[]>;
  /** Several commits, in order, as one transaction: all of it or nothing; resolves once it is durable. */
  commit(commits: readonly Commit[], meta?: Record<string, string>): Promise<void>;
  getMeta(key: string): Promise<string | undefined>;
  close(): Promise<void>;
}
