// The package's public API, in one list for every runtime entry (browser.js, node.js,
// worker.js). Each entry initialises the wasm first, then re-exports this module; the
// names must match the functions and classes declared in index.d.ts (a test checks).
export {
  version,
  webhookBodyLimit,
  mapContact,
  mapContacts,
  previewMapping,
  validateMapping,
  defaultMapping,
  mergeContact,
  planSync,
  planSyncJson,
  findDuplicates,
  pairRecords,
  DedupIndex,
  OutsetaClient,
  verifyOutsetaSignature,
  parseOutsetaWebhook,
  GhlClient,
  GhlWebhookVerifier,
  parseGhlWebhook,
  SyncEngine,
  checkImportOptions,
  runStoreConformance
} from "./wasm/outseta_ghl_sync.js";
export { runStep } from "./step.js";
