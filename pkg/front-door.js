// What the Worker (worker-app.js) and `serve` (commands/serve.js) do alike before the
// engine sees a request: read no more of a body than its route's limit, and answer each
// coded error with the same HTTP status. Plain JS, no runtime APIs: both load it.

/**
 * The HTTP status for a coded error at the front door. Unknown codes are 500: a failed
 * sync or store is worth the sender's retry, bad input is not.
 * @param {string | undefined} code
 */
export function statusFor(code) {
  switch (code) {
    case "SIGNATURE_INVALID":
    case "WEBHOOK_STALE":
    case "UNAUTHORIZED":
      return 401;
    // Signed by HighLevel, so not a 401 (that would send the operator hunting for a key
    // problem), and refused, so not a 2xx that would hide a misrouted install. HighLevel
    // retries only on 429, so any other 4xx is final: a retry could not change it.
    case "WEBHOOK_WRONG_LOCATION":
      return 403;
    case "NOT_FOUND":
      return 404;
    case "METHOD_NOT_ALLOWED":
      return 405;
    case "WEBHOOK_REPLAYED":
      return 409;
    case "BODY_TOO_LARGE":
      return 413;
    case "INPUT_INVALID":
    case "WEBHOOK_INVALID":
    case "WEBHOOK_UNKNOWN_EVENT":
    case "OUTSETA_WEBHOOK_INVALID":
    case "MAPPING_INVALID":
    case "TAGS_TOO_MANY":
      return 400;
    case "NOT_CONFIGURED":
      return 503;
    default:
      return 500;
  }
}

/**
 * The most of a refused body a host reads on and drops before answering 413: a body
 * left half-read broke the next request on its connection (the Worker, under wrangler
 * dev) or lost the answer to the sender's EPIPE (Node). Nothing of it is kept. It is what
 * Cloudflare lets through on most plans; past it the host closes the connection.
 */
export const DRAIN_MAX = 100 << 20;

/** @param {number} limit */
const tooLarge = (limit) =>
  Object.assign(new Error(`the body is over the ${limit}-byte limit`), { code: "BODY_TOO_LARGE", details: { limit } });

/**
 * Reads a body of at most `limit` bytes: refused by its declared length before a byte is
 * read, and by a running count as it streams (a chunked body declares none), so at most
 * `limit` plus one chunk is ever held. Throws a coded `BODY_TOO_LARGE`, with the
 * iterator closed (`return()`) and the stream's rest unread: the host drops it (see
 * DRAIN_MAX), so a stream should be one that closing does not destroy.
 * @param {AsyncIterable<Uint8Array> | null | undefined} chunks the body's stream
 * @param {string | null | undefined} declared the Content-Length header
 * @param {number} limit
 * @returns {Promise<Uint8Array>}
 */
export async function readBody(chunks, declared, limit) {
  // A header that is not a plain number is no promise of a size: the count decides.
  if (declared != null && /^\d+$/.test(declared.trim()) && Number(declared) > limit) throw tooLarge(limit);
  if (!chunks) return new Uint8Array(0);
  const iterator = chunks[Symbol.asyncIterator]();
  /** @type {Uint8Array[]} */
  const parts = [];
  let size = 0;
  for (;;) {
    const { done, value } = await iterator.next();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await iterator.return?.();
      throw tooLarge(limit);
    }
    parts.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    body.set(part, at);
    at += part.byteLength;
  }
  return body;
}
