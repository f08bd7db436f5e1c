// The SyncEngine from the wasm build, end to end against both simulators with signed
// webhooks flowing over HTTP on 127.0.0.1 (tests/support/sync-harness.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { runStoreConformance, SyncEngine } from "outseta-ghl-sync";
import { mapStore, withHarness } from "../../support/sync-harness.mjs";

const byEmail = async (h, email) => (await h.ghlContacts()).find((c) => c.email === email);
const person = async (h, uid) => (await h.outsetaApi("GET", `/crm/people/${uid}`)).body;
const link = async (h, uid) => JSON.parse((await h.store.get(`link/o/${uid}`)) ?? "null");

test("a JS store over a Map, sync or async, passes the store conformance suite", async () => {
  const report = await runStoreConformance(mapStore());
  assert.deepEqual(report.failures, []);
  assert.ok(report.passed >= 10);
  const m = new Map();
  const sync = {
    get: (k) => m.get(k) ?? null, put: (k, v) => void m.set(k, v), delete: (k) => void m.delete(k),
    putIfAbsent: (k, v) => (m.has(k) ? false : (m.set(k, v), true)),
    list: (p) => [...m].filter(([k]) => k.startsWith(p)).sort(([a], [b]) => a.localeCompare(b)),
  };
  assert.deepEqual((await runStoreConformance(sync)).failures, []);
  const broken = { ...sync, putIfAbsent: () => true };
  assert.ok((await runStoreConformance(broken)).failures.some((f) => f.includes("claims once")));
});

test("an Outseta person created, then updated: one upsert, then one PUT of only the changed field; the echoes write nothing", async () => {
  await withHarness({}, async (h) => {
    const created = await h.outsetaApi("POST", "/crm/people", { Email: "Ann.Lee@Example.com", FirstName: "Ann", LastName: "Lee", PhoneMobile: "(555) 010-2030" });
    assert.equal(created.status, 200);
    const uid = created.body.Uid;
    await h.settle();
    const c = await byEmail(h, "ann.lee@example.com");
    assert.ok(c, "the GHL contact exists");
    assert.equal(c.firstName, "Ann");
    assert.equal(c.phone, "+15550102030");
    assert.equal((await link(h, uid)).ghlId, c.id);
    const ops = h.ghl.stats().byOperation;
    assert.equal(ops["upsert-contact"], 1);
    assert.equal(ops["create-contact"] ?? 0, 0);
    const ghlWrites = h.ghlWrites();
    const outsetaWrites = h.outsetaWrites();

    await h.outsetaApi("PUT", `/crm/people/${uid}`, { ...created.body, LastName: "Lee-Smith" });
    await h.settle();
    const after = await byEmail(h, "ann.lee@example.com");
    assert.equal(after.lastName, "Lee-Smith");
    assert.equal(h.ghlWrites(), ghlWrites + 1, "exactly one write to GHL");
    assert.equal(h.ghl.stats().byOperation["update-contact"], 1);
    // Our PUT fired a GHL ContactUpdate webhook; it came back and wrote nothing anywhere.
    assert.ok(h.runs.some((r) => r.run?.trigger === "ghl:ContactUpdate" && r.run.skipped), JSON.stringify(h.runs.map((r) => r.run?.trigger ?? r.error)));
    assert.equal(h.outsetaWrites(), outsetaWrites + 1, "only the test's own PUT reached Outseta");
    assert.equal(h.runs.filter((r) => r.error).length, 0, JSON.stringify(h.runs.filter((r) => r.error)));
  });
});

