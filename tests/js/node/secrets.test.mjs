// Secrets never reach output. The main flows run in-process with distinctive secret
// values (a GHL token, OAuth client secret, access and refresh tokens, the Outseta key
// pair and signing key), succeeding and failing (401s and 5xx from the simulators,
// forged webhooks, a refused OAuth refresh); then everything that could carry a secret
// is scanned: console and stdout/stderr writes, thrown errors (message, details, JSON,
// stack), returned runs, Plans and reconcile reports (HTML too), and the store.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { GhlClient, OutsetaClient, SyncEngine, runStep } from "outseta-ghl-sync";
import { startGhlSim } from "../../sim/ghl.mjs";
import { signBody, startOutsetaSim } from "../../sim/outseta.mjs";
import { mapStore } from "../../support/sync-harness.mjs";

const LOC = "loc_sim";
const SECRETS = {
  ghlToken: `ghltok-${randomBytes(12).toString("hex")}`,
  oauthClientSecret: `ocs-${randomBytes(12).toString("hex")}`,
  oauthAccessToken: `oat-${randomBytes(12).toString("hex")}`,
  oauthRefreshToken: `ort-${randomBytes(12).toString("hex")}`,
  outseta: `oak-${randomBytes(8).toString("hex")}`,
  outsetaSecret: `oas-${randomBytes(12).toString("hex")}`,
  signingKey: randomBytes(32).toString("hex"),
};
/** Everything captured, scanned at the end. */
const captured = [];
const capture = (what, value) => captured.push([what, typeof value === "string" ? value : JSON.stringify(value)]);
const captureError = (what, err) => {
  capture(`${what}: message`, String(err?.message));
  capture(`${what}: json`, { ...err, code: err?.code, details: err?.details });
  capture(`${what}: stack`, String(err?.stack));
  capture(`${what}: string`, String(err));
};
/** Runs `fn`; a rejection is captured (and returned) rather than thrown. */
async function attempt(what, fn) {
  try {
    const out = await fn();
    capture(what, out);
    return out;
  } catch (err) {
    captureError(what, err);
    return err;
  }
}

let ghl, outseta, restore;
before(async () => {
  ghl = await startGhlSim({ rateLimit: false, duplicates: "email", token: SECRETS.ghlToken, clientSecret: SECRETS.oauthClientSecret });
  outseta = await startOutsetaSim({ rateLimit: false, apiKey: SECRETS.outseta, secretKey: SECRETS.outsetaSecret, signingKey: SECRETS.signingKey });
  // Console and the process streams, in this process, for the whole file.
  const originals = { log: console.log, error: console.error, warn: console.warn, info: console.info, debug: console.debug };
  for (const name of Object.keys(originals)) console[name] = (...args) => capture(`console.${name}`, args.map(String).join(" "));
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = (chunk, ...rest) => (capture("stdout", String(chunk)), out(chunk, ...rest));
  process.stderr.write = (chunk, ...rest) => (capture("stderr", String(chunk)), err(chunk, ...rest));
  restore = () => {
    Object.assign(console, originals);
    process.stdout.write = out;
    process.stderr.write = err;
  };
});
after(async () => {
  restore?.();
  await Promise.all([ghl?.close(), outseta?.close()]);
});

const fast = { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 5000 };
const ghlOptions = (auth = { token: SECRETS.ghlToken }) => ({ locationId: LOC, baseUrl: ghl.url, rateLimit: { burst: 1000, windowMs: 1000 }, ...fast, ...auth });
const outsetaOptions = (keys = {}) => ({ baseUrl: outseta.baseUrl, apiKey: SECRETS.outseta, secretKey: SECRETS.outsetaSecret, rateLimit: false, ...fast, ...keys });
const engineWith = (store, { ghlAuth, outsetaKeys, options } = {}) =>
  new SyncEngine({ ghl: ghlOptions(ghlAuth), outseta: outsetaOptions(outsetaKeys), store, policy: { default: "outsetaWins" }, options, webhooks: { outsetaSigningKey: SECRETS.signingKey } });

