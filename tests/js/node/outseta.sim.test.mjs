// The Outseta simulator itself, over raw HTTP: the behaviour the client tests rely on
// (envelope, page-number offsets, 400 body shape, unique email, 4 requests/second, test
// hooks, faults) and the command line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { startOutsetaSim } from "../../sim/outseta.mjs";
import { ROOT } from "../helpers.mjs";

const AUTH = { Authorization: "Outseta test-key:test-secret", "Content-Type": "application/json" };

async function call(base, method, path, body, headers = AUTH) {
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

test("lists use the {metadata, items} envelope with page-number offsets, limit 25 by default and 100 at most", async () => {
  const s = await startOutsetaSim({ rateLimit: false });
  try {
    s.sim.seed({ people: Array.from({ length: 230 }, (_, i) => ({ Email: `p${String(i).padStart(3, "0")}@example.com` })) });
    const first = await call(s.baseUrl, "GET", "/crm/people");
    assert.deepEqual(first.body.metadata, { limit: 25, offset: 0, total: 230 });
    assert.equal(first.body.items.length, 25);
    assert.equal(first.body.items[0]._objectType, "Person");
    const page2 = await call(s.baseUrl, "GET", "/crm/people?offset=2&limit=20");
    assert.deepEqual(page2.body.items.map((p) => p.Email).slice(0, 2), ["p040@example.com", "p041@example.com"]);
    const clamped = await call(s.baseUrl, "GET", "/crm/people?limit=500&offset=2");
    assert.deepEqual(clamped.body.metadata, { limit: 100, offset: 2, total: 230 });
    assert.equal(clamped.body.items.length, 30);
    assert.equal((await call(s.baseUrl, "GET", "/crm/people?offset=100&limit=100")).body.items.length, 0);
    assert.equal((await call(s.baseUrl, "GET", "/crm/people?offset=-1")).status, 400);
    const filtered = await call(s.baseUrl, "GET", "/crm/people?Email=P007@EXAMPLE.COM");
    assert.deepEqual(filtered.body.items.map((p) => p.Email), ["p007@example.com"]);
    const wildcard = await call(s.baseUrl, "GET", "/crm/people?Email=p22*&orderBy=Email+DESC");
    assert.deepEqual(wildcard.body.items.map((p) => p.Email).slice(0, 2), ["p229@example.com", "p228@example.com"]);
    const isnull = await call(s.baseUrl, "GET", "/crm/people?Title__isnull=true&limit=1");
    assert.equal(isnull.body.metadata.total, 230);
  } finally {
    await s.close();
  }
});

test("validation failures answer 400 with Outseta's body; emails are unique case-insensitively", async () => {
  const s = await startOutsetaSim({ rateLimit: false });
  try {
    assert.equal((await call(s.baseUrl, "POST", "/crm/people", { Email: "ann@example.com" })).status, 200);
    for (const [body, property] of [[{ Email: "ANN@example.com" }, "Email"], [{ Email: "nope" }, "Email"], [{}, "Email"], [{ Email: "b@example.com", LastName: 3 }, "LastName"]]) {
      const res = await call(s.baseUrl, "POST", "/crm/people", body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.ErrorMessage, /^Validation failed for one or more entities/);
      const [entity] = res.body.EntityValidationErrors;
      assert.equal(entity.TypeName, "Person");
      assert.deepEqual(Object.keys(entity.ValidationErrors[0]).sort(), ["ErrorCode", "ErrorMessage", "PropertyName"]);
      assert.equal(entity.ValidationErrors[0].PropertyName, property);
    }
    assert.equal((await call(s.baseUrl, "POST", "/crm/people", "{broken")).status, 400);
    assert.equal((await call(s.baseUrl, "POST", "/crm/people", JSON.stringify({ Email: "big@example.com", Notes: "x".repeat(1 << 20) }))).status, 413);
    assert.equal((await call(s.baseUrl, "POST", "/crm/accounts", { Name: "No people" })).status, 400);
    assert.equal((await call(s.baseUrl, "GET", "/crm/people/missing")).status, 404);
    assert.equal((await call(s.baseUrl, "GET", "/crm/people", undefined, {})).status, 401);
    assert.equal((await call(s.baseUrl, "GET", "/crm/people", undefined, { Authorization: "Outseta test-key:wrong" })).status, 401);
  } finally {
    await s.close();
  }
});

test("4 requests per second per key, then 429 with Retry-After; the window slides", async () => {
  const s = await startOutsetaSim();
  try {
    const statuses = await Promise.all(Array.from({ length: 7 }, () => call(s.baseUrl, "GET", "/crm/people").then((r) => r.status)));
    assert.deepEqual(statuses.sort(), [200, 200, 200, 200, 429, 429, 429]);
    const limited = await call(s.baseUrl, "GET", "/crm/people");
    assert.equal(limited.headers.get("retry-after"), "1");
    assert.ok(limited.body.Message);
    await new Promise((r) => setTimeout(r, 1050));
    assert.equal((await call(s.baseUrl, "GET", "/crm/people")).status, 200);
    const stats = (await call(s.url, "GET", "/_sim/stats")).body;
    assert.equal(stats.rateLimited, 4);
    assert.equal(stats.byRoute["GET /crm/people"], 9);
  } finally {
    await s.close();
  }
});

test("/_sim/ exposes state and counters, takes seeds and config, and resets", async () => {
  const s = await startOutsetaSim({ rateLimit: false, seed: { people: [{ Uid: "seed0001", Email: "s@example.com" }] } });
  try {
    await call(s.baseUrl, "GET", "/crm/people/seed0001");
    await call(s.baseUrl, "PUT", "/crm/people/seed0001", { FirstName: "Sam" });
    const stats = (await call(s.url, "GET", "/_sim/stats")).body;
    assert.deepEqual(stats.byRoute, { "GET /crm/people/:id": 1, "PUT /crm/people/:id": 1 });
    assert.equal(stats.requests, 2);
    const state = (await call(s.url, "GET", "/_sim/state")).body;
    assert.equal(state.people[0].FirstName, "Sam");
    assert.deepEqual(state.activities.map((a) => a.ActivityType), [201]);
    await call(s.url, "POST", "/_sim/seed", { people: [{ Email: "t@example.com" }] });
    assert.equal((await call(s.url, "GET", "/_sim/state")).body.people.length, 2);
    await call(s.url, "POST", "/_sim/config", { faults: { 500: 1 } });
    const failed = await call(s.baseUrl, "GET", "/crm/people");
    assert.deepEqual([failed.status, failed.body], [500, { Message: "An error has occurred." }]);
    await call(s.url, "POST", "/_sim/config", { faults: { drop: 1 } });
    await assert.rejects(fetch(`${s.baseUrl}/crm/people`, { headers: AUTH }));
    await call(s.url, "POST", "/_sim/config", { faults: {} });
    await call(s.url, "POST", "/_sim/reset");
    const reset = (await call(s.url, "GET", "/_sim/state")).body;
    assert.deepEqual(reset.people.map((p) => [p.Uid, p.FirstName]), [["seed0001", ""]]);
    assert.equal((await call(s.url, "GET", "/_sim/stats")).body.requests, 0);
  } finally {
    await s.close();
  }
});

test("the command line starts it on the given port and refuses unknown options", async () => {
  const child = spawn(process.execPath, ["tests/sim/outseta.mjs", "--port", "0", "--rate-limit", "off", "--signing-key", "ab".repeat(32),
    "--webhook", "person-created=http://127.0.0.1:9/hook", "--fault", "slow=0", "--time-scale", "0.001"], { cwd: ROOT });
  try {
    const [line] = await once(createInterface({ input: child.stdout }), "line");
    assert.match(line, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await call(`${line}/api/v1`, "POST", "/crm/people", { Email: "cli@example.com" });
    assert.equal(res.status, 200);
    const hooks = (await call(line, "GET", "/_sim/webhooks")).body;
    assert.equal(hooks[0].url, "http://127.0.0.1:9/hook");
    assert.match(hooks[0].signature, /^sha256=[0-9a-f]{64}$/);
  } finally {
    child.kill();
  }
  const bad = spawn(process.execPath, ["tests/sim/outseta.mjs", "--colour", "blue"], { cwd: ROOT });
  const [status] = await once(bad, "exit");
  assert.equal(status, 2);
});
