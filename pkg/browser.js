// Browser entry: fetches the .wasm next to this file (streaming compilation when the
// server sends application/wasm), then exposes the core's functions.
import init from "./wasm/outseta_ghl_sync.js";

await init({ module_or_path: new URL("./wasm/outseta_ghl_sync_bg.wasm", import.meta.url) });

export * from "./api.js";
