// Types for `outseta-ghl-sync/sqlite`: a SyncStore on one SQLite file (Node only).
import type { SyncStore, SyncStoreWrite } from "./index.js";

/** "./outseta-ghl-sync.db", the file the CLI uses when its config names none. */
export const DEFAULT_SQLITE_FILE: string;

export interface SqliteStoreOptions {
  /** The table holding the keys (default "sync_store"); a plain SQL identifier. */
  table?: string;
  /** How long a write waits for another process's lock (default 5000 ms). */
  busyTimeoutMs?: number;
}

/**
 * A {@link SyncStore} on one table of a SQLite file, in WAL mode, through better-sqlite3
 * 12 (an optional dependency, loaded when the store opens). Every method is synchronous.
 * Opening fails with a `STORE_FAILED` error when better-sqlite3 is missing or the file
 * cannot be opened.
 */
export class SqliteStore implements SyncStore {
  /** `file` defaults to DEFAULT_SQLITE_FILE; ":memory:" keeps the store in memory. */
  constructor(file?: string, options?: SqliteStoreOptions);
  readonly file: string;
  get(key: string): string | null;
  put(key: string, value: string): void;
  putIfAbsent(key: string, value: string): boolean;
  delete(key: string): void;
  list(prefix: string, limit?: number): Array<[string, string]>;
  /** One IMMEDIATE transaction: every write or none. */
  batch(writes: SyncStoreWrite[]): void;
  close(): void;
}

export function openSqliteStore(file?: string, options?: SqliteStoreOptions): SqliteStore;
