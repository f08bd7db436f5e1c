// The www/ page in headless Chromium: it imports ../pkg/browser.js, so this exercises
// the browser entry, the streamed .wasm, and the page itself.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { serveRepository } from "../../support/serve.mjs";
import { launchChromium } from "../../support/browser.mjs";
import { CRATE_VERSION, EXPECTED_CONTACT, PERSON } from "../helpers.mjs";

let server, browser, page;
const problems = [];

before(async () => {
  server = await serveRepository();
  browser = await launchChromium();
  page = await browser.newPage();
  page.on("console", (msg) => msg.type() === "error" && problems.push(msg.text()));
  page.on("pageerror", (err) => problems.push(err.message));
  await page.goto(`${server.url}/www/index.html`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const result = () => page.textContent("#result");

test("the page loads the core and shows its version", async () => {
  assert.equal(await page.textContent("#version"), CRATE_VERSION);
});

test("the sample person maps to the same payload as in Node and the Worker", async () => {
  await page.fill("#person", JSON.stringify(PERSON));
  await page.click("button[type=submit]");
  assert.deepEqual(JSON.parse(await result()), EXPECTED_CONTACT);
});

test("bad input shows the error code, and the page keeps working", async () => {
  await page.fill("#person", JSON.stringify({ Email: 7 }));
  await page.keyboard.press("Tab"); // the button is reachable by keyboard
  await page.keyboard.press("Enter");
  assert.match(await result(), /^INPUT_INVALID: expected string at \$\.Email, found number/);
  assert.equal(await page.getAttribute("#result", "class"), "error");
  await page.fill("#person", JSON.stringify(PERSON));
  await page.click("button[type=submit]");
  assert.deepEqual(JSON.parse(await result()), EXPECTED_CONTACT);
});

test("no console errors", () => {
  assert.deepEqual(problems, []);
});
