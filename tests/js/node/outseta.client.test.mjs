// OutsetaClient from the built wasm package (Node entry), against the local Outseta
// simulator on 127.0.0.1: every operation, paging by page number, coded errors, pacing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { OutsetaClient } from "outseta-ghl-sync";
import { startOutsetaSim } from "../../sim/outseta.mjs";

const KEYS = { apiKey: "test-key", secretKey: "test-secret" };
let server;
let client;

before(async () => {
  server = await startOutsetaSim({
    seed: {
      people: [{ Email: "seeded@example.com", FirstName: "Seed", CoffeePreference: "Latte" }],
      emailLists: [{ Uid: "list1", Name: "Newsletter" }],
      definitions: { Person: [{ SystemName: "CoffeePreference", Label: "Coffee", ControlType: "Select", ControlParams: "{\"Options\":[\"Latte\"]}" }] },
    },
  });
  client = new OutsetaClient({ baseUrl: server.baseUrl, ...KEYS });
});
after(() => server.close());

const people = (n, prefix) =>
  Array.from({ length: n }, (_, i) => ({ Email: `${prefix}${String(i).padStart(3, "0")}@example.com`, FirstName: `P${i}` }));

test("options are checked, and the keys never show", () => {
  assert.equal(client.baseUrl, server.baseUrl);
  assert.equal(new OutsetaClient({ subdomain: "acme", ...KEYS }).baseUrl, "https://acme.outseta.com/api/v1");
  for (const bad of [{}, { ...KEYS }, { baseUrl: "ftp://x", ...KEYS }, { subdomain: "a", baseUrl: "http://x", ...KEYS },
    { baseUrl: "http://x", apiKey: 1, secretKey: "s" }, { baseUrl: "http://x", ...KEYS, extra: 1 }, null, "text"]) {
    assert.throws(() => new OutsetaClient(bad), { code: "INPUT_INVALID" }, JSON.stringify(bad));
  }
  assert.ok(!JSON.stringify(client).includes("test-secret"));
});

