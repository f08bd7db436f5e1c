// The Cloudflare Worker (wrangler.toml's main): HTTP routes over the core.
//   GET  /health                   -> { ok: true, version }
//   POST /v1/map-contact           -> the GHL contact payload for an Outseta Person (JSON body)
//   POST /webhooks/outseta/:event  -> signature checked first (401), then queued and synced (202)
//   POST /webhooks/ghl             -> the same for HighLevel (Ed25519 / RSA signatures)
//   POST /admin/import             -> starts (or resumes) a bulk import, run in slices by alarms (202)
//   GET  /admin/import             -> its progress, or the last import's summary
//   GET  /admin/reconcile          -> the reconciliation report (JSON; ?format=html for the page)
//   GET  /admin/reviews            -> the review queue (possible duplicates, held fields)
//   POST /admin/reviews/resolve    -> { id, resolution }: resolves one and runs its sync
//   POST /v1/step                  -> runStep(body): the no-code entry (Zapier, Make), admin token
// The admin routes need `Authorization: Bearer <ADMIN_TOKEN>`. The Cron Trigger runs the
// polling fallback. A verified webhook goes onto the Queue (binding WEBHOOKS) when there is
// one: its consumer hands each batch to the Durable Object and retries what failed. Without
// a Queue it is handed over in the background (ctx.waitUntil), which a platform time limit
// can cut short under a burst. All sync work for the location runs in one Durable Object
// (`SyncLocation`, binding SYNC): one engine, so writes for a contact are serialised and
// the GHL rate limit is shared. State lives in D1 (binding DB). Errors answer
// { error: { code, message, details } } with a 4xx status; the Worker never throws past
// fetch(), so one bad request cannot take the isolate down.
import {
  version, webhookBodyLimit, mapContact, runStep, runStoreConformance, checkImportOptions, SyncEngine, parseOutsetaWebhook, GhlWebhookVerifier,
} from "./worker.js";
import { d1Store } from "./stores/d1.js";
import { DRAIN_MAX, readBody, statusFor } from "./front-door.js";
// Generated with --experimental-reset-state-function (Makefile): the same module instance
// worker.js initialised.
import { __wbg_reset_state } from "./wasm/outseta_ghl_sync.js";

/** @param {unknown} body @param {number} [status] @param {Record<string, string>} [headers] */
const json = (body, status = 200, headers = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });

/** @param {number} status @param {string} code @param {string} message @param {unknown} [details] */
const fail = (status, code, message, details = {}) => json({ error: { code, message, details } }, status);

/** @param {unknown} err */
const coded = (err) => /** @type {import("./index.js").OutsetaGhlSyncError} */ (err);

/**
 * The Worker's configuration: vars in wrangler.toml, secrets with `wrangler secret put`
 * (`.dev.vars` locally, never committed).
 * @typedef {{
 *   DB?: any,
 *   GHL_LOCATION_ID?: string, GHL_TOKEN?: string, GHL_BASE_URL?: string,
 *   GHL_WEBHOOK_ED25519_KEY?: string, GHL_WEBHOOK_RSA_KEY?: string,
 *   OUTSETA_SUBDOMAIN?: string, OUTSETA_BASE_URL?: string,
 *   OUTSETA_API_KEY?: string, OUTSETA_SECRET_KEY?: string, OUTSETA_SIGNING_KEY?: string,
 *   ADMIN_TOKEN?: string, OGS_TEST_TRAP?: string, SYNC_OPTIONS?: string, SYNC_MAPPING?: string, SYNC_POLICY?: string,
 *   GHL_RATE_LIMIT?: string, OUTSETA_RATE_LIMIT?: string, SYNC?: any, WEBHOOKS?: any,
 * }} Env
 */

/** @type {{ engine: SyncEngine } | null} */
let cached = null;

/** JSON text from a var, or undefined. @param {string | undefined} text */
const parseJson = (text) => (text ? JSON.parse(text) : undefined);

/** @param {Env} env */
function ghlKeys(env) {
  if (!env.GHL_WEBHOOK_ED25519_KEY && !env.GHL_WEBHOOK_RSA_KEY) return undefined;
  return {
    ed25519Keys: env.GHL_WEBHOOK_ED25519_KEY ? [env.GHL_WEBHOOK_ED25519_KEY] : [],
    rsaKeys: env.GHL_WEBHOOK_RSA_KEY ? [env.GHL_WEBHOOK_RSA_KEY] : [],
  };
}

