// The IndexedDB store in headless Chromium: the store conformance suite (from the wasm
// build's browser entry), and state that outlives the page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { servePreview } from "../../../scripts/preview.mjs";
import { launchChromium } from "../../support/browser.mjs";

let server, browser, page;
before(async () => {
  server = await servePreview();
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${server.url}/www/index.html`);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("the IndexedDB store passes the store conformance suite, and its data outlives a reload", async () => {
  const report = await page.evaluate(async () => {
    const { runStoreConformance } = await import("/pkg/browser.js");
    const { indexedDbStore } = await import("/pkg/stores/indexeddb.js");
    const store = await indexedDbStore("ogs-conformance");
    const result = await runStoreConformance(store);
    await store.put("link/o/u1", JSON.stringify({ outsetaUid: "u1", ghlId: "g1" }));
    store.close();
    return result;
  });
  assert.deepEqual(report.failures, []);
  assert.ok(report.passed >= 10);
  await page.reload();
  const kept = await page.evaluate(async () => {
    const { indexedDbStore } = await import("/pkg/stores/indexeddb.js");
    const store = await indexedDbStore("ogs-conformance");
    const v = await store.get("link/o/u1");
    const claims = [await store.putIfAbsent("seen/x", "1"), await store.putIfAbsent("seen/x", "2")];
    store.close();
    return { v, claims };
  });
  assert.deepEqual(JSON.parse(kept.v), { outsetaUid: "u1", ghlId: "g1" });
  assert.deepEqual(kept.claims, [true, false]);
});
