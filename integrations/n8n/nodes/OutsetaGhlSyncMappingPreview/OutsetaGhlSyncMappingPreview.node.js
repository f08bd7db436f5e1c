// "Mapping Preview": an Outseta Person in, the HighLevel create payload and every
// per-field error out, through the package's previewMapping. Needs no credentials and
// calls no API.
"use strict";

const { NodeOperationError } = require("n8n-workflow");
const { loadPackage, jsonParameter, errorJson } = require("../shared/engine");

/** @typedef {import("n8n-workflow").INodeType} INodeType */
/** @typedef {import("n8n-workflow").INodeTypeDescription} INodeTypeDescription */

/** @implements {INodeType} */
class OutsetaGhlSyncMappingPreview {
  /** @type {INodeTypeDescription} */
  description = {
    displayName: "Outseta → GHL Mapping Preview",
    name: "outsetaGhlSyncMappingPreview",
    icon: "file:outsetaGhlSync.svg",
    group: ["transform"],
    version: 1,
    description: "Show the HighLevel contact an Outseta person maps to, with per-field errors (outseta-ghl-sync)",
    defaults: { name: "Mapping Preview" },
    inputs: ["main"],
    outputs: ["main"],
    properties: [
      {
        displayName: "Person",
        name: "source",
        type: "options",
        noDataExpression: true,
        default: "item",
        options: [
          { name: "Input Item", value: "item", description: "The input item's JSON is the Outseta Person" },
          { name: "JSON", value: "json", description: "An Outseta Person given as JSON below" },
        ],
      },
      {
        displayName: "Person JSON",
        name: "personJson",
        type: "json",
        default: '{\n  "Uid": "abc",\n  "Email": "ada@example.com",\n  "FirstName": "Ada",\n  "PhoneMobile": "(555) 010-2030"\n}',
        displayOptions: { show: { source: ["json"] } },
      },
      {
        displayName: "Mapping Spec (JSON)",
        name: "mappingSpec",
        type: "json",
        default: "",
        description: "A mapping spec (outseta-ghl-sync/mapping-spec.schema.json). Empty: the built-in mapping.",
      },
      {
        displayName: "Location ID",
        name: "locationId",
        type: "string",
        default: "",
        description: "Added to the payload as locationId when set",
      },
    ],
  };

  /** @this {import("../../index").ExecuteContext} */
  async execute() {
    const { previewMapping } = await loadPackage();
    const items = this.getInputData();
    const out = [];
    for (let i = 0; i < items.length; i++) {
      try {
        const source = this.getNodeParameter("source", i);
        const person = source === "json" ? jsonParameter(this, this.getNodeParameter("personJson", i), "Person JSON") : items[i].json;
        const spec = jsonParameter(this, this.getNodeParameter("mappingSpec", i, ""), "Mapping Spec");
        const locationId = String(this.getNodeParameter("locationId", i, "") ?? "").trim();
        const context = locationId ? { locationId } : undefined;
        const [result] = previewMapping([person], /** @type {any} */ (spec), { direction: "toGhl", context });
        out.push({ json: /** @type {any} */ (result), pairedItem: { item: i } });
      } catch (err) {
        // A bad spec (MAPPING_INVALID, with every problem in details) or bad JSON.
        if (!this.continueOnFail()) {
          if (err instanceof NodeOperationError) throw err;
          const json = errorJson(err, []);
          throw new NodeOperationError(this.getNode(), `${json.code}: ${json.message}`, { itemIndex: i, description: JSON.stringify(json.details) });
        }
        out.push({ json: { ok: false, errors: [], error: errorJson(err, []) }, pairedItem: { item: i } });
      }
    }
    return [out];
  }
}

module.exports = { OutsetaGhlSyncMappingPreview };