/** Throws NOT_CONFIGURED, naming what is missing, unless the Worker is set up. @param {Env} env */
function checkConfig(env) {
  const missing = ["DB", "GHL_LOCATION_ID", "GHL_TOKEN", "OUTSETA_API_KEY", "OUTSETA_SECRET_KEY", "OUTSETA_SIGNING_KEY"]
    .filter((k) => !env[/** @type {keyof Env} */ (k)]);
  if (!env.OUTSETA_SUBDOMAIN && !env.OUTSETA_BASE_URL) missing.push("OUTSETA_SUBDOMAIN or OUTSETA_BASE_URL");
  if (missing.length) {
    throw Object.assign(new Error(`the Worker is missing configuration: ${missing.join(", ")}`), {
      code: "NOT_CONFIGURED",
      details: { missing },
    });
  }
}

/** One engine per isolate (the location's Durable Object), built from the environment on first use. @param {Env} env */
function sync(env) {
  if (cached) return cached;
  checkConfig(env);
  const keys = ghlKeys(env);
  const engine = new SyncEngine({
    ghl: {
      locationId: /** @type {string} */ (env.GHL_LOCATION_ID),
      token: env.GHL_TOKEN,
      ...(env.GHL_BASE_URL ? { baseUrl: env.GHL_BASE_URL } : {}),
      ...(env.GHL_RATE_LIMIT ? { rateLimit: parseJson(env.GHL_RATE_LIMIT) } : {}),
    },
    outseta: {
      ...(env.OUTSETA_BASE_URL ? { baseUrl: env.OUTSETA_BASE_URL } : { subdomain: env.OUTSETA_SUBDOMAIN }),
      apiKey: /** @type {string} */ (env.OUTSETA_API_KEY),
      secretKey: /** @type {string} */ (env.OUTSETA_SECRET_KEY),
      ...(env.OUTSETA_RATE_LIMIT ? { rateLimit: parseJson(env.OUTSETA_RATE_LIMIT) } : {}),
    },
    store: d1Store(env.DB),
    mapping: parseJson(env.SYNC_MAPPING),
    policy: parseJson(env.SYNC_POLICY),
    options: parseJson(env.SYNC_OPTIONS),
    webhooks: { outsetaSigningKey: env.OUTSETA_SIGNING_KEY, ...(keys ? { ghl: keys } : {}) },
  });
  cached = { engine };
  return cached;
}

/**
 * Runs `work` after the response; its outcome, already summarised by the location's
 * object, goes to the Worker's logs.
 * @param {any} ctx @param {Promise<unknown>} work @param {string} what
 */
function background(ctx, work, what) {
  const logged = work.then(
    (summary) => console.log(what, JSON.stringify(summary)),
    (err) => console.error(what, "failed", coded(err).code ?? "", coded(err).message ?? String(err)),
  );
  if (ctx?.waitUntil) ctx.waitUntil(logged);
}

/** The location's Durable Object. @param {Env} env */
function location(env) {
  if (!env.SYNC) throw Object.assign(new Error("the Worker has no SYNC Durable Object binding"), { code: "NOT_CONFIGURED", details: { missing: ["SYNC"] } });
  return env.SYNC.get(env.SYNC.idFromName(env.GHL_LOCATION_ID ?? ""));
}

/** A request to the location's object; rejects with its coded error. @param {Env} env @param {string} path @param {RequestInit} [init] */
async function ask(env, path, init) {
  const res = await location(env).fetch(`https://sync-location${path}`, init);
  const body = await res.json();
  if (!res.ok) throw Object.assign(new Error(body.error?.message ?? `HTTP ${res.status}`), body.error ?? {});
  return body;
}

/** What a run did, without record contents (no personal data or secrets in logs). @param {any} run */
function summarise(run) {
  if (!run || typeof run !== "object") return run;
  if (run.summary) return { summary: { ...run.summary, skipped: run.summary.skipped?.length, refused: run.summary.refused?.length, failed: run.summary.failed?.length } };
  return {
    trigger: run.trigger,
    skipped: run.skipped,
    ...(run.unchanged ? { unchanged: true } : {}),
    ...(run.coalesced ? { coalesced: run.coalesced } : {}),
    pairs: (run.pairs ?? []).map((/** @type {any} */ p) => ({
      outsetaUid: p.outsetaUid, ghlId: p.ghlId, found: p.found, ops: p.plan?.operations?.map((/** @type {any} */ o) => o.op), error: p.error?.code,
      // Fields not written, by name and code (never their values): nothing is silent in the logs either.
      ...(p.plan?.errors?.length ? { unwritten: p.plan.errors.map((/** @type {any} */ e) => `${e.field} ${e.code}`) } : {}),
    })),
  };
}

