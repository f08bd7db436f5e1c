// `outseta-ghl-sync serve [--port N] [--host H]`: a local webhook receiver for people
// who don't deploy the Worker.
import { createServer } from "node:http";
import { GhlWebhookVerifier, parseOutsetaWebhook } from "../node.js";
import { ENGINE_FLAGS, ENGINE_USAGE, openEngine } from "./engine.js";
import { intFlag, messageOf, parseFlags, redact } from "./support.js";

export const synopsis = "serve [--port N]";
export const summary = "Receive Outseta and GHL webhooks on a local HTTP server and sync them.";

export const usage = `Usage: outseta-ghl-sync serve [--port N] [--host HOST] [--config FILE] [--store FILE]

A webhook receiver. Routes:
  POST /webhooks/outseta/:event   an Outseta webhook (point each Outseta webhook at it,
                                  e.g. /webhooks/outseta/PersonUpdated); needs
                                  OUTSETA_SIGNING_KEY
  POST /webhooks/ghl              a HighLevel webhook (signature checked with
                                  HighLevel's published keys, or config webhooks.ghl)
  GET  /health                    {"ok":true}
The signature is checked before anything else: a bad or missing signature, or a GHL
delivery outside its 5-minute timestamp window, gets 401 and changes nothing; a delivery
already received gets 409. A body it cannot use gets
400; a sync that failed gets 500, so the sender retries. One line per request on stderr.
Put it behind your own HTTPS proxy to receive webhooks from the internet.
  --port N           the port (default 8787; 0 picks a free one)
  --host HOST        the address to listen on (default 127.0.0.1)
${ENGINE_USAGE}Stops on SIGINT or SIGTERM. Exit codes: 0 stopped, 1 could not start (the error's code
is printed), 2 usage error.
`;

/** The largest body read; the engine refuses anything over 1 MiB itself. */
const MAX_BODY = 2 * 1024 * 1024;

/** @param {string | undefined} code */
export function statusFor(code) {
  if (code === "SIGNATURE_INVALID" || code === "WEBHOOK_STALE") return 401;
  if (code === "WEBHOOK_REPLAYED") return 409;
  if (code === "WEBHOOK_INVALID" || code === "WEBHOOK_UNKNOWN_EVENT" || code === "OUTSETA_WEBHOOK_INVALID" || code === "INPUT_INVALID") return 400;
  if (code === "NOT_CONFIGURED") return 503;
  return 500;
}

