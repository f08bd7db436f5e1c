// The npm package as users get it: `npm pack` of pkg/, unpacked into a fresh folder's
// node_modules (what `npm install <tarball>` does, without the registry), then imported
// under Node, in a Chromium page, and in a Worker under wrangler dev.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveFolder } from "../../support/serve.mjs";
import { launchChromium } from "../../support/browser.mjs";
import { freePort } from "../../support/worker.mjs";
import { ROOT, PERSON, EXPECTED_CONTACT } from "../helpers.mjs";

const dir = mkdtempSync(join(tmpdir(), "ogs-pack-"));
const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: join(ROOT, "pkg"), encoding: "utf8" }).trim().split("\n").pop();
const app = join(dir, "app");
const installed = join(app, "node_modules/outseta-ghl-sync");
mkdirSync(installed, { recursive: true });
execFileSync("tar", ["-xzf", join(dir, tarball), "-C", installed, "--strip-components=1"]);
writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", type: "module", private: true }));

test("the tarball holds the entries, types, stores and wasm, and nothing from the repository's tests", () => {
  const files = readdirSync(installed, { recursive: true }).map(String);
  for (const f of ["index.d.ts", "node.js", "browser.js", "worker.js", "worker-app.js", "step.js", "stores/d1.js", "stores/indexeddb.js", "wasm/outseta_ghl_sync_bg.wasm", "wasm/outseta_ghl_sync_node_bg.wasm", "cli.js"]) {
    assert.ok(files.includes(f), `${f} in the package`);
  }
  assert.ok(!files.some((f) => f.startsWith("tests") || f.endsWith(".rs")), files.join(", "));
});

test("under Node, from a fresh folder", () => {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", `import { mapContact, version } from "outseta-ghl-sync"; console.log(JSON.stringify({ v: version(), c: mapContact(${JSON.stringify(PERSON)}) }));`], { cwd: app, encoding: "utf8" });
  assert.deepEqual(JSON.parse(out).c, EXPECTED_CONTACT);
  const cli = execFileSync(join(app, "node_modules/outseta-ghl-sync/cli.js"), ["version"], { cwd: app, encoding: "utf8" });
  assert.match(cli, /\d+\.\d+\.\d+/);
});

test("in a Chromium page that imports the installed browser entry", async () => {
  writeFileSync(join(app, "index.html"), `<!doctype html><script type="module">
    import { mapContact } from "/node_modules/outseta-ghl-sync/browser.js";
    document.body.dataset.result = JSON.stringify(mapContact(${JSON.stringify(PERSON)}));
  </script>`);
  const server = await serveFolder(0, app);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/index.html`);
    const result = await page.waitForFunction(() => document.body.dataset.result).then((h) => h.jsonValue());
    assert.deepEqual(JSON.parse(result), EXPECTED_CONTACT);
  } finally {
    await browser.close();
    await server.close();
  }
});

test("in a Worker (wrangler dev) that imports the package by name", async () => {
  writeFileSync(join(app, "worker.js"), `import { mapContact } from "outseta-ghl-sync";
export default { async fetch(request) { return Response.json(mapContact(await request.json())); } };`);
  writeFileSync(join(app, "wrangler.toml"), `name = "pack-check"\nmain = "worker.js"\ncompatibility_date = "2026-04-01"\nsend_metrics = false\n[[rules]]\ntype = "CompiledWasm"\nglobs = ["**/*.wasm"]\nfallthrough = false\n`);
  const [port, inspector] = [await freePort(), await freePort()];
  const child = spawn(join(ROOT, "node_modules/.bin/wrangler"), ["dev", "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false", "--inspector-port", String(inspector)], {
    cwd: app, detached: true, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_SEND_ERROR_REPORTS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true", WRANGLER_LOG_PATH: join(dir, "logs") },
  });
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  try {
    let body;
    for (let i = 0; i < 300 && body === undefined; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: JSON.stringify(PERSON) });
        if (res.ok) body = await res.json();
      } catch {}
      if (body === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(body, EXPECTED_CONTACT, output);
  } finally {
    try { process.kill(-child.pid, "SIGTERM"); } catch {}
  }
});