/** The front door's view of D1, one per binding: a new one per request would run the
 * store's CREATE TABLE IF NOT EXISTS each time. @type {WeakMap<object, import("./index.js").SyncStore>} */
const frontStores = new WeakMap();
/** @param {Env} env */
function frontStore(env) {
  let store = frontStores.get(env.DB);
  if (!store) frontStores.set(env.DB, (store = d1Store(env.DB)));
  return store;
}

/**
 * Throws WEBHOOK_REPLAYED when the engine has claimed this delivery's idempotency key in
 * D1 (the key layout is the engine's: `seen/<key>`, see src/store/mod.rs). A claim is
 * released when its run fails, so the sender's retry of a failed delivery still passes.
 * @param {Env} env @param {string} key
 */
async function refuseReplay(env, key) {
  const seen = await frontStore(env).get(`seen/${key}`);
  if (seen !== null) {
    throw Object.assign(new Error("this delivery was already received"), { code: "WEBHOOK_REPLAYED", details: {} });
  }
}

/** @param {Request} request @param {Env} env */
function admin(request, env) {
  const header = request.headers.get("authorization") ?? "";
  if (!env.ADMIN_TOKEN) return fail(503, "NOT_CONFIGURED", "set the ADMIN_TOKEN secret to use the admin routes");
  const given = new TextEncoder().encode(header);
  const wanted = new TextEncoder().encode(`Bearer ${env.ADMIN_TOKEN}`);
  // Constant-time compare of the whole header.
  let diff = given.length ^ wanted.length;
  for (let i = 0; i < wanted.length; i++) diff |= wanted[i] ^ (given[i] ?? 0);
  return diff === 0 ? null : fail(401, "UNAUTHORIZED", "the admin routes need Authorization: Bearer <ADMIN_TOKEN>");
}

/**
 * After a trap (a WebAssembly.RuntimeError: an abort, an out-of-bounds access, running
 * out of memory) the instance's memory may hold half-done state: borrow flags left set,
 * a shadow stack never unwound, a lock never released. So the cached engine is dropped
 * and the compiled module instantiated afresh; the glue then refuses any call on an
 * object made on the dead instance. Returns whether `err` was a trap.
 * @param {unknown} err @param {string} where
 */
function recoverFromTrap(err, where) {
  if (!(err instanceof WebAssembly.RuntimeError)) return false;
  console.error(`${where}: the wasm instance trapped (${err.message}); dropping the engine and re-instantiating the module`);
  cached = null;
  __wbg_reset_state();
  return true;
}

/**
 * A trap inside async Rust code (an engine method) happens in the microtask that polls
 * its future (wasm-bindgen-futures queues polls with the global queueMicrotask), not in
 * the promise the caller awaits: that request never settles and the runtime cancels it.
 * So the trap is caught here and remembered, and the next request recovers first.
 * @type {unknown}
 */
let trapInBackground = null;
const queueMicrotaskOfRuntime = globalThis.queueMicrotask.bind(globalThis);
globalThis.queueMicrotask = (/** @type {VoidFunction} */ task) =>
  queueMicrotaskOfRuntime(() => {
    try {
      task();
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError) trapInBackground = err;
      throw err;
    }
  });

/** Recovers from a trap seen in a microtask since the last request. @param {string} where */
function recoverFromBackgroundTrap(where) {
  if (trapInBackground === null) return;
  const err = trapInBackground;
  trapInBackground = null;
  recoverFromTrap(err, `${where} (a trap in a background task)`);
}

/** The answer to a request whose wasm call trapped. */
const trapped = () => fail(500, "WASM_TRAPPED", "the request failed inside the WebAssembly core; the instance was replaced, so retry it");

/** The test trap's probe: an object of the instance that trapped. @type {any} */
let probeFromBeforeTrap = null;

