// A simulator (tests/sim/<file>) in its own process, so the process being measured does
// not also serve the simulated API.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** Starts `tests/sim/<file>` on a free port; resolves once it prints its URL. */
export async function startSimProcess(file, args) {
  const child = spawn(process.execPath, [fileURLToPath(new URL(`../sim/${file}`, import.meta.url)), "--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${file} exited (${code})`)));
    createInterface({ input: child.stdout }).once("line", resolve);
  });
  return { child, url: url.trim() };
}