test("create, get, update, find by email and delete a person", async () => {
  const created = await client.createPerson({ Email: "Jane.Doe@Example.com", FirstName: "Jane", CoffeePreference: "Espresso" });
  assert.match(created.Uid, /^[A-Za-z0-9]{8}$/);
  assert.equal(created.CoffeePreference, "Espresso", "custom properties come back as top-level keys");
  assert.match(created.Created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  assert.match(created.Updated, /\.\d{7}Z$/);

  const got = await client.getPerson(created.Uid);
  assert.equal(got.Email, "Jane.Doe@Example.com");

  const updated = await client.updatePerson(created.Uid, { LastName: "Doe" });
  assert.equal(updated.LastName, "Doe");
  assert.equal(updated.FirstName, "Jane");
  assert.equal(updated.CoffeePreference, "Espresso");

  const found = await client.findPersonByEmail("  jane.doe@EXAMPLE.com ");
  assert.equal(found?.Uid, created.Uid);
  assert.equal(await client.findPersonByEmail("nobody@example.com"), null);

  assert.equal(await client.deletePerson(created.Uid), undefined);
  await assert.rejects(client.getPerson(created.Uid), (err) => {
    assert.equal(err.name, "OutsetaGhlSyncError");
    assert.equal(err.code, "OUTSETA_NOT_FOUND");
    assert.equal(err.details.status, 404);
    return true;
  });
});

test("a duplicate or invalid email is OUTSETA_VALIDATION with Outseta's field errors", async () => {
  await assert.rejects(client.createPerson({ Email: "SEEDED@example.com" }), (err) => {
    assert.equal(err.code, "OUTSETA_VALIDATION");
    assert.match(err.details.message, /^Validation failed for one or more entities/);
    assert.equal(err.details.errors[0].property, "Email");
    assert.equal(err.details.errors[0].code, "outsetaError");
    return true;
  });
  await assert.rejects(client.createPerson({ Email: "not-an-email" }), { code: "OUTSETA_VALIDATION" });
  await assert.rejects(client.createPerson({ Email: "x@example.com", FirstName: 42 }), { code: "OUTSETA_VALIDATION" });
  // Refused before any request: no Email at all.
  const before = (await (await fetch(`${server.url}/_sim/stats`)).json()).requests;
  await assert.rejects(client.createPerson({ FirstName: "No email" }), { code: "INPUT_INVALID" });
  await assert.rejects(client.getPerson(42), { code: "INPUT_INVALID" });
  await assert.rejects(client.listPeople({ limit: 500 }), { code: "INPUT_INVALID" });
  await assert.rejects(client.listPeople({ page: 2 }), { code: "INPUT_INVALID" });
  assert.equal((await (await fetch(`${server.url}/_sim/stats`)).json()).requests, before);
});

test("paging uses page numbers: all 130 people once, where an item-offset client loses some", async () => {
  server.sim.seed({ people: people(130, "page") });
  const query = { limit: 50, orderBy: "Email ASC", filters: { Email: "page*" } };
  const everyone = await client.listAllPeople(query);
  assert.equal(everyone.length, 130);
  assert.equal(new Set(everyone.map((p) => p.Uid)).size, 130);

  const second = await client.listPeople({ ...query, offset: 1 });
  assert.deepEqual(second.metadata, { limit: 50, offset: 1, total: 130 });
  assert.equal(second.items[0].Email, everyone[50].Email);

  // A client that sends item offsets (0, 50, 100) asks for pages 0, 50 and 100.
  const itemOffsetClient = [];
  for (let offset = 0; ; offset += 50) {
    const page = await client.listPeople({ ...query, offset });
    itemOffsetClient.push(...page.items);
    if (page.items.length < 50) break;
  }
  assert.equal(itemOffsetClient.length, 50, "an item-offset client stops after the first page");
  assert.notEqual(itemOffsetClient.length, everyone.length);
});

test("filters: Updated__gte for incremental polling, and orderBy", async () => {
  const mark = new Date(Date.now() - 1000).toISOString().slice(0, 19);
  const fresh = await client.createPerson({ Email: "fresh@example.com" });
  const recent = await client.listAllPeople({ filters: { Updated__gte: mark } });
  assert.ok(recent.some((p) => p.Uid === fresh.Uid));
  const none = await client.listPeople({ filters: { Updated__gte: "2999-01-01T00:00:00" } });
  assert.equal(none.metadata.total, 0);
  const desc = await client.listPeople({ limit: 3, orderBy: "Email DESC" });
  const emails = desc.items.map((p) => p.Email);
  assert.deepEqual(emails, [...emails].sort().reverse());
});

test("update keeps PersonAccount, which a partial PUT would wipe", async () => {
  const account = await client.createAccount({
    Name: "Acme", Mascot: "Roadrunner",
    PersonAccount: [{ Person: { Email: "owner@acme.test", FirstName: "Olive" }, IsPrimary: true }],
  });
  const owner = await client.findPersonByEmail("owner@acme.test");
  assert.equal(owner.PersonAccount.length, 1);
  const updated = await client.updatePerson(owner.Uid, { Title: "CEO" });
  assert.equal(updated.Title, "CEO");
  assert.equal(updated.PersonAccount.length, 1, "the client's GET-then-PUT kept the membership");

  // The quirk itself, through a raw partial PUT: the membership is gone. (Wait for the
  // paced client's window to pass: the raw request shares its key.)
  await new Promise((r) => setTimeout(r, 1100));
  const raw = await fetch(`${server.baseUrl}/crm/people/${owner.Uid}`, {
    method: "PUT",
    headers: { Authorization: "Outseta test-key:test-secret", "Content-Type": "application/json" },
    body: JSON.stringify({ Title: "Founder" }),
  });
  assert.equal(raw.status, 200);
  assert.equal((await raw.json()).PersonAccount.length, 0);
  await new Promise((r) => setTimeout(r, 1100)); // the raw request was outside the client's pacing
  assert.equal((await client.getAccount(account.Uid)).PersonAccount.length, 0);
});

test("accounts: create, get, list, update, memberships, delete", async () => {
  const account = await client.createAccount({
    Name: "Globex", Mascot: "Owl",
    PersonAccount: [{ Person: { Email: "hank@globex.test" }, IsPrimary: true }],
  });
  assert.equal(account.AccountStage, 2);
  assert.equal(account.AccountStageLabel, "Trialing");
  assert.equal(account.Mascot, "Owl");
  assert.equal(account.PrimaryContact.Email, "hank@globex.test");

  const member = await client.createPerson({ Email: "frank@globex.test" });
  const membership = await client.addMembership(account.Uid, { Person: { Uid: member.Uid }, IsPrimary: false });
  assert.equal(membership.Person.Uid, member.Uid);
  assert.equal(membership.Account.Uid, account.Uid);

  const expanded = await client.listAccounts({ fields: "*,PersonAccount.*", filters: { Name: "Globex" } });
  assert.equal(expanded.items.length, 1);
  assert.deepEqual(expanded.items[0].PersonAccount.map((m) => m.Person.Email).sort(), ["frank@globex.test", "hank@globex.test"]);
  const all = await client.listAllAccounts();
  assert.ok(all.some((a) => a.Uid === account.Uid));

  const renamed = await client.updateAccount(account.Uid, { Name: "Globex Corp" });
  assert.equal(renamed.Name, "Globex Corp");
  assert.equal(renamed.Mascot, "Owl");

  const primary = renamed.PersonAccount.find((m) => m.IsPrimary);
  await assert.rejects(client.removeMembership(account.Uid, primary.Uid), { code: "OUTSETA_VALIDATION" });
  assert.equal(await client.removeMembership(account.Uid, membership.Uid), undefined);
  assert.equal((await client.getAccount(account.Uid)).PersonAccount.length, 1);

  await assert.rejects(client.createAccount({ Name: "No people", PersonAccount: [] }), { code: "INPUT_INVALID" });
  await client.deleteAccount(account.Uid);
  await assert.rejects(client.getAccount(account.Uid), { code: "OUTSETA_NOT_FOUND" });
});

test("custom activities are written to the timeline and listed by EntityUid and ActivityType", async () => {
  const person = await client.createPerson({ Email: "timeline@example.com" });
  const activity = await client.createCustomActivity({
    Title: "Onboarding: book a kickoff call", Description: "Task from the sync",
    ActivityData: JSON.stringify({ task: "kickoff", due: "2024-03-01" }), EntityType: 2, EntityUid: person.Uid,
  });
  assert.equal(activity.ActivityType, 10);
  assert.equal(activity.EntityUid, person.Uid);

  const mine = await client.listActivities({ filters: { EntityUid: person.Uid, ActivityType: 10 } });
  assert.equal(mine.metadata.total, 1);
  assert.equal(mine.items[0].Title, "Onboarding: book a kickoff call");
  const created = await client.listActivities({ filters: { EntityUid: person.Uid, ActivityType: 200 } });
  assert.equal(created.items.length, 1, "the PersonCreated activity is in the feed too");

  await assert.rejects(client.createCustomActivity({ Title: "x", EntityType: 2, EntityUid: "missing1" }), { code: "OUTSETA_VALIDATION" });
  await assert.rejects(client.createCustomActivity({ Title: "x", EntityType: "2", EntityUid: person.Uid }), { code: "INPUT_INVALID" });
});

test("email lists: list, subscribe, list subscriptions, unsubscribe", async () => {
  const lists = await client.listEmailLists();
  assert.deepEqual(lists.items.map((l) => l.Name), ["Newsletter"]);
  const sub = await client.subscribe("list1", { Person: { Email: "reader@example.com", FirstName: "Rea" } });
  assert.equal(sub.EmailListSubscriberStatus, 1);
  assert.equal(sub.EmailList.Uid, "list1");
  await assert.rejects(client.subscribe("list1", { Person: { Uid: sub.Person.Uid } }), { code: "OUTSETA_VALIDATION" });
  const subs = await client.listSubscriptions("list1");
  assert.deepEqual(subs.items.map((s) => s.Person.Email), ["reader@example.com"]);
  await client.unsubscribe("list1", sub.Uid);
  assert.equal((await client.listSubscriptions("list1", { limit: 10 })).metadata.total, 0);
  await assert.rejects(client.listSubscriptions("nolist"), { code: "OUTSETA_NOT_FOUND" });
});

test("custom property definitions, and null where the endpoint is missing", async () => {
  const defs = await client.propertyDefinitions("Person");
  assert.equal(defs[0].SystemName, "CoffeePreference");
  assert.equal(await client.propertyDefinitions("Deal"), null);
  await assert.rejects(client.propertyDefinitions("Widget"), { code: "INPUT_INVALID" });
});

test("wrong keys are OUTSETA_UNAUTHORIZED; an unreachable server is HTTP_TRANSPORT", async () => {
  const wrong = new OutsetaClient({ baseUrl: server.baseUrl, apiKey: "test-key", secretKey: "nope", rateLimit: false });
  await assert.rejects(wrong.listPeople(), (err) => {
    assert.equal(err.code, "OUTSETA_UNAUTHORIZED");
    assert.ok(!err.message.includes("nope") && !JSON.stringify(err.details).includes("nope"));
    return true;
  });
  const closed = await startOutsetaSim();
  const gone = new OutsetaClient({ baseUrl: closed.baseUrl, ...KEYS, retry: { maxAttempts: 2, baseDelayMs: 10 } });
  await closed.close();
  await assert.rejects(gone.listPeople(), { code: "HTTP_TRANSPORT" });
});

test("with retries off, an unpaced client gets 429 as OUTSETA_RATE_LIMITED; the default client paces to 4/s", async () => {
  const limited = await startOutsetaSim();
  try {
    const unpaced = new OutsetaClient({ baseUrl: limited.baseUrl, ...KEYS, rateLimit: false, retry: { maxAttempts: 1 } });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => unpaced.listPeople()));
    const rejected = results.filter((r) => r.status === "rejected");
    assert.equal(results.length - rejected.length, 4);
    for (const r of rejected) {
      assert.equal(r.reason.code, "OUTSETA_RATE_LIMITED");
      assert.equal(r.reason.details.retryAfterSeconds, 1);
    }
    await new Promise((r) => setTimeout(r, 1100));
    const paced = new OutsetaClient({ baseUrl: limited.baseUrl, ...KEYS });
    const started = Date.now();
    await Promise.all(Array.from({ length: 9 }, () => paced.listPeople()));
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 2000, `9 paced requests took ${elapsed} ms`);
    const stats = await (await fetch(`${limited.url}/_sim/stats`)).json();
    assert.equal(stats.rateLimited, 4, "only the unpaced burst was refused");
    assert.deepEqual(paced.stats().retries, 0);
  } finally {
    await limited.close();
  }
});

