// runStep: the JSON-in / JSON-out entry for no-code code steps, from the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runStep } from "outseta-ghl-sync";
import { startHarness, LOC } from "../../support/sync-harness.mjs";
import { PERSON, EXPECTED_CONTACT } from "../helpers.mjs";

test("pure actions answer { ok, action, result }; bad input is an { ok: false } answer, never a throw", async () => {
  const mapped = await runStep({ action: "map", person: PERSON });
  assert.equal(mapped.ok, true);
  assert.deepEqual(mapped.result[0].contact, EXPECTED_CONTACT);
  const dedup = await runStep({ action: "dedup", records: [{ Uid: "a", Email: "jo@x.co" }, { Uid: "b", Email: "JO@x.co" }] });
  assert.deepEqual(dedup.result.clusters, [["a", "b"]]);
  const invalid = await runStep({ action: "validate", mapping: { version: 1, fields: [{ ghl: "nope", outseta: "Email" }] } });
  assert.equal(invalid.result.valid, false);
  assert.deepEqual(await runStep({ action: "explode" }), {
    ok: false, action: "explode",
    error: { code: "INPUT_INVALID", message: "action must be one of map, validate, dedup, plan, syncPerson, import, reconcile, timeline, reviews, resolveReview", details: { path: "$.action", found: "explode" } },
  });
  const notArray = await runStep({ action: "dedup", records: 42 });
  assert.equal(notArray.ok, false);
  assert.equal(typeof notArray.error.code, "string");
  const noCreds = await runStep({ action: "syncPerson", person: PERSON }, {});
  assert.equal(noCreds.ok, false);
  assert.equal(noCreds.error.code, "INPUT_INVALID");
});

test("syncPerson through runStep creates the GHL contact in the simulator", async () => {
  const h = await startHarness({ webhooks: false });
  try {
    const config = {
      ghl: { locationId: LOC, token: "sim-token", baseUrl: h.ghl.url },
      outseta: { baseUrl: h.outseta.baseUrl, apiKey: "test-key", secretKey: "test-secret", rateLimit: false },
    };
    // The person as an Outseta trigger hands it over; syncPerson reads its current record.
    const { Uid: _uid, ...fields } = PERSON;
    const person = (await h.outsetaApi("POST", "/crm/people", fields)).body;
    const answer = await runStep({ action: "syncPerson", person }, config);
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.equal(answer.result.pairs[0].found, "new");
    const contacts = await h.ghlContacts();
    assert.equal(contacts.find((c) => c.email === EXPECTED_CONTACT.email)?.firstName, "Jane");
  } finally {
    await h.close();
  }
});
