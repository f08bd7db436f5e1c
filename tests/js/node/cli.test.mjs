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

test("preview prints payloads with per-field errors beside each, built-in mapping by default", () => {
  const input = JSON.stringify([PERSON, { Email: "a@b.co", PhoneWork: "nope" }, { FirstName: "x" }]);
  const run = cli(["preview", "--input", "-"], input);
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.deepEqual(out[0], { ok: true, payload: EXPECTED_CONTACT, errors: [] });
  assert.deepEqual(Object.keys(out[1]), ["ok", "payload", "errors"]);
  assert.equal(out[1].errors[0].field, "phone");
  assert.equal(out[1].payload.phone, undefined, "errors sit beside the payload, not inside it");
  assert.equal(out[2].error.code, "MAPPING_NO_IDENTITY");
  const single = cli(["preview", "--input", join(ROOT, "tests/fixtures/outseta-person.json")]);
  assert.deepEqual(JSON.parse(single.stdout).payload, EXPECTED_CONTACT);
});

test("preview --mapping and --direction to-outseta; a bad spec exits 1 with every problem", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "ogs-preview-"));
  const spec = join(dir, "spec.json");
  writeFileSync(spec, JSON.stringify({ version: 1, fields: [{ outseta: "Email", ghl: "email", transforms: ["uppercase"] }] }));
  const toGhl = cli(["preview", "--input", "-", "--mapping", spec], JSON.stringify({ Email: "a@b.co" }));
  assert.deepEqual(JSON.parse(toGhl.stdout).payload, { email: "A@B.CO" });
  const toOutseta = cli(["preview", "--input=-", "--direction", "to-outseta"], JSON.stringify([{ id: "g1", email: "x@y.co", city: "Paris" }]));
  assert.equal(toOutseta.status, 0, toOutseta.stderr);
  assert.deepEqual(JSON.parse(toOutseta.stdout)[0].payload, { Email: "x@y.co", MailingAddress: { City: "Paris" } });
  const badSpec = join(dir, "bad.json");
  writeFileSync(badSpec, JSON.stringify({ version: 1, fields: [{ outseta: "Email", ghl: "emial" }, { ghl: "x", transforms: ["nope"] }] }));
  const bad = cli(["preview", "--input", "-", "--mapping", badSpec], "{}");
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /MAPPING_INVALID/);
  assert.match(bad.stderr, /\$\.fields\[0\]\.ghl/);
  assert.match(bad.stderr, /\$\.fields\[1\]\.transforms\[0\]/);
});

test("preview usage errors exit 2 and --help explains it", () => {
  assert.equal(cli(["preview"]).status, 2);
  assert.equal(cli(["preview", "--input", "-", "--direction", "up"], "{}").status, 2);
  assert.equal(cli(["preview", "--input", "-", "--bogus"], "{}").status, 2);
  assert.equal(cli(["preview", "--input", "/no/such.json"]).status, 2);
  const help = cli(["preview", "--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--direction to-ghl\|to-outseta/);
  assert.match(cli(["--help"]).stdout, /^ {2}preview --input FILE/m);
});