test("a GHL edit flows to Outseta, and Outseta's webhook for it is recognised as our echo", async () => {
  await withHarness({}, async (h) => {
    const uid = (await h.outsetaApi("POST", "/crm/people", { Email: "bo@example.com", FirstName: "Bo", LastName: "Ray" })).body.Uid;
    await h.settle();
    const c = await byEmail(h, "bo@example.com");
    const outsetaWrites = h.outsetaWrites();
    const ghlWrites = h.ghlWrites();
    await h.ghlApi("PUT", `/contacts/${c.id}`, { firstName: "Bobby" });
    await h.settle();
    assert.equal((await person(h, uid)).FirstName, "Bobby");
    assert.equal(h.outsetaWrites(), outsetaWrites + 1, "one PUT to Outseta");
    assert.equal(h.ghlWrites(), ghlWrites + 1, "only the test's own PUT reached GHL");
    const echo = h.runs.filter((r) => r.run?.trigger === "outseta:PersonUpdated").at(-1);
    assert.ok(echo?.run.skipped?.includes("nothing new"), JSON.stringify(echo));
    assert.equal(echo.run.unchanged, true, "an echo is flagged as holding nothing new");
  });
});

test("a link whose reverse entry was lost (cut short before links went in one batch) still carries GHL edits, and is healed", async () => {
  await withHarness({}, async (h) => {
    const uid = (await h.outsetaApi("POST", "/crm/people", { Email: "hal@example.com", FirstName: "Hal" })).body.Uid;
    await h.settle();
    const c = await byEmail(h, "hal@example.com");
    assert.equal(await h.store.get(`link/g/${c.id}`), uid);
    // This store has no batch: the engine writes a link's halves one by one, the reverse
    // entry first. An older version wrote it second, and a crash between left this:
    await h.store.delete(`link/g/${c.id}`);
    await h.ghlApi("PUT", `/contacts/${c.id}`, { firstName: "Harold" });
    await h.settle();
    // It was skipped as "linked to another GHL contact", answered 200, never retried.
    assert.equal((await person(h, uid)).FirstName, "Harold");
    assert.equal(await h.store.get(`link/g/${c.id}`), uid, "the reverse entry is written again");
    // Reconcile heals the ones no GHL edit has touched.
    await h.store.delete(`link/g/${c.id}`);
    const report = await h.engine.reconcile();
    assert.equal(report.inSync, true, JSON.stringify(report.counts));
    assert.equal(await h.store.get(`link/g/${c.id}`), uid);
  });
});

test("edits to different fields on both sides before a sync both survive; the same field follows the policy", async () => {
  await withHarness({ webhooks: false, engine: { policy: { default: "outsetaWins" } }, ghlClient: { rateLimit: { burst: 1000, windowMs: 1000 } } }, async (h) => {
    const p = (await h.outsetaApi("POST", "/crm/people", { Email: "cy@example.com", FirstName: "Cy", LastName: "Ng" })).body;
    await h.engine.syncPerson(p);
    const c = await byEmail(h, "cy@example.com");
    await h.outsetaApi("PUT", `/crm/people/${p.Uid}`, { ...p, FirstName: "Cyrus", MailingAddress: { City: "Leeds" } });
    await h.ghlApi("PUT", `/contacts/${c.id}`, { lastName: "Ng-Wu", city: "York" });
    const run = await h.engine.syncPerson(await person(h, p.Uid));
    assert.equal(run.pairs[0].error, undefined, JSON.stringify(run));
    const g = await byEmail(h, "cy@example.com");
    const o = await person(h, p.Uid);
    assert.equal(g.firstName, "Cyrus");
    assert.equal(o.LastName, "Ng-Wu");
    assert.equal(g.city, "Leeds", "the same field changed on both sides: Outseta wins by policy");
    assert.equal(o.MailingAddress.City, "Leeds");
  });
});

test("a field held for review writes nothing for it and lands in the review queue", async () => {
  await withHarness({ webhooks: false, engine: { policy: { default: "review" } } }, async (h) => {
    const p = (await h.outsetaApi("POST", "/crm/people", { Email: "di@example.com", FirstName: "Di" })).body;
    await h.engine.syncPerson(p);
    const c = await byEmail(h, "di@example.com");
    await h.outsetaApi("PUT", `/crm/people/${p.Uid}`, { ...p, FirstName: "Diana" });
    await h.ghlApi("PUT", `/contacts/${c.id}`, { firstName: "Dee" });
    const run = await h.engine.syncPerson(await person(h, p.Uid));
    assert.ok(run.pairs[0].plan.operations.some((o) => o.op === "Review"));
    assert.equal((await byEmail(h, "di@example.com")).firstName, "Dee");
    assert.equal((await person(h, p.Uid)).FirstName, "Diana");
    const report = await h.engine.reconcile();
    assert.equal(report.counts.pendingReviews, 1);
    assert.equal(report.pendingReviews[0].conflict.field, "firstName");
  });
});

