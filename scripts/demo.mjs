// `make demo`: the same Outseta person mapped by the one wasm core in Node (the CLI),
// in headless Chromium (the www/ page) and in the local Worker (wrangler dev).
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveRepository } from "../tests/support/serve.mjs";
import { launchChromium } from "../tests/support/browser.mjs";
import { startWorker } from "../tests/support/worker.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURE = join(ROOT, "tests/fixtures/outseta-person.json");
const person = readFileSync(FIXTURE, "utf8");

console.log(`Outseta person (${FIXTURE.slice(ROOT.length)}):\n${person}`);

async function inNode() {
  const run = spawnSync(process.execPath, [join(ROOT, "pkg/cli.js"), "map", FIXTURE], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`the CLI exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

async function inChromium() {
  const server = await serveRepository();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/www/index.html`);
    await page.waitForSelector("body[data-ready=true]");
    // Paste the person as the records to preview; the page maps it in its Web Worker.
    await page.fill("#paste-a", person);
    await page.click("fieldset[data-slot=a] button[data-paste]");
    // A finished run of one record; its detail is drawn afresh after each run.
    await page.waitForFunction(() => document.body.dataset.state === "done"
      && document.querySelector("#summary [data-key=records] dd")?.textContent === "1"
      && document.querySelector("#payload-json"));
    return JSON.parse((await page.textContent("#payload-json")) ?? "");
  } finally {
    await browser.close();
    await server.close();
  }
}

async function inWorker() {
  const worker = await startWorker();
  try {
    const res = await fetch(`${worker.url}/v1/map-contact`, { method: "POST", body: person });
    return await res.json();
  } finally {
    await worker.stop();
  }
}

const results = {};
for (const [name, run] of [
  ["Node (npx outseta-ghl-sync map)", inNode],
  ["Chromium (www/index.html)", inChromium],
  ["Cloudflare Worker (wrangler dev, POST /v1/map-contact)", inWorker],
]) {
  const started = performance.now();
  results[name] = await run();
  const ms = Math.round(performance.now() - started);
  console.log(`\n${name}, ${ms} ms including start-up:\n${JSON.stringify(results[name], null, 2)}`);
}

const distinct = new Set(Object.values(results).map((r) => JSON.stringify(r)));
if (distinct.size !== 1) {
  console.error("\nThe runtimes disagree: see above.");
  process.exit(1);
}
console.log("\nAll three runtimes returned the same GHL contact.");
