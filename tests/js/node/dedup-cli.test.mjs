// `outseta-ghl-sync dedup`, run as users run it: a child process through the package's bin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers.mjs";
import { generate, pairScore } from "../../support/dedup-data.mjs";

const cli = (args, input) =>
  spawnSync(process.execPath, [join(ROOT, "pkg/cli.js"), ...args], { input, encoding: "utf8" });
const dir = mkdtempSync(join(tmpdir(), "ogs-dedup-"));
const file = (name, value) => {
  const path = join(dir, name);
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value));
  return path;
};

test("dedup --help documents the command, and the main help lists it", () => {
  const help = cli(["dedup", "--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: outseta-ghl-sync dedup --input FILE --output FILE/);
  assert.match(cli(["--help"]).stdout, /^ {2}dedup --input FILE --output FILE/m);
});

test("dedup writes clusters, possible and stats keyed by Uid / id, with progress on stderr", () => {
  const { records, entityOf } = generate({ n: 1500, seed: 11 });
  const input = file("people.json", records);
  const output = join(dir, "out.json");
  const run = cli(["dedup", "--input", input, "--output", output]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /dedup: reading .*people\.json/);
  assert.match(run.stderr, /1500 records \(0 skipped\), \d+ pairs compared/);
  assert.match(run.stderr, /dedup: wrote /);
  const out = JSON.parse(readFileSync(output, "utf8"));
  assert.deepEqual(Object.keys(out), ["clusters", "possible", "stats"]);
  assert.ok(out.clusters.every((c) => c.every((id) => entityOf.has(id))));
  // Outside tools can score the file: it is as good as the API's answer.
  assert.ok(pairScore(out.clusters, entityOf).f1 >= 0.97);
});

test("dedup reads stdin, writes stdout, takes a config file, --shape and --explain", () => {
  const records = [
    { Uid: "a", Email: "x@y.co", FirstName: "Ann", LastName: "Lee" },
    { Uid: "b", Email: "X@Y.CO ", FirstName: "Ann", LastName: "Lee" },
    { id: "c", email: "x@y.co", firstName: "Ann", lastName: "Lee" },
  ];
  const config = file("config.json", { thresholds: { match: 9 } });
  const run = cli(["dedup", "--input", "-", "--output", "-", "--config", config, "--shape", "outseta", "--explain", "--quiet"], JSON.stringify(records));
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, "");
  const out = JSON.parse(run.stdout);
  // --shape outseta reads only PascalCase keys: record c has no usable field.
  assert.deepEqual(out.clusters, [["a", "b"]]);
  assert.equal(out.stats.skipped, 1);
  assert.equal(out.explanations[0].rule, "email");
});

test("refused input or config exits 1 with the code; usage errors exit 2", () => {
  const output = join(dir, "never.json");
  const notJson = cli(["dedup", "--input", file("bad.json", "{ nope"), "--output", output]);
  assert.equal(notJson.status, 1);
  assert.match(notJson.stderr, /INPUT_INVALID/);
  const notArray = cli(["dedup", "--input", file("obj.json", { a: 1 }), "--output", output]);
  assert.equal(notArray.status, 1);
  assert.match(notArray.stderr, /INPUT_INVALID/);
  const badConfig = cli(["dedup", "--input", file("ok.json", []), "--output", output, "--config", file("c.json", { thresholds: { match: "high" } })]);
  assert.equal(badConfig.status, 1);
  assert.match(badConfig.stderr, /CONFIG_INVALID/);
  for (const args of [[], ["--input", "x.json"], ["--output", "y.json"], ["--input", "/no/such/file", "--output", output],
    ["--input", file("ok2.json", []), "--output", output, "--shape", "xml"], ["--input", "a", "--output", "b", "--frobnicate"]]) {
    const run = cli(["dedup", ...args]);
    assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
  }
});
