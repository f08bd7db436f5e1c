// The package as Node resolves it: `import "outseta-ghl-sync"` picks the "node" export.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as api from "outseta-ghl-sync";
import { CRATE_VERSION, EXPECTED_CONTACT, PERSON, ROOT } from "../helpers.mjs";

const pkg = JSON.parse(readFileSync(join(ROOT, "pkg/package.json"), "utf8"));

test("version() is the crate version, and the npm package carries the same", () => {
  assert.equal(api.version(), CRATE_VERSION);
  assert.equal(pkg.version, CRATE_VERSION);
});

test("mapContact maps the sample person to a plain GHL payload", () => {
  const contact = api.mapContact(PERSON);
  assert.deepEqual(contact, EXPECTED_CONTACT);
  assert.equal(Object.getPrototypeOf(contact), Object.prototype);
});

test("bad input throws an Error with a stable code and details", () => {
  assert.throws(
    () => api.mapContact({ Email: "a@b.co", PhoneWork: 5550100 }),
    (err) => {
      assert.ok(err instanceof Error);
      assert.equal(err.name, "OutsetaGhlSyncError");
      assert.equal(err.code, "INPUT_INVALID");
      assert.deepEqual(err.details, { path: "$.PhoneWork", expected: "string", found: "number" });
      return true;
    },
  );
  const cyclic = { Email: "a@b.co" };
  cyclic.self = cyclic;
  for (const bad of [null, undefined, "text", 42, [PERSON], () => {}, Symbol("x"), 10n, cyclic, { Email: 1n }]) {
    assert.throws(() => api.mapContact(bad), { code: "INPUT_INVALID" }, String(bad?.toString?.()));
  }
});

test("a person with no email and no phone is refused with MAPPING_NO_IDENTITY", () => {
  assert.throws(() => api.mapContact({ Uid: "u1", FirstName: "Ann" }), (err) => {
    assert.equal(err.code, "MAPPING_NO_IDENTITY");
    assert.deepEqual(err.details, { uid: "u1", requiredOneOf: ["email", "phone"], unreadable: [] });
    return true;
  });
});

test("mapContacts keeps going past bad records and keeps input order", () => {
  const results = api.mapContacts([PERSON, { FirstName: "x" }, { Email: 1 }, { PhoneMobile: "555 010 0100" }]);
  assert.deepEqual(
    results.map((r) => (r.ok ? "ok" : r.error.code)),
    ["ok", "MAPPING_NO_IDENTITY", "INPUT_INVALID", "ok"],
  );
  assert.deepEqual(results[0].contact, EXPECTED_CONTACT);
  assert.throws(() => api.mapContacts(PERSON), { code: "INPUT_INVALID" });
});

test("a large batch maps without error (1,000 records)", () => {
  const people = Array.from({ length: 1000 }, (_, i) => ({ ...PERSON, Email: `p${i}@example.com` }));
  const results = api.mapContacts(people);
  assert.equal(results.length, 1000);
  assert.equal(results[999].contact.email, "p999@example.com");
});

test("every runtime entry exports exactly the functions and classes index.d.ts declares", () => {
  const declared = [...readFileSync(join(ROOT, "pkg/index.d.ts"), "utf8").matchAll(/^export (?:function|class) (\w+)/gm)]
    .map((m) => m[1])
    .sort();
  assert.deepEqual(Object.keys(api).sort(), declared);
  const lists = [...readFileSync(join(ROOT, "pkg/api.js"), "utf8").matchAll(/^export \{([^}]+)\} from/gm)].map((m) => m[1]);
  assert.deepEqual(lists.join(",").split(",").map((s) => s.trim()).sort(), declared, "pkg/api.js");
  for (const entry of ["browser.js", "node.js", "worker.js"]) {
    const text = readFileSync(join(ROOT, "pkg", entry), "utf8");
    assert.match(text, /^export \* from "\.\/api\.js";$/m, `${entry} re-exports api.js`);
  }
});

test("package.json points each runtime condition at an existing entry", () => {
  const conditions = pkg.exports["."];
  for (const condition of ["types", "workerd", "worker", "node", "browser", "default"]) {
    assert.ok(conditions[condition], `missing "${condition}" condition`);
    readFileSync(join(ROOT, "pkg", conditions[condition]));
  }
  for (const file of pkg.files) assert.ok(existsSync(join(ROOT, "pkg", file)), file);
});

// Node always adds its own "node" condition, so "browser" cannot be checked this way;
// the browser test loads browser.js itself.
test("the workerd, worker and node conditions resolve the package name to their entries", () => {
  const resolveUnder = (condition) => {
    const run = spawnSync(
      process.execPath,
      [`--conditions=${condition}`, "--input-type=module", "-e",
        "console.log(import.meta.resolve('outseta-ghl-sync'))"],
      { cwd: ROOT, encoding: "utf8" },
    );
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim().split("/").pop();
  };
  assert.equal(resolveUnder("workerd"), "worker.js");
  assert.equal(resolveUnder("worker"), "worker.js");
  assert.equal(resolveUnder("node"), "node.js");
});
