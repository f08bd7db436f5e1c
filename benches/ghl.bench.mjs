// HighLevel: (1) webhook verification in wasm (Ed25519 via ed25519-compact, JSON parse,
// replay checks) against Node's own crypto.verify + JSON.parse; (2) 200 contact creates
// through the wasm GhlClient against the same creates through the official SDK
// (@gohighlevel/api-client), both against the local simulator with its rate limit off.
import { generateKeyPairSync, sign, verify, randomUUID } from "node:crypto";
import { GhlClient, GhlWebhookVerifier } from "outseta-ghl-sync";
import { HighLevel } from "@gohighlevel/api-client";
import { startGhlSim } from "../tests/sim/ghl.mjs";

const N = 2_000;
const ed = generateKeyPairSync("ed25519");
const pem = ed.publicKey.export({ type: "spki", format: "pem" });
const deliveries = Array.from({ length: N }, (_, i) => {
  const body = JSON.stringify({ type: "ContactUpdate", locationId: "loc", id: `c${i}`, email: `p${i}@example.com`, tags: ["a", "b"], webhookId: randomUUID(), timestamp: new Date().toISOString() });
  return { body, headers: { "x-ghl-signature": sign(null, Buffer.from(body), ed.privateKey).toString("base64") } };
});

function time(fn) {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

const verifier = new GhlWebhookVerifier({ ed25519Keys: [pem] });
const wasmMs = time(() => { for (const d of deliveries) verifier.verify(d.body, d.headers); });
const seen = new Set();
const nodeMs = time(() => {
  for (const d of deliveries) {
    if (!verify(null, Buffer.from(d.body), ed.publicKey, Buffer.from(d.headers["x-ghl-signature"], "base64"))) throw new Error("bad");
    const e = JSON.parse(d.body);
    if (seen.has(e.webhookId)) throw new Error("replay");
    seen.add(e.webhookId);
  }
});
console.log(`| verify ${N.toLocaleString("en")} Ed25519 webhooks | wasm ${wasmMs.toFixed(1)} ms | node:crypto + JSON.parse ${nodeMs.toFixed(1)} ms | ${(wasmMs / nodeMs).toFixed(2)} |`);

const M = 200;
async function creates(run) {
  const sim = await startGhlSim({ rateLimit: false });
  try {
    const start = performance.now();
    await run(sim);
    const ms = performance.now() - start;
    const state = await (await fetch(`${sim.url}/_sim/state`)).json();
    if (state.contacts.length !== M) throw new Error(`expected ${M} contacts, found ${state.contacts.length}`);
    return ms;
  } finally {
    await sim.close();
  }
}
const oursMs = await creates(async (sim) => {
  const ghl = new GhlClient({ locationId: "loc_sim", token: "sim-token", baseUrl: sim.url, rateLimit: { burst: 100_000 } });
  for (let i = 0; i < M; i++) await ghl.createContact({ email: `o${i}@example.com`, firstName: "O", phone: `+1 555 010 ${String(i).padStart(4, "0")}` });
});
const sdkMs = await creates(async (sim) => {
  HighLevel.BASE_URL = sim.url;
  const sdk = new HighLevel({ privateIntegrationToken: "sim-token", apiVersion: "2021-07-28", logLevel: "none" });
  for (let i = 0; i < M; i++) await sdk.contacts.createContact({ locationId: "loc_sim", email: `s${i}@example.com`, firstName: "S", phone: `+1555010${String(i).padStart(4, "0")}` });
});
console.log(`| ${M} sequential contact creates against the simulator | wasm GhlClient ${oursMs.toFixed(0)} ms | official SDK ${sdkMs.toFixed(0)} ms | ${(oursMs / sdkMs).toFixed(2)} |`);
