// The Worker's front door in the real workerd runtime (wrangler dev), wired to both
// simulators: every webhook that is unsigned, forged, tampered, stale, replayed or for
// another location is refused before its body is used, and each refusal leaves both
// simulators and the D1 store exactly as they were. A stranger gets 401 (or 413 by the
// body's length) before anything is parsed, and a 90 MiB body leaves workerd's memory
// as it was. Every other route needs the bearer token, and admin bodies are checked. A
// real trap inside the wasm instance is recovered from: the next requests are served.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { mkdtempSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { postHuge, until } from "../helpers.mjs";
import { startWorker } from "../../support/worker.mjs";
import { startGhlSim } from "../../sim/ghl.mjs";
import { signBody, startOutsetaSim } from "../../sim/outseta.mjs";

const signingKey = randomBytes(32).toString("hex");
const adminToken = `adm-${randomBytes(16).toString("hex")}`;
// Distinctive, so a leak into any response or log line is unmistakable.
const ghlToken = `ghltok-${randomBytes(12).toString("hex")}`;
const outsetaKey = `oak-${randomBytes(8).toString("hex")}`;
const outsetaSecret = `oas-${randomBytes(12).toString("hex")}`;
const SECRETS = { signingKey, adminToken, ghlToken, outsetaKey, outsetaSecret };
/** Every response body the tests read, scanned for secrets at the end. */
const responses = [];
// Our own HighLevel signing key pair: the Worker is given its public half.
const ghlKey = generateKeyPairSync("ed25519");
const persistTo = mkdtempSync(join(tmpdir(), "ogs-worker-sec-"));
const LOC = "loc_sim";
let ghl, outseta, worker;

before(async () => {
  ghl = await startGhlSim({ rateLimit: false, duplicates: "email", token: ghlToken });
  outseta = await startOutsetaSim({ rateLimit: false, signingKey, apiKey: outsetaKey, secretKey: outsetaSecret });
  worker = await startWorker({
    persistTo,
    vars: {
      GHL_LOCATION_ID: LOC, GHL_TOKEN: ghlToken, GHL_BASE_URL: ghl.url,
      GHL_WEBHOOK_ED25519_KEY: ghlKey.publicKey.export({ type: "spki", format: "pem" }),
      OUTSETA_BASE_URL: outseta.baseUrl, OUTSETA_API_KEY: outsetaKey, OUTSETA_SECRET_KEY: outsetaSecret,
      OUTSETA_SIGNING_KEY: signingKey, ADMIN_TOKEN: adminToken,
      // A delete tags the survivor, so a wrongly honoured delete would show in GHL.
      SYNC_OPTIONS: JSON.stringify({ deletePolicy: "tag" }),
      OGS_TEST_TRAP: "1",
    },
  });
});
after(async () => {
  await worker?.stop();
  await Promise.all([ghl?.close(), outseta?.close()]);
});

/** Every row of the D1 store (wrangler dev keeps it in SQLite files under persistTo). */
function storeRows() {
  const dir = join(persistTo, "v3/d1/miniflare-D1DatabaseObject");
  if (!existsSync(dir)) return [];
  const rows = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sqlite"))) {
    const db = new Database(join(dir, file), { readonly: true, fileMustExist: true });
    try {
      const table = db.prepare("SELECT name FROM sqlite_master WHERE name = 'ogs_kv'").get();
      if (table) rows.push(...db.prepare("SELECT k, v FROM ogs_kv ORDER BY k").all());
    } finally {
      db.close();
    }
  }
  return rows;
}

/** Both simulators' state and write counts, and the store: what a refusal must not change. */
async function snapshot() {
  const writes = Object.entries(ghl.stats().byOperation).filter(([op]) => !/^(get|list|search|find)/i.test(op));
  return {
    ghl: await fetch(`${ghl.url}/_sim/state`).then((r) => r.json()),
    ghlWrites: Object.fromEntries(writes),
    outseta: await fetch(`${outseta.url}/_sim/state`).then((r) => r.json()),
    store: storeRows(),
  };
}