test("the main flows, succeeding and failing, with every output scanned for secrets", async () => {
  const map = new Map();
  const store = mapStore(map);
  for (let i = 0; i < 5; i++) outseta.sim.createPerson({ Email: `p${i}@example.com`, FirstName: `P${i}` }, { silent: true });
  const engine = engineWith(store, { options: { deletePolicy: "tag" } });

  // Import (dry run: the whole Plan; then for real), reconcile with HTML, timeline, poll.
  const dry = await attempt("import dry run", () => engine.bulkImport({ dryRun: true }));
  assert.equal(dry.pairs.length, 5, JSON.stringify(dry).slice(0, 300));
  const done = await attempt("import", () => engine.bulkImport({}));
  assert.equal(done.summary.created, 5, JSON.stringify(done.summary));
  const report = await attempt("reconcile html", () => engine.reconcile({ html: true }));
  assert.match(report.html, /<html/i);
  await attempt("reconcile repair dry run", () => engine.reconcile({ repair: true, dryRun: true }));
  const uid = [...outseta.sim.people.values()][0].Uid;
  const tl = await attempt("timeline", () => engine.timeline({ outsetaUid: uid }));
  assert.equal(tl.outsetaUid, uid);
  await attempt("poll", () => engine.poll());

  // Webhooks: signed, forged, unsigned, unknown event, not JSON.
  const body = JSON.stringify(outseta.sim.renderPerson(uid, false));
  await attempt("outseta webhook signed", () => engine.handleOutsetaWebhook("PersonUpdated", body, { "x-hub-signature-256": signBody(SECRETS.signingKey, body) }));
  for (const [what, event, b, sig] of [
    ["forged", "PersonUpdated", body, signBody(randomBytes(32).toString("hex"), body)],
    ["unsigned", "PersonUpdated", body, undefined],
    ["unknown event", "Nope", body, signBody(SECRETS.signingKey, body)],
    ["not json", "PersonUpdated", "{{", signBody(SECRETS.signingKey, "{{")],
  ]) {
    const err = await attempt(`outseta webhook ${what}`, () => engine.handleOutsetaWebhook(event, b, { "x-hub-signature-256": sig }));
    assert.ok(err instanceof Error, what);
  }
  const ghlErr = await attempt("ghl webhook unsigned", () => engine.handleGhlWebhook(JSON.stringify({ type: "ContactCreate", id: "x" }), {}));
  assert.equal(ghlErr.code, "SIGNATURE_INVALID");

  // GHL refuses the token (401): every flow fails, with a code.
  const badGhl = engineWith(mapStore(), { ghlAuth: { token: `${SECRETS.ghlToken}-revoked` } });
  for (const [what, run] of [["import", () => badGhl.bulkImport({})], ["reconcile", () => badGhl.reconcile({ html: true })], ["sync", () => badGhl.syncPerson(outseta.sim.renderPerson(uid, false))]]) {
    const out = await attempt(`ghl 401 ${what}`, run);
    assert.ok(out instanceof Error || JSON.stringify(out).includes("GHL_UNAUTHORIZED"), `${what}: ${JSON.stringify(out).slice(0, 200)}`);
  }
  // Outseta refuses the keys (401), and then answers 500 to everything.
  const badOutseta = engineWith(mapStore(), { outsetaKeys: { secretKey: `${SECRETS.outsetaSecret}-wrong` } });
  const o401 = await attempt("outseta 401 import", () => badOutseta.bulkImport({}));
  assert.equal(o401.code, "OUTSETA_UNAUTHORIZED", String(o401.message));
  outseta.sim.configure({ faults: { 500: 1 } });
  try {
    await attempt("outseta 5xx import", () => engine.bulkImport({}));
    await attempt("outseta 5xx reconcile", () => engine.reconcile({ html: true }));
    await attempt("outseta 5xx timeline", () => engine.timeline({ outsetaUid: uid }));
    await attempt("outseta 5xx client", () => new OutsetaClient(outsetaOptions()).getPerson(uid));
  } finally {
    outseta.sim.configure({ faults: {} });
  }
  // The GHL simulator answers 500 to everything.
  const ghl5xx = await startGhlSim({ rateLimit: false, token: SECRETS.ghlToken, fault5xx: 1 });
  try {
    const client = new GhlClient({ ...ghlOptions(), baseUrl: ghl5xx.url });
    const err = await attempt("ghl 5xx client", () => client.getContact("abc"));
    assert.ok(err instanceof Error);
  } finally {
    await ghl5xx.close();
  }

  // OAuth: a refused refresh (unknown refresh token) and a refused client secret.
  const oauth = new GhlClient(ghlOptions({ oauth: { accessToken: SECRETS.oauthAccessToken, refreshToken: SECRETS.oauthRefreshToken, clientId: "sim-client", clientSecret: SECRETS.oauthClientSecret } }));
  const refused = await attempt("oauth refresh refused", () => oauth.getContact("abc"));
  assert.ok(refused instanceof Error);
  await attempt("oauth wrong client", () => oauth.exchangeCode("sim-client", `${SECRETS.oauthClientSecret}x`, "code_nope"));
  // A real OAuth round trip: the issued tokens are secrets too.
  const { code } = await fetch(`${ghl.url}/_sim/oauth/code`, { method: "POST" }).then((r) => r.json());
  const issued = await new GhlClient(ghlOptions()).exchangeCode("sim-client", SECRETS.oauthClientSecret, code);
  SECRETS.issuedAccess = issued.access_token;
  SECRETS.issuedRefresh = issued.refresh_token;
  const seen = [];
  const rotating = new GhlClient(ghlOptions({ oauth: { accessToken: "expired", refreshToken: issued.refresh_token, clientId: "sim-client", clientSecret: SECRETS.oauthClientSecret }, onTokens: (t) => seen.push(t) }));
  await attempt("oauth refreshed call", () => rotating.searchContacts({ pageLimit: 1 }));
  assert.equal(seen.length, 1, "the refresh happened");
  SECRETS.rotatedRefresh = seen[0].refresh_token;
  await attempt("client stats", () => rotating.stats());
  capture("client inspected", String(rotating));

  // runStep, succeeding and failing.
  const config = { ghl: ghlOptions(), outseta: outsetaOptions(), policy: { default: "outsetaWins" } };
  await attempt("step syncPerson", () => runStep({ action: "syncPerson", person: outseta.sim.renderPerson(uid, false) }, config));
  await attempt("step 401", () => runStep({ action: "reconcile" }, { ...config, ghl: ghlOptions({ token: "nope" }) }));
  await attempt("step bad", () => runStep({ action: "nope" }, config));

  // Config errors name the field, not its value.
  await attempt("engine bad options", () => new SyncEngine({ ghl: { ...ghlOptions(), rateLimit: SECRETS.ghlToken }, outseta: outsetaOptions() }));
  await attempt("outseta bad signing key", () => new SyncEngine({ ghl: ghlOptions(), outseta: outsetaOptions(), webhooks: { outsetaSigningKey: `zz${SECRETS.signingKey}` } }).handleOutsetaWebhook("PersonUpdated", "{}", {}));

  capture("store", [...map.entries()]);

  const findings = [];
  for (const [what, text] of captured) {
    for (const [name, value] of Object.entries(SECRETS)) {
      // Also the Outseta Authorization header's form, and base64 of a secret.
      for (const needle of [value, Buffer.from(value).toString("base64")]) if (text.includes(needle)) findings.push(`${name} in ${what}: ${text.slice(Math.max(0, text.indexOf(needle) - 120), text.indexOf(needle) + 40)}`);
    }
  }
  assert.deepEqual(findings, []);
  assert.ok(captured.length > 40, `${captured.length} outputs scanned`);
});
