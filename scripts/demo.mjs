// `make demo`: the same Outseta person mapped by the one wasm core in Node (the CLI),
// in headless Chromium (the www/ page) and in the local Worker (wrangler dev); then the
// sync story end to end: both API simulators seeded with sample data, the Worker wired
// to them, a bulk import with its progress, a change in Outseta flowing through a signed
// webhook into GHL, the reconciliation summary, and the www preview's URL.
import { readFileSync, mkdtempSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { servePreview } from "./preview.mjs";
import { launchChromium } from "../tests/support/browser.mjs";
import { startWorker } from "../tests/support/worker.mjs";
import { startGhlSim } from "../tests/sim/ghl.mjs";
import { startOutsetaSim } from "../tests/sim/outseta.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURE = join(ROOT, "tests/fixtures/outseta-person.json");
const person = readFileSync(FIXTURE, "utf8");

console.log(`Outseta person (${FIXTURE.slice(ROOT.length)}):\n${person}`);

async function inNode() {
  const run = spawnSync(process.execPath, [join(ROOT, "pkg/cli.js"), "map", FIXTURE], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`the CLI exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

async function inChromium() {
  const server = await servePreview();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/www/index.html`);
    await page.waitForSelector("body[data-ready=true]");
    // Paste the person as the records to preview; the page maps it in its Web Worker.
    await page.fill("#paste-a", person);
    await page.click("fieldset[data-slot=a] button[data-paste]");
    // A finished run of one record; its detail is drawn afresh after each run.
    await page.waitForFunction(() => document.body.dataset.state === "done"
      && document.querySelector("#summary [data-key=records] dd")?.textContent === "1"
      && document.querySelector("#payload-json"));
    return JSON.parse((await page.textContent("#payload-json")) ?? "");
  } finally {
    await browser.close();
    await server.close();
  }
}

async function inWorker() {
  // Every route but the webhooks takes the admin token.
  const token = randomBytes(16).toString("hex");
  const worker = await startWorker({ vars: { ADMIN_TOKEN: token } });
  try {
    const res = await fetch(`${worker.url}/v1/map-contact`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: person });
    return await res.json();
  } finally {
    await worker.stop();
  }
}

const results = {};
for (const [name, run] of [
  ["Node (npx outseta-ghl-sync map)", inNode],
  ["Chromium (www/index.html)", inChromium],
  ["Cloudflare Worker (wrangler dev, POST /v1/map-contact)", inWorker],
]) {
  const started = performance.now();
  results[name] = await run();
  const ms = Math.round(performance.now() - started);
  console.log(`\n${name}, ${ms} ms including start-up:\n${JSON.stringify(results[name], null, 2)}`);
}

const distinct = new Set(Object.values(results).map((r) => JSON.stringify(r)));
if (distinct.size !== 1) {
  console.error("\nThe runtimes disagree: see above.");
  process.exit(1);
}
console.log("\nAll three runtimes returned the same GHL contact.");

// ---- the sync story ------------------------------------------------------------------

const FIRST = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea", "Mo", "Nia", "Oz"];
const LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski", "Reyes", "Byrne"];
const people = Array.from({ length: 300 }, (_, i) => ({
  Email: `${FIRST[i % 15].toLowerCase()}.${LAST[i % 10].toLowerCase()}${i}@example.com`,
  FirstName: FIRST[i % 15], LastName: LAST[i % 10], PhoneMobile: `(555) ${String(100 + (i % 900)).padStart(3, "0")}-${String(1000 + i).slice(-4)}`,
}));
// Five people signed up twice in Outseta, under another spelling of their email.
for (let i = 0; i < 5; i++) people.push({ ...people[i], Email: people[i].Email.replace("@example.com", "+promo@example.com").toUpperCase() });
// Ten are already in GHL: same phone, another email spelling, and a different last name
// for three of them (a conflict the policy settles: Outseta wins here).
const existing = Array.from({ length: 10 }, (_, k) => {
  const p = people[20 + k];
  return { locationId: "loc_sim", email: p.Email.toUpperCase(), firstName: p.FirstName, lastName: k < 3 ? `${p.LastName}-Old` : p.LastName, phone: p.PhoneMobile, tags: ["imported-earlier"] };
});