/** Sends `request()`; checks status and code; then waits past any background work and checks nothing changed. */
async function refused(what, request, status, code) {
  const before = await snapshot();
  const res = await request();
  // A fetch Response, or postHuge's { status, text }.
  const text = typeof res.text === "function" ? await res.text() : res.text;
  responses.push(text);
  assert.equal(res.status, status, `${what}: ${text}`);
  assert.equal(JSON.parse(text).error.code, code, what);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(await snapshot(), before, `${what} changed nothing`);
}

const outsetaHook = (event, body, headers = {}) =>
  fetch(`${worker.url}/webhooks/outseta/${event}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
const ghlHook = (body, headers = {}) =>
  fetch(`${worker.url}/webhooks/ghl`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
const ghlSign = (body, key = ghlKey.privateKey) => ({ "x-ghl-signature": sign(null, Buffer.from(body), key).toString("base64") });
const ghlDelivery = (contact, { type = "ContactCreate", at = new Date(), webhookId = `wh-${randomBytes(6).toString("hex")}`, locationId = LOC } = {}) =>
  JSON.stringify({ type, locationId, ...contact, webhookId, timestamp: at.toISOString() });
const auth = { authorization: `Bearer ${adminToken}` };
const contacts = async () => (await fetch(`${ghl.url}/_sim/state`).then((r) => r.json())).contacts;

test("Outseta webhooks: unsigned, forged, tampered, malformed and replayed deliveries are refused and change nothing", async () => {
  const uid = outseta.sim.createPerson({ Email: "olga@example.com", FirstName: "Olga" }, { silent: true });
  const body = JSON.stringify(outseta.sim.renderPerson(uid, false));
  const good = await outsetaHook("PersonCreated", body, { "x-hub-signature-256": signBody(signingKey, body) });
  assert.equal(good.status, 202, await good.text());
  await until(async () => (await contacts()).some((c) => c.email === "olga@example.com"), "the contact in GHL");
  // The link is stored as soon as the GHL contact exists and its synced state after:
  // wait for the state (a snapshot taken between the two saw the second as a change).
  await until(async () => storeRows().some((r) => r.k === `link/o/${uid}` && JSON.parse(r.v).state?.base), "the synced link in D1");
  await new Promise((r) => setTimeout(r, 500));

  const tampered = JSON.stringify({ ...JSON.parse(body), FirstName: "Mallory" });
  await refused("unsigned", () => outsetaHook("PersonUpdated", tampered), 401, "SIGNATURE_INVALID");
  await refused("signed with another key", () => outsetaHook("PersonUpdated", tampered, { "x-hub-signature-256": signBody(randomBytes(32).toString("hex"), tampered) }), 401, "SIGNATURE_INVALID");
  await refused("a valid signature over another body", () => outsetaHook("PersonUpdated", tampered, { "x-hub-signature-256": signBody(signingKey, body) }), 401, "SIGNATURE_INVALID");
  await refused("a malformed header", () => outsetaHook("PersonUpdated", tampered, { "x-hub-signature-256": "sha256=zz" }), 401, "SIGNATURE_INVALID");
  await refused("the signature without its prefix", () => outsetaHook("PersonUpdated", tampered, { "x-hub-signature-256": signBody(signingKey, tampered).slice(7) }), 401, "SIGNATURE_INVALID");
  // The signature is checked before the body is parsed: garbage unsigned is a 401, not a 400.
  await refused("unsigned garbage", () => outsetaHook("PersonUpdated", "{ not json \u0000"), 401, "SIGNATURE_INVALID");
  await refused("an unsigned unknown event", () => outsetaHook("NoSuchEvent", "{}"), 401, "SIGNATURE_INVALID");
  await refused("the same delivery again (Outseta signs no timestamp: the body hash is its id)", () => outsetaHook("PersonCreated", body, { "x-hub-signature-256": signBody(signingKey, body) }), 409, "WEBHOOK_REPLAYED");
  // The event name is the URL, which the signature does not cover: on every other upsert
  // route the same body is the same delivery (it was accepted once on each of them).
  for (const route of ["PersonUpdated", "person-list-subscribed", "204", "Person%20Email%20Bounce"]) {
    await refused(`the same body on ${route}`, () => outsetaHook(route, body, { "x-hub-signature-256": signBody(signingKey, body) }), 409, "WEBHOOK_REPLAYED");
  }
  // A malformed escape in the event is read only after the signature: signed, it is an
  // unknown event (it was a 500 and a stack in the log before any check).
  await refused("a signed body on a malformed event", () => outsetaHook("%E0%A4%A", body, { "x-hub-signature-256": signBody(signingKey, body) }), 400, "OUTSETA_WEBHOOK_INVALID");
  // A signed body that is not a record is a typed 400, after the signature.
  const notPerson = JSON.stringify([1, 2]);
  await refused("a signed non-record", () => outsetaHook("PersonUpdated", notPerson, { "x-hub-signature-256": signBody(signingKey, notPerson) }), 400, "OUTSETA_WEBHOOK_INVALID");
});

test("a signed Outseta body re-sent to the PersonDeleted route does not delete: Outseta must confirm the person is gone", async () => {
  const uid = outseta.sim.createPerson({ Email: "dora@example.com", FirstName: "Dora" }, { silent: true });
  const body = JSON.stringify(outseta.sim.renderPerson(uid, false));
  const sig = { "x-hub-signature-256": signBody(signingKey, body) };
  assert.equal((await outsetaHook("PersonCreated", body, sig)).status, 202);
  const contact = await until(async () => (await contacts()).find((c) => c.email === "dora@example.com"), "the contact in GHL");
  await until(async () => storeRows().some((r) => r.v.includes(contact.id)), "the link in D1");
  // The route (the event name) is not covered by the signature, so this passes the checks...
  const misrouted = await outsetaHook("PersonDeleted", body, sig);
  assert.equal(misrouted.status, 202, await misrouted.text());
  await new Promise((r) => setTimeout(r, 1500));
  // ...but the person exists in Outseta, so the delete policy is not applied.
  const after = (await contacts()).find((c) => c.id === contact.id);
  assert.ok(!after.tags.includes("deleted-in-outseta"), JSON.stringify(after.tags));
  assert.ok(storeRows().some((r) => r.v.includes(contact.id)), "the link is kept");
});

test("GHL webhooks: unsigned, forged, tampered, stale, id-less and replayed deliveries are refused and change nothing", async () => {
  const made = await fetch(`${ghl.url}/contacts/`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ghlToken}`, Version: "2021-07-28", "content-type": "application/json" },
    body: JSON.stringify({ locationId: LOC, email: "gus@example.com", firstName: "Gus" }),
  }).then((r) => r.json());
  const contact = made.contact;
  const body = ghlDelivery({ id: contact.id, email: contact.email, firstName: "Gus" });
  const good = await ghlHook(body, ghlSign(body));
  assert.equal(good.status, 202, await good.text());
  await until(async () => [...outseta.sim.people.values()].some((p) => p.Email === "gus@example.com"), "the person in Outseta");
  await until(async () => storeRows().some((r) => r.k.includes(JSON.parse(body).webhookId)), "the delivery's claim in D1");
  await new Promise((r) => setTimeout(r, 500));

  const forged = ghlDelivery({ id: contact.id, email: "evil@example.com" });
  await refused("unsigned", () => ghlHook(forged), 401, "SIGNATURE_INVALID");
  await refused("signed by another key", () => ghlHook(forged, ghlSign(forged, generateKeyPairSync("ed25519").privateKey)), 401, "SIGNATURE_INVALID");
  await refused("a valid signature over another body", () => ghlHook(forged, ghlSign(body)), 401, "SIGNATURE_INVALID");
  await refused("a garbage signature", () => ghlHook(forged, { "x-ghl-signature": "!!!" }), 401, "SIGNATURE_INVALID");
  await refused("the legacy header with garbage", () => ghlHook(forged, { "x-wh-signature": "AAAA" }), 401, "SIGNATURE_INVALID");
  await refused("unsigned garbage", () => ghlHook("\u0000{{{"), 401, "SIGNATURE_INVALID");
  const stale = ghlDelivery({ id: contact.id, email: "evil@example.com" }, { at: new Date(Date.now() - 10 * 60_000) });
  await refused("signed but 10 minutes old", () => ghlHook(stale, ghlSign(stale)), 401, "WEBHOOK_STALE");
  const future = ghlDelivery({ id: contact.id, email: "evil@example.com" }, { at: new Date(Date.now() + 10 * 60_000) });
  await refused("signed but dated 10 minutes ahead", () => ghlHook(future, ghlSign(future)), 401, "WEBHOOK_STALE");
  const noId = JSON.stringify({ type: "ContactUpdate", locationId: LOC, id: contact.id, timestamp: new Date().toISOString() });
  await refused("signed without a webhookId", () => ghlHook(noId, ghlSign(noId)), 401, "WEBHOOK_STALE");
  await refused("the same delivery again", () => ghlHook(body, ghlSign(body)), 409, "WEBHOOK_REPLAYED");
  // Signed by HighLevel, but for a location this deployment does not serve (a
  // Marketplace app posts every location's events to one URL): refused, never acted on.
  for (const type of ["NoteCreate", "ContactUpdate"]) {
    const other = ghlDelivery({ id: type === "NoteCreate" ? "note-x" : contact.id, contactId: contact.id, body: "not ours", email: "evil@example.com" }, { type, locationId: "loc_other" });
    await refused(`a signed ${type} for another location`, () => ghlHook(other, ghlSign(other)), 403, "WEBHOOK_WRONG_LOCATION");
  }
  // Every accepted delivery's claim expires (GHL: 10 minutes; Outseta: 8 hours), and is
  // listed in expiry order so later claims prune it.
  const rows = storeRows();
  const claims = rows.filter((r) => /^seen\/(ghl|outseta):/.test(r.k));
  assert.ok(claims.length >= 2, JSON.stringify(claims));
  for (const c of claims) {
    const { at, until: expires } = JSON.parse(c.v);
    const horizon = c.k.startsWith("seen/ghl:") ? 10 * 60_000 : 8 * 3_600_000;
    assert.equal(expires - at, horizon, c.k);
    assert.ok(rows.some((r) => r.k === `seen-until/${String(expires).padStart(16, "0")}/${c.k.slice(5)}`), `${c.k} is listed by expiry`);
  }
});

