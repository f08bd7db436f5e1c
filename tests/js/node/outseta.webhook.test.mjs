// Outseta activity notifications end to end: the simulator delivers signed webhooks to a
// local receiver that verifies and parses them with the wasm build; then every way a
// delivery can be bad, each a coded error and never a trapped instance.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { OutsetaClient, parseOutsetaWebhook, verifyOutsetaSignature, mapContact } from "outseta-ghl-sync";
import { signBody, startOutsetaSim } from "../../sim/outseta.mjs";

const KEY = "5f1e4c2b9a7d3e8f0b6a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5";
const OTHER_KEY = "00".repeat(32);

/** A webhook endpoint as an integrator writes it: one route per event, idempotent. */
function startReceiver() {
  const seen = new Map(); // idempotencyKey -> event
  const attempts = [];
  const failFirst = new Map(); // event -> how many deliveries to answer 500 (after processing)
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const event = req.url.split("/").pop();
      const body = new Uint8Array(Buffer.concat(chunks));
      try {
        const parsed = parseOutsetaWebhook(event, body, req.headers["x-hub-signature-256"], KEY);
        attempts.push(parsed.idempotencyKey);
        if (!seen.has(parsed.idempotencyKey)) seen.set(parsed.idempotencyKey, parsed);
        const left = failFirst.get(event) ?? 0;
        if (left > 0) {
          failFirst.set(event, left - 1);
          res.writeHead(500).end();
          return;
        }
        res.writeHead(200).end();
      } catch (err) {
        res.writeHead(err.code === "SIGNATURE_INVALID" ? 401 : 400).end(err.code);
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}/webhooks/outseta`, seen, attempts, failFirst, close: () => server.close() }),
    ),
  );
}

async function until(check, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let receiver;
let server;
let client;

before(async () => {
  receiver = await startReceiver();
  server = await startOutsetaSim({
    signingKey: KEY,
    // 20 minutes between retries, scaled down to 20 ms.
    timeScale: 20 / (20 * 60 * 1000),
    webhooks: Object.fromEntries(
      ["person-created", "person-updated", "person-deleted", "account-created"].map((e) => [e, `${receiver.url}/${e}`]),
    ),
  });
  client = new OutsetaClient({ baseUrl: server.baseUrl, apiKey: "test-key", secretKey: "test-secret" });
});
after(async () => {
  await server.close();
  receiver.close();
});

test("create, update and delete reach the receiver signed, as the bare record", async () => {
  const person = await client.createPerson({ Email: "hook@example.com", FirstName: "Hook", CoffeePreference: "Mocha" });
  await client.updatePerson(person.Uid, { LastName: "Line" });
  await client.deletePerson(person.Uid);
  await until(() => receiver.seen.size >= 3, "three deliveries");
  const events = [...receiver.seen.values()];
  assert.deepEqual(events.map((e) => [e.event, e.activityType, e.entity, e.uid]), [
    ["PersonCreated", 200, "Person", person.Uid],
    ["PersonUpdated", 201, "Person", person.Uid],
    ["PersonDeleted", 202, "Person", person.Uid],
  ]);
  assert.equal(events[1].record.LastName, "Line");
  assert.equal(events[0].record.CoffeePreference, "Mocha");
  assert.ok(!("event" in events[0].record), "the body carries no event type");
  // The parsed record feeds the mapping directly.
  assert.deepEqual(mapContact(events[1].record), { email: "hook@example.com", firstName: "Hook", lastName: "Line" });
});

test("a failed delivery is retried with the same body, and the idempotency key dedupes it", async () => {
  receiver.failFirst.set("account-created", 2);
  const account = await client.createAccount({ Name: "Retry Co", PersonAccount: [{ Person: { Email: "retry@example.com" } }] });
  await until(() => server.sim.deliveries.some((d) => d.uid === account.Uid && d.delivered), "the third attempt");
  const delivery = server.sim.deliveries.find((d) => d.uid === account.Uid);
  assert.deepEqual(delivery.statuses, [500, 500, 200]);
  const keys = receiver.attempts.filter((k) => k.includes(`:${account.Uid}:`));
  assert.equal(keys.length, 3);
  assert.equal(new Set(keys).size, 1, "every retry carries the same idempotency key");
  assert.equal([...receiver.seen.values()].filter((e) => e.uid === account.Uid).length, 1);
});

test("signatures: valid, tampered, wrong key, missing header, malformed header", async () => {
  const { body, signature } = server.sim.deliveries[0];
  assert.equal(signature, signBody(KEY, body));
  assert.equal(verifyOutsetaSignature(KEY, body, signature), undefined);
  assert.equal(verifyOutsetaSignature(KEY, new TextEncoder().encode(body), signature), undefined);
  assert.equal(verifyOutsetaSignature(KEY.toUpperCase(), body, signature.toUpperCase().replace("SHA256=", "sha256=")), undefined);
  const reason = (fn) => {
    try {
      fn();
    } catch (err) {
      assert.equal(err.name, "OutsetaGhlSyncError");
      return `${err.code}:${err.details.reason}`;
    }
    return "accepted";
  };
  const tampered = body.replace("hook@example.com", "hack@example.com");
  assert.equal(reason(() => verifyOutsetaSignature(KEY, tampered, signature)), "SIGNATURE_INVALID:mismatch");
  assert.equal(reason(() => verifyOutsetaSignature(OTHER_KEY, body, signature)), "SIGNATURE_INVALID:mismatch");
  assert.equal(reason(() => verifyOutsetaSignature(KEY, body, undefined)), "SIGNATURE_INVALID:missing");
  assert.equal(reason(() => verifyOutsetaSignature(KEY, body, null)), "SIGNATURE_INVALID:missing");
  assert.equal(reason(() => verifyOutsetaSignature(KEY, body, "sha1=abc")), "SIGNATURE_INVALID:malformed");
  assert.equal(reason(() => verifyOutsetaSignature(KEY, body, signature.slice(7))), "SIGNATURE_INVALID:malformed");
  assert.equal(reason(() => verifyOutsetaSignature("abc", body, signature)), "INPUT_INVALID:key");
  assert.equal(reason(() => parseOutsetaWebhook("person-created", tampered, signature, KEY)), "SIGNATURE_INVALID:mismatch");

  // Through HTTP: a forged delivery is refused by the receiver.
  const forged = await fetch(`${receiver.url}/person-updated`, {
    method: "POST", body, headers: { "x-hub-signature-256": signBody(OTHER_KEY, body) },
  });
  assert.equal(forged.status, 401);
  assert.equal(await forged.text(), "SIGNATURE_INVALID");
});

test("bad deliveries are coded errors and the instance keeps working", () => {
  const signed = (body) => [body, signBody(KEY, body)];
  const code = (event, body, signature, key = KEY) => {
    try {
      parseOutsetaWebhook(event, body, signature, key);
      return "accepted";
    } catch (err) {
      return `${err.code}:${err.details.reason}`;
    }
  };
  assert.equal(code("person-created", ...signed("{not json")), "OUTSETA_WEBHOOK_INVALID:payload");
  assert.equal(code("person-created", ...signed('{"Uid":"p1","Email":5}')), "OUTSETA_WEBHOOK_INVALID:payload");
  assert.equal(code("person-created", ...signed('{"Uid":"p1","Created":"yesterday"}')), "OUTSETA_WEBHOOK_INVALID:payload");
  assert.equal(code("person-created", ...signed('{"Email":"no-uid@example.com"}')), "OUTSETA_WEBHOOK_INVALID:payload");
  assert.equal(code("person-created", ...signed("[1,2,3]")), "OUTSETA_WEBHOOK_INVALID:payload");
  assert.equal(code("person-created", ...signed("[".repeat(100000))), "OUTSETA_WEBHOOK_INVALID:payload");
  assert.equal(code("person-exploded", ...signed('{"Uid":"p1"}')), "OUTSETA_WEBHOOK_INVALID:event");
  const huge = JSON.stringify({ Uid: "p1", Notes: "x".repeat(2 << 20) });
  // Refused by its length, signed or not (a 413 at the front door).
  assert.equal(code("person-created", ...signed(huge)), "BODY_TOO_LARGE:undefined");
  assert.equal(code("person-created", huge, undefined), "BODY_TOO_LARGE:undefined");
  assert.equal(code("person-created", new Uint8Array([0xff, 0xfe, 0x00]), signBody(KEY, Buffer.from([0xff, 0xfe, 0x00]))), "OUTSETA_WEBHOOK_INVALID:payload");
  assert.match(code("person-created", 42, "sha256=00"), /^INPUT_INVALID:/);
  assert.match(code(201, "{}", "sha256=00"), /^INPUT_INVALID:/);
  assert.match(code("person-created", "{}", 7), /^INPUT_INVALID:/);
  // Still alive, and the same event under every spelling.
  const [body, signature] = signed('{"Uid":"p1","Email":"a@b.co","Updated":"0001-01-01T00:00:00"}');
  for (const name of ["person-updated", "PersonUpdated", "person_updated", "Person Updated", "201"]) {
    assert.equal(parseOutsetaWebhook(name, body, signature, KEY).event, "PersonUpdated", name);
  }
  const account = parseOutsetaWebhook("AccountUpdated", ...signed('{"Uid":"a1","Name":"Acme","AccountStage":1,"Mascot":"Owl"}'), KEY);
  assert.deepEqual([account.entity, account.record.AccountStage, account.record.Mascot], ["Account", 1, "Owl"]);
});
