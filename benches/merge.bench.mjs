// previewMapping + merge + Plan over 100,000 realistic Outseta people, in the wasm
// build under Node, against the floor any JS-facing mapper pays: JSON.parse of the
// same input text and JSON.stringify of the same output, measured in the same run.
// Records go through in batches of BATCH pairs, as a sync would send them (and so
// the floor is taken per batch too). Prints table rows, then records/s and memory.
import { deepStrictEqual } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { planSync, planSyncJson, previewMapping } from "outseta-ghl-sync";
import { initSync } from "../pkg/wasm/outseta_ghl_sync.js";
import { CONTEXT, steadyStateBatch } from "../tests/js/people.mjs";

const N = 100_000;
const BATCH = 5_000;
const ROUNDS = 5;
// The package already instantiated the module; initSync hands back its exports.
const wasm = initSync({ module: readFileSync(new URL("../pkg/wasm/outseta_ghl_sync_node_bg.wasm", import.meta.url)) });

let peakRss = 0;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

// Steady state (tests/js/people.mjs): linked earlier, some people changed since.
function buildBatches() {
  const batches = [];
  for (let start = 0; start < N; start += BATCH) {
    const { people, input } = steadyStateBatch(planSync, start, BATCH);
    batches.push({ people, input, text: JSON.stringify(input) });
    sample();
  }
  return batches;
}

const mid = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn) {
  globalThis.gc?.();
  const start = performance.now();
  fn();
  const ms = performance.now() - start;
  sample();
  return ms;
}

// Ours and its floor are timed in turn, round by round (which goes first alternates),
// and the ratio is the median of the rounds' ratios: the load of a shared machine
// drifting between a phase of floors and a phase of ours cannot move it, as it moved
// separate medians (ratios of 1.64 to 2.15 for one build).
function paired(ours, floor) {
  const t = { ours: [], floor: [], ratio: [] };
  for (let r = 0; r < ROUNDS; r++) {
    let o, f;
    if (r % 2) {
      f = time(floor);
      o = time(ours);
    } else {
      o = time(ours);
      f = time(floor);
    }
    t.ours.push(o);
    t.floor.push(f);
    t.ratio.push(o / f);
  }
  return { ours: mid(t.ours), floor: mid(t.floor), ratio: mid(t.ratio) };
}

const batches = buildBatches();
const inputBytes = batches.reduce((n, b) => n + b.text.length, 0);

// Checked before timing: both boundary paths give the same plans, and plans do things.
const outputs = batches.map((b) => JSON.parse(planSyncJson(b.text)));
deepStrictEqual(planSync(batches[0].input), outputs[0]);
const ops = outputs.flat().reduce((n, p) => n + p.operations.length, 0);
const outputBytes = outputs.reduce((n, o) => n + JSON.stringify(o).length, 0);

const floorPlan = () => {
  for (const [i, b] of batches.entries()) {
    JSON.parse(b.text);
    JSON.stringify(outputs[i]);
  }
};
const viaText = paired(() => {
  for (const b of batches) planSyncJson(b.text);
}, floorPlan);
const viaObjects = paired(() => {
  for (const b of batches) planSync(b.input);
}, floorPlan);
// The same Plan with records crossing through serde-wasm-bindgen: a second build made
// by `make bench` with the bench-serde-wasm-bindgen feature (never shipped).
const swbUrl = new URL("../pkg/wasm-bench/outseta_ghl_sync.js", import.meta.url);
let viaSwb = null;
if (existsSync(swbUrl)) {
  const swb = await import(swbUrl.href);
  swb.initSync({ module: readFileSync(new URL("../pkg/wasm-bench/outseta_ghl_sync_bg.wasm", import.meta.url)) });
  deepStrictEqual(swb.planSyncSwb(batches[0].input), outputs[0]);
  viaSwb = paired(() => {
    for (const b of batches) swb.planSyncSwb(b.input);
  }, floorPlan);
}
// previewMapping alone (mapping only), objects in and out, against its own floor.
const previews = batches.map((b) => previewMapping(b.people, null, { context: CONTEXT }));
const peopleText = batches.map((b) => JSON.stringify(b.people));
const preview = paired(() => {
  for (const b of batches) previewMapping(b.people, null, { context: CONTEXT });
}, () => {
  for (const [i, text] of peopleText.entries()) {
    JSON.parse(text);
    JSON.stringify(previews[i]);
  }
});

const n = N.toLocaleString("en");
const row = (name, { ours, floor, ratio }) =>
  console.log(`| ${name} | ${ours.toFixed(0)} ms | JSON.parse + JSON.stringify floor, ${floor.toFixed(0)} ms | ${ratio.toFixed(2)} |`);
row(`planSyncJson (map + merge + Plan), ${n} pairs, JSON text in and out`, viaText);
row(`planSync (map + merge + Plan), ${n} pairs, JS objects in and out`, viaObjects);
if (viaSwb !== null) row(`planSyncSwb (map + merge + Plan), ${n} pairs, JS objects via serde-wasm-bindgen (bench build only)`, viaSwb);
else console.log("| planSyncSwb | not built (run `make bench`) | | |");
row(`previewMapping, ${n} people, JS objects in and out`, preview);
console.log(
  `\n(times: medians of ${ROUNDS} rounds; ratio: the median of the rounds' ratios, each round timing ours and the floor in turn)`,
);
console.log(
  `\nplanSyncJson: ${Math.round(N / (viaText.ours / 1000)).toLocaleString("en")} pairs/s; planSync: ${Math.round(N / (viaObjects.ours / 1000)).toLocaleString("en")} pairs/s; ` +
    `previewMapping: ${Math.round(N / (preview.ours / 1000)).toLocaleString("en")} people/s ` +
    `(batches of ${BATCH.toLocaleString("en")}; input ${(inputBytes / 1e6).toFixed(0)} MB, output ${(outputBytes / 1e6).toFixed(0)} MB, ${ops.toLocaleString("en")} operations).`,
);
console.log(
  `Peak memory: process RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (inputs and outputs of all ${n} pairs held at once); ` +
    `wasm linear memory ${(wasm.memory.buffer.byteLength / 2 ** 20).toFixed(0)} MiB (it only grows: its peak).`,
);
