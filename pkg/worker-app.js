// The Cloudflare Worker (wrangler.toml's main): HTTP routes over the core.
//   GET  /health          -> { ok: true, version }
//   POST /v1/map-contact  -> the GHL contact payload for an Outseta Person (JSON body)
// Errors answer { error: { code, message, details } } with a 4xx status; the Worker
// never throws past fetch(), so one bad request cannot take the isolate down.
import { version, mapContact } from "./worker.js";

/** @param {unknown} body @param {number} [status] */
const json = (body, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });

/** @param {number} status @param {string} code @param {string} message @param {unknown} [details] */
const fail = (status, code, message, details = {}) => json({ error: { code, message, details } }, status);

/** @param {Request} request */
async function route(request) {
  const { pathname } = new URL(request.url);
  if (pathname === "/health") {
    if (request.method !== "GET") return fail(405, "METHOD_NOT_ALLOWED", "use GET");
    return json({ ok: true, version: version() });
  }
  if (pathname === "/v1/map-contact") {
    if (request.method !== "POST") return fail(405, "METHOD_NOT_ALLOWED", "use POST");
    let person;
    try {
      person = await request.json();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return fail(400, "INPUT_INVALID", `the body is not valid JSON: ${reason}`, { path: "$" });
    }
    try {
      return json(mapContact(person));
    } catch (err) {
      const coded = /** @type {import("./index.js").OutsetaGhlSyncError} */ (err);
      if (typeof coded?.code !== "string") throw err;
      return fail(coded.code === "INPUT_INVALID" ? 400 : 422, coded.code, coded.message, coded.details);
    }
  }
  return fail(404, "NOT_FOUND", `no route for ${request.method} ${pathname}`);
}

export default {
  /** @param {Request} request */
  async fetch(request) {
    try {
      return await route(request);
    } catch (err) {
      console.error("unexpected error", err instanceof Error ? err.stack : String(err));
      return fail(500, "INTERNAL", "unexpected error; see the Worker's logs");
    }
  },
};
