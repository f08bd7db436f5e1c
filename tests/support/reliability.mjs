// The fault matrix and the two-way storm (issue 10), shared by `make reliability`
// (scripts/reliability.mjs, full size) and tests/js/node/reliability.test.mjs (a fast
// subset). Every scenario runs the SyncEngine from the wasm build against both
// simulators (tests/support/sync-harness.mjs), injects one fault (or all of them), lets
// the engine finish the way an operator would (a bulk import, re-run while pairs fail;
// webhooks delivered until quiet), then turns the faults off and measures the outcome
// from the simulators' own state and a final `engine.reconcile()`:
//   drift       fields that differ between a linked pair (reconcile's driftedFields)
//   duplicates  GHL contacts beyond the first for one email (the simulator's list)
//   lost        people with no GHL contact, plus edits that never reached the other side
//   extra calls API requests both simulators served above the fault-free baseline
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startHarness } from "./sync-harness.mjs";

/** xorshift32: every random choice of a scenario comes from its seed. */
export function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

function shuffle(list, random) {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function people(n, prefix = "p") {
  return Array.from({ length: n }, (_, i) => ({
    Email: `${prefix}${i}@example.com`, FirstName: `First${i}`, LastName: `Last${i}`, PhoneMobile: `+1555${String(2_000_000 + i)}`,
  }));
}

// Client settings every scenario shares: quick backoff (the simulators answer at once),
// a per-attempt timeout short enough that the slow fault passes it, and a GHL limiter
// loose enough that the simulators' faults, not the limiter, set the pace.
const SLOW_MS = 1500;
const CLIENT_TIMEOUT_MS = 400;
const clientOptions = {
  ghlClient: { retry: { baseDelayMs: 5, maxDelayMs: 60 }, timeoutMs: CLIENT_TIMEOUT_MS, rateLimit: { burst: 1000, windowMs: 1000 } },
  outsetaClient: { retry: { baseDelayMs: 5, maxDelayMs: 60 }, timeoutMs: CLIENT_TIMEOUT_MS },
};

/**
 * The faults. `ghl` and `outseta` are simulator fault settings applied once the data is
 * seeded; `expireTokens` expires every GHL access token that many times during the run
 * (the engine holds OAuth credentials and must refresh); `skew` offsets the simulators'
 * clocks; `webhooks` switches to the webhook scenario (out of order, repeated); `kill`
 * runs the import in a child process on a SQLite store and SIGKILLs it.
 */
export const FAULTS = {
  "429 storm": { ghl: { fault429: 0.3 }, outseta: { 429: 0.2 } },
  "5xx": { ghl: { fault5xx: 0.15 }, outseta: { 500: 0.15 } },
  "slow past the timeout": { ghl: { faultSlow: 0.04, slowMs: SLOW_MS }, outseta: { slow: 0.04 } },
  "dropped connections": { ghl: { faultDrop: 0.08 }, outseta: { drop: 0.08 } },
  "422 but created": { ghl: { fault422Created: 0.3 } },
  "webhooks out of order, repeated": { webhooks: true },
  "OAuth token expires mid-run": { expireTokens: 3 },
  "clock skew (GHL +4 min, Outseta -4 min)": { skew: { ghl: 240_000, outseta: -240_000 }, webhooks: true },
  "process killed mid-import": { kill: true },
  "all together": {
    ghl: { fault429: 0.1, fault5xx: 0.05, faultSlow: 0.02, slowMs: SLOW_MS, faultDrop: 0.03, fault422Created: 0.1 },
    outseta: { 429: 0.05, 500: 0.05, slow: 0.02, drop: 0.03 },
    expireTokens: 2, skew: { ghl: 240_000, outseta: -240_000 }, webhooks: true, kill: true,
  },
};

const ghlConfig = (h, patch) => fetch(`${h.ghl.url}/_sim/config`, { method: "POST", body: JSON.stringify(patch) });
const calls = (h) => h.ghl.stats().requests + h.outseta.sim.stats.requests;
const injected = (h) => Object.values(h.ghl.stats().faults).reduce((a, b) => a + b, 0) + h.outseta.sim.stats.faults;

function setFaults(h, fault, on) {
  const g = fault.ghl ?? {};
  const off = { fault429: 0, fault5xx: 0, faultSlow: 0, faultDrop: 0, fault422Created: 0 };
  h.outseta.sim.configure({ faults: on ? (fault.outseta ?? {}) : {} });
  return ghlConfig(h, on ? { ...off, ...g } : off);
}

/** OAuth credentials for the engine, minted by the simulator's authorization-code flow. */
async function oauthFor(ghlUrl) {
  const { code, clientId, clientSecret } = await fetch(`${ghlUrl}/_sim/oauth/code`, { method: "POST" }).then((r) => r.json());
  const tokens = await fetch(`${ghlUrl}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: "authorization_code", code, user_type: "Location" }),
  }).then((r) => r.json());
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, clientId, clientSecret };
}

/** A receiver that holds every webhook both simulators send, to deliver later in any order. */
async function captureServer() {
  const held = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    held.push({ url: req.url, body: Buffer.concat(chunks), headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])) });
    res.writeHead(200).end();
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { held, url, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}

/**
 * Delivers every held webhook in a shuffled order, a third of them twice (a repeat), and
 * again for what those deliveries caused, until nothing new arrives. Returns counts.
 */
async function drainShuffled(h, capture, random, { repeat = true } = {}) {
  const out = { delivered: 0, repeats: 0, refused: 0, failed: 0, errors: [] };
  for (let round = 0; round < 50; round++) {
    await sleep(60);
    if (!capture.held.length) {
      await sleep(150);
      if (!capture.held.length) break;
    }
    const batch = shuffle(capture.held.splice(0), random);
    const queue = [];
    for (const d of batch) {
      queue.push(d);
      if (repeat && random() < 1 / 3) { queue.push(d); out.repeats++; }
    }
    shuffle(queue, random);
    // A few at once, as concurrent deliveries would arrive.
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (queue.length) {
        const d = queue.shift();
        try {
          const run = d.url.startsWith("/webhooks/ghl")
            ? await h.engine.handleGhlWebhook(new Uint8Array(d.body), d.headers)
            : await h.engine.handleOutsetaWebhook(decodeURIComponent(d.url.split("/").pop()), new Uint8Array(d.body), d.headers);
          out.delivered++;
          for (const p of run.pairs ?? []) if (p.error) { out.failed++; out.errors.push(p.error); }
        } catch (err) {
          // A repeated GHL delivery is refused by the verifier's replay check: expected.
          if (err.code === "WEBHOOK_REPLAYED") out.refused++;
          else { out.failed++; out.errors.push({ code: err.code, message: err.message }); }
        }
      }
    }));
  }
  return out;
}

/** Measures the end state: reconcile, the GHL contact list by email, and the expected edits. */
async function measure(h, engine, expected) {
  const report = await engine.reconcile();
  const contacts = await h.ghlContacts();
  const byEmail = new Map();
  for (const c of contacts) {
    const e = (c.email ?? "").toLowerCase();
    byEmail.set(e, [...(byEmail.get(e) ?? []), c]);
  }
  const duplicates = [...byEmail.values()].reduce((n, list) => n + list.length - 1, 0);
  const persons = (await fetch(`${h.outseta.url}/_sim/state`).then((r) => r.json())).people;
  let lost = 0;
  const lostWhat = [];
  for (const p of persons) {
    const list = byEmail.get(p.Email.toLowerCase());
    if (!list) { lost++; lostWhat.push(`${p.Email}: no GHL contact`); continue; }
    const want = expected?.get(p.Email.toLowerCase());
    if (!want) continue;
    const c = list[0];
    for (const [field, value] of Object.entries(want.ghl ?? {})) {
      if (c[field] !== value) { lost++; lostWhat.push(`${p.Email}: GHL ${field}=${c[field]} want ${value}`); }
    }
    for (const [field, value] of Object.entries(want.outseta ?? {})) {
      if (p[field] !== value) { lost++; lostWhat.push(`${p.Email}: Outseta ${field}=${p[field]} want ${value}`); }
    }
    // A city edited in GHL must have reached Outseta's mailing address.
    if (want.city && p.MailingAddress?.City !== want.city) { lost++; lostWhat.push(`${p.Email}: Outseta City=${p.MailingAddress?.City} want ${want.city}`); }
  }
  return {
    drift: report.counts.driftedFields,
    duplicates,
    lost,
    records: persons.length,
    reconcile: report.counts,
    inSync: report.inSync,
    lostWhat: lostWhat.slice(0, 5),
    driftWhat: report.drift.slice(0, 3),
  };
}

/** Bulk imports until no pair fails (at most `maxPasses`), as an operator re-running it would. */
async function importUntilDone(engine, maxPasses = 4) {
  let passes = 0;
  let failed = [];
  let lastError = null;
  while (passes < maxPasses) {
    passes++;
    try {
      const report = await engine.bulkImport({ pageSize: 50, resume: passes > 1 && lastError !== null });
      failed = report.summary.failed;
      lastError = null;
      if (!failed.length) break;
    } catch (err) {
      // The whole run stopped (e.g. a page read failed after every retry): resume it.
      lastError = { code: err.code, message: err.message };
    }
  }
  return { passes, failed: failed.length, failedSample: failed.slice(0, 2), lastError };
}

/** The import in a child process on a SQLite file, SIGKILLed at seeded random times and resumed. */
async function killedImport(h, { random, dir, maxKills, oauth, n }) {
  const db = join(dir, "store.db");
  const child = fileURLToPath(new URL("./reliability-import-child.mjs", import.meta.url));
  let kills = 0;
  let attempts = 0;
  const options = JSON.stringify({
    db, signingKey: h.signingKey, pageSize: Math.max(5, Math.ceil(n / 12)),
    ghl: { locationId: "loc_sim", baseUrl: h.ghl.url, ...(oauth ? { oauth } : { token: "sim-token" }), ...clientOptions.ghlClient },
    outseta: { baseUrl: h.outseta.baseUrl, apiKey: "test-key", secretKey: "test-secret", rateLimit: false, ...clientOptions.outsetaClient },
  });
  for (;;) {
    attempts++;
    const proc = spawn(process.execPath, [child, options], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let timer = null;
    // Killed in the middle of the import: after 1 or 2 pages of this process have been
    // checkpointed, 0-60 ms into the next page's writes; the last process finishes.
    const killAfterPages = kills < maxKills ? 1 + Math.floor(random() * 2) : Infinity;
    const delay = random() * 60;
    let pages = 0;
    let buffered = "";
    proc.stdout.on("data", (c) => {
      out += c;
      buffered += c;
      const lines = buffered.split("\n");
      buffered = lines.pop();
      for (const line of lines) {
        const p = line.startsWith("{\"progress\"") ? JSON.parse(line) : null;
        if (p && p.progress < p.total && ++pages === killAfterPages) timer = setTimeout(() => proc.kill("SIGKILL"), delay);
      }
    });
    proc.stderr.on("data", (c) => { err += c; });
    const [code, signal] = await new Promise((r) => proc.once("exit", (c, s) => r([c, s])));
    clearTimeout(timer);
    if (signal === "SIGKILL") { kills++; continue; }
    if (code !== 0) throw new Error(`import child exited ${code}: ${err.slice(-500)}`);
    const result = JSON.parse(out.trim().split("\n").pop());
    // The child hands back the rotated OAuth tokens it last saw, so the next one can refresh.
    return { kills, attempts, ...result };
  }
}

/** A SyncEngine on the harness's simulators, with OAuth credentials when given. */
async function engineFor(h, { oauth, store }) {
  const { SyncEngine } = await import("outseta-ghl-sync");
  return new SyncEngine({
    ghl: {
      locationId: "loc_sim", baseUrl: h.ghl.url, ...clientOptions.ghlClient,
      ...(oauth
        ? {
          oauth,
          // The refresh token rotates: keep the newest, as a deployment must persist it.
          onTokens: (t) => { oauth.accessToken = t.access_token; if (t.refresh_token) oauth.refreshToken = t.refresh_token; },
        }
        : { token: "sim-token" }),
    },
    outseta: { baseUrl: h.outseta.baseUrl, apiKey: "test-key", secretKey: "test-secret", rateLimit: false, ...clientOptions.outsetaClient },
    store: store ?? h.store,
    webhooks: { outsetaSigningKey: h.signingKey, ghl: { ed25519Keys: [h.ghl.keys.ed25519], rsaKeys: [h.ghl.keys.rsa] } },
    options: { concurrency: 4 },
  });
}

/**
 * Runs one fault scenario on `n` people with `seed`; returns the row's numbers. The
 * flow: seed Outseta, inject the fault, bulk import (re-run while pairs fail; or, with
 * `kill`, in child processes killed at random); with `webhooks`, then edit every person
 * in Outseta twice and half of them in GHL twice, and deliver all the webhooks shuffled
 * with repeats; faults off; measure.
 */
export async function runScenario(name, fault, { n, seed }) {
  const random = rng(seed);
  const dir = mkdtempSync(join(tmpdir(), "ogs-reliability-"));
  const capture = fault.webhooks ? await captureServer() : null;
  const hooks = capture
    ? {
      ghl: { webhookUrl: `${capture.url}/webhooks/ghl` },
      outseta: { webhooks: Object.fromEntries(["PersonCreated", "PersonUpdated"].map((e) => [e, `${capture.url}/webhooks/outseta/${e}`])) },
    }
    : { ghl: {}, outseta: {} };
  const skew = fault.skew ?? { ghl: 0, outseta: 0 };
  // With `kill` the store is a SQLite file the child processes write; the parent reads it.
  let store;
  if (fault.kill) {
    const { SqliteStore } = await import("outseta-ghl-sync/sqlite");
    store = new SqliteStore(join(dir, "store.db"));
  }
  const h = await startHarness({
    webhooks: false,
    store,
    ghl: { faultSeed: seed, clockOffsetMs: skew.ghl, duplicates: "email", ...hooks.ghl },
    outseta: { randomSeed: seed, clockOffsetMs: skew.outseta, timeScale: 0.5, seed: { people: people(n) }, ...hooks.outseta },
    ...clientOptions,
  });
  const notes = [];
  try {
    const oauth = fault.expireTokens ? await oauthFor(h.ghl.url) : null;
    // With `kill` the children import; the parent's engine starts after them, from the
    // refresh token they rotated last.
    let engine = fault.kill ? null : await engineFor(h, { oauth, store });
    const before = calls(h);
    const injectedBefore = injected(h);
    await setFaults(h, fault, true);
    let expiring = null;
    let expiries = 0;
    let importing = true;
    if (fault.expireTokens) {
      // Every access token dies a few times while the import runs (counted only then).
      expiring = (async () => {
        for (let i = 0; i < fault.expireTokens; i++) {
          await sleep(50 + random() * 150);
          if (!importing) break;
          expiries++;
          // The engine's OAuth tokens die; the test's own token (for its edits) lives.
          await fetch(`${h.ghl.url}/_sim/expire-tokens`, { method: "POST", body: JSON.stringify({ except: ["sim-token"] }) });
        }
      })();
    }
    let sync;
    if (fault.kill) {
      sync = await killedImport(h, { random, dir, maxKills: 4, oauth, n });
      // The children rotated the refresh token; the parent continues with the newest.
      if (oauth && sync.oauth) Object.assign(oauth, sync.oauth);
      engine = await engineFor(h, { oauth, store });
      notes.push(`${sync.kills} kills, ${sync.attempts} processes`);
      if (sync.failed) notes.push(`${sync.failed} pairs failed in the last pass: ${JSON.stringify(sync.failedSample)}`);
    } else {
      sync = await importUntilDone(engine);
      if (sync.passes > 1) notes.push(`${sync.passes} import passes`);
      if (sync.failed) notes.push(`${sync.failed} pairs still failing: ${JSON.stringify(sync.failedSample)}`);
      if (sync.lastError) notes.push(`import stopped: ${sync.lastError.code} ${sync.lastError.message}`);
    }
    importing = false;
    await expiring;
    if (oauth) notes.push(`${expiries} token expiries during the import, ${(h.ghl.stats().byOperation["get-access-token"] ?? 1) - 1} refreshes`);
    const expected = new Map();
    if (fault.webhooks) {
      // The import's own webhooks were held too: deliver them first, then the edits'.
      const first = await drainShuffled({ engine }, capture, random);
      // The polling fallback's first poll only sets its cursor; the last phase polls.
      await engine.poll();
      const persons = (await fetch(`${h.outseta.url}/_sim/state`).then((r) => r.json())).people;
      const contacts = new Map((await h.ghlContacts()).map((c) => [(c.email ?? "").toLowerCase(), c]));
      const edits = [];
      for (const [i, p] of persons.entries()) {
        const email = p.Email.toLowerCase();
        const want = { ghl: { firstName: `${p.FirstName}-v3` }, outseta: { FirstName: `${p.FirstName}-v3` } };
        const c = contacts.get(email);
        edits.push(async () => {
          await h.outsetaApi("PUT", `/crm/people/${p.Uid}`, { Email: p.Email, FirstName: `${p.FirstName}-v2` });
          await h.outsetaApi("PUT", `/crm/people/${p.Uid}`, { Email: p.Email, FirstName: `${p.FirstName}-v3` });
        });
        if (i % 2 === 0 && c) {
          edits.push(async () => {
            await h.ghlApi("PUT", `/contacts/${c.id}`, { city: `Town${i}a` });
            await h.ghlApi("PUT", `/contacts/${c.id}`, { city: `Town${i}b` });
          });
          want.ghl.city = `Town${i}b`;
          want.city = `Town${i}b`;
        }
        expected.set(email, want);
      }
      // The test's own edits go in with the faults off (they are not the engine's calls).
      await setFaults(h, fault, false);
      await Promise.all(edits.map((edit) => edit()));
      await setFaults(h, fault, true);
      const second = await drainShuffled({ engine }, capture, random);
      const d = ["delivered", "repeats", "refused", "failed"].reduce((o, k) => ({ ...o, [k]: first[k] + second[k] }), {});
      notes.push(`${d.delivered} webhooks handled (${d.repeats} repeats, ${d.refused} refused as replays)`);
      if (d.failed) {
        notes.push(`${d.failed} webhook runs failed (${[...first.errors, ...second.errors].slice(0, 2).map((e) => e.code).join(", ")}); the sender retries them: then reconcile({repair}) with faults off`);
        await setFaults(h, fault, false);
        await engine.reconcile({ repair: true });
      }
    }
    if (fault.webhooks) {
      // Polling: Outseta edits whose webhooks never arrive, found by engine.poll(). With
      // Outseta's clock behind, the edits carry Updated stamps older than the engine's
      // own clock; the poll must still find them.
      const persons = (await fetch(`${h.outseta.url}/_sim/state`).then((r) => r.json())).people;
      await setFaults(h, fault, false);
      await Promise.all(persons.map((p, i) => {
        const want = expected.get(p.Email.toLowerCase());
        want.ghl.lastName = `Polled${i}`;
        want.outseta.LastName = `Polled${i}`;
        want.polled = true;
        return h.outsetaApi("PUT", `/crm/people/${p.Uid}`, { Email: p.Email, LastName: `Polled${i}` });
      }));
      await setFaults(h, fault, true);
      await sleep(100);
      capture.held.splice(0, capture.held.length, ...capture.held.filter((d) => !d.url.startsWith("/webhooks/outseta")));
      let polled;
      try {
        polled = await engine.poll();
      } catch (err) {
        notes.push(`poll failed: ${err.code} ${err.message}; polled again with faults off`);
        await setFaults(h, fault, false);
        polled = await engine.poll();
      }
      const failedPairs = polled.pairs.filter((p) => p.error).length;
      notes.push(`poll synced ${polled.pairs.length - failedPairs} people${failedPairs ? `, ${failedPairs} failed` : ""}`);
      await drainShuffled({ engine }, capture, random);
      if (failedPairs) {
        // The cursor stays behind a failed pair, so the next poll retries it.
        await setFaults(h, fault, false);
        await engine.poll();
        notes.push("polled again with faults off");
        await drainShuffled({ engine }, capture, random);
      }
    }
    await setFaults(h, fault, false);
    const editCalls = fault.webhooks ? editCallCount(h, expected) : 0;
    const used = calls(h) - before - editCalls;
    const m = await measure(h, engine, expected);
    return { name, n, seed, calls: used, faults: injected(h) - injectedBefore, tokenExpiries: expiries, kills: sync.kills ?? 0, notes, ...m };
  } finally {
    await h.close();
    await capture?.close();
    store?.close?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The test's own edit requests (two per Outseta person, two per edited GHL contact). */
function editCallCount(h, expected) {
  let n = 0;
  for (const want of expected.values()) n += 2 + (want.city ? 2 : 0) + (want.polled ? 1 : 0);
  return n;
}

/**
 * The two-way storm: `n` people imported, then each edited in Outseta (LastName) and in
 * GHL (firstName) at the same moment, webhooks flowing both ways to the engine. Returns
 * the engine's writes per edit, how long webhook traffic took to stop after the last
 * edit, the webhooks seen in a quiet window after that (an echo loop would keep them
 * coming), and the end state.
 */
export async function runStorm({ n, seed, quietWindowMs = 2000, parallel = 16 }) {
  const h = await startHarness({
    outseta: { randomSeed: seed, seed: { people: people(n, "s") } },
    ghl: { faultSeed: seed },
    // No faults here: the clients keep their default 30 s timeout, so a busy machine
    // (both simulators, the receiver and the engine share one event loop) is not a fault.
    ghlClient: { ...clientOptions.ghlClient, timeoutMs: undefined },
    outsetaClient: { ...clientOptions.outsetaClient, timeoutMs: undefined },
    engine: { options: { concurrency: 4 } },
  });
  try {
    const t0 = performance.now();
    const report = await h.engine.bulkImport({ pageSize: 100 });
    await h.settle(300);
    const importMs = performance.now() - t0;
    if (report.summary.failed.length) throw new Error(`storm import failed: ${JSON.stringify(report.summary.failed.slice(0, 2))}`);
    const persons = (await fetch(`${h.outseta.url}/_sim/state`).then((r) => r.json())).people;
    const contacts = new Map((await h.ghlContacts()).map((c) => [c.email, c]));
    const webhooks = () => h.ghl.stats().webhooks.sent + h.ghl.stats().webhooks.failed + h.outseta.sim.deliveries.length;
    const writes0 = { ghl: h.ghlWrites(), outseta: h.outsetaWrites() };
    const hooks0 = webhooks();
    const runs0 = h.runs.length;
    const expected = new Map();
    const jobs = persons.map((p, i) => async () => {
      const c = contacts.get(p.Email.toLowerCase());
      expected.set(p.Email.toLowerCase(), { outseta: { LastName: `Stormy${i}`, FirstName: `Gale${i}` }, ghl: { lastName: `Stormy${i}`, firstName: `Gale${i}` } });
      // Both sides at once: the engine sees the two edits' webhooks interleaved.
      await Promise.all([
        h.outsetaApi("PUT", `/crm/people/${p.Uid}`, { Email: p.Email, LastName: `Stormy${i}` }),
        h.ghlApi("PUT", `/contacts/${c.id}`, { firstName: `Gale${i}` }),
      ]);
    });
    const tEdits = performance.now();
    await Promise.all(Array.from({ length: parallel }, async () => { while (jobs.length) await jobs.shift()(); }));
    const editsDone = performance.now();
    // Traffic stops: no webhook in flight and no new one for 500 ms.
    let last = webhooks();
    let lastChange = performance.now();
    const deadline = editsDone + 120_000;
    while (performance.now() - lastChange < 500 && performance.now() < deadline) {
      await h.settle(50);
      const now = webhooks();
      if (now !== last) { last = now; lastChange = performance.now(); }
      await sleep(50);
    }
    const settleMs = lastChange - editsDone;
    // Then a quiet window: an echo loop would keep webhooks (and writes) coming.
    const quietHooks0 = webhooks();
    const quietWrites0 = h.ghlWrites() + h.outsetaWrites();
    await sleep(quietWindowMs);
    await h.settle(100);
    const afterQuiet = { webhooks: webhooks() - quietHooks0, writes: h.ghlWrites() + h.outsetaWrites() - quietWrites0 };
    const edits = 2 * n;
    const engineWrites = (h.ghlWrites() - writes0.ghl - n) + (h.outsetaWrites() - writes0.outseta - n);
    const failedRuns = h.runs.slice(runs0).filter((r) => r.error || r.run?.pairs?.some((p) => p.error));
    const m = await measure(h, h.engine, expected);
    return {
      n, seed, importMs, stormMs: editsDone - tEdits, settleMs, edits, engineWrites,
      writesPerEdit: engineWrites / edits,
      webhooksDuringStorm: quietHooks0 - hooks0,
      afterQuiet, quietWindowMs,
      failedRuns: failedRuns.length, failedSample: failedRuns.slice(0, 2).map((r) => r.error ?? r.run.pairs.find((p) => p.error).error),
      ...m,
    };
  } finally {
    await h.close();
  }
}
