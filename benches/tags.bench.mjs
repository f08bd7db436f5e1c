// mergeContact and planSync on one pair with 20,000 tags against the same with 2,000, in
// the wasm build under Node: ten times the tags should cost about n log n more (x13).
// The linear membership test this replaced made it x138 and x54 (3.0 s and 3.5 s at
// 20,000 tags), and a million never finished.
// Every tag differs somewhere: of the base's n, Outseta dropped the last half and GHL
// the first quarter, and each added as many of its own (n tags a side, within the cap).
import { mergeContact, planSync } from "outseta-ghl-sync";

const numbered = (n, salt) => Array.from({ length: n }, (_, i) => `t${salt}${i}`);
const contact = (tags) => ({ links: {}, fields: { email: "a@b.co" }, tags });

function inputs(n) {
  const base = numbered(n, "b");
  return {
    merge: [contact(base), contact([...base.slice(0, n / 2), ...numbered(n / 2, "o")]), contact([...base.slice(n / 4), ...numbered(n / 4, "g")])],
    plan: { pairs: [{ outseta: { Uid: "u1", Email: "a@b.co" }, ghl: { id: "g1", email: "a@b.co", tags: numbered(n, "g") }, state: { base: contact(base) } }] },
  };
}

/** The least of seven runs, in ms: load only ever adds time. */
function least(fn) {
  let best = Infinity;
  for (let i = 0; i < 7; i++) {
    globalThis.gc?.();
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const [small, large] = [inputs(2_000), inputs(20_000)];
for (const [name, run] of [
  ["mergeContact", (x) => mergeContact(...x.merge)],
  ["planSync", (x) => planSync(x.plan)],
]) {
  const [a, b] = [least(() => run(small)), least(() => run(large))];
  console.log(`| ${name}, one pair of 20,000 tags (n log n predicts x13.0) | ${b.toFixed(1)} ms | 2,000 tags, ${a.toFixed(1)} ms | ${(b / a).toFixed(1)} |`);
}
