// Bad input, from tests/corpus/ and generated here (huge strings, 100k-deep nesting,
// bodies over the limits): malformed webhook bodies (signed, so they reach the parser),
// mapping specs, CSV files and API responses. Each gives an error with a `code`, or a
// harmless result, never an uncoded throw or a trap; and nothing changes: the store and
// both simulators are as they were, and no write reaches a server.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { createServer } from "node:http";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GhlClient, OutsetaClient, SyncEngine, mapContact, previewMapping, validateMapping } from "outseta-ghl-sync";
import { readRecords } from "../../../www/records.js";
import { parseCsv } from "../../../www/csv.js";
import { ROOT } from "../helpers.mjs";
import { startGhlSim } from "../../sim/ghl.mjs";
import { signBody, startOutsetaSim } from "../../sim/outseta.mjs";
import { mapStore } from "../../support/sync-harness.mjs";

const CORPUS = join(ROOT, "tests/corpus");
const corpus = (dir) => readdirSync(join(CORPUS, dir)).sort().map((name) => [`${dir}/${name}`, readFileSync(join(CORPUS, dir, name))]);
const DEEP = 100_000;
/** Generated inputs no file should hold: 100k-deep nesting, a 900 KB string, a body over 1 MiB. */
const generated = [
  ["generated/deep-arrays", Buffer.from("[".repeat(DEEP) + "]".repeat(DEEP))],
  ["generated/deep-objects", Buffer.from('{"a":'.repeat(DEEP) + "1" + "}".repeat(DEEP))],
  ["generated/deep-unclosed", Buffer.from('{"Uid":"x","a":' + "[".repeat(DEEP))],
  ["generated/huge-string", Buffer.from(JSON.stringify({ Uid: "x".repeat(900_000), Email: "a@b.co", type: "ContactCreate", id: "y".repeat(900_000) }))],
  ["generated/over-1mib", Buffer.from(JSON.stringify({ Uid: "DQ2DyknW", Email: "a@b.co", Notes: "n".repeat(1_200_000) }))],
  ["generated/huge-number", Buffer.from(`{"Uid":"DQ2DyknW","Account":{"AccountStage":${"9".repeat(100_000)}}}`)],
];

const LOC = "loc_sim";
const signingKey = "ab".repeat(32);
const ghlKey = generateKeyPairSync("ed25519");
const codeOf = (err) => (err && typeof err.code === "string" ? err.code : `uncoded ${err?.constructor?.name}: ${String(err?.message ?? err).slice(0, 200)}`);

let ghl, outseta;
before(async () => {
  ghl = await startGhlSim({ rateLimit: false, duplicates: "email" });
  outseta = await startOutsetaSim({ rateLimit: false, signingKey });
  outseta.sim.createPerson({ Email: "real@example.com", FirstName: "Real" }, { silent: true });
});
after(() => Promise.all([ghl?.close(), outseta?.close()]));

const writesTo = () => ({
  ghl: Object.entries(ghl.stats().byOperation).filter(([op]) => !/^(get|list|search|find)/i.test(op)),
  outseta: outseta.sim.stats.byRoute ? Object.entries(outseta.sim.stats.byRoute).filter(([route]) => !route.startsWith("GET")) : [],
});
const simState = async () => ({
  ghl: await fetch(`${ghl.url}/_sim/state`).then((r) => r.json()),
  outseta: await fetch(`${outseta.url}/_sim/state`).then((r) => r.json()),
  writes: writesTo(),
});
const engineOn = (store, extra = {}) => new SyncEngine({
  ghl: { locationId: LOC, token: "sim-token", baseUrl: ghl.url, rateLimit: { burst: 1000, windowMs: 1000 }, retry: { maxAttempts: 1 } },
  outseta: { baseUrl: outseta.baseUrl, apiKey: "test-key", secretKey: "test-secret", rateLimit: false, retry: { maxAttempts: 1 } },
  store,
  webhooks: { outsetaSigningKey: signingKey, ghl: { ed25519Keys: [ghlKey.publicKey.export({ type: "spki", format: "pem" })], rsaKeys: [] } },
  ...extra,
});

