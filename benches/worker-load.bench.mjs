// A load run of signed Outseta webhooks into the local Worker (wrangler dev: workerd, the
// Queue, the location's Durable Object and D1), wired to both simulators in their own
// processes. PEOPLE people each get updated in Outseta, once each and then at random,
// until there are WEBHOOKS updates, in ROUNDS rounds; each update's delivery carries the
// record as it was just after it (so many are stale by the time they run, as under a
// real burst). Each round's deliveries are fired at the Worker (`fire`); then the run
// waits until GHL holds every person's last value and asks /admin/reconcile for parity.
// Reported: front-door requests per second and errors (goal 0), the time until GHL holds
// every last value, GHL writes per delivery, and reconcile (goal: in sync, no drift, no
// duplicates, nothing missing). Bounded: DRAIN_TIMEOUT_S (default 600) for the drain.
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimProcess } from "../tests/support/sim-process.mjs";
import { startWorker } from "../tests/support/worker.mjs";

const PEOPLE = Number(process.env.LOAD_PEOPLE ?? 1_000);
const WEBHOOKS = Number(process.env.LOAD_WEBHOOKS ?? 20_000);
const ROUNDS = Number(process.env.LOAD_ROUNDS ?? 10);
// 32 connections made wrangler dev's proxy answer a few 503s of its own on this 2-core machine.
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 8);
const TIME_SCALE = Number(process.env.LOAD_TIME_SCALE ?? 25);
const DRAIN_TIMEOUT_S = Number(process.env.DRAIN_TIMEOUT_S ?? 600);
const OUTSETA_H = { Authorization: "Outseta test-key:test-secret", "Content-Type": "application/json" };


/** A small seeded generator, so every run updates people in the same order. */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const dir = mkdtempSync(join(tmpdir(), "ogs-load-"));
const seedFile = join(dir, "people.json");
// Local D1 is SQLite files; on this VM's disk every commit's fsync made D1, not the
// Worker, the bottleneck (4x slower per query). tmpfs when there is one (LOAD_STATE_DIR
// overrides); production D1 is another system altogether.
const stateDir = mkdtempSync(join(process.env.LOAD_STATE_DIR ?? (existsSync("/dev/shm") ? "/dev/shm" : dir), "ogs-load-state-"));
writeFileSync(seedFile, JSON.stringify({
  people: Array.from({ length: PEOPLE }, (_, i) => ({ Email: `load${i}@example.com`, FirstName: `Load${i}`, LastName: "v0" })),
}));
const signingKey = randomBytes(32).toString("hex");
const adminToken = randomBytes(16).toString("hex");
const ghl = await startSimProcess("ghl.mjs", ["--time-scale", String(TIME_SCALE), "--duplicates", "email"]);
const outseta = await startSimProcess("outseta.mjs", ["--seed", seedFile, "--rate-limit", "off"]);
const outsetaApi = `${outseta.url}/api/v1`;
let worker;

/**
 * Fires `deliveries` at the Worker from CONNECTIONS concurrent senders (keep-alive
 * fetch), each taking the next delivery when its last one is answered. A sender re-sends
 * what the real senders re-send: a delivery whose connection failed, or that wrangler
 * dev's own proxy (not the Worker) refused with 503 "restarted mid-request", which
 * happened a handful of times per 20,000 on this machine; each is counted. A 409 on a
 * re-send means the first attempt got through. Anything else fails the run.
 */
async function fire(deliveries) {
  const url = `${worker.url}/webhooks/outseta/person-updated`;
  const latencies = [];
  const resent = { proxy: 0, network: 0 };
  let next = 0;
  async function sender() {
    while (next < deliveries.length) {
      const d = deliveries[next++];
      for (let attempt = 1; ; attempt++) {
        const started = performance.now();
        let status;
        let text;
        try {
          const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": d.signature }, body: d.body });
          status = res.status;
          text = await res.text();
        } catch (err) {
          if (attempt === 4) throw new Error(`a delivery failed to connect 4 times: ${err.message}`);
          resent.network++;
          continue;
        }
        latencies.push(performance.now() - started);
        if (status === 202 || (status === 409 && attempt > 1)) break;
        if (status === 503 && /restarted mid-request/.test(text) && attempt < 4) {
          resent.proxy++;
          continue;
        }
        throw new Error(`the Worker answered ${status}: ${text.slice(0, 300)}`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONNECTIONS, deliveries.length) }, sender));
  return { latencies, resent };
}

