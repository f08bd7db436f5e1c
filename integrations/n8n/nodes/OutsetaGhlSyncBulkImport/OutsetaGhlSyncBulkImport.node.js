// "Bulk Import": every Outseta person into HighLevel through the package's
// SyncEngine.bulkImport. Runs once per execution, whatever the number of input items.
"use strict";

const { ENGINE_CREDENTIALS, ENGINE_OPTIONS, reportOnce } = require("../shared/engine");

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
    credentials: ENGINE_CREDENTIALS,
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
    return reportOnce(this, (engine) => {
      const dryRun = Boolean(this.getNodeParameter("dryRun", 0));
      const pageSize = Number(this.getNodeParameter("pageSize", 0));
      return engine.bulkImport({ dryRun, pageSize });
    });
  }
}

module.exports = { OutsetaGhlSyncBulkImport };
