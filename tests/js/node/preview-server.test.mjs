// The mapping preview's server (scripts/preview.mjs, the command the README gives): it
// serves www/ and the built pkg/ and nothing else of the repository, never a dotfile,
// and lets no other web page read what it serves (no CORS header). The attacks go over
// raw HTTP, so paths reach the server exactly as written (fetch would tidy `..` away).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { servePreview } from "../../../scripts/preview.mjs";

const SECRET = "GHL_TOKEN=tok-do-not-serve";
let root, site, repo;

before(async () => {
  // A checkout as a user has it after `make build` and a local Worker run.
  root = mkdtempSync(join(tmpdir(), "ogs-preview-"));
  const file = (path, text = SECRET) => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  file("www/index.html", "<!doctype html><title>preview</title>");
  file("www/app.js", "export {};");
  file("pkg/browser.js", "export {};");
  file("pkg/wasm/outseta_ghl_sync_bg.wasm", "\0asm");
  for (const secret of [".dev.vars", ".git/config", "outseta-ghl-sync.db", "outseta-ghl-sync.json", ".wrangler/state/v3/d1/db.sqlite",
    "tests/fixtures/outseta-person.json", "Cargo.toml", "www/.env", "pkg/.npmrc", "pkg/wasm/.secret.js", "www/notes.txt", "pkg/sqlite.db"]) file(secret);
  symlinkSync(join(root, ".dev.vars"), join(root, "www/leak.js"));
  symlinkSync(root, join(root, "pkg/up"));
  site = await servePreview(0, { root });
  repo = await servePreview(0);
});
after(async () => {
  await site?.close();
  await repo?.close();
  rmSync(root, { recursive: true, force: true });
});

/** GET `path` exactly as written. Resolves to { status, headers, body }. */
function raw(base, path, method = "GET") {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d) => (body += d)).on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject).end();
  });
}

test("the page, its scripts and the built package are served, with their types and no CORS header", async () => {
  for (const [path, type] of [["/www/", "text/html"], ["/www/index.html", "text/html"], ["/www/app.js", "text/javascript"],
    ["/pkg/browser.js", "text/javascript"], ["/pkg/wasm/outseta_ghl_sync_bg.wasm", "application/wasm"]]) {
    const res = await raw(site.url, path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers["content-type"], new RegExp(`^${type}`), path);
    assert.equal(res.headers["access-control-allow-origin"], undefined, path);
    assert.equal(res.headers["cross-origin-resource-policy"], "same-origin", path);
    assert.equal(res.headers["x-content-type-options"], "nosniff", path);
  }
  const home = await raw(site.url, "/");
  assert.equal(home.status, 302);
  assert.equal(home.headers.location, "/www/");
  // And the real repository's page and build.
  for (const path of ["/www/index.html", "/pkg/browser.js", "/pkg/wasm/outseta_ghl_sync_bg.wasm"]) {
    assert.equal((await raw(repo.url, path)).status, 200, path);
  }
});

test("nothing else is served: no dotfile, no other folder, no way out by .., escapes, backslashes or symlinks", async () => {
  const attacks = [
    "/.dev.vars", "/.git/config", "/outseta-ghl-sync.db", "/outseta-ghl-sync.json", "/.wrangler/state/v3/d1/db.sqlite",
    "/tests/fixtures/outseta-person.json", "/Cargo.toml", "/www/.env", "/pkg/.npmrc", "/pkg/wasm/.secret.js",
    "/www/notes.txt", "/pkg/sqlite.db",
    "/www/../.dev.vars", "/www/../../.dev.vars", "/pkg/../.git/config", "/www/%2e%2e/.dev.vars", "/www/%2E%2E%2F.dev.vars",
    "/www/..%2F.dev.vars", "/www%2F..%2F.dev.vars", "/www/%2e%2e%5c.dev.vars", "/www\\..\\.dev.vars", "/www/..\\.dev.vars",
    "/www/leak.js", "/pkg/up/.dev.vars", "/pkg/up/outseta-ghl-sync.db", "/pkg/up/www/index.html",
    "/www/%00", "/www/index.html%00.js", "/%E0%A4%A", "/www/%E0%A4%A", "//.dev.vars", "/./.dev.vars", "/www/./../.dev.vars",
    "http://127.0.0.1/.dev.vars",
  ];
  for (const path of attacks) {
    const res = await raw(site.url, path);
    assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
    assert.ok(!res.body.includes(SECRET), `${path} leaked a secret`);
    assert.equal(res.headers["access-control-allow-origin"], undefined, path);
  }
  for (const method of ["POST", "PUT", "DELETE", "OPTIONS"]) {
    const res = await raw(site.url, "/www/index.html", method);
    assert.equal(res.status, 405, method);
    assert.equal(res.headers["access-control-allow-origin"], undefined, method);
  }
  // The real repository's own secrets' places.
  for (const path of ["/.gitignore", "/.git/HEAD", "/Makefile", "/src/lib.rs", "/tests/support/serve.mjs", "/pkg/../README.md"]) {
    assert.equal((await raw(repo.url, path)).status, 404, path);
  }
});
