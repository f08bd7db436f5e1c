// A SyncStore on Cloudflare D1: one key-value table, created on first use.
// `putIfAbsent` is one INSERT OR IGNORE, atomic in D1 (SQLite), so an idempotency claim
// made by two isolates at once is won by exactly one.

const SCHEMA = "CREATE TABLE IF NOT EXISTS ogs_kv (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID";

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
      await db.prepare("INSERT INTO ogs_kv (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = excluded.v").bind(key, value).run();
    },
    async putIfAbsent(key, value) {
      await init();
      const result = await db.prepare("INSERT OR IGNORE INTO ogs_kv (k, v) VALUES (?1, ?2)").bind(key, value).run();
      return result.meta.changes === 1;
    },
    async delete(key) {
      await init();
      await db.prepare("DELETE FROM ogs_kv WHERE k = ?1").bind(key).run();
    },
    async list(prefix) {
      await init();
      // A range, not LIKE: a prefix may hold `%` or `_`. Keys sort by their UTF-8 bytes
      // (BINARY collation), so the bound is the highest code point, U+10FFFF (U+FFFF
      // would drop keys with astral characters, which sort after it).
      const { results } = await db
        .prepare("SELECT k, v FROM ogs_kv WHERE k >= ?1 AND k < ?2 ORDER BY k")
        .bind(prefix, `${prefix}\u{10FFFF}`)
        .all();
      return results.map((/** @type {any} */ r) => /** @type {[string, string]} */ ([r.k, r.v]));
    },
  };
}
