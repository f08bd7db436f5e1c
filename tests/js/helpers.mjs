// Shared by the JS test files: the repository root and the sample Outseta person.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const PERSON = JSON.parse(
  readFileSync(new URL("../fixtures/outseta-person.json", import.meta.url), "utf8"),
);
/** What the built-in mapping makes of PERSON, in every runtime. */
export const EXPECTED_CONTACT = {
  email: "jane.doe@example.com",
  firstName: "Jane",
  lastName: "Doe",
  phone: "+15550102030",
};
export const CRATE_VERSION = readFileSync(new URL("../../Cargo.toml", import.meta.url), "utf8")
  .match(/^version = "(.+)"$/m)[1];

/** Polls `check` (sync or async) every 100 ms until it returns something truthy. */
export async function until(check, what, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const got = await check();
    if (got) return got;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
