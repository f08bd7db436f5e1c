// What wrangler's CompiledWasm rule makes of `import wasm from "x.wasm"` (pkg/worker.js).
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
