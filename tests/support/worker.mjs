// Starts the Worker (wrangler.toml) under `wrangler dev` on 127.0.0.1 for tests and the
// demo: the real workerd runtime, with every outbound call of wrangler's own turned off.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Every descendant of process `root`, from /proc (Linux). */
function descendants(root) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name (which may hold spaces, in parentheses): state, ppid.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {}
  }
  const out = [];
  for (const todo = [root]; todo.length > 0; ) {
    for (const child of children.get(todo.pop()) ?? []) {
      out.push(child);
      todo.push(child);
    }
  }
  return out;
}

/** The resident memory of the workerd processes under `root`, in MiB (VmRSS). */
function workerdRssMiB(root) {
  let kib = 0;
  for (const pid of descendants(root)) {
    try {
      if (!readFileSync(`/proc/${pid}/comm`, "utf8").startsWith("workerd")) continue;
      kib += Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {}
  }
  return kib / 1024;
}

/**
 * Resolves to { url, stop(), output(), rssMiB() } once GET /health answers; rejects after
 * `timeoutMs`. `rssMiB()` is the resident memory of this wrangler's workerd processes.
 */
export async function startWorker({ timeoutMs = 60_000, vars = {}, persistTo = join(ROOT, "tests/.out/wrangler-state") } = {}) {
  const port = await freePort();
  const child = spawn(
    join(ROOT, "node_modules/.bin/wrangler"),
    ["dev", "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false",
      "--inspector-port", String(await freePort()), "--persist-to", persistTo,
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`])],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_SEND_ERROR_REPORTS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_LOG_PATH: join(ROOT, "tests/.out/wrangler-logs"),
        // The banner is what asks the npm registry for a newer wrangler.
        WRANGLER_HIDE_BANNER: "true",
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return { url, stop, output: () => output, rssMiB: () => workerdRssMiB(child.pid) };
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`wrangler dev did not answer on ${url} within ${timeoutMs} ms:\n${output}`);
}
