// A SyncStore on one SQLite file for Node, through better-sqlite3 (an optional
// dependency: it is loaded when a store is opened, so the rest of the package works
// without it). One table of text keys to text values, in WAL mode so a `serve` process
// and an `import` can share the file. `batch` is one transaction.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * The part of better-sqlite3 this store uses.
 * @typedef {{ run(...params: unknown[]): { changes: number }, get(...params: unknown[]): unknown, iterate(...params: unknown[]): IterableIterator<unknown> }} Statement
 * @typedef {{ prepare(sql: string): Statement, pragma(sql: string): unknown, exec(sql: string): unknown, close(): unknown, open: boolean,
 *   transaction<A extends unknown[]>(fn: (...args: A) => void): ((...args: A) => void) & { immediate(...args: A): void } }} Database
 */

/** @param {string} message @param {Record<string, unknown>} details */
function storeError(message, details) {
  return Object.assign(new Error(message), { name: "OutsetaGhlSyncError", code: "STORE_FAILED", details });
}

/** @param {unknown} err */
function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

/** The SQLite file the CLI uses when the config names none. */
export const DEFAULT_SQLITE_FILE = "./outseta-ghl-sync.db";

export class SqliteStore {
  /**
   * Opens (creating when needed) the store in `file`; ":memory:" keeps it in memory.
   * @param {string} [file]
   * @param {{ table?: string, busyTimeoutMs?: number }} [options]
   */
  constructor(file = DEFAULT_SQLITE_FILE, options = {}) {
    const table = options.table ?? "sync_store";
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) {
      throw storeError(`the table name "${table}" is not a plain SQL identifier`, { op: "open", table });
    }
    /** @type {new (file: string) => Database} */
    let Driver;
    try {
      Driver = require("better-sqlite3");
    } catch (err) {
      throw storeError(`the SQLite store needs better-sqlite3 (npm install better-sqlite3@12): ${messageOf(err)}`, { op: "open" });
    }
    /** @type {Database} */
    let db;
    try {
      db = new Driver(file);
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.exec(`CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID`);
    } catch (err) {
      throw storeError(`cannot open the SQLite store ${file}: ${messageOf(err)}`, { op: "open", file });
    }
    this.file = file;
    /** @private */
    this.db = db;
    /** @private */
    this.sql = {
      get: db.prepare(`SELECT value FROM ${table} WHERE key = ?`),
      put: db.prepare(`INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
      putIfAbsent: db.prepare(`INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`),
      delete: db.prepare(`DELETE FROM ${table} WHERE key = ?`),
      // A range scan from the prefix: keys sharing it are contiguous in SQLite's
      // byte order (the same order as Rust's), and no LIKE pattern is involved.
      from: db.prepare(`SELECT key, value FROM ${table} WHERE key >= ? ORDER BY key`),
    };
    /** @private */
    this.writeAll = db.transaction((/** @type {import("./index.js").SyncStoreWrite[]} */ writes) => {
      for (const w of writes) {
        if (w.op === "put") this.sql.put.run(w.key, w.value);
        else this.sql.delete.run(w.key);
      }
    });
  }

  /** @param {string} key @returns {string | null} */
  get(key) {
    const row = /** @type {{ value: string } | undefined} */ (this.sql.get.get(key));
    return row === undefined ? null : row.value;
  }

  /** @param {string} key @param {string} value */
  put(key, value) {
    this.sql.put.run(key, value);
  }

  /** Stores only if absent; true when it did. @param {string} key @param {string} value @returns {boolean} */
  putIfAbsent(key, value) {
    return this.sql.putIfAbsent.run(key, value).changes === 1;
  }

  /** @param {string} key */
  delete(key) {
    this.sql.delete.run(key);
  }

  /**
   * Every `[key, value]` whose key starts with `prefix`, in key order; the first `limit`
   * when it is given. @param {string} prefix @param {number} [limit] @returns {Array<[string, string]>}
   */
  list(prefix, limit = Infinity) {
    /** @type {Array<[string, string]>} */
    const out = [];
    if (limit <= 0) return out;
    for (const row of this.sql.from.iterate(prefix)) {
      const { key, value } = /** @type {{ key: string, value: string }} */ (row);
      if (!key.startsWith(prefix)) break;
      out.push([key, value]);
      // Leaving the loop early releases the statement, as reaching its end does.
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * Applies every write in order in one transaction (IMMEDIATE: the write lock is taken
   * at the start, so two processes sharing the file queue on the busy timeout rather
   * than fail to upgrade a read), all or none.
   * @param {import("./index.js").SyncStoreWrite[]} writes
   */
  batch(writes) {
    this.writeAll.immediate(writes);
  }

  /** Closes the file; the store cannot be used afterwards. */
  close() {
    if (this.db.open) this.db.close();
  }
}

/**
 * Opens a SQLite store: `openSqliteStore("./sync.db")`.
 * @param {string} [file]
 * @param {{ table?: string, busyTimeoutMs?: number }} [options]
 */
export function openSqliteStore(file, options) {
  return new SqliteStore(file, options);
}
