// Node entry: Node's fetch cannot read file: URLs, so the .wasm is read from disk and
// compiled synchronously.
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/outseta_ghl_sync.js";

initSync({ module: readFileSync(new URL("./wasm/outseta_ghl_sync_bg.wasm", import.meta.url)) });

export * from "./api.js";
