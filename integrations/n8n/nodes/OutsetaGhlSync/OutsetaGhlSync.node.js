// "Outseta → GHL Sync": syncs one Outseta person into HighLevel per input item, either
// by Uid (fetched from Outseta) or from a signed Outseta webhook delivery that an n8n
// Webhook node received. The package's SyncEngine does the work.
"use strict";

const { NodeOperationError } = require("n8n-workflow");
const { ENGINE_CREDENTIALS, ENGINE_OPTIONS, loadPackage, createEngine, redact, errorJson, codedNodeError } = require("../shared/engine");

/** @typedef {import("n8n-workflow").INodeType} INodeType */
/** @typedef {import("n8n-workflow").INodeTypeDescription} INodeTypeDescription */

/** @implements {INodeType} */
class OutsetaGhlSync {
  /** @type {INodeTypeDescription} */
  description = {
    displayName: "Outseta → GHL Sync",
    name: "outsetaGhlSync",
    icon: "file:outsetaGhlSync.svg",
    group: ["transform"],
    version: 1,
    subtitle: '={{$parameter["mode"] === "webhook" ? "Webhook Payload" : "By Uid"}}',
    description: "Sync one Outseta person into a HighLevel contact (outseta-ghl-sync)",
    defaults: { name: "Outseta → GHL Sync" },
    inputs: ["main"],
    outputs: ["main"],
    credentials: ENGINE_CREDENTIALS,
    properties: [
      {
        displayName: "Mode",
        name: "mode",
        type: "options",
        noDataExpression: true,
        default: "uid",
        options: [
          { name: "Sync Person by Uid", value: "uid", description: "Fetch the person from Outseta and sync it" },
          { name: "Webhook Payload", value: "webhook", description: "Verify and handle an Outseta webhook delivery from a Webhook node (Raw Body on)" },
        ],
      },
      {
        displayName: "Person Uid",
        name: "uid",
        type: "string",
        default: "={{ $json.Uid }}",
        required: true,
        displayOptions: { show: { mode: ["uid"] } },
        description: "The Outseta person's Uid",
      },
      {
        displayName: "Event",
        name: "event",
        type: "string",
        default: '={{ $json.params?.event ?? "PersonUpdated" }}',
        displayOptions: { show: { mode: ["webhook"] } },
        description: "The Outseta activity the webhook was configured for (PersonCreated, PersonUpdated, …), e.g. from a Webhook path outseta/:event",
      },
      {
        displayName: "Raw Body Binary Property",
        name: "binaryPropertyName",
        type: "string",
        default: "data",
        displayOptions: { show: { mode: ["webhook"] } },
        description: "Where the Webhook node put the raw body (its Raw Body option). The signature covers the exact bytes, so parsed JSON cannot be verified. Without this binary property, a string in the item's rawBody field is used.",
      },
      ENGINE_OPTIONS,
    ],
  };

  /** @this {import("../../index").ExecuteContext} */
  async execute() {
    const items = this.getInputData();
    const { engine, creds } = await createEngine(this);
    const { OutsetaClient } = await loadPackage();
    /** @type {any} */
    let outsetaClient = null;
    const out = [];
    try {
      for (let i = 0; i < items.length; i++) {
        try {
          const mode = this.getNodeParameter("mode", i);
          let run;
          if (mode === "webhook") {
            if (!creds.signingKey) {
              throw new NodeOperationError(this.getNode(), "Webhook Payload mode needs the Outseta credential's Webhook Signing Key", { itemIndex: i });
            }
            const event = String(this.getNodeParameter("event", i));
            const rawBody = await rawBodyOf(this, items[i], i, String(this.getNodeParameter("binaryPropertyName", i)));
            const headers = /** @type {Record<string, string>} */ (items[i].json.headers ?? {});
            run = await engine.handleOutsetaWebhook(event, rawBody, headers);
          } else {
            const uid = String(this.getNodeParameter("uid", i) ?? "").trim();
            if (!uid) throw new NodeOperationError(this.getNode(), "Person Uid is empty", { itemIndex: i });
            outsetaClient ??= new OutsetaClient(creds.outseta);
            run = await engine.syncPerson(await outsetaClient.getPerson(uid));
          }
          out.push({ json: redact(run, creds.secrets), pairedItem: { item: i } });
        } catch (err) {
          if (!this.continueOnFail()) throw codedNodeError(this, err, creds.secrets, i);
          out.push({ json: { error: errorJson(err, creds.secrets) }, pairedItem: { item: i } });
        }
      }
    } finally {
      outsetaClient?.free();
      engine.free();
    }
    return [out];
  }
}

/**
 * The delivery's exact bytes: the Webhook node's raw-body binary, else a `rawBody` string.
 * @param {import("../../index").ExecuteContext} ctx @param {any} item @param {number} i @param {string} property
 * @returns {Promise<Uint8Array | string>}
 */
async function rawBodyOf(ctx, item, i, property) {
  if (item.binary?.[property]) return new Uint8Array(await ctx.helpers.getBinaryDataBuffer(i, property));
  if (typeof item.json.rawBody === "string") return item.json.rawBody;
  throw new NodeOperationError(ctx.getNode(), `No raw body: the item has no binary property "${property}" and no rawBody string. Turn on the Webhook node's Raw Body option.`, { itemIndex: i });
}

module.exports = { OutsetaGhlSync };