/**
 * A real trap for the recovery test, only when the OGS_TEST_TRAP var is "1" (never set
 * in wrangler.toml): a call on a wasm object whose pointer lies past the end of linear
 * memory faults inside the instance ("memory access out of bounds"), as any trap would.
 */
function trapForTest() {
  // Made on the instance about to trap: after recovery, a call on it must be refused.
  probeFromBeforeTrap ??= new GhlWebhookVerifier(undefined);
  const verifier = new GhlWebhookVerifier(undefined);
  /** @type {any} */ (verifier).__wbg_ptr = 0xfffffff0;
  verifier.verify("{}", {});
}

/**
 * A verified webhook on its way to the location's object: base64 of the exact bytes (the
 * engine checks the signature again over them) and the signature headers.
 * `personUid` is set for the Outseta events a burst of which can share one run;
 * `receivedAt` (epoch ms) for HighLevel's, whose timestamp window is checked against it.
 * @typedef {{ kind: "outseta" | "ghl", event?: string, body: string, headers: Record<string, string>, personUid?: string, receivedAt?: number }} Delivery
 */

/** The headers the engine reads; nothing else of the request travels on. */
const SIGNATURE_HEADERS = ["x-hub-signature-256", "x-ghl-signature", "x-wh-signature"];

/** Queue messages are at most 128 KB; a larger delivery goes the waitUntil way. */
const QUEUE_BODY_MAX = 120_000;

/** @param {Headers} headers */
function signatureHeaders(headers) {
  /** @type {Record<string, string>} */
  const picked = {};
  for (const name of SIGNATURE_HEADERS) {
    const value = headers.get(name);
    if (value !== null) picked[name] = value;
  }
  return picked;
}

/** @param {Uint8Array} bytes */
function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** @param {string} text */
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/**
 * Deliveries to the location's object; one outcome each, in order.
 * @param {Env} env @param {Delivery[]} deliveries
 * @returns {Promise<Array<{ ok: true, run: unknown } | { ok: false, retry: boolean, error: { code?: string, message: string } }>>}
 */
const handOver = (env, deliveries) => ask(env, "/deliveries", { method: "POST", body: JSON.stringify(deliveries) });

/** Refusals a retry cannot change: the delivery is dropped, not retried. */
const FINAL_CODES = new Set(["SIGNATURE_INVALID", "WEBHOOK_STALE", "WEBHOOK_REPLAYED", "WEBHOOK_INVALID",
  "WEBHOOK_UNKNOWN_EVENT", "OUTSETA_WEBHOOK_INVALID", "INPUT_INVALID"]);

/** Outseta events whose run reads the person's current record (see SyncLocation.coalesced). */
const PERSON_UPSERT = new Set(["PersonCreated", "PersonUpdated"]);


/** The most bytes read of any body: the engine's webhook limit, which also bounds the
 * admin and no-code routes (a mapping check, import options, a runStep batch). */
const BODY_MAX = webhookBodyLimit();

/**
 * At most BODY_MAX bytes of the body (413 past it, by Content-Length before any is read).
 * A streamed body refused half-way is read on (up to DRAIN_MAX) and dropped before the
 * answer: left unread, it broke the next request on the same connection (under wrangler
 * dev, 503 "Your worker restarted mid-request").
 * @param {Request} request
 */
async function bodyOf(request) {
  /** @type {ReadableStreamDefaultReader<Uint8Array> | undefined} */
  let reader;
  // Opened only once the declared length has passed: a body refused by it is never read.
  const chunks = request.body && {
    [Symbol.asyncIterator]: () => {
      const r = (reader = /** @type {ReadableStream<Uint8Array>} */ (request.body).getReader());
      return { next: () => r.read() };
    },
  };
  try {
    return await readBody(chunks, request.headers.get("content-length"), BODY_MAX);
  } catch (err) {
    for (let dropped = 0; reader && dropped <= DRAIN_MAX; ) {
      const chunk = await reader.read().catch(() => null);
      if (!chunk || chunk.done) break;
      dropped += chunk.value.byteLength;
    }
    await reader?.cancel().catch(() => {});
    throw err;
  }
}

/**
 * An admin route's JSON body: `empty` when there is none; a coded 400 if it is not JSON
 * or not an object. @param {Request} request @param {unknown} [empty]
 */
