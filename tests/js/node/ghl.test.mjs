// The GhlClient from the wasm build (the package's Node entry) against the local
// HighLevel simulator (tests/sim/ghl.mjs), which validates every request against the
// official apps/contacts.json. Each test starts its own simulator on a free port.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { GhlClient, GhlWebhookVerifier, parseGhlWebhook } from "outseta-ghl-sync";
import { startGhlSim } from "../../sim/ghl.mjs";
import { ROOT } from "../helpers.mjs";

const LOC = "loc_sim";
const H = { Authorization: "Bearer sim-token", Version: "2021-07-28", "content-type": "application/json" };

async function withSim(options, fn) {
  const sim = await startGhlSim(options);
  try {
    const client = new GhlClient({ locationId: LOC, token: "sim-token", baseUrl: sim.url, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
    await fn(sim, client);
  } finally {
    await sim.close();
  }
}

const raw = (sim, path, init = {}) =>
  fetch(sim.url + path, { ...init, headers: { ...H, ...init.headers } }).then(async (r) => ({ status: r.status, headers: r.headers, body: await r.json().catch(() => null) }));
const state = async (sim) => (await raw(sim, "/_sim/state")).body;
const stats = async (sim) => (await raw(sim, "/_sim/stats")).body;

async function rejects(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, "OutsetaGhlSyncError");
    assert.equal(err.code, code, `${err.code}: ${err.message}`);
    return true;
  });
}

test("the 16 named operations, then upsert and search, from the wasm build with zero validation errors", async () => {
  // The location defines cf1: the simulator keeps only custom fields the location has.
  const seed = { customFields: [{ id: "cf1", name: "Tier", fieldKey: "contact.tier", dataType: "TEXT" }] };
  await withSim({ duplicates: "email", seed }, async (sim, ghl) => {
    const { contact, recovered } = await ghl.createContact({ email: "ann@example.com", firstName: "Ann", phone: "(888) 555-0100", tags: ["Lead"], customFields: [{ id: "cf1", fieldValue: "gold" }] });
    assert.equal(recovered, false);
    assert.equal(contact.phone, "+18885550100");
    const id = contact.id;
    const got = await ghl.getContact(id);
    assert.equal(got.email, "ann@example.com");
    assert.deepEqual(got.customFields, [{ id: "cf1", value: "gold" }]);
    assert.equal(got.createdBy.source, "INTEGRATION", "keys beyond the spec are kept");
    const updated = await ghl.updateContact(id, { lastName: "Lee", companyName: undefined });
    assert.equal(updated.lastName, "Lee");
    assert.deepEqual(await ghl.addTags(id, ["VIP"]), ["lead", "vip"]);
    const task = await ghl.createTask(id, { title: "Call", dueDate: "2026-12-01T10:00:00.123Z", completed: false, body: "intro" });
    assert.equal(task.dueDate, "2026-12-01T10:00:00Z");
    assert.equal((await ghl.listTasks(id)).length, 1);
    assert.equal((await ghl.getTask(id, task.id)).title, "Call");
    assert.equal((await ghl.updateTask(id, task.id, { title: "Call back" })).title, "Call back");
    assert.equal((await ghl.completeTask(id, task.id, true)).completed, true);
    const note = await ghl.createNote(id, { body: "met at expo" });
    assert.equal((await ghl.listNotes(id))[0].id, note.id);
    assert.equal((await ghl.getNote(id, note.id)).body, "met at expo");
    assert.deepEqual(await ghl.listAppointments(id), []);
    const listed = await ghl.listContacts({ limit: 10 });
    assert.equal(listed.contacts[0].id, id);
    await ghl.bulkBusiness([id], "biz1");
    assert.equal((await ghl.listBusinessContacts("biz1")).contacts[0].id, id);
    const up = await ghl.upsertContact({ email: "ANN@example.com", city: "Oslo" });
    assert.equal(up.new, false);
    assert.equal(up.contact.id, id);
    const found = await ghl.searchContacts({ pageLimit: 10, filters: [{ field: "email", operator: "eq", value: "ann@example.com" }] });
    assert.equal(found.total, 1);
    assert.deepEqual(found.contacts[0].searchAfter.length, 2);
    assert.equal((await ghl.findDuplicate(null, "+1 888 555 0100")).id, id);
    assert.equal(await ghl.findDuplicate("nobody@example.com", null), null);
    assert.deepEqual((await ghl.deleteTask(id, task.id)).succeded, true);
    assert.deepEqual(await ghl.removeTags(id, ["lead"]), ["vip"]);
    assert.equal((await ghl.deleteContact(id)).succeded, true);
    const s = await stats(sim);
    assert.equal(s.validationErrors, 0);
    for (const op of ["get-contact", "get-all-tasks", "get-task", "get-all-notes", "get-note", "get-appointments-for-contact", "get-contacts", "get-contacts-by-businessId", "create-contact", "update-contact", "delete-contact", "create-task", "update-task", "update-task-completed", "delete-task", "add-tags", "upsert-contact", "search-contacts-advanced"]) {
      assert.ok(s.byOperation[op] >= 1, op);
    }
  });
});

