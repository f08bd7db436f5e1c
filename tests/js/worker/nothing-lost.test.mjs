// Issue 21 in the real workerd runtime (wrangler dev, D1): the Worker, which is handed
// no mapping context, reads the location's custom-field definitions itself; an import's
// possible duplicate is held, listed and resolved through the admin routes.
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
const MAPPING = {
  version: 1,
  fields: [
    { outseta: "Email", ghl: "email", transforms: ["trim", "lowercase"] },
    { outseta: "FirstName", ghl: "firstName" },
    { outseta: "LastName", ghl: "lastName" },
    { outseta: ["PhoneMobile", "PhoneWork"], ghl: "phone", transforms: ["trim", "e164"] },
    { outseta: "Plan", ghl: "customFields.contact.plan" },
  ],
};
let ghl, outseta, worker;

before(async () => {
  // The location allows duplicates (two people may share a phone): "create" can create.
  ghl = await startGhlSim({ rateLimit: false, duplicates: "allow", seed: { customFields: [{ id: "cf_plan", name: "Plan", fieldKey: "contact.plan", dataType: "TEXT" }] } });
  outseta = await startOutsetaSim({ rateLimit: false, signingKey });
  worker = await startWorker({
    persistTo: mkdtempSync(join(tmpdir(), "ogs-worker-nl-")),
    vars: {
      GHL_LOCATION_ID: "loc_sim", GHL_TOKEN: "sim-token", GHL_BASE_URL: ghl.url, GHL_WEBHOOK_ED25519_KEY: ghl.keys.ed25519,
      OUTSETA_BASE_URL: outseta.baseUrl, OUTSETA_API_KEY: "test-key", OUTSETA_SECRET_KEY: "test-secret",
      OUTSETA_SIGNING_KEY: signingKey, ADMIN_TOKEN: adminToken, SYNC_MAPPING: JSON.stringify(MAPPING),
    },
  });
});
after(async () => {
  await worker?.stop();
  await Promise.all([ghl?.close(), outseta?.close()]);
});

const contacts = async () => (await fetch(`${ghl.url}/_sim/state`).then((r) => r.json())).contacts;
const admin = (path, init = {}) =>
  fetch(`${worker.url}${path}`, { ...init, headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json", ...init.headers } })
    .then(async (r) => ({ status: r.status, body: await r.json() }));

test("a signed Outseta webhook carries a custom field to GHL: the Worker reads the definitions itself", async () => {
  const uid = outseta.sim.createPerson({ Email: "plan@example.com", FirstName: "Pia", Plan: "Pro" });
  const body = JSON.stringify(outseta.sim.renderPerson(uid, false));
  const signature = "sha256=" + createHmac("sha256", Buffer.from(signingKey, "hex")).update(body).digest("hex");
  const res = await fetch(`${worker.url}/webhooks/outseta/PersonCreated`, { method: "POST", headers: { "x-hub-signature-256": signature }, body });
  assert.equal(res.status, 202, await res.text());
  const c = await until(async () => (await contacts()).find((x) => x.email === "plan@example.com"), "the contact in GHL");
  assert.deepEqual(c.customFields, [{ id: "cf_plan", value: "Pro" }]);
});

test("the admin routes list an import's possible duplicate and resolve it", async () => {
  outseta.sim.createPerson({ Email: "nina.work@example.com", FirstName: "Nina", LastName: "Simone", PhoneMobile: "+1 555 010 3131" });
  await fetch(`${ghl.url}/contacts/`, {
    method: "POST",
    headers: { Authorization: "Bearer sim-token", Version: "2021-07-28", "content-type": "application/json" },
    body: JSON.stringify({ locationId: "loc_sim", email: "lsimone@home.example", firstName: "Lisa", lastName: "Simone", phone: "+15550103131" }),
  });
  assert.equal((await admin("/admin/import", { method: "POST", body: "{}" })).status, 202);
  const done = await until(async () => (await admin("/admin/import")).body.last, "the import's summary", 30_000);
  assert.ok(done.heldForReview >= 1, JSON.stringify(done));
  const listed = await admin("/admin/reviews");
  assert.equal(listed.status, 200);
  const item = listed.body.find((i) => i.outseta?.Email === "nina.work@example.com");
  assert.equal(item?.kind, "duplicate", JSON.stringify(listed.body));
  assert.ok(!(await contacts()).some((c) => c.email === "nina.work@example.com"), "held, so not created");
  const bad = await admin("/admin/reviews/resolve", { method: "POST", body: JSON.stringify({ id: item.id, resolution: { keep: "ghl" } }) });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, "INPUT_INVALID");
  const resolved = await admin("/admin/reviews/resolve", { method: "POST", body: JSON.stringify({ id: item.id, resolution: { create: true } }) });
  assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
  assert.ok((await contacts()).some((c) => c.email === "nina.work@example.com"));
  assert.deepEqual((await admin("/admin/reviews")).body.filter((i) => i.id === item.id), []);
});
