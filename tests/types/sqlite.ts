// Compiles only if sqlite-store.d.ts describes the SQLite store as users call it: a
// SyncStore an engine accepts, synchronous methods, options checked.
import { SyncEngine, type SyncStore } from "outseta-ghl-sync";
import { DEFAULT_SQLITE_FILE, SqliteStore, openSqliteStore } from "outseta-ghl-sync/sqlite";

export function sqliteUsage(): void {
  const store = new SqliteStore(DEFAULT_SQLITE_FILE, { table: "sync_store", busyTimeoutMs: 1000 });
  const asStore: SyncStore = store;
  const claimed: boolean = store.putIfAbsent("k", "v");
  const value: string | null = store.get("k");
  const rows: Array<[string, string]> = store.list("link/");
  const engine = new SyncEngine({ ghl: { locationId: "l", token: "t" }, outseta: { subdomain: "a", apiKey: "k", secretKey: "s" }, store });
  // @ts-expect-error: the table option is a name, not a number
  openSqliteStore(":memory:", { table: 1 });
  void asStore, claimed, value, rows, store.file;
  engine.free();
  store.close();
}