test("the remaining operations: notes, followers, campaigns, workflows, bulk tags, custom fields", async () => {
  await withSim({}, async (sim, ghl) => {
    const { contact } = await ghl.createContact({ email: "bo@example.com" });
    const id = contact.id;
    const note = await ghl.createNote(id, { body: "a" });
    assert.equal((await ghl.updateNote(id, note.id, { body: "b" })).body, "b");
    assert.equal((await ghl.deleteNote(id, note.id)).succeded, true);
    assert.deepEqual((await ghl.addFollowers(id, ["u1", "u2"])).followersAdded, ["u1", "u2"]);
    assert.deepEqual((await ghl.removeFollowers(id, ["u1"])).followers, ["u2"]);
    assert.equal((await ghl.addToCampaign(id, "camp1")).succeded, true);
    await ghl.removeFromCampaign(id, "camp1");
    await ghl.removeFromAllCampaigns(id);
    assert.equal((await ghl.addToWorkflow(id, "wf1", "2026-12-01T10:00:00Z")).succeded, true);
    await ghl.removeFromWorkflow(id, "wf1");
    const bulk = await ghl.bulkUpdateTags("add", [id, "missing"], ["x"]);
    assert.equal(bulk.errorCount, 1);
    await ghl.bulkUpdateTags("remove", [id], [], true);
    assert.deepEqual((await ghl.getContact(id)).tags, []);
    const def = await ghl.createCustomField({ name: "Pin Code", dataType: "TEXT" });
    assert.equal(def.fieldKey, "contact.pin_code");
    assert.equal((await ghl.listCustomFields("contact"))[0].id, def.id);
    assert.equal((await ghl.getCustomField("contact.pin_code")).id, def.id);
    assert.equal((await stats(sim)).validationErrors, 0);
  });
});

test("the simulator answers spec violations as the live API does: 422 message arrays, 401 and 403 texts", async () => {
  await withSim({}, async (sim) => {
    let r = await raw(sim, "/contacts/", { method: "POST", body: JSON.stringify({ locationId: LOC, email: "x@y.co", foobar: 1 }) });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.message, ["property foobar should not exist"]);
    assert.equal(r.body.error, "Unprocessable Entity");
    r = await raw(sim, "/contacts/", { method: "POST", body: JSON.stringify({ locationId: LOC, email: 5 }) });
    assert.deepEqual(r.body.message, ["email must be a string"]);
    r = await raw(sim, "/contacts/abc", { headers: { Authorization: "Bearer nope" } });
    assert.deepEqual([r.status, r.body.message], [401, "Invalid token: access token is invalid"]);
    r = await raw(sim, "/contacts/?locationId=other");
    assert.deepEqual([r.status, r.body.message], [403, "The token does not have access to this location."]);
    r = await raw(sim, "/contacts/search", { method: "POST", body: JSON.stringify({ locationId: LOC }) });
    assert.equal(r.status, 422, "pageLimit is required (GHL#31)");
    r = await raw(sim, "/contacts/search", { method: "POST", body: JSON.stringify({ locationId: LOC, pageLimit: 10, filters: [{ field: "contact_name", operator: "eq", value: "x" }] }) });
    assert.deepEqual([r.status, r.body.message], [400, "Invalid field contact_name"]);
    r = await raw(sim, "/contacts/search/duplicate?locationId=" + LOC);
    assert.deepEqual([r.status, r.body.message], [400, "Pass at least one of number, email query parameter"]);
    r = await raw(sim, "/contacts/nope");
    assert.deepEqual([r.status, r.body.message], [400, "Contact with id nope not found"]);
  });
});