test("a stranger gets 401, or 413 by the body's length, before anything of the request is parsed, and is logged as one status line", async () => {
  // Distinctive, so anything of the request that reaches a log line is found.
  const marker = `mk${randomBytes(6).toString("hex")}`;
  const sent = { "x-marker": marker, authorization: `Bearer ${marker}` };
  const big = 2 << 20;
  const attacks = [
    ["a malformed escape in the Outseta event, unsigned", () => fetch(`${worker.url}/webhooks/outseta/%E0%A4%A${marker}`, { method: "POST", headers: sent, body: `{"Uid":"${marker}"}` }), 401, "SIGNATURE_INVALID"],
    ["an unsigned Outseta body of 2 MiB", () => postHuge(`${worker.url}/webhooks/outseta/PersonUpdated?${marker}`, big, { headers: sent }), 413, "BODY_TOO_LARGE"],
    ["an unsigned GHL body of 2 MiB, streamed with no length", () => postHuge(`${worker.url}/webhooks/ghl?${marker}`, big, { headers: sent, chunked: true }), 413, "BODY_TOO_LARGE"],
    ["a huge signature header", () => ghlHook(`{"m":"${marker}"}`, { "x-ghl-signature": `${marker}${"A".repeat(8000)}` }), 401, "SIGNATURE_INVALID"],
    ["map-contact without the token (it echoed any body with 200)", () => fetch(`${worker.url}/v1/map-contact`, { method: "POST", headers: { "x-marker": marker }, body: JSON.stringify({ Email: `${marker}@example.com` }) }), 401, "UNAUTHORIZED"],
    ["map-contact without the token and 2 MiB", () => postHuge(`${worker.url}/v1/map-contact`, big, { headers: sent }), 401, "UNAUTHORIZED"],
    // (Declared, not streamed: a route that answers 401 never reads the body, and under
    // wrangler dev a streamed body left unread breaks the proxy's next request on that
    // connection, a 503 of wrangler's own. The webhook routes drop a refused stream.)
    ["runStep without the token and 2 MiB", () => postHuge(`${worker.url}/v1/step`, big, { headers: sent }), 401, "UNAUTHORIZED"],
    ["a route that does not exist", () => fetch(`${worker.url}/${marker}/%E0%A4%A`, { headers: sent }), 401, "UNAUTHORIZED"],
    ["an admin route with a malformed escape", () => fetch(`${worker.url}/admin/%E0%A4%A?${marker}`, { headers: sent }), 401, "UNAUTHORIZED"],
  ];
  for (const [what, request, status, code] of attacks) await refused(what, request, status, code);
  await new Promise((r) => setTimeout(r, 500));
  const lines = worker.output().split("\n").filter((l) => l.includes(marker));
  assert.ok(lines.length <= attacks.length, lines.join("\n"));
  // Only wrangler's own request line (Cloudflare logs the same), with the status.
  for (const line of lines) assert.match(line, /^\[wrangler:info\] (GET|POST) \S+ (401|413) [A-Za-z ]+\(\d+ms\)$/, line);
});

