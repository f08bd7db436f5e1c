// `outseta-ghl-sync timeline --outseta-uid X | --ghl-id Y`
import { ENGINE_FLAGS, ENGINE_USAGE, openEngine, printJson } from "./engine.js";
import { parseFlags, UsageError } from "./support.js";

export const synopsis = "timeline --outseta-uid|--ghl-id ID";
export const summary = "One person's activities, notes and tasks from both systems, in time order.";

export const usage = `Usage: outseta-ghl-sync timeline (--outseta-uid UID | --ghl-id ID) [--config FILE] [--store FILE]

Prints { outsetaUid, ghlId, entries } as JSON: the Outseta activities and the GHL notes,
tasks and appointments of one linked person, oldest first.
  --outseta-uid UID  the person's Outseta Uid
  --ghl-id ID        the contact's GHL id
${ENGINE_USAGE}Exit codes: 0 printed, 1 refused (the error's code is printed), 2 usage error.
`;

/** @param {string[]} args @returns {Promise<number>} the exit code */
export async function run(args) {
  const flags = parseFlags("timeline", args, { ...ENGINE_FLAGS, "outseta-uid": "string", "ghl-id": "string" });
  const uid = flags["outseta-uid"];
  const ghlId = flags["ghl-id"];
  if ((uid === undefined) === (ghlId === undefined)) throw new UsageError("timeline: give exactly one of --outseta-uid and --ghl-id");
  const { engine, store } = openEngine(flags);
  try {
    printJson(await engine.timeline(typeof uid === "string" ? { outsetaUid: uid } : { ghlId: String(ghlId) }));
    return 0;
  } finally {
    store.close();
  }
}
