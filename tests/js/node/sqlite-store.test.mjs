// The SQLite SyncStore (outseta-ghl-sync/sqlite): the store conformance suite, prefix
// listing with LIKE wildcards and non-ASCII keys, WAL mode, and an engine whose state
// survives a restart on the same file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStoreConformance } from "outseta-ghl-sync";
import { SqliteStore, openSqliteStore } from "outseta-ghl-sync/sqlite";
import { startHarness } from "../../support/sync-harness.mjs";

function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), "ogs-sqlite-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("the SQLite store passes the store conformance suite, on a file and in memory", async (t) => {
  const store = openSqliteStore(join(tempDir(t), "s.db"));
  try {
    const report = await runStoreConformance(store);
    assert.deepEqual(report.failures, []);
    assert.ok(report.passed >= 10);
  } finally {
    store.close();
  }
  const mem = new SqliteStore(":memory:");
  assert.deepEqual((await runStoreConformance(mem)).failures, []);
  mem.close();
});

test("a batch is one transaction: a write that fails takes the ones before it back; list stops at its limit", (t) => {
  const store = new SqliteStore(join(tempDir(t), "s.db"));
  store.put("link/o/u1", "old");
  store.batch([{ op: "put", key: "link/g/g1", value: "u1" }, { op: "put", key: "link/o/u1", value: "new" }, { op: "delete", key: "gone" }]);
  assert.deepEqual(store.list("link/"), [["link/g/g1", "u1"], ["link/o/u1", "new"]]);
  // The second write breaks NOT NULL: the first is rolled back with it.
  assert.throws(() => store.batch([{ op: "put", key: "link/g/g2", value: "u2" }, { op: "put", key: "link/o/u2", value: null }]));
  assert.equal(store.get("link/g/g2"), null);
  assert.deepEqual(store.list("link/", 1), [["link/g/g1", "u1"]]);
  assert.deepEqual(store.list("link/", 0), []);
  store.close();
});

test("list takes the prefix literally (no LIKE wildcards) and keeps byte order with non-ASCII keys", (t) => {
  const store = new SqliteStore(join(tempDir(t), "s.db"));
  for (const k of ["a%b/1", "aXb/1", "a_b/1", "a_b/2", "a_bc", "a\\b/1", "p/\u{1F389}", "p/\uE000", "p/z", "q"]) store.put(k, `v:${k}`);
  assert.deepEqual(store.list("a%b/").map(([k]) => k), ["a%b/1"]);
  assert.deepEqual(store.list("a_b/").map(([k]) => k), ["a_b/1", "a_b/2"]);
  assert.deepEqual(store.list("a\\b/").map(([k]) => k), ["a\\b/1"]);
  // UTF-8 byte order (Rust's order): U+E000 sorts before U+1F389, and neither is cut off.
  assert.deepEqual(store.list("p/"), [["p/z", "v:p/z"], ["p/\uE000", "v:p/\uE000"], ["p/\u{1F389}", "v:p/\u{1F389}"]]);
  assert.equal(store.list("").length, 10);
  assert.deepEqual(store.list("zz"), []);
  store.close();
});

test("the file is in WAL mode, two handles share it, and claims are atomic across them", (t) => {
  const file = join(tempDir(t), "s.db");
  const a = new SqliteStore(file);
  const b = new SqliteStore(file);
  assert.equal(/** @type {any} */ (a).db.pragma("journal_mode", { simple: true }), "wal");
  assert.equal(a.putIfAbsent("claim/1", "a"), true);
  assert.equal(b.putIfAbsent("claim/1", "b"), false);
  assert.equal(b.get("claim/1"), "a");
  b.put("k", "from b");
  assert.equal(a.get("k"), "from b");
  a.close();
  b.close();
  assert.throws(() => new SqliteStore(file, { table: "x; DROP TABLE y" }), (err) => err.code === "STORE_FAILED");
  assert.throws(() => new SqliteStore(join(file, "no", "such", "dir.db")), (err) => err.code === "STORE_FAILED" && /cannot open/.test(err.message));
});

test("an engine on the SQLite file keeps its state across a restart: a re-import writes nothing", async (t) => {
  const file = join(tempDir(t), "sync.db");
  let store = new SqliteStore(file);
  const people = Array.from({ length: 12 }, (_, i) => ({ Email: `sq${i}@example.com`, FirstName: `Sq${i}`, LastName: "Lite" }));
  const h = await startHarness({ webhooks: false, store, outseta: { seed: { people } } });
  try {
    const first = await h.engine.bulkImport({ pageSize: 5 });
    assert.equal(first.summary.created, 12, JSON.stringify(first.summary));
    const writes = h.ghlWrites();
    // A new process: the file closed and opened again, a new engine on it.
    store.close();
    store = new SqliteStore(file);
    for (const op of ["get", "put", "putIfAbsent", "delete", "list", "batch"]) h.store[op] = store[op].bind(store);
    const again = await h.restart().bulkImport({ pageSize: 5 });
    assert.equal(again.summary.unchanged, 12, JSON.stringify(again.summary));
    assert.equal(h.ghlWrites(), writes, "the links and snapshots came from the file");
    assert.ok(store.list("link/o/").length === 12);
    assert.equal((await h.engine.reconcile()).inSync, true);
  } finally {
    await h.close();
    store.close();
  }
});
