// Node entry: Node's fetch cannot read file: URLs, so the .wasm is read from disk and
// compiled synchronously. Node loads the speed build (opt-level 3, see the Makefile's
// NODE_WASM) through the same glue as the size build browsers and Workers load.
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/outseta_ghl_sync.js";

initSync({ module: readFileSync(new URL("./wasm/outseta_ghl_sync_node_bg.wasm", import.meta.url)) });

export * from "./api.js";
