// `outseta-ghl-sync version`
import { version } from "../node.js";

export const synopsis = "version";
export const summary = "Print the version.";
export const usage = "Usage: outseta-ghl-sync version\n\nPrints the version.\n";

/** @returns {number} the exit code */
export function run() {
  console.log(version());
  return 0;
}
