// Both simulators, a webhook receiver and a SyncEngine from the wasm build, wired the way
// a deployment wires them: Outseta and GHL deliver signed webhooks over HTTP on
// 127.0.0.1 to a receiver that hands the raw body and headers to the engine. Used by
// tests/js/node/sync.test.mjs and benches/sync.bench.mjs.
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { SyncEngine } from "outseta-ghl-sync";
import { startGhlSim } from "../sim/ghl.mjs";
import { startOutsetaSim } from "../sim/outseta.mjs";

export const LOC = "loc_sim";
const GHL_H = { Authorization: "Bearer sim-token", Version: "2021-07-28", "content-type": "application/json" };
const OUTSETA_H = { Authorization: "Outseta test-key:test-secret", "Content-Type": "application/json" };

/** A JS store over a Map: the shape every runtime's store has (async on purpose). */
export function mapStore(map = new Map()) {
  return {
    map,
    async get(k) { return map.has(k) ? map.get(k) : null; },
    async put(k, v) { map.set(k, v); },
    async putIfAbsent(k, v) { if (map.has(k)) return false; map.set(k, v); return true; },
    async delete(k) { map.delete(k); },
    async list(prefix) { return [...map.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)); },
  };
}

/**
 * Starts everything. `options`: { ghl: sim options, outseta: sim options, engine: extra
 * SyncEngine options, store, webhooks: false to wire no webhooks, outsetaEvents: more
 * Outseta events to wire (e.g. "AccountStageUpdated"), ghlClient, outsetaClient }.
 */
export async function startHarness(options = {}) {
  const signingKey = randomBytes(32).toString("hex");
  const runs = [];
  const received = [];
  const pending = new Set();
  let engine;
  const receiver = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    received.push({ url: req.url, body, headers });
    const work = (async () => {
      try {
        const run = req.url.startsWith("/webhooks/ghl")
          ? await engine.handleGhlWebhook(new Uint8Array(body), headers)
          : await engine.handleOutsetaWebhook(decodeURIComponent(req.url.split("/").pop()), new Uint8Array(body), headers);
        runs.push({ url: req.url, run });
        res.writeHead(200).end();
      } catch (err) {
        runs.push({ url: req.url, error: { code: err.code, message: err.message } });
        res.writeHead(err.code?.startsWith("WEBHOOK") ? 401 : 500).end();
      }
    })();
    pending.add(work);
    work.finally(() => pending.delete(work));
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  const hook = `http://127.0.0.1:${receiver.address().port}`;
  const wire = options.webhooks !== false;
  const ghl = await startGhlSim({ rateLimit: false, duplicates: "email", webhookUrl: wire ? `${hook}/webhooks/ghl` : null, ...options.ghl });
  const outseta = await startOutsetaSim({
    rateLimit: false,
    signingKey,
    webhooks: wire
      ? Object.fromEntries(["PersonCreated", "PersonUpdated", "PersonDeleted", "PersonListSubscribed", "PersonListUnsubscribed", ...(options.outsetaEvents ?? [])].map((e) => [e, `${hook}/webhooks/outseta/${e}`]))
      : {},
    ...options.outseta,
  });
  const store = options.store ?? mapStore();
  const makeEngine = () => new SyncEngine({
    ghl: { locationId: LOC, token: "sim-token", baseUrl: ghl.url, retry: { baseDelayMs: 5, maxDelayMs: 50 }, ...options.ghlClient },
    outseta: { baseUrl: outseta.baseUrl, apiKey: "test-key", secretKey: "test-secret", rateLimit: false, retry: { baseDelayMs: 5, maxDelayMs: 50 }, ...options.outsetaClient },
    store,
    webhooks: { outsetaSigningKey: signingKey, ghl: { ed25519Keys: [ghl.keys.ed25519], rsaKeys: [ghl.keys.rsa] } },
    ...options.engine,
  });
  engine = makeEngine();
  const h = {
    ghl, outseta, store, runs, received, signingKey, hook,
    get engine() { return engine; },
    /** A new engine on the same store: what a restarted Worker or process sees. */
    restart() { engine = makeEngine(); return engine; },
    /** Waits until no webhook has been in flight for `quietMs`. */
    async settle(quietMs = 150) {
      let last = Date.now();
      while (Date.now() - last < quietMs) {
        if (pending.size) { await Promise.allSettled([...pending]); last = Date.now(); }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    ghlApi: (method, path, body) => fetch(ghl.url + path, { method, headers: GHL_H, body: body && JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) })),
    outsetaApi: (method, path, body) => fetch(outseta.baseUrl + path, { method, headers: OUTSETA_H, body: body && JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) })),
    ghlContacts: async () => (await fetch(ghl.url + "/_sim/state").then((r) => r.json())).contacts,
    /** Requests the GHL simulator served that write (anything but GET and search). */
    ghlWrites() {
      const by = ghl.stats().byOperation;
      return Object.entries(by).filter(([op]) => !/^(get|list|search|find)/i.test(op)).reduce((n, [, c]) => n + c, 0);
    },
    outsetaWrites() {
      const by = outseta.sim.stats.byRoute;
      return Object.entries(by).filter(([route]) => !route.startsWith("GET")).reduce((n, [, c]) => n + c, 0);
    },
    async close() {
      await h.settle(50);
      await Promise.all([ghl.close(), outseta.close(), new Promise((r) => { receiver.closeAllConnections?.(); receiver.close(r); })]);
    },
  };
  return h;
}
