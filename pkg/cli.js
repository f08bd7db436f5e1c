#!/usr/bin/env node
// The outseta-ghl-sync command line, running the core through the Node entry.
// Each command is a module in commands/ exporting { synopsis, summary, usage, run(args) }.
// Exit codes: 0 success, 1 the input was refused or the run failed (a coded error),
// 2 usage error; `import` stopped by a signal exits 130.
import { version } from "./node.js";
import { redact, UsageError } from "./commands/support.js";
import * as dedup from "./commands/dedup.js";
import * as importCommand from "./commands/import.js";
import * as map from "./commands/map.js";
import * as poll from "./commands/poll.js";
import * as preview from "./commands/preview.js";
import * as reconcile from "./commands/reconcile.js";
import * as reviews from "./commands/reviews.js";
import * as serve from "./commands/serve.js";
import * as timeline from "./commands/timeline.js";
import * as versionCommand from "./commands/version.js";

/** @typedef {{ synopsis: string, summary: string, usage: string, run: (args: string[]) => number | Promise<number> }} Command */
/** @type {Record<string, Command>} */
const COMMANDS = {
  map,
  preview,
  dedup,
  import: importCommand,
  reconcile,
  reviews,
  timeline,
  poll,
  serve,
  version: versionCommand,
};

const HELP = `outseta-ghl-sync ${version()}: keep Outseta people and HighLevel contacts in step

Usage: outseta-ghl-sync <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([, command]) => `  ${command.synopsis.padEnd(34)}  ${command.summary}`)
  .join("\n")}
  help                                Print this help. Every command also takes --help.

Exit codes: 0 success, 1 failure or input refused (the error's code is printed), 2 usage error.
`;

/** @param {string[]} args the command line after the program name @returns {Promise<number>} */
async function run(args) {
  const [name, ...rest] = args;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(HELP);
    return 0;
  }
  const key = name === "--version" ? "version" : name;
  if (!Object.hasOwn(COMMANDS, key)) {
    throw new UsageError(`unknown command "${name}"; see outseta-ghl-sync --help`);
  }
  const command = COMMANDS[key];
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(command.usage);
    return 0;
  }
  return command.run(rest);
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (err) {
  // Secrets from the environment never reach output, even inside an error's message.
  if (err instanceof UsageError) {
    console.error(redact(`outseta-ghl-sync: ${err.message}`));
    process.exitCode = 2;
  } else if (err instanceof Error && "code" in err && typeof err.code === "string") {
    console.error(redact(`outseta-ghl-sync: ${err.code}: ${err.message}`));
    if ("details" in err) console.error(redact(JSON.stringify(err.details)));
    process.exitCode = 1;
  } else {
    console.error(redact(`outseta-ghl-sync: INTERNAL: ${err instanceof Error ? err.stack ?? err.message : String(err)}`));
    process.exitCode = 1;
  }
}
// The command is done: exit once the output has drained, whatever handle a command may
// have left open (the clients' timeout timers are cleared since src/wasm/clock.rs drops
// them with their race; this stays as the guard).
await new Promise((resolve) => process.stdout.write("", resolve));
await new Promise((resolve) => process.stderr.write("", resolve));
process.exit();
