// The n8n community nodes (integrations/n8n) inside n8n's own workflow engine: n8n-core's
// PackageDirectoryLoader loads the package from its package.json `n8n` field, and
// WorkflowExecute runs workflows of the nodes against both simulators on 127.0.0.1.
// Runs under Node 24 (n8n 2.x needs it) with NODE_PATH at the harness's node_modules:
//   integrations/n8n/test-harness/node24/node_modules/node/bin/node --test tests/js/n8n/
// (scripts/test.sh, layer "n8n node", sets both up.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { startGhlSim } from "../../sim/ghl.mjs";
import { startOutsetaSim } from "../../sim/outseta.mjs";

// n8n-core keeps an instance folder (encryption key, binary data); never the user's ~/.n8n.
const userFolder = mkdtempSync(join(tmpdir(), "ogs-n8n-"));
process.env.N8N_USER_FOLDER = userFolder;
process.env.N8N_DIAGNOSTICS_ENABLED = "false";
const require = createRequire(new URL("../../../integrations/n8n/test-harness/", import.meta.url));
const { runWorkflow, loadPackage, PACKAGE_DIR } = require("./workflow-runner.cjs");

const PKG = "n8n-nodes-outseta-ghl-sync";
const SECRETS = {
  ghlToken: `pit-${randomBytes(12).toString("hex")}`,
  outsetaKey: `key-${randomBytes(8).toString("hex")}`,
  outsetaSecret: `secret-${randomBytes(12).toString("hex")}`,
  signingKey: randomBytes(32).toString("hex"),
};
let ghl, outseta, capture;
const deliveries = [];

// Everything this process prints (n8n's logger included) is kept, to check for secrets.
const printed = [];
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    printed.push(Buffer.isBuffer(chunk) ? chunk.toString("latin1") : String(chunk));
    return write(chunk, ...rest);
  };
}

before(async () => {
  ghl = await startGhlSim({ rateLimit: false, duplicates: "email", token: SECRETS.ghlToken });
  // Outseta's signed webhook deliveries land here, to be handed to the node the way an n8n
  // Webhook node (Raw Body on) hands them on: headers, params, body, and the raw bytes.
  capture = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    deliveries.push({ url: req.url, headers: { ...req.headers }, raw: Buffer.concat(chunks) });
    res.writeHead(200).end();
  });
  await new Promise((r) => capture.listen(0, "127.0.0.1", r));
  const hook = `http://127.0.0.1:${capture.address().port}`;
  outseta = await startOutsetaSim({
    rateLimit: false,
    apiKey: SECRETS.outsetaKey,
    secretKey: SECRETS.outsetaSecret,
    signingKey: SECRETS.signingKey,
    webhooks: { PersonUpdated: `${hook}/outseta/PersonUpdated` },
  });
});

after(async () => {
  await Promise.all([ghl?.close(), outseta?.close(), new Promise((r) => { capture?.closeAllConnections?.(); capture ? capture.close(r) : r(); })]);
  rmSync(userFolder, { recursive: true, force: true });
});

const credentials = () => ({
  outsetaGhlSyncOutsetaApi: { subdomain: "", baseUrl: outseta.baseUrl, apiKey: SECRETS.outsetaKey, secretKey: SECRETS.outsetaSecret, signingKey: SECRETS.signingKey },
  outsetaGhlSyncHighLevelApi: { token: SECRETS.ghlToken, locationId: "loc_sim", baseUrl: ghl.url },
});
const CREDS_REF = {
  outsetaGhlSyncOutsetaApi: { id: "1", name: "Outseta (simulator)" },
  outsetaGhlSyncHighLevelApi: { id: "2", name: "HighLevel (simulator)" },
};

