// The CLI, run as users run it: a child process through the package's bin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { CRATE_VERSION, EXPECTED_CONTACT, PERSON, ROOT } from "../helpers.mjs";

const cli = (args, input) =>
  spawnSync(process.execPath, [join(ROOT, "pkg/cli.js"), ...args], { input, encoding: "utf8" });

test("--help lists the commands and exits 0", () => {
  for (const args of [["--help"], ["help"], []]) {
    const run = cli(args);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /Usage: outseta-ghl-sync <command>/);
    assert.match(run.stdout, /^ {2}map \[file\]/m);
  }
  const mapHelp = cli(["map", "--help"]);
  assert.equal(mapHelp.status, 0);
  assert.match(mapHelp.stdout, /Usage: outseta-ghl-sync map/);
});

test("version prints the crate version", () => {
  assert.equal(cli(["version"]).stdout.trim(), CRATE_VERSION);
  assert.equal(cli(["--version"]).stdout.trim(), CRATE_VERSION);
});

test("map reads a file or stdin and prints the payload", () => {
  const fromFile = cli(["map", join(ROOT, "tests/fixtures/outseta-person.json")]);
  assert.equal(fromFile.status, 0, fromFile.stderr);
  assert.deepEqual(JSON.parse(fromFile.stdout), EXPECTED_CONTACT);
  const fromStdin = cli(["map"], JSON.stringify([PERSON, {}]));
  assert.equal(fromStdin.status, 0, fromStdin.stderr);
  const results = JSON.parse(fromStdin.stdout);
  assert.deepEqual(results.map((r) => r.ok), [true, false]);
});

test("refused input exits 1 and prints the error code", () => {
  const badJson = cli(["map", "-"], "{ not json");
  assert.equal(badJson.status, 1);
  assert.match(badJson.stderr, /INPUT_INVALID: the input is not valid JSON/);
  const noIdentity = cli(["map"], JSON.stringify({ FirstName: "Ann" }));
  assert.equal(noIdentity.status, 1);
  assert.match(noIdentity.stderr, /MAPPING_NO_IDENTITY/);
});

test("usage errors exit 2", () => {
  const unknown = cli(["frobnicate"]);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  assert.equal(cli(["map", "/no/such/file.json"]).status, 2);
  assert.equal(cli(["map", "a.json", "b.json"]).status, 2);
});