async function jsonBody(request, empty) {
  const text = new TextDecoder().decode(await bodyOf(request));
  if (!text.trim() && empty !== undefined) return empty;
  let value;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw Object.assign(new Error(`the body is not valid JSON: ${reason}`), { code: "INPUT_INVALID", details: { path: "$" } });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw Object.assign(new Error("the body must be a JSON object"), { code: "INPUT_INVALID", details: { path: "$", expected: "object" } });
  }
  return value;
}

/**
 * The front door. Three doors take strangers: GET /health, and the two webhook routes,
 * whose authentication is the signature over the body. Everything else needs the admin
 * token before anything else of the request is looked at. A webhook's body is read up to
 * BODY_MAX (413 by its length), its signature checked (401), and only then is anything
 * in it or in its path used (the Outseta event is the raw path segment, which the
 * engine reads after verifying). So a stranger gets 401 or 413 and nothing else, and
 * nothing of what they sent is logged here (wrangler and Cloudflare log one line with
 * the status).
 * @param {Request} request @param {Env} env @param {any} ctx
 */
async function route(request, env, ctx) {
  const url = new URL(request.url);
  const { pathname } = url;
  if (pathname === "/health") {
    if (request.method !== "GET") return fail(405, "METHOD_NOT_ALLOWED", "use GET");
    return json({ ok: true, version: version() });
  }
  const outsetaEvent = /^\/webhooks\/outseta\/([^/]+)$/.exec(pathname)?.[1];
  if (outsetaEvent !== undefined || pathname === "/webhooks/ghl") {
    if (request.method !== "POST") return fail(405, "METHOD_NOT_ALLOWED", "use POST");
    checkConfig(env);
    return webhook(request, env, ctx, outsetaEvent);
  }
  const refused = admin(request, env);
  if (refused) return refused;
  if (pathname === "/v1/map-contact") {
    if (request.method !== "POST") return fail(405, "METHOD_NOT_ALLOWED", "use POST");
    const person = await jsonBody(request);
    try {
      return json(mapContact(person));
    } catch (err) {
      if (typeof coded(err)?.code !== "string") throw err;
      return fail(coded(err).code === "INPUT_INVALID" ? 400 : 422, coded(err).code, coded(err).message, coded(err).details);
    }
  }
  if (pathname === "/v1/step") {
    if (request.method !== "POST") return fail(405, "METHOD_NOT_ALLOWED", "use POST");
    const input = await jsonBody(request);
    const pure = ["map", "validate", "dedup", "plan"].includes(input.action);
    const result = pure
      ? await runStep(input, { mapping: parseJson(env.SYNC_MAPPING), policy: parseJson(env.SYNC_POLICY) })
      : await (await location(env).fetch("https://sync-location/step", { method: "POST", body: JSON.stringify(input) })).json();
    return json(result, result.ok ? 200 : 400);
  }
  if (pathname === "/_test/trap" && env.OGS_TEST_TRAP === "1" && request.method === "POST") {
    if (url.searchParams.get("in") === "location") return json(await ask(env, "/trap", { method: "POST" }));
    if (url.searchParams.get("in") === "probe") {
      // Whether the object made before the trap is refused: the instance was replaced.
      try {
        probeFromBeforeTrap?.verify("{}", {});
        return json({ refused: false });
      } catch (err) {
        return json({ refused: true, message: err instanceof Error ? err.message : String(err) });
      }
    }
    if (url.searchParams.get("in") === "microtask") {
      sync(env);
      queueMicrotask(trapForTest);
      return json({ queued: true }, 202);
    }
    sync(env);
    trapForTest();
  }
  if (pathname === "/_test/conformance" && env.OGS_TEST_TRAP === "1" && request.method === "POST") {
    // The store conformance suite on this Worker's D1 (test-only, like the trap).
    return json(await runStoreConformance(d1Store(env.DB)));
  }
  if (pathname.startsWith("/admin/")) {
    if (pathname === "/admin/import" && request.method === "POST") {
      const options = await jsonBody(request, {});
      return json(await ask(env, "/import", { method: "POST", body: JSON.stringify(options) }), 202);
    }
    if (pathname === "/admin/import" && request.method === "GET") {
      return json(await ask(env, "/import"));
    }
    if (pathname === "/admin/reviews" && request.method === "GET") {
      return json(await ask(env, "/reviews"));
    }
    if (pathname === "/admin/reviews/resolve" && request.method === "POST") {
      return json(await ask(env, "/reviews/resolve", { method: "POST", body: JSON.stringify(await jsonBody(request)) }));
    }
    if (pathname === "/admin/reconcile" && request.method === "GET") {
      const html = url.searchParams.get("format") === "html";
      const report = await ask(env, `/reconcile${html ? "?html=1" : ""}`);
      if (html) return new Response(report.html, { headers: REPORT_HEADERS });
      return json(report);
    }
    return fail(404, "NOT_FOUND", `no admin route for ${request.method} ${pathname}`);
  }
  return fail(404, "NOT_FOUND", `no route for ${request.method} ${pathname}`);
}