test("repeated and out-of-order Outseta deliveries are idempotent and never roll a contact back", async () => {
  await withHarness({ webhooks: false }, async (h) => {
    const p = (await h.outsetaApi("POST", "/crm/people", { Email: "ed@example.com", FirstName: "Ed" })).body;
    const { createHmac } = await import("node:crypto");
    const deliver = (record) => {
      const body = JSON.stringify(record);
      const sig = "sha256=" + createHmac("sha256", Buffer.from(h.signingKey, "hex")).update(body).digest("hex");
      return h.engine.handleOutsetaWebhook("person-updated", body, { "x-hub-signature-256": sig });
    };
    const first = await deliver(p);
    assert.equal(first.pairs[0].found, "new");
    const again = await deliver(p);
    assert.match(again.skipped, /repeated delivery/);
    assert.equal(again.unchanged, true);
    const v2 = (await h.outsetaApi("PUT", `/crm/people/${p.Uid}`, { ...p, FirstName: "Eddie" })).body;
    await deliver(v2);
    const writes = h.ghlWrites();
    const late = await deliver({ ...p, Updated: p.Updated, FirstName: "Ed", LastName: "Old" });
    assert.equal(late.pairs[0]?.error, undefined);
    assert.equal((await byEmail(h, "ed@example.com")).firstName, "Eddie", "the stale body did not roll the contact back");
    assert.equal(h.ghlWrites(), writes, "and wrote nothing");
    await assert.rejects(
      h.engine.handleOutsetaWebhook("person-updated", JSON.stringify({ ...p, FirstName: "Mallory" }), { "x-hub-signature-256": "sha256=" + "0".repeat(64) }),
      (e) => e.name === "OutsetaGhlSyncError" && e.code === "SIGNATURE_INVALID",
    );
    assert.equal((await byEmail(h, "ed@example.com")).firstName, "Eddie");
  });
});

test("a new GHL contact creates an Outseta person with the onboarding activities; a replayed GHL delivery is refused", async () => {
  const onboarding = [{ title: "Welcome call", description: "Book within 48 hours" }, { title: "Send the starter kit" }];
  await withHarness({ engine: { options: { onboarding } } }, async (h) => {
    const made = await h.ghlApi("POST", "/contacts/", { locationId: "loc_sim", email: "fay@example.com", firstName: "Fay", lastName: "Ho" });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    await h.settle();
    const people = (await h.outsetaApi("GET", "/crm/people?Email=fay@example.com")).body.items;
    assert.equal(people.length, 1);
    assert.equal(people[0].FirstName, "Fay");
    const activities = (await h.outsetaApi("GET", `/activities?EntityUid=${people[0].Uid}&limit=100`)).body.items.map((a) => a.Title);
    assert.ok(activities.includes("Welcome call") && activities.includes("Send the starter kit"), JSON.stringify(activities));
    assert.equal((await link(h, people[0].Uid)).ghlId, made.body.contact.id);
    // The Outseta PersonCreated webhook for the person we created is our echo.
    assert.equal((await h.outsetaApi("GET", "/crm/people?Email=fay@example.com")).body.items.length, 1);
    const delivery = h.received.find((d) => d.url === "/webhooks/ghl" && JSON.parse(d.body).type === "ContactCreate");
    assert.ok(delivery);
    const runs = h.runs.length;
    // The same signed delivery again: this engine's verifier refuses the webhookId, and a
    // restarted one (a new Worker isolate on the same store) skips it by its stored claim.
    await assert.rejects(h.engine.handleGhlWebhook(new Uint8Array(delivery.body), delivery.headers), (e) => e.code === "WEBHOOK_REPLAYED");
    const replay = await h.restart().handleGhlWebhook(new Uint8Array(delivery.body), delivery.headers);
    assert.match(replay.skipped, /repeated delivery/);
    const forged = JSON.stringify({ ...JSON.parse(delivery.body), email: "evil@example.com", webhookId: "x1" });
    await assert.rejects(h.engine.handleGhlWebhook(forged, delivery.headers), (e) => e.code === "SIGNATURE_INVALID");
    assert.equal(h.runs.length, runs);
  });
});

