// `make size`: raw and gzipped sizes of what the package ships, and the Worker upload
// as `wrangler deploy --dry-run` bundles it (nothing is uploaded).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, "pkg/package.json"), "utf8"));

// GNU gzip, as the size tables in ../shared/ANCHORS.md use (Node's zlib packs wasm ~8% worse).
function gzipSize(bytes) {
  const run = spawnSync("gzip", ["-9c"], { input: bytes, maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`gzip failed: ${run.stderr}`);
  return run.stdout.length;
}

// package.json "files" lists files and folders; a folder counts file by file, nested
// folders included (wasm-bindgen puts inline JS in wasm/snippets/<crate>-<hash>/).
const shipped = pkg.files.flatMap((entry) =>
  statSync(join(ROOT, "pkg", entry)).isDirectory()
    ? readdirSync(join(ROOT, "pkg", entry), { recursive: true })
        .map((name) => `${entry}/${name}`)
        .filter((file) => statSync(join(ROOT, "pkg", file)).isFile())
        .sort()
    : [entry],
);
const rows = shipped
  .filter((file) => !file.endsWith(".d.ts"))
  .map((file) => {
    const bytes = readFileSync(join(ROOT, "pkg", file));
    return { file: `pkg/${file}`, raw: bytes.length, gzip: gzipSize(bytes) };
  });
const width = Math.max(...rows.map((r) => r.file.length));
const line = (file, raw, gzip) =>
  console.log(`${file.padEnd(width)}  ${String(raw).padStart(9)}  ${String(gzip).padStart(9)}`);
line("file", "raw B", "gzip -9 B");
for (const r of rows) line(r.file, r.raw, r.gzip);
line("total", rows.reduce((s, r) => s + r.raw, 0), rows.reduce((s, r) => s + r.gzip, 0));

const dryRun = spawnSync(
  join(ROOT, "node_modules/.bin/wrangler"),
  ["deploy", "--dry-run", "--outdir", join(ROOT, "tests/.out/worker-bundle")],
  { cwd: ROOT, encoding: "utf8" },
);
const upload = `${dryRun.stdout}${dryRun.stderr}`.match(/Total Upload: .*/);
if (dryRun.status !== 0 || !upload) {
  console.error(`wrangler deploy --dry-run failed:\n${dryRun.stdout}${dryRun.stderr}`);
  process.exit(1);
}
console.log(`\nWorker (wrangler deploy --dry-run): ${upload[0]}`);