test("a 90 MiB unsigned body leaves workerd's memory as it was: refused by its length, or after its first MiB (the rest is dropped)", async (t) => {
  const size = 90 << 20;
  const bodies = async () => {
    for (const path of ["/webhooks/outseta/PersonUpdated", "/webhooks/ghl"]) {
      for (const chunked of [false, true]) {
        const res = await postHuge(`${worker.url}${path}`, size, { chunked });
        assert.equal(res.status, 413, `${path} ${chunked ? "streamed" : "declared"}: ${res.text}`);
        assert.equal(JSON.parse(res.text).error.code, "BODY_TOO_LARGE");
      }
    }
    const mapped = await postHuge(`${worker.url}/v1/map-contact`, 60 << 20, { headers: auth });
    assert.equal(mapped.status, 413, mapped.text);
  };
  // A first round brings workerd's own I/O buffers and the isolate's heap to their
  // working size (about as much as a round of half-MiB bodies does); the second shows
  // what further huge bodies cost.
  const cold = worker.rssMiB();
  await bodies();
  const before = worker.rssMiB();
  await bodies();
  const after = worker.rssMiB();
  t.diagnostic(`workerd RSS: ${cold.toFixed(1)} MiB, ${before.toFixed(1)} after five bodies of 60-90 MiB, ${after.toFixed(1)} after five more`);
  assert.ok(cold > 0, "workerd's memory was read");
  // Before the limits, one such body took workerd from 139 to 461 MiB, and it stayed.
  assert.ok(after - before < 16, `five more bodies grew workerd by ${(after - before).toFixed(1)} MiB`);
});

