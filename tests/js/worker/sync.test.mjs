// The Worker's sync routes in the real workerd runtime (wrangler dev), with D1 local state,
// wired to both simulators on 127.0.0.1: signed webhooks in, the contact in GHL out.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "../helpers.mjs";
import { startWorker } from "../../support/worker.mjs";
import { startGhlSim } from "../../sim/ghl.mjs";
import { startOutsetaSim } from "../../sim/outseta.mjs";

const signingKey = randomBytes(32).toString("hex");
const adminToken = randomBytes(16).toString("hex");
const persistTo = mkdtempSync(join(tmpdir(), "ogs-worker-"));
let ghl, outseta, worker, vars;

before(async () => {
  ghl = await startGhlSim({ rateLimit: false, duplicates: "email" });
  outseta = await startOutsetaSim({ rateLimit: false, signingKey });
  vars = {
    GHL_LOCATION_ID: "loc_sim", GHL_TOKEN: "sim-token", GHL_BASE_URL: ghl.url,
    GHL_WEBHOOK_ED25519_KEY: ghl.keys.ed25519,
    OUTSETA_BASE_URL: outseta.baseUrl, OUTSETA_API_KEY: "test-key", OUTSETA_SECRET_KEY: "test-secret",
    OUTSETA_SIGNING_KEY: signingKey, ADMIN_TOKEN: adminToken,
  };
  worker = await startWorker({ vars, persistTo });
});
after(async () => {
  await worker?.stop();
  await Promise.all([ghl?.close(), outseta?.close()]);
});

const contacts = async () => (await fetch(`${ghl.url}/_sim/state`).then((r) => r.json())).contacts;
const sign = (body) => "sha256=" + createHmac("sha256", Buffer.from(signingKey, "hex")).update(body).digest("hex");
const deliver = (event, body, signature = sign(body)) =>
  fetch(`${worker.url}/webhooks/outseta/${event}`, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signature }, body });

test("a signed Outseta webhook is answered 202 and the GHL simulator then holds the contact; a forged one gets 401 and changes nothing", async () => {
  const person = outseta.sim.people.get(outseta.sim.createPerson({ Email: "wes@example.com", FirstName: "Wes" }));
  const body = JSON.stringify(outseta.sim.renderPerson(person.Uid, false));
  const res = await deliver("person-created", body);
  assert.equal(res.status, 202, await res.text());
  const c = await until(async () => (await contacts()).find((x) => x.email === "wes@example.com"), "the contact in GHL");
  assert.equal(c.firstName, "Wes");
  const before = (await contacts()).length;
  const forged = JSON.stringify({ ...JSON.parse(body), Uid: "evil", Email: "evil@example.com" });
  const refused = await deliver("person-created", forged, sign(body));
  assert.equal(refused.status, 401);
  assert.equal((await refused.json()).error.code, "SIGNATURE_INVALID");
  const unsigned = await fetch(`${worker.url}/webhooks/outseta/person-created`, { method: "POST", body: forged });
  assert.equal(unsigned.status, 401);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await contacts()).length, before);
});

test("a GHL webhook with a bad signature is refused; the admin routes need the bearer token", async () => {
  const res = await fetch(`${worker.url}/webhooks/ghl`, { method: "POST", headers: { "x-ghl-signature": "AAAA" }, body: JSON.stringify({ type: "ContactCreate", id: "x", webhookId: "w", timestamp: new Date().toISOString() }) });
  assert.equal(res.status, 401);
  assert.equal((await fetch(`${worker.url}/admin/reconcile`)).status, 401);
  assert.equal((await fetch(`${worker.url}/admin/reconcile`, { headers: { authorization: "Bearer wrong" } })).status, 401);
  const ok = await fetch(`${worker.url}/admin/reconcile`, { headers: { authorization: `Bearer ${adminToken}` } });
  assert.equal(ok.status, 200);
  const report = await ok.json();
  assert.equal(report.counts.links, 1);
  const text = JSON.stringify(report);
  for (const secret of [signingKey, adminToken, "test-secret"]) assert.ok(!text.includes(secret), "no secret in the report");
});

