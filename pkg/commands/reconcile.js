// `outseta-ghl-sync reconcile [--html FILE] [--output FILE] [--repair [--dry-run]]`
import { writeFileSync } from "node:fs";
import { ENGINE_FLAGS, ENGINE_USAGE, jsonText, openEngine, printJson } from "./engine.js";
import { parseFlags, problemsLine, redact, UsageError } from "./support.js";

export const synopsis = "reconcile [--html FILE] [--repair]";
export const summary = "Compare both systems; report drift as JSON and HTML, optionally repair it.";

export const usage = `Usage: outseta-ghl-sync reconcile [--html FILE] [--output FILE] [--repair [--dry-run]]
                                  [--check] [--config FILE] [--store FILE]

Reads every Outseta person and GHL contact and reports what is out of step: people
missing in GHL, unlinked GHL contacts, drifted fields, stale links, duplicates,
pending reviews, fields the sync cannot write (each with its value and why) and people
no contact can be made for. The JSON report goes to stdout (or --output); a one-line summary to
stderr.
  --html FILE        also write the report as one HTML page to FILE
  --output FILE      write the JSON report to FILE instead of stdout
  --repair           sync every drifted or missing pair (the report's "repair" lists
                     each pair's plan and outcome)
  --dry-run          with --repair: plan the repair, write nothing
  --check            exit 1 when the systems are not in sync
${ENGINE_USAGE}Exit codes: 0 reported (and, with --check, in sync), 1 not in sync with --check, a
repair failed, or the run was refused (the error's code is printed), 2 usage error.
`;

/** @param {string[]} args @returns {Promise<number>} the exit code */
export async function run(args) {
  const flags = parseFlags("reconcile", args, { ...ENGINE_FLAGS, html: "string", output: "string", repair: "boolean", "dry-run": "boolean", check: "boolean" });
  if (flags["dry-run"] && !flags.repair) throw new UsageError("reconcile: --dry-run only goes with --repair");
  const { engine, store } = openEngine(flags);
  try {
    const report = await engine.reconcile({ repair: flags.repair === true, dryRun: flags["dry-run"] === true, html: typeof flags.html === "string" });
    const { html, ...json } = report;
    if (typeof flags.html === "string") writeFileSync(flags.html, redact(html ?? ""));
    if (typeof flags.output === "string") writeFileSync(flags.output, jsonText(json));
    else printJson(json);
    const c = report.counts;
    const repairFailed = (report.repair ?? []).filter((p) => p.error || p.results.some((r) => !r.ok)).length;
    process.stderr.write(
      (report.inSync ? "in sync" : "not in sync") +
        `: ${c.outsetaPeople} Outseta people, ${c.ghlContacts} GHL contacts, ${c.links} links; ` +
        `missing in GHL ${c.missingInGhl}, unlinked GHL ${c.unlinkedGhl}, drifted pairs ${c.driftedPairs}, ` +
        `stale links ${c.staleLinks}, duplicate clusters ${c.duplicateClusters}, pending reviews ${c.pendingReviews}, ` +
        `fields the sync cannot write ${c.unwritableFields}, people refused ${c.refused}` +
        (report.repair ? `; repair ${flags["dry-run"] ? "planned" : "ran"} for ${report.repair.length} pairs, ${repairFailed} failed` : "") +
        (typeof flags.html === "string" ? `; HTML report: ${flags.html}` : "") + "\n",
    );
    const problems = problemsLine(countProblems(report.unwritable));
    if (problems) process.stderr.write(`${problems}\n`);
    if (repairFailed > 0) return 1;
    return flags.check && !report.inSync ? 1 : 0;
  } finally {
    store.close();
  }
}

/** @param {{ field: string, code: string }[]} problems */
function countProblems(problems) {
  /** @type {Map<string, { field: string, code: string, count: number }>} */
  const counts = new Map();
  for (const p of problems) {
    const key = `${p.field}\u0000${p.code}`;
    const c = counts.get(key) ?? { field: p.field, code: p.code, count: 0 };
    c.count++;
    counts.set(key, c);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count);
}
