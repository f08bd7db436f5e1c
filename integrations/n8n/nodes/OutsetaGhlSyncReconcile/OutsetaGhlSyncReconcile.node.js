// "Reconcile": the package's SyncEngine.reconcile report (missing, unlinked, drifted,
// duplicates, pending reviews), optionally with its repair Plan. Runs once per execution.
"use strict";

const { ENGINE_CREDENTIALS, ENGINE_OPTIONS, reportOnce } = require("../shared/engine");

/** @typedef {import("n8n-workflow").INodeType} INodeType */
/** @typedef {import("n8n-workflow").INodeTypeDescription} INodeTypeDescription */

/** @implements {INodeType} */
class OutsetaGhlSyncReconcile {
  /** @type {INodeTypeDescription} */
  description = {
    displayName: "Outseta ↔ GHL Reconcile",
    name: "outsetaGhlSyncReconcile",
    icon: "file:outsetaGhlSync.svg",
    group: ["transform"],
    version: 1,
    description: "Compare Outseta people with HighLevel contacts and report what differs (outseta-ghl-sync)",
    defaults: { name: "Reconcile" },
    inputs: ["main"],
    outputs: ["main"],
    credentials: ENGINE_CREDENTIALS,
    properties: [
      {
        displayName: "Repair",
        name: "repair",
        type: "boolean",
        default: false,
        description: "Whether to plan the repairs (create missing contacts, fix drift) and include them as `repair`",
      },
      {
        displayName: "Dry Run",
        name: "dryRun",
        type: "boolean",
        default: true,
        displayOptions: { show: { repair: [true] } },
        description: "Whether to only plan the repairs; off, they are carried out",
      },
      {
        displayName: "Include HTML",
        name: "html",
        type: "boolean",
        default: false,
        description: "Whether to add the report as one HTML page in the `html` field",
      },
      ENGINE_OPTIONS,
    ],
  };

  /** @this {import("../../index").ExecuteContext} */
  async execute() {
    return reportOnce(this, (engine) => {
      const repair = Boolean(this.getNodeParameter("repair", 0));
      const dryRun = repair ? Boolean(this.getNodeParameter("dryRun", 0)) : true;
      const html = Boolean(this.getNodeParameter("html", 0));
      return engine.reconcile({ repair, dryRun, html });
    });
  }
}

module.exports = { OutsetaGhlSyncReconcile };
