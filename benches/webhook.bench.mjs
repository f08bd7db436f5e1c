// CPU per webhook on the Worker's path, in Node: verify the signature and parse the
// Outseta Person (parseOutsetaWebhook), match it against 10,000 existing GHL contacts
// (DedupIndex.query), then map, merge and plan it against its stored pair state
// (planSync). Issue 8's goal: p99 at most 2 ms (a Worker on the free plan has 10 ms of CPU
// per request). The baseline is the same work's floor in plain JS: node:crypto's HMAC and
// JSON.parse of the body. Also the cold start: compiling and instantiating the wasm.
// It runs the build a Worker uploads (pkg/wasm/outseta_ghl_sync_bg.wasm, opt-level "s"),
// not the faster one the package's Node entry loads.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { initSync, parseOutsetaWebhook, planSync, DedupIndex } from "../pkg/wasm/outseta_ghl_sync.js";

initSync({ module: readFileSync(new URL("../pkg/wasm/outseta_ghl_sync_bg.wasm", import.meta.url)) });

const KEY = "5f1e4c2b9a7d3e8f0b6a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5";
const N = 2_000;

const contacts = Array.from({ length: 10_000 }, (_, i) => ({
  id: `g${i}`, email: `member${i}@example.com`, firstName: `Mem${i}`, lastName: ["Okafor", "Silva", "Tanaka", "Novak"][i % 4], phone: `+1555${String(1_000_000 + i)}`, tags: ["member"],
}));
const index = new DedupIndex();
index.add(contacts);

const deliveries = Array.from({ length: N }, (_, i) => {
  const j = i * 5;
  const body = JSON.stringify({
    Uid: `u${j}`, Email: `member${j}@example.com`, FirstName: `Mem${j}`, LastName: ["Okafor", "Silva", "Tanaka", "Novak"][j % 4],
    PhoneMobile: `(555) ${String(1_000_000 + j).slice(0, 3)}-${String(1_000_000 + j).slice(3)}`, Title: "Member", Timezone: "Europe/London",
    MailingAddress: { AddressLine1: `${j} High St`, City: "Leeds", PostalCode: "LS1 1AA" }, HasUnsubscribed: false,
    Created: "2026-01-01T10:00:00", Updated: "2026-11-27T10:00:00.1234567Z",
  });
  return { body, signature: "sha256=" + createHmac("sha256", Buffer.from(KEY, "hex")).update(body).digest("hex"), contact: contacts[j] };
});

// The pair's stored state after a first sync, so the plan is a real three-way merge.
const states = deliveries.map((d) => {
  const [plan] = planSync({ pairs: [{ outseta: JSON.parse(d.body), ghl: d.contact }] });
  return plan.state;
});

function webhook(i) {
  const d = deliveries[i];
  const event = parseOutsetaWebhook("person-updated", d.body, d.signature, KEY);
  const person = { ...event.record, FirstName: `${event.record.FirstName}-x` };
  const match = index.query(person);
  if (match.candidates[0]?.id !== d.contact.id) throw new Error(`no match for ${person.Uid}`);
  const [plan] = planSync({ pairs: [{ outseta: person, ghl: d.contact, state: states[i] }] });
  if (!plan.operations.length) throw new Error("nothing planned");
}

function floor(i) {
  const d = deliveries[i];
  createHmac("sha256", Buffer.from(KEY, "hex")).update(d.body).digest("hex");
  JSON.parse(d.body);
}

function times(fn) {
  for (let i = 0; i < 200; i++) fn(i % N); // warm-up
  const t = [];
  for (let i = 0; i < N; i++) {
    const start = performance.now();
    fn(i);
    t.push(performance.now() - start);
  }
  t.sort((a, b) => a - b);
  return { p50: t[Math.floor(N * 0.5)], p99: t[Math.floor(N * 0.99)] };
}

const ours = times(webhook);
const base = times(floor);
console.log(`| CPU per Outseta webhook: verify + parse + match (10,000 contacts) + map + merge + plan, p50 | ${(ours.p50 * 1000).toFixed(0)} µs | HMAC + JSON.parse, ${(base.p50 * 1000).toFixed(0)} µs | ${(ours.p50 / base.p50).toFixed(1)} |`);
console.log(`| the same, p99 (goal <= 2 ms) | ${(ours.p99 * 1000).toFixed(0)} µs | ${(base.p99 * 1000).toFixed(0)} µs | ${(ours.p99 / base.p99).toFixed(1)} |`);

const bytes = readFileSync(new URL("../pkg/wasm/outseta_ghl_sync_bg.wasm", import.meta.url));
const compile = [];
for (let i = 0; i < 5; i++) {
  const start = performance.now();
  const module = await WebAssembly.compile(bytes);
  compile.push(performance.now() - start);
  void module;
}
compile.sort((a, b) => a - b);
console.log(`| cold start: WebAssembly.compile of the Worker's ${(bytes.length / 1024).toFixed(0)} KiB wasm, median of 5 | ${compile[2].toFixed(1)} ms | | |`);
