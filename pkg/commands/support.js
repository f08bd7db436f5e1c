// What every CLI command shares: reading JSON input and the error types that decide
// the exit code.
import { readFileSync } from "node:fs";

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {}

/** @param {unknown} err */
export function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Reads and parses JSON from a file, or from stdin when `file` is "-" or undefined.
 * Unreadable files are usage errors; text that is not JSON is a coded INPUT_INVALID.
 * @param {string | undefined} file
 * @returns {unknown}
 */
export function readJson(file) {
  const source = file === undefined || file === "-" ? 0 : file;
  let text;
  try {
    text = readFileSync(source, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${source === 0 ? "stdin" : file}: ${messageOf(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw Object.assign(new Error(`the input is not valid JSON: ${messageOf(err)}`), {
      code: "INPUT_INVALID",
      details: { path: "$" },
    });
  }
}

/**
 * Parses `--flag value`, `--flag=value` and boolean `--flag` arguments against `spec`
 * (flag name without dashes to "string", "boolean" or "strings": a repeatable flag whose
 * values are collected, `\n`-joined). Unknown flags, missing values and repeated flags
 * (other than "strings") are usage errors.
 * @param {string} command the command's name, for messages
 * @param {string[]} args
 * @param {Record<string, "string" | "boolean" | "strings">} spec
 * @returns {Record<string, string | boolean>}
 */
export function parseFlags(command, args, spec) {
  /** @type {Record<string, string | boolean>} */
  const options = {};
  /** @type {string[]} */
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined;
    const name = flag.startsWith("--") ? flag.slice(2) : "";
    if (!name && Object.hasOwn(spec, "_") && !arg.startsWith("-")) {
      positional.push(arg);
      continue;
    }
    if (!name || !Object.hasOwn(spec, name)) {
      throw new UsageError(`${command}: unknown argument "${arg}"; see ${command} --help`);
    }
    if (Object.hasOwn(options, name) && spec[name] !== "strings") throw new UsageError(`${command}: ${flag} given twice`);
    if (spec[name] === "boolean") {
      if (inline !== undefined) throw new UsageError(`${command}: ${flag} takes no value`);
      options[name] = true;
    } else {
      const value = inline ?? args[++i];
      if (value === undefined || (inline === undefined && value.startsWith("--"))) {
        throw new UsageError(`${command}: ${flag} needs a value`);
      }
      options[name] = spec[name] === "strings" && Object.hasOwn(options, name) ? `${options[name]}\n${value}` : value;
    }
  }
  if (positional.length) options._ = positional.join("\n");
  return options;
}

/**
 * The fields a run did not write, counted, as one line for stderr
 * (`fields not written: 168 phone unreadable (TRANSFORM_FAILED), 3 customFields.contact.plan …`),
 * or "" when there were none.
 * @param {{ field: string, code: string, count: number }[]} counts
 */
export function problemsLine(counts) {
  if (!counts.length) return "";
  const WHY = /** @type {Record<string, string>} */ ({
    TRANSFORM_FAILED: "unreadable",
    INPUT_INVALID: "of the wrong type",
    TYPE_MISMATCH: "of the wrong type",
    CUSTOM_FIELD_UNRESOLVED: "with no custom field in GHL",
    CUSTOM_FIELD_NOT_STORED: "not kept by GHL",
    OUTSETA_PROPERTY_UNKNOWN: "with no property in Outseta",
    FIELD_NOT_UPDATABLE: "not updatable in GHL",
    CONTEXT_MISSING: "missing context",
  });
  const parts = counts.map((c) => `${c.count} ${c.field} ${WHY[c.code] ?? "not written"} (${c.code})`);
  return `fields not written: ${parts.join(", ")}`;
}

/**
 * A whole number from a flag, or the default when the flag is absent.
 * @param {string} command @param {string} flag @param {string | boolean | undefined} value
 * @param {number} fallback @param {number} min @param {number} max
 */
export function intFlag(command, flag, value, fallback, min, max) {
  if (value === undefined) return fallback;
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${command}: --${flag} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

/** The environment variables holding secrets; their values never reach output. */
export const SECRET_ENV = ["GHL_TOKEN", "OUTSETA_API_KEY", "OUTSETA_SECRET_KEY", "OUTSETA_SIGNING_KEY"];

/**
 * `text` with every secret from the environment replaced by "[redacted]".
 * @param {string} text
 */
export function redact(text) {
  let out = text;
  for (const name of SECRET_ENV) {
    const secret = process.env[name];
    if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out;
}
