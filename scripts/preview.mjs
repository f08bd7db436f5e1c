// The mapping preview's server: `www/` and the built `pkg/` (the page imports
// ../pkg/browser.js), on 127.0.0.1 only, and nothing else of the repository: no dotfile
// or dot-folder (.dev.vars, .git, .wrangler), no other folder (the SQLite store, tests),
// no file type a browser does not need here, and no CORS header, so no other web page
// can read what it serves. `/` redirects to `/www/`, the page.
//
// As a script: node scripts/preview.mjs [port]  (default 8080; prints the page's URL)
import { createServer } from "node:http";
import { readFile, realpath, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const FOLDERS = ["www", "pkg"];
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  // application/wasm lets the browser compile it while it downloads.
  ".wasm": "application/wasm",
};
const HEADERS = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  // Not even a <script> or <img> on another origin may load these.
  "Cross-Origin-Resource-Policy": "same-origin",
};

/**
 * The file a URL path names, or null: every segment plain (no dot first, no backslash
 * or NUL), the first one a served folder, and the real path (symlinks followed) still
 * inside it.
 * @param {string} root @param {string} pathname
 */
async function fileFor(root, pathname) {
  let segments;
  try {
    segments = decodeURIComponent(pathname).split("/").filter((s, i, all) => s !== "" || i === all.length - 1);
  } catch {
    return null;
  }
  if (!FOLDERS.includes(segments[0]) || segments.some((s) => s.startsWith(".") || /[\\\0]/.test(s))) return null;
  if (segments.at(-1) === "") segments[segments.length - 1] = "index.html";
  try {
    const folder = await realpath(join(root, segments[0]));
    let file = await realpath(join(root, ...segments));
    if ((await stat(file)).isDirectory()) file = await realpath(join(file, "index.html"));
    if (!file.startsWith(folder + sep) || !(extname(file) in TYPES)) return null;
    return file;
  } catch {
    return null;
  }
}

/**
 * Starts the server; resolves to { url, close() }. Port 0 picks a free port; `root` is
 * the folder holding www/ and pkg/ (the repository by default).
 * @param {number} [port] @param {{ root?: string }} [options]
 */
export function servePreview(port = 0, { root = ROOT } = {}) {
  const server = createServer(async (req, res) => {
    // As sent: no URL parsing, which would read `//host/...` as another host's URL. Any
    // `.` or `..` segment is refused below, so nothing needs normalising.
    const pathname = (req.url ?? "/").split(/[?#]/)[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...HEADERS, Allow: "GET, HEAD", "Content-Type": "text/plain" }).end("GET only");
      return;
    }
    if (pathname === "/" || pathname === "/www") {
      res.writeHead(302, { ...HEADERS, Location: "/www/" }).end();
      return;
    }
    const file = await fileFor(root, pathname);
    if (!file) {
      res.writeHead(404, { ...HEADERS, "Content-Type": "text/plain" }).end("not found");
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...HEADERS, "Content-Type": TYPES[/** @type {keyof TYPES} */ (extname(file))] });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(404, { ...HEADERS, "Content-Type": "text/plain" }).end("not found");
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = /** @type {import("node:net").AddressInfo} */ (server.address());
      resolvePromise({
        url: `http://127.0.0.1:${address.port}`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await servePreview(Number(process.argv[2] ?? 8080));
  console.log(`${url}/www/`);
}
