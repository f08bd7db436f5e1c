// The README's examples for custom fields, the import report and reviews, run as
// written: each `<!-- example: NAME -->` block is taken from README.md and run against
// both simulators, with `ghl`, `outseta` (the two clients' options), `store` and `engine`
// bound, and its printed results checked against what the README says they are. The CLI
// line of the import-report paragraph runs through the package's bin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pkg from "outseta-ghl-sync";
import { ROOT } from "../helpers.mjs";
import { startHarness, mapStore, LOC } from "../../support/sync-harness.mjs";

const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The code of the README's example block `name`, its imports of the package bound. */
function example(name) {
  const at = README.indexOf(`<!-- example: ${name} -->`);
  assert.ok(at >= 0, `README.md has an example "${name}"`);
  const block = README.slice(at).match(/```js\n([\s\S]*?)```/);
  assert.ok(block, `the "${name}" example is a js block`);
  return block[1].replace(/^import \{([^}]*)\} from "outseta-ghl-sync";$/gm, "const {$1} = pkg;");
}

/** Runs an example with `bindings`; returns what it printed, one entry per console.log. */
async function run(name, bindings) {
  const printed = [];
  const console = { log: (...values) => printed.push(values) };
  const names = ["pkg", "console", ...Object.keys(bindings)];
  const body = example(name);
  const fn = new Function(...names, `return (async () => {\n${body}\n})();`);
  await fn(pkg, console, ...Object.values(bindings));
  return printed;
}

const options = (h) => ({
  ghl: { locationId: LOC, token: "sim-token", baseUrl: h.ghl.url },
  outseta: { baseUrl: h.outseta.baseUrl, apiKey: "test-key", secretKey: "test-secret", rateLimit: false },
});

test("README example: custom fields, with createMissingCustomFields", async () => {
  const people = [{ Uid: "ann1", Email: "ann@example.com", FirstName: "Ann", Plan: "Pro" }];
  const h = await startHarness({ webhooks: false, outseta: { seed: { people } } });
  try {
    const printed = await run("custom-fields", { ...options(h), store: mapStore() });
    assert.deepEqual(printed[0], [["CreateCustomField", "CreateContact"]]);
    assert.deepEqual(printed[1], [[]]);
    const defs = (await h.ghlApi("GET", `/locations/${LOC}/customFields`)).body.customFields;
    assert.deepEqual(defs.map((d) => d.fieldKey), ["contact.plan"]);
    const contact = (await h.ghlContacts()).find((c) => c.email === "ann@example.com");
    assert.deepEqual(contact.customFields, [{ id: defs[0].id, value: "Pro" }]);
  } finally {
    await h.close();
  }
});

const IMPORT_PEOPLE = [
  { Uid: "ok1", Email: "good@example.com", FirstName: "Gus", PhoneMobile: "(555) 010-2030" },
  { Uid: "bad1", Email: "bad@example.com", FirstName: "Bea", PhoneMobile: "+1 555 0100 12345" },
];

test("README example: the import report", async () => {
  const h = await startHarness({ webhooks: false, outseta: { seed: { people: IMPORT_PEOPLE } } });
  try {
    const printed = await run("import-report", { engine: h.engine });
    assert.deepEqual(printed[0], [[{ field: "phone", code: "TRANSFORM_FAILED", count: 1 }]]);
    const problem = printed[1][0];
    assert.equal(problem.outsetaUid, "bad1");
    assert.equal(problem.field, "phone");
    assert.equal(problem.code, "TRANSFORM_FAILED");
    assert.equal(problem.value, "+1 555 0100 12345");
    assert.ok(problem.ghlId, "the person itself was written");
    assert.deepEqual(printed[2], [{ ghl: 2, outseta: 0 }]);
  } finally {
    await h.close();
  }
});

test("README example: the import report from the CLI (--report, --strict)", async () => {
  const h = await startHarness({ webhooks: false, outseta: { seed: { people: IMPORT_PEOPLE } } });
  const dir = mkdtempSync(join(tmpdir(), "ogs-readme-"));
  try {
    writeFileSync(join(dir, "outseta-ghl-sync.json"), JSON.stringify({ ghl: { locationId: LOC, baseUrl: h.ghl.url }, outseta: { baseUrl: h.outseta.baseUrl, rateLimit: false } }));
    const line = README.match(/From the CLI: `outseta-ghl-sync (import [^`]*)`/);
    assert.ok(line, "the README gives the CLI line");
    const env = { PATH: process.env.PATH, GHL_TOKEN: "sim-token", OUTSETA_API_KEY: "test-key", OUTSETA_SECRET_KEY: "test-secret" };
    const { status, stderr } = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(ROOT, "pkg/cli.js"), ...line[1].split(" ")], { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr.setEncoding("utf8").on("data", (d) => { err += d; });
      child.on("error", reject);
      child.on("close", (code) => resolve({ status: code, stderr: err }));
    });
    assert.equal(status, 1, `--strict exits 1 when a field was not written; stderr: ${stderr}`);
    assert.match(stderr, /fields not written: 1 phone unreadable \(TRANSFORM_FAILED\)/);
    const report = JSON.parse(readFileSync(join(dir, "problems.json"), "utf8"));
    assert.deepEqual(report.problems.map((p) => [p.outsetaUid, p.field, p.value]), [["bad1", "phone", "+1 555 0100 12345"]]);
    assert.equal(report.summary.created, 2);
  } finally {
    await h.close();
  }
});

test("README example: reviews", async () => {
  const people = [{ Uid: "DQ2DyknW", Email: "ann.lee@work.example", FirstName: "Ann", LastName: "Lee", PhoneMobile: "+1 555 010 4242" }];
  const h = await startHarness({ webhooks: false, outseta: { seed: { people } } });
  try {
    const existing = (await h.ghlApi("POST", "/contacts/", { locationId: LOC, email: "lees@home.example", firstName: "Sam", lastName: "Lee", phone: "+15550104242" })).body.contact;
    assert.equal((await h.engine.bulkImport({})).summary.heldForReview, 1);
    const printed = await run("reviews", { engine: h.engine });
    assert.match(printed[0][0], /possibly an existing GHL contact/);
    assert.equal(printed[0][1].system, "ghl");
    assert.equal(printed[0][1].id, existing.id);
    assert.equal(JSON.parse(await h.store.get("link/o/DQ2DyknW")).ghlId, existing.id, "linked to that contact");
  } finally {
    await h.close();
  }
});