const signingKey = randomBytes(32).toString("hex");
const adminToken = randomBytes(16).toString("hex");
const ghl = await startGhlSim({ rateLimit: true, timeScale: 20, duplicates: "email" });
const outseta = await startOutsetaSim({ rateLimit: false, signingKey, seed: { people } });
for (const c of existing) {
  await fetch(`${ghl.url}/contacts/`, { method: "POST", headers: { Authorization: "Bearer sim-token", Version: "2021-07-28", "content-type": "application/json" }, body: JSON.stringify(c) });
}
const worker = await startWorker({
  persistTo: mkdtempSync(join(tmpdir(), "ogs-demo-")),
  vars: {
    GHL_LOCATION_ID: "loc_sim", GHL_TOKEN: "sim-token", GHL_BASE_URL: ghl.url, GHL_WEBHOOK_ED25519_KEY: ghl.keys.ed25519,
    OUTSETA_BASE_URL: outseta.baseUrl, OUTSETA_API_KEY: "test-key", OUTSETA_SECRET_KEY: "test-secret",
    OUTSETA_SIGNING_KEY: signingKey, ADMIN_TOKEN: adminToken,
    SYNC_POLICY: JSON.stringify({ default: "outsetaWins" }),
    SYNC_OPTIONS: JSON.stringify({ concurrency: 8 }),
    // The simulator's window is 10 s / 20: the engine paces itself to the same limit.
    GHL_RATE_LIMIT: JSON.stringify({ burst: 100, windowMs: 500 }),
  },
});
outseta.sim.configure({ webhooks: { PersonUpdated: `${worker.url}/webhooks/outseta/PersonUpdated` } });
await fetch(`${ghl.url}/_sim/config`, { method: "POST", body: JSON.stringify({ webhookUrl: `${worker.url}/webhooks/ghl` }) });
const admin = (path, init = {}) => fetch(`${worker.url}${path}`, { ...init, headers: { authorization: `Bearer ${adminToken}`, ...init.headers } });
const contacts = async () => (await fetch(`${ghl.url}/_sim/state`).then((r) => r.json())).contacts;

try {
  console.log(`\nThe sync story. Outseta simulator: ${outseta.baseUrl} (${people.length} people, 5 signed up twice);`);
  console.log(`GHL simulator: ${ghl.url} (${existing.length} contacts already there; its real limit of 100 requests / 10 s, time-scaled 20x);`);
  console.log(`the Worker: ${worker.url} (wrangler dev, local D1).`);
  console.log("\nPOST /admin/import: the Worker imports every Outseta person into GHL.");
  await admin("/admin/import", { method: "POST", body: JSON.stringify({ pageSize: 100 }) });
  let shown = "";
  let status;
  for (;;) {
    status = await (await admin("/admin/import")).json();
    const p = status.running?.progress;
    if (p) {
      const line = `  ${p.done} / ${p.total} people, ${p.rate.toFixed(0)} a second, about ${Math.ceil(p.etaSeconds ?? 0)} s left (created ${p.created}, linked ${p.linked})`;
      if (line !== shown) console.log((shown = line));
    }
    if (!status.running && status.last) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  const s = status.last;
  console.log(`  done: ${s.created} created, ${s.linked} linked to contacts already in GHL (3 of them had another last name: Outseta wins here), ${s.heldForReview} held for review (the twins), ${s.failed} failed;`);
  console.log(`  GHL now holds ${(await contacts()).length} contacts; ${ghl.stats().requests} GHL requests, ${ghl.stats().rateLimited} answered 429.`);

  const ada = [...outseta.sim.people.values()].find((p) => p.Email === people[0].Email);
  console.log(`\nIn Outseta, ${ada.FirstName} ${ada.LastName} changes their last name to "Okafor-Smith"; Outseta sends a signed webhook to the Worker.`);
  outseta.sim.updatePerson(ada.Uid, { LastName: "Okafor-Smith" });
  for (let i = 0; i < 50; i++) {
    const c = (await contacts()).find((x) => x.email === ada.Email);
    if (c?.lastName === "Okafor-Smith") { console.log(`  GHL contact ${c.id} now reads ${c.firstName} ${c.lastName}.`); break; }
    await new Promise((r) => setTimeout(r, 200));
  }

  const report = await (await admin("/admin/reconcile")).json();
  console.log("\nGET /admin/reconcile:");
  console.log(`  ${report.counts.outsetaPeople} Outseta people, ${report.counts.ghlContacts} GHL contacts, ${report.counts.links} links;`);
  console.log(`  drifted pairs ${report.counts.driftedPairs}, stale links ${report.counts.staleLinks}, people with no GHL contact ${report.counts.missingInGhl} (the held twins), duplicate clusters ${report.counts.duplicateClusters} (the twins, in Outseta).`);
  console.log(`  The HTML report: ${worker.url}/admin/reconcile?format=html (Authorization: Bearer ${adminToken})`);
} finally {
  await worker.stop();
  await Promise.all([ghl.close(), outseta.close()]);
}

const site = await servePreview();
console.log(`\nThe mapping preview: ${site.url}/www/index.html`);
if (process.stdout.isTTY) {
  console.log("Serving it until you press Ctrl-C.");
  await new Promise((resolve) => process.once("SIGINT", resolve));
}
await site.close();