test("notes and tasks: Outseta activities become GHL notes when polled; GHL notes and tasks reach the Outseta timeline; our own never loop", async () => {
  await withHarness({}, async (h) => {
    const uid = (await h.outsetaApi("POST", "/crm/people", { Email: "gus@example.com", FirstName: "Gus" })).body.Uid;
    await h.settle();
    const c = await byEmail(h, "gus@example.com");
    const first = await h.engine.poll();
    assert.match(first.skipped, /first poll/);
    await new Promise((r) => setTimeout(r, 1100));
    await h.outsetaApi("POST", "/activities/customactivity", { Title: "Upgraded plan", Description: "Pro, annual", EntityType: 2, EntityUid: uid });
    const polled = await h.engine.poll();
    const note = polled.pairs.find((p) => p.plan.operations[0]?.op === "CreateNote");
    assert.ok(note && note.results[0].ok, JSON.stringify(polled));
    await h.ghlApi("POST", `/contacts/${c.id}/notes`, { body: "Called, wants a demo" });
    const task = (await h.ghlApi("POST", `/contacts/${c.id}/tasks`, { title: "Demo", body: "Show reports", dueDate: "2026-12-01T10:00:00Z", completed: false })).body.task;
    await h.ghlApi("PUT", `/contacts/${c.id}/tasks/${task.id}/completed`, { completed: true });
    await h.settle();
    const taskCreate = h.runs.find((r) => r.run?.trigger === "ghl:TaskCreate");
    assert.match(taskCreate.run.skipped, /GHL#332/, "HighLevel's TaskCreate names no contact");
    const titles = (await h.outsetaApi("GET", `/activities?EntityUid=${uid}&limit=100`)).body.items.map((a) => a.Title);
    assert.ok(titles.includes("Note from HighLevel"), JSON.stringify(titles));
    assert.ok(titles.includes("Task completed in HighLevel: Demo"), JSON.stringify(titles));
    // The polled note created a GHL NoteCreate webhook: it was not mirrored back.
    assert.equal(titles.filter((t) => t === "Note from HighLevel").length, 1);
    const again = await h.engine.poll();
    assert.equal(again.pairs.filter((p) => p.plan.operations[0]?.op === "CreateNote").length, 0, "activities we wrote are not sent back");
    const tl = await h.engine.timeline({ outsetaUid: uid });
    assert.equal(tl.ghlId, c.id);
    const sources = new Set(tl.entries.map((e) => `${e.source}:${e.kind}`));
    for (const s of ["outseta:activity", "ghl:note", "ghl:task"]) assert.ok(sources.has(s), `${s} in ${[...sources]}`);
    const times = tl.entries.map((e) => Date.parse(e.at.replace(" ", "T").replace(/(\d)$/, "$1Z")) || 0);
    assert.deepEqual([...times].sort((a, b) => b - a), times, "newest first");
  });
});

test("tags: an email list subscription adds a GHL tag and unsubscribing removes it; a tag removed in GHL stays removed", async () => {
  await withHarness({}, async (h) => {
    const uid = (await h.outsetaApi("POST", "/crm/people", { Email: "hal@example.com", FirstName: "Hal" })).body.Uid;
    const list = (await h.outsetaApi("POST", "/email/lists", { Name: "Newsletter" })).body;
    await h.settle();
    const sub = await h.outsetaApi("POST", `/email/lists/${list.Uid}/subscriptions`, { EmailList: { Uid: list.Uid }, Person: { Uid: uid } });
    assert.equal(sub.status, 200, JSON.stringify(sub.body));
    await h.settle();
    const c = await byEmail(h, "hal@example.com");
    assert.ok(c.tags.includes("list:newsletter"), JSON.stringify(c.tags));
    await h.ghlApi("POST", `/contacts/${c.id}/tags`, { tags: ["vip", "cold"] });
    await h.settle();
    await h.ghlApi("DELETE", `/contacts/${c.id}/tags`, { tags: ["cold"] });
    await h.settle();
    await h.outsetaApi("DELETE", `/email/lists/${list.Uid}/subscriptions/${sub.body.Uid}`);
    await h.settle();
    const p = await person(h, uid);
    await h.outsetaApi("PUT", `/crm/people/${uid}`, { ...p, LastName: "Jones" });
    await h.settle();
    const after = await byEmail(h, "hal@example.com");
    assert.equal(after.lastName, "Jones");
    assert.ok(!after.tags.includes("list:newsletter"), `unsubscribed: ${after.tags}`);
    assert.ok(after.tags.includes("vip"), `added in GHL and kept: ${after.tags}`);
    assert.ok(!after.tags.includes("cold"), `removed in GHL and not re-added: ${after.tags}`);
  });
});

test("deletes follow the policy: `tag` marks the GHL contact and unlinks; `ignore` (the default) changes nothing", async () => {
  await withHarness({ engine: { options: { deletePolicy: "tag" } } }, async (h) => {
    const uid = (await h.outsetaApi("POST", "/crm/people", { Email: "ida@example.com" })).body.Uid;
    await h.settle();
    await h.outsetaApi("DELETE", `/crm/people/${uid}`);
    await h.settle();
    const c = await byEmail(h, "ida@example.com");
    assert.ok(c, "never deleted");
    assert.ok(c.tags.includes("deleted-in-outseta"), JSON.stringify(c.tags));
    assert.equal(await link(h, uid), null);
  });
  await withHarness({}, async (h) => {
    const uid = (await h.outsetaApi("POST", "/crm/people", { Email: "jo@example.com" })).body.Uid;
    await h.settle();
    await h.outsetaApi("DELETE", `/crm/people/${uid}`);
    await h.settle();
    assert.ok(!(await byEmail(h, "jo@example.com")).tags.includes("deleted-in-outseta"));
    assert.ok(await link(h, uid), "ignore keeps the link; reconcile reports it as stale");
    const report = await h.engine.reconcile({ html: true });
    assert.equal(report.counts.staleLinks, 1);
    assert.equal(report.staleLinks[0].missing, "outseta");
    assert.match(report.html, /Stale links/);
  });
});

/** People for an import: distinct people, in-batch twins, and people already in GHL. */
function importSeed(n) {
  const people = [];
  for (let i = 0; i < n; i++) people.push({ Email: `member${i}@example.com`, FirstName: `Mem${i}`, LastName: "Ber", PhoneMobile: `+1555${String(1000000 + i)}` });
  // The same person twice in Outseta, under two email spellings.
  people.push({ Email: "Kim.Park+vip@Gmail.com", FirstName: "Kim", LastName: "Park", PhoneMobile: "+15559990001" });
  people.push({ Email: "kimpark@gmail.com", FirstName: "Kim", LastName: "Park", PhoneMobile: "+15559990001" });
  // Already in GHL under another email format.
  people.push({ Email: "Lou.Reed+news@gmail.com", FirstName: "Lou", LastName: "Reed" });
  return people;
}

test("bulk import: cancelled midway and resumed, no duplicates, an existing GHL contact under another email format is linked, and reconcile reports zero drift", async () => {
  // Outseta is the membership system of record here: Lou's email in Outseta's spelling
  // replaces GHL's on the first sync (the default policy would hold it for review).
  await withHarness({ webhooks: false, outseta: { seed: { people: importSeed(230) } }, engine: { policy: { default: "outsetaWins" } }, ghlClient: { rateLimit: { burst: 1000, windowMs: 1000 } } }, async (h) => {
    const existing = await h.ghlApi("POST", "/contacts/", { locationId: "loc_sim", email: "loureed@gmail.com", firstName: "Lou", lastName: "Reed", tags: ["existing"] });
    assert.equal(existing.status, 201);
    const dry = await h.engine.bulkImport({ dryRun: true, pageSize: 50 });
    assert.equal(dry.summary.total, 233);
    assert.equal(dry.pairs.length, 232, "every planned pair: all but Kim's twin, held for review");
    assert.equal(h.ghlWrites(), 1, "a dry run writes nothing");
    const progress = [];
    const first = await h.engine.bulkImport({ pageSize: 50 }, (p) => { progress.push(p); return p.done < 100; });
    assert.equal(first.cancelled, true);
    assert.equal(first.summary.done, 100);
    assert.ok(progress[0].total === 233 && progress[0].rate > 0 && progress[0].etaSeconds >= 0, JSON.stringify(progress[0]));
    await assert.rejects(h.engine.bulkImport({ pageSize: 50 }), /resume: true/);
    // A restarted process resumes from the checkpoint.
    const rest = await h.restart().bulkImport({ pageSize: 50, resume: true });
    // Pages of 25: Outseta serves no more when the person's account is expanded.
    assert.equal(rest.resumedFromPage, 4);
    assert.equal(rest.cancelled, false);
    const s = rest.summary;
    assert.equal(s.done, 233);
    assert.equal(s.created, 231, JSON.stringify(s));
    assert.equal(s.linked, 1, "Lou matched the existing contact");
    assert.equal(s.heldForReview, 1, "Kim's twin");
    assert.equal(s.failed.length, 0, JSON.stringify(s.failed));
    const contacts = await h.ghlContacts();
    assert.equal(contacts.length, 232, "230 + Kim once + Lou's existing contact");
    assert.equal(contacts.filter((c) => c.lastName === "Park").length, 1, "Kim once");
    const lou = contacts.filter((c) => c.lastName === "Reed");
    assert.equal(lou.length, 1);
    assert.ok(lou[0].tags.includes("existing"));
    const report = await h.engine.reconcile();
    assert.equal(report.counts.driftedPairs, 0, JSON.stringify(report.drift.slice(0, 3)));
    assert.equal(report.duplicates.ghl.length, 0, JSON.stringify(report.duplicates));
    assert.deepEqual(report.missingInGhl.map((m) => m.email), ["kimpark@gmail.com"], "only the held twin");
    // An immediate re-run writes nothing.
    const writes = h.ghlWrites();
    const rerun = await h.engine.bulkImport({ pageSize: 50 });
    assert.equal(h.ghlWrites(), writes, JSON.stringify(rerun.summary));
    assert.equal(rerun.summary.unchanged, 232);
  });
});

test("reconcile finds drift made behind the engine's back, and repair removes it", async () => {
  await withHarness({ webhooks: false }, async (h) => {
    const p = (await h.outsetaApi("POST", "/crm/people", { Email: "max@example.com", FirstName: "Max" })).body;
    await h.engine.syncPerson(p);
    const c = await byEmail(h, "max@example.com");
    await h.outsetaApi("PUT", `/crm/people/${p.Uid}`, { ...p, FirstName: "Maxine" });
    const before = await h.engine.reconcile();
    assert.equal(before.inSync, false);
    assert.deepEqual(before.drift[0].fields.map((f) => [f.field, f.outseta, f.ghl]), [["firstName", "Maxine", "Max"]]);
    const dry = await h.engine.reconcile({ repair: true, dryRun: true });
    assert.equal(dry.repair[0].plan.operations[0].op, "UpdateContact");
    assert.equal((await byEmail(h, "max@example.com")).firstName, "Max");
    await h.engine.reconcile({ repair: true });
    assert.equal((await byEmail(h, "max@example.com")).firstName, "Maxine");
    assert.equal((await h.engine.reconcile()).inSync, true);
    void c;
  });
});

test("polling: the first poll sets the cursor; the next syncs only the people updated since, and an unchanged re-poll writes nothing", async () => {
  await withHarness({ webhooks: false }, async (h) => {
    const a = (await h.outsetaApi("POST", "/crm/people", { Email: "pia@example.com", FirstName: "Pia" })).body;
    const b = (await h.outsetaApi("POST", "/crm/people", { Email: "quin@example.com", FirstName: "Quin" })).body;
    await h.engine.syncPerson(a);
    await h.engine.syncPerson(b);
    assert.match((await h.engine.poll()).skipped, /first poll/);
    await new Promise((r) => setTimeout(r, 1100));
    await h.outsetaApi("PUT", `/crm/people/${a.Uid}`, { ...a, FirstName: "Pia-Maria" });
    const run = await h.engine.poll();
    const people = run.pairs.filter((p) => p.plan.operations.some((o) => o.op === "UpdateContact"));
    assert.deepEqual(people.map((p) => p.outsetaUid), [a.Uid], JSON.stringify(run));
    assert.equal((await byEmail(h, "pia@example.com")).firstName, "Pia-Maria");
    const writes = h.ghlWrites();
    await h.engine.poll();
    assert.equal(h.ghlWrites(), writes, "the cursor's boundary record is unchanged: no write");
  });
});

test("a GHL ContactDelete follows the policy too: `unlink` forgets the link and leaves the Outseta person alone", async () => {
  await withHarness({ engine: { options: { deletePolicy: "unlink" } } }, async (h) => {
    const uid = (await h.outsetaApi("POST", "/crm/people", { Email: "rae@example.com", FirstName: "Rae" })).body.Uid;
    await h.settle();
    const c = await byEmail(h, "rae@example.com");
    assert.ok(await link(h, uid));
    const outsetaWrites = h.outsetaWrites();
    await h.ghlApi("DELETE", `/contacts/${c.id}`);
    await h.settle();
    const run = h.runs.find((r) => r.run?.trigger === "ghl:ContactDelete")?.run;
    assert.deepEqual(run?.pairs[0].plan.operations.map((o) => o.op), ["Unlink"], JSON.stringify(run));
    assert.equal(await link(h, uid), null);
    assert.equal((await person(h, uid)).Email, "rae@example.com", "the person is kept");
    assert.equal(h.outsetaWrites(), outsetaWrites, "nothing written to Outseta");
  });
});

test("a HighLevel delivery that waited in a queue is checked against when it arrived, not against now", async () => {
  const { generateKeyPairSync, sign } = await import("node:crypto");
  const key = generateKeyPairSync("ed25519");
  // Nothing listens on port 9: the delivery names no linked contact, so no API is called.
  const engine = new SyncEngine({
    ghl: { locationId: "loc_sim", token: "t", baseUrl: "http://127.0.0.1:9" },
    outseta: { baseUrl: "http://127.0.0.1:9/api/v1", apiKey: "k", secretKey: "s" },
    webhooks: { outsetaSigningKey: "00".repeat(32), ghl: { ed25519Keys: [key.publicKey.export({ type: "spki", format: "pem" })] } },
  });
  const sentAt = Date.now() - 10 * 60_000;
  const body = JSON.stringify({ type: "ContactDelete", locationId: "loc_sim", id: "c_unlinked", webhookId: "wh-queued", timestamp: new Date(sentAt).toISOString() });
  const headers = { "x-ghl-signature": sign(null, Buffer.from(body), key.privateKey).toString("base64") };
  await assert.rejects(engine.handleGhlWebhook(body, headers), (err) => err.code === "WEBHOOK_STALE", "10 minutes old, checked against now");
  const run = await engine.handleGhlWebhook(body, headers, sentAt + 2_000);
  assert.equal(run.trigger.startsWith("ghl"), true, JSON.stringify(run));
  await assert.rejects(engine.handleGhlWebhook(body, headers, sentAt + 2_000), (err) => err.code === "WEBHOOK_REPLAYED", "still one run per webhookId");
  engine.free();
});
