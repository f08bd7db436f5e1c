// `outseta-ghl-sync reviews list` and `reviews resolve ID (--link GHL_ID | --create |
// --keep-outseta | --keep-ghl | --field NAME=SIDE ...)`: the review queue.
import { ENGINE_FLAGS, ENGINE_USAGE, openEngine, printJson } from "./engine.js";
import { parseFlags, UsageError } from "./support.js";

export const synopsis = "reviews list | resolve ID ...";
export const summary = "List what is held for review, and resolve it (link, create, keep a side).";

export const usage = `Usage: outseta-ghl-sync reviews list [--config FILE] [--store FILE]
       outseta-ghl-sync reviews resolve ID (--link GHL_ID | --create | --keep-outseta |
                                           --keep-ghl | --field NAME=SIDE ...)
                                           [--config FILE] [--store FILE]

What a sync would not decide alone waits in the review queue:
  ID/duplicate   an Outseta person that may be an existing GHL contact (or the same as
                 another person of an import). Nothing creates a contact for it until
                 it is resolved: --link GHL_ID links it to that contact and merges the
                 two (a first sync); --create makes a contact of its own.
  ID/FIELD       a field both sides changed differently, held by the policy: --keep-outseta
                 or --keep-ghl writes that side's value to the other; --field NAME=SIDE
                 (SIDE outseta or ghl, repeatable) chooses per field.
ID is the person's Outseta Uid followed by the slot, as "list" prints it; the Uid alone
names all of the person's held fields.

"list" prints the queue as JSON (each item: id, kind, reason, both records, candidates
with their scores and evidence) and a summary on stderr. "resolve" runs the sync the
choice decides and prints its run (the Plan and each operation's result); the review
is dropped once that succeeded.
${ENGINE_USAGE}Exit codes: 0 done, 1 the resolution was refused or its sync failed (the error's
code is printed), 2 usage error.
`;

/** @param {string[]} args @returns {Promise<number>} the exit code */
export async function run(args) {
  const [action, ...rest] = args;
  if (action === "list") return list(rest);
  if (action === "resolve") return resolve(rest);
  throw new UsageError(`reviews: the first argument is "list" or "resolve"; see reviews --help`);
}

/** @param {string[]} args */
async function list(args) {
  const flags = parseFlags("reviews list", args, ENGINE_FLAGS);
  const { engine, store } = openEngine(flags);
  try {
    const items = await engine.reviews();
    printJson(items);
    const duplicates = items.filter((i) => i.kind === "duplicate").length;
    process.stderr.write(`${items.length} pending: ${duplicates} possible duplicates, ${items.length - duplicates} held fields\n`);
    return 0;
  } finally {
    store.close();
  }
}

/** @param {string[]} args */
async function resolve(args) {
  const flags = parseFlags("reviews resolve", args, {
    ...ENGINE_FLAGS, _: "strings", link: "string", create: "boolean", "keep-outseta": "boolean", "keep-ghl": "boolean", field: "strings",
  });
  const ids = typeof flags._ === "string" ? flags._.split("\n") : [];
  if (ids.length !== 1) throw new UsageError("reviews resolve: give exactly one review ID (see reviews list)");
  const chosen = ["link", "create", "keep-outseta", "keep-ghl", "field"].filter((f) => flags[f] !== undefined);
  if (chosen.length !== 1) {
    throw new UsageError("reviews resolve: give exactly one of --link GHL_ID, --create, --keep-outseta, --keep-ghl, --field NAME=SIDE");
  }
  /** @type {import("../index.js").ReviewResolution} */
  let resolution;
  if (typeof flags.link === "string") resolution = { link: flags.link };
  else if (flags.create) resolution = { create: true };
  else if (flags["keep-outseta"]) resolution = { keep: "outseta" };
  else if (flags["keep-ghl"]) resolution = { keep: "ghl" };
  else {
    /** @type {Record<string, "outseta" | "ghl">} */
    const fields = {};
    for (const pair of String(flags.field).split("\n")) {
      const at = pair.lastIndexOf("=");
      const side = pair.slice(at + 1);
      if (at <= 0 || (side !== "outseta" && side !== "ghl")) {
        throw new UsageError(`reviews resolve: --field takes NAME=outseta or NAME=ghl, not "${pair}"`);
      }
      fields[pair.slice(0, at)] = side;
    }
    resolution = { fields };
  }
  const { engine, store } = openEngine(flags);
  try {
    const run = await engine.resolveReview(ids[0], resolution);
    printJson(run);
    const failed = run.pairs.filter((p) => p.error);
    const ops = run.pairs.flatMap((p) => p.results.filter((r) => r.ok).map((r) => r.op));
    process.stderr.write(failed.length ? `resolve failed: ${failed.map((p) => p.error?.code).join(", ")}; the review stays\n` : `resolved ${ids[0]}: ${ops.join(", ") || "nothing to write"}\n`);
    return failed.length ? 1 : 0;
  } finally {
    store.close();
  }
}