test("duplicates: a disallowed duplicate create is GHL_DUPLICATE with meta; upsert drops a phone that matches another contact", async () => {
  await withSim({ duplicates: "email" }, async (sim, ghl) => {
    const a = (await ghl.createContact({ email: "a@example.com" })).contact;
    const b = (await ghl.createContact({ email: "b@example.com", phone: "+1 555 010 0002" })).contact;
    await assert.rejects(ghl.createContact({ email: "A@example.com" }), (err) => {
      assert.equal(err.code, "GHL_DUPLICATE");
      assert.equal(err.details.contactId, a.id);
      assert.equal(err.details.matchingField, "email");
      return true;
    });
    const up = await ghl.upsertContact({ email: "a@example.com", phone: "+1 555 010 0002", firstName: "Al" });
    assert.equal(up.contact.id, a.id);
    assert.equal(up.contact.firstName, "Al");
    assert.equal(up.contact.phone ?? null, null, "GHL#37: the phone matching contact b is silently dropped");
    assert.equal((await ghl.getContact(b.id)).phone, "+15550100002");
  });
  await withSim({ duplicates: "allow" }, async (sim, ghl) => {
    await ghl.createContact({ email: "a@example.com" });
    await ghl.createContact({ email: "a@example.com" });
    const up = await ghl.upsertContact({ email: "a@example.com", createNewIfDuplicateAllowed: true });
    assert.equal(up.new, true);
    assert.equal((await state(sim)).contacts.length, 3);
  });
});

test("search pages with searchAfter past one page; page paging is capped at 10,000 records", async () => {
  const contacts = Array.from({ length: 25 }, (_, i) => ({ id: `c${String(i).padStart(3, "0")}`, locationId: LOC, email: `p${i}@example.com`, dateAdded: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() }));
  await withSim({ seed: { contacts } }, async (sim, ghl) => {
    const pager = ghl.searchPages({ pageLimit: 10 });
    const ids = [];
    for (let page = await pager.next(); page; page = await pager.next()) ids.push(...page.contacts.map((c) => c.id));
    assert.deepEqual(ids, contacts.map((c) => c.id));
    const list = ghl.listPages({ limit: 10 });
    let n = 0;
    for (let page = await list.next(); page; page = await list.next()) n += page.contacts.length;
    assert.equal(n, 25, "locationId sent on every page (no 403)");
    await rejects(ghl.searchContacts({ pageLimit: 100, page: 101 }), "INPUT_INVALID");
    const r = await raw(sim, "/contacts/search", { method: "POST", body: JSON.stringify({ locationId: LOC, pageLimit: 100, page: 101 }) });
    assert.equal(r.status, 400);
  });
});

test("rate limits: the simulator answers 429 after 100 requests in 10 s and sends the headers; the client paces itself", async () => {
  await withSim({}, async (sim) => {
    const statuses = [];
    for (let i = 0; i < 101; i++) statuses.push((await raw(sim, "/contacts/search/duplicate?locationId=loc_sim&email=a%40b.co")).status);
    assert.equal(statuses.filter((s) => s === 200).length, 100);
    assert.equal(statuses[100], 429);
    const r = await raw(sim, "/contacts/search/duplicate?locationId=loc_sim&email=a%40b.co");
    for (const h of ["x-ratelimit-limit-daily", "x-ratelimit-daily-remaining", "x-ratelimit-interval-milliseconds", "x-ratelimit-max", "x-ratelimit-remaining"]) assert.ok(r.headers.get(h) !== null, h);
  });
  // A client limited to 20 per 200 ms against a simulator limited to 100 per 500 ms: never a 429.
  await withSim({ timeScale: 20 }, async (sim) => {
    const ghl = new GhlClient({ locationId: LOC, token: "sim-token", baseUrl: sim.url, rateLimit: { burst: 20, windowMs: 200 } });
    const t0 = Date.now();
    for (let i = 0; i < 45; i++) await ghl.findDuplicate("a@b.co", null);
    assert.ok(Date.now() - t0 >= 400, "two full windows waited");
    assert.equal((await stats(sim)).rateLimited, 0);
    assert.ok(ghl.stats().throttledMs > 0);
  });
});