/**
 * The reconcile page: its one inline <style> block is all it may load or run (names and
 * emails in it are escaped by the engine; the policy makes a slip there inert too).
 */
const REPORT_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/**
 * A webhook: the body (at most BODY_MAX), the signature over it, then the replay check
 * against the claims in D1 (a delivery already processed, or being processed, is refused
 * here rather than queued); then answer at once and sync after (the senders retry on a
 * slow answer).
 * @param {Request} request @param {Env} env @param {any} ctx
 * @param {string | undefined} outsetaEvent the Outseta route's raw path segment; undefined for HighLevel
 */
async function webhook(request, env, ctx, outsetaEvent) {
  /** @type {Delivery} */
  let delivery;
  try {
    const body = await bodyOf(request);
    if (outsetaEvent !== undefined) {
      // Verifies the HMAC over the raw body first, then reads the event and the record:
      // a body the engine could not use is a 400 now, not a failure in the background.
      const parsed = parseOutsetaWebhook(outsetaEvent, body, request.headers.get("x-hub-signature-256"), /** @type {string} */ (env.OUTSETA_SIGNING_KEY));
      await refuseReplay(env, parsed.idempotencyKey);
      delivery = {
        kind: "outseta", event: outsetaEvent, body: toBase64(body), headers: signatureHeaders(request.headers),
        ...(PERSON_UPSERT.has(parsed.event) ? { personUid: parsed.uid } : {}),
      };
    } else {
      // A verifier per request: the signature, timestamp and location are checked here,
      // and replays by the engine's claims in D1, which a failed delivery releases so
      // that HighLevel's retry is processed (a verifier kept here would refuse it).
      const verifier = new GhlWebhookVerifier({ ...ghlKeys(env), locationId: env.GHL_LOCATION_ID });
      let verified;
      try {
        verified = verifier.verify(body, request.headers);
      } finally {
        verifier.free();
      }
      await refuseReplay(env, `ghl:${verified.envelope.webhookId}`);
      delivery = { kind: "ghl", body: toBase64(body), headers: signatureHeaders(request.headers), receivedAt: Date.now() };
    }
  } catch (err) {
    const code = coded(err)?.code;
    if (typeof code !== "string") throw err;
    return fail(statusFor(code), code, coded(err).message);
  }
  if (env.WEBHOOKS && delivery.body.length <= QUEUE_BODY_MAX) {
    // Awaited: if the Queue refuses it, the sender hears 503 and retries.
    try {
      await env.WEBHOOKS.send(delivery);
    } catch (err) {
      console.error("the webhook queue refused a delivery", err instanceof Error ? err.message : String(err));
      return fail(503, "UNAVAILABLE", "the delivery could not be queued; retry it");
    }
  } else {
    background(ctx, handOver(env, [delivery]).then(([outcome]) => outcome.ok ? outcome.run : Promise.reject(outcome.error)), delivery.event ? `outseta ${delivery.event}` : "ghl");
  }
  return json({ accepted: true }, 202);
}

