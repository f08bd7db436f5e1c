// `outseta-ghl-sync serve [--port N] [--host H]`: a local webhook receiver for people
// who don't deploy the Worker.
import { createServer } from "node:http";
import { GhlWebhookVerifier, parseOutsetaWebhook, webhookBodyLimit } from "../node.js";
import { DRAIN_MAX, readBody, statusFor } from "../front-door.js";
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
A body over 1 MiB gets 413 by its length. The signature is checked before anything
else: a bad or missing signature, or a GHL delivery outside its 5-minute timestamp
window, gets 401 and changes nothing; a delivery already received gets 409; a GHL
delivery for another location than ghl.locationId, 403. A body it cannot use gets
400; a sync that failed gets 500, so the sender retries. One line per request on stderr
(the route, status and outcome; nothing a refused request sent).
Put it behind your own HTTPS proxy to receive webhooks from the internet.
  --port N           the port (default 8787; 0 picks a free one)
  --host HOST        the address to listen on (default 127.0.0.1)
${ENGINE_USAGE}Stops on SIGINT or SIGTERM. Exit codes: 0 stopped, 1 could not start (the error's code
is printed), 2 usage error.
`;

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
      const verifier = new GhlWebhookVerifier({ ...options.webhooks?.ghl, locationId: options.ghl?.locationId });
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

  const bodyLimit = webhookBodyLimit();
  /**
   * Reads the rest of a refused body and drops it, up to DRAIN_MAX, past which the
   * connection is closed: an answer sent while the sender is still sending is lost to
   * its EPIPE.
   * @param {import("node:http").IncomingMessage} req
   */
  const drop = (req) =>
    new Promise((resolve) => {
      let dropped = 0;
      req.on("data", (chunk) => {
        dropped += chunk.length;
        if (dropped > DRAIN_MAX) req.destroy();
      });
      req.once("end", resolve).once("close", resolve).once("error", resolve);
      req.resume();
    });
  const server = createServer(async (req, res) => {
    const started = Date.now();
    // What the log line names: the route, never the path or anything else sent.
    let route = "(no route)";
    /** @type {string} */
    let outcome = "";
    try {
      // Routing compares the path as sent; nothing of it is decoded. The Outseta event
      // is the raw segment, which the engine reads only once the signature is checked.
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/health") {
        route = "/health";
        if (req.method !== "GET") {
          send(res, 405, { error: { code: "METHOD_NOT_ALLOWED", message: "use GET" } });
          return;
        }
        send(res, 200, { ok: true });
        return;
      }
      const outseta = path.match(/^\/webhooks\/outseta\/([^/]+)$/);
      if (!outseta && path !== "/webhooks/ghl") {
        send(res, 404, { error: { code: "NOT_FOUND", message: "no such route" } });
        return;
      }
      route = outseta ? "/webhooks/outseta/:event" : "/webhooks/ghl";
      if (req.method !== "POST") {
        res.setHeader("allow", "POST");
        send(res, 405, { error: { code: "METHOD_NOT_ALLOWED", message: "webhooks are POSTed" } });
        return;
      }
      try {
        const body = await readBody(req.iterator({ destroyOnReturn: false }), req.headers["content-length"], bodyLimit).catch(async (err) => {
          await drop(req);
          throw err;
        });
        /** @type {Record<string, string>} */
        const headers = {};
        for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
        refuseReplay(outseta ? outseta[1] : null, body, headers);
        const result = outseta
          ? await engine.handleOutsetaWebhook(outseta[1], body, headers)
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
        const status = statusFor(code);
        // A refusal before the signature held says nothing of what was sent.
        outcome = status === 401 || status === 413 ? code : `${code}: ${message}`;
        send(res, status, { error: { code, message } });
      }
    } catch (err) {
      outcome = `INTERNAL: ${redact(messageOf(err))}`;
      if (!res.headersSent) send(res, 500, { error: { code: "INTERNAL", message: redact(messageOf(err)) } });
    } finally {
      process.stderr.write(`${req.method} ${route} ${res.statusCode} ${Date.now() - started}ms${outcome ? ` ${outcome}` : ""}\n`);
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