test("admin bodies are checked: not JSON, not an object or not import options is a coded 400, and no import is left running", async () => {
  for (const body of ["null", "{ not json", "[1]", "7", '"x"', '{"pageSize":"ten"}', '{"dryRun":true,"nope":1}', '{"sliceMs":-5}']) {
    await refused(`POST /admin/import ${body}`, () => fetch(`${worker.url}/admin/import`, { method: "POST", headers: auth, body }), 400, "INPUT_INVALID");
  }
  const status = await (await fetch(`${worker.url}/admin/import`, { headers: auth })).json();
  assert.equal(status.running, null, JSON.stringify(status));
  for (const [path, body] of [["/v1/map-contact", "{ not json"], ["/v1/map-contact", "null"], ["/v1/step", "{"], ["/v1/step", "[]"]]) {
    await refused(`POST ${path} ${body}`, () => fetch(`${worker.url}${path}`, { method: "POST", headers: auth, body }), 400, "INPUT_INVALID");
  }
  await refused("POST /admin/import over 1 MiB", () => postHuge(`${worker.url}/admin/import`, 2 << 20, { headers: auth }), 413, "BODY_TOO_LARGE");
});

test("the HTML report sends a strict Content-Security-Policy and nosniff", async () => {
  const res = await fetch(`${worker.url}/admin/reconcile?format=html`, { headers: auth });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type"), /^text\/html/);
  const csp = res.headers.get("content-security-policy");
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /script-src|\*/);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  const html = await res.text();
  responses.push(html);
  assert.doesNotMatch(html, /<script/i);
});

