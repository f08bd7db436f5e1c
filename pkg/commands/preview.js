// `outseta-ghl-sync preview --input FILE [--mapping FILE] [--direction to-ghl|to-outseta]
// [--context FILE]`: the payloads a mapping spec makes of records, without writing anything.
import { previewMapping } from "../node.js";
import { readJson, UsageError } from "./support.js";

export const synopsis = "preview --input FILE";
export const summary = "Preview the payloads a mapping spec makes of Outseta People or GHL contacts.";

export const usage = `Usage: outseta-ghl-sync preview --input FILE [--mapping FILE]
                                [--direction to-ghl|to-outseta] [--context FILE]

Maps records with a mapping spec (the built-in mapping when --mapping is left out) and
prints one { ok, payload, errors, error? } per record as JSON: per-field errors sit
beside each payload, never inside it. Nothing is written anywhere.
  --input FILE       one record or an array (- for stdin)
  --mapping FILE     a mapping spec (see mapping-spec.schema.json)
  --direction D      to-ghl (default): Outseta People in, GHL create payloads out;
                     to-outseta: GHL contacts in, Outseta Person payloads out
  --context FILE     { ghlCustomFields, outsetaProperties, locationId, now }: custom
                     field definitions resolve "customFields.<key>" to GHL ids
Exit codes: 0 printed (even when some records have errors), 1 the spec or input was
refused (MAPPING_INVALID lists every problem with its JSON path), 2 usage error.
`;

const DIRECTIONS = { "to-ghl": "toGhl", "to-outseta": "toOutseta" };

/** @param {string[]} args @returns {Record<string, string>} */
function parseArgs(args) {
  /** @type {Record<string, string>} */
  const options = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (!["--input", "--mapping", "--direction", "--context"].includes(flag)) {
      throw new UsageError(`preview: unknown argument "${arg}"; see preview --help`);
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`preview: ${flag} needs a value`);
    if (Object.hasOwn(options, flag.slice(2))) throw new UsageError(`preview: ${flag} given twice`);
    options[flag.slice(2)] = value;
  }
  return options;
}

/** @param {string[]} args @returns {number} the exit code */
export function run(args) {
  const options = parseArgs(args);
  if (options.input === undefined) throw new UsageError("preview: --input FILE is required (- for stdin)");
  const direction = DIRECTIONS[/** @type {keyof typeof DIRECTIONS} */ (options.direction ?? "to-ghl")];
  if (direction === undefined) throw new UsageError(`preview: --direction must be to-ghl or to-outseta`);
  const input = readJson(options.input);
  const spec = options.mapping === undefined ? null : readJson(options.mapping);
  const context = options.context === undefined ? null : readJson(options.context);
  const records = Array.isArray(input) ? input : [input];
  const results = previewMapping(records, /** @type {any} */ (spec), { direction, context: /** @type {any} */ (context) });
  console.log(JSON.stringify(Array.isArray(input) ? results : results[0], null, 2));
  return 0;
}
