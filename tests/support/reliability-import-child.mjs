// One bulk import in its own process, on a SQLite store, for the "process killed
// mid-import" fault (tests/support/reliability.mjs): the parent SIGKILLs it at a random
// moment and starts another, which resumes from the store's checkpoint. Prints a JSON
// line per page and one when the import finishes. argv[2]: { db, pageSize, ghl, outseta }.
import { writeFileSync, readFileSync, existsSync } from "node:fs";
import { SyncEngine } from "outseta-ghl-sync";
import { SqliteStore } from "outseta-ghl-sync/sqlite";

const config = JSON.parse(process.argv[2]);
const store = new SqliteStore(config.db);
// OAuth refresh tokens rotate: every token set is persisted at once (as a deployment
// must), so the next process starts from the newest, not the one it was given.
const tokenFile = `${config.db}.tokens.json`;
if (config.ghl.oauth && existsSync(tokenFile)) Object.assign(config.ghl.oauth, JSON.parse(readFileSync(tokenFile, "utf8")));
if (config.ghl.oauth) {
  config.ghl.onTokens = (t) => {
    config.ghl.oauth.accessToken = t.access_token;
    if (t.refresh_token) config.ghl.oauth.refreshToken = t.refresh_token;
    writeFileSync(tokenFile, JSON.stringify({ accessToken: config.ghl.oauth.accessToken, refreshToken: config.ghl.oauth.refreshToken }));
  };
}
const engine = new SyncEngine({ ghl: config.ghl, outseta: config.outseta, store, options: { concurrency: 4 } });

let report;
let passes = 0;
// One line a checkpointed page: the parent kills the process a moment after one of them.
const onProgress = (p) => { console.log(JSON.stringify({ progress: p.done, total: p.total })); };
// A checkpoint left by a killed process is resumed; a finished import with failed pairs
// is run again (at most three passes), as the CLI's operator would.
for (;;) {
  passes++;
  try {
    report = await engine.bulkImport({ pageSize: config.pageSize }, onProgress);
  } catch (err) {
    if (!/resume: true/.test(err.message)) throw err;
    report = await engine.bulkImport({ pageSize: config.pageSize, resume: true }, onProgress);
  }
  if (!report.summary.failed.length || passes >= 3) break;
}
store.close();
console.log(JSON.stringify({
  passes, failed: report.summary.failed.length, failedSample: report.summary.failed.slice(0, 2),
  oauth: config.ghl.oauth ? { accessToken: config.ghl.oauth.accessToken, refreshToken: config.ghl.oauth.refreshToken } : null,
}));
