// A static file server for tests and the demo, bound to 127.0.0.1 only.
// Serves the repository root, so www/index.html can import ../pkg/browser.js, with the
// .wasm MIME type (for streaming compilation) and CORS headers (the wasm-bindgen test
// runner's page fetches from another origin).
//
// As a script: node tests/support/serve.mjs [port]  (prints the URL, serves until killed)
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** Starts the server; resolves to { url, close() }. Port 0 picks a free port; `root`
 * defaults to the repository. */
export function serveRepository(port = 0, root = ROOT) {
  const server = createServer(async (req, res) => {
    const headers = {
      "Access-Control-Allow-Origin": "*",
      "Cross-Origin-Resource-Policy": "cross-origin",
      "Cache-Control": "no-store",
    };
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    const file = join(root, path.endsWith("/") ? join(path, "index.html") : path);
    try {
      if (!file.startsWith(root)) throw new Error("outside the served folder");
      const body = await readFile(file);
      res.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain" });
      res.end("not found");
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port: bound } = server.address();
      resolvePromise({
        url: `http://127.0.0.1:${bound}`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await serveRepository(Number(process.argv[2] ?? 0));
  console.log(url);
}
