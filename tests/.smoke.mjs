import { findDuplicates } from "outseta-ghl-sync";
import { generate, pairScore } from "/work/wt/dedup/tests/support/dedup-data.mjs";
const n = Number(process.argv[2] ?? 10000);
let t = performance.now();
const { records, entityOf } = generate({ n, seed: 7 });
console.log("gen ms", (performance.now() - t).toFixed(0));
if (process.argv[3]) console.log(JSON.stringify(records.slice(0, 8), null, 1));
t = performance.now();
const report = findDuplicates(records, { explain: process.argv[4] !== "noexplain" });
const ms = performance.now() - t;
const s = pairScore(report.clusters, entityOf);
console.log("ms", ms.toFixed(0), JSON.stringify(s));
const { skippedRecords, fieldIssueExamples, ...rest } = report.stats;
console.log(JSON.stringify(rest));
console.log(fieldIssueExamples.slice(0, 10));
// error analysis
const byEntity = new Map();
for (const [id, e] of entityOf) { if (!byEntity.has(e)) byEntity.set(e, []); byEntity.get(e).push(id); }
const clusterOf = new Map();
report.clusters.forEach((c, i) => c.forEach((id) => clusterOf.set(id, i)));
const recById = new Map(records.map((r) => [r.Uid ?? r.id, r]));
let fnShown = 0, fpShown = 0;
for (const ids of byEntity.values()) {
  for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) {
    const a = clusterOf.get(ids[i]), b = clusterOf.get(ids[j]);
    if ((a === undefined || a !== b) && fnShown < Number(process.env.FN ?? 0)) {
      fnShown++;
      const ex = report.explanations.find((x) => (x.a === ids[i] && x.b === ids[j]) || (x.a === ids[j] && x.b === ids[i]));
      console.log("FN", JSON.stringify(recById.get(ids[i])), "\n   ", JSON.stringify(recById.get(ids[j])), "\n   ", JSON.stringify(ex));
    }
  }
}
for (const c of report.clusters) {
  const es = new Set(c.map((id) => entityOf.get(id)));
  if (es.size > 1 && fpShown < Number(process.env.FP ?? 0)) {
    fpShown++;
    console.log("FP cluster", c.map((id) => JSON.stringify(recById.get(id))).join("\n    "));
    console.log("   ", JSON.stringify(report.explanations.filter((x) => c.includes(x.a)).map(x => [x.a, x.b, x.score, x.rule])));
  }
}
