// The Worker in the real workerd runtime (wrangler dev), called over HTTP on 127.0.0.1.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startWorker } from "../../support/worker.mjs";
import { CRATE_VERSION, EXPECTED_CONTACT, PERSON } from "../helpers.mjs";

let worker;
before(async () => {
  worker = await startWorker();
});
after(async () => {
  await worker?.stop();
});

const post = (path, body) =>
  fetch(`${worker.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });

test("GET /health reports the core's version", async () => {
  const res = await fetch(`${worker.url}/health`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ok: true, version: CRATE_VERSION });
});

test("POST /v1/map-contact runs the Rust mapping", async () => {
  const res = await post("/v1/map-contact", JSON.stringify(PERSON));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), EXPECTED_CONTACT);
});

test("bad bodies get coded 4xx errors, and the Worker keeps serving", async () => {
  const cases = [
    ["{ truncated", 400, "INPUT_INVALID"],
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

test("unknown routes and wrong methods are refused", async () => {
  assert.equal((await fetch(`${worker.url}/nope`)).status, 404);
  assert.equal((await fetch(`${worker.url}/v1/map-contact`)).status, 405);
  assert.equal((await post("/health", "{}")).status, 405);
});

test("without OGS_TEST_TRAP the test-only trap route does not exist; without ADMIN_TOKEN the admin routes are off", async () => {
  const trap = await fetch(`${worker.url}/_test/trap`, { method: "POST" });
  assert.equal(trap.status, 404);
  const admin = await fetch(`${worker.url}/admin/reconcile`, { headers: { authorization: "Bearer " } });
  assert.equal(admin.status, 503);
  assert.equal((await admin.json()).error.code, "NOT_CONFIGURED");
});
