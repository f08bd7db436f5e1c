// Every GHL payload the built-in mapping produces validates against the official
// CreateContactDto / UpsertContactDto / UpdateContactDto of apps/contacts.json, read
// from GHL_SPEC_DIR (default ../shared/specs/ghl beside the repository), with Ajv.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import Ajv from "ajv";
import * as api from "outseta-ghl-sync";
import { ROOT } from "../helpers.mjs";
import { CONTEXT, ghlContact, person } from "../people.mjs";

// A checkout under a worktree folder (e.g. wt/NAME) finds shared/ one level further up.
const SPEC_DIR = process.env.GHL_SPEC_DIR
  ? resolve(ROOT, process.env.GHL_SPEC_DIR)
  : ["../shared/specs/ghl", "../../shared/specs/ghl"].map((d) => resolve(ROOT, d)).find((d) => existsSync(d)) ??
    resolve(ROOT, "../shared/specs/ghl");
const CONTACTS = resolve(SPEC_DIR, "apps/contacts.json");

function validators() {
  assert.ok(existsSync(CONTACTS), `missing ${CONTACTS}: set GHL_SPEC_DIR (see README)`);
  const doc = JSON.parse(readFileSync(CONTACTS, "utf8"));
  // The OpenAPI 3.0 components as one schema document, so every $ref resolves inside it.
  // Ajv understands OpenAPI's `nullable`; `example` is an annotation (strict: false).
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ $id: "ghl-contacts", components: doc.components });
  const dto = (name) => {
    const schema = doc.components.schemas[name];
    assert.ok(schema, `${name} not in contacts.json`);
    // The live API also refuses unknown properties (NOTES.md §4, GHL#314): so do we.
    return ajv.compile({
      $id: `strict-${name}`,
      allOf: [{ $ref: `ghl-contacts#/components/schemas/${name}` }],
      type: "object",
      propertyNames: { enum: Object.keys(schema.properties) },
    });
  };
  return { create: dto("CreateContactDto"), upsert: dto("UpsertContactDto"), update: dto("UpdateContactDto") };
}

const check = (validate, payload, label) =>
  assert.ok(validate(payload), `${label}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(payload)}`);

test("create payloads of 2,000 realistic people validate as CreateContactDto and UpsertContactDto", () => {
  const { create, upsert } = validators();
  const people = Array.from({ length: 2000 }, (_, i) => person(i));
  const results = api.previewMapping(people, null, { context: CONTEXT });
  let validated = 0;
  for (const [i, r] of results.entries()) {
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.deepEqual(r.errors, []);
    check(create, r.payload, `person ${i}`);
    check(upsert, r.payload, `person ${i}`);
    validated++;
  }
  assert.equal(validated, 2000);
  // The validator is not a rubber stamp.
  assert.equal(create({ email: "a@b.co" }), false, "locationId is required");
  assert.equal(create({ locationId: "l", gender: 5 }), false);
  assert.equal(create({ locationId: "l", emial: "x" }), false);
});

test("planSync's GHL update payloads validate as UpdateContactDto, its creates as CreateContactDto", () => {
  const { create, update } = validators();
  const pairs = Array.from({ length: 500 }, (_, i) => {
    const p = person(i);
    return { outseta: p, ghl: ghlContact(p, i) };
  });
  const first = api.planSync({ context: CONTEXT, pairs });
  const edited = pairs.map((pair, i) => ({
    outseta: { ...pair.outseta, FirstName: `New${i}`, MailingAddress: null, CoffeePreference: "Flat white", Account: { AccountStage: 3 } },
    ghl: pair.ghl,
    state: first[i].state,
  }));
  const plans = api.planSync({ context: CONTEXT, pairs: edited });
  let updates = 0;
  for (const plan of plans) {
    assert.equal(plan.error, undefined);
    for (const op of plan.operations) {
      if (op.op === "UpdateContact" && op.system === "ghl") {
        check(update, op.changes, op.reason);
        updates++;
      }
    }
  }
  assert.ok(updates >= 400, `only ${updates} GHL updates`);
  const creates = api.planSync({ context: CONTEXT, pairs: pairs.slice(0, 50).map((p) => ({ outseta: p.outseta })) });
  for (const plan of creates) check(create, plan.operations[0].payload, "create");
});