test("state survives a Worker restart: the next change to the same person updates the linked contact", async () => {
  await worker.stop();
  worker = await startWorker({ vars, persistTo });
  const uid = [...outseta.sim.people.values()].find((p) => p.Email === "wes@example.com").Uid;
  outseta.sim.updatePerson(uid, { LastName: "Ray" });
  const upsertsBefore = ghl.stats().byOperation["upsert-contact"];
  const res = await deliver("person-updated", JSON.stringify(outseta.sim.renderPerson(uid, false)));
  assert.equal(res.status, 202);
  await until(async () => (await contacts()).find((x) => x.email === "wes@example.com")?.lastName === "Ray", "the update in GHL");
  assert.equal(ghl.stats().byOperation["upsert-contact"], upsertsBefore, "linked from D1: a PUT, not a second upsert");
  assert.equal((await contacts()).filter((x) => x.email === "wes@example.com").length, 1);
});

test("a burst of 30 updates to one person goes through the Queue and costs far fewer GHL writes than deliveries; the last value wins", async (t) => {
  const uid = outseta.sim.createPerson({ Email: "burst@example.com", FirstName: "B0" });
  assert.equal((await deliver("person-created", JSON.stringify(outseta.sim.renderPerson(uid, false)))).status, 202);
  await until(async () => (await contacts()).find((x) => x.email === "burst@example.com"), "the contact in GHL");
  const writes = () => ghl.stats().byOperation["update-contact"] ?? 0;
  const before = writes();
  // Each delivery carries the record as it was just after its update; all are in flight at once.
  const bodies = [];
  for (let i = 1; i <= 30; i++) {
    outseta.sim.updatePerson(uid, { FirstName: `B${i}` });
    bodies.push(JSON.stringify(outseta.sim.renderPerson(uid, false)));
  }
  const answers = await Promise.all(bodies.map((b) => deliver("person-updated", b)));
  assert.deepEqual(answers.map((r) => r.status), bodies.map(() => 202));
  await until(async () => (await contacts()).find((x) => x.email === "burst@example.com")?.firstName === "B30", "the last value in GHL");
  await until(async () => /webhook batch/.test(worker.output()), "the Queue consumer's log line");
  const spent = writes() - before;
  t.diagnostic(`30 deliveries cost ${spent} GHL updates`);
  assert.ok(spent >= 1 && spent < 30, `30 deliveries cost ${spent} GHL updates`);
});

test("POST /v1/step runs runStep behind the admin token: a pure action, and syncPerson on the Worker's own engine", async () => {
  const step = (body, token = adminToken) => fetch(`${worker.url}/v1/step`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  assert.equal((await step({ action: "map", person: { Email: "x@y.co" } }, "wrong")).status, 401);
  const mapped = await (await step({ action: "map", person: { Email: " Z@Y.co " } })).json();
  assert.deepEqual(mapped.result[0].contact, { email: "z@y.co" });
  const bad = await step({ action: "nope" });
  assert.equal(bad.status, 400);
  const uid = outseta.sim.createPerson({ Email: "yara@example.com", FirstName: "Yara" }, { silent: true });
  const synced = await (await step({ action: "syncPerson", person: outseta.sim.renderPerson(uid, false) })).json();
  assert.equal(synced.ok, true, JSON.stringify(synced));
  assert.ok((await contacts()).some((c) => c.email === "yara@example.com"));
});

test("a bulk import runs in the location's Durable Object in alarm slices, each resuming the last one's checkpoint", async () => {
  for (let i = 0; i < 25; i++) outseta.sim.createPerson({ Email: `bulk${i}@example.com`, FirstName: `Bulk${i}` }, { silent: true });
  const auth = { authorization: `Bearer ${adminToken}` };
  const started = await fetch(`${worker.url}/admin/import`, { method: "POST", headers: auth, body: JSON.stringify({ pageSize: 10, sliceMs: 1 }) });
  assert.equal(started.status, 202, await started.clone().text());
  const status = await until(async () => {
    const s = await (await fetch(`${worker.url}/admin/import`, { headers: auth })).json();
    return s.running === null && s.last ? s : null;
  }, "the import to finish", 30_000);
  assert.equal(status.last.failed, 0, JSON.stringify(status));
  const report = await (await fetch(`${worker.url}/admin/reconcile`, { headers: auth })).json();
  assert.equal(report.counts.missingInGhl, 0, JSON.stringify(report.missingInGhl));
  assert.equal(report.counts.driftedPairs, 0);
  assert.equal(report.duplicates.ghl.length, 0);
  for (let i = 0; i < 25; i++) assert.equal((await contacts()).filter((c) => c.email === `bulk${i}@example.com`).length, 1);
});
