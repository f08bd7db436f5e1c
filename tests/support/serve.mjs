// A static file server for tests only, bound to 127.0.0.1: one folder (`root`), never a
// dotfile, with the .wasm MIME type. `cors: true` adds the headers the wasm-bindgen test
// runner needs (its page fetches from another origin); nothing else asks for them. The
// preview the README documents is scripts/preview.mjs, which serves www/ and pkg/ only.
//
// As a script: node tests/support/serve.mjs PORT ROOT [--cors]  (prints the URL, serves until killed)
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** Starts the server on `root`; resolves to { url, close() }. Port 0 picks a free port. */
export function serveFolder(port, root, { cors = false } = {}) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    const headers = {
      "Cache-Control": "no-store",
      ...(cors ? { "Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin" } : {}),
    };
    try {
      const segments = decodeURIComponent(new URL(req.url, "http://x").pathname).split("/").filter(Boolean);
      if (segments.some((s) => s.startsWith("."))) throw new Error("a dotfile");
      const file = join(base, ...segments);
      if (!file.startsWith(base + sep)) throw new Error("outside the served folder");
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
  const [port, root, flag] = process.argv.slice(2);
  const { url } = await serveFolder(Number(port ?? 0), root ?? ".", { cors: flag === "--cors" });
  console.log(url);
}
