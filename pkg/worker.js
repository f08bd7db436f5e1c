// Cloudflare Workers entry: wrangler bundles the .wasm as a compiled WebAssembly.Module
// (module rule CompiledWasm), which is instantiated once per isolate.
import wasm from "./wasm/outseta_ghl_sync_bg.wasm";
import { initSync } from "./wasm/outseta_ghl_sync.js";

initSync({ module: wasm });

export * from "./api.js";