export default {
  /** @param {Request} request @param {Env} env @param {any} ctx */
  async fetch(request, env, ctx) {
    recoverFromBackgroundTrap("worker");
    try {
      return await route(request, env, ctx);
    } catch (err) {
      if (recoverFromTrap(err, "worker")) return trapped();
      const code = coded(err)?.code;
      if (typeof code === "string") return fail(statusFor(code), code, coded(err).message, coded(err).details);
      console.error("unexpected error", err instanceof Error ? err.stack : String(err));
      return fail(500, "INTERNAL", "unexpected error; see the Worker's logs");
    }
  },

  /**
   * The WEBHOOKS Queue's consumer: one batch to the location's object, then each message
   * acknowledged or retried by its own outcome (a refused signature is not retried).
   * @param {any} batch @param {Env} env
   */
  async queue(batch, env) {
    /** @type {any[]} */
    const messages = batch.messages;
    let outcomes;
    try {
      outcomes = await handOver(env, messages.map((m) => m.body));
    } catch (err) {
      console.error("webhook batch failed", coded(err).code ?? "", coded(err).message ?? String(err));
      batch.retryAll();
      return;
    }
    const counts = { ok: 0, retried: 0, dropped: 0 };
    messages.forEach((message, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) {
        counts.ok++;
        message.ack();
      } else if (outcome && !outcome.retry) {
        counts.dropped++;
        console.error("webhook dropped", outcome.error.code ?? "", outcome.error.message);
        message.ack();
      } else {
        counts.retried++;
        console.error("webhook retried", outcome?.error?.code ?? "", outcome?.error?.message ?? "no outcome");
        message.retry();
      }
    });
    console.log("webhook batch", JSON.stringify({ messages: messages.length, ...counts }));
  },

  /** The Cron Trigger: the polling fallback. @param {unknown} _event @param {Env} env @param {any} ctx */
  async scheduled(_event, env, ctx) {
    background(ctx, ask(env, "/poll", { method: "POST" }), "poll");
  },
};

/** How long one alarm works on a bulk import before it checkpoints and sets the next. */
const SLICE_MS = 20_000;

/**
 * One per GHL location: every sync for the location runs here, on one engine, so work on
 * a contact is serialised and the GHL limiter is shared. A bulk import runs in alarm
 * slices of SLICE_MS, each resuming the checkpoint the last one left.
 */
export class SyncLocation {
  /** @param {any} state @param {Env} env */
  constructor(state, env) {
    this.state = state;
    this.env = env;
    /** Outseta person deliveries per person Uid (see `coalesced`). @type {Map<string, { tail: Promise<void>, open: { deliveries: Delivery[], run: Promise<any> } | null }>} */
    this.people = new Map();
  }

  /** Runs one delivery, or joins it to its person's batch. @param {SyncEngine} engine @param {Delivery} delivery */
  deliver(engine, delivery) {
    // Checked against when it reached the front door: a delivery that waited in the
    // Queue (a backlog, retries) longer than HighLevel's 5-minute window is not stale.
    if (delivery.kind === "ghl") return engine.handleGhlWebhook(fromBase64(delivery.body), delivery.headers, delivery.receivedAt);
    if (!delivery.personUid) return engine.handleOutsetaWebhook(delivery.event ?? "", fromBase64(delivery.body), delivery.headers);
    return this.coalesced(engine, delivery.personUid, delivery);
  }

  /**
   * A burst of updates to one person costs one sync, not one per delivery. One batch per
   * person runs at a time; deliveries arriving meanwhile wait together. When their turn
   * comes the newest runs first: unless it held nothing new (`run.unchanged`), its run
   * read the person's current record, which is at least as new as every delivery in the
   * batch, so it answers them all. Otherwise the next older one runs, and so on. Deletes
   * are never coalesced (an update's run cannot stand in for one).
   * @param {SyncEngine} engine @param {string} uid @param {Delivery} delivery
   */
  coalesced(engine, uid, delivery) {
    let slot = this.people.get(uid);
    if (!slot) this.people.set(uid, (slot = { tail: Promise.resolve(), open: null }));
    const current = slot;
    if (!current.open) {
      /** @type {{ deliveries: Delivery[], run: Promise<any> }} */
      const batch = { deliveries: [], run: Promise.resolve() };
      current.open = batch;
      batch.run = current.tail.then(async () => {
        current.open = null; // from here on, arrivals form the next batch
        for (let i = batch.deliveries.length - 1; ; i--) {
          const d = batch.deliveries[i];
          const run = await engine.handleOutsetaWebhook(d.event ?? "", fromBase64(d.body), d.headers);
          if (!run.unchanged || i === 0) return batch.deliveries.length > 1 ? { ...run, coalesced: batch.deliveries.length } : run;
        }
      });
      const tail = batch.run.then(() => {}, () => {}).then(() => {
        if (current.tail === tail && !current.open) this.people.delete(uid);
      });
      current.tail = tail;
    }
    current.open.deliveries.push(delivery);
    return current.open.run;
  }

