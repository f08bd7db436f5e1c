// A/B of planSyncJson between two wasm builds in one Node process, rounds interleaved
// (A then B, B then A, ...), on the batches merge.bench.mjs builds: a change's speed-up
// measured without the load of a shared machine moving between two separate runs.
// Checks first that both builds give the same Plans for all 100,000 pairs.
//   cp -a pkg/wasm /tmp/wasm-a   (build A: e.g. main), then `make build` on the change:
//   node --expose-gc benches/plan-ab.mjs /tmp/wasm-a "$PWD/pkg/wasm" [ROUNDS] [WASM_FILE]
// WASM_FILE defaults to the size build; pass outseta_ghl_sync_node_bg.wasm for the
// build Node loads.
// Not a *.bench.mjs: `make bench` does not run it.
import { deepStrictEqual } from "node:assert";
import { readFileSync } from "node:fs";
import { planSync } from "outseta-ghl-sync";
import { steadyStateBatch } from "../tests/js/people.mjs";

const [dirA, dirB] = process.argv.slice(2, 4);
const ROUNDS = Number(process.argv[4] ?? 5);
const WASM_FILE = process.argv[5] ?? "outseta_ghl_sync_bg.wasm";
const N = 100_000, BATCH = 5_000;
const load = async (dir) => {
  const m = await import(`${dir}/outseta_ghl_sync.js`);
  m.initSync({ module: readFileSync(`${dir}/${WASM_FILE}`) });
  return m;
};
const A = await load(dirA), B = await load(dirB);
const batches = [];
for (let start = 0; start < N; start += BATCH) {
  batches.push(JSON.stringify(steadyStateBatch(planSync, start, BATCH).input));
}
const outputs = batches.map((t) => A.planSyncJson(t));
const parsed = outputs.map((o) => JSON.parse(o));
// The same Plans, read back (a change may write the same JSON differently: escapes).
batches.forEach((t, i) => deepStrictEqual(JSON.parse(B.planSyncJson(t)), parsed[i]));
console.log("same Plans (all 100,000 pairs)");
const time = (fn) => { globalThis.gc?.(); const s = performance.now(); fn(); return performance.now() - s; };
const t = { A: [], B: [], floor: [] };
for (let r = 0; r < ROUNDS; r++) {
  t.floor.push(time(() => batches.forEach((b, i) => { JSON.parse(b); JSON.stringify(parsed[i]); })));
  const order = r % 2 ? ["B", "A"] : ["A", "B"];
  for (const k of order) t[k].push(time(() => batches.forEach((b) => (k === "A" ? A : B).planSyncJson(b))));
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = med(t.floor);
for (const k of ["A", "B"]) console.log(`${k} ${k === "A" ? dirA : dirB}: median ${med(t[k]).toFixed(0)} ms, ratio ${(med(t[k]) / f).toFixed(2)} (rounds ${t[k].map((x) => x.toFixed(0)).join(" ")})`);
console.log(`floor median ${f.toFixed(0)} ms (rounds ${t.floor.map((x) => x.toFixed(0)).join(" ")}); B/A ${(med(t.B) / med(t.A)).toFixed(3)}`);
