// A SyncStore on IndexedDB, for the browser: the preview and small syncs keep their links
// and snapshots across page loads. One object store of key -> value; `putIfAbsent` runs
// in one readwrite transaction (IndexedDB serialises those), so a claim is won once, and
// so does `batch`, so its writes land together or, if one fails, not at all.

/** @param {IDBRequest} request @returns {Promise<any>} */
const done = (request) =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

/**
 * @param {string} [name] the database name
 * @returns {Promise<import("../index.js").SyncStore & { close(): void }>}
 */
export async function indexedDbStore(name = "outseta-ghl-sync") {
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => open.result.createObjectStore("kv");
  /** @type {IDBDatabase} */
  const db = await done(open);
  /** @param {IDBTransactionMode} mode */
  const kv = (mode) => db.transaction("kv", mode).objectStore("kv");
  return {
    async get(key) {
      const v = await done(kv("readonly").get(key));
      return typeof v === "string" ? v : null;
    },
    async put(key, value) {
      await done(kv("readwrite").put(value, key));
    },
    async putIfAbsent(key, value) {
      const store = kv("readwrite");
      // add() fails on an existing key, inside the same transaction as the check.
      return new Promise((resolve, reject) => {
        const request = store.add(value, key);
        request.onsuccess = () => resolve(true);
        request.onerror = (event) => {
          if (request.error?.name === "ConstraintError") {
            event.preventDefault();
            resolve(false);
          } else reject(request.error);
        };
      });
    },
    async delete(key) {
      await done(kv("readwrite").delete(key));
    },
    async list(prefix, limit) {
      const store = kv("readonly");
      // IndexedDB compares strings by UTF-16 code units: astral characters are surrogate
      // pairs (below U+FFFF), so U+FFFF bounds every key with the prefix.
      const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`, false, true);
      const [keys, values] = await Promise.all([done(store.getAllKeys(range, limit)), done(store.getAll(range, limit))]);
      return keys.map((/** @type {IDBValidKey} */ k, /** @type {number} */ i) => /** @type {[string, string]} */ ([String(k), values[i]]));
    },
    async batch(writes) {
      const tx = db.transaction("kv", "readwrite");
      const store = tx.objectStore("kv");
      const finished = new Promise((resolve, reject) => {
        tx.oncomplete = () => resolve(undefined);
        tx.onabort = () => reject(tx.error ?? new Error("the IndexedDB transaction was aborted"));
      });
      try {
        for (const w of writes) {
          if (w.op === "put") store.put(w.value, w.key);
          else store.delete(w.key);
        }
      } catch (err) {
        // A write refused on the spot (a bad key): none of the batch is kept.
        tx.abort();
        await finished.catch(() => {});
        throw err;
      }
      await finished;
    },
    close() {
      db.close();
    },
  };
}