test("malformed webhook bodies, correctly signed, give coded errors and change nothing; the engine serves the next delivery", async () => {
  const map = new Map();
  const engine = engineOn(mapStore(map));
  const before = await simState();
  const outcomes = [];
  for (const [name, body] of [...corpus("webhooks"), ...generated]) {
    for (const event of ["PersonUpdated", "AccountUpdated", "PersonDeleted"]) {
      try {
        const run = await engine.handleOutsetaWebhook(event, new Uint8Array(body), { "x-hub-signature-256": signBody(signingKey, body) });
        // Parsed (e.g. a valid person with a huge Uid): nothing may have been written.
        outcomes.push([`outseta ${event} ${name}`, `ran: ${run.skipped ?? run.pairs.map((p) => p.error?.code ?? "ok").join(",")}`]);
      } catch (err) {
        outcomes.push([`outseta ${event} ${name}`, codeOf(err)]);
      }
    }
    // GHL: the timestamp and id are fresh, so what fails is the body itself.
    let text = body.toString("latin1");
    try {
      const value = JSON.parse(body.toString("utf8"));
      if (value && typeof value === "object" && !Array.isArray(value)) text = JSON.stringify({ ...value, webhookId: `w-${name}`, timestamp: new Date().toISOString() });
    } catch {}
    const raw = text === body.toString("latin1") ? body : Buffer.from(text);
    try {
      await engine.handleGhlWebhook(new Uint8Array(raw), { "x-ghl-signature": sign(null, raw, ghlKey.privateKey).toString("base64") });
      outcomes.push([`ghl ${name}`, "ran"]);
    } catch (err) {
      outcomes.push([`ghl ${name}`, codeOf(err)]);
    }
  }
  const uncoded = outcomes.filter(([, o]) => o.startsWith("uncoded"));
  assert.deepEqual(uncoded, [], JSON.stringify(outcomes, null, 1));
  const ran = outcomes.filter(([, o]) => o.startsWith("ran"));
  assert.ok(ran.length <= 6, `almost every bad body is refused: ${JSON.stringify(ran)}`);
  assert.deepEqual(await simState(), before, "no write reached either simulator");
  // Claims (seen/) and their expiry index (seen-until/); what the engine read of both
  // APIs' definitions (cache/) is not pair state either.
  assert.deepEqual([...map.keys()].filter((k) => !/^(seen|seen-until|cache)\//.test(k)), [], "the store holds no links, snapshots or cursors");
  // Still serving: a real signed delivery goes through.
  const uid = [...outseta.sim.people.values()][0].Uid;
  const good = JSON.stringify(outseta.sim.renderPerson(uid, false));
  const run = await engine.handleOutsetaWebhook("PersonUpdated", good, { "x-hub-signature-256": signBody(signingKey, good) });
  assert.equal(run.pairs.length, 1, JSON.stringify(run));
  assert.equal(run.pairs[0].error, undefined, JSON.stringify(run.pairs[0].error));
});

test("malformed mapping specs give coded errors, in-process and through the CLI's preview", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ogs-bad-mapping-"));
  try {
    writeFileSync(join(dir, "people.json"), JSON.stringify([{ Uid: "p1", Email: "a@b.co", FirstName: "Ann" }]));
    const deep = Buffer.from('{"version":1,"fields":[{"outseta":"Email","ghl":"email","transforms":[' + '{"map":'.repeat(DEEP) + "1" + "}".repeat(DEEP) + "]}]}");
    const huge = Buffer.from(JSON.stringify({ version: 1, fields: [{ outseta: "E".repeat(2_000_000), ghl: "email" }] }));
    for (const [name, bytes] of [...corpus("mappings"), ["generated/deep", deep], ["generated/huge", huge]]) {
      // The CLI reads the file as users give it.
      const file = join(dir, "spec.json");
      writeFileSync(file, bytes);
      const run = spawnSync(process.execPath, [join(ROOT, "pkg/cli.js"), "preview", "--input", join(dir, "people.json"), "--mapping", file], { encoding: "utf8", timeout: 60_000 });
      // A 2 MB field path is absurd but well-formed: it maps nothing, and may pass.
      if (name === "generated/huge" && run.status === 0) continue;
      assert.equal(run.status, 1, `${name}: exit ${run.status} ${run.stderr.slice(0, 300)}`);
      assert.match(run.stderr, /\b(INPUT_INVALID|MAPPING_INVALID|MAPPING_NO_IDENTITY)\b/, `${name}: ${run.stderr.slice(0, 300)}`);
      // In-process, on whatever JSON.parse makes of it.
      let spec;
      try {
        spec = JSON.parse(bytes.toString("utf8"));
      } catch {
        continue;
      }
      let validated;
      try {
        validated = validateMapping(spec);
      } catch (err) {
        assert.equal(typeof err.code, "string", `${name}: ${codeOf(err)}`);
      }
      if (validated) {
        assert.equal(validated.valid, false, name);
        for (const p of validated.problems) assert.equal(typeof p.code, "string", `${name}: ${JSON.stringify(p)}`);
      }
      assert.throws(() => engineOn(mapStore(), { mapping: spec }), (e) => typeof e.code === "string", name);
      const preview = (() => { try { return previewMapping([{ Email: "a@b.co" }], spec); } catch (e) { return e; } })();
      assert.ok(preview instanceof Error ? typeof preview.code === "string" : Array.isArray(preview), name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("malformed CSV and JSON record files give INPUT_INVALID or records; mapping what was read never throws uncoded", () => {
  const manyRows = Buffer.from("Email,First Name\n" + Array.from({ length: 20_000 }, (_, i) => `p${i}@b.co,"N""${i}"`).join("\n"));
  const hugeField = Buffer.from(`Email,Notes\na@b.co,"${"x".repeat(5_000_000)}"\n`);
  const deepJson = Buffer.from("[".repeat(DEEP) + "]".repeat(DEEP));
  for (const [name, bytes] of [...corpus("csv"), ["generated/many-rows.csv", manyRows], ["generated/huge-field.csv", hugeField], ["generated/deep.json", deepJson]]) {
    // As the page reads a dropped file: decoded as UTF-8, invalid bytes replaced.
    const text = new TextDecoder().decode(bytes);
    let data;
    try {
      data = readRecords(text, { name });
    } catch (err) {
      assert.equal(codeOf(err), "INPUT_INVALID", name);
      continue;
    }
    assert.ok(Array.isArray(data.records), name);
    assert.equal(Object.prototype.polluted, undefined, `${name} polluted Object.prototype`);
    if (data.format === "csv") for (const record of data.records) assert.equal(Object.getPrototypeOf(record), Object.prototype, name);
    for (const record of data.records.slice(0, 200)) {
      try {
        mapContact(record);
      } catch (err) {
        assert.ok(typeof err.code === "string", `${name}: ${codeOf(err)}`);
      }
    }
    try {
      const preview = previewMapping(data.records.slice(0, 200), null);
      assert.equal(preview.length, Math.min(200, data.records.length), name);
    } catch (err) {
      assert.equal(codeOf(err), "INPUT_INVALID", name);
    }
  }
});

/** A server answering every request with `body` (status 200, JSON content type); counts writes. */
async function badServer() {
  const server = createServer(async (req, res) => {
    for await (const _ of req);
    const read = req.method === "GET" || (req.method === "POST" && /search|duplicate/.test(req.url));
    if (!read) state.writes.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "application/json" }).end(state.body);
  });
  const state = { body: Buffer.alloc(0), writes: [], close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  state.url = `http://127.0.0.1:${server.address().port}`;
  return state;
}

test("malformed API responses give coded errors from both clients and the engine; nothing is written and the store is unchanged", async (t) => {
  const server = await badServer();
  t.after(() => server.close());
  const fast = { retry: { maxAttempts: 1 }, timeoutMs: 10_000 };
  const ghlClient = new GhlClient({ locationId: LOC, token: "t", baseUrl: server.url, rateLimit: { burst: 1000, windowMs: 1000 }, ...fast });
  const outsetaClient = new OutsetaClient({ baseUrl: `${server.url}/api/v1`, apiKey: "k", secretKey: "s", rateLimit: false, ...fast });
  const map = new Map([["link/o/keep", "{}"]]);
  const engine = new SyncEngine({
    ghl: { locationId: LOC, token: "t", baseUrl: server.url, rateLimit: { burst: 1000, windowMs: 1000 }, ...fast },
    outseta: { baseUrl: `${server.url}/api/v1`, apiKey: "k", secretKey: "s", rateLimit: false, ...fast },
    store: mapStore(map),
  });
  const deep = Buffer.from('{"contact":' + "[".repeat(DEEP) + "]".repeat(DEEP) + "}");
  const huge = Buffer.from(JSON.stringify({ contact: { id: "c1", email: "a@b.co", firstName: "x".repeat(8_000_000) }, items: [], metadata: { total: 0 } }));
  const outcomes = [];
  const calls = [
    ["ghl getContact", () => ghlClient.getContact("c1")],
    ["ghl searchContacts", () => ghlClient.searchContacts({ pageLimit: 10 })],
    ["ghl listNotes", () => ghlClient.listNotes("c1")],
    ["outseta getPerson", () => outsetaClient.getPerson("p1")],
    ["outseta listPeople", () => outsetaClient.listPeople({ limit: 10 })],
    ["engine import", () => engine.bulkImport({})],
    ["engine reconcile", () => engine.reconcile({ html: true })],
    ["engine timeline", () => engine.timeline({ outsetaUid: "p1" })],
  ];
  for (const [name, body] of [...corpus("responses"), ["generated/deep", deep], ["generated/huge", huge]]) {
    server.body = body;
    for (const [what, call] of calls) {
      try {
        const value = await call();
        outcomes.push([`${what} ${name}`, `value ${JSON.stringify(value).length}`]);
      } catch (err) {
        outcomes.push([`${what} ${name}`, codeOf(err)]);
      }
    }
  }
  assert.deepEqual(outcomes.filter(([, o]) => o.startsWith("uncoded")), [], JSON.stringify(outcomes, null, 1));
  // The huge-but-valid contact may decode, and invalid UTF-8 is decoded as fetch does
  // (WHATWG: each bad byte becomes U+FFFD); everything else malformed must not decode.
  const values = outcomes.filter(([w, o]) => o.startsWith("value") && !/generated\/huge|invalid-utf8|timeline|reconcile/.test(w));
  assert.deepEqual(values, [], "every malformed response is an error");
  assert.deepEqual(server.writes, [], "nothing was written on a response that could not be read");
  assert.deepEqual([...map.entries()], [["link/o/keep", "{}"]], "the store is unchanged");
});

test("the CSV reader on 5,000 random texts made of its own syntax: rows or INPUT_INVALID, nothing else", () => {
  // A seeded generator (mulberry32), so a failure names a reproducible case.
  let seed = 0x5eed;
  const random = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const alphabet = ['"', '"', ",", ";", "\t", "\r", "\n", "a", "b", " ", "\ufeff", "\u0000", "é", "😀"];
  for (let n = 0; n < 5000; n++) {
    const length = Math.floor(random() * 60);
    let text = "";
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
    try {
      const rows = parseCsv(text);
      assert.ok(rows.every((r) => Array.isArray(r) && r.every((f) => typeof f === "string")), JSON.stringify(text));
      readRecords(text);
    } catch (err) {
      assert.equal(codeOf(err), "INPUT_INVALID", `case ${n}: ${JSON.stringify(text)}`);
    }
  }
});
