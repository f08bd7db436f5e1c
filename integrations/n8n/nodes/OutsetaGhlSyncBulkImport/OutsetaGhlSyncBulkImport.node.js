// "Bulk Import": every Outseta person into HighLevel through the package's
// SyncEngine.bulkImport. Runs once per execution, whatever the number of input items.
"use strict";

const { OUTSETA_CREDENTIAL, GHL_CREDENTIAL, ENGINE_OPTIONS, createEngine, redact, codedNodeError } = require("../shared/engine");

/** @typedef {import("n8n-workflow").INodeType} INodeType */
/** @typedef {import("n8n-workflow").INodeTypeDescription} INodeTypeDescription */

/** @implements {INodeType} */
class OutsetaGhlSyncBulkImport {
  /** @type {INodeTypeDescription} */
  description = {
    displayName: "Outseta → GHL Bulk Import",
    name: "outsetaGhlSyncBulkImport",
    icon: "file:outsetaGhlSync.svg",
    group: ["transform"],
    version: 1,
    subtitle: '={{$parameter["dryRun"] ? "Dry Run" : "Import"}}',
    description: "Import every Outseta person into HighLevel, or plan it with a dry run (outseta-ghl-sync)",
    defaults: { name: "Bulk Import" },
    inputs: ["main"],
    outputs: ["main"],
    credentials: [
      { name: OUTSETA_CREDENTIAL, required: true },
      { name: GHL_CREDENTIAL, required: true },
    ],
    properties: [
      {
        displayName: "Dry Run",
        name: "dryRun",
        type: "boolean",
        default: true,
        description: "Whether to only plan: read both sides and report every pair's Plan, writing nothing",
      },
      {
        displayName: "Page Size",
        name: "pageSize",
        type: "number",
        default: 100,
        typeOptions: { minValue: 1, maxValue: 100 },
        description: "Outseta people read per page",
      },
      ENGINE_OPTIONS,
    ],
  };

  /** @this {import("../../index").ExecuteContext} */
  async execute() {
    const { engine, creds } = await createEngine(this);
    try {
      const dryRun = Boolean(this.getNodeParameter("dryRun", 0));
      const pageSize = Number(this.getNodeParameter("pageSize", 0));
      const report = await engine.bulkImport({ dryRun, pageSize });
      return [[{ json: redact(report, creds.secrets) }]];
    } catch (err) {
      throw codedNodeError(this, err, creds.secrets);
    } finally {
      engine.free();
    }
  }
}

module.exports = { OutsetaGhlSyncBulkImport };
