// `outseta-ghl-sync import [--dry-run] [--resume] [--page-size N]`: every Outseta person
// into GHL, with a progress line on stderr.
import { writeFileSync } from "node:fs";
import { ENGINE_FLAGS, ENGINE_USAGE, jsonText, openEngine, printJson } from "./engine.js";
import { intFlag, parseFlags, problemsLine } from "./support.js";

export const synopsis = "import [--dry-run] [--resume]";
export const summary = "Bulk import every Outseta person into GHL, with progress.";

export const usage = `Usage: outseta-ghl-sync import [--dry-run] [--resume] [--page-size N] [--two-way]
                               [--report FILE] [--strict] [--output FILE]
                               [--config FILE] [--store FILE]

Reads every Outseta person page by page, matches each to a GHL contact (links, email,
canonical email, phone) and creates, updates or links it. It writes to GHL only: where
GHL holds a newer value, Outseta keeps its own until a two-way sync (--two-way) carries
it over. A person who may be an existing contact is held for review (see "reviews"),
never created. A progress line on stderr shows the count, the rate and the ETA. A
checkpoint is kept after each page: when a run stops (Ctrl-C stops after the current
page; a killed process loses at most that page), run again with --resume to go on from
it. A finished import run again writes nothing for people that did not change. The
summary line counts the writes per system, people refused (no email and no readable
phone) and every field not written by kind; the report (JSON) lists them.
  --dry-run          plan only: print every pair's plan, write nothing
  --resume           go on from the checkpoint of a stopped run
  --page-size N      people per Outseta page (default 100, at most 100; 25 when the
                     mapping reads the person's account, Outseta's limit then)
  --two-way          also write GHL's newer values to Outseta (a two-way first sync)
  --report FILE      write every field not written, person refused and pair failed
                     to FILE (JSON: { summary, problems, refused, failed, held })
  --strict           exit 1 when any field was not written or any person refused
  --output FILE      write the JSON report to FILE instead of stdout
${ENGINE_USAGE}Exit codes: 0 done with no failed pair, 1 a pair failed, the run was refused (the
error's code is printed) or, with --strict, a field was not written or a person refused,
2 usage error, 130 stopped by a signal (resume with --resume).
`;

/** @param {number | null} seconds */
function eta(seconds) {
  if (seconds === null || !Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** @param {import("../index.js").ImportProgress} p @param {boolean} dryRun */
export function progressLine(p, dryRun) {
  const pct = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 100;
  const verb = dryRun ? "planned" : "imported";
  return `${verb} ${p.done}/${p.total} (${pct}%)  ${p.rate.toFixed(1)}/s  ETA ${eta(p.etaSeconds)}  created ${p.created} updated ${p.updated} linked ${p.linked} unchanged ${p.unchanged}`;
}

/** @param {string[]} args @returns {Promise<number>} the exit code */
export async function run(args) {
  const flags = parseFlags("import", args, { ...ENGINE_FLAGS, "dry-run": "boolean", resume: "boolean", "page-size": "string", output: "string", "two-way": "boolean", report: "string", strict: "boolean" });
  const pageSize = intFlag("import", "page-size", flags["page-size"], 100, 1, 100);
  const dryRun = flags["dry-run"] === true;
  const { engine, store } = openEngine(flags);
  const tty = process.stderr.isTTY === true;
  let stopSignal = /** @type {string | null} */ (null);
  const onSignal = (/** @type {string} */ signal) => {
    if (stopSignal) process.exit(130);
    stopSignal = signal;
    process.stderr.write(`${tty ? "\n" : ""}stopping after this page (${signal}); press Ctrl-C again to quit now\n`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const report = await engine.bulkImport({ dryRun, resume: flags.resume === true, pageSize, twoWay: flags["two-way"] === true }, (p) => {
      const line = progressLine(p, dryRun);
      process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
      return stopSignal === null;
    });
    if (tty) process.stderr.write("\n");
    const s = report.summary;
    const problems = problemsLine(s.fieldProblems);
    process.stderr.write(
      `${report.cancelled ? "stopped" : dryRun ? "dry run done" : "done"}: ${s.done}/${s.total} in ${(report.elapsedMs / 1000).toFixed(1)}s; ` +
        `created ${s.created}, updated ${s.updated}, linked ${s.linked}, unchanged ${s.unchanged}, ` +
        `held for review ${s.heldForReview}, skipped ${s.skipped.length}, refused ${s.refused.length}, failed ${s.failed.length}; ` +
        `writes: GHL ${s.writes.ghl}, Outseta ${s.writes.outseta}` +
        (report.cancelled ? "; run again with --resume to go on" : "") + "\n" +
        (problems ? `${problems}${typeof flags.report === "string" ? `; listed in ${flags.report}` : "; --report FILE lists them"}\n` : ""),
    );
    if (typeof flags.report === "string") {
      const held = s.skipped.filter((k) => k.reason.includes("held for review"));
      writeFileSync(flags.report, jsonText({ summary: s, problems: report.problems, refused: s.refused, failed: s.failed, held }));
    }
    if (typeof flags.output === "string") writeFileSync(flags.output, jsonText(report));
    else printJson(report);
    if (report.cancelled) return 130;
    if (s.failed.length > 0) return 1;
    return flags.strict && (s.fieldProblems.length > 0 || s.refused.length > 0) ? 1 : 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    store.close();
  }
}