// A killed run (timeout, Ctrl-C) still stops wrangler and the simulators.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, async () => {
    await worker?.stop();
    ghl.child.kill();
    outseta.child.kill();
    process.exit(130);
  });
}
try {
  worker = await startWorker({
    persistTo: stateDir,
    vars: {
      GHL_LOCATION_ID: "loc_sim", GHL_TOKEN: "sim-token", GHL_BASE_URL: ghl.url,
      GHL_RATE_LIMIT: JSON.stringify({ burst: 100, windowMs: 10_000 / TIME_SCALE }),
      // Outseta's 4 requests per second, scaled the same way (the simulator's own limit is off).
      OUTSETA_RATE_LIMIT: JSON.stringify({ burst: 4, windowMs: 1_050 / TIME_SCALE }),
      OUTSETA_BASE_URL: outsetaApi, OUTSETA_API_KEY: "test-key", OUTSETA_SECRET_KEY: "test-secret",
      OUTSETA_SIGNING_KEY: signingKey, ADMIN_TOKEN: adminToken,
    },
  });

  // The updates, applied to the Outseta simulator one by one; each delivery is the record
  // the update left.
  const people = [];
  for (let page = 0; people.length < PEOPLE; page++) {
    const { items } = await fetch(`${outsetaApi}/crm/people?offset=${page}&limit=100`, { headers: OUTSETA_H }).then((r) => r.json());
    if (!items.length) break;
    people.push(...items);
  }
  const random = rng(7);
  const last = new Map();
  const ghlStats = () => fetch(`${ghl.url}/_sim/stats`).then((r) => r.json());
  const before = await ghlStats();
  // In rounds: each round's updates are made in Outseta, then its deliveries fired while
  // the Worker is still working through the rounds before, so later rounds carry real
  // changes to people already synced.
  const perRound = Math.ceil(WEBHOOKS / ROUNDS);
  let fireSeconds = 0;
  let accepted = 0;
  const latencies = [];
  const resent = { proxy: 0, network: 0 };
  const t0 = performance.now();
  for (let k = 1; k <= WEBHOOKS;) {
    const deliveries = [];
    for (const end = Math.min(WEBHOOKS, k + perRound - 1); k <= end; k++) {
      // Everyone once (so reconcile can expect every person in GHL), then at random.
      const p = people[k <= people.length ? k - 1 : Math.floor(random() * people.length)];
      const res = await fetch(`${outsetaApi}/crm/people/${p.Uid}`, { method: "PUT", headers: OUTSETA_H, body: JSON.stringify({ Email: p.Email, FirstName: p.FirstName, LastName: `v${k}` }) });
      if (!res.ok) throw new Error(`the Outseta simulator refused update ${k}: ${res.status} ${await res.text()}`);
      const body = await res.text();
      deliveries.push({ body, signature: "sha256=" + createHmac("sha256", Buffer.from(signingKey, "hex")).update(body).digest("hex") });
      last.set(p.Email, `v${k}`);
    }
    const started = performance.now();
    const fired = await fire(deliveries);
    fireSeconds += (performance.now() - started) / 1000;
    latencies.push(...fired.latencies);
    resent.proxy += fired.resent.proxy;
    resent.network += fired.resent.network;
    accepted += deliveries.length;
  }

  // Drained when GHL holds every person's last value.
  const deadline = Date.now() + DRAIN_TIMEOUT_S * 1000;
  let behind = PEOPLE;
  for (;;) {
    const contacts = (await fetch(`${ghl.url}/_sim/state`).then((r) => r.json())).contacts;
    const byEmail = new Map(contacts.map((c) => [c.email, c]));
    behind = [...last].filter(([email, value]) => byEmail.get(email)?.lastName !== value).length;
    if (behind === 0) break;
    if (Date.now() > deadline) throw new Error(`after ${DRAIN_TIMEOUT_S} s, ${behind} of ${last.size} people still lack their last value in GHL`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const drainSeconds = (performance.now() - t0) / 1000;
  const after = await ghlStats();
  const report = await fetch(`${worker.url}/admin/reconcile`, { headers: { authorization: `Bearer ${adminToken}` } }).then((r) => r.json());
  const c = report.counts;
  if (!report.inSync || c.driftedPairs || c.missingInGhl || c.duplicateClusters || c.staleLinks) {
    throw new Error(`reconcile found differences after the load run: ${JSON.stringify(c)}`);
  }
  const writes = (st) => Object.entries(st.byOperation).filter(([op]) => !/^(get|search)/.test(op)).reduce((n, [, v]) => n + v, 0);
  const ghlWrites = writes(after) - writes(before);
  const n = WEBHOOKS.toLocaleString("en");
  latencies.sort((x, y) => x - y);
  const pct = (q) => latencies[Math.min(latencies.length - 1, Math.floor((q / 100) * latencies.length))].toFixed(0);
  console.log(`| Worker load: ${n} signed webhooks for ${PEOPLE.toLocaleString("en")} people in ${ROUNDS} rounds, front door (${CONNECTIONS} connections) | ${(WEBHOOKS / fireSeconds).toFixed(0)} req/s, p50 ${pct(50)} ms, p99 ${pct(99)} ms, 0 errors from the Worker | ${fireSeconds.toFixed(1)} s firing | ${accepted} / ${WEBHOOKS} accepted; re-sent: ${resent.proxy} after wrangler dev's proxy 503, ${resent.network} after a connection error |`);
  console.log(`| Worker load: from the first round until GHL holds every last value (queue, coalescing, D1), Outseta updates included | ${(WEBHOOKS / drainSeconds).toFixed(0)} deliveries/s | ${drainSeconds.toFixed(1)} s | reconcile: in sync, ${c.links} links, 0 drift, 0 duplicates |`);
  console.log(`| Worker load: GHL writes per delivery (coalesced bursts) | ${ghlWrites.toLocaleString("en")} writes | ${n} deliveries | ${(ghlWrites / WEBHOOKS).toFixed(3)} |`);
} finally {
  if (process.env.LOAD_DEBUG) console.error(worker?.output().split("\n").filter((l) => /webhook batch|webhook dropped|failed/.test(l)).slice(-40).join("\n"));
  await worker?.stop();
  ghl.child.kill();
  outseta.child.kill();
  for (const d of [stateDir, dir]) rmSync(d, { recursive: true, force: true });
}
