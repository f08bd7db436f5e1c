#!/usr/bin/env node
// The outseta-ghl-sync command line, running the core through the Node entry.
// Exit codes: 0 success, 1 the input was refused (a coded error), 2 usage error.
import { readFileSync } from "node:fs";
import { version, mapContact, mapContacts } from "./node.js";

const HELP = `outseta-ghl-sync ${version()}: keep Outseta people and HighLevel contacts in step

Usage: outseta-ghl-sync <command> [options]

Commands:
  map [file]     Map Outseta Person JSON (one object, or an array) to GHL contact
                 payloads with the built-in mapping. Reads stdin when file is - or absent.
  version        Print the version.
  help           Print this help. Every command also takes --help.

Exit codes: 0 success, 1 input refused (the error's code is printed), 2 usage error.
`;

const COMMAND_HELP = {
  map: `Usage: outseta-ghl-sync map [file]

Maps Outseta People to GHL contact payloads: Email (trimmed, lower-cased), FirstName,
LastName, and PhoneMobile (or PhoneWork when the mobile is empty).
  - one object in: the payload out, or exit 1 with the error's code;
  - an array in: one { ok, contact | error } result per person, in order (exit 0).
Reads the file, or stdin when file is - or absent. Prints JSON.
`,
  version: "Usage: outseta-ghl-sync version\n\nPrints the version.\n",
  help: HELP,
};

class UsageError extends Error {}

/** @param {string | undefined} file a path, or "-" / undefined for stdin */
function readInput(file) {
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

/** @param {unknown} err */
function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

/**
 * @param {string[]} args the command line after the program name
 * @returns {number} the exit code
 */
function run(args) {
  let [command, ...rest] = args;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(HELP);
    return 0;
  }
  if (command === "--version") command = "version";
  if (!Object.hasOwn(COMMAND_HELP, command)) {
    throw new UsageError(`unknown command "${command}"; see outseta-ghl-sync --help`);
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(COMMAND_HELP[/** @type {keyof COMMAND_HELP} */ (command)]);
    return 0;
  }
  switch (command) {
    case "version":
      console.log(version());
      return 0;
    case "map": {
      if (rest.length > 1) throw new UsageError("map takes at most one file");
      const input = readInput(rest[0]);
      const output = Array.isArray(input) ? mapContacts(input) : mapContact(input);
      console.log(JSON.stringify(output, null, 2));
      return 0;
    }
  }
  return 0;
}

try {
  process.exitCode = run(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`outseta-ghl-sync: ${err.message}`);
    process.exitCode = 2;
  } else if (err instanceof Error && "code" in err && typeof err.code === "string") {
    console.error(`outseta-ghl-sync: ${err.code}: ${err.message}`);
    if ("details" in err) console.error(JSON.stringify(err.details));
    process.exitCode = 1;
  } else {
    throw err;
  }
}
