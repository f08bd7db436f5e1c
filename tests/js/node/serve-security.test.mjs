// `outseta-ghl-sync serve`, run as users run it (a child process with secrets in its
// environment), against both simulators: every webhook that is unsigned, forged,
// tampered, stale, replayed or for another location is refused before its body is used,
// and each refusal leaves both simulators and the SQLite store exactly as they were. A
// stranger gets 401 (or 413 by the body's length) before anything is parsed, and the
// log names the route and status, nothing they sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { postHuge, ROOT, until } from "../helpers.mjs";
import { startGhlSim } from "../../sim/ghl.mjs";
import { signBody, startOutsetaSim } from "../../sim/outseta.mjs";

const LOC = "loc_sim";
const SECRETS = {
  GHL_TOKEN: `ghl-tok-${randomBytes(12).toString("hex")}`,
  OUTSETA_API_KEY: `osk-${randomBytes(8).toString("hex")}`,
  OUTSETA_SECRET_KEY: `oss-${randomBytes(12).toString("hex")}`,
  OUTSETA_SIGNING_KEY: randomBytes(32).toString("hex"),
};
const ghlKey = generateKeyPairSync("ed25519");

test("serve refuses unsigned, forged, tampered, stale and replayed webhooks of both kinds, and each refusal changes nothing", async (t) => {
  const ghl = await startGhlSim({ rateLimit: false, duplicates: "email", token: SECRETS.GHL_TOKEN });
  const outseta = await startOutsetaSim({ rateLimit: false, apiKey: SECRETS.OUTSETA_API_KEY, secretKey: SECRETS.OUTSETA_SECRET_KEY, signingKey: SECRETS.OUTSETA_SIGNING_KEY });
  t.after(() => Promise.all([ghl.close(), outseta.close()]));
  const dir = mkdtempSync(join(tmpdir(), "ogs-serve-sec-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "outseta-ghl-sync.json"), JSON.stringify({
    ghl: { locationId: LOC, baseUrl: ghl.url, rateLimit: { burst: 1000, windowMs: 1000 } },
    outseta: { baseUrl: outseta.baseUrl, rateLimit: false },
    policy: { default: "outsetaWins" },
    options: { deletePolicy: "tag" },
    webhooks: { ghl: { ed25519Keys: [ghlKey.publicKey.export({ type: "spki", format: "pem" })], rsaKeys: [] } },
    store: "sync.db",
  }));

  const child = spawn(process.execPath, [join(ROOT, "pkg/cli.js"), "serve", "--port", "0"], { cwd: dir, env: { PATH: process.env.PATH, ...SECRETS }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
  const exited = new Promise((r) => child.once("close", (status) => r(status)));
  t.after(() => { if (child.exitCode === null) child.kill("SIGKILL"); });
  const url = await until(() => { if (child.exitCode !== null) throw new Error(`serve exited: ${stderr}`); return stderr.match(/^listening on (http:\/\/127\.0\.0\.1:\d+)$/m)?.[1]; }, "serve to listen");

  const storeRows = () => {
    if (!existsSync(join(dir, "sync.db"))) return [];
    const db = new Database(join(dir, "sync.db"), { readonly: true });
    try {
      return db.prepare("SELECT * FROM sync_store").all();
    } finally {
      db.close();
    }
  };
  const snapshot = async () => ({
    ghl: await fetch(`${ghl.url}/_sim/state`).then((r) => r.json()),
    ghlWrites: Object.fromEntries(Object.entries(ghl.stats().byOperation).filter(([op]) => !/^(get|list|search|find)/i.test(op))),
    outseta: await fetch(`${outseta.url}/_sim/state`).then((r) => r.json()),
    store: storeRows(),
  });
  const refused = async (what, request, status, code) => {
    const before = await snapshot();
    const res = await request();
    const text = typeof res.text === "function" ? await res.text() : res.text;
    assert.equal(res.status, status, `${what}: ${text}`);
    assert.equal(JSON.parse(text).error.code, code, what);
    assert.deepEqual(await snapshot(), before, `${what} changed nothing`);
  };
  const outsetaHook = (event, body, headers = {}) => fetch(`${url}/webhooks/outseta/${event}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const ghlHook = (body, headers = {}) => fetch(`${url}/webhooks/ghl`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const ghlSign = (body, key = ghlKey.privateKey) => ({ "x-ghl-signature": sign(null, Buffer.from(body), key).toString("base64") });
  const ghlDelivery = (fields, at = new Date()) => JSON.stringify({ type: "ContactCreate", locationId: LOC, ...fields, webhookId: `wh-${randomBytes(6).toString("hex")}`, timestamp: at.toISOString() });
  const contacts = async () => (await fetch(`${ghl.url}/_sim/state`).then((r) => r.json())).contacts;

  try {
    // Outseta.
    const uid = outseta.sim.createPerson({ Email: "sam@example.com", FirstName: "Sam" }, { silent: true });
    const body = JSON.stringify(outseta.sim.renderPerson(uid, false));
    const sig = { "x-hub-signature-256": signBody(SECRETS.OUTSETA_SIGNING_KEY, body) };
    const good = await outsetaHook("PersonCreated", body, sig);
    assert.equal(good.status, 200, await good.text());
    const contact = (await contacts()).find((c) => c.email === "sam@example.com");
    assert.ok(contact);
    const tampered = JSON.stringify({ ...JSON.parse(body), FirstName: "Mallory" });
    await refused("outseta unsigned", () => outsetaHook("PersonUpdated", tampered), 401, "SIGNATURE_INVALID");
    await refused("outseta signed with another key", () => outsetaHook("PersonUpdated", tampered, { "x-hub-signature-256": signBody(randomBytes(32).toString("hex"), tampered) }), 401, "SIGNATURE_INVALID");
    await refused("outseta signature over another body", () => outsetaHook("PersonUpdated", tampered, sig), 401, "SIGNATURE_INVALID");
    await refused("outseta malformed header", () => outsetaHook("PersonUpdated", tampered, { "x-hub-signature-256": "sha256=" }), 401, "SIGNATURE_INVALID");
    await refused("outseta unsigned garbage", () => outsetaHook("PersonUpdated", "\u0000{{"), 401, "SIGNATURE_INVALID");
    await refused("outseta replay", () => outsetaHook("PersonCreated", body, sig), 409, "WEBHOOK_REPLAYED");
    // The event is the unsigned URL: the same body on another upsert route is the same delivery.
    await refused("outseta replay on another route", () => outsetaHook("person-updated", body, sig), 409, "WEBHOOK_REPLAYED");
    await refused("outseta signed, on a malformed event", () => outsetaHook("%E0%A4%A", body, sig), 400, "OUTSETA_WEBHOOK_INVALID");
    // Misrouted: the event name is not signed; the person exists, so nothing is deleted.
    const misrouted = await outsetaHook("PersonDeleted", body, sig);
    assert.equal(misrouted.status, 200);
    assert.match((await misrouted.json()).skipped, /still exists in Outseta/);
    assert.ok(!(await contacts()).find((c) => c.id === contact.id).tags.includes("deleted-in-outseta"));

    // GHL.
    const made = await fetch(`${ghl.url}/contacts/`, {
      method: "POST",
      headers: { Authorization: `Bearer ${SECRETS.GHL_TOKEN}`, Version: "2021-07-28", "content-type": "application/json" },
      body: JSON.stringify({ locationId: LOC, email: "gia@example.com", firstName: "Gia" }),
    }).then((r) => r.json());
    const gbody = ghlDelivery({ id: made.contact.id, email: "gia@example.com" });
    const ok = await ghlHook(gbody, ghlSign(gbody));
    assert.equal(ok.status, 200, await ok.text());
    assert.ok([...outseta.sim.people.values()].some((p) => p.Email === "gia@example.com"));
    const forged = ghlDelivery({ id: made.contact.id, email: "evil@example.com" });
    await refused("ghl unsigned", () => ghlHook(forged), 401, "SIGNATURE_INVALID");
    await refused("ghl signed by another key", () => ghlHook(forged, ghlSign(forged, generateKeyPairSync("ed25519").privateKey)), 401, "SIGNATURE_INVALID");
    await refused("ghl signature over another body", () => ghlHook(forged, ghlSign(gbody)), 401, "SIGNATURE_INVALID");
    await refused("ghl unsigned garbage", () => ghlHook("]]]"), 401, "SIGNATURE_INVALID");
    const stale = ghlDelivery({ id: made.contact.id, email: "evil@example.com" }, new Date(Date.now() - 10 * 60_000));
    await refused("ghl stale", () => ghlHook(stale, ghlSign(stale)), 401, "WEBHOOK_STALE");
    await refused("ghl replay", () => ghlHook(gbody, ghlSign(gbody)), 409, "WEBHOOK_REPLAYED");
    const elsewhere = JSON.stringify({ ...JSON.parse(ghlDelivery({ id: made.contact.id, email: "gia@example.com", firstName: "Mallory" })), locationId: "loc_other" });
    await refused("ghl signed, for another location", () => ghlHook(elsewhere, ghlSign(elsewhere)), 403, "WEBHOOK_WRONG_LOCATION");

    // Strangers: 401, or 413 by length, before anything is parsed; nothing they sent in the log.
    const marker = `mk${randomBytes(6).toString("hex")}`;
    const sent = { "x-marker": marker };
    await refused("a malformed escape in the event, unsigned", () => fetch(`${url}/webhooks/outseta/%E0%A4%A${marker}`, { method: "POST", headers: sent, body: `{"Uid":"${marker}"}` }), 401, "SIGNATURE_INVALID");
    for (const [path, chunked] of [["/webhooks/outseta/PersonUpdated", false], ["/webhooks/ghl", true]]) {
      await refused(`90 MiB to ${path}${chunked ? ", streamed" : ""}`, () => postHuge(`${url}${path}?${marker}`, 90 << 20, { headers: sent, chunked }), 413, "BODY_TOO_LARGE");
    }
    await refused("unsigned, with the marker in the body", () => ghlHook(`{"webhookId":"${marker}"}`, sent), 401, "SIGNATURE_INVALID");
    // Still serving.
    assert.equal((await fetch(`${url}/health`)).status, 200);
    assert.ok(!stderr.includes(marker), stderr.split("\n").filter((l) => l.includes(marker)).join("\n"));
    assert.match(stderr, /^POST \/webhooks\/outseta\/:event 401 \d+ms SIGNATURE_INVALID$/m);
    assert.match(stderr, /^POST \/webhooks\/ghl 413 \d+ms BODY_TOO_LARGE$/m);
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await exited, 0, stderr);
  for (const value of Object.values(SECRETS)) assert.ok(!stderr.includes(value), "no secret in serve's log");
  assert.match(stderr, /POST \/webhooks\/ghl 409 \d+ms WEBHOOK_REPLAYED/);
});
