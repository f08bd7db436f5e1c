// The www/ preview in headless Chromium: it runs the browser entry of ../pkg in a module
// Web Worker, so this exercises the entry, the streamed .wasm, the worker and the page.
// Screenshots of each state go to tests/.out/www/ (ignored by git).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { servePreview } from "../../../scripts/preview.mjs";
import { launchChromium } from "../../support/browser.mjs";
import { CRATE_VERSION, EXPECTED_CONTACT, PERSON, ROOT } from "../helpers.mjs";
import { generatePeople } from "../../../www/sample.js";

const SHOTS = `${ROOT}tests/.out/www`;
mkdirSync(SHOTS, { recursive: true });

let server, browser, context, page;
const problems = [];
const foreign = [];

before(async () => {
  server = await servePreview();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.on("console", (msg) => msg.type() === "error" && problems.push(msg.text()));
  page.on("pageerror", (err) => problems.push(err.message));
  // Nothing leaves the page: every request goes to the page's own origin (workers included).
  context.on("request", (req) => {
    const url = req.url();
    if (!url.startsWith(`${server.url}/`) && !url.startsWith("blob:") && !url.startsWith("data:")) foreign.push(url);
  });
  await page.goto(`${server.url}/www/index.html`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const shot = (name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

/** Waits for the run in progress (or about to start) to finish. */
async function settled() {
  await page.waitForTimeout(250); // the form and the runs are debounced
  await page.waitForSelector("body[data-state=done]", { timeout: 60_000 });
}

/** The payload table of the record shown in the detail, as an object (error rows left out). */
function payload() {
  return page.$$eval("#payload tr:not(.bad)", (rows) =>
    Object.fromEntries(rows.map((r) => [r.querySelector("th").textContent, JSON.parse(r.querySelector("td").textContent)])));
}

/** The summary's numbers by name. */
function summary() {
  return page.$$eval("#summary > div", (items) =>
    Object.fromEntries(items.map((d) => [d.dataset.key, Number(d.querySelector("dd").textContent.replace(/,/g, ""))])));
}

/** Drops a file on a drop zone the way a browser does (a DataTransfer with a File). */
function drop(zone, name, type, text) {
  return page.evaluate(({ zone, name, type, text }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], name, { type }));
    const el = document.querySelector(zone);
    el.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
    el.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { zone, name, type, text });
}

test("the page loads the core in its worker, and the sample with it", async () => {
  assert.equal(await page.textContent("#version"), CRATE_VERSION);
  await settled();
  assert.match(await page.textContent("#status-a"), /^8 Outseta people from the bundled sample/);
  const s = await summary();
  assert.equal(s.records, 8);
  assert.equal(s.skipped, 1, "the person with neither email nor phone");
  assert.equal(s.creates, 7);
  assert.equal(s["API calls"], 7);
  assert.equal(s["duplicate clusters"], 1);
  await page.waitForSelector("#detail[data-index='0'] #payload");
  assert.equal((await payload()).email, "jane.doe@gmail.com");
  await shot("01-sample");
});

test("a record's transform errors are highlighted beside its payload", async () => {
  await page.click("#rec-2");
  await page.waitForSelector("#detail[data-index='2'] #payload");
  const bad = await page.$$eval("#payload tr.bad", (rows) => rows.map((r) => r.textContent));
  assert.equal(bad.length, 1);
  assert.match(bad[0], /^phoneTRANSFORM_FAILED: e164: "call me" is not a phone number/);
  assert.deepEqual(await page.$$eval("#source tr.bad th", (th) => th.map((x) => x.textContent)), ["PhoneMobile"]);
  // The list is a keyboard listbox: arrows move the selection and the detail follows.
  await page.focus("#records");
  await page.keyboard.press("ArrowDown");
  await page.waitForSelector("#detail[data-index='3'] #payload");
  assert.equal(await page.getAttribute("#records", "aria-activedescendant"), "rec-3");
  await shot("02-transform-error");
});

test("a pasted Outseta person maps to the same payload as in Node and the Worker", async () => {
  await page.fill("#paste-a", JSON.stringify(PERSON));
  await page.click("fieldset[data-slot=a] button[data-paste]");
  await page.waitForFunction(() => document.querySelector("#status-a").textContent.startsWith("1 Outseta"));
  await settled();
  await page.waitForSelector("#detail[data-index='0'] #payload");
  assert.deepEqual(await payload(), EXPECTED_CONTACT);
});

test("changing a rule in the form changes the payload and the JSON", async () => {
  await page.click("fieldset[data-slot=a] button[data-sample=outseta]");
  await settled();
  await page.fill("#f0-transforms", "trim, uppercase");
  await page.waitForFunction(() => document.querySelector("#spec-json").value.includes('"uppercase"'));
  await settled();
  await page.click("#rec-0");
  await page.waitForFunction(() => [...document.querySelectorAll("#payload tr")].some((r) => r.textContent === 'email"JANE.DOE@GMAIL.COM"'));
  await shot("03-rule-changed");
  // ...and the other way: the JSON edited, the form follows.
  const spec = JSON.parse(await page.inputValue("#spec-json"));
  spec.fields[0].transforms = ["trim", "lowercase"];
  await page.fill("#spec-json", JSON.stringify(spec, null, 2));
  assert.equal(await page.inputValue("#f0-transforms"), "trim, lowercase");
  await settled();
  await page.waitForFunction(() => [...document.querySelectorAll("#payload tr")].some((r) => r.textContent === 'email"jane.doe@gmail.com"'));
});

test("an invalid rule shows its message at the field at fault", async () => {
  await page.fill("#f0-transforms", "trim, shout");
  await page.waitForFunction(() => document.querySelector("#f0-transforms-msg").textContent !== "");
  assert.match(await page.textContent("#f0-transforms-msg"), /unknown transform "shout"/);
  assert.equal(await page.getAttribute("#f0-transforms", "aria-invalid"), "true");
  assert.match(await page.textContent("#spec-problems"), /\$\.fields\[0\]\.transforms\[1\]/);
  assert.match(await page.textContent("#run-status"), /The mapping has 1 problem/);
  // A later rule's problem lands on that rule, though the core's parser refused rule 0.
  await page.fill("#f1-ghl", "forename");
  await page.waitForFunction(() => document.querySelector("#f1-ghl-msg").textContent.includes("not a GHL contact field"));
  assert.equal(await page.getAttribute("#f1-ghl", "aria-invalid"), "true");
  assert.equal(await page.textContent("#f0-ghl-msg"), "");
  // JSON in a form field that does not parse is a problem at that field too.
  await page.fill("#f2-transforms", "[\"trim\"");
  await page.waitForFunction(() => document.querySelector("#f2-transforms-msg").textContent.startsWith("not valid JSON"));
  await shot("04-invalid-rule");
  await page.fill("#f2-transforms", "trim");
  await page.fill("#f1-ghl", "firstName");
  await page.fill("#f0-transforms", "trim, lowercase");
  await page.waitForFunction(() => document.querySelector("#f0-transforms-msg").textContent === "");
  assert.equal(await page.getAttribute("#f0-transforms", "aria-invalid"), null);
  assert.equal(await page.textContent("#spec-problems"), "");
  await settled();
});

test("a dropped CSV export is read with its columns, and its duplicates clustered", async () => {
  const csv = "\uFEFFUid,Email,First Name,Last Name,Phone Mobile,City,Notes\r\n" +
    'c1,ann.lee@gmail.com,Ann,Lee,(555) 010-4000,Boston,"likes ""tea"", not coffee"\r\n' +
    'c2,annlee+shop@gmail.com,Ann,Lee,+1 555 010 4000,Boston,"two\nlines"\r\n' +
    "c3,bo@example.com,Bo,Diaz,,Denver,\r\n";
  await drop("#drop-a", "people.csv", "text/csv", csv);
  await page.waitForFunction(() => document.querySelector("#status-a").textContent.startsWith("3 Outseta people from people.csv (CSV)"));
  await settled();
  assert.equal(await page.isVisible("#columns-a"), true);
  await page.click("#columns-a summary");
  const columns = await page.$$eval("#columns-a tbody tr", (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual(columns.slice(0, 5), [["Uid", "Uid"], ["Email", "Email"], ["First Name", "FirstName"], ["Last Name", "LastName"], ["Phone Mobile", "PhoneMobile"]]);
  assert.deepEqual(columns[5], ["City", "MailingAddress.City"]);
  const clusters = await page.$$eval(".clusters > li > strong", (els) => els.map((e) => e.textContent));
  assert.deepEqual(clusters, ["c1 · c2"]);
  assert.match(await page.textContent(".clusters"), /c1 ↔ c2: match, score [\d.]+ \(rule email\): email \+8, phone \+8/);
  await shot("05-csv-clusters");
});

test("against a second data set: conflicts with the policy's decision, and the Plan's API calls", async () => {
  await page.click("fieldset[data-slot=a] button[data-sample=outseta]");
  await page.click("fieldset[data-slot=b] button[data-sample=ghl]");
  await page.waitForFunction(() => document.querySelector("#status-b").textContent.startsWith("4 HighLevel contacts"));
  await settled();
  const rows = () => page.$$eval("#conflicts tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  let conflicts = await rows();
  const jane = conflicts.find((r) => r[0] === "DQ2DyknW" && r[2] === "firstName");
  assert.deepEqual(jane.slice(0, 5), ["DQ2DyknW", "ghlJane001", "firstName", '"Jane"', '"Janet"']);
  assert.match(jane[5], /^GHL's value is written to Outseta.*newest wins: GHL changed/);
  const s = await summary();
  assert.equal(s.links, 3);
  assert.equal(s.creates, 5, "4 Outseta people to GHL, 1 GHL contact to Outseta");
  assert.match(await page.textContent("#api-calls"), new RegExp(`${s["API calls"]} API calls`));
  // The whole Plan is a list, one operation a row; Enter on one shows its record.
  const operations = Number((await page.textContent("#api-calls")).match(/^(\d+) operations/)[1]);
  assert.equal(await page.getAttribute("#op-0", "aria-setsize"), String(operations));
  assert.match(await page.textContent("#op-0"), /LinkRecords DQ2DyknW ↔ ghlJane001/);
  const sam = await page.$$eval("#plan-list [role=option]", (rows) => rows.find((r) => r.textContent.includes("sam.lee@example.com")).dataset.index);
  await page.focus("#plan-list");
  await page.keyboard.press("Home");
  for (let i = 0; i < Number(sam); i++) await page.keyboard.press("ArrowDown");
  assert.equal(await page.getAttribute("#plan-list", "aria-activedescendant"), `op-${sam}`);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#detail[data-index='2'] #payload");
  assert.equal(await page.getAttribute("#records", "aria-activedescendant"), "rec-2");
  await shot("06-conflicts");

  await page.selectOption("#policy", "review");
  await settled();
  conflicts = await rows();
  assert.match(conflicts.find((r) => r[2] === "firstName")[5], /^held for review/);
  assert.ok((await summary()).reviews >= 2);
  await shot("07-conflicts-review");

  // Export: the mapping is the spec as it stands, the Plan one entry per pair.
  const [mapping] = await Promise.all([page.waitForEvent("download"), page.click("#export-mapping")]);
  assert.equal(mapping.suggestedFilename(), "mapping.json");
  const exported = JSON.parse(await (await import("node:fs/promises")).readFile(await mapping.path(), "utf8"));
  assert.deepEqual(exported, JSON.parse(await page.inputValue("#spec-json")));
  const [plan] = await Promise.all([page.waitForEvent("download"), page.click("#export-plan")]);
  const pairs = JSON.parse(await (await import("node:fs/promises")).readFile(await plan.path(), "utf8"));
  assert.equal(pairs.length, 9);
  assert.ok(pairs.some((p) => p.operations.some((op) => op.op === "Review")));
  await page.selectOption("#policy", "newestWins");
  await page.click("fieldset[data-slot=b] button[data-clear]");
  await settled();
});

test("10,000 records: progress while the worker runs, the page stays responsive, then the summary", async () => {
  const text = JSON.stringify(generatePeople(10_000));
  // The file is made in the page first (handing 1.5 MB to the page is the test's own work),
  // then dropped; long tasks on the page's thread from then on are the preview's.
  await page.evaluate((text) => {
    window.__file = new File([text], "people.json", { type: "application/json" });
  }, text);
  const from = await page.evaluate(() => {
    window.__longest = 0;
    const from = performance.now();
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.startTime >= from) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: "longtask" });
    const dt = new DataTransfer();
    dt.items.add(window.__file);
    document.querySelector("#drop-a").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    return from;
  });
  await page.waitForSelector("#progress:not([hidden])", { timeout: 30_000 });
  const seen = await page.textContent("#progress-text");
  assert.match(seen, /^(Mapping records|Planning the sync|Finding duplicates): [\d,]+ of [\d,]+$/);
  await page.waitForFunction(() => document.querySelector("#status-a").textContent.startsWith("10,000"));
  await shot("08-progress");
  await settled();
  const tenThousandMs = Math.round(Number(await page.getAttribute("body", "data-done-at")) - from);
  const inWorker = Number(await page.getAttribute("body", "data-run-ms"));
  const s = await summary();
  assert.equal(s.records, 10_000);
  assert.equal(s.creates, 10_000);
  assert.equal(s["field errors"], 200, "every 50th phone is not one");
  assert.equal(s["duplicate clusters"], 1_000, "every 10th person is a near-duplicate");
  assert.match(await page.textContent("#run-status"), /^Done: 10,000 records in [\d,]+ ms\.$/);
  const longest = await page.evaluate(() => window.__longest);
  console.log(`# 10,000 records: ${tenThousandMs} ms from the drop to the summary (${inWorker} ms in the worker); longest task on the page's thread ${Math.round(longest)} ms`);
  assert.ok(longest < 200, `the page's thread was blocked for ${longest} ms`);
  // The list is virtualised: only the rows in view exist, and End reaches the last one.
  assert.ok((await page.$$eval("#records .rec", (r) => r.length)) < 60);
  await page.focus("#records");
  await page.keyboard.press("End");
  await page.waitForSelector("#detail[data-index='9999'] #payload");
  assert.equal(await page.getAttribute("#records", "aria-activedescendant"), "rec-9999");
  await shot("09-ten-thousand-done");
});

test("readable at phone width", async () => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.click("fieldset[data-slot=a] button[data-sample=outseta]");
  await settled();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await shot("10-phone");
});

test("no console errors, and nothing left the page", () => {
  assert.deepEqual(problems, []);
  assert.deepEqual(foreign, []);
});
