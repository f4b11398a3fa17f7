import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "./documents.ts";

/**
 * The format --state-dir used before the database: the whole tree in one JSON file,
 * `{"format":1,"savedAt":"…","data":{service:{account:{region:state}}}}`. Read once, to migrate.
 */
export const LEGACY_FILE = "state.json";
export const LEGACY_KEPT = "state.json.format-1.migrated";

export class SnapshotError extends Error {}

export type LegacyTree = Record<string, Record<string, Record<string, unknown>>>;

/** The snapshot's states, or undefined when there is none. An unreadable one stops the start, untouched. */
export function readLegacySnapshot(stateDir: string): LegacyTree | undefined {
  const file = join(stateDir, LEGACY_FILE);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = parseDocument(readFileSync(file, "utf8"));
  } catch (e) {
    throw new SnapshotError(`cannot read the state snapshot ${file}: ${(e as Error).message}. The file was left as it is; move it away to start empty.`);
  }
  const p = parsed as { format?: unknown; data?: unknown };
  if (!p || typeof p !== "object" || p.format !== 1 || typeof p.data !== "object" || p.data === null) {
    throw new SnapshotError(`the state snapshot ${file} is not a hyperlocal snapshot of format 1. The file was left as it is; move it away to start empty.`);
  }
  return p.data as LegacyTree;
}