test("D1 passes the store conformance suite: batches, limited lists, links written whole and healed, claims expiring", async () => {
  const report = await (await fetch(`${worker.url}/_test/conformance`, { method: "POST", headers: auth })).json();
  assert.deepEqual(report.failures, []);
  assert.ok(report.passed >= 20, JSON.stringify(report));
});

test("the admin routes need the exact bearer token, checked before the body is read", async () => {
  const routes = [["GET", "/admin/reconcile"], ["GET", "/admin/import"], ["POST", "/admin/import"], ["POST", "/v1/step"], ["POST", "/v1/map-contact"], ["POST", "/_test/trap"], ["POST", "/_test/conformance"], ["GET", "/nope"]];
  const tries = [
    {},
    { authorization: "Bearer" },
    { authorization: "Bearer " },
    { authorization: `Bearer ${adminToken.slice(0, -1)}` },
    { authorization: `Bearer ${adminToken}x` },
    { authorization: `bearer ${adminToken}` },
    { authorization: `Basic ${Buffer.from(`admin:${adminToken}`).toString("base64")}` },
    { authorization: adminToken },
    { "x-admin-token": adminToken },
  ];
  for (const [method, path] of routes) {
    for (const headers of tries) {
      await refused(`${method} ${path} with ${JSON.stringify(headers)}`, () =>
        fetch(`${worker.url}${path}?token=${adminToken}`, { method, headers, body: method === "POST" ? "{ not json" : undefined }), 401, "UNAUTHORIZED");
    }
  }
  const ok = await fetch(`${worker.url}/admin/import`, { headers: { authorization: `Bearer ${adminToken}` } });
  assert.equal(ok.status, 200);
});