test("faults: 429 storms, 5xx and dropped connections are retried; a 422-but-created create is recovered, never duplicated", async () => {
  await withSim({ fault429: 0.3, fault5xx: 0.2, faultDrop: 0.1, faultSeed: 7 }, async (sim, ghl) => {
    for (let i = 0; i < 15; i++) await ghl.findDuplicate(`x${i}@b.co`, null);
    const s = await stats(sim);
    assert.ok(s.faults[429] + s.faults["5xx"] + s.faults.drop > 0);
    assert.ok(ghl.stats().retries > 0);
  });
  await withSim({ fault422Created: 1 }, async (sim, ghl) => {
    const created = await ghl.createContact({ email: "once@example.com" });
    assert.equal(created.recovered, true);
    assert.equal(created.contact.email, "once@example.com");
    assert.equal((await state(sim)).contacts.length, 1);
  });
  await withSim({ fault5xx: 0.5, faultSeed: 3 }, async (sim, ghl) => {
    for (let i = 0; i < 5; i++) {
      try { await ghl.createContact({ email: `c${i}@example.com` }); } catch (err) { assert.ok(["GHL_SERVER_ERROR", "GHL_RATE_LIMITED"].includes(err.code), err.code); }
    }
    const emails = (await state(sim)).contacts.map((c) => c.email);
    assert.equal(new Set(emails).size, emails.length, "no contact created twice");
  });
  await withSim({ faultSlow: 1, slowMs: 300 }, async (sim, ghl) => {
    const t0 = Date.now();
    await ghl.findDuplicate("a@b.co", null);
    assert.ok(Date.now() - t0 >= 250);
    // Slower than the client's timeout: every attempt gives up, typed as a network error.
    const impatient = new GhlClient({ locationId: LOC, token: "sim-token", baseUrl: sim.url, timeoutMs: 100, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    await assert.rejects(impatient.getContact("x"), (err) => {
      assert.equal(err.code, "HTTP_TRANSPORT");
      assert.match(err.details.reason, /no response within 100 ms/);
      return true;
    });
    assert.equal(impatient.stats().attempts, 2);
  });
});

test("OAuth: code exchange, refresh on 401 with the rotated refresh token handed out, location token", async () => {
  await withSim({}, async (sim) => {
    const { code, clientId, clientSecret } = (await raw(sim, "/_sim/oauth/code", { method: "POST" })).body;
    const bootstrap = new GhlClient({ locationId: LOC, token: "sim-token", baseUrl: sim.url });
    const tokens = await bootstrap.exchangeCode(clientId, clientSecret, code);
    assert.ok(tokens.access_token && tokens.refresh_token);
    const persisted = [];
    const ghl = new GhlClient({ locationId: LOC, baseUrl: sim.url, oauth: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, clientId, clientSecret }, onTokens: (t) => persisted.push(t.refresh_token) });
    const { contact } = await ghl.createContact({ email: "o@example.com" });
    await raw(sim, "/_sim/expire-tokens", { method: "POST" });
    assert.equal((await ghl.getContact(contact.id)).id, contact.id);
    assert.equal(persisted.length, 1);
    assert.notEqual(persisted[0], tokens.refresh_token);
    const again = await ghl.refreshToken();
    assert.deepEqual(persisted, [persisted[0], again.refresh_token]);
    assert.equal((await ghl.getContact(contact.id)).id, contact.id);
    // The old refresh token is spent: a client still holding it cannot refresh.
    const stale = new GhlClient({ locationId: LOC, baseUrl: sim.url, oauth: { accessToken: "x", refreshToken: tokens.refresh_token, clientId, clientSecret } });
    await rejects(stale.getContact(contact.id), "GHL_UNAUTHORIZED");
    const pit = new GhlClient({ locationId: LOC, token: "bad", baseUrl: sim.url });
    await rejects(pit.getContact(contact.id), "GHL_UNAUTHORIZED");
    const loc = await ghl.locationToken("company_sim", LOC);
    assert.ok(loc.access_token);
    assert.equal(loc.refresh_token, undefined);
  });
});

test("webhooks from the simulator verify (Ed25519, then RSA); tampered, wrong key, stale and replayed are refused", async () => {
  const received = [];
  const receiver = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => { received.push({ body: Buffer.concat(chunks), headers: req.headers }); res.end("ok"); });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  try {
    await withSim({ webhookUrl: `http://127.0.0.1:${receiver.address().port}/hook` }, async (sim, ghl) => {
      const { contact } = await ghl.createContact({ email: "w@example.com" });
      await ghl.addTags(contact.id, ["x"]);
      await ghl.createNote(contact.id, { body: "n" });
      await ghl.createTask(contact.id, { title: "t", dueDate: "2026-12-01T10:00:00Z", completed: false });
      for (let i = 0; i < 50 && received.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
      const keys = sim.keys;
      const verifier = new GhlWebhookVerifier({ ed25519Keys: [keys.ed25519], rsaKeys: [keys.rsa] });
      const types = received.map(({ body, headers }) => verifier.verify(new Uint8Array(body), headers).event.type);
      assert.deepEqual(types.sort(), ["ContactCreate", "ContactTagUpdate", "NoteCreate", "TaskCreate"]);
      const task = received.map((r) => JSON.parse(r.body)).find((e) => e.type === "TaskCreate");
      assert.equal(task.contactId, undefined, "GHL#332: TaskCreate without contactId still parses");
      const [first] = received;
      assert.throws(() => verifier.verify(first.body.toString(), first.headers), { code: "WEBHOOK_REPLAYED" });
      const fresh = new GhlWebhookVerifier({ ed25519Keys: [keys.ed25519], rsaKeys: [keys.rsa] });
      const rsaOnly = { "x-wh-signature": first.headers["x-wh-signature"] };
      assert.equal(fresh.verify(first.body.toString(), rsaOnly).verifiedBy, "x-wh-signature");
      const tampered = first.body.toString().replace("w@example.com", "z@example.com");
      assert.throws(() => new GhlWebhookVerifier({ ed25519Keys: [keys.ed25519] }).verify(tampered, first.headers), { code: "SIGNATURE_INVALID" });
      assert.throws(() => new GhlWebhookVerifier().verify(first.body, first.headers), { code: "SIGNATURE_INVALID" }, "HighLevel's published key did not sign it");
      const later = Date.now() + 6 * 60 * 1000;
      assert.throws(() => new GhlWebhookVerifier({ ed25519Keys: [keys.ed25519] }).verify(first.body, new Headers(first.headers), later), { code: "WEBHOOK_STALE" });
    });
  } finally {
    receiver.close();
  }
});

test("bad input is a typed error, never a panic", async () => {
  await withSim({}, async (sim, ghl) => {
    await rejects(ghl.createContact({ email: "a@b.co", foobar: 1 }), "INPUT_INVALID");
    await rejects(ghl.createContact({ phone: "call me maybe" }), "INPUT_INVALID");
    await rejects(ghl.updateContact("x", { locationId: LOC }), "INPUT_INVALID");
    await rejects(ghl.createTask("x", { title: "no due date" }), "INPUT_INVALID");
    await rejects(ghl.getContact("missing"), "GHL_BAD_REQUEST");
    assert.throws(() => new GhlClient({ locationId: LOC }), { code: "INPUT_INVALID" });
    assert.throws(() => new GhlClient({ locationId: LOC, token: "t", bogus: 1 }), { code: "INPUT_INVALID" });
    assert.equal((await stats(sim)).requests, 1, "only the getContact reached the API");
  });
  assert.throws(() => parseGhlWebhook("{not json"), { code: "WEBHOOK_INVALID" });
  assert.throws(() => parseGhlWebhook(JSON.stringify({ type: "ContactCreate", id: 5 })), { code: "WEBHOOK_INVALID" });
  assert.throws(() => parseGhlWebhook(JSON.stringify({ type: "InvoicePaid", id: "x" })), { code: "WEBHOOK_UNKNOWN_EVENT" });
  assert.throws(() => parseGhlWebhook(" ".repeat(1024 * 1024 + 1)), { code: "BODY_TOO_LARGE" });
  assert.throws(() => parseGhlWebhook(42), { code: "INPUT_INVALID" });
  assert.throws(() => new GhlWebhookVerifier({ ed25519Keys: ["not a key"] }), { code: "INPUT_INVALID" });
  assert.equal(parseGhlWebhook('{"type":"TaskCreate","id":"t1"}').event.type, "TaskCreate");
});

test("the simulator runs as a command: node tests/sim/ghl.mjs --port 0", async () => {
  const child = spawn(process.execPath, [join(ROOT, "tests/sim/ghl.mjs"), "--port", "0", "--duplicates", "phone", "--rate-limit", "off"], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const url = await new Promise((resolve, reject) => {
      child.stdout.once("data", (d) => resolve(String(d).trim()));
      child.once("exit", (c) => reject(new Error(`exited ${c}`)));
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await fetch(`${url}/_sim/stats`);
    assert.equal(r.status, 200);
  } finally {
    child.kill();
  }
});

test("phones: defaultRegion places national numbers; a bad phone or region is refused before any request", async () => {
  const sim = await startGhlSim({});
  try {
    const opts = { locationId: LOC, token: "sim-token", baseUrl: sim.url };
    const gb = new GhlClient({ ...opts, defaultRegion: "GB" });
    assert.equal((await gb.createContact({ email: "gb@example.com", phone: "020 7946 0958 ext. 4" })).contact.phone, "+442079460958");
    const legacy = new GhlClient({ ...opts, defaultCountryCode: "44" });
    assert.equal((await legacy.createContact({ email: "gb2@example.com", phone: "07911 123456" })).contact.phone, "+447911123456");
    const us = new GhlClient({ ...opts, defaultRegion: "US" });
    const before = (await stats(sim)).requests;
    for (const phone of ["555-0100", "+1 202 555 01", "call me"]) {
      await rejects(us.createContact({ email: "x@example.com", phone }), "INPUT_INVALID");
    }
    await rejects(gb.createContact({ email: "x@example.com", phone: "020 7946 0958 1234" }), "INPUT_INVALID");
    assert.equal((await stats(sim)).requests, before, "nothing was sent");
    for (const bad of [{ defaultRegion: "ZZ" }, { defaultCountryCode: "999" }, { defaultRegion: "GB", defaultCountryCode: "44" }]) {
      assert.throws(() => new GhlClient({ ...opts, ...bad }), (err) => err.code === "INPUT_INVALID");
    }
  } finally {
    await sim.close();
  }
});

test("a Node process exits as soon as its work is done: the per-attempt timeout's timer is cleared when the response wins", async () => {
  await withSim({}, async (sim) => {
    const started = Date.now();
    const child = spawn(process.execPath, ["--input-type=module", "-e",
      `import { GhlClient } from "outseta-ghl-sync"; const c = new GhlClient({ locationId: "loc_sim", token: "sim-token", baseUrl: ${JSON.stringify(sim.url)}, timeoutMs: 30000 }); await c.createContact({ email: "exit@example.com" });`,
    ], { cwd: ROOT, stdio: "inherit" });
    const code = await new Promise((resolve) => child.on("exit", resolve));
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 10_000, `exited after ${Date.now() - started} ms (a pending 30 s timer keeps it alive)`);
  });
});
