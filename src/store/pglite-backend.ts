import type { PGlite } from "@electric-sql/pglite";
import type { Commit, StoredRow, StoreBackend } from "./backend.ts";

/**
 * Records in PostgreSQL, embedded (PGlite: PostgreSQL compiled to WebAssembly, its data directory
 * on disk). A commit is one multi-statement query, which PostgreSQL runs as one implicit
 * transaction: all of it or nothing. It is durable against a crash of this process once it
 * returns (the WAL is written); PGlite runs with fsync off, so not against a power cut.
 */
export const SCHEMA_VERSION = "1";

const SCHEMA = `
create table if not exists hyperlocal_records (
  service text not null,
  account text not null,
  region text not null,
  kind text not null,
  id text not null,
  doc text,
  is_map boolean not null default false,
  version bigint not null default 1,
  seq bigint generated always as identity,
  primary key (service, account, region, kind, id)
);
create table if not exists hyperlocal_meta (key text primary key, value text not null);
insert into hyperlocal_meta (key, value) values ('schema', '${SCHEMA_VERSION}') on conflict (key) do nothing;
`;

export class PgliteBackend implements StoreBackend {
  private constructor(private readonly db: PGlite) {}

  static async open(dataDir: string): Promise<PgliteBackend> {
    // Loaded on first use: a server without --state-dir never needs PGlite, and its start is faster for it.
    const { PGlite } = await import("@electric-sql/pglite");
    const db = await PGlite.create(dataDir);
    await db.exec(SCHEMA);
    return new PgliteBackend(db);
  }

  async loadAll(): Promise<StoredRow[]> {
    const r = await this.db.query<{ service: string; account: string; region: string; kind: string; id: string; doc: string | null; is_map: boolean }>(
      "select service, account, region, kind, id, doc, is_map from hyperlocal_records order by seq",
    );
    return r.rows.map((x) => (x.doc === null ? { service: x.service, account: x.account, region: x.region, kind: x.kind, id: x.id, map: x.is_map } : { ...x, doc: x.doc, map: x.is_map }));
  }

  async getMeta(key: string): Promise<string | undefined> {
    const r = await this.db.query<{ value: string }>("select value from hyperlocal_meta where key = $1", [key]);
    return r.rows[0]?.value;
  }

  async commit(commits: readonly Commit[], meta: Record<string, string> = {}): Promise<void> {
    const sql = commits.map((c) => commitSql(c)).join("\n") + metaSql(meta);
    if (sql) await this.db.exec(sql);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** The statements of one commit: clears first, then deletions, then upserts (a parent before its children). */
export function commitSql(c: Commit): string {
  const parts: string[] = [];
  if (c.reset) parts.push("delete from hyperlocal_records");
  const deletes: string[] = [];
  const values: string[] = [];
  for (const s of c.states) {
    const owner = `service = ${lit(s.service)} and account = ${lit(s.account)} and region = ${lit(s.region)}`;
    for (const path of s.dropBelow) {
      parts.push(path === "" ? `delete from hyperlocal_records where ${owner}` : `delete from hyperlocal_records where ${owner} and (kind = ${lit(path)} or starts_with(kind, ${lit(`${path}/`)}))`);
    }
    const key = `${lit(s.service)}, ${lit(s.account)}, ${lit(s.region)}`;
    for (const r of s.rows.values()) {
      if (r.doc === undefined && !r.map) deletes.push(`(${key}, ${lit(r.kind)}, ${lit(r.id)})`);
      else values.push(`(${key}, ${lit(r.kind)}, ${lit(r.id)}, ${r.doc === undefined ? "null" : lit(r.doc)}, ${r.map})`);
    }
  }
  if (deletes.length > 0) parts.push(`delete from hyperlocal_records where (service, account, region, kind, id) in (${deletes.join(", ")})`);
  if (values.length > 0) {
    parts.push(
      `insert into hyperlocal_records (service, account, region, kind, id, doc, is_map) values ${values.join(", ")} ` +
        "on conflict (service, account, region, kind, id) do update set doc = excluded.doc, is_map = excluded.is_map, version = hyperlocal_records.version + 1",
    );
  }
  return parts.length === 0 ? "" : `${parts.join(";\n")};`;
}

function metaSql(meta: Record<string, string>): string {
  return Object.entries(meta)
    .map(([k, v]) => `\ninsert into hyperlocal_meta (key, value) values (${lit(k)}, ${lit(v)}) on conflict (key) do update set value = excluded.value;`)
    .join("");
}

/** A string literal (standard_conforming_strings is on: only quotes need doubling). */
function lit(s: string): string {
  if (s.includes("\u0000")) throw new Error("a stored text cannot contain NUL");
  return `'${s.replace(/'/g, "''")}'`;
}
