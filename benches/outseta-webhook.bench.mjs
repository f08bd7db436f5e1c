// Outseta webhook signature check: verifyOutsetaSignature (HMAC-SHA256 in wasm, hmac +
// sha2 crates, constant-time compare, boundary included) against node:crypto's HMAC and
// timingSafeEqual on the same bodies. Both must accept every body first.
import { createHmac, timingSafeEqual } from "node:crypto";
import { verifyOutsetaSignature } from "outseta-ghl-sync";

const KEY = "5f1e4c2b9a7d3e8f0b6a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5";
const KEY_BYTES = Buffer.from(KEY, "hex");
const N = 2_000;
const ROUNDS = 9;

// A Person delivery is a few KB; pad to about 4 KB like a record with custom properties.
const bodies = Array.from({ length: N }, (_, i) =>
  JSON.stringify({ Uid: `u${i}`, Email: `p${i}@example.com`, FirstName: "Jane", Notes: "x".repeat(3900) }),
);
const headers = bodies.map((b) => "sha256=" + createHmac("sha256", KEY_BYTES).update(b).digest("hex"));

function verifyInNode(body, header) {
  const expected = Buffer.from(header.slice(7), "hex");
  const actual = createHmac("sha256", KEY_BYTES).update(body).digest();
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw new Error("mismatch");
}

function median(fn) {
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
}

for (let i = 0; i < N; i++) {
  verifyOutsetaSignature(KEY, bodies[i], headers[i]);
  verifyInNode(bodies[i], headers[i]);
}
const wasm = median(() => bodies.forEach((b, i) => verifyOutsetaSignature(KEY, b, headers[i])));
const node = median(() => bodies.forEach((b, i) => verifyInNode(b, headers[i])));
const per = (ms) => `${((ms / N) * 1000).toFixed(1)} µs each`;
console.log(
  `| verifyOutsetaSignature, ${N.toLocaleString("en")} × 4 KB bodies (median of ${ROUNDS}) | wasm ${wasm.toFixed(1)} ms (${per(wasm)}) | node:crypto ${node.toFixed(1)} ms (${per(node)}) | ${(wasm / node).toFixed(2)} |`,
);
