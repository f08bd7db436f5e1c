// `outseta-ghl-sync dedup --input FILE --output FILE [--config FILE]`: duplicate
// detection over a JSON array of Outseta People and/or GHL contacts.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { findDuplicates } from "../node.js";
import { messageOf, readJson, UsageError } from "./support.js";

export const synopsis = "dedup --input FILE --output FILE";
export const summary = "Find duplicate people in a JSON array of Outseta People or GHL contacts.";

export const usage = `Usage: outseta-ghl-sync dedup --input FILE --output FILE [options]

Reads a JSON array of records (Outseta People, GHL contacts or canonical contacts; the
shape is detected per record unless --shape says otherwise) and writes
  { "clusters": [[id, ...], ...], "possible": [{ "a", "b", "score" }, ...], "stats": { ... } }
with ids from each record's Uid (Outseta) or id (GHL); "#N" names a record without one
(N is its position). Records that cannot be used are skipped and counted in stats.

Options:
  --input FILE      the records (- for stdin)
  --output FILE     where to write the result (- for stdout)
  --config FILE     a JSON dedup config (thresholds, weights, blocking, dobFields, ...)
  --shape SHAPE     auto (default), outseta, ghl or canonical
  --region CODE     default region for phones without a country code (default US)
  --explain         also write "explanations": the rule, fields and similarity of every
                    match and possible match
  --quiet           no progress on stderr

Progress goes to stderr. Exit codes: 0 done, 1 input or config refused, 2 usage error.
`;

const SHAPES = ["auto", "outseta", "ghl", "canonical"];

/** @param {string[]} args */
function parse(args) {
  /** @type {{ input?: string, output?: string, config?: string, shape?: string, region?: string, explain: boolean, quiet: boolean }} */
  const options = { explain: false, quiet: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case "--input": options.input = value(); break;
      case "--output": options.output = value(); break;
      case "--config": options.config = value(); break;
      case "--shape": options.shape = value(); break;
      case "--region": options.region = value(); break;
      case "--explain": options.explain = true; break;
      case "--quiet": options.quiet = true; break;
      default: throw new UsageError(`unknown option "${arg}"; see outseta-ghl-sync dedup --help`);
    }
  }
  const { input, output } = options;
  if (!input) throw new UsageError("dedup needs --input FILE");
  if (!output) throw new UsageError("dedup needs --output FILE");
  if (options.shape !== undefined && !SHAPES.includes(options.shape)) {
    throw new UsageError(`--shape must be one of ${SHAPES.join(", ")}`);
  }
  return { ...options, input, output };
}

/** @param {string[]} args @returns {number} the exit code */
export function run(args) {
  const options = parse(args);
  const started = performance.now();
  const progress = (/** @type {string} */ message) => {
    if (!options.quiet) {
      process.stderr.write(`dedup: ${message} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
    }
  };
  const config = options.config === undefined ? {} : readJson(options.config);
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw Object.assign(new Error("the config file must hold a JSON object"), {
      code: "CONFIG_INVALID",
      details: { path: "$" },
    });
  }
  const settings = /** @type {Record<string, unknown>} */ ({ ...config });
  if (options.shape !== undefined) settings.shape = options.shape;
  if (options.region !== undefined) settings.defaultRegion = options.region;
  settings.explain = options.explain;

  const source = options.input === "-" ? 0 : options.input;
  let text;
  try {
    const size = source === 0 ? 0 : statSync(source).size;
    progress(`reading ${source === 0 ? "stdin" : `${options.input} (${(size / 1e6).toFixed(1)} MB)`}`);
    text = readFileSync(source, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${source === 0 ? "stdin" : options.input}: ${messageOf(err)}`);
  }
  // The text goes to the core as it is: no JSON.parse and stringify of every record.
  progress("normalising, blocking, scoring and clustering");
  const report = findDuplicates(text, /** @type {import("../index.js").DedupConfig} */ (settings));
  const s = report.stats;
  const t = s.timingsMs;
  progress(
    `${s.records} records (${s.skipped} skipped), ${s.pairsCompared} pairs compared, ` +
      `${s.clusters} clusters, ${s.possibleMatches} possible; ` +
      `normalise ${t.normalise} ms, blocking ${t.blocking} ms, scoring ${t.scoring} ms, clustering ${t.clustering} ms`,
  );
  /** @type {Record<string, unknown>} */
  const out = { clusters: report.clusters, possible: report.possible, stats: report.stats };
  if (options.explain) out.explanations = report.explanations;
  const json = `${JSON.stringify(out)}\n`;
  try {
    if (options.output === "-") process.stdout.write(json);
    else writeFileSync(/** @type {string} */ (options.output), json);
  } catch (err) {
    throw new UsageError(`cannot write ${options.output}: ${messageOf(err)}`);
  }
  progress(`wrote ${options.output === "-" ? "stdout" : options.output}`);
  return 0;
}