/** @param {string[]} args @returns {Promise<number>} the exit code */
export async function run(args) {
  const flags = parseFlags("serve", args, { ...ENGINE_FLAGS, port: "string", host: "string" });
  const port = intFlag("serve", "port", flags.port, 8787, 0, 65535);
  const host = typeof flags.host === "string" ? flags.host : "127.0.0.1";
  const { engine, store, options } = openEngine(flags);
  if (!options.webhooks?.outsetaSigningKey) {
    process.stderr.write("serve: OUTSETA_SIGNING_KEY is not set: Outseta webhooks will be refused (503)\n");
  }

  /**
   * The signature first, then the replay check against the engine's claims in the store
   * (`seen/<key>`, the layout of src/store/mod.rs): a delivery already processed, or
   * being processed, is refused before the engine reads anything. A failed run releases
   * its claim, so the sender's retry of it passes. Without a key the engine answers
   * NOT_CONFIGURED itself.
   * @param {string | null} event the Outseta route's event, or null for GHL
   * @param {Uint8Array} body @param {Record<string, string>} headers
   */
  const refuseReplay = (event, body, headers) => {
    let key;
    if (event !== null) {
      const signingKey = options.webhooks?.outsetaSigningKey;
      if (!signingKey) return;
      key = parseOutsetaWebhook(event, body, headers["x-hub-signature-256"], signingKey).idempotencyKey;
    } else {
      const verifier = new GhlWebhookVerifier(options.webhooks?.ghl);
      try {
        key = `ghl:${verifier.verify(body, headers).envelope.webhookId}`;
      } finally {
        verifier.free();
      }
    }
    if (store.get(`seen/${key}`) !== null) {
      throw Object.assign(new Error("this delivery was already received"), { code: "WEBHOOK_REPLAYED" });
    }
  };

  /** @type {(res: import("node:http").ServerResponse, status: number, body: unknown) => void} */
  const send = (res, status, body) => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };

  const server = createServer(async (req, res) => {
    const started = Date.now();
    const path = (req.url ?? "/").split("?")[0];
    /** @type {string} */
    let outcome = "";
    try {
      if (req.method === "GET" && path === "/health") {
        send(res, 200, { ok: true });
        return;
      }
      const outseta = path.match(/^\/webhooks\/outseta\/([^/]+)$/);
      if (!outseta && path !== "/webhooks/ghl") {
        send(res, 404, { error: { code: "NOT_FOUND", message: `no route ${path}` } });
        return;
      }
      if (req.method !== "POST") {
        res.setHeader("allow", "POST");
        send(res, 405, { error: { code: "METHOD_NOT_ALLOWED", message: "webhooks are POSTed" } });
        return;
      }
      /** @type {Buffer[]} */
      const chunks = [];
      let size = 0;
      for await (const chunk of req) {
        size += chunk.length;
        if (size > MAX_BODY) {
          send(res, 413, { error: { code: "WEBHOOK_INVALID", message: "the body is over 2 MiB" } });
          return;
        }
        chunks.push(chunk);
      }
      const body = new Uint8Array(Buffer.concat(chunks));
      /** @type {Record<string, string>} */
      const headers = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      try {
        refuseReplay(outseta ? decodeURIComponent(outseta[1]) : null, body, headers);
        const result = outseta
          ? await engine.handleOutsetaWebhook(decodeURIComponent(outseta[1]), body, headers)
          : await engine.handleGhlWebhook(body, headers);
        const failed = result.pairs.filter((p) => p.error || p.results.some((r) => !r.ok));
        outcome = `${result.trigger}${result.skipped ? ` skipped: ${result.skipped}` : ""} pairs ${result.pairs.length}`;
        if (failed.length > 0) {
          const error = failed[0].error ?? failed[0].results.find((r) => !r.ok)?.error;
          outcome += ` failed ${failed.length}`;
          send(res, 500, { trigger: result.trigger, pairs: result.pairs.length, failed: failed.length, error: error && { code: error.code, message: redact(error.message) } });
          return;
        }
        send(res, 200, { ok: true, trigger: result.trigger, skipped: result.skipped ?? null, pairs: result.pairs.length });
      } catch (err) {
        const code = err instanceof Error && "code" in err && typeof err.code === "string" ? err.code : "INTERNAL";
        const message = redact(messageOf(err));
        outcome = `${code}: ${message}`;
        send(res, statusFor(code), { error: { code, message } });
      }
    } catch (err) {
      outcome = `INTERNAL: ${redact(messageOf(err))}`;
      if (!res.headersSent) send(res, 500, { error: { code: "INTERNAL", message: redact(messageOf(err)) } });
    } finally {
      process.stderr.write(`${req.method} ${path} ${res.statusCode} ${Date.now() - started}ms${outcome ? ` ${outcome}` : ""}\n`);
    }
  });

  await new Promise((resolve, reject) => {
    server.once("error", (err) => reject(Object.assign(new Error(`cannot listen on ${host}:${port}: ${messageOf(err)}`), { code: "SERVE_FAILED" })));
    server.listen(port, host, () => resolve(undefined));
  }).catch((err) => {
    store.close();
    throw err;
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  process.stderr.write(`listening on http://${host.includes(":") ? `[${host}]` : host}:${actualPort}\n`);

  return new Promise((resolve) => {
    const stop = (/** @type {string} */ signal) => {
      process.stderr.write(`${signal}: stopping\n`);
      server.closeAllConnections?.();
      server.close(() => {
        store.close();
        resolve(0);
      });
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
