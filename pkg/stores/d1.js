// A SyncStore on Cloudflare D1: one key-value table, created on first use.
// `putIfAbsent` is one INSERT OR IGNORE, atomic in D1 (SQLite), so an idempotency claim
// made by two isolates at once is won by exactly one. `batch` is one D1 batch, which D1
// runs as a single transaction: a link's two halves are written together or not at all.

const SCHEMA = "CREATE TABLE IF NOT EXISTS ogs_kv (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID";
const PUT = "INSERT INTO ogs_kv (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = excluded.v";
const DELETE = "DELETE FROM ogs_kv WHERE k = ?1";

/**
 * @param {any} db a D1Database binding (`env.DB`)
 * @returns {import("../index.js").SyncStore}
 */
export function d1Store(db) {
  /** @type {Promise<unknown> | null} */
  let ready = null;
  const init = () => (ready ??= db.prepare(SCHEMA).run());
  return {
    async get(key) {
      await init();
      const row = await db.prepare("SELECT v FROM ogs_kv WHERE k = ?1").bind(key).first();
      return row ? /** @type {string} */ (row.v) : null;
    },
    async put(key, value) {
      await init();
      await db.prepare(PUT).bind(key, value).run();
    },
    async putIfAbsent(key, value) {
      await init();
      const result = await db.prepare("INSERT OR IGNORE INTO ogs_kv (k, v) VALUES (?1, ?2)").bind(key, value).run();
      return result.meta.changes === 1;
    },
    async delete(key) {
      await init();
      await db.prepare(DELETE).bind(key).run();
    },
    async list(prefix, limit) {
      await init();
      // A range, not LIKE: a prefix may hold `%` or `_`. Keys sort by their UTF-8 bytes
      // (BINARY collation), so the bound is the highest code point, U+10FFFF (U+FFFF
      // would drop keys with astral characters, which sort after it).
      const range = "SELECT k, v FROM ogs_kv WHERE k >= ?1 AND k < ?2 ORDER BY k";
      const bounded = limit !== undefined;
      const { results } = await db
        .prepare(bounded ? `${range} LIMIT ?3` : range)
        .bind(prefix, `${prefix}\u{10FFFF}`, ...(bounded ? [limit] : []))
        .all();
      return results.map((/** @type {any} */ r) => /** @type {[string, string]} */ ([r.k, r.v]));
    },
    async batch(writes) {
      await init();
      if (writes.length === 0) return;
      await db.batch(writes.map((w) => (w.op === "put" ? db.prepare(PUT).bind(w.key, w.value) : db.prepare(DELETE).bind(w.key))));
    },
  };
}
