// previewMapping, validateMapping, defaultMapping, mergeContact, planSync and
// planSyncJson through the built package, as users call them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as api from "outseta-ghl-sync";
import { PERSON, ROOT } from "../helpers.mjs";
import { applyToGhl, CONTEXT, ghlContact, person } from "../people.mjs";

test("previewMapping with the built-in mapping: payloads with field errors beside them", () => {
  const results = api.previewMapping([PERSON, { Email: "a@b.co", PhoneMobile: "not a phone" }, { FirstName: "x" }, 5]);
  assert.equal(results.length, 4);
  assert.deepEqual(results[0], {
    ok: true,
    payload: { email: "jane.doe@example.com", firstName: "Jane", lastName: "Doe", phone: "+15550102030" },
    errors: [],
  });
  assert.deepEqual(results[1].payload, { email: "a@b.co" });
  assert.equal(results[1].errors[0].field, "phone");
  assert.equal(results[1].errors[0].code, "TRANSFORM_FAILED");
  assert.equal(results[2].ok, false);
  assert.equal(results[2].error.code, "MAPPING_NO_IDENTITY");
  assert.equal(results[3].error.code, "INPUT_INVALID");
});

test("previewMapping with a custom spec, custom fields and both directions", () => {
  const spec = {
    version: 1,
    fields: [
      { outseta: "Email", ghl: "email", transforms: ["trim", "lowercase"] },
      { outseta: "FullName", ghl: "firstName", direction: "toGhl", transforms: [{ splitName: "first" }] },
      { outseta: "Account.AccountStage", ghl: "customFields.contact.plan", direction: "toGhl",
        transforms: [{ map: { values: { 2: "Trial", 3: "Paid" }, default: "Other" } }] },
    ],
    tags: [{ when: { field: "Account.AccountStage", equals: 3 }, add: ["paying"] }],
  };
  const context = { ...CONTEXT, ghlCustomFields: [{ id: "cfPlan", fieldKey: "contact.plan", dataType: "TEXT" }] };
  const [result] = api.previewMapping([{ Email: "A@B.CO", FullName: "Ann Lee", Account: { AccountStage: 3 } }], spec, { context });
  assert.deepEqual(result.payload, {
    email: "a@b.co", firstName: "Ann", customFields: [{ id: "cfPlan", field_value: "Paid" }],
    tags: ["paying"], locationId: CONTEXT.locationId,
  });
  const [back] = api.previewMapping([{ id: "g1", email: "x@y.co", firstName: "Xi" }], spec, { direction: "toOutseta" });
  assert.deepEqual(back.payload, { Email: "x@y.co" });
});

test("a bad spec throws MAPPING_INVALID listing every problem with its path", () => {
  assert.throws(
    () => api.previewMapping([PERSON], { version: 1, fields: [{ outseta: "Email", ghl: "emial" }, { ghl: "phone", transforms: ["shout"] }] }),
    (err) => {
      assert.equal(err.code, "MAPPING_INVALID");
      assert.deepEqual(err.details.problems.map((p) => p.path).sort(), ["$.fields[0].ghl", "$.fields[1].transforms[0]"]);
      return true;
    },
  );
  assert.throws(() => api.previewMapping(PERSON), { code: "INPUT_INVALID" });
  assert.throws(() => api.previewMapping([PERSON], null, { direction: "sideways" }), { code: "MAPPING_INVALID" });
});

test("validateMapping returns problems (never throws on a bad spec) and accepts the default", () => {
  assert.deepEqual(api.validateMapping(api.defaultMapping()), { valid: true, problems: [] });
  assert.deepEqual(api.validateMapping(api.defaultMapping(), CONTEXT), { valid: true, problems: [] });
  const { valid, problems } = api.validateMapping(
    { version: 1, fields: [{ outseta: "Email", ghl: "customFields.contact.nope" }, { outseta: "Email", ghl: "email" }, { outseta: "LastName", ghl: "email" }] },
    CONTEXT,
  );
  assert.equal(valid, false);
  assert.deepEqual(problems.map((p) => [p.path, p.code]), [
    ["$.fields[0].ghl", "CUSTOM_FIELD_UNKNOWN"],
    ["$.fields[1].outseta", "MAPPED_TWICE"],
    ["$.fields[2].ghl", "MAPPED_TWICE"],
  ]);
  for (const p of problems) assert.ok(p.message.length > 10, p.message);
  for (const bad of [null, 42, "spec", [], { version: 9 }]) {
    const out = api.validateMapping(bad);
    assert.equal(out.valid, false);
    assert.ok(out.problems.every((p) => p.path.startsWith("$")));
  }
});