/** A node of this package in a workflow JSON. */
function node(name, type, parameters, extra = {}) {
  return { id: name, name, type: `${PKG}.${type}`, typeVersion: 1, position: [0, 0], parameters, ...extra };
}
/** Nodes in a chain: each one's output is the next one's input. */
function chain(...nodes) {
  const connections = {};
  for (let i = 0; i + 1 < nodes.length; i++) connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: "main", index: 0 }]] };
  return { nodes, connections };
}
/** The output items (json) of a node's first run. */
const outputOf = (run, name) => run.data.resultData.runData[name]?.[0]?.data?.main?.[0]?.map((i) => i.json);
/** Fails the test if any secret appears anywhere in the execution data (outputs, errors). */
function assertNoSecrets(run) {
  const text = JSON.stringify(run);
  for (const [name, value] of Object.entries(SECRETS)) assert.ok(!text.includes(value), `the ${name} leaked into the execution data`);
}
const outsetaApi = (method, path, body) => fetch(outseta.baseUrl + path, {
  method,
  headers: { Authorization: `Outseta ${SECRETS.outsetaKey}:${SECRETS.outsetaSecret}`, "Content-Type": "application/json" },
  body: body && JSON.stringify(body),
}).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));
const ghlContacts = async () => (await fetch(ghl.url + "/_sim/state").then((r) => r.json())).contacts;
const ghlWrites = () => Object.entries(ghl.stats().byOperation).filter(([op]) => !/^(get|list|search|find)/i.test(op)).reduce((n, [, c]) => n + c, 0);
async function waitFor(fn, what) {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test("n8n-core's package loader loads the package from its n8n field: five nodes, two credentials, secrets as password fields", async () => {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8"));
  assert.equal(pkg.name, PKG);
  assert.ok(pkg.keywords.includes("n8n-community-node-package"));
  const { loader, packageName } = await loadPackage();
  assert.equal(packageName, PKG);
  assert.deepEqual(Object.keys(loader.nodeTypes).sort(), ["outsetaGhlSync", "outsetaGhlSyncBulkImport", "outsetaGhlSyncMappingPreview", "outsetaGhlSyncReconcile", "outsetaGhlSyncReviews"]);
  assert.deepEqual(Object.keys(loader.credentialTypes).sort(), ["outsetaGhlSyncHighLevelApi", "outsetaGhlSyncOutsetaApi"]);
  const displayNames = Object.values(loader.nodeTypes).map((n) => n.type.description.displayName).sort();
  assert.deepEqual(displayNames, ["Outseta ↔ GHL Reconcile", "Outseta ↔ GHL Reviews", "Outseta → GHL Bulk Import", "Outseta → GHL Mapping Preview", "Outseta → GHL Sync"].sort());
  // The preview needs no credentials; the others need both.
  assert.equal(loader.getNode("outsetaGhlSyncMappingPreview").type.description.credentials, undefined);
  for (const name of ["outsetaGhlSync", "outsetaGhlSyncBulkImport", "outsetaGhlSyncReconcile", "outsetaGhlSyncReviews"]) {
    assert.deepEqual(loader.getNode(name).type.description.credentials.map((c) => c.name).sort(), ["outsetaGhlSyncHighLevelApi", "outsetaGhlSyncOutsetaApi"]);
  }
  const props = (type) => Object.fromEntries(loader.getCredential(type).type.properties.map((p) => [p.name, p]));
  const o = props("outsetaGhlSyncOutsetaApi");
  const g = props("outsetaGhlSyncHighLevelApi");
  assert.deepEqual(Object.keys(o).sort(), ["apiKey", "baseUrl", "secretKey", "signingKey", "subdomain"]);
  assert.deepEqual(Object.keys(g).sort(), ["baseUrl", "locationId", "token"]);
  for (const p of [o.apiKey, o.secretKey, o.signingKey, g.token]) assert.equal(p.typeOptions?.password, true, `${p.name} is a password field`);
});

test("Mapping Preview: an Outseta Person in, the GHL payload and per-field errors out, without credentials", async () => {
  const preview = node("Preview", "outsetaGhlSyncMappingPreview", { source: "item", locationId: "loc_sim" });
  const fromJson = node("Preview JSON", "outsetaGhlSyncMappingPreview", {
    source: "json",
    personJson: JSON.stringify({ Uid: "p2", Email: "bo@example.com", FirstName: "bo", PhoneMobile: "(555) 010-2030" }),
    mappingSpec: JSON.stringify({ version: 1, fields: [{ outseta: "Email", ghl: "email", transforms: ["trim", "lowercase"] }, { outseta: "FirstName", ghl: "firstName", transforms: ["titlecase"] }, { outseta: "PhoneMobile", ghl: "phone", transforms: ["e164"] }] }),
  });
  const { run, order } = await runWorkflow({
    workflow: chain(preview, fromJson),
    input: [
      { json: { Uid: "p1", Email: "  Ada.Lovelace@Example.COM ", FirstName: "Ada", LastName: "Lovelace", PhoneMobile: "not a phone" } },
      { json: { Uid: "p3", FirstName: "Nobody" } },
    ],
  });
  assert.equal(run.status, "success");
  assert.deepEqual(order, ["Preview", "Preview JSON"]);
  const [ada, nobody] = outputOf(run, "Preview");
  assert.equal(ada.ok, true);
  assert.deepEqual(ada.payload, { email: "ada.lovelace@example.com", firstName: "Ada", lastName: "Lovelace", locationId: "loc_sim" });
  assert.deepEqual(ada.errors.map((e) => [e.field, e.code]), [["phone", "TRANSFORM_FAILED"]]);
  assert.equal(ada.errors[0].details.path, "$.PhoneMobile");
  // No email and no phone: the whole record cannot be mapped, and says why.
  assert.equal(nobody.ok, false);
  assert.equal(nobody.error.code, "MAPPING_NO_IDENTITY");
  // The second node ran once per input item, each time on the JSON parameter, with the spec.
  const second = outputOf(run, "Preview JSON");
  assert.equal(second.length, 2);
  assert.deepEqual(second[0], { ok: true, payload: { email: "bo@example.com", firstName: "Bo", phone: "+15550102030" }, errors: [] });
});

test("Mapping Preview: a bad mapping spec fails the node with MAPPING_INVALID and every problem", async () => {
  const bad = node("Preview", "outsetaGhlSyncMappingPreview", { source: "item", mappingSpec: JSON.stringify({ version: 1, fields: [{ outseta: "Email", ghl: "email", transforms: ["shout"] }] }) });
  const { run } = await runWorkflow({ workflow: chain(bad), input: [{ json: { Email: "a@example.com" } }] });
  assert.equal(run.status, "error");
  const err = run.data.resultData.error;
  assert.match(err.message, /^MAPPING_INVALID: /);
  const problems = JSON.parse(err.description).problems;
  assert.ok(problems.some((p) => p.code === "UNKNOWN_TRANSFORM"), JSON.stringify(problems));
  // With "continue on fail" the error is the item's output instead.
  const { run: run2 } = await runWorkflow({ workflow: chain({ ...bad, continueOnFail: true }), input: [{ json: { Email: "a@example.com" } }] });
  assert.equal(run2.status, "success");
  assert.equal(outputOf(run2, "Preview")[0].error.code, "MAPPING_INVALID");
});

test("Outseta → GHL Sync by Uid: the person is fetched from Outseta and the contact lands in the GHL simulator", async () => {
  const created = await outsetaApi("POST", "/crm/people", { Email: "Grace.Hopper@Example.com", FirstName: "Grace", LastName: "Hopper", PhoneMobile: "(555) 010-4040" });
  assert.equal(created.status, 200);
  const uid = created.body.Uid;
  const sync = node("Sync", "outsetaGhlSync", { mode: "uid", uid: "={{ $json.Uid }}" }, { credentials: CREDS_REF });
  const { run } = await runWorkflow({ workflow: chain(sync), credentials: credentials(), input: [{ json: { Uid: uid } }] });
  assert.equal(run.status, "success", JSON.stringify(run.data.resultData.error));
  const [out] = outputOf(run, "Sync");
  assert.equal(out.pairs.length, 1);
  assert.equal(out.pairs[0].outsetaUid, uid);
  assert.equal(out.pairs[0].found, "new");
  assert.ok(out.pairs[0].results.length > 0 && out.pairs[0].results.every((r) => r.ok), JSON.stringify(out.pairs[0].results));
  const contact = (await ghlContacts()).find((c) => c.email === "grace.hopper@example.com");
  assert.ok(contact, "the GHL simulator holds the contact");
  assert.equal(contact.id, out.pairs[0].ghlId);
  assert.equal(contact.locationId, "loc_sim");
  assert.equal(contact.firstName, "Grace");
  assert.equal(contact.lastName, "Hopper");
  assert.equal(contact.phone, "+15550104040");
  assertNoSecrets(run);
});

test("Outseta → GHL Sync, Webhook Payload: a signed Outseta delivery (raw body as binary) updates the contact; a tampered one is refused", async () => {
  const created = await outsetaApi("POST", "/crm/people", { Email: "alan@example.com", FirstName: "Alan", LastName: "Turing" });
  const uid = created.body.Uid;
  const before = deliveries.length;
  const updated = await outsetaApi("PUT", `/crm/people/${uid}`, { ...created.body, FirstName: "Alan M." });
  assert.equal(updated.status, 200);
  const delivery = await waitFor(() => deliveries.slice(before).find((d) => JSON.parse(d.raw.toString()).Uid === uid), "the PersonUpdated delivery");
  assert.match(delivery.headers["x-hub-signature-256"], /^sha256=[0-9a-f]{64}$/);
  // What n8n's Webhook node (path outseta/:event, Raw Body on) outputs for this request.
  const webhookItem = (raw) => ({
    json: { headers: delivery.headers, params: { event: "PersonUpdated" }, query: {}, body: JSON.parse(delivery.raw.toString()), webhookUrl: "http://127.0.0.1:5678/webhook/outseta/:event", executionMode: "production" },
    binary: { data: { data: raw.toString("base64"), mimeType: "application/json", fileName: "body.json" } },
  });
  const sync = node("Sync", "outsetaGhlSync", { mode: "webhook" }, { credentials: CREDS_REF, continueOnFail: true });
  const tampered = Buffer.from(delivery.raw.toString().replace("Alan M.", "Mallory"));
  const { run } = await runWorkflow({ workflow: chain(sync), credentials: credentials(), input: [webhookItem(delivery.raw), webhookItem(tampered)] });
  assert.equal(run.status, "success", JSON.stringify(run.data.resultData.error));
  const [ok, refused] = outputOf(run, "Sync");
  assert.equal(ok.trigger.toLowerCase().includes("outseta"), true, ok.trigger);
  assert.equal(ok.pairs[0].outsetaUid, uid);
  assert.ok(ok.pairs[0].results.every((r) => r.ok), JSON.stringify(ok.pairs[0].results));
  assert.equal(refused.error.code, "SIGNATURE_INVALID");
  const contacts = (await ghlContacts()).filter((c) => c.email === "alan@example.com");
  assert.equal(contacts.length, 1);
  assert.equal(contacts[0].firstName, "Alan M.");
  assertNoSecrets(run);

  // Without the binary, a rawBody string on the item is used (e.g. from a Code node).
  const again = await outsetaApi("PUT", `/crm/people/${uid}`, { ...updated.body, LastName: "Mathison Turing" });
  assert.equal(again.status, 200);
  const second = await waitFor(() => deliveries.find((d) => d !== delivery && JSON.parse(d.raw.toString()).LastName === "Mathison Turing"), "the second delivery");
  const item = { json: { headers: second.headers, params: { event: "PersonUpdated" }, rawBody: second.raw.toString() } };
  const { run: run2 } = await runWorkflow({ workflow: chain({ ...sync, continueOnFail: false }), credentials: credentials(), input: [item] });
  assert.equal(run2.status, "success", JSON.stringify(run2.data.resultData.error));
  assert.equal((await ghlContacts()).find((c) => c.email === "alan@example.com").lastName, "Mathison Turing");
});

test("Bulk Import: the dry run plans every person and writes nothing; the import then creates them; Reconcile reports in sync", async () => {
  for (const [first, last] of [["Katherine", "Johnson"], ["Dorothy", "Vaughan"], ["Mary", "Jackson"]]) {
    assert.equal((await outsetaApi("POST", "/crm/people", { Email: `${first.toLowerCase()}@example.com`, FirstName: first, LastName: last })).status, 200);
  }
  const people = (await outsetaApi("GET", "/crm/people?limit=100")).body.items;
  const emails = people.map((p) => p.Email.toLowerCase());
  const writesBefore = ghlWrites();
  const dry = node("Import", "outsetaGhlSyncBulkImport", { dryRun: true, pageSize: 2 }, { credentials: CREDS_REF });
  const { run } = await runWorkflow({ workflow: chain(dry), credentials: credentials(), input: [{ json: {} }, { json: {} }] });
  assert.equal(run.status, "success", JSON.stringify(run.data.resultData.error));
  const [report] = outputOf(run, "Import");
  assert.equal(outputOf(run, "Import").length, 1, "one report, whatever the number of input items");
  assert.equal(report.dryRun, true);
  assert.equal(report.summary.total, people.length);
  assert.equal(report.pairs.length, people.length);
  assert.equal(ghlWrites(), writesBefore, "a dry run writes nothing to GHL");
  assert.ok(!(await ghlContacts()).some((c) => c.email === "katherine@example.com"));

  // The real import, then Reconcile in the same execution, sharing the workflow's static data.
  const real = node("Import", "outsetaGhlSyncBulkImport", { dryRun: false, pageSize: 2, options: { state: "workflowStaticData" } }, { credentials: CREDS_REF });
  const reconcile = node("Reconcile", "outsetaGhlSyncReconcile", { repair: false, html: true, options: { state: "workflowStaticData" } }, { credentials: CREDS_REF });
  const { run: run2, staticData } = await runWorkflow({ workflow: chain(real, reconcile), credentials: credentials(), staticData: {} });
  assert.equal(run2.status, "success", JSON.stringify(run2.data.resultData.error));
  const [imported] = outputOf(run2, "Import");
  assert.equal(imported.dryRun, false);
  assert.equal(imported.summary.done, people.length);
  assert.deepEqual(imported.summary.failed, []);
  assert.equal(imported.summary.created, 3, JSON.stringify(imported.summary));
  const ghlEmails = (await ghlContacts()).map((c) => c.email);
  for (const email of emails) assert.ok(ghlEmails.includes(email), `${email} is in GHL`);
  const [rec] = outputOf(run2, "Reconcile");
  assert.equal(rec.counts.outsetaPeople, people.length);
  assert.equal(rec.counts.links, people.length);
  assert.equal(rec.counts.missingInGhl, 0);
  assert.equal(rec.inSync, true, JSON.stringify(rec.counts));
  assert.match(rec.html, /<html/i);
  // The links live in the workflow's global static data, as strings, ready for n8n to save.
  const kept = staticData.global.outsetaGhlSync;
  assert.equal(Object.keys(kept).filter((k) => k.startsWith("link/o/")).length, people.length);
  assert.ok(Object.values(kept).every((v) => typeof v === "string"));
  assertNoSecrets(run);
  assertNoSecrets(run2);
});

test("Reconcile on a per-execution state reports what differs: a GHL contact with no Outseta person", async () => {
  await fetch(`${ghl.url}/contacts/`, {
    method: "POST",
    headers: { Authorization: `Bearer ${SECRETS.ghlToken}`, Version: "2021-07-28", "content-type": "application/json" },
    body: JSON.stringify({ locationId: "loc_sim", email: "only-in-ghl@example.com", firstName: "Solo" }),
  });
  const reconcile = node("Reconcile", "outsetaGhlSyncReconcile", {}, { credentials: CREDS_REF });
  const { run } = await runWorkflow({ workflow: chain(reconcile), credentials: credentials() });
  assert.equal(run.status, "success", JSON.stringify(run.data.resultData.error));
  const [rec] = outputOf(run, "Reconcile");
  assert.equal(rec.inSync, false);
  assert.ok(rec.unlinkedGhl.some((c) => c.email === "only-in-ghl@example.com"), JSON.stringify(rec.unlinkedGhl));
  assert.equal(rec.repair, undefined, "no repair unless asked");
  assert.equal(typeof rec.generatedAt, "string");
  assertNoSecrets(run);
});

test("credentials: a wrong HighLevel token fails with GHL_UNAUTHORIZED and the tokens appear nowhere; an Outseta credential without subdomain or base URL is refused", async () => {
  const uid = (await outsetaApi("POST", "/crm/people", { Email: "ida@example.com", FirstName: "Ida" })).body.Uid;
  const wrong = { ...credentials(), outsetaGhlSyncHighLevelApi: { ...credentials().outsetaGhlSyncHighLevelApi, token: `${SECRETS.ghlToken}-revoked` } };
  const sync = node("Sync", "outsetaGhlSync", { mode: "uid", uid }, { credentials: CREDS_REF });
  const { run } = await runWorkflow({ workflow: chain(sync), credentials: wrong });
  assert.equal(run.status, "error");
  assert.match(run.data.resultData.error.message, /^GHL_UNAUTHORIZED: /);
  assertNoSecrets(run);
  assert.ok(!JSON.stringify(run).includes(`${SECRETS.ghlToken}-revoked`));
  const { run: run2 } = await runWorkflow({ workflow: chain({ ...sync, continueOnFail: true }), credentials: wrong });
  assert.equal(outputOf(run2, "Sync")[0].error.code, "GHL_UNAUTHORIZED");

  const noHost = { ...credentials(), outsetaGhlSyncOutsetaApi: { ...credentials().outsetaGhlSyncOutsetaApi, baseUrl: "", subdomain: "" } };
  const { run: run3 } = await runWorkflow({ workflow: chain(sync), credentials: noHost });
  assert.equal(run3.status, "error");
  assert.match(run3.data.resultData.error.message, /Subdomain or a Base URL/);
  // Webhook mode without a signing key says so instead of accepting unsigned data.
  const noKey = { ...credentials(), outsetaGhlSyncOutsetaApi: { ...credentials().outsetaGhlSyncOutsetaApi, signingKey: "" } };
  const hook = node("Sync", "outsetaGhlSync", { mode: "webhook" }, { credentials: CREDS_REF });
  const { run: run4 } = await runWorkflow({ workflow: chain(hook), credentials: noKey, input: [{ json: { headers: {}, params: { event: "PersonUpdated" }, rawBody: "{}" } }] });
  assert.match(run4.data.resultData.error.message, /Webhook Signing Key/);
});

/**
 * An example workflow from integrations/n8n/examples without its n8n-nodes-base trigger
 * (this harness installs n8n's engine, not its built-in nodes): the first node of this
 * package then gets the trigger's items as input, as it would in n8n.
 */
function exampleWithoutTrigger(file) {
  const wf = JSON.parse(readFileSync(join(PACKAGE_DIR, "examples", file), "utf8"));
  const nodes = wf.nodes.filter((n) => n.type.startsWith(`${PKG}.`));
  const names = new Set(nodes.map((n) => n.name));
  const connections = Object.fromEntries(Object.entries(wf.connections).filter(([from]) => names.has(from)));
  return { nodes, connections, settings: wf.settings };
}

test("the example workflows run: preview → bulk import (dry run) → reconcile, and webhook → sync with the example's own parameters", async () => {
  const { run } = await runWorkflow({ workflow: exampleWithoutTrigger("import-preview-reconcile.json"), credentials: credentials() });
  assert.equal(run.status, "success", JSON.stringify(run.data.resultData.error));
  assert.deepEqual(outputOf(run, "Mapping Preview")[0].payload, { email: "ada@example.com", firstName: "Ada", phone: "+15550102030" });
  const [report] = outputOf(run, "Bulk Import");
  assert.equal(report.dryRun, true);
  assert.ok(report.summary.total >= 1);
  assert.equal(typeof outputOf(run, "Reconcile")[0].inSync, "boolean");
  assertNoSecrets(run);

  const created = await outsetaApi("POST", "/crm/people", { Email: "hedy@example.com", FirstName: "Hedy", LastName: "Lamarr" });
  await outsetaApi("PUT", `/crm/people/${created.body.Uid}`, { ...created.body, LastName: "Kiesler" });
  const delivery = await waitFor(() => deliveries.find((d) => JSON.parse(d.raw.toString()).LastName === "Kiesler"), "Hedy's delivery");
  const item = {
    json: { headers: delivery.headers, params: { event: "PersonUpdated" }, query: {}, body: JSON.parse(delivery.raw.toString()) },
    binary: { data: { data: delivery.raw.toString("base64"), mimeType: "application/json" } },
  };
  const { run: run2, staticData } = await runWorkflow({ workflow: exampleWithoutTrigger("outseta-webhook-to-ghl.json"), credentials: credentials(), input: [item], mode: "webhook", staticData: {} });
  assert.equal(run2.status, "success", JSON.stringify(run2.data.resultData.error));
  const [synced] = outputOf(run2, "Outseta → GHL Sync");
  assert.equal(synced.pairs[0].outsetaUid, created.body.Uid);
  const hedy = (await ghlContacts()).find((c) => c.email === "hedy@example.com");
  assert.equal(hedy?.lastName, "Kiesler");
  assert.ok(Object.keys(staticData.global.outsetaGhlSync).includes(`link/o/${created.body.Uid}`));
  assertNoSecrets(run2);
});

test("redaction: a secret inside a result or an error message (even one needing JSON escapes) comes out as [redacted]", () => {
  const { redact, errorJson } = require("../nodes/shared/engine.js");
  const token = 'pit-"quoted"\\slash';
  assert.deepEqual(redact({ a: `Bearer ${token}`, list: [token, "keep"], n: 1 }, [token, ""]), { a: "Bearer [redacted]", list: ["[redacted]", "keep"], n: 1 });
  const err = Object.assign(new Error(`request with ${token} failed`), { code: "GHL_UNAUTHORIZED", details: { header: `Bearer ${token}` } });
  assert.deepEqual(errorJson(err, [token]), { code: "GHL_UNAUTHORIZED", message: "request with [redacted] failed", details: { header: "Bearer [redacted]" } });
  // Secrets shorter than 4 characters are not scrubbed (they would mangle ordinary text).
  assert.deepEqual(redact({ a: "abc" }, ["abc"]), { a: "abc" });
});

test("nothing this process printed (n8n's logger, node errors) holds a secret", () => {
  const text = printed.join("");
  assert.match(text, /GHL_UNAUTHORIZED/, "n8n's logger output was captured");
  for (const [name, value] of Object.entries(SECRETS)) assert.ok(!text.includes(value), `the ${name} was printed`);
});

test("Reviews: a possible duplicate the Bulk Import held is listed with its candidates, and Resolve creates its contact", async () => {
  const email = "ruth.possible@work.example";
  const created = await outsetaApi("POST", "/crm/people", { Email: email, FirstName: "Ruth", LastName: "Porat", PhoneMobile: "+1 555 010 9191" });
  assert.equal(created.status, 200);
  const uid = created.body.Uid;
  // Already in GHL under another email: the same surname and phone (a household, or the
  // same person: a person decides).
  await fetch(`${ghl.url}/contacts/`, {
    method: "POST",
    headers: { Authorization: `Bearer ${SECRETS.ghlToken}`, Version: "2021-07-28", "content-type": "application/json" },
    body: JSON.stringify({ locationId: "loc_sim", email: "dporat@home.example", firstName: "Daniel", lastName: "Porat", phone: "+15550109191" }),
  });
  const state = { options: { state: "workflowStaticData" } };
  const importing = node("Import", "outsetaGhlSyncBulkImport", { dryRun: false, ...state }, { credentials: CREDS_REF });
  const listing = node("Reviews", "outsetaGhlSyncReviews", { operation: "list", ...state }, { credentials: CREDS_REF });
  const { run, staticData } = await runWorkflow({ workflow: chain(importing, listing), credentials: credentials(), staticData: {} });
  assert.equal(run.status, "success", JSON.stringify(run.data.resultData.error));
  const held = outputOf(run, "Reviews").find((item) => item.id === `${uid}/duplicate`);
  assert.ok(held, JSON.stringify(outputOf(run, "Reviews")));
  assert.equal(held.kind, "duplicate");
  assert.equal(held.candidates[0].system, "ghl");
  assert.ok(!(await ghlContacts()).some((c) => c.email === email), "nothing created for the held person");
  const resolving = node("Resolve", "outsetaGhlSyncReviews", { operation: "resolve", reviewId: `${uid}/duplicate`, resolution: "create", ...state }, { credentials: CREDS_REF });
  // "Create" creates (it never upserts into the contact sharing the phone): the location
  // must allow duplicates for that, or GHL refuses it (GHL_DUPLICATE on the pair).
  const config = (duplicates) => fetch(`${ghl.url}/_sim/config`, { method: "POST", body: JSON.stringify({ duplicates }) });
  await config("allow");
  const { run: run2 } = await runWorkflow({ workflow: chain(resolving), credentials: credentials(), staticData }).finally(() => config("email"));
  assert.equal(run2.status, "success", JSON.stringify(run2.data.resultData.error));
  const [resolved] = outputOf(run2, "Resolve");
  assert.equal(resolved.pairs[0].error, undefined, JSON.stringify(resolved.pairs[0]));
  assert.equal(resolved.pairs[0].plan.operations[0].op, "CreateContact");
  assert.ok((await ghlContacts()).some((c) => c.email === email), "the contact exists now");
  assertNoSecrets(run);
  assertNoSecrets(run2);
});