test("an unpaced client with retries still gets every request through, obeying Retry-After", async () => {
  const limited = await startOutsetaSim();
  try {
    const unpaced = new OutsetaClient({ baseUrl: limited.baseUrl, ...KEYS, rateLimit: false });
    const started = Date.now();
    const pages = await Promise.all(Array.from({ length: 8 }, () => unpaced.listPeople()));
    assert.equal(pages.length, 8);
    assert.ok(Date.now() - started >= 1000, "the refused half waited out Retry-After: 1");
    const stats = unpaced.stats();
    assert.equal(stats.requests, 8);
    assert.ok(stats.retries >= 4, JSON.stringify(stats));
  } finally {
    await limited.close();
  }
});

test("a burst under injected 429, 500 and dropped connections completes with no errors and no duplicate people", async () => {
  const faulty = await startOutsetaSim({ randomSeed: 7, faults: { 429: 0.15, 500: 0.15, drop: 0.1 } });
  try {
    const c = new OutsetaClient({ baseUrl: faulty.baseUrl, ...KEYS, retry: { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 400 } });
    const burst = people(16, "burst");
    const created = await Promise.all(burst.map((p) => c.createPerson(p)));
    assert.deepEqual(created.map((p) => p.Email), burst.map((p) => p.Email));
    const read = await Promise.all(created.map((p) => c.getPerson(p.Uid)));
    assert.deepEqual(read.map((p) => p.Uid), created.map((p) => p.Uid));
    await c.updatePerson(created[0].Uid, { FirstName: "Updated" });
    await c.deletePerson(created[1].Uid);
    faulty.sim.configure({ faults: {} });
    const everyone = await c.listAllPeople({ limit: 100 });
    const emails = everyone.map((p) => p.Email);
    assert.equal(new Set(emails).size, emails.length, "no duplicate people");
    assert.equal(everyone.length, 15);
    assert.equal(everyone.find((p) => p.Uid === created[0].Uid).FirstName, "Updated");
    const sim = await (await fetch(`${faulty.url}/_sim/stats`)).json();
    assert.ok(sim.faults > 0, "faults were injected");
    assert.ok(c.stats().retries > 0, JSON.stringify(c.stats()));
  } finally {
    await faulty.close();
  }
});
