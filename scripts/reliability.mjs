// `make reliability`: the fault matrix and the two-way storm of issue 10, against both
// simulators with the SyncEngine from the wasm build (tests/support/reliability.mjs).
// Prints one table and writes it to tests/.out/reliability.md. Exits 1 when any row
// ends with drift, duplicates or lost records, or the storm does not converge or loops.
//   RELIABILITY_PEOPLE   people per fault run (default 200)
//   RELIABILITY_RUNS     runs per fault, each with its own seed (default 2)
//   RELIABILITY_STORM    contacts in the two-way storm (default 1000)
//   RELIABILITY_SEED     the first seed (default 1)
import { mkdirSync, writeFileSync } from "node:fs";
import { FAULTS, runScenario, runStorm } from "../tests/support/reliability.mjs";

const N = Number(process.env.RELIABILITY_PEOPLE ?? 200);
const RUNS = Number(process.env.RELIABILITY_RUNS ?? 2);
const STORM = Number(process.env.RELIABILITY_STORM ?? 1000);
const SEED = Number(process.env.RELIABILITY_SEED ?? 1);
const started = performance.now();
const log = (...a) => console.error(`[${((performance.now() - started) / 1000).toFixed(0)} s]`, ...a);

// The fault-free baselines the extra calls are counted against: one for the import
// scenarios, one for the webhook ones (same people, same seeds, no faults).
const baseline = {};
for (const [kind, fault] of [["import", {}], ["webhooks", { webhooks: true }]]) {
  baseline[kind] = [];
  for (let r = 0; r < RUNS; r++) {
    const row = await runScenario(`baseline ${kind}`, fault, { n: N, seed: SEED + r });
    baseline[kind].push(row.calls);
    log(`baseline ${kind} seed ${SEED + r}: ${row.calls} calls, drift ${row.drift}, duplicates ${row.duplicates}, lost ${row.lost}`);
  }
}

const rows = [];
for (const [name, fault] of Object.entries(FAULTS)) {
  const kind = fault.webhooks ? "webhooks" : "import";
  const agg = { name, runs: 0, records: 0, drift: 0, duplicates: 0, lost: 0, extra: 0, base: 0, faults: 0, notes: [], detail: [] };
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    let row;
    try {
      row = await runScenario(name, fault, { n: N, seed: SEED + r });
    } catch (err) {
      // A run that cannot finish is a row that says so, never a hidden skip.
      agg.notes.push(`run ${r + 1} did not finish: ${err.code ?? ""} ${err.message}`.slice(0, 300));
      agg.failedRuns = (agg.failedRuns ?? 0) + 1;
      agg.runs++;
      log(`${name} seed ${SEED + r}: FAILED ${err.message}`);
      continue;
    }
    agg.runs++;
    agg.records += row.records;
    agg.drift += row.drift;
    agg.duplicates += row.duplicates;
    agg.lost += row.lost;
    agg.extra += row.calls - baseline[kind][r];
    agg.base += baseline[kind][r];
    agg.faults += row.faults + row.tokenExpiries + row.kills;
    for (const note of row.notes) agg.notes.push(`run ${r + 1}: ${note}`);
    if (row.lost) agg.detail.push(...row.lostWhat);
    if (row.drift) agg.detail.push(JSON.stringify(row.driftWhat));
    log(`${name} seed ${SEED + r}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${row.calls} calls, ${row.faults} faults, drift ${row.drift}, duplicates ${row.duplicates}, lost ${row.lost}${row.notes.length ? ` (${row.notes.join("; ")})` : ""}`);
  }
  rows.push(agg);
}

log(`storm: ${STORM} contacts`);
let storm;
let stormError = null;
try {
  storm = await runStorm({ n: STORM, seed: SEED });
} catch (err) {
  stormError = err;
}

const ok = (r) => !r.failedRuns && r.drift === 0 && r.duplicates === 0 && r.lost === 0;
const lines = [];
lines.push(`Fault matrix: ${N} people per run, ${RUNS} runs per fault (seeds ${SEED}..${SEED + RUNS - 1}). Extra API calls are the requests both simulators served above the fault-free baseline of the same seeds (${baseline.import.reduce((a, b) => a + b, 0)} calls for the import runs, ${baseline.webhooks.reduce((a, b) => a + b, 0)} with webhooks).`);
lines.push("");
lines.push("| fault | runs | records | faults injected | drift | duplicates | lost | extra API calls | result |");
lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---|");
for (const r of rows) {
  const pct = r.base ? ` (${((100 * r.extra) / r.base).toFixed(0)}%)` : "";
  lines.push(`| ${r.name} | ${r.runs} | ${r.records} | ${r.faults} | ${r.drift} | ${r.duplicates} | ${r.lost} | ${r.extra}${pct} | ${ok(r) ? "pass" : "**FAIL**"} |`);
}
lines.push("");
lines.push("Notes per fault:");
for (const r of rows) {
  if (r.notes.length || r.detail.length) lines.push(`- ${r.name}: ${[...new Set(r.notes)].join("; ")}${r.detail.length ? `; first problems: ${r.detail.slice(0, 3).join("; ")}` : ""}`);
}
lines.push("");
let stormOk = false;
if (stormError) {
  lines.push(`Two-way storm: did not finish: ${stormError.message}`);
} else {
  const s = storm;
  // Converged, at most 1.5 writes per edit, traffic stopped within 60 s of the last
  // edit, and nothing at all in the quiet window after it (no echo loop).
  stormOk = s.failedRuns === 0 && s.drift === 0 && s.duplicates === 0 && s.lost === 0 && s.afterQuiet.webhooks === 0 && s.afterQuiet.writes === 0 && s.writesPerEdit <= 1.5 && s.settleMs < 60_000;
  lines.push(`Two-way storm: ${s.n} contacts, each edited in Outseta (LastName) and in GHL (firstName) at the same moment, ${s.edits} edits in ${(s.stormMs / 1000).toFixed(1)} s with webhooks flowing both ways.`);
  lines.push("");
  lines.push("| contacts | edits | engine writes | writes per edit | webhooks | traffic stopped after the last edit | webhooks in the next " + (s.quietWindowMs / 1000) + " s | drift | duplicates | lost | failed runs | result |");
  lines.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  lines.push(`| ${s.n} | ${s.edits} | ${s.engineWrites} | ${s.writesPerEdit.toFixed(3)} | ${s.webhooksDuringStorm} | ${(s.settleMs / 1000).toFixed(1)} s | ${s.afterQuiet.webhooks} | ${s.drift} | ${s.duplicates} | ${s.lost} | ${s.failedRuns} | ${stormOk ? "pass" : "**FAIL**"} |`);
  if (s.failedRuns) lines.push(`\nFailed webhook runs (the sender retries them): ${JSON.stringify(s.failedSample)}`);
  if (s.lost) lines.push(`\nLost: ${s.lostWhat.join("; ")}`);
}
lines.push("");
lines.push(`Total time ${((performance.now() - started) / 1000).toFixed(0)} s.`);
const text = lines.join("\n");
console.log(text);
mkdirSync(new URL("../tests/.out/", import.meta.url), { recursive: true });
writeFileSync(new URL("../tests/.out/reliability.md", import.meta.url), `# Reliability\n\n${text}\n`);
process.exitCode = rows.every(ok) && stormOk ? 0 : 1;
