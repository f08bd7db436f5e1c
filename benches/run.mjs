// `make bench`: runs every benches/*.bench.mjs in its own Node process, in name order.
// Each prints rows of one Markdown table: every figure is a ratio of two measurements
// taken in the same run (these machines are shared and noisy), with the raw times beside it.
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const DIR = fileURLToPath(new URL(".", import.meta.url));
const benches = readdirSync(DIR).filter((name) => name.endsWith(".bench.mjs")).sort();

console.log("| benchmark | ours | baseline | ratio (ours / baseline) |");
console.log("|---|---|---|---|");
let failed = 0;
for (const bench of benches) {
  const run = spawnSync(process.execPath, ["--expose-gc", `${DIR}${bench}`], { stdio: "inherit" });
  if (run.status !== 0) {
    console.error(`bench: ${bench} failed (exit ${run.status})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