  /** @param {Request} request */
  async fetch(request) {
    recoverFromBackgroundTrap("location");
    try {
      return await this.route(request);
    } catch (err) {
      if (recoverFromTrap(err, "location")) return trapped();
      const code = coded(err)?.code;
      if (typeof code !== "string") throw err;
      return fail(statusFor(code), code, coded(err).message, coded(err).details);
    }
  }

  /** @param {Request} request */
  async route(request) {
    const url = new URL(request.url);
    const { engine } = sync(this.env);
    switch (`${request.method} ${url.pathname}`) {
      case "POST /deliveries": {
        /** @type {Delivery[]} */
        const deliveries = await request.json();
        return json(await Promise.all(deliveries.map((d) => this.deliver(engine, d).then(
          (run) => {
            // A pair that failed is retried (its stored state was left as it was); a stale
            // link is not: the delete policy and reconcile deal with it.
            const failed = run.pairs?.find((/** @type {any} */ p) => p.error && p.error.code !== "LINK_STALE");
            return failed ? { ok: false, retry: true, error: failed.error } : { ok: true, run: summarise(run) };
          },
          (err) => {
            const code = coded(err)?.code;
            return { ok: false, retry: !FINAL_CODES.has(code), error: { code, message: coded(err)?.message ?? String(err) } };
          },
        ))));
      }
      case "POST /trap":
        if (this.env.OGS_TEST_TRAP !== "1") break;
        trapForTest();
        break;
      case "POST /poll":
        return json(summarise(await engine.poll()));
      case "POST /step":
        return json(await runStep(await request.json(), { engine }));
      case "GET /reconcile":
        return json(await engine.reconcile({ html: url.searchParams.has("html") }));
      case "GET /reviews":
        return json(await engine.reviews());
      case "POST /reviews/resolve": {
        const body = await request.json().catch(() => null);
        if (!body || typeof body !== "object" || typeof body.id !== "string") {
          return fail(400, "INPUT_INVALID", "the body is { id, resolution }: a review id from GET /admin/reviews and { link } | { create: true } | { keep } | { fields }");
        }
        return json(await engine.resolveReview(body.id, body.resolution));
      }
      case "POST /import": {
        const options = await request.json();
        // Refused now (a coded 400), not by every retry of the alarm that would run it.
        const { sliceMs, ...rest } = options;
        if (sliceMs !== undefined && !(typeof sliceMs === "number" && sliceMs > 0)) {
          throw Object.assign(new Error("sliceMs must be a positive number of milliseconds"), { code: "INPUT_INVALID", details: { path: "$.sliceMs" } });
        }
        checkImportOptions(rest);
        await this.state.storage.put("import", { options, progress: null, startedAt: Date.now() });
        await this.state.storage.setAlarm(Date.now());
        return json({ started: true });
      }
      case "GET /import":
        return json({ running: (await this.state.storage.get("import")) ?? null, last: (await this.state.storage.get("lastImport")) ?? null });
    }
    return fail(404, "NOT_FOUND", `no route ${request.method} ${url.pathname}`);
  }

  async alarm() {
    recoverFromBackgroundTrap("import alarm");
    try {
      await this.importSlice();
    } catch (err) {
      // Thrown on: the runtime retries the alarm, on a fresh instance after a trap.
      recoverFromTrap(err, "import alarm");
      throw err;
    }
  }

  async importSlice() {
    const job = await this.state.storage.get("import");
    if (!job) return;
    const { engine } = sync(this.env);
    const sliceMs = Number(job.options.sliceMs ?? SLICE_MS);
    const { sliceMs: _slice, ...options } = job.options;
    const started = Date.now();
    const report = await engine.bulkImport({ ...options, resume: true }, (/** @type {any} */ progress) => {
      job.progress = progress;
      this.state.storage.put("import", job);
      // A dry run keeps no checkpoint to resume from: it runs in one go.
      return Boolean(options.dryRun) || Date.now() - started < sliceMs;
    });
    if (report.cancelled) {
      await this.state.storage.setAlarm(Date.now());
    } else {
      await this.state.storage.delete("import");
      await this.state.storage.put("lastImport", { ...summarise(report).summary, finishedAt: Date.now() });
      console.log("bulk import", JSON.stringify(summarise(report)));
    }
  }
}
