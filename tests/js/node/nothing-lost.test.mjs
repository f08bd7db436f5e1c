// Issue 21, "Nothing lost, nothing silent": the flows a user runs, through the public
// package against both simulators, reading what both systems hold afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { signBody } from "../../sim/outseta.mjs";
import { startHarness, LOC } from "../../support/sync-harness.mjs";

async function withHarness(options, fn) {
  const h = await startHarness(options);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

const PLAN_MAPPING = {
  version: 1,
  fields: [
    { outseta: "Email", ghl: "email", transforms: ["trim", "lowercase"] },
    { outseta: "FirstName", ghl: "firstName" },
    { outseta: "Plan", ghl: "customFields.contact.plan" },
  ],
};
const PLAN_FIELD = { id: "cf_plan", name: "Plan", fieldKey: "contact.plan", dataType: "TEXT" };

const person = async (h, uid) => (await h.outsetaApi("GET", `/crm/people/${uid}`)).body;
const contact = async (h, id) => (await h.ghlApi("GET", `/contacts/${id}`)).body.contact;
const custom = (c, id) => c.customFields.find((f) => f.id === id)?.value;
const link = async (h, uid) => JSON.parse((await h.store.get(`link/o/${uid}`)) ?? "null");

test("custom fields: the engine loads the location's definitions itself; the value reaches GHL with no context passed", async () => {
  await withHarness({ webhooks: false, ghl: { seed: { customFields: [PLAN_FIELD] } }, engine: { mapping: PLAN_MAPPING } }, async (h) => {
    const p = (await h.outsetaApi("POST", "/crm/people", { Email: "cf@example.com", FirstName: "Cy", Plan: "Pro" })).body;
    const run = await h.engine.syncPerson(p);
    assert.deepEqual(run.pairs[0].plan.errors, []);
    const c = await contact(h, run.pairs[0].ghlId);
    assert.equal(custom(c, "cf_plan"), "Pro");
    // The definitions are cached in the store: a restarted engine reads them from there.
    assert.ok(await h.store.get(`cache/ghl-custom-fields/${LOC}`));
    const reads = h.ghl.stats().byOperation["get-custom-fields"];
    const again = await h.restart().syncPerson({ ...p, FirstName: "Cyrus" });
    assert.equal(again.pairs[0].error, undefined);
    assert.equal(h.ghl.stats().byOperation["get-custom-fields"], reads, "no second read of the definitions");
  });
});

for (const policy of ["outsetaWins", "ghlWins", "newestWins"]) {
  test(`custom fields under ${policy}: a definition created after the first sync gets the value; Outseta's is never erased`, async () => {
    await withHarness({ webhooks: false, engine: { mapping: PLAN_MAPPING, policy: { default: policy }, options: { definitionsMissRefreshMs: 0 } } }, async (h) => {
      const p = (await h.outsetaApi("POST", "/crm/people", { Email: "late@example.com", FirstName: "Lee", Plan: "Pro" })).body;
      const first = await h.engine.syncPerson(p);
      const pair = first.pairs[0];
      assert.deepEqual(pair.plan.errors.map((e) => [e.field, e.code, e.details.value]), [["customFields.contact.plan", "CUSTOM_FIELD_UNRESOLVED", "Pro"]]);
      assert.equal((await link(h, p.Uid)).state.base.fields["customFields.contact.plan"], undefined, "a field never written is not recorded as synced");
      // The definition appears in GHL; then an unrelated edit in Outseta.
      const created = await h.ghlApi("POST", `/locations/${LOC}/customFields`, { name: "Plan", dataType: "TEXT", model: "contact" });
      assert.equal(created.status, 201);
      await h.outsetaApi("PUT", `/crm/people/${p.Uid}`, { ...(await person(h, p.Uid)), FirstName: "Leigh" });
      const second = await h.engine.syncPerson(await person(h, p.Uid));
      assert.equal(second.pairs[0].error, undefined, JSON.stringify(second.pairs[0]));
      assert.deepEqual(second.pairs[0].plan.errors, []);
      const c = await contact(h, pair.ghlId);
      assert.equal(custom(c, created.body.customField.id), "Pro", "the value reached GHL");
      assert.equal(c.firstName, "Leigh");
      assert.equal((await person(h, p.Uid)).Plan, "Pro", "Outseta's Plan is kept");
      assert.equal(h.outseta.sim.stats.byRoute["PUT /crm/people/:id"] ?? 0, 1, "only the test's own PUT reached Outseta");
    });
  });
}

test("custom fields: a field GHL edits that Outseta has no property for is reported, and Outseta's edits never clear it in GHL", async () => {
  const mapping = { version: 1, fields: [{ outseta: "Email", ghl: "email" }, { outseta: "FirstName", ghl: "firstName" }, { outseta: "Tier", ghl: "customFields.contact.tier" }] };
  const tier = { id: "cf_tier", name: "Tier", fieldKey: "contact.tier", dataType: "TEXT" };
  // Outseta's definitions list no Tier property.
  const outseta = { seed: { definitions: { Person: [{ SystemName: "Plan", Label: "Plan", ControlType: "Text" }] } } };
  await withHarness({ outseta, ghl: { seed: { customFields: [tier] } }, engine: { mapping } }, async (h) => {
    const p = (await h.outsetaApi("POST", "/crm/people", { Email: "tier@example.com", FirstName: "Tia" })).body;
    await h.settle();
    const gid = (await link(h, p.Uid)).ghlId;
    // GHL's user sets the tier; its ContactUpdate webhook reaches the engine.
    await h.ghlApi("PUT", `/contacts/${gid}`, { customFields: [{ id: "cf_tier", field_value: "gold" }] });
    await h.settle();
    const fromGhl = h.runs.filter((r) => r.run?.trigger === "ghl:ContactUpdate").at(-1)?.run;
    const problems = fromGhl?.pairs[0]?.plan.errors ?? [];
    assert.deepEqual(problems.map((e) => [e.field, e.code, e.details.value]), [["customFields.contact.tier", "OUTSETA_PROPERTY_UNKNOWN", "gold"]], JSON.stringify(fromGhl));
    assert.equal((await person(h, p.Uid)).Tier, undefined, "nothing was written to Outseta for it");
    // An Outseta edit afterwards: GHL keeps gold.
    await h.outsetaApi("PUT", `/crm/people/${p.Uid}`, { ...(await person(h, p.Uid)), FirstName: "Tiana" });
    await h.settle();
    const c = await contact(h, gid);
    assert.equal(c.firstName, "Tiana");
    assert.equal(custom(c, "cf_tier"), "gold", "GHL's value survives");
    assert.equal(h.runs.filter((r) => r.error).length, 0, JSON.stringify(h.runs.filter((r) => r.error)));
  });
});

test("custom fields: createMissingCustomFields plans the definition first, creates it once, and writes the value", async () => {
  await withHarness({ webhooks: false, engine: { mapping: PLAN_MAPPING, options: { createMissingCustomFields: true } } }, async (h) => {
    const a = (await h.outsetaApi("POST", "/crm/people", { Email: "a@example.com", FirstName: "Ada", Plan: "Pro" })).body;
    const b = (await h.outsetaApi("POST", "/crm/people", { Email: "b@example.com", FirstName: "Bo", Plan: "Basic" })).body;
    const dry = await h.engine.bulkImport({ dryRun: true });
    assert.deepEqual(dry.pairs[0].plan.operations.map((o) => o.op), ["CreateCustomField", "CreateContact"]);
    assert.deepEqual(dry.pairs[0].plan.operations[0], { op: "CreateCustomField", key: "contact.plan", name: "Plan", dataType: "TEXT", reason: dry.pairs[0].plan.operations[0].reason });
    const report = await h.engine.bulkImport({});
    assert.equal(report.summary.created, 2, JSON.stringify(report.summary));
    const defs = (await h.ghlApi("GET", `/locations/${LOC}/customFields`)).body.customFields;
    assert.deepEqual(defs.map((d) => d.fieldKey), ["contact.plan"], "created once");
    for (const [p, plan] of [[a, "Pro"], [b, "Basic"]]) {
      assert.equal(custom(await contact(h, (await link(h, p.Uid)).ghlId), defs[0].id), plan);
    }
  });
});

for (const mode of ["ignore", "reject"]) {
  test(`custom fields: a definition deleted behind the cache's back (GHL ${mode}s the unknown id) is reported, never recorded as synced, and heals`, async () => {
    const ghl = { seed: { customFields: [PLAN_FIELD] }, unknownCustomFields: mode };
    await withHarness({ webhooks: false, ghl, engine: { mapping: PLAN_MAPPING, policy: { default: "outsetaWins" } } }, async (h) => {
      const p = (await h.outsetaApi("POST", "/crm/people", { Email: "gone@example.com", FirstName: "Gil", Plan: "Pro" })).body;
      const first = await h.engine.syncPerson(p);
      const gid = first.pairs[0].ghlId;
      // Someone deletes the field in GHL and recreates it (a new id); the cache still has the old one.
      await h.ghlApi("DELETE", `/locations/${LOC}/customFields/cf_plan`);
      const again = (await h.ghlApi("POST", `/locations/${LOC}/customFields`, { name: "Plan", dataType: "TEXT", model: "contact" })).body.customField;
      await h.outsetaApi("PUT", `/crm/people/${p.Uid}`, { ...(await person(h, p.Uid)), Plan: "Team" });
      const second = await h.engine.syncPerson(await person(h, p.Uid));
      const pair = second.pairs[0];
      if (mode === "ignore") {
        assert.deepEqual(pair.plan.errors.map((e) => [e.code, e.details.value]), [["CUSTOM_FIELD_NOT_STORED", "Team"]]);
        assert.equal((await link(h, p.Uid)).state.base.fields["customFields.contact.plan"], undefined, "not recorded as synced");
      } else {
        assert.equal(pair.error?.code, "GHL_VALIDATION", JSON.stringify(pair));
      }
      // The definitions were marked stale: the next sync reads them and writes the field.
      const third = await h.engine.syncPerson(await person(h, p.Uid));
      assert.equal(third.pairs[0].error, undefined, JSON.stringify(third.pairs[0]));
      assert.equal(custom(await contact(h, gid), again.id), "Team");
      assert.equal((await person(h, p.Uid)).Plan, "Team", "Outseta's value is kept throughout");
    });
  });
}

test("lifecycle tags: a person on a stage-3 account is tagged outseta:subscribing by sync, poll and import; an account stage change re-tags its people", async () => {
  for (const personAccount of [true, false]) {
    const people = [{ Uid: "p1", Email: "sub@example.com", FirstName: "Sue" }, { Uid: "p2", Email: "co@example.com", FirstName: "Col" }];
    const accounts = [{ Uid: "acc1", Name: "Acme", AccountStage: 3, PersonAccount: [{ Person: { Uid: "p1" }, IsPrimary: true }, { Person: { Uid: "p2" }, IsPrimary: false }] }];
    await withHarness({ outsetaEvents: ["AccountStageUpdated"], outseta: { seed: { people, accounts }, personAccount } }, async (h) => {
      const report = await h.engine.bulkImport({});
      assert.equal(report.summary.created, 2, JSON.stringify(report.summary));
      const tags = async (uid) => (await contact(h, (await link(h, uid)).ghlId)).tags;
      assert.deepEqual(await tags("p1"), ["outseta:subscribing"], `personAccount ${personAccount}`);
      assert.deepEqual(await tags("p2"), ["outseta:subscribing"]);
      const reconcile = await h.engine.reconcile();
      assert.equal(reconcile.inSync, true, JSON.stringify(reconcile.counts));
      // The account starts cancelling: Outseta's AccountStageUpdated webhook re-syncs both people.
      await h.outsetaApi("PUT", "/crm/accounts/acc1", { AccountStage: 4 });
      await h.settle();
      const stage = h.runs.find((r) => r.run?.trigger === "outseta:AccountStageUpdated");
      assert.equal(stage?.run.pairs.length, 2, JSON.stringify(h.runs.map((r) => r.run?.trigger ?? r.error)));
      assert.deepEqual(await tags("p1"), ["outseta:cancelling"]);
      assert.deepEqual(await tags("p2"), ["outseta:cancelling"]);
    });
  }
});

test("a time-based tag rule gets now from the engine's clock; a mapping that needs no context asks for none", async () => {
  const mapping = {
    version: 1,
    fields: [{ outseta: "Email", ghl: "email" }],
    tags: [{ when: { field: "LastLoginDateTime", olderThanDays: 30 }, add: ["dormant"] }],
  };
  await withHarness({ webhooks: false, engine: { mapping } }, async (h) => {
    const old = new Date(Date.now() - 90 * 86_400_000).toISOString();
    const p = (await h.outsetaApi("POST", "/crm/people", { Email: "idle@example.com", LastLoginDateTime: old })).body;
    const run = await h.engine.syncPerson(p);
    assert.deepEqual(run.pairs[0].plan.errors, []);
    assert.deepEqual((await contact(h, run.pairs[0].ghlId)).tags, ["dormant"]);
  });
});

test("reviews: an import holds a likely duplicate; reconcile lists it, repair and webhooks never create it; resolving links or creates", async () => {
  const people = [
    { Uid: "dupe1", Email: "jon.smith@work.example", FirstName: "Jon", LastName: "Smith", PhoneMobile: "+1 555 010 7777" },
    { Uid: "dupe2", Email: "maria.r@home.example", FirstName: "Maria", LastName: "Rossi", PhoneMobile: "+1 555 010 8888" },
  ];
  await withHarness({ webhooks: false, outseta: { seed: { people } } }, async (h) => {
    // In GHL already, under other emails and first names: the same surnames and phones
    // (the same person with a nickname, or a household sharing a line: a person decides).
    const jon = (await h.ghlApi("POST", "/contacts/", { locationId: LOC, email: "jsmith@other.example", firstName: "Emma", lastName: "Smith", phone: "+15550107777" })).body.contact;
    await h.ghlApi("POST", "/contacts/", { locationId: LOC, email: "mrossi@other.example", firstName: "Luca", lastName: "Rossi", phone: "+15550108888" });
    const report = await h.engine.bulkImport({});
    assert.equal(report.summary.heldForReview, 2, JSON.stringify(report.summary));
    assert.equal(report.summary.created, 0);
    const items = await h.engine.reviews();
    assert.deepEqual(items.map((i) => [i.id, i.kind]), [["dupe1/duplicate", "duplicate"], ["dupe2/duplicate", "duplicate"]]);
    assert.equal(items[0].outseta.Email, "jon.smith@work.example");
    assert.ok(items[0].candidates[0].score > 0 && items[0].candidates[0].evidence.length > 0, JSON.stringify(items[0].candidates));
    const rec = await h.engine.reconcile({ repair: true, dryRun: true });
    assert.equal(rec.counts.pendingReviews, 2);
    assert.deepEqual(rec.repair ?? [], [], "repair plans no create for a held person");
    // A webhook (or polling) for a held person creates nothing either.
    await h.outsetaApi("PUT", "/crm/people/dupe1", { ...(await person(h, "dupe1")), Title: "CTO" });
    const body = JSON.stringify(await person(h, "dupe1"));
    const hook = await h.engine.handleOutsetaWebhook("PersonUpdated", body, { "x-hub-signature-256": signBody(h.signingKey, body) });
    assert.match(hook.skipped ?? "", /held for review .*dupe1\/duplicate/);
    assert.equal((await h.ghlContacts()).length, 2);
    // Jon is the existing contact; Maria is someone else.
    const linked = await h.engine.resolveReview("dupe1/duplicate", { link: jon.id });
    assert.equal(linked.pairs[0].error, undefined, JSON.stringify(linked.pairs[0]));
    assert.equal((await link(h, "dupe1")).ghlId, jon.id);
    // "Create" creates, never upserts into the contact that shares the phone: with the
    // location refusing duplicates GHL says so, nothing is written, and the review stays.
    const refused = await h.engine.resolveReview("dupe2/duplicate", { create: true });
    assert.equal(refused.pairs[0].error?.code, "GHL_DUPLICATE", JSON.stringify(refused.pairs[0]));
    assert.equal((await h.ghlContacts()).find((c) => c.lastName === "Rossi").firstName, "Luca", "Luca's contact untouched");
    assert.deepEqual((await h.engine.reviews()).filter((i) => i.kind === "duplicate").map((i) => i.id), ["dupe2/duplicate"]);
    await fetch(`${h.ghl.url}/_sim/config`, { method: "POST", body: JSON.stringify({ duplicates: "allow" }) });
    const created = await h.engine.resolveReview("dupe2/duplicate", { create: true });
    assert.equal(created.pairs[0].error, undefined, JSON.stringify(created.pairs[0]));
    assert.equal(created.pairs[0].plan.operations[0].op, "CreateContact");
    // Linking merged the two as a first sync: what they hold differently (within the
    // default policy's clock-skew tolerance) is held field by field; Outseta's is kept.
    assert.deepEqual((await h.engine.reviews()).map((i) => i.id), ["dupe1/email", "dupe1/firstName"]);
    await h.engine.resolveReview("dupe1", { keep: "outseta" });
    const merged = (await h.ghlApi("GET", `/contacts/${jon.id}`)).body.contact;
    assert.deepEqual([merged.email, merged.firstName], ["jon.smith@work.example", "Jon"]);
    assert.deepEqual(await h.engine.reviews(), []);
    assert.equal((await h.ghlContacts()).length, 3);
    await assert.rejects(h.engine.resolveReview("dupe2/duplicate", { create: true }), /no pending review/);
  });
});

test("reviews: a field held by the policy is resolved with keep or per field, and the chosen value lands on the other side", async () => {
  await withHarness({ webhooks: false, engine: { policy: { default: "review" } } }, async (h) => {
    const p = (await h.outsetaApi("POST", "/crm/people", { Email: "held@example.com", FirstName: "Hal", LastName: "Lo" })).body;
    const gid = (await h.engine.syncPerson(p)).pairs[0].ghlId;
    await h.outsetaApi("PUT", `/crm/people/${p.Uid}`, { ...(await person(h, p.Uid)), FirstName: "Harold", LastName: "Low" });
    await h.ghlApi("PUT", `/contacts/${gid}`, { firstName: "Hank", lastName: "Loe" });
    const run = await h.engine.syncPerson(await person(h, p.Uid));
    assert.deepEqual(run.pairs[0].plan.operations.filter((o) => o.op === "Review").map((o) => o.conflict.field), ["firstName", "lastName"]);
    assert.deepEqual((await h.engine.reviews()).map((i) => i.id), [`${p.Uid}/firstName`, `${p.Uid}/lastName`]);
    await assert.rejects(h.engine.resolveReview(`${p.Uid}/firstName`, { create: true }), /keep or fields/);
    await h.engine.resolveReview(`${p.Uid}/firstName`, { keep: "ghl" });
    assert.equal((await person(h, p.Uid)).FirstName, "Hank");
    assert.deepEqual((await h.engine.reviews()).map((i) => i.id), [`${p.Uid}/lastName`]);
    await h.engine.resolveReview(p.Uid, { fields: { lastName: "outseta" } });
    assert.equal((await contact(h, gid)).lastName, "Low");
    assert.deepEqual(await h.engine.reviews(), []);
  });
});

test("honest import: GHL only unless twoWay, and the summary counts writes per system", async () => {
  await withHarness({ webhooks: false, engine: { policy: { default: "newestWins", clockSkewMs: 0 } } }, async (h) => {
    const p = (await h.outsetaApi("POST", "/crm/people", { Email: "two@example.com", FirstName: "Tom" })).body;
    const gid = (await h.engine.syncPerson(p)).pairs[0].ghlId;
    await new Promise((r) => setTimeout(r, 20));
    await h.ghlApi("PUT", `/contacts/${gid}`, { firstName: "Thomas" });
    const puts = () => h.outseta.sim.stats.byRoute["PUT /crm/people/:id"] ?? 0;
    const oneWay = await h.engine.bulkImport({});
    assert.deepEqual(oneWay.summary.writes, { ghl: 0, outseta: 0 }, JSON.stringify(oneWay.summary));
    assert.equal(puts(), 0, "no PUT reached Outseta");
    assert.equal((await person(h, p.Uid)).FirstName, "Tom");
    assert.equal((await contact(h, gid)).firstName, "Thomas", "GHL's edit is not overwritten either");
    const twoWay = await h.engine.bulkImport({ twoWay: true });
    assert.deepEqual(twoWay.summary.writes, { ghl: 0, outseta: 1 }, JSON.stringify(twoWay.summary));
    assert.equal((await person(h, p.Uid)).FirstName, "Thomas");
  });
});

test("an account webhook whose body does not expand its people still re-syncs them", async () => {
  const people = [{ Uid: "q1", Email: "q1@example.com" }];
  const accounts = [{ Uid: "acc9", Name: "Q", AccountStage: 2, PersonAccount: [{ Person: { Uid: "q1" }, IsPrimary: true }] }];
  await withHarness({ webhooks: false, outseta: { seed: { people, accounts } } }, async (h) => {
    await h.engine.bulkImport({});
    await h.outsetaApi("PUT", "/crm/accounts/acc9", { AccountStage: 3 });
    const body = JSON.stringify((await h.outsetaApi("GET", "/crm/accounts/acc9")).body);
    assert.equal(JSON.parse(body).PersonAccount[0].Person, null, "the body names no person");
    const run = await h.engine.handleOutsetaWebhook("AccountStageUpdated", body, { "x-hub-signature-256": signBody(h.signingKey, body) });
    assert.equal(run.pairs.length, 1, JSON.stringify(run));
    assert.deepEqual((await contact(h, (await link(h, "q1")).ghlId)).tags, ["outseta:subscribing"]);
  });
});
