// `outseta-ghl-sync map [file]`: the built-in Outseta Person -> GHL contact mapping.
import { mapContact, mapContacts } from "../node.js";
import { readJson, UsageError } from "./support.js";

export const synopsis = "map [file]";
export const summary = "Map Outseta Person JSON (an object or an array) to GHL contact payloads.";

export const usage = `Usage: outseta-ghl-sync map [file]

Maps Outseta People to GHL contact payloads: Email (trimmed, lower-cased), FirstName,
LastName, and PhoneMobile (or PhoneWork when the mobile is empty).
  - one object in: the payload out, or exit 1 with the error's code;
  - an array in: one { ok, contact | error } result per person, in order (exit 0).
Reads the file, or stdin when file is - or absent. Prints JSON.
`;

/** @param {string[]} args @returns {number} the exit code */
export function run(args) {
  if (args.length > 1) throw new UsageError("map takes at most one file");
  const input = readJson(args[0]);
  const output = Array.isArray(input) ? mapContacts(input) : mapContact(/** @type {any} */ (input));
  console.log(JSON.stringify(output, null, 2));
  return 0;
}