test("a trap inside the wasm instance is recovered from: the engine is dropped, the module re-instantiated, and the next requests are served", async () => {
  for (const where of ["worker", "location"]) {
    const res = await fetch(`${worker.url}/_test/trap?in=${where}`, { method: "POST", headers: auth });
    assert.equal(res.status, 500, where);
    assert.equal((await res.json()).error.code, "WASM_TRAPPED", where);
  }
  // A trap in a microtask (where a trap inside an async engine method lands) is
  // recovered from on the next request.
  const queued = await fetch(`${worker.url}/_test/trap?in=microtask`, { method: "POST", headers: auth });
  assert.equal(queued.status, 202);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await fetch(`${worker.url}/health`)).status, 200);
  await until(() => /worker \(a trap in a background task\): the wasm instance trapped \(memory access out of bounds\); dropping the engine and re-instantiating/.test(worker.output()), "the background trap's recovery in the log");
  // The instance was really replaced: an object made on the trapped one is refused.
  const probe = await (await fetch(`${worker.url}/_test/trap?in=probe`, { method: "POST", headers: auth })).json();
  assert.deepEqual(probe, { refused: true, message: "Invalid stale object from previous Wasm instance" });
  await until(() => /location: the wasm instance trapped \(memory access out of bounds\); dropping the engine and re-instantiating/.test(worker.output()), "the recovery in the Worker's log");
  assert.match(worker.output(), /worker: the wasm instance trapped/);
  // Served after the traps: the pure core, and a full sync through the rebuilt engine.
  const health = await fetch(`${worker.url}/health`);
  assert.equal(health.status, 200);
  const mapped = await fetch(`${worker.url}/v1/map-contact`, { method: "POST", headers: auth, body: JSON.stringify({ Email: " After@Trap.example " }) });
  assert.deepEqual(await mapped.json(), { email: "after@trap.example" });
  const uid = outseta.sim.createPerson({ Email: "trap@example.com", FirstName: "Tess" }, { silent: true });
  const body = JSON.stringify(outseta.sim.renderPerson(uid, false));
  const res = await outsetaHook("PersonCreated", body, { "x-hub-signature-256": signBody(signingKey, body) });
  assert.equal(res.status, 202, await res.text());
  const c = await until(async () => (await contacts()).find((x) => x.email === "trap@example.com"), "the contact synced after the trap");
  assert.equal(c.firstName, "Tess");
  const report = await (await fetch(`${worker.url}/admin/reconcile`, { headers: auth })).json();
  assert.ok(report.counts.links >= 1 && report.counts.missingInGhl === 0, JSON.stringify(report.counts));
});

test("no secret in any response, in the reconcile report (JSON and HTML), or in wrangler dev's output, failures included", async () => {
  const read = async (res) => { const t = await res.text(); responses.push(t); return t; };
  await read(await fetch(`${worker.url}/admin/reconcile`, { headers: auth }));
  await read(await fetch(`${worker.url}/admin/reconcile?format=html`, { headers: auth }));
  await read(await fetch(`${worker.url}/admin/import`, { headers: auth }));
  await read(await fetch(`${worker.url}/v1/step`, { method: "POST", headers: auth, body: JSON.stringify({ action: "timeline", outsetaUid: [...outseta.sim.people.keys()][0] }) }));
  // Both APIs failing: GHL answers 500 to everything, then Outseta does too.
  await fetch(`${ghl.url}/_sim/config`, { method: "POST", body: JSON.stringify({ fault5xx: 1 }) });
  outseta.sim.configure({ faults: { 500: 1 } });
  try {
    const uid = outseta.sim.createPerson({ Email: "fail@example.com" }, { silent: true });
    const body = JSON.stringify(outseta.sim.renderPerson(uid, false));
    assert.equal((await outsetaHook("PersonCreated", body, { "x-hub-signature-256": signBody(signingKey, body) })).status, 202);
    const failed = await fetch(`${worker.url}/admin/reconcile`, { headers: auth });
    await read(failed);
    assert.ok(failed.status >= 400, "reconcile fails while the APIs do");
    await read(await fetch(`${worker.url}/v1/step`, { method: "POST", headers: auth, body: JSON.stringify({ action: "syncPerson", person: JSON.parse(body) }) }));
    // Through the Queue (wrangler.toml) a failed delivery is logged as retried.
    await until(() => /webhook retried/.test(worker.output()), "the failed background sync in the log", 30_000);
  } finally {
    await fetch(`${ghl.url}/_sim/config`, { method: "POST", body: JSON.stringify({ fault5xx: 0 }) });
    outseta.sim.configure({ faults: {} });
  }
  const texts = [...responses, worker.output(), JSON.stringify(storeRows())];
  assert.ok(responses.length > 60, `${responses.length} responses`);
  for (const text of texts) {
    for (const [name, value] of Object.entries(SECRETS)) {
      assert.ok(!text.includes(value), `${name} leaked: ${text.slice(Math.max(0, text.indexOf(value) - 200), text.indexOf(value) + 40)}`);
    }
  }
});
