// "Reviews": the package's review queue. List what a sync held (possible duplicates an
// import would not create, fields both sides changed), or resolve one item, which runs
// the sync the choice decides. Runs once per execution.
"use strict";

const { ENGINE_CREDENTIALS, ENGINE_OPTIONS, jsonParameter, reportOnce } = require("../shared/engine");

/** @typedef {import("n8n-workflow").INodeType} INodeType */
/** @typedef {import("n8n-workflow").INodeTypeDescription} INodeTypeDescription */

/** @implements {INodeType} */
class OutsetaGhlSyncReviews {
  /** @type {INodeTypeDescription} */
  description = {
    displayName: "Outseta ↔ GHL Reviews",
    name: "outsetaGhlSyncReviews",
    icon: "file:outsetaGhlSync.svg",
    group: ["transform"],
    version: 1,
    subtitle: '={{$parameter["operation"]}}',
    description: "List what outseta-ghl-sync held for review, or resolve it (link, create, keep a side)",
    defaults: { name: "Reviews" },
    inputs: ["main"],
    outputs: ["main"],
    credentials: ENGINE_CREDENTIALS,
    properties: [
      {
        displayName: "Operation",
        name: "operation",
        type: "options",
        noDataExpression: true,
        default: "list",
        options: [
          { name: "List", value: "list", description: "Every pending review with its reason, records and candidates", action: "List pending reviews" },
          { name: "Resolve", value: "resolve", description: "Decide one review and run the sync it decides", action: "Resolve a review" },
        ],
      },
      {
        displayName: "Review ID",
        name: "reviewId",
        type: "string",
        default: "",
        required: true,
        placeholder: "DQ2DyknW/duplicate",
        displayOptions: { show: { operation: ["resolve"] } },
        description: "The id List gives (`{uid}/duplicate` or `{uid}/{field}`), or a person's Outseta Uid for all of its held fields",
      },
      {
        displayName: "Resolution",
        name: "resolution",
        type: "options",
        default: "create",
        displayOptions: { show: { operation: ["resolve"] } },
        options: [
          { name: "Link to a GHL Contact", value: "link", description: "A possible duplicate: it is this contact" },
          { name: "Create a Contact", value: "create", description: "A possible duplicate: it is someone new" },
          { name: "Keep Outseta's Value", value: "keepOutseta", description: "A held field: write Outseta's value to GHL" },
          { name: "Keep HighLevel's Value", value: "keepGhl", description: "A held field: write GHL's value to Outseta" },
          { name: "Choose per Field (JSON)", value: "fields", description: "A person's held fields: { \"field\": \"outseta\" | \"ghl\" }" },
        ],
      },
      {
        displayName: "GHL Contact ID",
        name: "ghlId",
        type: "string",
        default: "",
        required: true,
        displayOptions: { show: { operation: ["resolve"], resolution: ["link"] } },
      },
      {
        displayName: "Fields (JSON)",
        name: "fields",
        type: "json",
        default: "{}",
        displayOptions: { show: { operation: ["resolve"], resolution: ["fields"] } },
        description: "Each held field to the side whose value wins, e.g. { \"phone\": \"ghl\" }",
      },
      ENGINE_OPTIONS,
    ],
  };

  /** @this {import("../../index").ExecuteContext} */
  async execute() {
    const out = await reportOnce(this, (engine) => {
      if (this.getNodeParameter("operation", 0) === "list") return engine.reviews();
      const id = String(this.getNodeParameter("reviewId", 0));
      const choice = String(this.getNodeParameter("resolution", 0));
      /** @type {import("outseta-ghl-sync").ReviewResolution} */
      const resolution =
        choice === "link" ? { link: String(this.getNodeParameter("ghlId", 0)) }
        : choice === "create" ? { create: true }
        : choice === "keepOutseta" ? { keep: "outseta" }
        : choice === "keepGhl" ? { keep: "ghl" }
        : { fields: /** @type {Record<string, "outseta" | "ghl">} */ (jsonParameter(this, this.getNodeParameter("fields", 0), "Fields") ?? {}) };
      return engine.resolveReview(id, resolution);
    });
    // List: one item per review (none when the queue is empty), as n8n lists go.
    const [[item]] = out;
    return Array.isArray(item.json) ? [item.json.map((json) => ({ json }))] : out;
  }
}

module.exports = { OutsetaGhlSyncReviews };
