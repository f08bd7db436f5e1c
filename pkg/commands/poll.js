// `outseta-ghl-sync poll`: the polling fallback, once.
import { ENGINE_FLAGS, ENGINE_USAGE, openEngine, printJson } from "./engine.js";
import { parseFlags } from "./support.js";

export const synopsis = "poll";
export const summary = "Sync people changed in Outseta since the last poll (run it from cron).";

export const usage = `Usage: outseta-ghl-sync poll [--config FILE] [--store FILE]

The polling fallback for missed webhooks: syncs the Outseta people updated since the
last poll (the cursor is kept in the store), then sends new Outseta activities to GHL
as notes. Prints the run (each pair's plan and outcome) as JSON. Run it from cron.
${ENGINE_USAGE}Exit codes: 0 every pair synced, 1 a pair failed or the run was refused (the error's
code is printed), 2 usage error.
`;

/** @param {string[]} args @returns {Promise<number>} the exit code */
export async function run(args) {
  const flags = parseFlags("poll", args, { ...ENGINE_FLAGS });
  const { engine, store } = openEngine(flags);
  try {
    const result = await engine.poll();
    printJson(result);
    const failed = result.pairs.filter((p) => p.error || p.results.some((r) => !r.ok)).length;
    process.stderr.write(`poll: ${result.pairs.length} pairs, ${failed} failed${result.skipped ? ` (${result.skipped})` : ""}\n`);
    return failed > 0 ? 1 : 0;
  } finally {
    store.close();
  }
}
