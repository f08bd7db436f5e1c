// Shared by the JS test files: the repository root and the sample Outseta person.
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const PERSON = JSON.parse(
  readFileSync(new URL("../fixtures/outseta-person.json", import.meta.url), "utf8"),
);
/** What the built-in mapping makes of PERSON, in every runtime. */
export const EXPECTED_CONTACT = {
  email: "jane.doe@example.com",
  firstName: "Jane",
  lastName: "Doe",
  phone: "+15550102030",
};
export const CRATE_VERSION = readFileSync(new URL("../../Cargo.toml", import.meta.url), "utf8")
  .match(/^version = "(.+)"$/m)[1];

/** Polls `check` (sync or async) every 100 ms until it returns something truthy. */
export async function until(check, what, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const got = await check();
    if (got) return got;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * POSTs a body of `size` bytes (spaces) in 1 MiB chunks, as a stranger streaming a huge
 * body would, and stops sending once an answer arrives. `chunked`: no Content-Length.
 * Resolves to { status, text, sent }: `sent` is how much had been written by then.
 * (Through node:http, which reads the answer while the body is still going out; fetch
 * reports the server closing early as a failed request and loses the status.)
 */
export function postHuge(url, size, { headers = {}, chunked = false } = {}) {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(1 << 20, 0x20);
    let sent = 0;
    let answered = false;
    const req = request(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(chunked ? {} : { "content-length": String(size) }), ...headers },
    });
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8").on("data", (d) => (text += d)).on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode, text, sent });
      });
    });
    // The server may close the connection mid-body once it has answered.
    req.on("error", (err) => { if (!answered) reject(err); });
    const pump = () => {
      while (!answered && sent < size) {
        const part = Math.min(chunk.length, size - sent);
        sent += part;
        if (!req.write(part === chunk.length ? chunk : chunk.subarray(0, part))) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}
