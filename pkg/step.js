// `runStep(input, config)`: one JSON-in / JSON-out entry for no-code code steps
// (Pipedream, n8n's Code node, and, through the Worker's POST /v1/step, Zapier and Make,
// whose code steps cannot import npm packages). It never throws: the answer is
// { ok: true, action, result } or { ok: false, action, error: { code, message, details } },
// which a no-code tool can branch on.
import { mapContacts, previewMapping, findDuplicates, planSync, validateMapping, SyncEngine } from "./wasm/outseta_ghl_sync.js";

const ACTIONS = ["map", "validate", "dedup", "plan", "syncPerson", "import", "reconcile", "timeline", "reviews", "resolveReview"];

/** @param {unknown} err */
function errorJson(err) {
  const e = /** @type {{ code?: unknown, message?: unknown, details?: unknown }} */ (err ?? {});
  return {
    code: typeof e.code === "string" ? e.code : "INTERNAL",
    message: typeof e.message === "string" ? e.message : String(err),
    details: e.details && typeof e.details === "object" ? e.details : {},
  };
}

/**
 * @param {Record<string, any>} input
 * @param {Record<string, any>} [config]
 */
async function run(input, config = {}) {
  switch (input.action) {
    case "map":
      // The built-in mapping, or the caller's through the preview (same rules, same payloads).
      return config.mapping ? previewMapping(input.records ?? [input.person], config.mapping, null) : mapContacts(input.records ?? [input.person]);
    case "validate":
      return validateMapping(input.mapping ?? config.mapping, config.context ?? null);
    case "dedup":
      return findDuplicates(input.records, input.config ?? {});
    case "plan":
      return planSync({ pairs: input.pairs, spec: config.mapping, policy: config.policy, context: config.context });
  }
  // A caller that holds an engine (the Worker, with its D1 store) passes it in.
  const own = !config.engine;
  const engine = config.engine ?? new SyncEngine(/** @type {any} */ (config));
  try {
    switch (input.action) {
      case "syncPerson":
        return await engine.syncPerson(input.person);
      case "import":
        return await engine.bulkImport(input.options ?? {});
      case "reconcile":
        return await engine.reconcile(input.options ?? {});
      case "reviews":
        return await engine.reviews();
      case "resolveReview":
        return await engine.resolveReview(input.id, input.resolution);
      default:
        return await engine.timeline({ outsetaUid: input.outsetaUid, ghlId: input.ghlId });
    }
  } finally {
    if (own) engine.free();
  }
}

/**
 * @param {Record<string, any>} input `{ action, ... }`
 * @param {Record<string, any>} [config] the `SyncEngine` options (or `engine`, one already
 *   built) for the engine's actions; `{ mapping, policy, context }` for the others
 */
export async function runStep(input, config = {}) {
  const action = input && typeof input === "object" ? input.action : undefined;
  if (!ACTIONS.includes(action)) {
    return {
      ok: false,
      action: action ?? null,
      error: { code: "INPUT_INVALID", message: `action must be one of ${ACTIONS.join(", ")}`, details: { path: "$.action", found: action ?? null } },
    };
  }
  try {
    return { ok: true, action, result: await run(input, config ?? {}) };
  } catch (err) {
    return { ok: false, action, error: errorJson(err) };
  }
}
