// The Worker in the real workerd runtime (wrangler dev), called over HTTP on 127.0.0.1:
// one with an admin token, and one as deployed before any secret is set.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWorker } from "../../support/worker.mjs";
import { CRATE_VERSION, EXPECTED_CONTACT, PERSON } from "../helpers.mjs";

const token = randomBytes(16).toString("hex");
let worker, bare;
before(async () => {
  [worker, bare] = await Promise.all([
    startWorker({ vars: { ADMIN_TOKEN: token } }),
    startWorker({ persistTo: mkdtempSync(join(tmpdir(), "ogs-worker-bare-")) }),
  ]);
});
after(async () => {
  await Promise.all([worker?.stop(), bare?.stop()]);
});

const post = (path, body) =>
  fetch(`${worker.url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body });

test("GET /health reports the core's version", async () => {
  const res = await fetch(`${worker.url}/health`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ok: true, version: CRATE_VERSION });
});

test("POST /v1/map-contact runs the Rust mapping, for the admin token's holder", async () => {
  const res = await post("/v1/map-contact", JSON.stringify(PERSON));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), EXPECTED_CONTACT);
});

test("bad bodies get coded 4xx errors, and the Worker keeps serving", async () => {
  const cases = [
    ["{ truncated", 400, "INPUT_INVALID"],
    ["null", 400, "INPUT_INVALID"],
    [JSON.stringify({ Email: 42 }), 400, "INPUT_INVALID"],
    [JSON.stringify([1, 2]), 400, "INPUT_INVALID"],
    [JSON.stringify({ FirstName: "Ann" }), 422, "MAPPING_NO_IDENTITY"],
  ];
  for (const [body, status, code] of cases) {
    const res = await post("/v1/map-contact", body);
    assert.equal(res.status, status, body);
    assert.equal((await res.json()).error.code, code, body);
  }
  const again = await post("/v1/map-contact", JSON.stringify(PERSON));
  assert.deepEqual(await again.json(), EXPECTED_CONTACT);
});

test("unknown routes and wrong methods are refused: 401 without the token, 404 or 405 with it", async () => {
  const auth = { authorization: `Bearer ${token}` };
  assert.equal((await fetch(`${worker.url}/nope`)).status, 401);
  assert.equal((await fetch(`${worker.url}/nope`, { headers: auth })).status, 404);
  assert.equal((await fetch(`${worker.url}/v1/map-contact`)).status, 401);
  assert.equal((await fetch(`${worker.url}/v1/map-contact`, { headers: auth })).status, 405);
  assert.equal((await post("/health", "{}")).status, 405);
});

test("without OGS_TEST_TRAP the test-only routes do not exist; without ADMIN_TOKEN every route but the webhooks and /health is off", async () => {
  const auth = { authorization: `Bearer ${token}` };
  for (const path of ["/_test/trap", "/_test/conformance"]) {
    assert.equal((await fetch(`${worker.url}${path}`, { method: "POST", headers: auth })).status, 404, path);
  }
  assert.equal((await fetch(`${bare.url}/health`)).status, 200);
  for (const [method, path] of [["GET", "/admin/reconcile"], ["POST", "/v1/map-contact"], ["POST", "/v1/step"], ["GET", "/nope"]]) {
    const res = await fetch(`${bare.url}${path}`, { method, headers: { authorization: "Bearer " }, body: method === "POST" ? JSON.stringify(PERSON) : undefined });
    assert.equal(res.status, 503, path);
    assert.equal((await res.json()).error.code, "NOT_CONFIGURED", path);
  }
});
