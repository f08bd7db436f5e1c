// Bulk import of 10,000 Outseta people into the GHL simulator with its real rate limit
// (100 requests per 10 s per location), time-scaled: the window shrinks by TIME_SCALE
// and the engine is told the same scaled limit, so the limit holds in scaled time.
// Both simulators run in their own processes, as the real APIs would, so their work is
// not counted against the engine's; Outseta's limit is off (the import only reads it,
// 100 pages, and its real 4/s would not bind at GHL's real 10 writes/s).
// Reported: GHL calls per imported contact (goal <= 1.05), writes on an immediate re-run
// (goal 0), throughput as a fraction of the rate-limit ceiling (goal >= 0.9), 429s (goal 0).
import { SyncEngine } from "outseta-ghl-sync";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimProcess } from "../tests/support/sim-process.mjs";
import { mapStore } from "../tests/support/sync-harness.mjs";

const N = Number(process.env.SYNC_BENCH_PEOPLE ?? 10_000);
const TIME_SCALE = Number(process.env.SYNC_BENCH_TIME_SCALE ?? 25);
const WINDOW_MS = 10_000 / TIME_SCALE;


const seedFile = join(mkdtempSync(join(tmpdir(), "ogs-bench-")), "people.json");
writeFileSync(seedFile, JSON.stringify({
  people: Array.from({ length: N }, (_, i) => ({
    Email: `member${i}@example.com`, FirstName: `Mem${i}`, LastName: "Ber", PhoneMobile: `+1555${String(1_000_000 + i)}`,
  })),
}));
const ghl = await startSimProcess("ghl.mjs", ["--time-scale", String(TIME_SCALE), "--duplicates", "email"]);
const outseta = await startSimProcess("outseta.mjs", ["--seed", seedFile, "--rate-limit", "off"]);
const url = ghl.url;
const stats = () => fetch(`${url}/_sim/stats`).then((r) => r.json());

try {
  const engine = new SyncEngine({
    ghl: { locationId: "loc_sim", token: "sim-token", baseUrl: url, rateLimit: { burst: 100, windowMs: WINDOW_MS } },
    outseta: { baseUrl: `${outseta.url}/api/v1`, apiKey: "test-key", secretKey: "test-secret", rateLimit: false },
    store: mapStore(),
    options: { concurrency: 8 },
  });
  const before = await stats();
  const t0 = performance.now();
  const report = await engine.bulkImport({ pageSize: 100 });
  const seconds = (performance.now() - t0) / 1000;
  const after = await stats();
  const calls = after.requests - before.requests;
  const s = report.summary;
  if (s.created !== N || s.failed.length) throw new Error(`import incomplete: ${JSON.stringify({ ...s, skipped: s.skipped.length })}`);
  const ceiling = 100 / (WINDOW_MS / 1000);
  const achieved = calls / seconds;
  const rerunBefore = await stats();
  const rerun = await engine.bulkImport({ pageSize: 100 });
  const rerunAfter = await stats();
  const writes = (st) => Object.entries(st.byOperation).filter(([op]) => !/^(get|search)/.test(op)).reduce((n, [, c]) => n + c, 0);
  const rerunWrites = writes(rerunAfter) - writes(rerunBefore);
  const n = N.toLocaleString("en");
  console.log(`| bulk import ${n} people: GHL calls per contact (goal <= 1.05) | ${calls.toLocaleString("en")} calls | ${n} contacts | ${(calls / N).toFixed(4)} |`);
  console.log(`| bulk import ${n}: throughput vs the rate-limit ceiling (goal >= 0.9), time scale ${TIME_SCALE} | ${achieved.toFixed(1)} calls/s in ${seconds.toFixed(1)} s | ceiling ${ceiling.toFixed(1)} calls/s | ${(achieved / ceiling).toFixed(3)} |`);
  console.log(`| bulk import ${n}: 429s received (goal 0) | ${after.rateLimited - before.rateLimited} | ${calls.toLocaleString("en")} calls | ${((after.rateLimited - before.rateLimited) / calls).toFixed(4)} |`);
  console.log(`| bulk import ${n}: immediate re-run, writes (goal 0) | ${rerunWrites} writes, ${rerun.summary.unchanged.toLocaleString("en")} unchanged | ${(rerunAfter.requests - rerunBefore.requests)} calls (reads) | ${(rerunWrites / N).toFixed(4)} |`);
} finally {
  ghl.child.kill();
  outseta.child.kill();
}
