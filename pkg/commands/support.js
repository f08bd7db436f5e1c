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