test("the shipped JSON Schema accepts the built-in spec and refuses a malformed one", async () => {
  const { default: Ajv2020 } = await import("ajv/dist/2020.js");
  const schema = JSON.parse(readFileSync(join(ROOT, "pkg/mapping-spec.schema.json"), "utf8"));
  const validate = new Ajv2020({ allErrors: true }).compile(schema);
  assert.ok(validate(api.defaultMapping()), JSON.stringify(validate.errors));
  assert.equal(validate({ version: 1, fields: [{ outseta: "Email" }], extra: 1 }), false);
});

test("mergeContact: one-sided changes, tag set-merge, and held conflicts", () => {
  const base = { fields: { email: "a@b.co", city: "Paris", lastName: "Lee" }, tags: ["a", "b"] };
  const outseta = { fields: { email: "a@b.co", city: "Lyon", lastName: "Lee-Smith" }, tags: ["a", "b", "x"], updatedAt: "2026-11-20T10:00:00Z" };
  const ghl = { fields: { email: "new@b.co", city: "Paris", lastName: "Smith" }, tags: ["b"], updatedAt: "2026-11-20T10:01:00Z" };
  const m = api.mergeContact(base, outseta, ghl, { fields: { lastName: "review" } });
  assert.deepEqual(m.toGhl, { city: "Lyon" });
  assert.deepEqual(m.toOutseta, { email: "new@b.co" });
  assert.deepEqual(m.merged.tags, ["b", "x"]);
  assert.deepEqual(m.tagsAdd, ["x"]);
  assert.deepEqual(m.conflicts.map((c) => [c.field, c.outseta, c.ghl]), [["lastName", "Lee-Smith", "Smith"]]);
  assert.deepEqual(api.mergeContact(base, outseta, ghl, { fields: { lastName: "review" } }), m, "same inputs, same result");
  assert.throws(() => api.mergeContact(base, { fields: 3 }, ghl), { code: "INPUT_INVALID" });
  assert.throws(() => api.mergeContact(base, outseta, ghl, { default: "loudest" }), { code: "MAPPING_INVALID" });
});

test("planSync: create, link, update both ways, echo suppression; planSyncJson agrees", () => {
  const p = person(4);
  const g = ghlContact(p, 4);
  const [create, link] = api.planSync({ context: CONTEXT, pairs: [{ outseta: p }, { outseta: p, ghl: g }] });
  assert.equal(create.operations[0].op, "CreateContact");
  assert.match(create.operations[0].reason, /no linked GHL contact/);
  assert.equal(link.operations[0].op, "LinkRecords");
  assert.deepEqual(link.operations.slice(1).map((o) => o.op), ["AddTags"], "the stage tag");
  const linked = applyToGhl(g, link.operations);
  const changed = { ...p, FirstName: "Zed" };
  const [update] = api.planSync({ context: CONTEXT, pairs: [{ outseta: changed, ghl: linked, state: link.state }] });
  const ops = update.operations.map((o) => `${o.op}${o.system ? `(${o.system})` : ""}`);
  assert.deepEqual(ops, ["UpdateContact(ghl)"]);
  assert.deepEqual(update.operations[0].changes, { firstName: "Zed" });
  // GHL comes back holding what we wrote: our own echo, no operations.
  const [echo] = api.planSync({ context: CONTEXT, pairs: [{ outseta: changed, ghl: applyToGhl(linked, update.operations), state: update.state }] });
  assert.deepEqual(echo.operations, []);
  const input = { context: CONTEXT, pairs: [{ outseta: changed, ghl: g, state: link.state }, { ghl: g }, 7] };
  assert.deepEqual(JSON.parse(api.planSyncJson(JSON.stringify(input))), api.planSync(input));
  assert.throws(() => api.planSyncJson("{ not json"), { code: "INPUT_INVALID" });
  assert.throws(() => api.planSync({ pairs: "x" }), { code: "INPUT_INVALID" });
});

test("bad input never crashes the instance: 1 MB strings, nulls, wrong shapes", () => {
  const big = "x".repeat(1 << 20);
  const results = api.previewMapping([{ Email: big }, { Email: null, FirstName: 3 }, { MailingAddress: "street", Email: "a@b.co" }]);
  assert.equal(results[0].payload.email.length, 1 << 20);
  assert.equal(results[1].ok, false);
  assert.equal(results[2].ok, true);
  for (const bad of [undefined, null, 1, "x", {}, { pairs: [null] }, { pairs: [{}], spec: 5 }, { pairs: [], policy: [] }]) {
    try {
      api.planSync(/** @type {any} */ (bad));
    } catch (err) {
      assert.match(err.code, /^(INPUT_INVALID|MAPPING_INVALID)$/);
    }
  }
  assert.equal(api.version().length > 0, true, "the instance still answers");
});
